package refserver

import (
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/tokencert/tokencert/probes"
)

// Credentials are the registered clients and resource owner: the main
// client, the other client (for the refresh-token binding probe, RFC 6749
// §10.4) and one user for the password grant.
type Credentials struct {
	ClientID, ClientSecret, Username, Password, OtherClientID, OtherClientSecret string
	// PublicClientID is a public client (RFC 6749 §2.1): it has no secret
	// and is identified by client_id alone.
	PublicClientID string
}

// randomCredentials returns credentials with crypto/rand values.
func randomCredentials() Credentials {
	return Credentials{
		ClientID: "tokencert-client-" + randomToken()[:12], ClientSecret: randomToken(),
		Username: "tokencert-user-" + randomToken()[:12], Password: randomToken(),
		OtherClientID: "tokencert-other-" + randomToken()[:12], OtherClientSecret: randomToken(),
		PublicClientID: "tokencert-public-" + randomToken()[:12],
	}
}

// complete fills empty values with random ones.
func (c Credentials) complete() Credentials {
	r := randomCredentials()
	for _, p := range []struct {
		v *string
		r string
	}{
		{&c.ClientID, r.ClientID}, {&c.ClientSecret, r.ClientSecret}, {&c.Username, r.Username},
		{&c.Password, r.Password}, {&c.OtherClientID, r.OtherClientID}, {&c.OtherClientSecret, r.OtherClientSecret},
		{&c.PublicClientID, r.PublicClientID},
	} {
		if *p.v == "" {
			*p.v = p.r
		}
	}
	return c
}

// client is a registered client (RFC 6749 §2.1): confidential, with a
// secret, or public, without one.
type client struct {
	id, secret string
	public     bool
}

// verify compares a presented secret in constant time (RFC 6749 §10.3 asks
// that credentials not be guessable; timing must not help guessing). A
// public client has no secret to verify.
func (c client) verify(secret string) bool {
	return !c.public && subtle.ConstantTimeCompare([]byte(c.secret), []byte(secret)) == 1
}

// registry holds the clients and the resource owner.
type registry struct {
	clients            []client
	username, password string
}

func newRegistry(c Credentials) (*registry, error) {
	if c.ClientID == c.OtherClientID || c.PublicClientID == c.ClientID || c.PublicClientID == c.OtherClientID {
		return nil, errors.New("refserver: two clients have the same client_id")
	}
	return &registry{
		clients: []client{{id: c.ClientID, secret: c.ClientSecret}, {id: c.OtherClientID, secret: c.OtherClientSecret},
			{id: c.PublicClientID, public: true}},
		username: c.Username, password: c.Password,
	}, nil
}

// client returns the client with that id.
func (r *registry) client(id string) (client, bool) {
	for _, c := range r.clients {
		if c.id == id {
			return c, true
		}
	}
	return client{}, false
}

// authenticate checks a client's credentials; an unknown id fails like a
// wrong secret.
func (r *registry) authenticate(id, secret string) (client, bool) {
	c, ok := r.client(id)
	if !ok || !c.verify(secret) {
		return client{}, false
	}
	return c, true
}

// resourceOwner checks the password grant's username and password
// (RFC 6749 §4.3.2).
func (r *registry) resourceOwner(username, password string) bool {
	u := subtle.ConstantTimeCompare([]byte(username), []byte(r.username))
	p := subtle.ConstantTimeCompare([]byte(password), []byte(r.password))
	return u&p == 1
}

// The client authentication methods (spec Request.ClientAuth).
const (
	authBasic = "basic"
	authBody  = "body"
	authNone  = "none"
)

