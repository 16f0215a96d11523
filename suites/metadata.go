package suites

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tokencert/tokencert/probes"
	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/suites/wire"
	"github.com/tokencert/tokencert/target"
)

// Authorization server metadata (RFC 8414), where the target names its
// issuer: the document is read again by the checks (the run's discovery
// only used it), once, and judged against what the server does.

// Metadata is the concern of the metadata checks.
const Metadata = "metadata"

func init() {
	register(&Kind{Name: "metadata", Arg: "issuer|https|auth-methods|signing-algs|grant-types|pkce-s256|pkce-methods", Plan: planMetadata,
		Defaults: map[string]string{"RFC8414-3.3-ISSUER-IDENTICAL": "issuer", "RFC8414-2-HTTPS-URLS": "https",
			"RFC8414-2-AUTH-METHODS-HONEST": "auth-methods", "RFC8414-2-AUTH-SIGNING-ALGS": "signing-algs",
			"RFC8414-2-GRANT-TYPES-CONSISTENT": "grant-types", "RFC7636-4.2-S256-SUPPORTED": "pkce-s256", "RFC8414-2-PKCE-METHODS-HONEST": "pkce-methods"},
		Fix: "Publish RFC 8414 metadata that holds: `issuer` exactly the issuer asked for, https endpoints, only client authentication methods (with their signing algorithms, never `none`), grant types and PKCE methods the server accepts, every grant it serves, and S256 among `code_challenge_methods_supported`.",
		Doc: "the issuer's metadata (target key `issuer`; RFC 8414 §3's well-known URI, then OpenID Connect Discovery's): its `issuer` is the one asked for, character for character, and https (`issuer`); every advertised endpoint and `jwks_uri` is https, http on loopback being a test setup that is skipped (`https`); every advertised client authentication method the client is registered for (target key `client_auth`, not filled from the metadata: `client_secret_basic`, `client_secret_post`, the JWT methods, the mutual-TLS methods, and `none` for a public client; `client_secret_basic` when the member is absent) authenticates the primary grant's request (`auth-methods`); where the token, revocation or introspection endpoint's methods list `private_key_jwt` or `client_secret_jwt`, its `*_auth_signing_alg_values_supported` is present and has no `none` (`signing-algs`); no advertised grant type is refused with `unsupported_grant_type` (`grant_type` alone, any other answer passes, since a client may not be registered for a grant), and every grant the token endpoint served the client in the run is listed in `grant_types_supported` (its absence, whose default is authorization_code and implicit, is noted) (`grant-types`); S256 is among `code_challenge_methods_supported` when the member is present (`pkce-s256`); every listed PKCE method (S256, plain) gets a code that is redeemed with its verifier (`pkce-methods`, target key `authorize`)"})
}

var metadataTitles = map[string]string{
	"issuer":       "the metadata's issuer is the issuer asked for, an https URL",
	"https":        "every endpoint URL the metadata advertises is https",
	"auth-methods": "every advertised client authentication method the client is registered for is accepted",
	"grant-types":  "no advertised grant type is refused as unsupported, and every grant served is advertised",
	"pkce-s256":    "S256 is among the advertised PKCE code challenge methods",
	"signing-algs": "an advertised JWT client authentication method comes with its signing algorithms, none of them none",
	"pkce-methods": "every advertised PKCE code challenge method is accepted",
}

func planMetadata(e *Env, req specs.Requirement) []Check {
	arg := checkArg(req)
	var timeout time.Duration
	if arg == "pkce-methods" && e.Target.Authorize != nil {
		// A login for each method: S256 and plain.
		timeout = 2*e.authorizeTimeout() + time.Minute
	}
	return []Check{{Req: req, Concern: Metadata, Variant: arg, Title: metadataTitles[arg], Timeout: timeout, Run: func(t *T) {
		judge, ok := map[string]func(*T, map[string]any){"issuer": judgeIssuer, "https": judgeHTTPS,
			"auth-methods": judgeAuthMethods, "signing-algs": judgeSigningAlgs, "grant-types": judgeGrantTypes,
			"pkce-s256": judgePKCES256, "pkce-methods": judgePKCEMethods}[arg]
		if !ok {
			t.Errorf("check %q: metadata knows issuer, https, auth-methods, signing-algs, grant-types, pkce-s256 and pkce-methods", req.Check)
			return
		}
		judge(t, t.Env.metadataDocument(t))
	}}}
}

