// Package refserver is the reference token server: an OAuth 2.0 token
// endpoint (RFC 6749 §3.2) with a protected resource (RFC 6750) and a token
// introspection endpoint (RFC 7662). It speaks the dialect a spec
// describes, conformantly by default; every choice it makes comes from the
// spec's data. Faults make it break one requirement on purpose, so that
// the suite can be shown to catch each violation.
package refserver

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tokencert/tokencert/grants"
	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/target"
)

// Options configure a Server.
type Options struct {
	Spec *specs.Spec
	// Lifetime of access tokens; 0 means Spec.Refserver.Lifetime.
	Lifetime time.Duration
	Faults   []Fault
	// Quirks are behaviours of real servers the server takes on (quirks.go).
	Quirks []Quirk
	// Latency delays every response by this much.
	Latency time.Duration
	// Credentials of the clients and the resource owner; nil means random
	// values, and empty fields are filled with random values.
	Credentials *Credentials
	// TLS, when set, makes Start serve HTTPS with it (see SelfSigned),
	// unless FaultPlainHTTP.
	TLS *tls.Config
	// ClockOffset sets the server's clock this far from the machine's (a
	// server whose clock is off): its Date headers, the times it issues
	// and checks tokens, codes and assertions at, and the times in its
	// tokens.
	ClockOffset time.Duration
}

// Server is a reference token server. Its state (issued tokens) lives
// behind methods; it is safe for concurrent use.
type Server struct {
	spec     *specs.Spec
	lifetime time.Duration
	latency  time.Duration
	offset   time.Duration
	faults   map[string]bool
	quirks   map[string]bool
	creds    Credentials
	reg      *registry
	store    *store
	codes    codes
	devices  devices
	// deviceLifetime is how long a device code lives (RFC 8628 §3.2).
	deviceLifetime time.Duration
	signer         *signer
	// otherSigner signs the tokens of FaultJWTOtherKey.
	otherSigner *signer
	assert      *assertions
	dpop        *dpopServer
	mtls        *mtlsServer
	handler     http.Handler
	tls         *tls.Config

	// counter numbers the tokens of FaultTokenCounter after counterPrefix.
	counter       atomic.Int64
	counterPrefix string

	mu   sync.Mutex
	http *http.Server
	ln   net.Listener
}

// The paths of the protected resource and the introspection endpoint.
const (
	resourcePath   = "/resource"
	introspectPath = "/introspect"
)

// New returns a server for o.Spec. It fails on an unknown fault and on a
// spec the server cannot speak.
func New(o Options) (*Server, error) {
	if o.Spec == nil {
		return nil, errors.New("refserver: no spec")
	}
	s := &Server{spec: o.Spec, lifetime: o.Lifetime, latency: o.Latency, offset: o.ClockOffset, faults: map[string]bool{}, quirks: map[string]bool{}, store: newStore(), tls: o.TLS, counterPrefix: randomToken(),
		deviceLifetime: deviceLifetimeDef}
	if s.lifetime == 0 {
		s.lifetime = o.Spec.Refserver.Lifetime.Duration
	}
	if s.lifetime <= 0 {
		return nil, fmt.Errorf("refserver: access-token lifetime %s is not positive", s.lifetime)
	}
	if s.latency < 0 {
		return nil, fmt.Errorf("refserver: latency %s is negative", s.latency)
	}
	for _, f := range o.Faults {
		known, err := FaultByName(f.Name)
		if err != nil {
			return nil, fmt.Errorf("refserver: %w", err)
		}
		if known != f {
			return nil, fmt.Errorf("refserver: fault %q does not match the registered fault", f.Name)
		}
		s.faults[f.Name] = true
	}
	for _, q := range o.Quirks {
		known, err := QuirkByName(q.Name)
		if err != nil {
			return nil, fmt.Errorf("refserver: %w", err)
		}
		if !slices.Equal(known.Concerns, q.Concerns) || known.Doc != q.Doc || known.Seen != q.Seen {
			return nil, fmt.Errorf("refserver: quirk %q does not match the registered quirk", q.Name)
		}
		s.quirks[q.Name] = true
	}
	if err := s.checkSpec(); err != nil {
		return nil, err
	}
	s.creds = randomCredentials().fit(o.Spec.Request.MaxLength)
	if o.Credentials != nil {
		s.creds = o.Credentials.complete()
	}
	var err error
	if s.reg, err = newRegistry(s.creds); err != nil {
		return nil, err
	}
	if s.assert, err = newAssertions(s); err != nil {
		return nil, err
	}
	s.dpop = newDPoPServer(s)
	if s.mtls, err = newMTLSServer(s); err != nil {
		return nil, err
	}
	if j := o.Spec.Response.JWT; j != nil {
		if s.signer, err = newSigner(j.Alg); err != nil {
			return nil, err
		}
		if err = s.newOtherSigner(); err != nil {
			return nil, err
		}
	}
	s.handler = s.routes()
	return s, nil
}

