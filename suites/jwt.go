package suites

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/suites/wire"
)

func init() {
	register(&Kind{Name: "jwt", Arg: "decodes|alg|exp|claims", Plan: planJWT,
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
				tok, err := decodeJWS(at)
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
	header, claims map[string]any
	signature      string
}

// decodeJWS splits a JWS compact serialization and decodes its header and
// claims set (base64url without padding, RFC 7515 §2) as JSON objects.
func decodeJWS(s string) (*jws, error) {
	parts := strings.Split(s, ".")
	switch len(parts) {
	case 3:
	case 5:
		return nil, errors.New("it has five parts: a JWE (encrypted), not a JWS")
	default:
		return nil, fmt.Errorf("it has %d dot-separated parts, not the 3 of a JWS", len(parts))
	}
	header, err := decodeJSONPart(parts[0])
	if err != nil {
		return nil, fmt.Errorf("header: %v", err)
	}
	claims, err := decodeJSONPart(parts[1])
	if err != nil {
		return nil, fmt.Errorf("claims: %v", err)
	}
	return &jws{header: header, claims: claims, signature: parts[2]}, nil
}

func decodeJSONPart(s string) (map[string]any, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("not base64url without padding: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, errors.New("not a JSON object")
	}
	if dec.More() {
		return nil, errors.New("data after the JSON object")
	}
	return m, nil
}

// checkJWTAlg: the header's alg is the documented one (case-sensitive,
// RFC 7515 §4.1.1), and never "none" (RFC 8725 §3.1), and the token has a
// signature.
func checkJWTAlg(t *T, ex *wire.Exchange, tok *jws) {
	want := t.Env.Spec.Response.JWT.Alg
	alg, ok := tok.header["alg"].(string)
	switch {
	case !ok:
		t.Errorf("%s: the JWT header has no string alg: %s", ex.Label, jsonText(tok.header))
	case strings.EqualFold(alg, "none"):
		t.Errorf("%s: the JWT is unsigned (alg %q)", ex.Label, alg)
	case alg != want:
		t.Errorf("%s: the JWT alg is %q, want %s", ex.Label, alg, want)
	}
	if tok.signature == "" && ok && !strings.EqualFold(alg, "none") {
		t.Errorf("%s: the JWT has an empty signature", ex.Label)
	}
}

// checkJWTExp: exp (a NumericDate, RFC 7519 §4.1.4) is the time of issue
// plus expires_in (RFC 6749 §5.1), within the spec's skew (Response.JWT.Skew,
// else the run's --skew). The time of issue is the response's Date header,
// the server's own clock, to the second (RFC 9110 §6.6.1); without a Date
// header it is the local time the request was under way, and the skew must
// also absorb the difference between the clocks.
func checkJWTExp(t *T, ex *wire.Exchange, tok *jws) {
	n, ok := tok.claims["exp"].(json.Number)
	if !ok {
		t.Errorf("%s: the JWT has no numeric exp claim (got %s)", ex.Label, jsonText(tok.claims["exp"]))
		return
	}
	f, err := n.Float64()
	if err != nil {
		t.Errorf("%s: exp %s is not a number of seconds", ex.Label, n)
		return
	}
	exp := time.Unix(0, int64(f*float64(time.Second)))
	lifetime, ok := expiresIn(t.Env, ex)
	if !ok {
		t.Notef("%s: no expires_in and no documented lifetime to compare exp with", ex.Label)
		return
	}
	skew := t.Env.Spec.Response.JWT.Skew.Duration
	if skew <= 0 {
		skew = t.Env.Target.Skew
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
	for _, name := range sortedKeys(claims) {
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
		case param == "scope" && !sameSet(strings.Fields(got), strings.Fields(sent)):
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
