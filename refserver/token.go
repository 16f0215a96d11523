package refserver

import (
	"encoding/base64"
	"encoding/json"
	"maps"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tokencert/tokencert/grants"
	"github.com/tokencert/tokencert/probes"
	"github.com/tokencert/tokencert/target"
)

// grant is a successful grant, before its tokens are minted.
type grant struct {
	client   string
	username string
	scope    scopeGrant
	// refresh: issue a refresh token, bound to client, carrying
	// refreshScope (the original grant's scope, RFC 6749 §6).
	refresh      bool
	refreshScope []string
	// keepRefresh is a refresh token sent again instead of a new one
	// (FaultRefreshNotRotated).
	keepRefresh string
	// deadRefresh: the new refresh token is not recorded
	// (FaultRotatedRefreshDead).
	deadRefresh bool
	// code is the authorization code the grant redeemed, if any.
	code string
}

// grantFunc serves one grant type for an authenticated client.
type grantFunc func(s *Server, req *tokenRequest, c client) (*grant, *apiError)

// grantTypes serve every grant of the registry (grants.All), by name; the
// server serves those the spec lists (Spec.Grants).
var grantTypes = map[string]grantFunc{
	grants.ClientCredentials.Name: (*Server).grantClientCredentials,
	grants.Password.Name:          (*Server).grantPassword,
	grants.RefreshToken.Name:      (*Server).grantRefresh,
	grants.AuthorizationCode.Name: (*Server).grantAuthorizationCode,
	grants.DeviceCode.Name:        (*Server).grantDeviceCode,
}

// Serves reports whether the reference server has a handler for a grant
// (a test holds grantTypes against grants.All).
func Serves(grant string) bool { _, ok := grantTypes[grant]; return ok }

