package refserver

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/tokencert/tokencert/target"
)

// jwtHarness is a server speaking rfc7523 and what a test needs to sign
// client assertions for its main client.
type jwtHarness struct {
	*harness
	key *target.AssertionKey
}

func startJWT(t *testing.T, faults ...Fault) *jwtHarness {
	t.Helper()
	h := start(t, Options{Spec: loadSpec(t, "rfc7523"), Faults: faults})
	tg := h.srv.Target()
	k, err := target.ParseAssertionKey(tg.AssertionKeyData, "", tg.AssertionAlg)
	if err != nil {
		t.Fatal(err)
	}
	return &jwtHarness{harness: h, key: k}
}

// claims are a valid assertion's claims for the main client.
func (j *jwtHarness) claims() map[string]any {
	now := time.Now()
	return map[string]any{"iss": testCreds.ClientID, "sub": testCreds.ClientID, "aud": j.base + "/token",
		"iat": now.Unix(), "exp": now.Add(time.Minute).Unix(), "jti": randomToken()}
}

// sign signs claims with key (nil: the client's registered key; a
// []byte: HS256 with it; "none": unsigned).
func (j *jwtHarness) sign(t testing.TB, claims map[string]any, key any) string {
	t.Helper()
	payload, _ := json.Marshal(claims)
	alg := jose.ES256
	switch key.(type) {
	case nil:
		key = j.key.Key
	case string:
		enc := base64.RawURLEncoding
		return enc.EncodeToString([]byte(`{"alg":"none"}`)) + "." + enc.EncodeToString(payload) + "."
	case []byte:
		alg = jose.HS256
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, nil)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := s.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := obj.CompactSerialize()
	return out
}

func (j *jwtHarness) send(jws string) reply {
	form := ccForm()
	form.Set("client_assertion_type", jwtBearer)
	form.Set("client_assertion", jws)
	return j.token(form, noAuth)
}

func with(c map[string]any, k string, v any) map[string]any {
	out := map[string]any{}
	for a, b := range c {
		out[a] = b
	}
	if v == nil {
		delete(out, k)
	} else {
		out[k] = v
	}
	return out
}

func otherES256(t testing.TB) any {
	k, err := target.ParseAssertionKey(mustPEM(t), "", "ES256")
	if err != nil {
		t.Fatal(err)
	}
	return k.Key
}

func mustPEM(t testing.TB) []byte {
	t.Helper()
	a, err := newAssertions(&Server{spec: loadSpec(t, "rfc7523"), reg: &registry{clients: []client{{id: "x", secret: "y"}}}})
	if err != nil {
		t.Fatal(err)
	}
	return a.mainKey
}

// The conformant server accepts valid assertions of both methods, and
// refuses each defect RFC 7523 §3 lists with 401 invalid_client.
func TestClientAssertions(t *testing.T) {
	t.Parallel()
	j := startJWT(t)
	c := j.claims
	mustToken(t, j.send(j.sign(t, c(), nil)))
	mustToken(t, j.send(j.sign(t, with(c(), "aud", j.base), nil)))                           // the issuer
	mustToken(t, j.send(j.sign(t, with(c(), "aud", []string{"x", j.base + "/token"}), nil))) // an array
	for name, jws := range map[string]string{
		"wrong aud":  j.sign(t, with(c(), "aud", "https://tokencert.invalid/token"), nil),
		"expired":    j.sign(t, with(with(c(), "exp", time.Now().Add(-time.Hour).Unix()), "iat", time.Now().Add(-2*time.Hour).Unix()), nil),
		"no exp":     j.sign(t, with(c(), "exp", nil), nil),
		"no iss":     j.sign(t, with(c(), "iss", nil), nil),
		"other iss":  j.sign(t, with(c(), "iss", testCreds.OtherClientID), nil),
		"no sub":     j.sign(t, with(c(), "sub", nil), nil),
		"other sub":  j.sign(t, with(c(), "sub", "nobody"), nil),
		"alg none":   j.sign(t, c(), "none"),
		"other key":  j.sign(t, c(), otherES256(t)),
		"not a JWS":  "not-a-jws",
		"future nbf": j.sign(t, with(c(), "nbf", time.Now().Add(time.Hour).Unix()), nil),
	} {
		r := j.send(jws)
		if r.status != 401 || r.str(t, "error") != "invalid_client" {
			t.Errorf("%s: %d %s", name, r.status, r.body)
		}
	}
	jws := j.sign(t, c(), nil)
	mustToken(t, j.send(jws))
	wantError(t, j.send(jws), 401, "invalid_client")
	// Basic credentials besides an assertion: two methods (RFC 6749 §2.3).
	form := ccForm()
	form.Set("client_assertion_type", jwtBearer)
	form.Set("client_assertion", j.sign(t, c(), nil))
	wantError(t, j.token(form, mainBody), 400, "invalid_request")
}

