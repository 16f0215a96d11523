package suites

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/go-jose/go-jose/v4"
	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/suites/wire"
	"github.com/tokencert/tokencert/target"
)

// JWT access tokens (RFC 9068): where a spec's response.jwt.profile is
// rfc9068, every access token is a JWS whose header typ is at+jwt, whose
// claims carry RFC 9068 §2.2's required claims, and whose signature a key
// of the authorization server's key set verifies (target key jwks).

func init() {
	register(&Kind{Name: "at-jwt", Arg: "typ|claims|signature", Plan: planATJWT,
		Defaults: map[string]string{"RFC9068-2.1-TYP": "typ", "RFC9068-2.2-REQUIRED-CLAIMS": "claims", "RFC9068-2.1-SIGNED-RS256": "signature"},
		Fix:      "Issue JWT access tokens as RFC 9068 defines them: header `typ` `at+jwt`; the claims `iss`, `sub`, `client_id`, `jti`, `exp`, `iat` and `aud`; signed with a key published in the key set `jwks` names (by `kid`), never `alg: none`.",
		Doc:      "where `response.jwt.profile` is `rfc9068`, every access token is a JWT access token (RFC 9068): its header `typ` is `at+jwt` or `application/at+jwt` (`typ`); it has the claims `iss`, `sub`, `client_id` (the client's), `jti` (strings), `exp`, `iat` (numbers) and `aud` (a string or an array of strings) (`claims`); it is signed, never `alg: none`, and a key of the authorization server's key set (target key `jwks`: a file, or an https URL, http on loopback, fetched once within the request timeout and 1 MiB) verifies it, by its `kid` when it names one (`signature`). An encrypted token (a JWE) cannot be read and is noted"})
}

var atJWTAspects = map[string]struct {
	title string
	check func(t *T, ex *wire.Exchange, tok *jws)
}{
	"typ":       {"JWT access tokens have the header typ at+jwt", checkATJWTTyp},
	"claims":    {"JWT access tokens carry iss, exp, aud, sub, client_id, iat and jti, of their types", checkATJWTClaims},
	"signature": {"JWT access tokens are signed by a key of the authorization server's key set, never alg none", checkATJWTSignature},
}

func planATJWT(e *Env, req specs.Requirement) []Check {
	arg := checkArg(req)
	aspect, known := atJWTAspects[arg]
	return []Check{{Req: req, Concern: Fields, Variant: arg, Title: aspect.title, Run: func(t *T) {
		if !known {
			t.Errorf("check %q: the at-jwt aspects are typ, claims and signature", req.Check)
			return
		}
		j := t.Env.Spec.Response.JWT
		if j == nil || j.Profile != specs.ProfileRFC9068 {
			t.Skipf("spec %s does not describe RFC 9068 JWT access tokens (response.jwt.profile rfc9068)", t.Env.Spec.Name)
		}
		decoded, encrypted := 0, 0
		eachSuccess(t, func(ex *wire.Exchange) {
			examined(t, ex, func() {
				at := ex.String(t.Env.Spec.Member("access_token"))
				if at == "" {
					return // the access-token requirement reports it
				}
				if strings.Count(at, ".") == 4 {
					encrypted++
					t.Notef("%s: the access token is encrypted (a JWE, RFC 9068 §2.1 allows it): its header and claims cannot be read without the resource server's key", ex.Label)
					return
				}
				tok, err := decodeJWS(at, j.AllowedAlgs()...)
				if err != nil {
					t.Errorf("%s: the access token is not a JWT access token: %v", ex.Label, err)
					return
				}
				decoded++
				aspect.check(t, ex, tok)
			})
		})
		if decoded == 0 && len(t.Problems()) == 0 && encrypted > 0 {
			t.Skipf("every access token is encrypted (a JWE): nothing could be read")
		}
	}}}
}

// checkATJWTTyp: typ is at+jwt; RFC 7515 §4.1.9 compares media types case
// insensitively and lets "application/" be left out, and RFC 9068 §4 names
// both forms.
func checkATJWTTyp(t *T, ex *wire.Exchange, tok *jws) {
	v, present := tok.token.Headers[0].ExtraHeaders[jose.HeaderType]
	typ, _ := v.(string)
	switch {
	case !present:
		t.Errorf("%s: the JWT's header has no typ; RFC 9068 §2.1 requires at+jwt", ex.Label)
	case typ == "" && v != nil:
		t.Errorf("%s: the JWT's typ is %s, not a string", ex.Label, jsonText(v))
	case !strings.EqualFold(typ, "at+jwt") && !strings.EqualFold(typ, "application/at+jwt"):
		t.Errorf("%s: the JWT's typ is %q; RFC 9068 §2.1 requires at+jwt", ex.Label, typ)
	}
}

