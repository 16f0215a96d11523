package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokencert/tokencert/refserver"
	model "github.com/tokencert/tokencert/result"
	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/suites/wire"
)

// report reads the run's report.json.
func (r result) report(t *testing.T) model.Run {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(r.dir, "report", "report.json"))
	if err != nil {
		t.Fatalf("no report written: %v\n%s%s", err, r.stdout, r.stderr)
	}
	var run model.Run
	if err := json.Unmarshal(b, &run); err != nil {
		t.Fatal(err)
	}
	return run
}

// check returns the report's checks of requirement id.
func checksOf(run model.Run, id string) []model.Check {
	var out []model.Check
	for _, c := range run.Checks {
		if c.ID == id {
			out = append(out, c)
		}
	}
	return out
}

// slack is what a run may take beyond its requests' timeouts: start-up,
// the checks themselves, a loaded machine. Generous on purpose: the bound
// only has to tell "a few timeouts" from "a timeout per check".
const slack = 20 * time.Second

// TestHostileEndpoints runs tokencert against each hostile fault of the
// reference server with --request-timeout 1s: the run finishes, writes its
// report, exits 1, and the check of the broken requirement fails with a
// message that says what happened, quoting a short redacted excerpt where
// there is a body. A hanging endpoint gets at most wire.DefaultMaxStalls
// requests, so the run costs that many timeouts, not one per check.
func TestHostileEndpoints(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		fault refserver.Fault
		want  []string // in the message of a check of fault.Breaks
	}{
		{refserver.FaultHang, []string{"no response within 1s"}},
		// The first requests (the expiry and lifetime checks' own tokens)
		// meet the trickle; STATUS-200's then is not sent to the stalled host.
		{refserver.FaultSlow, []string{"response within 1s"}},
		{refserver.FaultReset, []string{"the endpoint reset the connection before answering"}},
		{refserver.FaultRedirect, []string{"→ 307: the token endpoint redirected to https://127.0.0.1:", "/moved/token; tokencert does not follow redirects with credentials"}},
		{refserver.FaultHugeBody, []string{"response body exceeds the 1 MiB cap", `→ 200, body exceeds the 1 MiB cap: {"access_token":"[access_token#`}},
		{refserver.FaultGarbageJSON, []string{"body is not JSON: unexpected EOF", `→ 200 {"access_token":"[access_token#`}},
		{refserver.FaultHTMLError, []string{`Content-Type "text/html; charset=utf-8", want application/json`, "body is HTML or XML, not JSON", "<title>401 Unauthorized</title>"}},
	} {
		t.Run(tc.fault.Name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			r := tokencert(t, nil, "run", "--lifetime", "1s", "--fault", tc.fault.Name, "--request-timeout", "1s")
			elapsed := time.Since(start)
			if r.exit != 1 {
				t.Errorf("exit %d, want 1\n%s", r.exit, failures(r))
			}
			run := r.report(t)
			if run.Verdict != model.RunFail || len(run.Checks) == 0 {
				t.Errorf("report verdict %q with %d checks", run.Verdict, len(run.Checks))
			}
			var messages []string
			found := false
			for _, c := range checksOf(run, tc.fault.Breaks) {
				messages = append(messages, c.Verdict+": "+c.Message)
				if c.Verdict != model.Fail {
					continue
				}
				all := true
				for _, w := range tc.want {
					all = all && strings.Contains(c.Message, w)
				}
				found = found || all
			}
			if !found {
				t.Errorf("no failed check of %s says %q:\n%s", tc.fault.Breaks, tc.want, strings.Join(messages, "\n"))
			}
			if tc.fault.Stalls && run.Requests > wire.DefaultMaxStalls {
				t.Errorf("the stalling endpoint got %d requests, want at most %d", run.Requests, wire.DefaultMaxStalls)
			}
			if bound := wire.DefaultMaxStalls*time.Second + slack; elapsed > bound {
				t.Errorf("the run took %s, want at most %s", elapsed, bound)
			}
		})
	}
}

// TestDeadlineEndsTheRun: the whole-run deadline cuts a hanging run short
// (well before its 1-minute request timeout), the report is written, and
// the checks that never started are errors, not skips.
func TestDeadlineEndsTheRun(t *testing.T) {
	t.Parallel()
	start := time.Now()
	r := tokencert(t, nil, "run", "--fault", "hang", "--request-timeout", "1m", "--deadline", "2s")
	if elapsed := time.Since(start); elapsed > 2*time.Second+slack {
		t.Errorf("the run took %s", elapsed)
	}
	if r.exit != 1 {
		t.Errorf("exit %d, want 1", r.exit)
	}
	// Checks that start after the deadline fail at once ("not sent: the
	// run's deadline has passed"); those the suite timeout keeps from
	// starting are errors ("not run: …"); a check whose token request was
	// cut off is a skip that could not exercise its requirement (the
	// request's own check fails). Which happens to which check depends on
	// timing; none is a pass.
	run := r.report(t)
	cut := 0
	for _, c := range run.Checks {
		if c.Verdict == model.Skip && strings.Contains(c.Message, "label-filter") || c.Verdict == model.Pass {
			t.Errorf("%s: %s %s", c.Name, c.Verdict, c.Message)
		}
		said := c.Message + strings.Join(c.Notes, " ")
		if (c.Verdict == model.Error || c.Verdict == model.Fail || c.Verdict == model.Skip && c.Incomplete) && strings.Contains(said, "deadline") {
			cut++
		}
	}
	if cut < len(run.Checks)/2 {
		t.Errorf("only %d of %d checks say the deadline cut them off:\n%s", cut, len(run.Checks), failures(r))
	}
}

