package refserver

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// mtlsHarness is a server speaking rfc8705 over HTTPS and clients with
// the main client's certificate, without one, and with a stranger's.
type mtlsHarness struct {
	t                       *testing.T
	srv                     *Server
	base                    string
	withCert, noCert, other *http.Client
}

func startMTLS(t *testing.T, faults ...Fault) *mtlsHarness {
	t.Helper()
	cfg, pool, _, err := SelfSigned()
	if err != nil {
		t.Fatal(err)
	}
	c := testCreds
	srv, err := New(Options{Spec: loadSpec(t, "rfc8705"), Faults: faults, TLS: cfg, Credentials: &c})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	client := func(certs ...tls.Certificate) *http.Client {
		tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, Certificates: certs}}
		t.Cleanup(tr.CloseIdleConnections)
		return &http.Client{Transport: tr}
	}
	return &mtlsHarness{t: t, srv: srv, base: srv.URL(), withCert: client(*srv.Target().ClientCertificate), noCert: client(), other: client(strangerCert(t))}
}

func strangerCert(t *testing.T) tls.Certificate {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: testCreds.ClientID},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func (m *mtlsHarness) do(c *http.Client, req *http.Request) reply {
	m.t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		m.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, resp.Header, b}
}

func (m *mtlsHarness) token(c *http.Client) reply {
	m.t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {testCreds.ClientID}}
	req, _ := http.NewRequest(http.MethodPost, m.base+"/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return m.do(c, req)
}

func (m *mtlsHarness) resource(c *http.Client, at string) int {
	m.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, m.base+"/resource", nil)
	req.Header.Set("Authorization", "Bearer "+at)
	return m.do(c, req).status
}

func (m *mtlsHarness) cnf(at string) map[string]any {
	m.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, m.base+"/introspect", strings.NewReader(url.Values{"token": {at}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", basicHeader(testCreds.ClientID, testCreds.ClientSecret))
	c, _ := m.do(m.noCert, req).obj(m.t)["cnf"].(map[string]any)
	return c
}

func TestMTLSConformant(t *testing.T) {
	t.Parallel()
	m := startMTLS(t)
	at := mustToken(t, m.token(m.withCert))["access_token"].(string)
	wantError(t, m.token(m.noCert), 401, "invalid_client")
	wantError(t, m.token(m.other), 401, "invalid_client")
	if got, want := m.cnf(at)["x5t#S256"], x5t(m.srv.Target().ClientCertificate.Certificate[0]); got != want {
		t.Errorf("cnf x5t#S256 %v, want %s", got, want)
	}
	if s := m.resource(m.withCert, at); s != 200 {
		t.Errorf("resource with the certificate: %d", s)
	}
	if s := m.resource(m.noCert, at); s != 401 {
		t.Errorf("resource without the certificate: %d, want 401", s)
	}
	if s := m.resource(m.other, at); s != 401 {
		t.Errorf("resource with another certificate: %d, want 401", s)
	}
}

func init() {
	mtlsCase := func(f Fault, check func(t *testing.T, m *mtlsHarness)) {
		faultCases[f.Name] = func(t *testing.T, _ *harness) { check(t, startMTLS(t, f)) }
	}
	mtlsCase(FaultMTLSRefused, func(t *testing.T, m *mtlsHarness) { wantError(t, m.token(m.withCert), 401, "invalid_client") })
	mtlsCase(FaultMTLSNoCertAccepted, func(t *testing.T, m *mtlsHarness) {
		mustToken(t, m.token(m.noCert))
		wantError(t, m.token(m.other), 401, "invalid_client")
	})
	mtlsCase(FaultMTLSAnyCertAccepted, func(t *testing.T, m *mtlsHarness) {
		mustToken(t, m.token(m.other))
		wantError(t, m.token(m.noCert), 401, "invalid_client")
	})
	mtlsCase(FaultMTLSNoCnf, func(t *testing.T, m *mtlsHarness) {
		at := mustToken(t, m.token(m.withCert))["access_token"].(string)
		if c := m.cnf(at); c != nil {
			t.Errorf("cnf %v", c)
		}
		if s := m.resource(m.noCert, at); s != 401 {
			t.Errorf("the token is no longer bound: %d", s)
		}
	})
	mtlsCase(FaultMTLSResourceUnbound, func(t *testing.T, m *mtlsHarness) {
		at := mustToken(t, m.token(m.withCert))["access_token"].(string)
		if s := m.resource(m.noCert, at); s != 200 {
			t.Errorf("resource without the certificate: %d, want 200", s)
		}
	})
}
