package suites

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/tokencert/tokencert/grants"
	"github.com/tokencert/tokencert/probes"
	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/suites/wire"
	"github.com/tokencert/tokencert/target"
)

// JWTBearerType is the client_assertion_type of a JWT client assertion
// (RFC 7523 §2.2).
const JWTBearerType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

func init() {
	register(&Kind{Name: "client-assertion", Arg: "valid|aud|exp|iss-sub|signature|replay", Plan: planClientAssertion,
		Defaults: map[string]string{
			"RFC7523-2.2-ASSERTION-ACCEPTED": "valid", "RFC7523-3-AUD": "aud", "RFC7523-3-EXP": "exp",
			"RFC7523-3-ISS-SUB": "iss-sub", "RFC7523-3-SIGNATURE": "signature", "RFC7523-3-JTI-REPLAY": "replay",
		},
		Fix: "Accept a valid client assertion (RFC 7523 §2.2), and refuse with `invalid_client` one whose `aud` is not this server, whose `exp` has passed, whose `iss` or `sub` is not the client, that is unsigned or signed by another key, or whose `jti` was used before (§3).",
		Doc: "for each JWT client authentication of `request.client_auth` (`private_key_jwt`, `client_secret_jwt`): a valid client assertion (RFC 7523 §2.2) is accepted (`valid`); one with another server's `aud`, an `exp` an hour past, `iss` or `sub` missing or not the client, `alg: none` or a signature by another key, or a `jti` already used, is refused as `bad_client_assertion` (`invalid_client`)"})
}

// assertionEdit is what a probe changes in a valid assertion.
type assertionEdit struct {
	claims func(c map[string]any, now time.Time)
	// sign is "" (the client's key), "none" (alg none, no signature) or
	// "other-key" (a key the server has never seen, same kid).
	sign string
}

type assertionProbe struct {
	name, title string
	edit        assertionEdit
}

// assertionProbes are the defective assertions, by check argument.
var assertionProbes = map[string][]assertionProbe{
	"aud": {{"wrong-aud", "an assertion whose aud is another server's token endpoint is refused",
		assertionEdit{claims: func(c map[string]any, _ time.Time) { c["aud"] = "https://tokencert.invalid/token" }}}},
	"exp": {{"expired", "an assertion whose exp passed an hour ago is refused",
		assertionEdit{claims: func(c map[string]any, now time.Time) {
			c["iat"], c["exp"] = now.Add(-65*time.Minute).Unix(), now.Add(-time.Hour).Unix()
		}}}},
	"iss-sub": {
		{"no-iss", "an assertion without iss is refused", assertionEdit{claims: func(c map[string]any, _ time.Time) { delete(c, "iss") }}},
		{"other-iss", "an assertion whose iss is not the client is refused", assertionEdit{claims: func(c map[string]any, _ time.Time) { c["iss"] = "tokencert-not-" + fmt.Sprint(c["iss"]) }}},
		{"no-sub", "an assertion without sub is refused", assertionEdit{claims: func(c map[string]any, _ time.Time) { delete(c, "sub") }}},
		{"other-sub", "an assertion whose sub is not the client is refused", assertionEdit{claims: func(c map[string]any, _ time.Time) { c["sub"] = "tokencert-not-" + fmt.Sprint(c["sub"]) }}},
	},
	"signature": {
		{"alg-none", "an unsigned assertion (alg none) is refused", assertionEdit{sign: "none"}},
		{"other-key", "an assertion signed by a key not registered for the client is refused", assertionEdit{sign: "other-key"}},
	},
}

// assertionState is what the client-assertion checks share in one run.
type assertionState struct {
	once  sync.Once
	other any // the other key of the other-key probe
	err   error
}

type assertionStateKey struct {
	e      *Env
	method string
}

var assertionStates sync.Map // assertionStateKey → *assertionState

func (e *Env) assertionState(method string) *assertionState {
	s, _ := assertionStates.LoadOrStore(assertionStateKey{e, method}, &assertionState{})
	return s.(*assertionState)
}