// checkSpec refuses a spec whose data the server cannot act on.
func (s *Server) checkSpec() error {
	sp := s.spec
	p := sp.Request.Path
	if !strings.HasPrefix(p, "/") || p == resourcePath || p == introspectPath || p == jwksPath || p == authorizePath || p == revokePath || strings.HasPrefix(p, devicePath) || strings.HasPrefix(p, "/.well-known/") {
		return fmt.Errorf("refserver: spec %s: token path %q must start with / and differ from %s, %s and %s", sp.Name, p, resourcePath, introspectPath, jwksPath)
	}
	if strings.Contains(p, " ") || strings.Count(p, "{") != len(sp.PathVars()) || strings.Count(p, "}") != len(sp.PathVars()) {
		return fmt.Errorf("refserver: spec %s: token path %q may contain no spaces, and braces only around a whole segment ({tenant})", sp.Name, p)
	}
	switch sp.Request.Encoding {
	case "form", "json", "query":
	default:
		return fmt.Errorf("refserver: spec %s: unknown request encoding %q", sp.Name, sp.Request.Encoding)
	}
	for _, g := range sp.Grants {
		if _, ok := grantTypes[g.Type]; !ok {
			return fmt.Errorf("refserver: spec %s: grant %q is not served", sp.Name, g.Type)
		}
	}
	if d := sp.Response.Dates; d != nil && !d.Known() {
		return fmt.Errorf("refserver: spec %s: unknown date layout %q", sp.Name, d.Layout)
	}
	return nil
}

// pathValue is the value the server expects for a path variable.
func (s *Server) pathValue(name string) string {
	if v := s.spec.Refserver.Params[name]; v != "" {
		return v
	}
	return "tokencert"
}

// targetParams are the target params the server expects: the token
// path's variables, and the required parameters other than audience and
// scope.
func (s *Server) targetParams() map[string]string {
	out := map[string]string{}
	for _, v := range s.spec.PathVars() {
		out[v] = s.pathValue(v)
	}
	for _, name := range s.spec.Request.Required {
		if name != "audience" && name != "scope" {
			out[name] = s.pathValue(name)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// serveTokenAt serves the token endpoint where the path's variables have
// the values the server expects; elsewhere there is no endpoint (404).
func (s *Server) serveTokenAt(w http.ResponseWriter, r *http.Request) {
	for _, v := range s.spec.PathVars() {
		if r.PathValue(v) != s.pathValue(v) {
			http.NotFound(w, r)
			return
		}
	}
	s.serveToken(w, r)
}

// routes serves the token endpoint at Spec.Request.Path, the resource and
// introspection. Each request body is read first, capped at maxBody (so
// that a client hanging up during the delay cancels the request context),
// then each response is delayed by the latency.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(s.spec.Request.Path, s.serveTokenAt)
	mux.HandleFunc(resourcePath, s.serveResource)
	mux.HandleFunc(introspectPath, s.serveIntrospect)
	mux.HandleFunc(jwksPath, s.serveJWKS)
	mux.HandleFunc(metadataPath, s.serveMetadata)
	mux.HandleFunc(authorizePath, s.serveAuthorize)
	mux.HandleFunc(revokePath, s.serveRevoke)
	mux.HandleFunc(devicePath, s.serveDevice)
	mux.HandleFunc(deviceVerifyPath, s.serveDeviceVerify)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		r.Body = &readBody{Reader: bytes.NewReader(body), err: err}
		if s.latency > 0 {
			t := time.NewTimer(s.latency)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		// RFC 9110 §6.6.1: the time the response was generated, by the
		// server's clock.
		w.Header().Set("Date", s.now().UTC().Format(http.TimeFormat))
		mux.ServeHTTP(w, r)
	})
}

// now is the time by the server's clock (Options.ClockOffset).
func (s *Server) now() time.Time { return time.Now().Add(s.offset) }

// readBody replays a request body read in advance, then the error that
// ended the reading, if any.
type readBody struct {
	*bytes.Reader
	err error
}

func (b *readBody) Read(p []byte) (int, error) {
	n, err := b.Reader.Read(p)
	if err == io.EOF && b.err != nil {
		err = b.err
	}
	return n, err
}

func (b *readBody) Close() error { return nil }

// Handler serves the token endpoint at Spec.Request.Path, the protected
// resource at /resource and introspection at /introspect.
func (s *Server) Handler() http.Handler { return s.handler }

// Start listens on addr (e.g. "127.0.0.1:0") and serves in the background
// until Close.
func (s *Server) Start(addr string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.http != nil {
		return errors.New("refserver: already started")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("refserver: %w", err)
	}
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
		// Clients that hang up before a TLS handshake (a reachability
		// probe, a test of an untrusted certificate) are not news.
		ErrorLog: log.New(dropHandshakeErrors{}, "", log.LstdFlags),
	}
	if s.tls != nil && !s.has(FaultPlainHTTP) {
		ln = tls.NewListener(ln, s.listenerTLS())
	}
	s.http, s.ln = srv, ln
	go func() { _ = srv.Serve(ln) }()
	return nil
}