// metadataDocument is the issuer's metadata, read once for all the
// checks: the first well-known URL that answers 200 with a JSON object.
// It skips t when there is no issuer or no document.
func (e *Env) metadataDocument(t *T) map[string]any {
	if e.Target.Issuer == "" {
		t.Needf([]string{"issuer"}, "the target names no issuer, so no metadata is read (target key issuer)")
	}
	var tried []string
	for i, u := range target.MetadataURLs(e.Target.Issuer) {
		ex, _ := e.shared(fmt.Sprintf("metadata/%d", i), func() *wire.Exchange {
			return e.Client.Do(t.Ctx, wire.Request{Label: "authorization server metadata", Method: http.MethodGet, URL: u,
				Header: http.Header{"Accept": {"application/json"}}, Role: "metadata endpoint"})
		})
		t.Evidence(ex)
		if !ex.OK() || ex.Status() != http.StatusOK {
			tried = append(tried, ex.Summary())
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(ex.Body(), &m); err != nil || m == nil {
			tried = append(tried, "not a JSON object")
			continue
		}
		return m
	}
	t.Skipf("no metadata document could be read for the issuer: %s", strings.Join(tried, "; "))
	return nil
}

// strings of a metadata member that is an array of strings.
func metadataList(m map[string]any, member string) ([]string, bool) {
	a, ok := m[member].([]any)
	if !ok {
		return nil, false
	}
	var out []string
	for _, v := range a {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out, true
}

func judgeIssuer(t *T, m map[string]any) {
	got, ok := m["issuer"].(string)
	want := t.Env.Target.Issuer
	switch {
	case !ok:
		t.Errorf("the metadata has no issuer string (RFC 8414 §2: REQUIRED)")
		return
	case got != want:
		t.Errorf("the metadata's issuer %q is not %q, the issuer asked for (RFC 8414 §3.3: identical, or the document is not to be used)", got, want)
		return
	}
	judgeHTTPSURL(t, "issuer", got)
	if u, err := url.Parse(got); err == nil && (u.RawQuery != "" || u.Fragment != "") {
		t.Errorf("the issuer %q has a query or fragment component (RFC 8414 §2: it has none)", got)
	}
}

// judgeHTTPSURL fails a URL that is not https, except http on loopback
// without allow_http, a test setup, which is noted.
func judgeHTTPSURL(t *T, member, raw string) bool {
	u, err := url.Parse(raw)
	switch {
	case err != nil || !u.IsAbs():
		t.Errorf("%s %q is not an absolute URL", member, t.Env.Redactor.URL(raw))
	case u.Scheme == "https":
		return true
	case u.Scheme == "http" && !t.Env.Target.AllowHTTP && Loopback(u.Hostname()):
		t.Notef("%s is cleartext http:// on loopback (%s), a test setup, so its scheme is not judged", member, u.Host)
	default:
		t.Errorf("%s %s is not an https URL (RFC 8414 §2; RFC 6749 §3.1, §3.2 require TLS)", member, t.Env.Redactor.URL(raw))
	}
	return false
}

func judgeHTTPS(t *T, m map[string]any) {
	var members []string
	for k := range m {
		if strings.HasSuffix(k, "_endpoint") || k == "jwks_uri" {
			members = append(members, k)
		}
	}
	sort.Strings(members)
	https := 0
	for _, k := range members {
		s, ok := m[k].(string)
		if !ok {
			t.Errorf("%s is not a string", k)
			continue
		}
		if judgeHTTPSURL(t, k, s) {
			https++
		}
	}
	if len(members) == 0 {
		t.Skipf("the metadata advertises no endpoint")
	}
	if https == 0 && len(t.Problems()) == 0 {
		t.Skipf("every advertised URL is http:// on loopback, a test setup, so none is judged")
	}
}

// authMethodNames maps token_endpoint_auth_methods_supported values to
// the client authentication methods tokencert can use (RFC 8414 §2 takes
// the names of the IANA registry: RFC 7591 §2, RFC 8705 §2.1.1, §2.2.1).
var authMethodNames = map[string]string{"client_secret_basic": "basic", "client_secret_post": "body",
	target.AuthPrivateKeyJWT: target.AuthPrivateKeyJWT, target.AuthClientSecretJWT: target.AuthClientSecretJWT,
	target.AuthTLSClientAuth: target.AuthTLSClientAuth, target.AuthSelfSignedTLS: target.AuthSelfSignedTLS, "none": authPublic}

// registeredFor reports whether the target says the client is registered
// for a client authentication method (authPublic: the client is public).
func (e *Env) registeredFor(auth string) bool {
	if auth == authPublic {
		return e.Target.Public()
	}
	return slices.Contains(e.Target.ClientAuth, auth)
}

func judgeAuthMethods(t *T, m map[string]any) {
	advertised, ok := metadataList(m, "token_endpoint_auth_methods_supported")
	if !ok {
		// RFC 8414 §2: the default is client_secret_basic.
		advertised = []string{"client_secret_basic"}
		t.Notef("the metadata lists no token_endpoint_auth_methods_supported: the default, client_secret_basic, is judged")
	}
	if slices.ContainsFunc(t.Env.MetadataFilled, func(s string) bool { return strings.HasPrefix(s, "client_auth ") }) {
		t.Needf([]string{"client_auth"}, "the client's authentication methods were taken from this metadata, so which the client is registered for is unknown (target key client_auth)")
	}
	grant, u := t.Env.PrimaryGrant()
	if u != nil {
		t.Skip(u)
	}
	var tried, notTried []string
	for _, v := range advertised {
		auth, known := authMethodNames[v]
		switch {
		case !known:
			notTried = append(notTried, v+" (not a method tokencert uses here)")
			continue
		case !t.Env.registeredFor(auth):
			notTried = append(notTried, v+" (the client is not registered for it: target key client_auth)")
			continue
		case t.Env.methodUnmet(auth) != nil:
			notTried = append(notTried, v+" ("+t.Env.methodUnmet(auth).Why+")")
			continue
		}
		tried = append(tried, v)
		ex := t.use(t.Env.tokenBy(t.Ctx, grant, auth))
		if ex.Status() != http.StatusOK || ex.String(t.Env.Spec.Member("access_token")) == "" {
			t.Errorf("the metadata advertises %s and the client is registered for it, but the %s grant's request authenticated by it got no token: %s", v, grant.Short(), ex.Summary())
		}
	}
	if len(notTried) > 0 {
		t.Notef("not exercised: %s", strings.Join(notTried, ", "))
	}
	if len(tried) == 0 {
		t.Skipf("no advertised method could be exercised")
	}
}

func judgeGrantTypes(t *T, m map[string]any) {
	advertised, listed := metadataList(m, "grant_types_supported")
	served := judgeServedGrantsListed(t, advertised, listed)
	if !listed {
		if served == 0 {
			t.Skipf("the metadata lists no grant_types_supported (OPTIONAL; its default, authorization_code and implicit, is not judged) and the token endpoint served the client no grant to compare with it")
		}
		return
	}
	if t.Env.Spec.Errors.Undocumented {
		if served == 0 {
			t.Skipf("spec %s documents no error format, so unsupported_grant_type cannot be told from another refusal", t.Env.Spec.Name)
		}
		t.Notef("spec %s documents no error format, so whether an advertised grant is refused as unsupported_grant_type is not judged", t.Env.Spec.Name)
		return
	}
	auth := t.Env.DefaultAuth()
	if u := t.Env.methodUnmet(auth); u != nil {
		if served == 0 {
			t.Skip(u)
		}
		t.Notef("whether an advertised grant is refused as unsupported_grant_type is not judged: %s", u.Why)
		return
	}
	tried := 0
	for _, g := range advertised {
		if g == "implicit" {
			// RFC 8414 §2 lists it, but it is no token-endpoint grant.
			continue
		}
		if primary, _ := t.Env.PrimaryGrant(); primary != nil && g == primary.Name {
			// The primary grant's shared request shows it.
			t.use(t.Env.tokenBy(t.Ctx, primary, ""))
			tried++
			continue
		}
		ex, _ := t.Env.shared("metadata/grant/"+g, func() *wire.Exchange {
			return t.Env.send(t.Ctx, probes.Request{Label: "grant_type " + g + " alone (advertised in the metadata)",
				Params: []probes.Param{{Name: "grant_type", Value: g}}, Auth: auth})
		})
		t.Evidence(ex)
		tried++
		if !ex.OK() || ex.Status() < 400 || ex.Status() >= 500 {
			continue
		}
		if code, err := t.Env.ErrorCode(ex); err == nil && code == "unsupported_grant_type" {
			t.Errorf("the metadata advertises the grant type %s, but the token endpoint answers it unsupported_grant_type", g)
		}
	}
	if tried == 0 && served == 0 {
		t.Skipf("the metadata advertises no token-endpoint grant type")
	}
}

// judgeServedGrantsListed compares the grants the token endpoint served
// the client in the run (a token for a valid request; only grants the
// client is registered for are ever requested) with grant_types_supported,
// and returns how many it compared. An advertised list that omits one is
// inconsistent (RFC 8414 §2); where the member is absent its default,
// authorization_code and implicit, is what the server says, and a served
// grant outside it is noted.
func judgeServedGrantsListed(t *T, advertised []string, listed bool) int {
	var served, omitted []string
	for _, f := range t.Env.SuccessResponses(t.Ctx) {
		if f.grant == nil || f.ex == nil || !succeeded(f.ex) || f.ex.String(t.Env.Spec.Member("access_token")) == "" {
			continue
		}
		t.Examined(1)
		if slices.Contains(served, f.grant.Name) {
			continue
		}
		served = append(served, f.grant.Name)
		list := advertised
		if !listed {
			list = []string{"authorization_code", "implicit"}
		}
		if !slices.Contains(list, f.grant.Name) {
			omitted = append(omitted, f.grant.Name)
		}
	}
	switch {
	case len(omitted) == 0:
		if len(served) > 0 {
			t.Notef("the token endpoint served the client %s in this run; the metadata lists each", strings.Join(served, ", "))
		}
	case listed:
		t.Errorf("the token endpoint served the client %s in this run, but grant_types_supported (%s) does not list it (RFC 8414 §2)", strings.Join(omitted, ", "), strings.Join(advertised, ", "))
	default:
		t.Notef("the metadata lists no grant_types_supported, whose default (authorization_code, implicit) leaves out %s, which the token endpoint served the client in this run", strings.Join(omitted, ", "))
	}
	return len(served)
}

func judgePKCES256(t *T, m map[string]any) {
	methods, ok := metadataList(m, "code_challenge_methods_supported")
	if !ok || len(methods) == 0 {
		t.Skipf("the metadata lists no code_challenge_methods_supported, so it offers no PKCE method to judge (RFC 9700 §2.1.1 RECOMMENDS the member)")
	}
	if !slices.Contains(methods, "S256") {
		t.Errorf("code_challenge_methods_supported is %q: S256, which RFC 7636 §4.2 makes mandatory to implement on the server, is not among them", methods)
	}
}

// judgeSigningAlgs: where an endpoint's authentication methods list a JWT
// method, its signing algorithms are listed, without none (RFC 8414 §2).
func judgeSigningAlgs(t *T, m map[string]any) {
	judged := 0
	for _, ep := range []string{"token_endpoint", "revocation_endpoint", "introspection_endpoint"} {
		methods, _ := metadataList(m, ep+"_auth_methods_supported")
		var jwt []string
		for _, v := range methods {
			if v == target.AuthPrivateKeyJWT || v == target.AuthClientSecretJWT {
				jwt = append(jwt, v)
			}
		}
		if len(jwt) == 0 {
			continue
		}
		judged++
		member := ep + "_auth_signing_alg_values_supported"
		algs, ok := metadataList(m, member)
		switch {
		case !ok || len(algs) == 0:
			t.Errorf("%s_auth_methods_supported lists %s, but the metadata has no %s (RFC 8414 §2: REQUIRED with those methods)", ep, strings.Join(jwt, " and "), member)
		case slices.Contains(algs, "none"):
			t.Errorf("%s lists none (RFC 8414 §2: the value none MUST NOT be used)", member)
		}
	}
	if judged == 0 {
		t.Skipf("the metadata lists private_key_jwt or client_secret_jwt for no endpoint, so no signing algorithms are due")
	}
}

// judgePKCEMethods: every PKCE method the metadata lists gets a code that
// is redeemed with its verifier (RFC 8414 §2: the methods "supported by
// this authorization server"; RFC 7636 §4.4.1 refuses the others).
func judgePKCEMethods(t *T, m map[string]any) {
	methods, ok := metadataList(m, "code_challenge_methods_supported")
	if !ok || len(methods) == 0 {
		t.Skipf("the metadata lists no code_challenge_methods_supported, so it offers no PKCE method to judge")
	}
	if u := t.Env.codeUnmet(); u != nil {
		t.Skip(u)
	}
	var other []string
	tried := 0
	for _, method := range methods {
		if method != "S256" && method != "plain" {
			other = append(other, method)
			continue
		}
		tried++
		g, err := t.Env.authorizeCode(t.Ctx, codeRequest{label: "authorization code requested with code_challenge_method=" + method, pkce: method})
		if g.auth != nil {
			t.Evidence(g.auth)
		}
		switch {
		case g.authError != "":
			t.Errorf("the metadata lists the PKCE method %s, but the authorization endpoint refused a code requested with it (error=%s)", method, g.authError)
			continue
		case err != nil:
			t.Abortf("no authorization code: %v", err)
		}
		ex := t.Env.redeem(t.Ctx, "redemption of the "+method+" code with its code_verifier", g, nil)
		t.Evidence(ex)
		if !succeeded(ex) || ex.String(t.Env.Spec.Member("access_token")) == "" {
			t.Errorf("the metadata lists the PKCE method %s, but a code requested with it was not redeemed with its code_verifier: %s", method, ex.Summary())
		}
	}
	if len(other) > 0 {
		t.Notef("not exercised: %s (methods tokencert does not make)", strings.Join(other, ", "))
	}
	if tried == 0 {
		t.Skipf("the metadata lists no PKCE method tokencert makes (S256, plain)")
	}
}
