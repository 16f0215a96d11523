package refserver

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/tokencert/tokencert/probes"
	"github.com/tokencert/tokencert/target"
)

// jwtBearer is the client_assertion_type of RFC 7523 §2.2.
const jwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// assertionLeeway is the clock skew allowed on exp and nbf (RFC 7523 §3:
// "some small leeway, usually no more than a few minutes").
const assertionLeeway = time.Minute

// assertions is the server's side of JWT client authentication (RFC 7523
// §2.2, §3; OpenID Connect Core §9): the public keys registered for
// private_key_jwt, and the jti values already used.
type assertions struct {
	// keys are the clients' registered public keys, by client_id.
	keys map[string]jose.JSONWebKey
	// mainKey is the main client's private key (PKCS #8 PEM), handed to
	// the suite through Target and never sent.
	mainKey []byte

	mu   sync.Mutex
	used map[string]time.Time // client_id + " " + jti → exp
}

// newAssertions registers an ES256 key for each client when the spec
// offers private_key_jwt.
func newAssertions(s *Server) (*assertions, error) {
	a := &assertions{keys: map[string]jose.JSONWebKey{}, used: map[string]time.Time{}}
	if !s.spec.Supports(target.AuthPrivateKeyJWT) && !s.quirk(QuirkPrivateKeyJWTUnlisted) {
		return a, nil
	}
	for i, c := range s.reg.clients {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("refserver: client key: %w", err)
		}
		a.keys[c.id] = jose.JSONWebKey{Key: k.Public(), Algorithm: "ES256", Use: "sig"}
		if i == 0 {
			der, err := x509.MarshalPKCS8PrivateKey(k)
			if err != nil {
				return nil, fmt.Errorf("refserver: client key: %w", err)
			}
			a.mainKey = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
		}
	}
	return a, nil
}

// assertionTarget gives the target the main client's private key.
func (s *Server) assertionTarget(t *target.Target) {
	if s.assert != nil && s.assert.mainKey != nil {
		t.AssertionKeyData = bytes.Clone(s.assert.mainKey) // ES256, the key type's usual alg
	}
	if s.quirk(QuirkPrivateKeyJWTUnlisted) {
		// The client is registered for the method the spec does not list.
		t.ClientAuth = []string{target.AuthPrivateKeyJWT}
	}
}

// supportsAssertions reports whether the spec offers a JWT method.
func (s *Server) supportsAssertions() bool {
	return s.spec.Supports(target.AuthPrivateKeyJWT) || s.spec.Supports(target.AuthClientSecretJWT) || s.quirk(QuirkPrivateKeyJWTUnlisted)
}

// assertionClient authenticates a request that carries a client
// assertion; handled is false when it carries none (or the spec offers no
// JWT method, when the parameters mean nothing).
func (s *Server) assertionClient(r *http.Request, req *tokenRequest) (c client, method string, e *apiError, handled bool) {
	typ, jws := req.get("client_assertion_type"), req.get("client_assertion")
	if (typ == "" && jws == "") || !s.supportsAssertions() {
		return client{}, "", nil, false
	}
	if _, _, hasBasic, _ := parseBasic(r.Header.Get("Authorization")); hasBasic || req.get("client_secret") != "" {
		return client{}, authNone, fail(probes.MultipleClientAuth), true
	}
	bad := func(why string) (client, string, *apiError, bool) {
		return client{}, authNone, fail(probes.BadClientAssertion).withDescription("the client assertion is invalid: " + why), true
	}
	if typ != jwtBearer {
		return bad("unknown client_assertion_type")
	}
	if jws == "" {
		return bad("client_assertion is missing")
	}
	if s.has(FaultAssertionRefused) {
		return bad("client assertions are refused")
	}
	c, method, why := s.verifyAssertion(r, req, jws)
	if why != "" {
		return bad(why)
	}
	return c, method, nil, true
}

