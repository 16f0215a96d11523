package refserver

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tokencert/tokencert/specs"
)

// Quirk is a behaviour of real servers that RFC 6749 and its extensions
// allow, or leave to the server, and that the suite once judged a failure.
// Where a fault breaks one requirement, a quirk must break none of those
// it concerns: a run against a server with the quirk shows the suite does
// not fail them (cmd/tokencert's TestQuirks), while the faults that do
// break them are still caught.
type Quirk struct {
	Name, Doc string
	// Seen says which kind of real server behaves so.
	Seen string
	// Concerns are the requirements whose checks judged the behaviour
	// wrongly: a run against a server with the quirk must not fail them.
	Concerns []string
}

// The quirks. Handlers test for them with Server.quirk; each is listed
// once in the quirks table below.
var (
	QuirkCodeOtherClientInvalidClient = Quirk{Name: "code-other-client-invalid-client",
		Concerns: []string{"RFC6749-4.1.3-CODE-BOUND-TO-CLIENT"},
		Doc:      "a code presented by a client other than the one it was issued to is refused with 401 invalid_client instead of invalid_grant: the code is not redeemed, which is what RFC 6749 §4.1.3 asks",
		Seen:     "servers that look a code up together with the client presenting it, so that another client's code reads as failed client authentication (seen with a public client's code and a second client)"}
	QuirkPrivateKeyJWTUnlisted = Quirk{Name: "private-key-jwt-unlisted",
		Concerns: []string{"RFC6749-5.1-STATUS-200", "RFC6749-2.3.1-BASIC-SUPPORT", "RFC6749-2.3.1-BODY-CREDENTIALS"},
		Doc:      "the main client is registered for private_key_jwt client assertions (RFC 7523 §2.2) though the spec lists only secret-based methods (RFC 6749 §2.3.2 lets a server add others); the target the server prints names it (client_auth: [private_key_jwt]) and its key",
		Seen:     "OpenID providers whose confidential clients authenticate by signed JWTs (OpenID Connect Core §9), certified against plain RFC 6749"}
	QuirkScopeFreeForm = Quirk{Name: "scope-free-form",
		Concerns: []string{"RFC6749-3.3-SCOPE-IF-CHANGED"},
		Doc:      "any scope value a request names is granted as requested and echoed in scope: the scope did not change, so RFC6749-3.3-SCOPE-IF-CHANGED has nothing to judge (whether an unknown scope may be granted is RFC6749-5.2-INVALID-SCOPE's business, which fault unknown-scope-granted shows failing)",
		Seen:     "servers that keep no list of scope values (free-form scopes, development setups of OAuth libraries)"}
	QuirkIntrospectionForbidden = Quirk{Name: "introspection-forbidden",
		Concerns: []string{"RFC7662-2.2-EXPIRED-INACTIVE", "TOKENCERT-INTROSPECT-UNKNOWN-INACTIVE", "RFC6749-4.1.2-CODE-REUSE-REVOKES", "RFC7009-2-AT-REVOCATION", "RFC7009-2.1-RT-REVOCATION-CASCADE", "RFC6749-6-NO-SCOPE-ESCALATION"},
		Doc:      "the introspection endpoint answers the main client 403: only the second client (a resource server) may introspect, which RFC 7662 §2.1 leaves to the server",
		Seen:     "servers that let only resource servers, or clients granted an introspection permission, call introspection"}
	QuirkWrongMethod401 = Quirk{Name: "wrong-method-401",
		Concerns: []string{"RFC6749-3.2-POST-ONLY"},
		Doc:      "a token request with another HTTP method is answered 401 without a WWW-Authenticate challenge: refused, as RFC 6749 §3.2 asks",
		Seen:     "servers whose framework routes other methods at the token path to an authentication filter, which answers 401 with no Basic challenge"}
	QuirkRefreshNeedsOfflineAccess = Quirk{Name: "refresh-needs-offline-access",
		Concerns: []string{"RFC6749-6-REFRESH-SUCCESS", "RFC9700-4.14.2-OLD-RT-REJECTED", "RFC6749-6-NO-SCOPE-ESCALATION", "RFC6749-10.4-RT-BOUND-TO-CLIENT", "RFC7009-2-RT-REVOCATION", "RFC7009-2.1-RT-REVOCATION-CASCADE"},
		Doc:      "the authorization_code grant issues a refresh token only when the authorization request asked for one: scope offline_access (OpenID Connect Core §11) or prompt=consent; offline_access is a scope the server knows (target keys scope, authorize.params)",
		Seen:     "OpenID providers (offline_access at Auth0, Okta and Keycloak; access_type=offline with prompt=consent at Google)"}
)

// quirks is the table of every quirk.
var quirks = []Quirk{
	QuirkCodeOtherClientInvalidClient, QuirkPrivateKeyJWTUnlisted, QuirkScopeFreeForm,
	QuirkIntrospectionForbidden, QuirkWrongMethod401, QuirkRefreshNeedsOfflineAccess,
}

// Quirks returns every quirk, sorted by name.
func Quirks() []Quirk {
	out := slices.Clone(quirks)
	slices.SortFunc(out, func(a, b Quirk) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// QuirkByName returns the quirk of that name.
func QuirkByName(name string) (Quirk, error) {
	for _, q := range quirks {
		if q.Name == name {
			return q, nil
		}
	}
	names := make([]string, 0, len(quirks))
	for _, q := range Quirks() {
		names = append(names, q.Name)
	}
	return Quirk{}, fmt.Errorf("unknown quirk %q (quirks: %s)", name, strings.Join(names, ", "))
}

// QuirksFor returns the quirks that concern a requirement of spec, sorted
// by name.
func QuirksFor(spec *specs.Spec) []Quirk {
	var out []Quirk
	for _, q := range Quirks() {
		if slices.ContainsFunc(q.Concerns, func(id string) bool { return spec.Requirement(id) != nil }) {
			out = append(out, q)
		}
	}
	return out
}

// quirk reports whether the server was told to behave as q says.
func (s *Server) quirk(q Quirk) bool { return s.quirks[q.Name] }
