package runner

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tokencert/tokencert/suites"
	"github.com/tokencert/tokencert/suites/wire"
	"github.com/tokencert/tokencert/target"
)

// Defaults of the transport limits.
const (
	DefaultRequestTimeout = 10 * time.Second
	DefaultDeadline       = 30 * time.Minute
	// DefaultMaxRPS paces requests to an endpoint on another host.
	DefaultMaxRPS = 10
	// LoopbackMaxRPS paces requests to an endpoint on loopback (tokencert
	// serve, a test server: the user's own, but a port forwarded to a
	// shared server is on loopback too); the embedded reference server is
	// not paced.
	LoopbackMaxRPS = 100
)

// transport is how a run talks to the endpoint: resolved from flags (which
// win) and target keys.
type transport struct {
	timeout         time.Duration
	maxBody         int64
	maxRPS          float64 // +Inf: no pacing
	maxFailedLogins int
	tls             *tls.Config
	insecure        bool
	allowHTTP       bool
}

// setting is a value and where it came from, for error messages.
type setting struct{ file, key string }

// pick returns the flag's value when set, else the target key's, and where
// it came from.
func pick(flagValue, fileValue, flag, key, file string) (string, setting) {
	if flagValue != "" {
		return flagValue, setting{"", flag}
	}
	return fileValue, setting{file, key}
}

func (s setting) err(format string, args ...any) error {
	return &target.Error{File: s.file, Key: s.key, Problem: fmt.Sprintf(format, args...)}
}

