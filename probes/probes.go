// Package probes declares, once each, the failure conditions tokencert
// induces at a token endpoint: the condition's name (the key of a spec's
// errors.conditions), the request that induces it, what the check says it
// verifies, the error RFC 6749 has the server answer (which the reference
// server sends when a spec documents none), the reference server's
// error_description, the faults that break it and its documentation line.
//
// The suites send the requests, the reference server answers them, spec
// files name them, and specs/README.md and specs/spec.schema.json list them;
// a test holds all of those against Conditions.
package probes

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"

	"github.com/tokencert/tokencert/grants"
	"github.com/tokencert/tokencert/specs"
)

// Param is a request parameter under its RFC 6749 name.
type Param struct{ Name, Value string }

// With returns ps with the parameter name set to value, or removed when
// value is empty.
func With(ps []Param, name, value string) []Param {
	out := make([]Param, 0, len(ps)+1)
	for _, p := range ps {
		if p.Name != name {
			out = append(out, p)
		}
	}
	if value != "" {
		out = append(out, Param{name, value})
	}
	return out
}

// Request is a token request before it is put on the wire the spec's way.
type Request struct {
	Label string
	// Grant is the grant whose valid request this is, or was before a
	// probe edited it (nil for a request built from nothing).
	Grant  *grants.Grant
	Params []Param
	// Auth is "basic", "body" or "none".
	Auth string
	// ClientID and Secret replace the target's client credentials.
	ClientID, Secret string
	// Method replaces the spec's method.
	Method string
	// RawBody replaces the encoded parameters (malformed bodies).
	RawBody []byte
	// Query puts the parameters in the request URI instead of the body.
	Query bool
	// URIParams are added to the request URI; Params stay in the body.
	URIParams []Param
	// URL replaces the token endpoint (the device authorization endpoint
	// takes requests of the same shape, RFC 8628 §3.1).
	URL string
	// Authorization is sent as the Authorization header as it is, instead
	// of what Auth makes (a malformed Basic header).
	Authorization string
	// Accept replaces the spec's Accept header ("-": none).
	Accept string
}

// The client authentication a request uses beyond the spec's methods
// (Request.Auth): HTTP Basic and client_id and client_secret in the body
// at once (RFC 6749 §2.3's "MUST NOT use more than one").
const AuthBasicAndBody = "basic+body"

// Env is what a condition's request is built from: the spec, and the
// target's credentials as the suites see them.
type Env interface {
	Spec() *specs.Spec
	// AuthDeclared reports whether the client may use an authentication method.
	AuthDeclared(method string) bool
	// Public reports whether the client is public (target client_auth:
	// none): it has no secret, so no probe can send a wrong one.
	Public() bool
	// Credentials are the target's client credentials.
	Credentials() (id, secret string)
	// FormEncode encodes parameters under their wire names.
	FormEncode(ps []Param) string
	// SecretInURL reports whether the target allows a probe to send the
	// real client secret in a request URI (target key allow_secret_in_url).
	SecretInURL() bool
	// Scope is the target's scope, as scope tokens.
	Scope() []string
	// RedirectURI is the client's registered redirection URI (target key
	// authorize.redirect_uri), or "" when the target names none.
	RedirectURI() string
	// Uses says why a request of grant g, needing no login or approval,
	// shows nothing of the target (the client does not use the grant), or
	// nil when it uses it.
	Uses(g *grants.Grant) *Unmet
	// GrantParams are the parameters of g's request that need nothing
	// obtained first (grant_type, the spec's required parameters).
	GrantParams(g *grants.Grant) []Param
	// MadeUp is a random value of n characters for a parameter of that
	// name, redacted from every output like a real one of its kind.
	MadeUp(name string, n int) string
}

// Unmet is why a request cannot be made.
type Unmet struct {
	Why string
	// Needs are the target keys, and flags ("--name"), that would let it
	// be made. None: nothing the target or the run could give would (the
	// spec, the client's registration or the server's answers rule it
	// out), and the check it was for does not apply.
	Needs []string
}

