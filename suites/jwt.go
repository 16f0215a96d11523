package suites

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/suites/wire"
)

func init() {
	register(&Kind{Name: "jwt", Arg: "decodes|alg|exp|claims", Plan: planJWT,
		Fix: "Issue the access token as the JWS the API documents: decodable, signed with the documented `alg`, `exp` equal to the issue time plus `expires_in`, and the documented claims.",
		Doc: "the access token is the JWS `response.jwt` describes: it decodes, its `alg`, `exp` against issue time + `expires_in`, its claims"})
}

// jwtAspects are the checks of a JWT access token (Response.JWT), by the
// argument of "jwt/ASPECT". Every aspect but decodes examines only the
// tokens that decode; decodes reports the others.
var jwtAspects = map[string]struct {
	title string
	check func(t *T, ex *wire.Exchange, tok *jws)
}{
	"decodes": {"access tokens are JWS compact serializations whose header and claims are JSON objects", nil},
	"alg":     {"access tokens are signed with the documented alg, never none", checkJWTAlg},
	"exp":     {"the exp claim is the time of issue plus expires_in", checkJWTExp},
	"claims":  {"the JWT's claims equal the request's parameters they stand for", checkJWTClaims},
}

// planJWT ("jwt/decodes", "jwt/alg", "jwt/exp", "jwt/claims") checks the
// access token of every successful response as a JWT (RFC 7519, RFC 7515).
func planJWT(e *Env, req specs.Requirement) []Check {
	arg := checkArg(req)
	aspect, known := jwtAspects[arg]
	return []Check{{Req: req, Concern: Fields, Variant: arg, Title: aspect.title, Run: func(t *T) {
		if !known {
			t.Errorf("check %q: the JWT aspects are decodes, alg, exp and claims", req.Check)
			return
		}
		if t.Env.Spec.Response.JWT == nil {
			t.Skipf("spec %s does not describe the access token as a JWT (response.jwt)", t.Env.Spec.Name)
		}
		decoded := 0
		eachSuccess(t, func(ex *wire.Exchange) {
			examined(t, ex, func() {
				at := ex.String(t.Env.Spec.Member("access_token"))
				if at == "" {
					return // the access-token requirement reports it
				}
				tok, err := decodeJWS(at, t.Env.Spec.Response.JWT.AllowedAlgs()...)
				if err != nil {
					if aspect.check == nil {
						t.Errorf("%s: the access token is not a JWT: %v", ex.Label, err)
					}
					return
				}
				decoded++
				if aspect.check != nil {
					aspect.check(t, ex, tok)
				}
			})
		})
		if aspect.check != nil && decoded == 0 && len(t.Problems()) == 0 {
			t.Skipf("no access token decoded as a JWT (the jwt/decodes check reports why)")
		}
	}}}
}

// jws is a decoded JWS compact serialization (RFC 7515 §7.1). The
// signature is not verified: no document names a key set to verify with.
type jws struct {
	token  *jwt.JSONWebToken
	alg    string         // the header's alg
	claims map[string]any // the claims set
	signed bool           // the signature part is not empty
}

// decodeJWS parses a JWS compact serialization with go-jose, allowing the
// documented alg. A token signed with another alg, "none" among them, is
// parsed again allowing the alg its header names, so that the alg check
// can name it and the other checks still see its claims: nothing is
// verified here, so no alg is trusted by being parsed.
func decodeJWS(s string, documentedAlgs ...string) (*jws, error) {
	switch n := strings.Count(s, ".") + 1; n {
	case 3:
	case 5:
		return nil, errors.New("it has five parts: a JWE (encrypted), not a JWS")
	default:
		return nil, fmt.Errorf("it has %d dot-separated parts, not the 3 of a JWS", n)
	}
	algs := make([]jose.SignatureAlgorithm, 0, len(documentedAlgs))
	for _, a := range documentedAlgs {
		algs = append(algs, jose.SignatureAlgorithm(a))
	}
	tok, err := jwt.ParseSigned(s, algs)
	var other *jose.ErrUnexpectedSignatureAlgorithm
	if errors.As(err, &other) {
		if other.Got == "" {
			return nil, errors.New("its header has no alg string (RFC 7515 §4.1.1)")
		}
		tok, err = jwt.ParseSigned(s, []jose.SignatureAlgorithm{other.Got})
	}
	if err != nil {
		return nil, fmt.Errorf("not a JWS compact serialization: %v", err)
	}
	var claims map[string]any
	if err := tok.UnsafeClaimsWithoutVerification(&claims); err != nil || claims == nil {
		return nil, errors.New("claims: not a JSON object")
	}
	return &jws{token: tok, alg: tok.Headers[0].Algorithm, claims: claims, signed: !strings.HasSuffix(s, ".")}, nil
}

