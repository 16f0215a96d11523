package refserver

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tokencert/tokencert/target"

	"sigs.k8s.io/yaml"
)

func TestNewRefusesBadOptions(t *testing.T) {
	t.Parallel()
	spec := loadSpec(t, "rfc6749")
	for name, o := range map[string]Options{
		"no spec":           {},
		"negative lifetime": {Spec: spec, Lifetime: -time.Second},
		"negative latency":  {Spec: spec, Latency: -time.Second},
		"unknown fault":     {Spec: spec, Faults: []Fault{{Name: "no-such-fault"}}},
		"altered fault":     {Spec: spec, Faults: []Fault{{Name: FaultStatus201.Name, Breaks: "RFC6749-5.1-ACCESS-TOKEN"}}},
		"same client ids":   {Spec: spec, Credentials: &Credentials{ClientID: "a", OtherClientID: "a"}},
	} {
		if _, err := New(o); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
}

func TestTargetDescribesTheServer(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	tg := h.srv.Target()
	if !strings.HasPrefix(h.base, "http://127.0.0.1:") {
		t.Errorf("URL %q, want http://127.0.0.1:PORT", h.base)
	}
	want := target.Target{
		Spec: "rfc6749", Endpoint: h.base + "/token",
		ClientID: testCreds.ClientID, ClientSecret: testCreds.ClientSecret,
		Username: testCreds.Username, Password: testCreds.Password, Scope: "read write",
		Resource: h.base + "/resource", Introspection: h.base + "/introspect", Authorization: h.base + "/authorize", DeviceAuthorization: h.base + "/device", Revocation: h.base + "/revoke",
		Authorize:     &target.Authorize{RedirectURI: RedirectURI, Form: true, Deny: "deny"},
		OtherClientID: testCreds.OtherClientID, OtherClientSecret: testCreds.OtherClientSecret,
		PublicClientID: h.srv.PublicClientID(),
	}
	if !reflect.DeepEqual(tg, want) {
		t.Errorf("Target() = %+v\nwant %+v", tg, want)
	}
	// The printed line is a target file: JSON, hence YAML.
	line, err := json.Marshal(tg)
	if err != nil {
		t.Fatal(err)
	}
	var back target.Target
	if err := yaml.UnmarshalStrict(line, &back); err != nil || !reflect.DeepEqual(back, tg) {
		t.Errorf("the JSON line does not read back as YAML: %v, %+v", err, back)
	}
}

func TestRandomCredentials(t *testing.T) {
	t.Parallel()
	a, err := New(Options{Spec: loadSpec(t, "rfc6749")})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := New(Options{Spec: loadSpec(t, "rfc6749")})
	ca, cb := a.Target(), b.Target()
	for _, v := range []string{ca.ClientID, ca.ClientSecret, ca.Username, ca.Password, ca.OtherClientID, ca.OtherClientSecret} {
		if v == "" {
			t.Fatalf("empty credential in %+v", ca)
		}
	}
	if ca.ClientSecret == cb.ClientSecret || ca.Password == cb.Password || ca.ClientID == ca.OtherClientID {
		t.Errorf("credentials are not random: %+v, %+v", ca, cb)
	}
	if len(ca.ClientSecret) < 43 {
		t.Errorf("client secret %q has fewer than 256 bits", ca.ClientSecret)
	}
}

func TestPartialCredentialsAreCompleted(t *testing.T) {
	t.Parallel()
	s, err := New(Options{Spec: loadSpec(t, "rfc6749"), Credentials: &Credentials{ClientID: "mine", ClientSecret: "secret"}})
	if err != nil {
		t.Fatal(err)
	}
	tg := s.Target()
	if tg.ClientID != "mine" || tg.ClientSecret != "secret" || tg.OtherClientID == "" || tg.Password == "" {
		t.Errorf("Target() = %+v", tg)
	}
}

func TestStartAndClose(t *testing.T) {
	t.Parallel()
	s, err := New(Options{Spec: loadSpec(t, "rfc6749")})
	if err != nil {
		t.Fatal(err)
	}
	if s.URL() != "" || s.Close() != nil {
		t.Fatal("before Start: URL is set or Close fails")
	}
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	if err := s.Start("127.0.0.1:0"); err == nil {
		t.Error("a second Start succeeded")
	}
	u := s.URL()
	if _, err := http.Get(u + "/resource"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get(u + "/resource"); err == nil {
		t.Error("the server still answers after Close")
	}
}

// The handler works under httptest too.
func TestHandlerWithHTTPTest(t *testing.T) {
	t.Parallel()
	c := testCreds
	s, err := New(Options{Spec: loadSpec(t, "rfc6749"), Credentials: &c})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	h := &harness{t: t, srv: s, spec: s.spec, base: ts.URL}
	mustToken(t, h.token(ccForm(), mainBasic))
	if r := h.send(mustRequest(t, http.MethodGet, ts.URL+"/elsewhere")); r.status != http.StatusNotFound {
		t.Errorf("unknown path: %d", r.status)
	}
}

func mustRequest(t testing.TB, method, u string) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestLatencyDelaysEveryResponse(t *testing.T) {
	t.Parallel()
	const latency = 150 * time.Millisecond
	h := start(t, Options{Latency: latency})
	for _, do := range []func(){
		func() { mustToken(t, h.token(ccForm(), mainBasic)) },
		func() { h.resource("") },
		func() { h.introspect("x", mainBasic) },
	} {
		began := time.Now()
		do()
		if d := time.Since(began); d < latency {
			t.Errorf("answered after %s, want at least %s", d, latency)
		}
	}
}

// A request abandoned during the delay is never served.
func TestLatencyRespectsTheRequestContext(t *testing.T) {
	t.Parallel()
	h := start(t, Options{Latency: 300 * time.Millisecond})
	req, _ := http.NewRequestWithContext(withTimeout(t, 50*time.Millisecond), http.MethodPost, h.base+"/token",
		strings.NewReader(ccForm().Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", basicHeader(testCreds.ClientID, testCreds.ClientSecret))
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Fatal("the request did not time out")
	}
	time.Sleep(400 * time.Millisecond)
	h.srv.store.mu.Lock()
	n := len(h.srv.store.access)
	h.srv.store.mu.Unlock()
	if n != 0 {
		t.Errorf("%d tokens issued for an abandoned request", n)
	}
}

func TestBodyIsBounded(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	body := ccForm().Encode() + "&pad=" + strings.Repeat("a", maxBody)
	r := h.raw(http.MethodPost, body, mainBasic)
	wantError(t, r, http.StatusRequestEntityTooLarge, "invalid_request")
}

func TestHTTPServerTimeouts(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	h.srv.mu.Lock()
	defer h.srv.mu.Unlock()
	if h.srv.http.ReadHeaderTimeout <= 0 {
		t.Error("no ReadHeaderTimeout")
	}
}

func TestExpiresInRoundsUp(t *testing.T) {
	t.Parallel()
	for lifetime, want := range map[time.Duration]string{
		300 * time.Millisecond: "1", time.Second: "1", 1500 * time.Millisecond: "2", time.Hour: "3600",
	} {
		h := start(t, Options{Lifetime: lifetime})
		m := mustToken(t, h.token(ccForm(), mainBasic))
		if n, ok := m["expires_in"].(json.Number); !ok || n.String() != want {
			t.Errorf("lifetime %s: expires_in %v, want the JSON number %s", lifetime, m["expires_in"], want)
		}
	}
}

func TestDefaultLifetimeIsTheSpecs(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	if h.srv.lifetime != h.spec.Refserver.Lifetime.Duration {
		t.Errorf("lifetime %s, want the spec's %s", h.srv.lifetime, h.spec.Refserver.Lifetime)
	}
}

func TestTokensAreRandomAndLong(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	seen := map[string]bool{}
	for range 20 {
		m := mustToken(t, h.token(passwordForm(), mainBasic))
		for _, k := range []string{"access_token", "refresh_token"} {
			v, _ := m[k].(string)
			if raw, err := base64.RawURLEncoding.DecodeString(v); err != nil || len(raw) < 32 {
				t.Fatalf("%s %q is not 256 bits of base64url: %v", k, v, err)
			}
			if seen[v] {
				t.Fatalf("%s repeated", k)
			}
			seen[v] = true
		}
	}
}