// authenticateClient authenticates the client of a token request by the
// methods the spec supports (RFC 6749 §2.3.1, §3.2.1): HTTP Basic, or
// client_id and client_secret in the body; using both is invalid_request
// (RFC 6749 §2.3). It returns the client and the method used.
func (s *Server) authenticateClient(r *http.Request, req *tokenRequest) (client, string, *apiError) {
	if c, method, err, ok := s.assertionClient(r, req); ok {
		return c, method, err
	}
	if c, method, err, ok := s.mtlsClient(r, req); ok {
		return c, method, err
	}
	id, secret, hasBasic, err := s.basicCredentials(r)
	if err != nil {
		return client{}, authBasic, fail(probes.MalformedBasic)
	}
	bodyID, bodySecret := "", ""
	if s.spec.Supports(authBody) && !s.has(FaultBodyUnsupported) {
		bodyID, bodySecret = req.get("client_id"), req.get("client_secret")
	}
	// Two methods at once are refused whether or not body credentials
	// would authenticate the client (RFC 6749 §2.3).
	twice := s.spec.Supports(authBody) && req.get("client_secret") != ""
	switch {
	case hasBasic && (twice || bodySecret != "" || (bodyID != "" && bodyID != id)) && !s.has(FaultMultipleAuthAccepted):
		return client{}, authBasic, fail(probes.MultipleClientAuth)
	case hasBasic:
		c, ok := s.authenticate(id, secret)
		if !ok {
			return client{}, authBasic, fail(probes.BadClientBasic)
		}
		return c, authBasic, nil
	case !hasBasic && req.get("client_secret") == "" && s.publicClient(req.get("client_id")):
		// A public client identifies itself by client_id alone (RFC 6749
		// §2.1, §3.2.1), whatever methods confidential clients use.
		c, _ := s.reg.client(req.get("client_id"))
		return c, authNone, nil
	case bodyID != "" && bodySecret != "":
		c, ok := s.authenticate(bodyID, bodySecret)
		if !ok {
			if s.has(FaultBodyAuthInvalidRequest) {
				return client{}, authBody, fail(probes.BadClientBody).withCode("invalid_request")
			}
			return client{}, authBody, fail(probes.BadClientBody)
		}
		return c, authBody, nil
	case s.has(FaultCredentialsInURIAccepted) && r.URL.Query().Get(s.spec.Param("client_secret")) != "":
		q := r.URL.Query()
		if c, ok := s.authenticate(q.Get(s.spec.Param("client_id")), q.Get(s.spec.Param("client_secret"))); ok {
			return c, authBody, nil
		}
	case s.isPublicClient(r, req):
		return client{id: req.get("client_id")}, authPublic, nil
	case s.has(FaultNoAuthAccepted):
		return s.reg.clients[0], authNone, nil
	}
	return client{}, authNone, fail(probes.NoClientAuth)
}

// publicClient reports whether id is a registered public client.
func (s *Server) publicClient(id string) bool {
	c, ok := s.reg.client(id)
	return ok && c.public
}

// basicCredentials reads HTTP Basic client credentials when the spec
// supports them; ok is false when the request has none.
func (s *Server) basicCredentials(r *http.Request) (id, secret string, ok bool, err error) {
	if !s.spec.Supports(authBasic) && !s.has(FaultClientSecretAccepted) {
		return "", "", false, nil
	}
	return parseBasic(r.Header.Get("Authorization"))
}

// basicClient authenticates a caller of the introspection endpoint by HTTP
// Basic (RFC 7662 §2.1), whatever the token endpoint's methods.
func (s *Server) basicClient(r *http.Request) (client, bool) {
	id, secret, ok, err := parseBasic(r.Header.Get("Authorization"))
	if !ok || err != nil {
		return client{}, false
	}
	return s.reg.authenticate(id, secret)
}

// parseBasic decodes an Authorization header of the Basic scheme (scheme
// case-insensitive, RFC 7617 §2): base64, then client_id and client_secret,
// each application/x-www-form-urlencoded (RFC 6749 §2.3.1, App. B).
// present is false when the header is not Basic.
func parseBasic(header string) (id, secret string, present bool, err error) {
	scheme, rest, _ := strings.Cut(header, " ")
	if !strings.EqualFold(scheme, "Basic") {
		return "", "", false, nil
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(rest))
	if err != nil {
		return "", "", true, err
	}
	rawID, rawSecret, found := strings.Cut(string(raw), ":")
	if !found {
		return "", "", true, errors.New("no colon in Basic credentials")
	}
	if id, err = url.QueryUnescape(rawID); err != nil {
		return "", "", true, err
	}
	if secret, err = url.QueryUnescape(rawSecret); err != nil {
		return "", "", true, err
	}
	return id, secret, true, nil
}

// PublicClientID is the client_id of the server's public client (RFC 6749
// §2.1), which authenticates by client_id alone.
func (s *Server) PublicClientID() string { return s.creds.PublicClientID }