// IsAssertionAuth reports whether a client authentication method sends a
// JWT client assertion.
func IsAssertionAuth(m string) bool {
	return m == target.AuthPrivateKeyJWT || m == target.AuthClientSecretJWT
}

// registerAssertionKey keeps the assertion key out of every output.
func registerAssertionKey(e *Env) {
	k := e.Target.Assertion
	if k == nil {
		return
	}
	e.Redactor.Add("assertion_key", k.Material)
	for _, line := range strings.Split(k.Material, "\n") {
		if line = strings.TrimSpace(line); len(line) >= 16 && !strings.HasPrefix(line, "-----") {
			e.Redactor.Add("assertion_key", line)
		}
	}
	if b, err := k.Key.MarshalJSON(); err == nil {
		var m map[string]any
		if json.Unmarshal(b, &m) == nil {
			for _, p := range []string{"d", "p", "q", "dp", "dq", "qi", "k"} {
				if s, ok := m[p].(string); ok {
					e.Redactor.Add("assertion_key", s)
				}
			}
		}
	}
}

// methodUnmet says why the client cannot authenticate by a JWT or
// mutual-TLS method, or nil when it can (or the method needs nothing
// beyond the client's id and secret).
func (e *Env) methodUnmet(method string) *probes.Unmet {
	switch method {
	case target.AuthPrivateKeyJWT:
		if e.Target.Assertion == nil {
			return probes.Lacking("no private key to sign private_key_jwt client assertions with (target key assertion_key)", "assertion_key")
		}
	case target.AuthClientSecretJWT:
		if e.Target.ClientSecret == "" {
			return probes.Lacking("no client secret to sign client_secret_jwt client assertions with (target key client_secret)", "client_secret")
		}
		if len(e.Target.ClientSecret) < 32 {
			return probes.Lacking("the client secret is shorter than the 32 bytes an HS256 key needs (RFC 7518 §3.2), so it cannot sign a client_secret_jwt assertion (target key client_secret)", "client_secret")
		}
	default:
		return e.mtlsUnmet(method)
	}
	if e.Target.ClientID == "" {
		return probes.Lacking("no client_id to put in the assertion's iss and sub (target key client_id)", "client_id")
	}
	return nil
}

// assertionAudience is the aud of the client's assertions: the target's
// assertion_audience, else the token endpoint URL (RFC 7523 §3 allows it;
// OpenID Connect Core §9 says it SHOULD be).
func (e *Env) assertionAudience() string {
	if e.Target.AssertionAudience != "" {
		return e.Target.AssertionAudience
	}
	return e.Target.Endpoint
}

// assertionParams are the parameters that authenticate a client by a JWT
// method: client_assertion_type and a fresh client_assertion.
func (e *Env) assertionParams(method, clientID, secret string) []probes.Param {
	jws, err := e.makeAssertion(method, clientID, secret, assertionEdit{})
	if err != nil {
		return nil
	}
	return []probes.Param{{Name: "client_assertion_type", Value: JWTBearerType}, {Name: "client_assertion", Value: jws}}
}

// makeAssertion makes a client assertion (RFC 7523 §3, OpenID Connect Core
// §9): iss and sub the client, aud the server, a 2-minute exp, iat and a
// fresh jti, signed as the method says, then edited. The result is
// registered with the redactor before anything can print it.
func (e *Env) makeAssertion(method, clientID, secret string, edit assertionEdit) (string, error) {
	if clientID == "" && secret == "" {
		clientID, secret = e.Target.ClientID, e.Target.ClientSecret
	}
	now := time.Now()
	c := map[string]any{"iss": clientID, "sub": clientID, "aud": e.assertionAudience(),
		"iat": now.Unix(), "exp": now.Add(2 * time.Minute).Unix(), "jti": probes.Random(32)}
	if edit.claims != nil {
		edit.claims(c, now)
	}
	payload, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	var key any
	var alg jose.SignatureAlgorithm
	switch method {
	case target.AuthPrivateKeyJWT:
		k := e.Target.Assertion
		if k == nil {
			return "", fmt.Errorf("no assertion key")
		}
		key, alg = k.Key, jose.SignatureAlgorithm(k.Alg)
	case target.AuthClientSecretJWT:
		key, alg = []byte(secret), jose.HS256
	default:
		return "", fmt.Errorf("%s sends no client assertion", method)
	}
	var jws string
	switch edit.sign {
	case "none":
		enc := base64.RawURLEncoding
		jws = enc.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc.EncodeToString(payload) + "."
	case "other-key":
		other, err := e.otherKey(method)
		if err != nil {
			return "", err
		}
		if jwk, ok := key.(jose.JSONWebKey); ok {
			other = jose.JSONWebKey{Key: other, KeyID: jwk.KeyID, Algorithm: jwk.Algorithm}
		}
		key = other
		fallthrough
	default:
		s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, (&jose.SignerOptions{}).WithType("JWT"))
		if err != nil {
			return "", fmt.Errorf("cannot sign a %s assertion with %s: %v", method, alg, err)
		}
		obj, err := s.Sign(payload)
		if err != nil {
			return "", fmt.Errorf("cannot sign a %s assertion with %s: %v", method, alg, err)
		}
		if jws, err = obj.CompactSerialize(); err != nil {
			return "", err
		}
	}
	e.Redactor.Add("client_assertion", jws)
	return jws, nil
}