// client_secret_jwt: HS256 with the client's secret.
func TestClientSecretJWT(t *testing.T) {
	t.Parallel()
	creds := testCreds
	creds.ClientSecret = randomToken()
	h := start(t, Options{Spec: loadSpec(t, "rfc7523"), Credentials: &creds})
	j := &jwtHarness{harness: h}
	c := j.claims()
	mustToken(t, j.send(j.sign(t, c, []byte(creds.ClientSecret))))
	other := make([]byte, 32)
	_, _ = rand.Read(other)
	wantError(t, j.send(j.sign(t, j.claims(), other)), 401, "invalid_client")
	// A JWT method the spec does not offer is no authentication.
	h6749 := start(t, Options{})
	form := ccForm()
	form.Set("client_assertion_type", jwtBearer)
	form.Set("client_assertion", j.sign(t, j.claims(), []byte(creds.ClientSecret)))
	wantError(t, h6749.token(form, noAuth), 401, "invalid_client")
}

func init() {
	refused := func(t *testing.T, j *jwtHarness, jws string) {
		t.Helper()
		wantError(t, j.send(jws), 401, "invalid_client")
	}
	accepted := func(t *testing.T, j *jwtHarness, jws string) {
		t.Helper()
		mustToken(t, j.send(jws))
	}
	jwtCase := func(f Fault, check func(t *testing.T, j *jwtHarness)) {
		faultCases[f.Name] = func(t *testing.T, _ *harness) { check(t, startJWT(t, f)) }
	}
	jwtCase(FaultAssertionRefused, func(t *testing.T, j *jwtHarness) { refused(t, j, j.sign(t, j.claims(), nil)) })
	jwtCase(FaultAssertionAudUnchecked, func(t *testing.T, j *jwtHarness) {
		accepted(t, j, j.sign(t, with(j.claims(), "aud", "https://tokencert.invalid/token"), nil))
		refused(t, j, j.sign(t, j.claims(), otherES256(t)))
	})
	jwtCase(FaultAssertionExpUnchecked, func(t *testing.T, j *jwtHarness) {
		accepted(t, j, j.sign(t, with(j.claims(), "exp", time.Now().Add(-time.Hour).Unix()), nil))
		refused(t, j, j.sign(t, with(j.claims(), "aud", "x"), nil))
	})
	jwtCase(FaultAssertionIssSubUnchecked, func(t *testing.T, j *jwtHarness) {
		accepted(t, j, j.sign(t, with(j.claims(), "iss", nil), nil))
		accepted(t, j, j.sign(t, with(j.claims(), "sub", "nobody"), nil))
		refused(t, j, j.sign(t, j.claims(), otherES256(t)))
	})
	jwtCase(FaultAssertionAlgNoneAccepted, func(t *testing.T, j *jwtHarness) {
		accepted(t, j, j.sign(t, j.claims(), "none"))
		refused(t, j, j.sign(t, j.claims(), otherES256(t)))
	})
	jwtCase(FaultAssertionSignatureUnchecked, func(t *testing.T, j *jwtHarness) {
		accepted(t, j, j.sign(t, j.claims(), otherES256(t)))
		refused(t, j, j.sign(t, j.claims(), "none"))
	})
	jwtCase(FaultAssertionReplayAccepted, func(t *testing.T, j *jwtHarness) {
		jws := j.sign(t, j.claims(), nil)
		accepted(t, j, jws)
		accepted(t, j, jws)
		refused(t, j, j.sign(t, with(j.claims(), "aud", "x"), nil))
	})
}
