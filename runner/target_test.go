package runner

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/target"
	"io"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// usage loads the target file at path and prepares a run of it the way
// Run does, returning the exit code and the error message a person sees.
// It never starts the suites.
func usage(path string, o Options) (int, string) {
	tf, err := target.Load(path)
	if err != nil {
		return ExitUsage, err.Error()
	}
	o.Target, o.Stdout, o.Stderr = *tf, io.Discard, io.Discard
	p, err := prepare(&o)
	if err != nil {
		return ExitUsage, err.Error()
	}
	if p.server != nil {
		_ = p.server.Close()
	}
	return ExitPass, ""
}

// writePEM writes a self-signed certificate and its key to dir.
func writePEM(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "tokencert test client"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "client.pem"), filepath.Join(dir, "client-key.pem")
	write(t, certFile, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	write(t, keyFile, string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})))
	return certFile, keyFile
}

func write(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestBrokenTargets: every broken target file is a usage error (exit 2)
// whose message names the file, the key and what is wrong.
func TestBrokenTargets(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := writePEM(t, dir)
	write(t, filepath.Join(dir, "not-a-cert.pem"), "hello")
	t.Setenv("TOKENCERT_TEST_EMPTY", "")
	const ok = "endpoint: https://127.0.0.1:1/token\nclient_id: c\nclient_secret: s\n"
	for _, tc := range []struct {
		name, yaml string
		key        string // the key the message names ("" for the whole file)
		want       string
		o          Options
	}{
		{"empty file", "", "", "empty target file", Options{}},
		{"only a comment", "# nothing\n", "", "empty target file", Options{}},
		{"YAML syntax error", "endpoint: [https://x\n", "", "not valid YAML", Options{}},
		{"tab indentation", "endpoint: https://127.0.0.1/token\n\tclient_id: c\n", "", "not valid YAML", Options{}},
		{"a list, not a mapping", "- endpoint\n- client_id\n", "", "not valid YAML", Options{}},
		{"missing endpoint", "client_id: c\nclient_secret: s\n", "endpoint", "missing: a target file names the token endpoint URL", Options{}},
		{"unknown key", ok + "client_secert: s\n", "client_secert", "unknown key (known keys: spec, endpoint", Options{}},
		{"unknown spec", ok + "spec: no-such-spec\n", "spec", `unknown spec "no-such-spec"`, Options{}},
		{"unreadable spec file", ok + "spec: " + filepath.Join(dir, "missing-spec.yaml") + "\n", "spec", "no such file or directory", Options{}},
		{"relative URL", "endpoint: /oauth2/token\n", "endpoint", `"/oauth2/token" is not an absolute http(s) URL`, Options{}},
		{"not a URL", "endpoint: 'https://exa mple.com/token'\n", "endpoint", "is not an absolute http(s) URL", Options{}},
		{"wrong scheme", "endpoint: ftp://127.0.0.1/token\n", "endpoint", `"ftp://127.0.0.1/token" is not an absolute http(s) URL`, Options{}},
		{"fragment in URL", "endpoint: https://127.0.0.1/token#frag\n", "endpoint", "a token endpoint URL has no fragment (RFC 6749 §3.2)", Options{}},
		{"bad resource URL", ok + "resource: resource.example/me\n", "resource", "is not an absolute http(s) URL", Options{}},
		{"cleartext remote endpoint", "endpoint: http://idp.example/token\nclient_id: c\nclient_secret: s\n", "endpoint",
			"http://idp.example/token is cleartext http:// on a host that is not loopback; tokencert does not send credentials or tokens over it", Options{}},
		{"cleartext remote introspection", ok + "introspection: http://idp.example/introspect\n", "introspection", "cleartext http:// on a host that is not loopback", Options{}},
		{"empty secret variable", ok + "password: ${TOKENCERT_TEST_EMPTY}\nusername: u\n", "password", "environment variable TOKENCERT_TEST_EMPTY is not set or empty", Options{}},
		{"unset secret variable", "endpoint: https://127.0.0.1/token\nclient_id: c\nclient_secret: ${TOKENCERT_TEST_UNSET_VARIABLE}\n", "client_secret", "environment variable TOKENCERT_TEST_UNSET_VARIABLE is not set or empty", Options{}},
		{"unset variable in a list", ok + "grants: [password, '${TOKENCERT_TEST_UNSET_GRANT}']\n", "grants", "TOKENCERT_TEST_UNSET_GRANT is not set or empty", Options{}},
		{"bad duration", ok + "max_wait: two minutes\n", "max_wait", `"two minutes" is not a duration like 90s or 2m`, Options{}},
		{"negative duration", ok + "max_wait: -5m\n", "max_wait", `"-5m" is not a duration`, Options{}},
		{"bad skew", ok + "skew: 2\n", "skew", "want a duration like 10s or 2m, got a number", Options{}},
		{"negative skew", ok + "skew: -2s\n", "skew", `"-2s" is not a duration`, Options{}},
		{"bad flag: negative skew", ok, "--skew", "-1s is negative", Options{Skew: -time.Second}},
		{"bad request_timeout", ok + "request_timeout: 10\n", "request_timeout", "want a duration like 10s or 2m, got a number", Options{}},
		{"zero request_timeout", ok + "request_timeout: 0s\n", "request_timeout", "0 is not a timeout", Options{}},
		{"max_rps not a number", ok + "max_rps: fast\n", "max_rps", "want a number, got a string", Options{}},
		{"max_rps zero", ok + "max_rps: 0\n", "max_rps", "0 is not a rate; give a positive number of requests per second", Options{}},
		{"max_failed_logins fraction", ok + "max_failed_logins: 2.5\n", "max_failed_logins", "want a whole number, got the number 2.5", Options{}},
		{"max_failed_logins negative", ok + "max_failed_logins: -1\n", "max_failed_logins", "-1 is negative", Options{}},
		{"bad grants", ok + "grants: [client_credentials, implicit]\n", "grants", `unknown grant "implicit" (client_credentials, password, authorization_code, urn:ietf:params:oauth:grant-type:device_code (or device_code), refresh_token)`, Options{}},
		{"grants not a list", ok + "grants: password\n", "grants", "want a list of strings, got a string", Options{}},
		{"bad client_auth", ok + "client_auth: [basic, client_secret_guess]\n", "client_auth", `unknown client authentication "client_secret_guess"`, Options{}},
		{"client_id a mapping", "endpoint: https://127.0.0.1/token\nclient_id: {name: c}\n", "client_id", "want a string, got a mapping", Options{}},
		{"insecure_skip_verify a string", ok + "insecure_skip_verify: please\n", "insecure_skip_verify", "want true or false, got a string", Options{}},
		{"username without password", ok + "username: alice\n", "password", "username and password go together", Options{}},
		{"half of the other client", ok + "other_client_id: c2\n", "other_client_secret", "other_client_id and other_client_secret go together", Options{}},
		{"unreadable CA file", ok + "ca_file: missing-ca.pem\n", "ca_file", "cannot read " + filepath.Join(dir, "missing-ca.pem") + ": no such file or directory", Options{}},
		{"CA file without a certificate", ok + "ca_file: not-a-cert.pem\n", "ca_file", "not-a-cert.pem holds no PEM certificate", Options{}},
		{"client_cert without client_key", ok + "client_cert: " + certFile + "\n", "client_key", "client_cert and client_key go together: the client certificate", Options{}},
		{"client_key without client_cert", ok + "client_key: " + keyFile + "\n", "client_cert", "client_cert and client_key go together: the client key", Options{}},
		{"client key file missing", ok + "client_cert: " + certFile + "\nclient_key: missing-key.pem\n", "client_key", "cannot read " + filepath.Join(dir, "missing-key.pem"), Options{}},
		{"client cert and key do not match", ok + "client_cert: " + certFile + "\nclient_key: not-a-cert.pem\n", "client_cert", "the client certificate and key do not load", Options{}},
		{"bad flag: negative request timeout", ok, "--request-timeout", "-1s is not a positive duration", Options{RequestTimeout: -time.Second}},
		{"bad flag: negative rate", ok, "--max-rps", "-3 is not a rate", Options{MaxRPS: -3}},
		{"bad flag: unknown spec", ok, "--spec", `unknown spec "nope"`, Options{Spec: "nope"}},
		{"bad flag: fault with an endpoint", ok, "--fault", "faults apply to the embedded reference server only", Options{Fault: "hang"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".yaml")
			write(t, path, tc.yaml)
			code, msg := usage(path, tc.o)
			if code != ExitUsage {
				t.Fatalf("exit %d, want %d (usage)", code, ExitUsage)
			}
			// file:line: key: problem, the line where the file has the key.
			where := regexp.QuoteMeta(path) + ": "
			if strings.Contains(tc.yaml, "\n"+tc.key+":") || strings.HasPrefix(tc.yaml, tc.key+":") {
				where = regexp.QuoteMeta(path) + `:[1-9][0-9]*: `
			}
			if strings.HasPrefix(tc.key, "--") {
				where = "command line: "
			}
			if tc.key != "" {
				where += regexp.QuoteMeta(tc.key) + ": "
			}
			if !regexp.MustCompile("^"+where).MatchString(msg) || !strings.Contains(msg, tc.want) {
				t.Errorf("message %q\nwant it to match %q and contain %q", msg, where, tc.want)
			}
		})
	}
}

