package main

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokencert/tokencert/refserver"
	"github.com/tokencert/tokencert/specs"
)

// TestEndpointUserinfoIsClientCredentials certifies the dot reference
// server through an endpoint written as the dot document's samples write
// it, https://{CLIENT_ID}:{CLIENT_SECRET}@{ENV}/o/token/: the target file
// has no client_id or client_secret key, so the run passes only if the
// userinfo became the client credentials and was sent as HTTP Basic. The
// secret, in any encoding, and the userinfo itself appear nowhere in
// stdout, stderr or the report bundle.
func TestEndpointUserinfoIsClientCredentials(t *testing.T) {
	t.Parallel()
	spec, err := specs.Load("dot")
	if err != nil {
		t.Fatal(err)
	}
	creds := &refserver.Credentials{
		ClientID: "dot-client", ClientSecret: "Dot+S3cret/with:colon@and%pct",
		Username: "alice", Password: "Pa ss&w0rd%ALICE",
	}
	srv, err := refserver.New(refserver.Options{Spec: spec, Credentials: creds})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	st := srv.Target()
	endpoint, err := url.Parse(st.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	userinfo := url.UserPassword(creds.ClientID, creds.ClientSecret).String()

	dir := t.TempDir()
	file := filepath.Join(dir, "target.yaml")
	yaml := "spec: dot\n" +
		"endpoint: " + endpoint.Scheme + "://${T_USERINFO}@" + endpoint.Host + endpoint.Path + "\n" +
		"username: alice\npassword: ${T_PASSWORD}\nscope: " + st.Scope + "\n" +
		"resource: " + st.Resource + "\nmax_wait: 30s\n"
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	r := tokencert(t, []string{"T_USERINFO=" + userinfo, "T_PASSWORD=" + creds.Password},
		"run", "--target", file, "--skew", "1s")
	// Without a second client the refresh-binding check cannot run: the
	// run is incomplete (exit 4), and nothing failed.
	if r.exit != 4 || !strings.Contains(r.stdout, "add the target keys other_client_id and other_client_secret to the target file") {
		t.Fatalf("exit %d, want 4 naming other_client_id\n%s", r.exit, failures(r))
	}
	passed := map[string]bool{}
	for _, tc := range r.cases() {
		if tc.Failure == nil && tc.Error == nil && tc.Skipped == nil {
			passed[property(tc, "requirement")] = true
		}
	}
	for _, id := range []string{"RFC6749-2.3.1-BASIC-SUPPORT", "DOT-FORM-BODY", "RFC6749-4.3-PASSWORD-SUCCESS", "RFC6749-6-REFRESH-SUCCESS"} {
		if !passed[id] {
			t.Errorf("%s did not pass: the endpoint's userinfo was not used as the client credentials\n%s", id, r.stdout)
		}
	}

	expectNoSecrets(t, r, map[string]string{"client secret": creds.ClientSecret, "password": creds.Password, "userinfo": userinfo})
}
