package suites

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/tokencert/tokencert/grants"
	"github.com/tokencert/tokencert/probes"
	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/suites/wire"
	"github.com/tokencert/tokencert/target"
)

// Mutual TLS (RFC 8705): client authentication by the certificate the
// transport presents (tls_client_auth, self_signed_tls_client_auth: the
// request carries client_id alone), and access tokens bound to that
// certificate (cnf x5t#S256).

func init() {
	register(&Kind{Name: "mtls", Arg: "valid|no-cert|other-cert|bound|resource", Plan: planMTLS,
		Defaults: map[string]string{
			"RFC8705-2-CLIENT-AUTH": "valid", "RFC8705-2-CERT-REQUIRED": "no-cert", "RFC8705-2-CERT-MATCH": "other-cert",
			"RFC8705-3.1-CNF-X5T": "bound", "RFC8705-3-RESOURCE-BINDING": "resource",
		},
		Fix: "For mutual-TLS clients (RFC 8705): accept the client's registered certificate, refuse a missing or unregistered one with `invalid_client`, bind the token to it (`cnf` `x5t#S256`), and have the resource refuse the token without the certificate.",
		Doc: "for the mutual-TLS client authentication of `request.client_auth` (`tls_client_auth`, `self_signed_tls_client_auth`; target keys `client_cert`, `client_key`): the client's certificate and `client_id` get a token (`valid`); the same request with no certificate, or with a self-signed certificate made for the run, is refused as `bad_client_certificate` (`invalid_client`); introspection's `cnf` `x5t#S256` (or a JWT access token's) is the SHA-256 thumbprint of the client's certificate (`bound`, target key `introspection`); the protected resource accepts the token with the certificate and refuses it without (`resource`)"})
}

// IsMTLSAuth reports whether a client authentication method is mutual TLS.
func IsMTLSAuth(m string) bool { return m == target.AuthTLSClientAuth || m == target.AuthSelfSignedTLS }

// mtlsUnmet says why the client cannot authenticate by method, when it is
// a mutual-TLS method, or nil.
func (e *Env) mtlsUnmet(method string) *probes.Unmet {
	if !IsMTLSAuth(method) {
		return nil
	}
	if e.Client.ClientCertificate() == nil && e.Target.ClientCertificate == nil && e.Target.ClientCert == "" {
		return probes.Lacking("no client certificate to authenticate with (target keys client_cert, client_key)", "client_cert", "client_key")
	}
	if e.Target.ClientID == "" {
		return probes.Lacking("no client_id to name the client with (target key client_id)", "client_id")
	}
	return nil
}

type clientCtx struct{}

// withClient makes the requests sent with ctx go through c.
func withClient(ctx context.Context, c *wire.Client) context.Context {
	return context.WithValue(ctx, clientCtx{}, c)
}

// clientFor is the HTTP client of requests sent with ctx.
func (e *Env) clientFor(ctx context.Context) *wire.Client {
	if c, ok := ctx.Value(clientCtx{}).(*wire.Client); ok {
		return c
	}
	return e.Client
}