// otherKey is a key of the same type as the client's that no server has
// registered, made once per run and method.
func (e *Env) otherKey(method string) (any, error) {
	st := e.assertionState(method)
	st.once.Do(func() {
		if method == target.AuthClientSecretJWT || e.Target.Assertion == nil {
			b := make([]byte, 32)
			_, st.err = rand.Read(b)
			st.other = b
			return
		}
		switch e.Target.Assertion.Key.Key.(type) {
		case *rsa.PrivateKey:
			st.other, st.err = rsa.GenerateKey(rand.Reader, 2048)
		case *ecdsa.PrivateKey:
			st.other, st.err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		case ed25519.PrivateKey:
			_, st.other, st.err = ed25519.GenerateKey(rand.Reader)
		default:
			st.err = fmt.Errorf("no other key of type %T", e.Target.Assertion.Key.Key)
		}
	})
	return st.other, st.err
}

func planClientAssertion(e *Env, req specs.Requirement) []Check {
	arg := checkArg(req)
	var methods []string
	for _, m := range e.Spec.Request.ClientAuth {
		if IsAssertionAuth(m) {
			methods = append(methods, m)
		}
	}
	if len(methods) == 0 {
		return []Check{{Req: req, Concern: Errors, Variant: arg, Title: "client assertions are judged", Run: func(t *T) {
			t.Skipf("spec %s documents no JWT client authentication (request.client_auth: private_key_jwt, client_secret_jwt)", t.Env.Spec.Name)
		}}}
	}
	var out []Check
	for _, m := range methods {
		switch arg {
		case "valid":
			out = append(out, Check{Req: req, Concern: Fields, Variant: m, Accepts: m, Title: "a valid client assertion authenticates the client", Run: func(t *T) {
				grant := assertionReady(t, m, false)
				ex := t.use(t.Env.tokenBy(t.Ctx, grant, m))
				if ex.Status() != 200 || ex.String(t.Env.Spec.Member("access_token")) == "" {
					// Like client-auth: the spec's first JWT method must
					// work; a further one is owed only when the target says
					// the client is registered for it.
					if m != t.Env.firstAssertionAuth() && len(t.Env.Target.ClientAuth) == 0 {
						t.Skipf("the endpoint does not accept %s client assertions; spec %s lists it after %s, so it is examined only when offered (list it in the target's client_auth to require it): %s", m, t.Env.Spec.Name, methods[0], ex.Summary())
					}
					t.Errorf("a valid %s client assertion was not accepted: %s", m, ex.Summary())
				}
			}})
		case "replay":
			out = append(out, Check{Req: req, Concern: Errors, Variant: m + " replay", Title: "a client assertion whose jti was already used is refused", Run: func(t *T) {
				grant := assertionReady(t, m, true)
				jws, err := t.Env.makeAssertion(m, "", "", assertionEdit{})
				if err != nil {
					t.Errorf("could not make the assertion: %v", err)
					return
				}
				first := t.Env.sendAssertion(t, grant, "client assertion, first use", jws)
				if first.Status() < 200 || first.Status() > 299 {
					t.Skipf("the first use of the assertion was refused, so its replay shows nothing: %s", first.Summary())
				}
				again := t.Env.sendAssertion(t, grant, "the same client assertion again (same jti)", jws)
				expectBadAssertion(t, again)
			}})
		default:
			ps, ok := assertionProbes[arg]
			if !ok {
				return []Check{{Req: req, Concern: Errors, Variant: arg, Title: "client assertions are judged", Run: func(t *T) {
					t.Errorf("requirement %s: check %q names no client-assertion probe (valid, aud, exp, iss-sub, signature, replay)", req.ID, req.Check)
				}}}
			}
			for _, p := range ps {
				out = append(out, Check{Req: req, Concern: Errors, Variant: m + " " + p.name, Title: p.title, Run: func(t *T) {
					grant := assertionReady(t, m, true)
					jws, err := t.Env.makeAssertion(m, "", "", p.edit)
					if err != nil {
						t.Errorf("could not make the assertion: %v", err)
						return
					}
					expectBadAssertion(t, t.Env.sendAssertion(t, grant, "client assertion: "+p.name, jws))
				}})
			}
		}
	}
	return out
}