// Error returns Why.
func (u *Unmet) Error() string { return u.Why }

// Lacking is an Unmet the target keys or flags needs would meet.
func Lacking(why string, needs ...string) *Unmet { return &Unmet{Why: why, Needs: needs} }

// Excluded is an Unmet nothing the target could give would meet.
func Excluded(why string) *Unmet { return &Unmet{Why: why} }

// Condition is one failure condition.
type Condition struct {
	// Name is the key of a spec's errors.conditions.
	Name string
	// Doc says what the probe sends, for specs/README.md.
	Doc string
	// Title is what the check of the condition verifies.
	Title string
	// Fix says what the endpoint should have answered, for a reader of a
	// failed check (report.html).
	Fix string
	// Requirements are the catalogue IDs checked with this condition (check
	// error/NAME) when a spec's requirement entry names no check.
	Requirements []string
	// Build edits r, a valid request of a grant Base accepts (any, when
	// Base is nil) with that grant's client authentication, into the
	// request that induces the condition, or says why the target cannot
	// make it. Nil for a condition that the check kinds induce themselves
	// (invalid_parameter) or that no probe induces.
	Build func(e Env, r *Request) *Unmet
	// Base says which grants' valid requests Build can edit (nil: any).
	Base func(g *grants.Grant) bool
	// Prefer says which of them to try first.
	Prefer func(g *grants.Grant) bool
	// Standalone: Build makes the whole request from r's client
	// authentication alone; no valid request (no code, no login) is needed.
	Standalone bool
	// Answer is the error RFC 6749 §5.2 has the server send: the reference
	// server sends its first code and status when the spec documents none.
	Answer specs.ErrorCase
	// Description is the reference server's error_description (NQSCHAR).
	Description string
	// Faults name the reference-server faults that break the condition's
	// requirements.
	Faults []string
	// Companion is another shape of the same failure, probed beside this
	// one by the checks of this condition, as a variant of their own (a
	// wrong method with the parameters in the body as well as in the
	// query; a known scope with an unknown one as well as the unknown one
	// alone). It has no requirements of its own.
	Companion *Condition
}

func answer(code string, status int) specs.ErrorCase {
	return specs.ErrorCase{Codes: []string{code}, Statuses: []int{status}}
}

