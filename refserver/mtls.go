package refserver

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"math/big"
	"net/http"
	"time"

	"github.com/tokencert/tokencert/probes"
	"github.com/tokencert/tokencert/target"
)

// Mutual TLS (RFC 8705), served when the spec offers tls_client_auth or
// self_signed_tls_client_auth: the listener asks for a client certificate
// (it is judged here, not in the handshake); the main client is
// registered with the subject of a certificate its own CA issued
// (tls_client_auth) and with that certificate itself
// (self_signed_tls_client_auth). Tokens issued over a connection with a
// client certificate are bound to it: introspection shows cnf x5t#S256
// (§3.2) and the protected resource wants the same certificate (§3).
type mtlsServer struct {
	roots   *x509.CertPool
	subject map[string]string // client_id → registered subject CN (tls_client_auth)
	certs   map[string]string // client_id → registered certificate thumbprint
	client  tls.Certificate   // the main client's certificate and key, for Target
}

func newMTLSServer(s *Server) (*mtlsServer, error) {
	if !s.supportsMTLS() {
		return nil, nil
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "tokencert reference client CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("refserver: client CA: %w", err)
	}
	if ca, err = x509.ParseCertificate(caDER); err != nil {
		return nil, err
	}
	m := &mtlsServer{roots: x509.NewCertPool(), subject: map[string]string{}, certs: map[string]string{}}
	m.roots.AddCert(ca)
	id := s.creds.ClientID
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: id},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, leaf, ca, &key.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("refserver: client certificate: %w", err)
	}
	m.subject[id], m.certs[id] = id, x5t(der)
	m.client = tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	return m, nil
}

// supportsMTLS reports whether the spec offers a mutual-TLS method.
func (s *Server) supportsMTLS() bool {
	return s.spec.Supports(target.AuthTLSClientAuth) || s.spec.Supports(target.AuthSelfSignedTLS)
}

// listenerTLS is the listener's TLS configuration: the server's, asking
// for (not requiring) a client certificate when mTLS is offered.
func (s *Server) listenerTLS() *tls.Config {
	cfg := s.tls.Clone()
	if s.mtls != nil {
		cfg.ClientAuth = tls.RequestClientCert
	}
	return cfg
}

// mtlsTarget gives the target the main client's certificate.
func (s *Server) mtlsTarget(t *target.Target) {
	if s.mtls != nil {
		c := s.mtls.client
		t.ClientCertificate = &c
	}
}

// x5t is the base64url SHA-256 of a certificate (RFC 8705 §3.1).
func x5t(der []byte) string {
	sum := sha256.Sum256(der)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// peerThumbprint is the x5t#S256 of the client certificate of the
// request's connection, or "".
func peerThumbprint(r *http.Request) string {
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		return ""
	}
	return x5t(r.TLS.PeerCertificates[0].Raw)
}

// mtlsClient authenticates a request that names its client by client_id
// alone (no secret, no Authorization header, no assertion) by the client
// certificate of the connection (RFC 8705 §2.1, §2.2); handled is false
// when the request is not such a request.
func (s *Server) mtlsClient(r *http.Request, req *tokenRequest) (c client, method string, e *apiError, handled bool) {
	id := req.get("client_id")
	if s.mtls == nil || id == "" || req.get("client_secret") != "" || r.Header.Get("Authorization") != "" {
		return client{}, "", nil, false
	}
	c, known := s.reg.client(id)
	if !known || (s.mtls.subject[id] == "" && s.mtls.certs[id] == "") {
		return client{}, "", nil, false // perhaps the public client
	}
	bad := func(why string) (client, string, *apiError, bool) {
		return client{}, authNone, fail(probes.BadClientCertificate).withDescription(why), true
	}
	if s.has(FaultMTLSRefused) {
		return bad("client certificates are refused")
	}
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		if s.has(FaultMTLSNoCertAccepted) {
			return c, target.AuthTLSClientAuth, nil, true
		}
		return bad("no client certificate was presented")
	}
	if s.has(FaultMTLSAnyCertAccepted) {
		return c, target.AuthTLSClientAuth, nil, true
	}
	leaf := r.TLS.PeerCertificates[0]
	if s.spec.Supports(target.AuthSelfSignedTLS) && s.mtls.certs[id] == x5t(leaf.Raw) {
		return c, target.AuthSelfSignedTLS, nil, true
	}
	if s.spec.Supports(target.AuthTLSClientAuth) && leaf.Subject.CommonName == s.mtls.subject[id] {
		inter := x509.NewCertPool()
		for _, ic := range r.TLS.PeerCertificates[1:] {
			inter.AddCert(ic)
		}
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: s.mtls.roots, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err == nil {
			return c, target.AuthTLSClientAuth, nil, true
		}
	}
	return bad("the client certificate is not the one registered for the client")
}

// certBinding is the certificate an access token issued for req is bound
// to: the connection's client certificate (RFC 8705 §3).
func (s *Server) certBinding(req *tokenRequest) string {
	if s.mtls == nil {
		return ""
	}
	return req.x5t
}

// confirmation is the cnf member introspection shows for an access token
// (RFC 9449 §6.2, RFC 8705 §3.2), or nil.
func (s *Server) confirmation(a accessRecord) object {
	var cnf object
	if a.jkt != "" {
		cnf = append(cnf, member{"jkt", a.jkt})
	}
	if a.x5t != "" && !s.has(FaultMTLSNoCnf) {
		cnf = append(cnf, member{"x5t#S256", a.x5t})
	}
	return cnf
}

// resourceMTLS says why the resource refuses a certificate-bound token,
// or "": it must come over a connection with the same certificate.
func (s *Server) resourceMTLS(r *http.Request, rec accessRecord) string {
	if rec.x5t == "" || s.has(FaultMTLSResourceUnbound) || peerThumbprint(r) == rec.x5t {
		return ""
	}
	return "the access token is bound to a client certificate this request did not present"
}
