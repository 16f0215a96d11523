package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	model "github.com/tokencert/tokencert/result"
)

// refreshChecks are the rfc6749 requirements that need refresh tokens.
var refreshChecks = []string{"RFC6749-6-REFRESH-SUCCESS", "RFC9700-4.14.2-OLD-RT-REJECTED", "RFC6749-6-NO-SCOPE-ESCALATION",
	"RFC6749-10.4-RT-BOUND-TO-CLIENT", "RFC6749-5.2-INVALID-GRANT-REFRESH", "RFC7009-2-RT-REVOCATION", "RFC7009-2.1-RT-REVOCATION-CASCADE"}

// TestCodeAndDeviceOnlyClients: a client registered for the authorization
// code grant alone (or the device grant alone) and refresh gets every token
// the checks need through its grant: every refresh check runs and passes,
// the grant's own responses are examined by the fields checks, the error
// probes are built from its requests, and the run is a complete PASS (the
// other grants' checks do not apply to it and make nothing incomplete).
func TestCodeAndDeviceOnlyClients(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, grant, label string }{
		{"code", "authorization_code", "authorization_code grant"},
		{"device", "device_code", "device_code grant"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := tokencert(t, nil, "run", "--spec", "rfc6749", "--grants", c.grant+",refresh_token", "--lifetime", "1s", "--strict")
			if r.exit != 0 {
				t.Fatalf("exit %d, want 0\n%s", r.exit, failures(r))
			}
			run := r.report(t)
			for _, id := range refreshChecks {
				cs := checksOf(run, id)
				if len(cs) == 0 || slices.ContainsFunc(cs, func(ch model.Check) bool { return ch.Verdict != model.Pass }) {
					t.Errorf("%s: %+v, want every check passed", id, cs)
				}
			}
			examined := false
			for _, ch := range checksOf(run, "RFC6749-5.1-ACCESS-TOKEN") {
				for _, ex := range ch.Evidence {
					examined = examined || strings.HasPrefix(ex.Label, c.label)
				}
			}
			if !examined {
				t.Errorf("the fields checks did not examine a %s response", c.label)
			}
			for _, ch := range run.Checks {
				if ch.Incomplete {
					t.Errorf("%s is incomplete: %s", ch.Name, ch.Message)
				}
			}
		})
	}
}

// TestCodeOnlyClientWithoutLogin: a client registered for the code grant
// alone, with no way to log in, cannot be certified: the run is
// INCOMPLETE (exit 4) and names the key that would let it log in, never
// a PASS.
func TestCodeOnlyClientWithoutLogin(t *testing.T) {
	t.Parallel()
	srv := startRefserver(t, nil)
	tg := srv.Target()
	tg.Authorize, tg.Grants = nil, []string{"authorization_code", "refresh_token"}
	b, err := json.Marshal(tg)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "target.json")
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
	r := tokencert(t, nil, "run", "--target", file, "--label-filter", "!expiry && !device")
	if r.exit != 4 || !strings.Contains(r.stdout, "authorize") {
		t.Fatalf("exit %d, want 4 naming authorize\n%s", r.exit, r.stdout)
	}
}

// TestPerGrantSpec certifies a spec whose grants differ: scope required for
// the password grant alone, which issues no refresh token (Okta, Salesforce),
// and a refresh token from the code grant only (Cognito). The refresh
// checks draw their refresh tokens from the code grant.
func TestPerGrantSpec(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../specs/rfc6749.yaml")
	if err != nil {
		t.Fatal(err)
	}
	spec := strings.Replace(string(b), "name: rfc6749", "name: pergrant", 1)
	spec = strings.Replace(spec, "  - type: password\n", "  - {type: password, required: [scope], refresh_token: never}\n", 1)
	spec = strings.Replace(spec, "  - type: authorization_code\n", "  - {type: authorization_code, refresh_token: issued}\n", 1)
	dir := t.TempDir()
	path := filepath.Join(dir, "pergrant.yaml")
	if err := os.WriteFile(path, []byte(spec), 0o600); err != nil {
		t.Fatal(err)
	}
	r := tokencert(t, nil, "run", "--spec", path, "--lifetime", "1s", "--strict", "--label-filter", "!expiry && !device")
	if r.exit != 0 {
		t.Fatalf("exit %d, want 0\n%s", r.exit, failures(r))
	}
	run := r.report(t)
	for _, ch := range checksOf(run, "RFC6749-6-REFRESH-SUCCESS") {
		if !slices.ContainsFunc(ch.Evidence, func(ex model.Exchange) bool { return strings.HasPrefix(ex.Label, "authorization_code grant") }) {
			t.Errorf("the refresh check did not draw its refresh token from the code grant: %+v", ch.Evidence)
		}
	}
}

// TestDeviceGrantNotRegistered: a device authorization endpoint that
// refuses the client with unauthorized_client fails RFC8628-3.2 only when
// the target says the client is registered for the device grant; a server
// that offers the grant (its metadata, its endpoint) to other clients is
// not failed for refusing this one.
func TestDeviceGrantNotRegistered(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tg, caFile := tlsRef(t, dir, nil, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/device" {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusBadRequest)
				_, _ = w.Write([]byte(`{"error":"unauthorized_client","error_description":"the client may not use this grant"}`))
				return
			}
			h.ServeHTTP(w, r)
		})
	})
	base := strings.TrimSuffix(strings.TrimPrefix(strings.SplitN(tg, "\n", 2)[0], "endpoint: "), "/token")
	tg += "ca_file: " + caFile + "\ndevice_authorization: " + base + "/device\n"
	for _, c := range []struct {
		name, grants string
		exit         int
		verdict      string
	}{
		{"unlisted", "", 0, model.Skip},
		{"registered", "grants: [client_credentials, device_code]\n", 1, model.Fail},
	} {
		t.Run(c.name, func(t *testing.T) {
			file := filepath.Join(dir, c.name+".yaml")
			if err := os.WriteFile(file, []byte(tg+c.grants), 0o600); err != nil {
				t.Fatal(err)
			}
			r := tokencert(t, nil, "run", "--target", file, "--label-filter", "RFC8628-3.2-DEVICE-RESPONSE")
			cs := checksOf(r.report(t), "RFC8628-3.2-DEVICE-RESPONSE")
			if r.exit != c.exit || len(cs) != 1 || cs[0].Verdict != c.verdict {
				t.Errorf("exit %d, checks %+v; want exit %d, %s", r.exit, cs, c.exit, c.verdict)
			}
		})
	}
}