// The conditions, in the order the suites induce them.
var (
	BadClientBasic = &Condition{Name: "bad_client_basic",
		Doc:          "a wrong client secret by HTTP Basic",
		Title:        "a wrong client secret sent with HTTP Basic is refused",
		Fix:          "Refuse the request: answer 401 with `error` `invalid_client` and a `WWW-Authenticate: Basic` challenge (RFC 6749 §5.2), never a token, whenever the Basic credentials do not match a registered client.",
		Requirements: []string{"RFC6749-5.2-INVALID-CLIENT-401-CHALLENGE"},
		Build:        wrongSecret("basic"),
		Answer:       answer("invalid_client", http.StatusUnauthorized),
		Description:  "client authentication failed",
		Faults:       []string{"basic-401-no-challenge"},
	}
	BadClientBody = &Condition{Name: "bad_client_body",
		Doc:          "a wrong client secret in the body",
		Title:        "a wrong client secret sent in the body is refused",
		Fix:          "Refuse the request: answer `invalid_client` (400, or 401 with a challenge) when the `client_secret` in the body does not match the client's (RFC 6749 §5.2); never issue a token on `client_id` alone for a confidential client.",
		Requirements: []string{"RFC6749-5.2-INVALID-CLIENT-BODY"},
		Build:        wrongSecret("body"),
		Answer:       answer("invalid_client", http.StatusBadRequest),
		Description:  "client authentication failed",
		Faults:       []string{"body-auth-invalid-request"},
	}
	NoClientAuth = &Condition{Name: "no_client_auth",
		Doc:          "no client authentication at all",
		Title:        "a request without client authentication is refused",
		Fix:          "Refuse the request: a confidential client must authenticate (RFC 6749 §3.2.1); answer 401 `invalid_client`, with a `WWW-Authenticate` challenge, when a request carries no client credentials.",
		Requirements: []string{"RFC6749-3.2.1-AUTH-REQUIRED"},
		Build: func(e Env, r *Request) *Unmet {
			if e.Public() {
				return Excluded(PublicWhy)
			}
			r.Auth = "none"
			return nil
		},
		Answer:      answer("invalid_client", http.StatusUnauthorized),
		Description: "client authentication is required",
		Faults:      []string{"no-auth-accepted"},
	}
	MultipleClientAuth = &Condition{Name: "multiple_client_auth",
		Doc:          "the client's real credentials by HTTP Basic and as `client_id` and `client_secret` in the body, in one request (RFC 6749 §2.3: the client \"MUST NOT use more than one authentication method in each request\"); sent where the spec documents both methods for the grant",
		Title:        "a request that authenticates the client two ways at once is refused",
		Fix:          "Refuse a request that authenticates the client by more than one method at once (RFC 6749 §2.3: HTTP Basic and the body together) with `invalid_request` (or `invalid_client`), and issue no token.",
		Requirements: []string{"RFC6749-2.3-SINGLE-AUTH-METHOD"},
		Build: func(e Env, r *Request) *Unmet {
			if m := e.Spec().ClientAuthFor(r.Grant.Name); !slices.Contains(m, "basic") || !slices.Contains(m, "body") {
				return Excluded(fmt.Sprintf("spec %s does not document both HTTP Basic and body client authentication for the %s grant", e.Spec().Name, r.Grant.Name))
			}
			if e.Public() {
				return Excluded(PublicWhy)
			}
			id, secret := e.Credentials()
			if id == "" || secret == "" {
				return Lacking("no client credentials (target keys client_id, client_secret)", "client_id", "client_secret")
			}
			r.Auth, r.ClientID, r.Secret = AuthBasicAndBody, id, secret
			return nil
		},
		Answer:      answer("invalid_request", http.StatusBadRequest),
		Description: "more than one client authentication method was used",
		Faults:      []string{"multiple-auth-accepted"},
	}
	MalformedBasic = &Condition{Name: "malformed_basic",
		Doc:          "an `Authorization: Basic` header that does not decode (not base64), and no other client authentication",
		Title:        "a malformed HTTP Basic header is refused as failed client authentication",
		Fix:          "Answer an `Authorization: Basic` header that does not decode as failed client authentication: 401 `invalid_client` with a `WWW-Authenticate: Basic` challenge (RFC 6749 §5.2), never a 5xx.",
		Requirements: []string{"RFC6749-2.3.1-BASIC-MALFORMED"},
		Build: func(e Env, r *Request) *Unmet {
			if !slices.Contains(e.Spec().ClientAuthFor(r.Grant.Name), "basic") {
				return Excluded(fmt.Sprintf("spec %s documents no HTTP Basic client authentication for the %s grant", e.Spec().Name, r.Grant.Name))
			}
			if e.Public() {
				return Excluded(PublicWhy)
			}
			r.Auth, r.Authorization = "none", "Basic tokencert%not*base64"
			return nil
		},
		Answer:      answer("invalid_client", http.StatusUnauthorized),
		Description: "the Authorization header is malformed",
		Faults:      []string{"malformed-basic-500"},
	}
	CredentialsInURI = &Condition{Name: "credentials_in_uri",
		Doc:          "the client's real `client_id` and `client_secret` in the request URI's query, the grant parameters in the body, no other client authentication (sent only with the target key `allow_secret_in_url`: the secret may reach the server's access logs)",
		Title:        "client credentials in the request URI do not authenticate the client",
		Fix:          "Ignore client credentials in the request URI (RFC 6749 §2.3.1: they go in the header or body): answer `invalid_client` as for a request without client authentication, and keep query strings with secrets out of the access logs.",
		Requirements: []string{"RFC6749-2.3.1-NO-CREDS-IN-URI"},
		Build: func(e Env, r *Request) *Unmet {
			if e.Public() {
				return Excluded(PublicWhy)
			}
			if !e.AuthDeclared("basic") && !e.AuthDeclared("body") {
				// Its secret, if any, authenticates it nowhere: a refusal
				// would show nothing.
				return Excluded("the client is registered for no client authentication by secret (basic, body): it has no credentials to put in a URI")
			}
			if !e.SecretInURL() {
				return Lacking("sending the client secret in a URL is off: it can reach the server's access logs; set the target key allow_secret_in_url (or --allow-secret-in-url) for a test client", "allow_secret_in_url")
			}
			id, secret := e.Credentials()
			if id == "" || secret == "" {
				return Lacking("no client credentials (target keys client_id, client_secret)", "client_id", "client_secret")
			}
			r.Auth = "none"
			r.URIParams = []Param{{"client_id", id}, {"client_secret", secret}}
			return nil
		},
		// Read without its query, the request has no client
		// authentication: RFC 6749 §5.2 invalid_client.
		Answer:      answer("invalid_client", http.StatusUnauthorized),
		Description: "client authentication is required",
		Faults:      []string{"credentials-in-uri-accepted"},
	}
	BadPassword = &Condition{Name: "bad_password",
		Doc:          "the password grant with a wrong password",
		Title:        "a wrong resource-owner password is refused",
		Fix:          "Refuse the password grant when the resource owner's credentials are wrong: 400 with `error` `invalid_grant` (RFC 6749 §5.2), not `invalid_client` and not a token.",
		Requirements: []string{"RFC6749-5.2-INVALID-GRANT-PASSWORD"},
		Base:         func(g *grants.Grant) bool { return g == grants.Password },
		Build: func(e Env, r *Request) *Unmet {
			r.Params = With(r.Params, "password", Wrong())
			return nil
		},
		Answer:      answer("invalid_grant", http.StatusBadRequest),
		Description: "the resource owner credentials are invalid",
		Faults:      []string{"password-invalid-client", "invalid-credentials-body-undocumented"},
	}
	BadRefreshToken = &Condition{Name: "bad_refresh_token",
		Doc:          "a refresh with an unknown refresh token (also the replay of a rotated one, and another client's)",
		Title:        "an unknown refresh token is refused",
		Fix:          "Refuse a refresh token the server did not issue, has rotated out or issued to another client: 400 with `error` `invalid_grant` (RFC 6749 §5.2).",
		Requirements: []string{"RFC6749-5.2-INVALID-GRANT-REFRESH"},
		Standalone:   true,
		Build: func(e Env, r *Request) *Unmet {
			if e.Spec().Grant("refresh_token") == nil {
				return Excluded(fmt.Sprintf("spec %s documents no refresh_token grant", e.Spec().Name))
			}
			r.Grant = grants.RefreshToken
			r.Params = []Param{{"grant_type", "refresh_token"}, {"refresh_token", Random(43)}}
			return nil
		},
		Answer:      answer("invalid_grant", http.StatusBadRequest),
		Description: "the refresh token is invalid, expired, revoked or was issued to another client",
		Faults:      []string{"refresh-unknown-invalid-request"},
	}
	BadCode = &Condition{Name: "bad_code",
		Doc:          "the authorization_code grant with a code the server never issued (and the target's `authorize.redirect_uri`, a `code_verifier`); no login is needed. The code checks (reuse, another client, PKCE) are held to the error the spec documents for it",
		Title:        "an authorization code the server never issued is refused",
		Fix:          "Refuse an authorization code the server did not issue (or that expired, or was redeemed) with 400 `invalid_grant` (RFC 6749 §5.2), or the code the API documents for it.",
		Requirements: []string{"RFC6749-5.2-INVALID-GRANT-CODE"},
		Standalone:   true,
		Build: func(e Env, r *Request) *Unmet {
			if u := e.Uses(grants.AuthorizationCode); u != nil {
				return u
			}
			redirect := e.RedirectURI()
			if redirect == "" {
				redirect = "https://client.tokencert.invalid/callback"
			}
			r.Grant = grants.AuthorizationCode
			r.Params = append(e.GrantParams(grants.AuthorizationCode), Param{"code", e.MadeUp("code", 43)}, Param{"redirect_uri", redirect}, Param{"code_verifier", e.MadeUp("code_verifier", 64)})
			return nil
		},
		Answer:      answer("invalid_grant", http.StatusBadRequest),
		Description: "the authorization code is invalid, expired or was used before",
		Faults:      []string{"code-unknown-invalid-request"},
	}
	RedirectMismatch = &Condition{Name: "redirect_mismatch",
		Doc:         "a code redeemed with another `redirect_uri` than its authorization request's (sent by the `code-redirect-uri` check, which needs a login)",
		Title:       "a code redeemed with another redirect_uri is refused",
		Fix:         "Refuse a code redeemed with another `redirect_uri` than its authorization request's with 400 `invalid_grant` (RFC 6749 §4.1.3), or the code the API documents for it.",
		Answer:      answer("invalid_grant", http.StatusBadRequest),
		Description: "the redirect_uri does not match the authorization request's",
		Faults:      []string{"code-redirect-uri-unchecked"},
	}
	BadDeviceCode = &Condition{Name: "bad_device_code",
		Doc:          "the device_code grant with a device code the server never issued (RFC 8628 §3.4); no device authorization or approval is needed, but the target must use the grant (name its `device_authorization` endpoint)",
		Title:        "a device code the server never issued is refused",
		Fix:          "Refuse a device code the server did not issue with 400 `invalid_grant` (RFC 8628 §3.5, RFC 6749 §5.2), never `authorization_pending` or a token.",
		Requirements: []string{"RFC8628-3.5-UNKNOWN-DEVICE-CODE"},
		Standalone:   true,
		Build: func(e Env, r *Request) *Unmet {
			if u := e.Uses(grants.DeviceCode); u != nil {
				return u
			}
			r.Grant = grants.DeviceCode
			r.Params = append(e.GrantParams(grants.DeviceCode), Param{"device_code", e.MadeUp("device_code", 43)})
			return nil
		},
		Answer:      answer("invalid_grant", http.StatusBadRequest),
		Description: "the device code is invalid or was used before",
		Faults:      []string{"device-code-unknown-pending"},
	}
	OtherClientRefresh = &Condition{Name: "other_client_refresh",
		Doc:         "a refresh by the second client (target keys `other_client_id`, `other_client_secret`) with a refresh token issued to the first; sent by the `refresh-other-client` check",
		Title:       "a refresh token issued to another client is refused",
		Fix:         "Bind each refresh token to the client it was issued to (RFC 6749 §10.4): a refresh by another client gets 400 `invalid_grant`.",
		Answer:      answer("invalid_grant", http.StatusBadRequest),
		Description: "the refresh token was issued to another client",
		Faults:      []string{"refresh-any-client"},
	}
	UnsupportedGrant = &Condition{Name: "unsupported_grant_type",
		Doc:          "`grant_type=urn:tokencert:conformance:none`",
		Title:        "an unknown grant_type is refused",
		Fix:          "Answer a `grant_type` the server does not support with 400 and `error` `unsupported_grant_type` (RFC 6749 §5.2), not `invalid_request` or a 5xx.",
		Requirements: []string{"RFC6749-5.2-UNSUPPORTED-GRANT"},
		Build: func(e Env, r *Request) *Unmet {
			r.Params = With(r.Params, "grant_type", "urn:tokencert:conformance:none")
			return nil
		},
		Answer:      answer("unsupported_grant_type", http.StatusBadRequest),
		Description: "the grant type is not supported",
		Faults:      []string{"unsupported-grant-invalid-request", "error-code-invented"},
	}
	MissingGrantType = &Condition{Name: "missing_grant_type",
		Doc:          "no `grant_type`",
		Title:        "a request without grant_type is refused",
		Fix:          "Answer a request without `grant_type` with 400 and `error` `invalid_request` (RFC 6749 §5.2).",
		Requirements: []string{"RFC6749-5.2-MISSING-GRANT-TYPE"},
		Build:        func(e Env, r *Request) *Unmet { r.Params = With(r.Params, "grant_type", ""); return nil },
		Answer:       answer("invalid_request", http.StatusBadRequest),
		Description:  "the grant_type parameter is missing",
		Faults:       []string{"missing-grant-type-unsupported"},
	}
	MissingParam = &Condition{Name: "missing_parameter",
		Doc:          "a valid request of a grant without the credential or code it redeems (the password grant without `password`, the code's redemption without `code`, the device poll without `device_code`); for a client of no such grant, a refresh without `refresh_token`",
		Title:        "a request missing a required grant parameter is refused",
		Fix:          "Answer a request that lacks a parameter its grant requires (`password`, `code`, `device_code`, `refresh_token`) with 400 and `error` `invalid_request` (RFC 6749 §5.2), before looking at credentials.",
		Requirements: []string{"RFC6749-5.2-MISSING-REQUIRED-PARAM"},
		Prefer: func(g *grants.Grant) bool {
			_, redeems := g.Redeemed()
			return redeems && g.Issues()
		},
		Build: func(e Env, r *Request) *Unmet {
			if p, ok := r.Grant.Redeemed(); ok {
				r.Params = With(r.Params, p, "")
				return nil
			}
			if e.Spec().Grant("refresh_token") == nil {
				return Excluded(fmt.Sprintf("the %s grant has no parameter of its own to omit, and spec %s documents no refresh_token grant", r.Grant.Name, e.Spec().Name))
			}
			r.Grant = grants.RefreshToken
			r.Params = []Param{{"grant_type", "refresh_token"}}
			return nil
		},
		Answer:      answer("invalid_request", http.StatusBadRequest),
		Description: "a required parameter is missing",
		Faults:      []string{"missing-param-invalid-grant"},
	}
	RepeatedParam = &Condition{Name: "repeated_parameter",
		Doc:          "`grant_type` twice (form bodies only)",
		Title:        "a request with a repeated parameter is refused",
		Fix:          "Refuse a request that repeats a parameter (RFC 6749 §3.2: parameters must not be included more than once) with 400 and `error` `invalid_request`; do not take the first or last value.",
		Requirements: []string{"RFC6749-3.2-NO-REPEATED-PARAMS"},
		Build: func(e Env, r *Request) *Unmet {
			if enc := e.Spec().Request.Encoding; enc != "form" && enc != "query" {
				return Excluded("a " + enc + " body cannot repeat a parameter")
			}
			r.Params = append(slices.Clone(r.Params), Param{"grant_type", r.Grant.Name})
			return nil
		},
		Answer:      answer("invalid_request", http.StatusBadRequest),
		Description: "a parameter is included more than once",
		Faults:      []string{"repeated-param-accepted"},
	}
	MalformedBody = &Condition{Name: "malformed_body",
		Doc:          "a body that does not parse (`&%zz=%` appended; a truncated JSON object)",
		Title:        "a malformed request body is refused with a client error, not a server error",
		Fix:          "Answer a body that does not parse with 400 and `error` `invalid_request` (RFC 6749 §5.2): a parse error is the client's, never a 5xx.",
		Requirements: []string{"RFC6749-5.2-STATUS-400"},
		Build: func(e Env, r *Request) *Unmet {
			if e.Spec().Request.Encoding == "query" {
				return Excluded("the spec puts the parameters in the request URI's query: the request has no body to malform")
			}
			if e.Spec().Request.Encoding == "json" {
				r.RawBody = []byte(`{"grant_type": "` + r.Grant.Name + `", `)
			} else {
				r.RawBody = []byte(e.FormEncode(r.Params) + "&%zz=%")
			}
			return nil
		},
		Answer:      answer("invalid_request", http.StatusBadRequest),
		Description: "the request body is malformed",
		Faults:      []string{"malformed-body-500"},
	}
	BadScope = &Condition{Name: "invalid_scope",
		Doc:   "an unknown scope value, in a request of a grant that takes `scope` (client_credentials, password, else a refresh)",
		Title: "an unknown scope is refused",
		Fix:   "Refuse a scope the server does not know with 400 and `error` `invalid_scope` (RFC 6749 §5.2), or grant a narrower scope and say so in the response's `scope` (§3.3).",
		Base:  func(g *grants.Grant) bool { return g.Scope },
		Build: func(e Env, r *Request) *Unmet {
			r.Params = With(r.Params, "scope", "tokencert-probe-"+Random(8))
			return nil
		},
		Answer:      answer("invalid_scope", http.StatusBadRequest),
		Description: "the requested scope is invalid, unknown or exceeds the scope granted",
		Faults:      []string{"unknown-scope-granted", "scope-narrowed-silently"},
		Companion:   BadScopePartial,
	}
	BadScopePartial = &Condition{Name: "invalid_scope_partial",
		Doc:   "a known scope value (the first of the target's `scope`) with an unknown one: a server that drops only the unknown part is seen (probed beside `invalid_scope` by the scope checks)",
		Title: "a known scope with an unknown one is refused, or narrowed and reported",
		Fix:   "Treat a request with a known and an unknown scope value as a whole: refuse it with `invalid_scope`, or grant the known part and return the granted `scope` in the response (RFC 6749 §3.3) so that the client sees it was narrowed.",
		Base:  func(g *grants.Grant) bool { return g.Scope },
		Build: func(e Env, r *Request) *Unmet {
			known := ""
			if fs := e.Scope(); len(fs) > 0 {
				known = fs[0]
			}
			for _, p := range r.Params {
				if p.Name == "scope" {
					if fs := e.Spec().SplitScope(p.Value); len(fs) > 0 {
						known = fs[0]
					}
				}
			}
			if known == "" {
				return Lacking("no known scope value to combine with an unknown one (target key scope)", "scope")
			}
			scope := e.Spec().JoinScope([]string{known, "tokencert-probe-" + Random(8)})
			if limit, ok := e.Spec().Request.MaxLength["scope"]; ok && len(scope) > limit {
				return Excluded(fmt.Sprintf("a known scope with an unknown one would exceed the documented maximum length of scope (%d), which the max-length check owns", limit))
			}
			r.Params = With(r.Params, "scope", scope)
			return nil
		},
		Answer:      answer("invalid_scope", http.StatusBadRequest),
		Description: "the requested scope is invalid, unknown or exceeds the scope granted",
		Faults:      []string{"scope-partly-narrowed-silently"},
	}
	BadParam = &Condition{Name: "invalid_parameter",
		Doc:         "a documented extra parameter missing, wrong or too long (sent by the `required-param`, `param-value` and `max-length` checks)",
		Title:       "a request with an invalid parameter value is refused",
		Fix:         "Refuse a request whose documented parameter is missing, wrong or too long with 400 and `error` `invalid_request`, as the API's document says.",
		Answer:      answer("invalid_request", http.StatusBadRequest),
		Description: "a parameter value is invalid",
		Faults:      []string{"audience-ignored", "audience-not-checked", "length-unchecked"},
	}
	WrongMethod = &Condition{Name: "wrong_method",
		Doc:          "the request with another method (GET with the parameters in the query; PUT when the spec's method is GET)",
		Title:        "a token request with another HTTP method yields no token",
		Fix:          "Serve token requests by the documented method only (RFC 6749 §3.2: POST): answer another method, with the parameters in the query, with 405 (or 400 `invalid_request`) and no token.",
		Requirements: []string{"RFC6749-3.2-POST-ONLY"},
		Build: func(e Env, r *Request) *Unmet {
			r.Method, r.Query = http.MethodGet, true
			if e.Spec().Request.Method == http.MethodGet {
				r.Method, r.Query = http.MethodPut, false
			}
			return nil
		},
		Answer:      answer("invalid_request", http.StatusMethodNotAllowed),
		Description: "the token endpoint does not accept this method",
		Faults:      []string{"get-accepted"},
		Companion:   WrongMethodBody,
	}
	WrongMethodBody = &Condition{Name: "wrong_method_body",
		Doc:   "the request with another method, the parameters in the body in the spec's own encoding (GET with a JSON body for a JSON dialect; PUT with the parameters in the query when the spec's method is GET); probed beside `wrong_method` by its check",
		Title: "a token request with another HTTP method and the spec's own body yields no token",
		Fix:   "Serve token requests by the documented method only (RFC 6749 §3.2: POST): answer another method with 405 (or 400 `invalid_request`) and no token, even when its body carries valid parameters.",
		Build: func(e Env, r *Request) *Unmet {
			if e.Spec().Request.Encoding == "query" {
				return Excluded("the spec's own encoding puts the parameters in the query, which the wrong_method probe sends already")
			}
			r.Method, r.Query = http.MethodGet, false
			if e.Spec().Request.Method == http.MethodGet {
				r.Method, r.Query = http.MethodPut, true
			}
			return nil
		},
		Answer:      answer("invalid_request", http.StatusMethodNotAllowed),
		Description: "the token endpoint does not accept this method",
		Faults:      []string{"wrong-method-body-accepted"},
	}
)

