package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tokencert/tokencert/refserver"
	"github.com/tokencert/tokencert/specs"
)

// startRefserver starts a conformant rfc6749 reference server over plain
// HTTP on loopback, with the given credentials.
func startRefserver(t *testing.T, creds *refserver.Credentials) *refserver.Server {
	t.Helper()
	spec, err := specs.Load("rfc6749")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := refserver.New(refserver.Options{Spec: spec, Credentials: creds})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// TestIssuerPublicClientSuppliedRefreshToken certifies a public client
// that has only a refresh token obtained elsewhere, against a target that
// names the issuer and no endpoint: the metadata fills in the token and
// introspection endpoints (and the report says so), the refresh check
// redeems the given token and says it consumed it, and the token appears
// in no output.
func TestIssuerPublicClientSuppliedRefreshToken(t *testing.T) {
	t.Parallel()
	creds := &refserver.Credentials{Username: "alice", Password: "alice-Pa55word-xyz"}
	srv := startRefserver(t, creds)
	st := srv.Target()
	// The refresh token "obtained elsewhere": the public client's password grant.
	resp, err := http.PostForm(st.Endpoint, url.Values{"grant_type": {"password"}, "username": {creds.Username},
		"password": {creds.Password}, "client_id": {srv.PublicClientID()}, "scope": {st.Scope}})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		RefreshToken string `json:"refresh_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || tok.RefreshToken == "" {
		t.Fatalf("the public client got no refresh token: status %d, %v", resp.StatusCode, err)
	}

	file := filepath.Join(t.TempDir(), "target.yaml")
	yaml := "issuer: " + srv.URL() + "\nclient_id: " + srv.PublicClientID() + "\nclient_auth: [none]\n" +
		"refresh_token: ${T_RT}\nscope: " + st.Scope + "\nresource: " + st.Resource + "\nmax_wait: 30s\n"
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	r := tokencert(t, []string{"T_RT=" + tok.RefreshToken}, "run", "--target", file, "--skew", "1s", "--label-filter", "!expiry")
	// Without a grant that issues tokens directly, the plain probes cannot
	// run: incomplete, and nothing failed.
	if r.exit != 4 {
		t.Fatalf("exit %d, want 4\n%s", r.exit, failures(r))
	}
	if !strings.Contains(r.stdout, "from the metadata of issuer "+srv.URL()) || !strings.Contains(r.stdout, "endpoint (token_endpoint)") {
		t.Errorf("stdout does not say what came from the metadata:\n%s", r.stdout)
	}
	var rep struct {
		Discovery struct {
			URL    string   `json:"url"`
			Filled []string `json:"filled"`
		} `json:"discovery"`
		Checks []struct {
			ID, Verdict string
			Notes       []string
		} `json:"checks"`
	}
	b, err := os.ReadFile(filepath.Join(r.dir, "report", "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"endpoint (token_endpoint)", "introspection (introspection_endpoint)"} {
		if !slices.Contains(rep.Discovery.Filled, k) {
			t.Errorf("report.json discovery.filled %q lacks %q", rep.Discovery.Filled, k)
		}
	}
	// The grants the server offers are not what the client is registered
	// for: they never fill the target's grants.
	if slices.ContainsFunc(rep.Discovery.Filled, func(k string) bool { return strings.HasPrefix(k, "grants") }) {
		t.Errorf("report.json discovery.filled %q fills grants from grant_types_supported", rep.Discovery.Filled)
	}
	verdicts := map[string]string{}
	consumed := false
	for _, c := range rep.Checks {
		verdicts[c.ID] = c.Verdict
		for _, n := range c.Notes {
			consumed = consumed || (c.ID == "RFC6749-6-REFRESH-SUCCESS" && strings.Contains(n, "consumes it"))
		}
	}
	for id, want := range map[string]string{"RFC6749-6-REFRESH-SUCCESS": "pass", "RFC9700-4.14.2-OLD-RT-REJECTED": "pass",
		"RFC9700-2.2.2-PUBLIC-CLIENT-RT-PROTECTION": "pass",
		"RFC6749-2.3.1-BASIC-SUPPORT":               "skip", "RFC6749-3.2.1-AUTH-REQUIRED": "skip"} {
		if verdicts[id] != want {
			t.Errorf("%s: %s, want %s\n%s", id, verdicts[id], want, failures(r))
		}
	}
	if !consumed {
		t.Errorf("the refresh check does not say it consumed the given refresh token")
	}
	expectNoSecrets(t, r, map[string]string{"refresh token": tok.RefreshToken})
}

// TestBrowserAuthorize gets an authorization code with headless Chromium
// through the reference server's login form (target key
// authorize.browser), and redeems it; the password typed and the code
// appear in no output.
func TestBrowserAuthorize(t *testing.T) {
	t.Parallel()
	bin := ""
	for _, name := range []string{"/usr/bin/chromium", "chromium"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is not installed; .ci/run installs it (apt-get install chromium)")
		}
		t.Skip("chromium is not installed")
	}
	creds := &refserver.Credentials{Username: "alice", Password: "browser-Typed-Pa55"}
	srv := startRefserver(t, creds)
	st := srv.Target()
	file := filepath.Join(t.TempDir(), "target.yaml")
	yaml := "endpoint: " + st.Endpoint + "\nclient_id: " + st.ClientID + "\nclient_secret: ${T_SECRET}\n" +
		"username: alice\npassword: ${T_PASSWORD}\nscope: " + st.Scope + "\nauthorization: " + st.Authorization + "\n" +
		"authorize:\n  redirect_uri: " + refserver.RedirectURI + "\n  timeout: 45s\n  browser:\n" +
		"    username: '#username'\n    password: '#password'\n    submit: '#submit'\n    chromium: " + bin + "\n"
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	r := tokencert(t, []string{"T_SECRET=" + st.ClientSecret, "T_PASSWORD=" + creds.Password},
		"run", "--target", file, "--label-filter", "RFC6749-4.1.3-CODE-EXCHANGE || RFC6749-4.1.2-STATE-ECHOED")
	if r.exit != 0 || !strings.Contains(r.stdout, "(1 authorization code)") {
		t.Fatalf("exit %d, want 0 with one code\n%s\n%s", r.exit, failures(r), r.stdout)
	}
	expectNoSecrets(t, r, map[string]string{"password": creds.Password, "client secret": st.ClientSecret})
}