// TestPanicInACheckIsItsError is in runner (runner_test.go): it needs the
// plan of a prepared run.

// pemFile writes PEM blocks to dir/name.
func pemFile(t *testing.T, dir, name string, blocks ...*pem.Block) string {
	t.Helper()
	var b []byte
	for _, bl := range blocks {
		b = append(b, pem.EncodeToMemory(bl)...)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// clientPair makes a CA and a client certificate it signs; it returns the
// CA pool (for the server) and the client's cert and key files.
func clientPair(t *testing.T, dir string) (*x509.CertPool, string, string) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "tokencert test client CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "tokencert test client"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return pool, pemFile(t, dir, "client.pem", &pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pemFile(t, dir, "client-key.pem", &pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})
}

// tlsRef serves the rfc6749 reference server's handler over TLS with
// httptest (its own certificate), requiring a client certificate from
// clientCAs when set, and returns a target file body (without TLS keys)
// and the server's certificate as a CA file.
func tlsRef(t *testing.T, dir string, clientCAs *x509.CertPool, wrap func(http.Handler) http.Handler) (target, caFile string) {
	t.Helper()
	spec, err := specs.Load("rfc6749")
	if err != nil {
		t.Fatal(err)
	}
	creds := &refserver.Credentials{ClientID: "mtls-client", ClientSecret: "mtls-secret-value", Username: "alice", Password: "alice-password-value"}
	srv, err := refserver.New(refserver.Options{Spec: spec, Credentials: creds})
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler = srv.Handler()
	if wrap != nil {
		h = wrap(h)
	}
	ts := httptest.NewUnstartedServer(h)
	if clientCAs != nil {
		ts.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: clientCAs}
	}
	ts.StartTLS()
	t.Cleanup(ts.Close)
	caFile = pemFile(t, dir, "server-ca.pem", &pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw})
	target = "endpoint: " + ts.URL + "/token\nclient_id: mtls-client\nclient_secret: mtls-secret-value\n"
	return target, caFile
}

// TestTLSTargets: certificate verification is on by default, ca_file
// trusts a private CA, client_cert and client_key do mutual TLS, and
// insecure_skip_verify works only when asked for and is recorded.
func TestTLSTargets(t *testing.T) {
	t.Parallel()
	const filter = "RFC6749-5.1-STATUS-200 || RFC6749-3.2-TLS-REQUIRED"
	dir := t.TempDir()
	clientCAs, certFile, keyFile := clientPair(t, dir)
	mtls, caFile := tlsRef(t, dir, clientCAs, nil)
	plain, plainCA := tlsRef(t, dir, nil, nil)
	_ = plainCA
	for _, tc := range []struct {
		name, target string
		exit         int
		want         string // in a failed check's message, or "" for a pass
		insecure     bool
	}{
		{"mutual TLS", mtls + "ca_file: " + caFile + "\nclient_cert: " + certFile + "\nclient_key: " + keyFile + "\n", 0, "", false},
		{"no client certificate", mtls + "ca_file: " + caFile + "\n", 1, "the TLS handshake failed", false},
		{"untrusted certificate", plain, 1, "certificate signed by unknown authority (trust its CA with the target key ca_file)", false},
		{"insecure_skip_verify", plain + "insecure_skip_verify: true\n", 0, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			file := filepath.Join(t.TempDir(), "target.yaml")
			if err := os.WriteFile(file, []byte(tc.target), 0o600); err != nil {
				t.Fatal(err)
			}
			r := tokencert(t, nil, "run", "--target", file, "--label-filter", filter)
			if r.exit != tc.exit {
				t.Fatalf("exit %d, want %d\n%s", r.exit, tc.exit, failures(r))
			}
			run := r.report(t)
			if tc.want != "" {
				found := false
				for _, c := range checksOf(run, "RFC6749-5.1-STATUS-200") {
					found = found || (c.Verdict == model.Fail && strings.Contains(c.Message, tc.want))
				}
				if !found {
					t.Errorf("no failed check says %q\n%s", tc.want, failures(r))
				}
			}
			if run.InsecureSkipVerify != tc.insecure || strings.Contains(r.stdout, "verification was OFF (insecure_skip_verify)") != tc.insecure {
				t.Errorf("insecure_skip_verify %v recorded %v; verdict line:\n%s", tc.insecure, run.InsecureSkipVerify, r.stdout)
			}
			if tc.exit == 0 {
				tlsc := checksOf(run, "RFC6749-3.2-TLS-REQUIRED")
				if len(tlsc) != 1 || tlsc[0].Verdict != model.Pass {
					t.Errorf("TLS check %+v", tlsc)
				} else if tc.insecure != strings.Contains(strings.Join(tlsc[0].Notes, "\n"), "certificate verification was off") {
					t.Errorf("TLS check notes %q", tlsc[0].Notes)
				}
			}
		})
	}
}