// resolveTransport checks the transport flags and keys. embedded is the
// embedded reference server's trust pool, nil for a given endpoint.
func resolveTransport(tf target.Target, o *Options, embedded *x509.CertPool) (*transport, error) {
	file := tf.Path
	tr := &transport{timeout: o.RequestTimeout, maxBody: o.MaxBody, insecure: o.InsecureSkipVerify || tf.InsecureSkipVerify,
		allowHTTP: o.AllowHTTP || tf.AllowHTTP}
	switch {
	case tr.timeout < 0:
		return nil, setting{"", "--request-timeout"}.err("%s is not a positive duration", tr.timeout)
	case tr.timeout == 0 && tf.RequestTimeout != nil:
		d := tf.RequestTimeout.Duration
		if d == 0 {
			return nil, setting{file, "request_timeout"}.err("0 is not a timeout; give a positive duration like 10s")
		}
		tr.timeout = d
	case tr.timeout == 0:
		tr.timeout = DefaultRequestTimeout
	}
	if tr.maxBody < 0 {
		return nil, setting{"", "--max-body"}.err("%d is not a size", tr.maxBody)
	}
	if tr.maxBody == 0 {
		tr.maxBody = wire.DefaultMaxBody
	}

	tr.maxRPS = o.MaxRPS
	switch {
	case tr.maxRPS < 0 || math.IsNaN(tr.maxRPS):
		return nil, setting{"", "--max-rps"}.err("%v is not a rate; give requests per second, or inf for no limit", tr.maxRPS)
	case tr.maxRPS == 0 && tf.MaxRPS != nil:
		if *tf.MaxRPS <= 0 {
			return nil, setting{file, "max_rps"}.err("%v is not a rate; give a positive number of requests per second (omit the key for %d; --max-rps inf lifts the limit)", *tf.MaxRPS, DefaultMaxRPS)
		}
		tr.maxRPS = *tf.MaxRPS
	case tr.maxRPS == 0 && embedded != nil:
		tr.maxRPS = math.Inf(1)
	case tr.maxRPS == 0 && onLoopback(tf):
		// Politeness is owed to a server on another host; one on this
		// machine (tokencert serve, a test server) is the user's own, and
		// keeps a ceiling in case it forwards to a shared one.
		tr.maxRPS = LoopbackMaxRPS
	case tr.maxRPS == 0:
		tr.maxRPS = DefaultMaxRPS
	}

	tr.maxFailedLogins = suites.DefaultMaxFailedLogins
	switch {
	case o.MaxFailedLogins != nil && *o.MaxFailedLogins < 0:
		return nil, setting{"", "--max-failed-logins"}.err("%d is negative; 0 sends no wrong password", *o.MaxFailedLogins)
	case o.MaxFailedLogins != nil:
		tr.maxFailedLogins = *o.MaxFailedLogins
	case tf.MaxFailedLogins != nil && *tf.MaxFailedLogins < 0:
		return nil, setting{file, "max_failed_logins"}.err("%d is negative; 0 sends no wrong password", *tf.MaxFailedLogins)
	case tf.MaxFailedLogins != nil:
		tr.maxFailedLogins = *tf.MaxFailedLogins
	}

	caFile, caFrom := pick(o.CAFile, tf.CAFile, "--ca-file", "ca_file", file)
	certFile, certFrom := pick(o.ClientCert, tf.ClientCert, "--client-cert", "client_cert", file)
	keyFile, keyFrom := pick(o.ClientKey, tf.ClientKey, "--client-key", "client_key", file)
	if embedded != nil {
		for _, s := range []struct {
			v    string
			from setting
		}{{caFile, caFrom}, {certFile, certFrom}, {keyFile, keyFrom}} {
			if s.v != "" {
				return nil, s.from.err("applies to a given endpoint; the embedded reference server's certificate is trusted already and it asks for no client certificate")
			}
		}
		tr.tls = &tls.Config{RootCAs: embedded}
		if tf.ClientCertificate != nil { // the embedded server's mTLS client
			tr.tls.Certificates = []tls.Certificate{*tf.ClientCertificate}
		}
		// The embedded server is the thing certified: its transport is
		// judged as a deployment's would be (FaultPlainHTTP fails it).
		tr.allowHTTP = true
		return tr, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if caFile != "" {
		path := relativeTo(caFrom.file, caFile)
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, caFrom.err("cannot read %s: %s", path, target.ReadProblem(err))
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(b) {
			return nil, caFrom.err("%s holds no PEM certificate", path)
		}
		cfg.RootCAs = pool
	}
	switch {
	case certFile != "" && keyFile == "":
		return nil, keyFrom.err("client_cert and client_key go together: the client certificate %s has no key", certFile)
	case keyFile != "" && certFile == "":
		return nil, certFrom.err("client_cert and client_key go together: the client key %s has no certificate", keyFile)
	case certFile != "":
		certPath, keyPath := relativeTo(certFrom.file, certFile), relativeTo(keyFrom.file, keyFile)
		for _, f := range []struct {
			path string
			from setting
		}{{certPath, certFrom}, {keyPath, keyFrom}} {
			if _, err := os.Stat(f.path); err != nil {
				return nil, f.from.err("cannot read %s: %s", f.path, target.ReadProblem(err))
			}
		}
		pair, err := tls.LoadX509KeyPair(certPath, keyPath)
		if err != nil {
			return nil, certFrom.err("the client certificate and key do not load: %v", err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	tr.tls = cfg
	return tr, nil
}

// relativeTo resolves a path given in a target file against the file's
// folder; paths from flags (file == "") stay as given.
func relativeTo(file, path string) string {
	if file == "" || filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(filepath.Dir(file), path)
}

// onLoopback reports whether the target's endpoint (or, before its
// metadata names one, its issuer) is on this machine.
func onLoopback(tf target.Target) bool {
	raw := tf.Endpoint
	if raw == "" {
		raw = tf.Issuer
	}
	u, err := url.Parse(raw)
	return err == nil && u.Hostname() != "" && suites.Loopback(u.Hostname())
}

// refuseCleartext refuses an http:// URL on a host other than loopback
// unless allow_http: credentials and tokens would cross the network in the
// clear (RFC 6749 §3.2, §10.9).
func refuseCleartext(file, key, raw string, allowHTTP bool) error {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || allowHTTP || suites.Loopback(u.Hostname()) {
		return nil
	}
	return &target.Error{File: file, Key: key, Problem: fmt.Sprintf(
		"%s is cleartext http:// on a host that is not loopback; tokencert does not send credentials or tokens over it. Use https://, or set allow_http: true (--allow-http) to certify it anyway: RFC6749-3.2-TLS-REQUIRED is then reported failed",
		strings.SplitN(u.Redacted(), "?", 2)[0])}
}

// wireOptions are the HTTP client's options for the transport.
func (tr *transport) wireOptions() wire.Options {
	return wire.Options{Timeout: tr.timeout, MaxBody: tr.maxBody, MaxRPS: tr.maxRPS, TLS: tr.tls, InsecureSkipVerify: tr.insecure}
}