func TestGoodTargetsPrepare(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := writePEM(t, dir)
	t.Setenv("TOKENCERT_TEST_SECRET", "s3cret")
	for _, tc := range []struct{ name, yaml string }{
		{"minimal", "endpoint: https://127.0.0.1:1/token\nclient_id: c\nclient_secret: ${TOKENCERT_TEST_SECRET}\n"},
		{"loopback http", "endpoint: http://localhost:1/token\n"},
		{"skew", "endpoint: https://127.0.0.1:1/token\nskew: 0s\n"},
		{"remote http allowed", "endpoint: http://idp.example/token\nallow_http: true\n"},
		{"transport keys", "endpoint: https://127.0.0.1:1/token\nrequest_timeout: 3s\nmax_rps: 2.5\nmax_failed_logins: 0\nca_file: client.pem\n" +
			"client_cert: client.pem\nclient_key: " + keyFile + "\ninsecure_skip_verify: true\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".yaml")
			write(t, path, tc.yaml)
			if code, msg := usage(path, Options{}); code != ExitPass {
				t.Errorf("exit %d: %s", code, msg)
			}
		})
	}
	_ = certFile
}

// The transport settings: flags win over keys, defaults apply, the
// embedded server is not paced and its transport is judged.
func TestResolveTransport(t *testing.T) {
	rps := 2.5
	three, zero := 3, 0
	for _, tc := range []struct {
		name      string
		tf        target.Target
		o         Options
		embedded  bool
		timeout   time.Duration
		maxRPS    float64
		maxLogins int
		allowHTTP bool
		insecure  bool
	}{
		{"defaults", target.Target{Endpoint: "https://idp.example/token"}, Options{}, false, DefaultRequestTimeout, DefaultMaxRPS, 3, false, false},
		{"loopback", target.Target{Endpoint: "http://127.0.0.1:8080/token"}, Options{}, false, DefaultRequestTimeout, LoopbackMaxRPS, 3, false, false},
		{"loopback issuer", target.Target{Issuer: "https://localhost:8443"}, Options{}, false, DefaultRequestTimeout, LoopbackMaxRPS, 3, false, false},
		{"loopback, key", target.Target{Endpoint: "http://127.0.0.1:8080/token", MaxRPS: &rps}, Options{}, false, DefaultRequestTimeout, 2.5, 3, false, false},
		{"embedded", target.Target{}, Options{}, true, DefaultRequestTimeout, math.Inf(1), 3, true, false},
		{"keys", target.Target{RequestTimeout: &specs.Duration{Duration: 3 * time.Second}, MaxRPS: &rps, MaxFailedLogins: &zero, AllowHTTP: true, InsecureSkipVerify: true}, Options{},
			false, 3 * time.Second, 2.5, 0, true, true},
		{"flags win", target.Target{RequestTimeout: &specs.Duration{Duration: 3 * time.Second}, MaxRPS: &rps, MaxFailedLogins: &zero},
			Options{RequestTimeout: time.Second, MaxRPS: math.Inf(1), MaxFailedLogins: &three}, false, time.Second, math.Inf(1), 3, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var pool *x509.CertPool
			if tc.embedded {
				pool = x509.NewCertPool()
			}
			tr, err := resolveTransport(tc.tf, &tc.o, pool)
			if err != nil {
				t.Fatal(err)
			}
			if tr.timeout != tc.timeout || tr.maxRPS != tc.maxRPS || tr.maxFailedLogins != tc.maxLogins || tr.allowHTTP != tc.allowHTTP ||
				tr.insecure != tc.insecure {
				t.Errorf("%+v", tr)
			}
			if w := tr.wireOptions(); w.Timeout != tc.timeout || w.MaxRPS != tc.maxRPS || w.InsecureSkipVerify != tc.insecure || w.MaxBody != 1<<20 {
				t.Errorf("wire options %+v", w)
			}
		})
	}
}