// certThumbprint is the base64url SHA-256 of a certificate's DER, the
// x5t#S256 of RFC 8705 §3.1.
func certThumbprint(der []byte) string {
	sum := sha256.Sum256(der)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// firstMTLSAuth is the spec's first mutual-TLS method, or "".
func (e *Env) firstMTLSAuth() string {
	for _, m := range e.Spec.Request.ClientAuth {
		if IsMTLSAuth(m) {
			return m
		}
	}
	return ""
}

func planMTLS(e *Env, req specs.Requirement) []Check {
	arg := checkArg(req)
	concern := Errors
	switch arg {
	case "valid", "bound":
		concern = Fields
	case "resource":
		concern = Security
	}
	c := Check{Req: req, Concern: concern, Variant: arg}
	if arg == "valid" {
		c.Accepts = e.firstMTLSAuth()
	}
	method := e.firstMTLSAuth()
	if method == "" {
		c.Title = "mutual-TLS client authentication is judged"
		c.Run = func(t *T) {
			t.Skipf("spec %s documents no mutual-TLS client authentication (request.client_auth: tls_client_auth, self_signed_tls_client_auth)", t.Env.Spec.Name)
		}
		return []Check{c}
	}
	switch arg {
	case "valid":
		c.Title = "the client's certificate and client_id authenticate the client"
		c.Run = func(t *T) {
			grant := mtlsReady(t, method, false)
			ex := t.use(t.Env.tokenBy(t.Ctx, grant, method))
			if !succeeded(ex) || ex.String(t.Env.Spec.Member("access_token")) == "" {
				t.Errorf("the client's certificate did not authenticate it (%s): %s", method, ex.Summary())
			}
		}
	case "no-cert", "other-cert":
		c.Title = "a request without the client's certificate is refused"
		if arg == "other-cert" {
			c.Title = "a request with a certificate no client registered is refused"
		}
		c.Run = func(t *T) {
			grant := mtlsReady(t, method, true)
			client := t.Env.Client.WithTLS(func(cfg *tls.Config) { cfg.Certificates = nil })
			label := "client_id without a client certificate"
			if arg == "other-cert" {
				cert, err := selfSignedCert(t.Env.Target.ClientID)
				if err != nil {
					t.Errorf("could not make a certificate: %v", err)
					return
				}
				client = t.Env.Client.WithTLS(func(cfg *tls.Config) { cfg.Certificates = []tls.Certificate{cert} })
				label = "client_id with a self-signed certificate made for the run"
			}
			r := t.fresh(label, only(grant), obtainOpts{auth: method})
			ex := t.Env.send(withClient(t.Ctx, client), r)
			t.Evidence(ex)
			ec, ok := t.Env.Spec.Condition(probes.BadClientCertificate.Name)
			if !ok {
				ec = probes.BadClientCertificate.Answer
			}
			expectError(t, ex, probes.BadClientCertificate, ec)
		}
	case "bound":
		c.Title = "the access token is bound to the client's certificate (cnf x5t#S256)"
		c.Run = func(t *T) { runMTLSBound(t, method) }
	case "resource":
		c.Title = "the protected resource refuses a certificate-bound token presented without the certificate"
		c.Run = func(t *T) { runMTLSResource(t, method) }
	default:
		c.Title = "mutual-TLS client authentication is judged"
		c.Run = func(t *T) {
			t.Errorf("requirement %s: check %q names no mtls probe (valid, no-cert, other-cert, bound, resource)", req.ID, req.Check)
		}
	}
	return []Check{c}
}

// mtlsReady skips a check the target cannot run with method and returns
// the grant; with needValid, it also skips when the client's own
// certificate does not authenticate it.
func mtlsReady(t *T, method string, needValid bool) *grants.Grant {
	grant, u := t.Env.mtlsGrant(method)
	if u != nil {
		t.Skip(u)
	}
	if needValid {
		needAccepted(t, grant, method, "the client's own certificate", "the valid check")
	}
	return grant
}

// mtlsGrant is the grant the mtls checks of method request, or why they
// cannot run.
func (e *Env) mtlsGrant(method string) (*grants.Grant, *probes.Unmet) {
	if len(e.Target.ClientAuth) > 0 && !slices.Contains(e.Target.ClientAuth, method) {
		return nil, probes.Excluded(fmt.Sprintf("the client is not registered for %s client authentication (its client_auth: %s)", method, strings.Join(e.Target.ClientAuth, ", ")))
	}
	if u := e.mtlsUnmet(method); u != nil {
		return nil, u
	}
	return e.PrimaryGrant()
}

func runMTLSBound(t *T, method string) {
	e := t.Env
	grant := mtlsReady(t, method, true)
	der := e.Client.ClientCertificate()
	if der == nil {
		t.Needf([]string{"client_cert", "client_key"}, "the transport presents no client certificate (target keys client_cert, client_key)")
	}
	want := certThumbprint(der)
	ex := t.use(e.tokenBy(t.Ctx, grant, method))
	token := ex.String(e.Spec.Member("access_token"))
	// A JWT access token may carry the confirmation itself (RFC 8705 §3.1).
	if cnf, ok := jwtConfirmation(token); ok {
		if cnf != want {
			t.Errorf("the access token's cnf x5t#S256 is %q, not the thumbprint of the client's certificate (RFC 8705 §3.1)", cnf)
		}
		return
	}
	if e.Target.Introspection == "" {
		t.Needf([]string{"introspection"}, "the access token carries no cnf of its own and there is no introspection endpoint to ask (target key introspection)")
	}
	in := introspectionProbe.send(e, t.Ctx, "introspection of a certificate-bound token", token)
	t.Evidence(in)
	if why := introspectionProbe.callerRefused(in); why != "" {
		t.Skipf("the access token carries no cnf of its own, and %s", why)
	}
	m, err := in.Object()
	if err != nil || in.Status() != http.StatusOK {
		t.Errorf("introspection did not describe the token: %s", in.Summary())
		return
	}
	if active, _ := m["active"].(bool); !active {
		t.Errorf("introspection says the fresh token is not active: %s", in.Summary())
		return
	}
	cnf, _ := m["cnf"].(map[string]any)
	got, _ := cnf["x5t#S256"].(string)
	switch {
	case got == "":
		t.Errorf("introspection of a token issued to a client authenticated by its certificate carries no cnf x5t#S256 (RFC 8705 §3.2): %s", in.Summary())
	case got != want:
		t.Errorf("introspection's cnf x5t#S256 is %q, not the thumbprint of the client's certificate (RFC 8705 §3.1)", got)
	}
}

// jwtConfirmation reads cnf x5t#S256 of a JWT access token, when the
// token is a JWT that carries one.
func jwtConfirmation(token string) (string, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", false
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", false
	}
	var c struct {
		Cnf map[string]any `json:"cnf"`
	}
	if json.Unmarshal(b, &c) != nil {
		return "", false
	}
	v, ok := c.Cnf["x5t#S256"].(string)
	return v, ok
}

func runMTLSResource(t *T, method string) {
	if t.Env.Target.Resource == "" {
		t.Needf([]string{"resource"}, "no protected resource to present the token to (target key resource)")
	}
	grant := mtlsReady(t, method, true)
	e := t.Env
	expectUnboundRefused(t, grant, "certificate-bound",
		func(token string) *wire.Exchange {
			return e.presentToken(t.Ctx, "certificate-bound token with the client's certificate", token, "")
		},
		func(token string) *wire.Exchange {
			noCert := e.Client.WithTLS(func(cfg *tls.Config) { cfg.Certificates = nil })
			return e.presentToken(withClient(t.Ctx, noCert), "certificate-bound token without the client's certificate", token, "")
		},
		"presented without the certificate (RFC 8705 §3)")
}

// selfSignedCert is a fresh self-signed client certificate (ECDSA P-256,
// valid for an hour) for cn.
func selfSignedCert(cn string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return tls.Certificate{}, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: cn},
		NotBefore: now.Add(-time.Minute), NotAfter: now.Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("self-signed certificate: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}
