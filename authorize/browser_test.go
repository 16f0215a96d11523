package authorize

import (
	"context"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokencert/tokencert/refserver"
	"github.com/tokencert/tokencert/specs"
)

// chromium finds Debian's Chromium; without it the browser tests skip,
// except in CI, which installs it.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed; .ci/run installs it (apt-get install chromium)")
	}
	t.Skip("chromium is not installed")
	return ""
}

// TestBrowserLogin logs in to the reference server's form with headless
// Chromium and captures the redirect; a selector that matches nothing and
// a login that never redirects are errors within the timeout that say
// where the browser stopped, with a screenshot.
func TestBrowserLogin(t *testing.T) {
	bin := chromium(t)
	spec, err := specs.Load("rfc6749")
	if err != nil {
		t.Fatal(err)
	}
	creds := &refserver.Credentials{Username: "alice", Password: "browser-Pa55"}
	srv, err := refserver.New(refserver.Options{Spec: spec, Credentials: creds})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	tg := srv.Target()
	q := url.Values{"response_type": {"code"}, "client_id": {tg.ClientID}, "redirect_uri": {refserver.RedirectURI}, "state": {"s1"},
		// The reference server requires PKCE (RFC 9700 §2.1.1); the
		// challenge of the verifier "v" (RFC 7636 §4.2, S256).
		"code_challenge": {"TJRIXgwhrmxBzh3-e2v6zupato5AokdvUCCOUm9QYIA"}, "code_challenge_method": {"S256"}}
	authURL := ts.URL + "/authorize?" + q.Encode()
	shots := t.TempDir()
	b := func(password, user string) *Browser {
		return &Browser{Chromium: bin, Username: creds.Username, Password: password, UserSelector: user,
			PasswordSelector: "#password", SubmitSelector: "#submit", RedirectURI: refserver.RedirectURI, Screenshots: shots}
	}
	run := func(br *Browser, limit time.Duration) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), limit)
		defer cancel()
		return br.Authorize(ctx, authURL)
	}

	got, err := run(b(creds.Password, "#username"), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(got)
	if !strings.HasPrefix(got, refserver.RedirectURI) || u.Query().Get("code") == "" || u.Query().Get("state") != "s1" {
		t.Errorf("captured %q, want the redirect with a code and the state", got)
	}

	for name, c := range map[string]struct {
		br   *Browser
		want string
	}{
		"selector matches nothing": {b(creds.Password, "#no-such-input"), "did not finish within the authorize timeout"},
		"never redirects":          {b("wrong-password", "#username"), "did not reach the redirect_uri"},
	} {
		_, err := run(c.br, 5*time.Second)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "title \"tokencert reference server: sign in\"") {
			t.Errorf("%s: error %v, want one saying %q and where the browser stopped", name, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "wrong-password") {
			t.Errorf("%s: the error repeats the password", name)
		}
	}
	if ms, _ := filepath.Glob(filepath.Join(shots, "login-*.png")); len(ms) != 2 {
		t.Errorf("screenshots %v, want one per failed login", ms)
	}
}
