package refserver

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tokencert/tokencert/specs"
)

// testCreds have secrets with characters that HTTP Basic must carry
// form-urlencoded (RFC 6749 §2.3.1).
var testCreds = Credentials{
	ClientID: "client one", ClientSecret: "s3cr:t+/%&é",
	Username: "alice", Password: "pa ss+word",
	OtherClientID: "client-two", OtherClientSecret: "other-secret",
}

func loadSpec(t testing.TB, name string) *specs.Spec {
	t.Helper()
	s, err := specs.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// harness is a started server and a client for it.
type harness struct {
	t    testing.TB
	srv  *Server
	spec *specs.Spec
	base string
}

// start starts a server on 127.0.0.1; o.Spec defaults to rfc6749 and
// o.Credentials to testCreds.
func start(t testing.TB, o Options) *harness {
	t.Helper()
	if o.Spec == nil {
		o.Spec = loadSpec(t, "rfc6749")
	}
	if o.Credentials == nil {
		c := testCreds
		o.Credentials = &c
	}
	srv, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return &harness{t: t, srv: srv, spec: o.Spec, base: srv.URL()}
}

// auth is how a test request authenticates the client.
type auth struct{ method, id, secret string }

var noAuth = auth{}

func basic(id, secret string) auth  { return auth{"basic", id, secret} }
func inBody(id, secret string) auth { return auth{"body", id, secret} }

var (
	mainBasic  = basic(testCreds.ClientID, testCreds.ClientSecret)
	mainBody   = inBody(testCreds.ClientID, testCreds.ClientSecret)
	otherBasic = basic(testCreds.OtherClientID, testCreds.OtherClientSecret)
)

func basicHeader(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
}

// reply is a response, read whole.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// obj decodes the body as a JSON object (numbers as json.Number).
func (r reply) obj(t testing.TB) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("body %q is not a JSON object: %v", r.body, err)
	}
	return m
}

// str returns a string member of the body, or "".
func (r reply) str(t testing.TB, name string) string {
	t.Helper()
	s, _ := r.obj(t)[name].(string)
	return s
}

// send does a request and reads the response.
func (h *harness) send(req *http.Request) reply {
	h.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return reply{resp.StatusCode, resp.Header, b}
}

// raw sends a token request with a raw body.
func (h *harness) raw(method, body string, a auth) reply {
	h.t.Helper()
	return h.form(method, h.spec.Request.Path, body, a)
}

// form sends a form-encoded body to path, with Basic credentials when a
// says so.
func (h *harness) form(method, path, body string, a auth) reply {
	h.t.Helper()
	req, err := http.NewRequest(method, h.base+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if a.method == "basic" {
		req.Header.Set("Authorization", basicHeader(a.id, a.secret))
	}
	return h.send(req)
}

// token sends a form token request.
func (h *harness) token(form url.Values, a auth) reply {
	h.t.Helper()
	form = cloneValues(form)
	if a.method == "body" {
		form.Set("client_id", a.id)
		form.Set("client_secret", a.secret)
	}
	return h.raw(http.MethodPost, form.Encode(), a)
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func ccForm() url.Values { return url.Values{"grant_type": {"client_credentials"}} }

func passwordForm() url.Values {
	return url.Values{"grant_type": {"password"}, "username": {testCreds.Username}, "password": {testCreds.Password}}
}

func refreshForm(rt string) url.Values {
	return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}
}

func withValue(v url.Values, k, val string) url.Values {
	v = cloneValues(v)
	if val == "" {
		v.Del(k)
	} else {
		v.Set(k, val)
	}
	return v
}

// resource presents a token to the protected resource.
func (h *harness) resource(authorization string) reply {
	h.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, h.base+"/resource", nil)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	return h.send(req)
}

// introspect asks the introspection endpoint about a token.
func (h *harness) introspect(token string, a auth) reply {
	h.t.Helper()
	return h.form(http.MethodPost, "/introspect", url.Values{"token": {token}}.Encode(), a)
}

// active reports what introspection says of a token.
func (h *harness) active(token string) bool {
	h.t.Helper()
	r := h.introspect(token, mainBasic)
	if r.status != 200 {
		h.t.Fatalf("introspection: %d %s", r.status, r.body)
	}
	a, ok := r.obj(h.t)["active"].(bool)
	if !ok {
		h.t.Fatalf("introspection: active is not a boolean: %s", r.body)
	}
	return a
}

// mustToken asserts a 200 and returns the body.
func mustToken(t testing.TB, r reply) map[string]any {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status %d, want 200: %s", r.status, r.body)
	}
	return r.obj(t)
}

// wantError asserts an error response with status and code.
func wantError(t testing.TB, r reply, status int, code string) {
	t.Helper()
	if r.status != status {
		t.Errorf("status %d, want %d: %s", r.status, status, r.body)
	}
	if got := r.str(t, "error"); got != code {
		t.Errorf("error %q, want %q: %s", got, code, r.body)
	}
}

// sleepPast sleeps until d after start.
func sleepPast(start time.Time, d time.Duration) { time.Sleep(time.Until(start.Add(d))) }

func withTimeout(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
