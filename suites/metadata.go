package suites

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"

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
	register(&Kind{Name: "metadata", Arg: "issuer|https|auth-methods|grant-types|pkce-s256", Plan: planMetadata,
		Defaults: map[string]string{"RFC8414-3.3-ISSUER-IDENTICAL": "issuer", "RFC8414-2-HTTPS-URLS": "https",
			"RFC8414-2-AUTH-METHODS-HONEST": "auth-methods", "RFC8414-2-GRANT-TYPES-CONSISTENT": "grant-types", "RFC7636-4.2-S256-SUPPORTED": "pkce-s256"},
		Fix: "Publish RFC 8414 metadata that holds: `issuer` exactly the issuer asked for, https endpoints, only client authentication methods and grant types the server accepts, and S256 among `code_challenge_methods_supported`.",
		Doc: "the issuer's metadata (target key `issuer`; RFC 8414 §3's well-known URI, then OpenID Connect Discovery's): its `issuer` is the one asked for, character for character, and https (`issuer`); every advertised endpoint and `jwks_uri` is https, http on loopback being a test setup that is skipped (`https`); every advertised client authentication method the client is registered for (target key `client_auth`, not filled from the metadata) authenticates the primary grant's request (`auth-methods`); no advertised grant type is refused with `unsupported_grant_type` (`grant-types`: `grant_type` alone, any other answer passes, since a client may not be registered for a grant); S256 is among `code_challenge_methods_supported` when the member is present (`pkce-s256`)"})
}

var metadataTitles = map[string]string{
	"issuer":       "the metadata's issuer is the issuer asked for, an https URL",
	"https":        "every endpoint URL the metadata advertises is https",
	"auth-methods": "every advertised client authentication method the client is registered for is accepted",
	"grant-types":  "no advertised grant type is refused as unsupported",
	"pkce-s256":    "S256 is among the advertised PKCE code challenge methods",
}

func planMetadata(e *Env, req specs.Requirement) []Check {
	arg := checkArg(req)
	return []Check{{Req: req, Concern: Metadata, Variant: arg, Title: metadataTitles[arg], Run: func(t *T) {
		judge, ok := map[string]func(*T, map[string]any){"issuer": judgeIssuer, "https": judgeHTTPS,
			"auth-methods": judgeAuthMethods, "grant-types": judgeGrantTypes, "pkce-s256": judgePKCES256}[arg]
		if !ok {
			t.Errorf("check %q: metadata knows issuer, https, auth-methods, grant-types and pkce-s256", req.Check)
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
// the client authentication methods tokencert can use.
var authMethodNames = map[string]string{"client_secret_basic": "basic", "client_secret_post": "body",
	target.AuthPrivateKeyJWT: target.AuthPrivateKeyJWT, target.AuthClientSecretJWT: target.AuthClientSecretJWT}

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
		case !slices.Contains(t.Env.Target.ClientAuth, auth):
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
	advertised, ok := metadataList(m, "grant_types_supported")
	if !ok {
		t.Skipf("the metadata lists no grant_types_supported (OPTIONAL; its default, authorization_code and implicit, is not judged)")
	}
	if t.Env.Spec.Errors.Undocumented {
		t.Skipf("spec %s documents no error format, so unsupported_grant_type cannot be told from another refusal", t.Env.Spec.Name)
	}
	auth := t.Env.DefaultAuth()
	if u := t.Env.methodUnmet(auth); u != nil {
		t.Skip(u)
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
	if tried == 0 {
		t.Skipf("the metadata advertises no token-endpoint grant type")
	}
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