// checkATJWTClaims: the claims RFC 9068 §2.2 requires, with the types RFC
// 7519 §4.1 gives them (a NumericDate is a JSON number).
func checkATJWTClaims(t *T, ex *wire.Exchange, tok *jws) {
	var missing []string
	for _, name := range []string{"iss", "exp", "aud", "sub", "client_id", "iat", "jti"} {
		v, present := tok.claims[name]
		if !present {
			missing = append(missing, name)
			continue
		}
		ok := false
		switch name {
		case "exp", "iat":
			_, ok = v.(float64)
		case "aud":
			ok = stringOrStrings(v)
		default:
			s, isString := v.(string)
			ok = isString && s != ""
		}
		if !ok {
			t.Errorf("%s: the %s claim is %s; RFC 9068 §2.2 wants %s", ex.Label, name, jsonText(v), claimType(name))
		}
	}
	if id, ok := tok.claims["client_id"].(string); ok && id != "" && id != t.Env.Target.ClientID {
		t.Errorf("%s: the client_id claim is %q, but client %q asked for the token (RFC 9068 §2.2)", ex.Label, id, t.Env.Target.ClientID)
	}
	if len(missing) > 0 {
		t.Errorf("%s: the JWT access token has no %s claim (RFC 9068 §2.2 requires iss, exp, aud, sub, client_id, iat and jti)", ex.Label, strings.Join(missing, ", "))
	}
}

func claimType(name string) string {
	switch name {
	case "exp", "iat":
		return "a NumericDate (a JSON number)"
	case "aud":
		return "a string or an array of strings"
	}
	return "a non-empty string"
}

func stringOrStrings(v any) bool {
	switch v := v.(type) {
	case string:
		return v != ""
	case []any:
		for _, x := range v {
			if s, ok := x.(string); !ok || s == "" {
				return false
			}
		}
		return len(v) > 0
	}
	return false
}

// checkATJWTSignature: signed (never alg none, RFC 9068 §2.1), and
// verified by a key of the key set: the one its kid names, else any.
func checkATJWTSignature(t *T, ex *wire.Exchange, tok *jws) {
	if strings.EqualFold(tok.alg, "none") || !tok.signed {
		t.Errorf("%s: the JWT access token is unsigned (alg %q); RFC 9068 §2.1: it MUST be signed and MUST NOT use none", ex.Label, tok.alg)
		return
	}
	set, where, err := t.Env.keySet(t.Ctx)
	if err != nil {
		t.Errorf("the signature could not be verified: %v", err)
		return
	}
	if set == nil {
		t.Needf([]string{"jwks"}, "the signature was not verified: no key set of the authorization server (target key jwks)")
	}
	kid := tok.token.Headers[0].KeyID
	keys := set.Keys
	if kid != "" {
		if keys = set.Key(kid); len(keys) == 0 {
			t.Errorf("%s: the JWT names kid %q, which no key of the key set (%s) has", ex.Label, kid, where)
			return
		}
	}
	for _, k := range keys {
		var claims map[string]any
		if tok.token.Claims(k, &claims) == nil {
			return
		}
	}
	t.Errorf("%s: the JWT's %s signature does not verify with the key set's %s (%s)", ex.Label, tok.alg, keysNamed(kid, len(keys)), where)
}

func keysNamed(kid string, n int) string {
	if kid != "" {
		return fmt.Sprintf("key %q", kid)
	}
	return fmt.Sprintf("%d key(s) (the JWT names no kid)", n)
}

// verifiesSignatures reports whether the spec verifies the access tokens'
// signatures: it is of the rfc9068 profile and has the signature check.
func (e *Env) verifiesSignatures() bool {
	if j := e.Spec.Response.JWT; j == nil || j.Profile != specs.ProfileRFC9068 {
		return false
	}
	for _, r := range e.Spec.Requirements {
		if e.checkOf(r) == "at-jwt/signature" {
			return true
		}
	}
	return false
}

// keySets holds each run's key set, fetched once.
var keySets sync.Map // *Env → *keySetState

type keySetState struct {
	once  sync.Once
	set   *jose.JSONWebKeySet
	where string
	err   error
}

// keySet is the target's key set (target key jwks): the file Resolve
// read, or the URL fetched once, within the request timeout and
// target.MaxJWKSBytes. It is nil, without an error, when the target
// names none. The key set is public, but it is not recorded as an
// exchange: no report needs the keys.
func (e *Env) keySet(ctx context.Context) (*jose.JSONWebKeySet, string, error) {
	v, _ := keySets.LoadOrStore(e, &keySetState{})
	st := v.(*keySetState)
	st.once.Do(func() {
		switch {
		case e.Target.KeySet != nil:
			st.set, st.where = e.Target.KeySet, "the file "+e.Target.JWKS
		case e.Target.JWKS != "":
			st.where = e.Target.JWKS
			st.set, st.err = fetchKeySet(ctx, e.Client, e.Target.JWKS)
		}
	})
	return st.set, st.where, st.err
}

func fetchKeySet(ctx context.Context, c *wire.Client, raw string) (*jose.JSONWebKeySet, error) {
	u, err := target.JWKSURL(raw)
	if err != nil {
		return nil, fmt.Errorf("key set (target key jwks): %v", err)
	}
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("key set %s (target key jwks): %v", u, err)
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("key set %s (target key jwks) could not be fetched within %s: %v", u, c.Timeout, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("key set %s (target key jwks) answered %d, not 200 with a JWK Set (redirects are not followed)", u, resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, target.MaxJWKSBytes+1))
	if err != nil {
		return nil, fmt.Errorf("key set %s (target key jwks) could not be read within %s: %v", u, c.Timeout, err)
	}
	set, err := target.ParseJWKS(b)
	if err != nil {
		return nil, fmt.Errorf("key set %s (target key jwks): %v", u, err)
	}
	if !slices.ContainsFunc(set.Keys, func(k jose.JSONWebKey) bool { return k.Use == "" || k.Use == "sig" }) {
		return nil, fmt.Errorf("key set %s (target key jwks) holds no signature key (every key's use is another)", u)
	}
	return set, nil
}