// serveToken is the token endpoint (RFC 6749 §3.2).
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	if s.hostile(w, r) {
		return
	}
	r, err := s.tokenDPoP(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	g, req, err := s.tokenGrant(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !s.delayToken(r) {
		return
	}
	s.issue(w, req, g)
}

// tokenGrant checks a token request in the order a client's mistakes are
// best reported: method, body, client authentication (RFC 6749 §3.2.1),
// grant type, parameters, then the grant itself.
func (s *Server) tokenGrant(r *http.Request) (*grant, *tokenRequest, *apiError) {
	if r.Method != s.tokenMethod() && !s.has(FaultGetAccepted) && !(s.has(FaultWrongMethodBodyAccepted) && r.ContentLength > 0 && r.URL.RawQuery == "") {
		e := fail(probes.WrongMethod)
		e.allow = s.tokenMethod()
		if s.quirk(QuirkWrongMethod401) {
			// An authentication filter answers before the token endpoint.
			e.allow, e.status, e.noChallenge = "", http.StatusUnauthorized, true
		}
		return nil, nil, e
	}
	req, err := s.readTokenRequest(r)
	if err != nil {
		return nil, nil, err
	}
	s.truncateLong(req)
	c, method, err := s.authenticateClient(r, req)
	if err != nil {
		return nil, nil, err
	}
	gt := req.get("grant_type")
	if gt == "" {
		if s.has(FaultMissingGrantTypeUnsupported) {
			return nil, nil, fail(probes.UnsupportedGrant)
		}
		return nil, nil, fail(probes.MissingGrantType)
	}
	serve, ok := grantTypes[gt]
	if !ok || (s.spec.Grant(gt) == nil && !(gt == "password" && s.has(FaultPasswordGrantServed))) {
		e := fail(probes.UnsupportedGrant)
		switch {
		case s.has(FaultErrorCodeInvented):
			e = e.withCode("grant_not_supported")
		case s.has(FaultUnsupportedGrantInvalidRequest):
			e = e.withCode("invalid_request")
		}
		return nil, nil, e
	}
	if err := s.grantAuth(method, gt); err != nil {
		return nil, nil, err
	}
	if err := s.checkParams(req, gt); err != nil {
		return nil, nil, err
	}
	if err := s.publicClientGrant(method, gt); err != nil {
		return nil, nil, err
	}
	g, err := serve(s, req, c)
	if err != nil {
		return nil, nil, err
	}
	if s.has(FaultBasicUnsupported) && method == authBasic && gt == s.primaryGrant() {
		return nil, nil, fail(probes.BadClientBasic)
	}
	return g, req, nil
}

// checkParams enforces the extra parameters the spec requires for the
// grant (Spec.RequiredFor: none on a refresh, whose parameters RFC 6749 §6
// fixes, unless its grant entry names some) and documented maximum
// lengths. A required parameter with a configured value (audience:
// Refserver.Audience) must have that value.
func (s *Server) checkParams(req *tokenRequest, grantType string) *apiError {
	for _, name := range s.spec.RequiredFor(grantType) {
		v := req.get(name)
		if v == "" && !s.enforcesRequired(name) {
			continue
		}
		if v == "" {
			return fail(probes.BadParam).withDescription("a required parameter is missing: " + name)
		}
		if want := s.configured(name); want != "" && v != want && s.valueChecked() {
			return fail(probes.BadParam).withDescription("the value of " + name + " is not accepted")
		}
	}
	for _, name := range slices.Sorted(maps.Keys(s.spec.Request.MaxLength)) {
		if tooLong(req.get(name), s.spec.Request.MaxLength[name]) {
			return fail(probes.BadParam).withDescription("the value of " + name + " is too long")
		}
	}
	return nil
}

// grantAuth refuses a client authenticated by a method the spec does not
// document for the grant (its grant entry's client_auth), as failed client
// authentication. A public client's client_id alone is its grant's
// business (publicClientGrant).
func (s *Server) grantAuth(method, grantType string) *apiError {
	if method == authNone || method == authPublic || slices.Contains(s.spec.ClientAuthFor(grantType), method) ||
		s.has(FaultClientSecretAccepted) && (method == authBasic || method == authBody) ||
		s.quirk(QuirkPrivateKeyJWTUnlisted) && method == target.AuthPrivateKeyJWT {
		return nil
	}
	if method == authBasic {
		return fail(probes.BadClientBasic).withDescription("the " + grantType + " grant does not take HTTP Basic client authentication")
	}
	return fail(probes.NoClientAuth).withDescription("the " + grantType + " grant does not take " + method + " client authentication")
}

// configured is the value the spec's reference-server section sets for an
// extra parameter, or "".
func (s *Server) configured(name string) string {
	if name == "audience" {
		return s.spec.Refserver.Audience
	}
	return s.spec.Refserver.Params[name]
}

// primaryGrant is the grant the suite makes its plain token requests with:
// the first the spec lists, in the token source's order (grants.All), that
// issues a token of its own.
func (s *Server) primaryGrant() string {
	for _, g := range grants.All {
		if g.Issues() && s.spec.Grant(g.Name) != nil {
			return g.Name
		}
	}
	return ""
}

// issue mints the tokens of a grant and sends the successful response
// (RFC 6749 §5.1): 200, application/json, Cache-Control: no-store and
// Pragma: no-cache.
func (s *Server) issue(w http.ResponseWriter, req *tokenRequest, g *grant) {
	now := s.now()
	at, err := s.mintAccessToken(req, g, now)
	if err != nil {
		http.Error(w, "cannot sign the access token", http.StatusInternalServerError)
		return
	}
	rt := g.keepRefresh
	if g.refresh && rt == "" {
		rt = randomToken()
		if s.has(FaultRefreshTokenNumber) {
			rt = randomDigits()
		}
		if !g.deadRefresh {
			s.store.addRefresh(rt, refreshRecord{client: g.client, username: g.username, scope: g.refreshScope, issued: now, jkt: s.refreshKey(req, g), code: g.code})
		}
	}
	expires := now.Add(s.lifetime)
	if s.has(FaultRevokeOnRefreshNeverExpire) {
		expires = now.Add(100 * 365 * 24 * time.Hour)
	}
	s.store.addAccess(at, accessRecord{client: g.client, username: g.username, scope: g.scope.scope,
		issued: now, expires: expires, refresh: rt, jkt: s.accessKey(req), x5t: s.certBinding(req), code: g.code}, s.discardsOld())
	body := s.successBody(req, g, at, rt, now)

	h := w.Header()
	h.Set("Cache-Control", "no-store")
	if s.has(FaultNoStoreMissing) {
		h.Set("Cache-Control", "no-cache")
	}
	if !s.has(FaultPragmaMissing) {
		h.Set("Pragma", "no-cache")
	}
	if s.has(FaultSecretEchoed) {
		if c, ok := s.reg.client(g.client); ok {
			h.Set("X-Client-Assertion", base64.RawURLEncoding.EncodeToString([]byte(c.secret)))
		}
	}
	ct := s.successMediaType(req.accept)
	if s.has(FaultTextPlain) {
		ct = "text/plain; charset=utf-8"
	}
	status := http.StatusOK
	if s.has(FaultStatus201) {
		status = http.StatusCreated
	}
	s.writeToken(w, status, ct, body)
}

// mintAccessToken returns a new access token: 256 random bits, or a JWS
// when the spec describes JWT access tokens.
func (s *Server) mintAccessToken(req *tokenRequest, g *grant, now time.Time) (string, error) {
	var at string
	if s.signer == nil || s.has(FaultAccessTokenOpaque) {
		at = s.newToken()
	} else {
		var err error
		if at, err = s.signAccessToken(s.claims(req, g, now)); err != nil {
			return "", err
		}
	}
	if s.has(FaultAccessTokenNonASCII) {
		at = "tökén-" + at
	}
	return at, nil
}

// claims are a JWT access token's claims (RFC 9068 §2.2), then those the
// spec maps to request parameters (Response.JWT.Claims).
func (s *Server) claims(req *tokenRequest, g *grant, now time.Time) object {
	sub := g.client
	if g.username != "" {
		sub = g.username
	}
	iat := now.Unix()
	c := object{{"iss", "tokencert"}, {"sub", sub}, {"client_id", g.client}, {"iat", iat},
		{"exp", iat + s.expiresIn()}, {"jti", s.newToken()}}
	if len(g.scope.scope) > 0 {
		c = c.set("scope", strings.Join(g.scope.scope, " "))
	}
	for _, name := range slices.Sorted(maps.Keys(s.spec.Response.JWT.Claims)) {
		if v := req.get(s.spec.Response.JWT.Claims[name]); v != "" {
			c = c.set(name, v)
		}
	}
	return c
}

// expiresIn is the lifetime in whole seconds, rounded up and at least 1
// (a sub-second lifetime is still announced as a positive expires_in).
func (s *Server) expiresIn() int64 {
	return max(1, int64(math.Ceil(s.lifetime.Seconds())))
}

// successBody is the §5.1 body, member names per the spec
// (Response.Members), then the spec's extra, echoed and date members.
func (s *Server) successBody(req *tokenRequest, g *grant, at, rt string, now time.Time) object {
	sp := s.spec
	body := object{{sp.Member("access_token"), at}}
	if !s.has(FaultNoTokenType) {
		body = append(body, member{sp.Member("token_type"), s.tokenType()})
	}
	if v, ok := s.expiresInValue(); ok {
		if s.has(FaultLifetimeOutOfRange) {
			v = outOfRange(v)
		}
		body = append(body, member{sp.Member("expires_in"), v})
	}
	if rt != "" {
		var v any = rt
		if s.has(FaultRefreshTokenNumber) {
			v = json.Number(rt)
		}
		body = append(body, member{sp.Member("refresh_token"), v})
	}
	silent := g.scope.silent || (s.has(FaultRefreshScopeEscalationSilent) && req.get("grant_type") == "refresh_token")
	if len(g.scope.scope) > 0 && !silent {
		if v, ok := s.scopeValue(g.scope.scope); ok {
			body = append(body, member{sp.Member("scope"), v})
		}
	}
	for _, m := range s.extraMembers() {
		body = body.set(m.name, m.value)
	}
	for _, e := range sp.Response.Echo {
		if v := req.get(e.Param); v != "" {
			body = body.set(e.Member, s.echoValue(v))
		}
	}
	if d := sp.Response.Dates; d != nil {
		issued, expires := s.dateMembers(now)
		body = body.set(d.Issued, issued)
		body = body.set(d.Expires, expires)
	}
	if s.has(FaultDuplicateMember) {
		body = append(body, member{sp.Member("token_type"), sp.Response.TokenType})
	}
	return body
}

// expiresInValue is the expires_in value in the JSON type the spec names
// (Response.ExpiresIn): a number (RFC 6749 §5.1, App. A.14), a string, or
// nothing ("absent"). FaultExpiresInString sends the other type.
func (s *Server) expiresInValue() (any, bool) {
	secs := s.expiresIn()
	kind := s.spec.Response.ExpiresIn
	if s.has(FaultExpiresInAbsent) {
		return nil, false
	}
	if s.has(FaultExpiresInNotNumeric) {
		return notNumericExpiresIn(secs), true
	}
	if s.has(FaultExpiresInString) {
		if kind == "string" {
			return secs, true
		}
		return strconv.FormatInt(secs, 10), true
	}
	switch kind {
	case "absent":
		return nil, false
	case "string":
		return strconv.FormatInt(secs, 10), true
	}
	return secs, true
}