// Conditions lists every condition a spec may document.
var Conditions = []*Condition{
	BadClientBasic, BadClientBody, NoClientAuth, MultipleClientAuth, MalformedBasic, CredentialsInURI, BadPassword, BadRefreshToken, OtherClientRefresh,
	BadCode, RedirectMismatch, BadDeviceCode, UnsupportedGrant,
	MissingGrantType, MissingParam, RepeatedParam, MalformedBody, BadScope, BadScopePartial, BadParam, WrongMethod, WrongMethodBody,
}

// ByName returns the condition of that name, or nil.
func ByName(name string) *Condition {
	for _, c := range Conditions {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Names lists the conditions' names, in declaration order.
func Names() []string {
	out := make([]string, len(Conditions))
	for i, c := range Conditions {
		out[i] = c.Name
	}
	return out
}

// NewRequest is the request that induces c, built from a valid request
// (of a grant c.Base accepts; for a Standalone condition, one with no
// parameters), or why the target cannot make it.
func (c *Condition) NewRequest(e Env, valid Request) (Request, *Unmet) {
	if c.Build == nil {
		return Request{}, Excluded("condition " + c.Name + " is induced by the checks of the parameters it concerns, not on its own")
	}
	r := valid
	r.Params = slices.Clone(valid.Params)
	r.Label = c.Name
	return r, c.Build(e, &r)
}

// PublicWhy is why a probe of client authentication is not sent for a
// public client.
const PublicWhy = "the client is public (client_auth: none, RFC 6749 §2.1): it authenticates by client_id alone and has no secret to get wrong or leave out"

// Wrong is a value no server has registered, for a secret or password.
func Wrong() string { return "tokencert-wrong-" + Random(12) }

// Random returns n random hex characters.
func Random(n int) string {
	b := make([]byte, (n+1)/2)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)[:n]
}

func wrongSecret(method string) func(Env, *Request) *Unmet {
	return func(e Env, r *Request) *Unmet {
		if !slices.Contains(e.Spec().ClientAuthFor(r.Grant.Name), method) {
			return Excluded(fmt.Sprintf("spec %s documents no %s client authentication for the %s grant", e.Spec().Name, method, r.Grant.Name))
		}
		if e.Public() {
			return Excluded(PublicWhy)
		}
		if !e.AuthDeclared(method) {
			return Excluded(fmt.Sprintf("the client is not registered for %s client authentication (its client_auth lists other methods)", method))
		}
		id, _ := e.Credentials()
		r.Auth, r.ClientID, r.Secret = method, id, Wrong()
		return nil
	}
}
