package suites

import (
	"net"
	"net/url"
	"strings"

	"github.com/tokencert/tokencert/probes"
	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/suites/wire"
)

func init() {
	register(&Kind{Name: "transport-tls", Plan: planTransportTLS, Requirements: []string{"RFC6749-3.2-TLS-REQUIRED"},
		Fix: "Serve the token endpoint over TLS only (RFC 6749 §3.2); refuse or redirect cleartext http.",
		Doc: "the token endpoint answers over TLS (verified unless `insecure_skip_verify`); cleartext `http://` fails, except on loopback without `allow_http`, a test setup, which is skipped"})
}

// planTransportTLS checks that the token endpoint is reached over TLS
// (RFC 6749 §3.2, §10.9): an https:// endpoint must answer over a verified
// TLS connection (unless insecure_skip_verify, which the check notes); an
// http:// endpoint fails, except on loopback without allow_http, which is
// a test setup and skipped.
func planTransportTLS(e *Env, req specs.Requirement) []Check {
	return []Check{{Req: req, Concern: Transport, Title: "the token endpoint is served over TLS", Run: func(t *T) {
		u, err := url.Parse(t.Env.Target.Endpoint)
		if err != nil {
			t.Errorf("the endpoint URL does not parse: %v", err)
			return
		}
		if u.Scheme != "https" {
			if !t.Env.Target.AllowHTTP && Loopback(u.Hostname()) {
				t.Skipf("the endpoint is cleartext http:// on loopback (%s), a test setup, so TLS is not judged; with allow_http: true it is judged (and fails)", u.Host)
			}
			t.Errorf("the token endpoint is served over cleartext HTTP (%s): client secrets, passwords and tokens cross the network unencrypted", t.Env.Redactor.URL(t.Env.Target.Endpoint))
			return
		}
		ex := t.Env.tlsProbe(t)
		t.Evidence(ex)
		if v := ex.TLSVersion(); v != "" {
			t.Notef("the response came over %s", v)
			if t.Env.Target.InsecureSkipVerify {
				t.Notef("certificate verification was off (insecure_skip_verify): TLS was used, but the server's certificate was not checked (RFC 6749 §10.9)")
			}
			return
		}
		t.Errorf("no response came over TLS: %s", ex.Summary())
	}}}
}

// tlsProbe is a response from the token endpoint: the shared primary token
// response, or, when no valid token request can be made, a request without
// credentials (any answer shows the transport).
func (e *Env) tlsProbe(t *T) *wire.Exchange {
	if f := e.anyToken(t.Ctx); f.ex != nil {
		return f.ex
	}
	ex, _ := e.shared("transport/probe", func() *wire.Exchange {
		return e.send(t.Ctx, probes.Request{Label: "transport probe without credentials", Auth: "none", Params: []probes.Param{{Name: "grant_type", Value: "client_credentials"}}})
	})
	return ex
}

// Loopback reports whether host (a name or an IP, without port) is the
// local machine: localhost or a loopback address.
func Loopback(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}