// TestCleartext: an http:// endpoint on a host that is not loopback is
// refused before anything is sent (exit 2); allow_http lets a run go on
// and fails the TLS requirement.
func TestCleartext(t *testing.T) {
	t.Parallel()
	r := tokencert(t, []string{"S=secret-value"}, "run", "--endpoint", "http://idp.example/token", "--client-id", "c", "--client-secret-env", "S")
	if r.exit != 2 || !strings.Contains(r.stderr, "http://idp.example/token is cleartext http:// on a host that is not loopback") || !strings.Contains(r.stderr, "allow_http: true") {
		t.Errorf("exit %d, stderr %q", r.exit, r.stderr)
	}

	spec, err := specs.Load("rfc6749")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := refserver.New(refserver.Options{Spec: spec})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	line, err := json.Marshal(srv.Target())
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "target.json")
	if err := os.WriteFile(file, line, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args    []string
		exit    int
		verdict string
	}{
		{nil, 0, model.Skip},
		{[]string{"--allow-http"}, 1, model.Fail},
	} {
		args := append([]string{"run", "--target", file, "--label-filter", "transport"}, tc.args...)
		r := tokencert(t, nil, args...)
		c := checksOf(r.report(t), "RFC6749-3.2-TLS-REQUIRED")
		if r.exit != tc.exit || len(c) != 1 || c[0].Verdict != tc.verdict {
			t.Errorf("%v: exit %d, checks %+v", tc.args, r.exit, c)
		}
	}
}

// TestPoliteness: a 429 with Retry-After is waited for and noted in the
// check; the failed-login cap skips the wrong-password check and says so.
func TestPoliteness(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var throttled atomic.Bool
	target, caFile := tlsRef(t, dir, nil, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/token" && throttled.CompareAndSwap(false, true) {
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			h.ServeHTTP(w, r)
		})
	})
	file := filepath.Join(dir, "target.yaml")
	body := target + "ca_file: " + caFile + "\nusername: alice\npassword: alice-password-value\nmax_failed_logins: 0\nmax_rps: 50\n"
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	r := tokencert(t, nil, "run", "--target", file, "--label-filter", "RFC6749-5.1-STATUS-200 || RFC6749-5.2-INVALID-GRANT-PASSWORD")
	// The cap kept a MUST-level check from running: incomplete, naming the key.
	if r.exit != 4 || !strings.Contains(r.stdout, "add the target key max_failed_logins to the target file") {
		t.Fatalf("exit %d, want 4 naming max_failed_logins\n%s", r.exit, failures(r))
	}
	run := r.report(t)
	status := checksOf(run, "RFC6749-5.1-STATUS-200")
	if len(status) != 1 || status[0].Verdict != model.Pass || !strings.Contains(strings.Join(status[0].Notes, "\n"), "429 Too Many Requests; waited 1s as its Retry-After asked, then retried") {
		t.Errorf("status check %+v", status)
	}
	pw := checksOf(run, "RFC6749-5.2-INVALID-GRANT-PASSWORD")
	if len(pw) != 1 || pw[0].Verdict != model.Skip || !strings.Contains(pw[0].Message, "the max_failed_logins cap (0) stops it: it would be wrong-password request 1 for user alice") {
		t.Errorf("wrong-password check %+v", pw)
	}
}

// TestBadTransportFlags: bad transport flags and keys are usage errors
// (exit 2) naming the flag, or the file and key.
func TestBadTransportFlags(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "target.yaml")
	if err := os.WriteFile(file, []byte("endpoint: https://127.0.0.1:1/token\nmax_rps: fast\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--max-body", "lots"}, `invalid value "lots" for flag -max-body: "lots" is not a size like 1MiB`},
		{[]string{"run", "--max-failed-logins", "three"}, "invalid value \"three\" for flag -max-failed-logins: want a whole number"},
		{[]string{"run", "--request-timeout", "-1s"}, "command line: --request-timeout: -1s is not a positive duration"},
		{[]string{"run", "--max-rps", "-1"}, "command line: --max-rps: -1 is not a rate"},
		{[]string{"run", "--deadline", "-1m"}, "command line: --deadline: -1m0s is not a positive duration"},
		{[]string{"run", "--ca-file", "ca.pem"}, "command line: --ca-file: applies to a given endpoint"},
		{[]string{"run", "--target", file}, file + ":2: max_rps: want a number, got a string"},
	} {
		r := tokencert(t, nil, tc.args...)
		if r.exit != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("tokencert %s: exit %d, stderr %q; want exit 2 and %q", strings.Join(tc.args, " "), r.exit, r.stderr, tc.want)
		}
	}
}