// URL is the server's base URL, "http://127.0.0.1:PORT" (https with TLS),
// or "" before Start. An unspecified listen address is reported as
// 127.0.0.1.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return ""
	}
	scheme := "http://"
	if s.tls != nil && !s.has(FaultPlainHTTP) {
		scheme = "https://"
	}
	addr, ok := s.ln.Addr().(*net.TCPAddr)
	if !ok {
		return scheme + s.ln.Addr().String()
	}
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return scheme + net.JoinHostPort(host, fmt.Sprint(addr.Port))
}

// Close stops the server and closes its connections.
func (s *Server) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.http == nil {
		return nil
	}
	err := s.http.Close()
	s.http, s.ln = nil, nil
	return err
}

// Target describes the running server as a target: its endpoints (under
// URL), credentials, every scope it may grant and the audience it expects.
// The resource owner is listed only when the spec has the password grant.
// `tokencert serve` prints it as its first stdout line: a valid target file
// (JSON is YAML).
func (s *Server) Target() target.Target {
	base := s.URL()
	name := s.spec.Name
	if s.spec.Dir() != "" {
		name = s.spec.Source
	}
	t := target.Target{
		Spec: name, Endpoint: base + s.spec.Request.Path, Params: s.targetParams(),
		ClientID: s.creds.ClientID, ClientSecret: s.creds.ClientSecret,
		Scope: strings.Join(s.spec.Refserver.Scopes, " "), Audience: s.spec.Refserver.Audience,
		Resource: base + resourcePath, Introspection: base + introspectPath, Revocation: base + revokePath,
		OtherClientID: s.creds.OtherClientID, OtherClientSecret: s.creds.OtherClientSecret,
		PublicClientID: s.creds.PublicClientID,
	}
	if s.listsResourceOwner() || s.spec.Grant("authorization_code") != nil || s.spec.Grant(grants.DeviceCode.Name) != nil {
		t.Username, t.Password = s.creds.Username, s.creds.Password
	}
	s.assertionTarget(&t)
	if s.spec.Grant("authorization_code") != nil {
		// The login page is a plain HTML form.
		t.Authorization = base + authorizePath
		t.Authorize = &target.Authorize{RedirectURI: RedirectURI, Form: true}
	}
	if s.spec.Grant(grants.DeviceCode.Name) != nil {
		t.DeviceAuthorization = base + devicePath
		if t.Authorize == nil {
			t.Authorize = &target.Authorize{RedirectURI: RedirectURI, Form: true}
		}
		// The verification page's deny button.
		t.Authorize.Deny = "deny"
	}
	if s.hasMetadataRequirement() {
		// The metadata checks read the server's own metadata.
		t.Issuer = base
	}
	s.dpopTarget(&t)
	s.mtlsTarget(&t)
	s.jwksTarget(&t)
	return t
}