// checkJWTAlg: the header's alg is a documented one (case-sensitive,
// RFC 7515 §4.1.1), and never "none" (RFC 8725 §3.1), and the token has a
// signature. Only a spec of the rfc9068 profile has a key set to verify
// the signature with (the at-jwt checks); otherwise a note says it was not.
func checkJWTAlg(t *T, ex *wire.Exchange, tok *jws) {
	j := t.Env.Spec.Response.JWT
	want := j.AllowedAlgs()
	unsigned := strings.EqualFold(tok.alg, "none")
	switch {
	case unsigned:
		t.Errorf("%s: the JWT is unsigned (alg %q)", ex.Label, tok.alg)
	case !slices.Contains(want, tok.alg):
		t.Errorf("%s: the JWT alg is %q, want %s", ex.Label, tok.alg, strings.Join(want, " or "))
	}
	if !t.Env.verifiesSignatures() {
		t.Notef("the signature was not verified: spec %s documents no key set to verify it with (only the alg was checked)", t.Env.Spec.Name)
	}
	if !tok.signed && !unsigned {
		t.Errorf("%s: the JWT has an empty signature", ex.Label)
	}
}

// checkJWTExp: exp (a NumericDate, RFC 7519 §4.1.4) is the time of issue
// plus expires_in (RFC 6749 §5.1), within the spec's skew (Response.JWT.Skew,
// else the run's: skewFor). The time of issue is the response's Date header,
// the server's own clock, to the second (RFC 9110 §6.6.1); without a Date
// header it is the local time the request was under way, and the skew must
// also absorb the difference between the clocks.
func checkJWTExp(t *T, ex *wire.Exchange, tok *jws) {
	var c struct {
		Exp *jwt.NumericDate `json:"exp"`
	}
	if err := tok.token.UnsafeClaimsWithoutVerification(&c); err != nil || c.Exp == nil {
		t.Errorf("%s: the JWT has no numeric exp claim (got %s)", ex.Label, jsonText(tok.claims["exp"]))
		return
	}
	exp := c.Exp.Time()
	lifetime, ok := expiresIn(t.Env, ex)
	if !ok {
		t.Notef("%s: no expires_in and no documented lifetime to compare exp with", ex.Label)
		return
	}
	skew := t.Env.Spec.Response.JWT.Skew.Duration
	if skew <= 0 {
		skew = t.Env.skewFor(t.Env.Target.Endpoint, t.Env.Target.Endpoint).Duration
	}
	from, to, clock := ex.Started, ex.Started.Add(ex.Duration), "the local clock while the request was under way"
	if d, err := http.ParseTime(ex.Header().Get("Date")); err == nil {
		from, to, clock = d, d.Add(time.Second), "the response's Date header"
	}
	lo, hi := from.Add(lifetime-skew), to.Add(lifetime+skew)
	if exp.Before(lo) || exp.After(hi) {
		off := exp.Sub(from.Add(lifetime)).Round(time.Second)
		t.Errorf("%s: exp %s is %s off the time of issue (%s, %s) plus expires_in %s; the spec allows %s", ex.Label, exp.UTC().Format(time.RFC3339), off, from.UTC().Format(time.RFC3339), clock, lifetime, skew)
	}
}

// checkJWTClaims: each claim the spec maps to a request parameter
// (Response.JWT.Claims) equals the value the request sent; a scope is
// compared as a set of space-separated values (RFC 6749 §3.3).
func checkJWTClaims(t *T, ex *wire.Exchange, tok *jws) {
	claims := t.Env.Spec.Response.JWT.Claims
	if len(claims) == 0 {
		t.Skipf("spec %s maps no JWT claim to a request parameter (response.jwt.claims)", t.Env.Spec.Name)
	}
	for _, name := range slices.Sorted(maps.Keys(claims)) {
		param := claims[name]
		sent := paramValue(ex, t.Env, param)
		if sent == "" && param == "client_id" && ex.Request.Header.Get("Authorization") != "" {
			sent = t.Env.Target.ClientID
		}
		if sent == "" {
			t.Notef("%s: the request sent no %s, so the %s claim is not compared", ex.Label, t.Env.Spec.Param(param), name)
			continue
		}
		v, present := tok.claims[name]
		got, isString := v.(string)
		switch {
		case !present:
			t.Errorf("%s: the JWT has no %s claim (it stands for the request's %s %q)", ex.Label, name, t.Env.Spec.Param(param), sent)
		case !isString:
			t.Errorf("%s: the %s claim is %s, not a string", ex.Label, name, jsonText(v))
		case param == "scope" && !sameSet(strings.Fields(got), t.Env.Spec.SplitScope(sent)):
			t.Errorf("%s: the %s claim is %q, but the request asked for scope %q", ex.Label, name, got, sent)
		case param != "scope" && got != sent:
			t.Errorf("%s: the %s claim is %q, but the request's %s is %q", ex.Label, name, got, t.Env.Spec.Param(param), sent)
		}
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}
