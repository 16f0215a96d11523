package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/tokencert/tokencert/refserver"
	"github.com/tokencert/tokencert/specs"
)

// tokenRecorder wraps the reference server and remembers every access and
// refresh token it hands out, so the test knows the values to look for.
type tokenRecorder struct {
	next   http.Handler
	mu     sync.Mutex
	tokens map[string]bool
}

func (t *tokenRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Authorization codes and PKCE verifiers are secrets too.
	b, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(strings.NewReader(string(b)))
	rec := httptest.NewRecorder()
	t.next.ServeHTTP(rec, r)
	if q, err := url.ParseQuery(string(b)); err == nil && q.Get("code_verifier") != "" {
		t.mu.Lock()
		t.tokens[q.Get("code_verifier")] = true
		t.mu.Unlock()
	}
	if loc, err := url.Parse(rec.Header().Get("Location")); err == nil && loc.Query().Get("code") != "" {
		t.mu.Lock()
		t.tokens[loc.Query().Get("code")] = true
		t.mu.Unlock()
	}
	var body map[string]any
	if json.Unmarshal(rec.Body.Bytes(), &body) == nil {
		t.mu.Lock()
		for _, k := range []string{"access_token", "refresh_token", "device_code", "user_code"} {
			if s, ok := body[k].(string); ok && len(s) >= 4 {
				t.tokens[s] = true
			}
		}
		t.mu.Unlock()
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = io.Copy(w, rec.Body)
}

// faultyRefserver is the reference server speaking the built-in spec name
// with creds, and with fault unless it is "".
func faultyRefserver(t *testing.T, name string, creds *refserver.Credentials, fault string) *refserver.Server {
	t.Helper()
	spec, err := specs.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	opts := refserver.Options{Spec: spec, Credentials: creds}
	if fault != "" {
		f, err := refserver.FaultByName(fault)
		if err != nil {
			t.Fatal(err)
		}
		opts.Faults = []refserver.Fault{f}
	}
	srv, err := refserver.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

// TestNoSecretInAnyOutput runs the whole suite, with a fault so that
// failure messages and evidence are written too, against a reference server
// with known secrets, and looks for every secret and every issued token,
// raw and in its URL-encoded and base64 forms, in stdout, stderr and every
// file of the report bundle.
func TestNoSecretInAnyOutput(t *testing.T) {
	t.Parallel()
	for _, fault := range []string{"", "refresh-any-client", "basic-401-no-challenge"} {
		t.Run("fault="+fault, func(t *testing.T) {
			t.Parallel()
			creds := &refserver.Credentials{
				ClientID: "client-one", ClientSecret: "S3cr3t+Client/Secret=1",
				Username: "alice", Password: "Pa ss&w0rd%ALICE",
				OtherClientID: "client-two", OtherClientSecret: "Other+Secret/Two==",
			}
			srv := faultyRefserver(t, "rfc6749", creds, fault)
			rec := &tokenRecorder{next: srv.Handler(), tokens: map[string]bool{}}
			ts := httptest.NewServer(rec)
			defer ts.Close()

			target := srv.Target()
			dir := t.TempDir()
			file := filepath.Join(dir, "target.yaml")
			yaml := "spec: rfc6749\n" +
				"endpoint: " + ts.URL + "/token\n" +
				"client_id: client-one\nclient_secret: ${T_SECRET}\n" +
				"username: alice\npassword: ${T_PASSWORD}\nscope: " + target.Scope + "\n" +
				"resource: " + ts.URL + "/resource\nintrospection: " + ts.URL + "/introspect\n" +
				"other_client_id: client-two\nother_client_secret: ${T_OTHER}\nmax_wait: 30s\n" +
				"authorization: " + ts.URL + "/authorize\n" +
				"authorize:\n  redirect_uri: " + refserver.RedirectURI + "\n" +
				"  command: 'curl -s -o /dev/null -w \"%{redirect_url}\" --data \"${TOKENCERT_AUTHORIZATION_URL#*\\?}&username=alice&password=$T_PW_FORM\" \"${TOKENCERT_AUTHORIZATION_URL%%\\?*}\"'\n" +
				"device_authorization: " + ts.URL + "/device\n"
			if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			r := tokencert(t, []string{"T_SECRET=" + creds.ClientSecret, "T_PASSWORD=" + creds.Password, "T_OTHER=" + creds.OtherClientSecret,
				"T_PW_FORM=" + url.QueryEscape(creds.Password)},
				"run", "--target", file, "--skew", "1s", "--max-wait", "1s")
			if len(r.cases()) == 0 {
				t.Fatalf("no report written (exit %d)\n%s\n%s", r.exit, r.stdout, r.stderr)
			}
			secrets := map[string]string{"client secret": creds.ClientSecret, "password": creds.Password, "other client's secret": creds.OtherClientSecret}
			rec.mu.Lock()
			for tok := range rec.tokens {
				secrets[fmt.Sprintf("token #%d", len(secrets)-2)] = tok
			}
			rec.mu.Unlock()
			if !regexp.MustCompile(`\(\d+ authorization codes?\)`).MatchString(r.stdout) {
				t.Errorf("the run obtained no authorization code through the authorize command:\n%s", r.stdout)
			}
			for _, tc := range r.cases() {
				if fault == "" && property(tc, "requirement") == "RFC8628-3.5-SUCCESS" && (tc.Failure != nil || tc.Error != nil || tc.Skipped != nil) {
					t.Errorf("the device was not approved through the authorize command: %s", tc.Name)
				}
			}
			if len(secrets) < 6 {
				t.Fatalf("only %d tokens were issued; the run did not exercise the server", len(secrets)-3)
			}
			expectNoSecrets(t, r, secrets)
		})
	}
}

func forms(s string) map[string]string {
	return map[string]string{
		"raw":         s,
		"query":       url.QueryEscape(s),
		"path":        url.PathEscape(s),
		"base64":      base64.StdEncoding.EncodeToString([]byte(s)),
		"base64-raw":  base64.RawStdEncoding.EncodeToString([]byte(s)),
		"base64url":   base64.RawURLEncoding.EncodeToString([]byte(s)),
		"basic-creds": strings.TrimRight(base64.StdEncoding.EncodeToString([]byte(url.QueryEscape("client-one")+":"+url.QueryEscape(s))), "="),
	}
}

// TestCommonWordSecrets certifies a reference server whose client secret
// is "secret" and whose user's password is "password": words the report's
// own prose is full of ("client_secret", "the password grant"). The run
// passes and writes its whole bundle (no false SECRET LEAK), the words
// stay readable in the prose, and neither secret appears where it stands
// as the secret: a form parameter's value, a quoted JSON value, HTTP Basic
// credentials.
func TestCommonWordSecrets(t *testing.T) {
	t.Parallel()
	const secret, password = "secret", "password"
	creds := &refserver.Credentials{ClientID: "client-one", ClientSecret: secret, Username: "alice", Password: password,
		OtherClientID: "client-two", OtherClientSecret: "other-secret-0123456789"}
	r := runRefTarget(t, refserver.Options{Credentials: creds}, nil, "--label-filter", "!expiry")
	if r.exit != 0 || strings.Contains(r.stderr, "SECRET LEAK") {
		t.Fatalf("exit %d, want 0 without a leak alarm\n%s\n%s", r.exit, r.stderr, failures(r))
	}
	out := r.outputs(t)
	if _, ok := out["MANIFEST.json"]; !ok {
		t.Fatalf("the bundle has no MANIFEST.json: %v", slices.Sorted(maps.Keys(out)))
	}
	// The evidence shows the secret parameters, redacted where they stand.
	if !bytes.Contains(out["report.json"], []byte(`client_secret=[client_secret#`)) || !bytes.Contains(out["report.json"], []byte(`password=[password#`)) {
		t.Error("report.json has no redacted client_secret or password parameter: the run did not send them")
	}
	// The secret as a parameter's or a member's value, raw, JSON-escaped or
	// HTML-escaped.
	quote := `(\\?"|&#34;|&quot;)?`
	value := regexp.MustCompile(`(client_secret|password)` + quote + `\s*[=:]\s*` + quote + `(` + secret + `|` + password + `)([^A-Za-z0-9_]|$)`)
	basic := []string{base64.StdEncoding.EncodeToString([]byte(creds.ClientID + ":" + secret)), base64.StdEncoding.EncodeToString([]byte(creds.Username + ":" + password))}
	for name, b := range out {
		if m := value.Find(b); m != nil {
			t.Errorf("%s has a secret as a value: %q", name, m)
		}
		for _, c := range basic {
			if bytes.Contains(b, []byte(c)) {
				t.Errorf("%s has Basic credentials of a secret", name)
			}
		}
		if bytes.Contains(b, []byte("client_[")) {
			t.Errorf("%s has a fingerprint inside the word client_secret", name)
		}
	}
	// The words stay words where they are no secret: in prose, and as the
	// grant_type of the password grant.
	if !bytes.Contains(out["report.json"], []byte("client_secret")) || !bytes.Contains(out["report.json"], []byte("password grant")) ||
		!bytes.Contains(out["report.json"], []byte(`grant_type=password\u0026`)) {
		t.Error("report.json lost the words client_secret and password where they are no secret")
	}
}