// firstAssertionAuth is the spec's first JWT method, or "".
func (e *Env) firstAssertionAuth() string {
	for _, m := range e.Spec.Request.ClientAuth {
		if IsAssertionAuth(m) {
			return m
		}
	}
	return ""
}

// assertionReady skips a check the target cannot run with method and
// returns the grant to request; with needValid, it also skips when a
// valid assertion is not accepted (a refusal would then show nothing).
func assertionReady(t *T, method string, needValid bool) *grants.Grant {
	grant, u := t.Env.assertionGrant(method)
	if u != nil {
		t.Skip(u)
	}
	if needValid {
		needAccepted(t, grant, method, "a valid "+method+" client assertion", "the valid check")
	}
	return grant
}

// assertionGrant is the grant the client-assertion checks of method
// request, or why they cannot run.
func (e *Env) assertionGrant(method string) (*grants.Grant, *probes.Unmet) {
	grant, u := e.PrimaryGrant()
	if u != nil {
		return nil, u
	}
	if len(e.Target.ClientAuth) > 0 && !slices.Contains(e.Target.ClientAuth, method) {
		return nil, probes.Excluded(fmt.Sprintf("the client is not registered for %s client authentication (its client_auth: %s)", method, strings.Join(e.Target.ClientAuth, ", ")))
	}
	if u := e.methodUnmet(method); u != nil {
		if first := e.firstAssertionAuth(); method != first && len(e.Target.ClientAuth) == 0 {
			// A further method is owed only when the client is registered
			// for it: its absence does not make the run incomplete.
			return nil, probes.Excluded(fmt.Sprintf("%s is examined only when the client can use it (spec %s lists it after %s; name it in the target's client_auth to require it): %s",
				method, e.Spec.Name, first, strings.NewReplacer("(target keys ", "(the keys ", "(target key ", "(the key ").Replace(u.Why)))
		}
		return nil, u
	}
	return grant, nil
}

// sendAssertion sends a fresh valid request of grant authenticated by jws.
func (e *Env) sendAssertion(t *T, grant *grants.Grant, label, jws string) *wire.Exchange {
	r := t.fresh(label, only(grant), obtainOpts{auth: "none"})
	r.Params = append(r.Params, probes.Param{Name: "client_assertion_type", Value: JWTBearerType}, probes.Param{Name: "client_assertion", Value: jws})
	ex := e.send(t.Ctx, r)
	t.Evidence(ex)
	return ex
}

// expectBadAssertion: the answer is the spec's bad_client_assertion error,
// else RFC 7523 §3.2's invalid_client (401 or 400).
func expectBadAssertion(t *T, ex *wire.Exchange) {
	ec, ok := t.Env.Spec.Condition(probes.BadClientAssertion.Name)
	if !ok {
		ec = probes.BadClientAssertion.Answer
	}
	expectError(t, ex, probes.BadClientAssertion, ec)
}