// verifyAssertion checks a client assertion as RFC 7523 §3 lists: the
// signature (never alg none) by the client's registered key or, for
// client_secret_jwt, its secret; iss and sub the client_id; aud this
// server; exp not passed; nbf reached; a jti not used before. It returns
// the client and method, or why the assertion is refused (NQSCHAR).
func (s *Server) verifyAssertion(r *http.Request, req *tokenRequest, raw string) (client, string, string) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return client{}, "", "not a JWS compact serialization"
	}
	var header struct {
		Alg string `json:"alg"`
	}
	if hb, err := base64.RawURLEncoding.DecodeString(parts[0]); err != nil || json.Unmarshal(hb, &header) != nil {
		return client{}, "", "the JOSE header does not decode"
	}
	var (
		payload []byte
		jws     *jose.JSONWebSignature
		method  = target.AuthPrivateKeyJWT
	)
	switch {
	case header.Alg == "none":
		if !s.has(FaultAssertionAlgNoneAccepted) {
			return client{}, "", "the assertion is not signed (alg none)"
		}
		var err error
		if payload, err = base64.RawURLEncoding.DecodeString(parts[1]); err != nil {
			return client{}, "", "the payload does not decode"
		}
		if !s.spec.Supports(method) {
			method = target.AuthClientSecretJWT
		}
	default:
		var err error
		jws, err = jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256, jose.PS256, jose.ES256, jose.EdDSA, jose.HS256})
		if err != nil {
			return client{}, "", "the algorithm is not accepted or the JWS does not parse"
		}
		payload = jws.UnsafePayloadWithoutVerification()
		if header.Alg == string(jose.HS256) {
			method = target.AuthClientSecretJWT
		}
		if !s.spec.Supports(method) && !(method == target.AuthPrivateKeyJWT && s.quirk(QuirkPrivateKeyJWTUnlisted)) {
			return client{}, "", method + " is not offered"
		}
	}
	var claims struct {
		Iss string          `json:"iss"`
		Sub string          `json:"sub"`
		Aud json.RawMessage `json:"aud"`
		Exp *json.Number    `json:"exp"`
		Nbf *json.Number    `json:"nbf"`
		Jti string          `json:"jti"`
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	if err := dec.Decode(&claims); err != nil {
		return client{}, "", "the claims are not a JSON object of the registered claim types"
	}
	id := claims.Sub
	if s.has(FaultAssertionIssSubUnchecked) {
		for _, cand := range []string{req.get("client_id"), claims.Iss, claims.Sub} {
			if _, ok := s.reg.client(cand); ok {
				id = cand
				break
			}
		}
	} else {
		if claims.Iss == "" || claims.Sub == "" {
			return client{}, "", "iss and sub are required"
		}
		if claims.Iss != claims.Sub {
			return client{}, "", "iss and sub must both be the client_id"
		}
		if cid := req.get("client_id"); cid != "" && cid != id {
			return client{}, "", "client_id is not the assertion's sub"
		}
	}
	c, ok := s.reg.client(id)
	if !ok {
		return client{}, "", "no such client"
	}
	if jws != nil && !s.has(FaultAssertionSignatureUnchecked) {
		var key any
		if method == target.AuthClientSecretJWT {
			key = []byte(c.secret)
		} else if k, ok := s.assert.keys[c.id]; ok {
			key = k
		} else {
			return client{}, "", "no key is registered for the client"
		}
		if _, err := jws.Verify(key); err != nil {
			return client{}, "", "the signature does not verify"
		}
	}
	// The token endpoint's URL identifies the server at every endpoint
	// that authenticates clients (revocation, device authorization), as
	// does the URL the assertion was sent to (RFC 7523 §3, OpenID Connect
	// Core §9).
	if !s.has(FaultAssertionAudUnchecked) && !audienceIncludes(claims.Aud, s.issuerURL(r)+s.tokenPathFilled(), s.tokenURL(r), s.issuerURL(r)) {
		return client{}, "", "aud does not name this server"
	}
	now := s.now()
	if claims.Exp == nil {
		return client{}, "", "exp is required"
	}
	exp, err := claims.Exp.Float64()
	if err != nil {
		return client{}, "", "exp is not a number"
	}
	expires := time.Unix(int64(exp), 0)
	if !s.has(FaultAssertionExpUnchecked) && now.After(expires.Add(assertionLeeway)) {
		return client{}, "", "the assertion has expired"
	}
	if claims.Nbf != nil {
		if nbf, err := claims.Nbf.Float64(); err != nil || now.Add(assertionLeeway).Before(time.Unix(int64(nbf), 0)) {
			return client{}, "", "the assertion is not valid yet"
		}
	}
	if claims.Jti != "" && !s.has(FaultAssertionReplayAccepted) && !s.assert.use(c.id, claims.Jti, expires, now) {
		return client{}, "", "the jti was used before"
	}
	return c, method, ""
}

// use records a jti until its assertion expires; false when it is in use.
func (a *assertions) use(clientID, jti string, exp, now time.Time) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	for k, t := range a.used {
		if now.After(t.Add(assertionLeeway)) {
			delete(a.used, k)
		}
	}
	key := clientID + " " + jti
	if _, seen := a.used[key]; seen {
		return false
	}
	a.used[key] = exp
	return true
}

// tokenURL is the token endpoint's URL as the request reached it.
func (s *Server) tokenURL(r *http.Request) string { return s.issuerURL(r) + r.URL.Path }

// issuerURL is the server's base URL as the request reached it.
func (s *Server) issuerURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// audienceIncludes reports whether aud (a string or an array of strings,
// RFC 7519 §4.1.3) holds one of want.
func audienceIncludes(aud json.RawMessage, want ...string) bool {
	var list []string
	var one string
	if json.Unmarshal(aud, &one) == nil {
		list = []string{one}
	} else if json.Unmarshal(aud, &list) != nil {
		return false
	}
	for _, a := range list {
		for _, w := range want {
			if a == w {
				return true
			}
		}
	}
	return false
}
