package refserver

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/tokencert/tokencert/grants"
	"github.com/tokencert/tokencert/probes"
)

// The authorization endpoint (RFC 6749 §3.1) and its login form.
const authorizePath = "/authorize"

// RedirectURI is the redirection URI every client of the reference server
// has registered (RFC 6749 §3.1.2.2). Nothing listens there: the code is
// read from the redirect itself.
const RedirectURI = "https://client.tokencert.invalid/callback"

// codeLifetime bounds an authorization code's life (RFC 6749 §4.1.2: "a
// maximum authorization code lifetime of 10 minutes is RECOMMENDED").
const codeLifetime = time.Minute

// codeRecord is what the server knows of an authorization code.
type codeRecord struct {
	client, redirectURI, username string
	scope                         []string
	challenge, method             string
	issued                        time.Time
	used                          bool
	// offline: the authorization request asked for a refresh token (scope
	// offline_access or prompt=consent; QuirkRefreshNeedsOfflineAccess).
	offline bool
}

// codes holds the issued authorization codes.
type codes struct {
	mu sync.Mutex
	m  map[string]*codeRecord
}

// add records a new code.
func (c *codes) add(code string, rec codeRecord) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]*codeRecord{}
	}
	for k, r := range c.m {
		if rec.issued.Sub(r.issued) > time.Hour {
			delete(c.m, k)
		}
	}
	c.m[code] = &rec
}

// redeem marks a code used and returns its record and whether it had been
// used before.
func (c *codes) redeem(code string) (codeRecord, bool, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.m[code]
	if !ok {
		return codeRecord{}, false, false
	}
	was := r.used
	r.used = true
	return *r, was, true
}

var loginPage = template.Must(template.New("login").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>tokencert reference server: sign in</title></head>
<body><h1>Sign in</h1>{{if .Error}}<p id="error">{{.Error}}</p>{{end}}
<form method="post" action="{{.Action}}">
{{range .Hidden}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}<label>Username <input id="username" name="username" type="text" autocomplete="username"></label>
<label>Password <input id="password" name="password" type="password" autocomplete="current-password"></label>
<button id="submit" type="submit">Sign in</button>
</form></body></html>
`))

// authzParams are the authorization request's parameters the form carries.
var authzParams = []string{"response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method", "prompt"}

// serveAuthorize is the authorization endpoint (RFC 6749 §4.1.1-§4.1.2):
// GET shows the login form for the authorization request; POST of the form
// with the test user's username and password redirects to the client's
// redirection URI with a code and the request's state. Errors about the
// client or the redirection URI are shown, never redirected (§4.1.2.1).
func (s *Server) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if err := r.ParseForm(); err != nil {
		http.Error(w, "malformed request", http.StatusBadRequest)
		return
	}
	q := r.Form
	for _, p := range authzParams {
		if len(q[p]) > 1 {
			http.Error(w, "repeated parameter "+p, http.StatusBadRequest)
			return
		}
	}
	c, ok := s.reg.client(q.Get("client_id"))
	if !ok {
		http.Error(w, "unknown client_id", http.StatusBadRequest)
		return
	}
	redirect := q.Get("redirect_uri")
	if redirect == "" {
		redirect = RedirectURI
	}
	if redirect != RedirectURI {
		http.Error(w, "the redirect_uri is not registered for this client", http.StatusBadRequest)
		return
	}
	back := func(params url.Values) {
		if st := q.Get("state"); st != "" && !s.has(FaultStateNotEchoed) {
			params.Set("state", st)
		}
		http.Redirect(w, r, redirect+"?"+params.Encode(), http.StatusFound)
	}
	switch {
	case q.Get("response_type") != "code":
		back(url.Values{"error": {"unsupported_response_type"}})
		return
	case q.Get("code_challenge") != "" && !slices.Contains([]string{"", "S256", "plain"}, q.Get("code_challenge_method")):
		back(url.Values{"error": {"invalid_request"}, "error_description": {"unknown code_challenge_method"}})
		return
	case q.Get("code_challenge") == "" && !s.has(FaultPKCEOptional) && !(c.public && s.has(FaultPKCEOptionalPublic)):
		// PKCE is required (RFC 9700 §2.1.1; draft-ietf-oauth-v2-1 §4.1.1).
		back(url.Values{"error": {"invalid_request"}, "error_description": {"code_challenge is required"}})
		return
	case q.Get("code_challenge") != "" && q.Get("code_challenge_method") != "S256" && !s.has(FaultPKCEPlainAccepted):
		// The metadata offers S256 alone (RFC 7636 §4.4.1); an absent
		// method means plain (§4.3).
		back(url.Values{"error": {"invalid_request"}, "error_description": {"transform algorithm not supported"}})
		return
	case s.spec.Grant("authorization_code") == nil:
		back(url.Values{"error": {"unsupported_response_type"}})
		return
	}
	sc, serr := s.grantScope(&tokenRequest{spec: s.spec, params: map[string]string{s.spec.Param("scope"): q.Get("scope")}}, s.spec.Refserver.Scopes, false)
	if serr != nil {
		back(url.Values{"error": {"invalid_scope"}})
		return
	}
	if r.Method == http.MethodPost {
		if s.reg.resourceOwner(r.PostForm.Get("username"), r.PostForm.Get("password")) {
			code := randomToken()
			method := q.Get("code_challenge_method")
			if method == "" && q.Get("code_challenge") != "" {
				method = "plain"
			}
			s.codes.add(code, codeRecord{client: c.id, redirectURI: q.Get("redirect_uri"), username: r.PostForm.Get("username"),
				scope: sc.scope, challenge: q.Get("code_challenge"), method: method, issued: s.now(),
				offline: slices.Contains(s.spec.SplitScope(q.Get("scope")), offlineAccess) || q.Get("prompt") == "consent"})
			back(url.Values{"code": {code}})
			return
		}
		s.showLogin(w, q, "The username or password is wrong.")
		return
	}
	s.showLogin(w, q, "")
}

func (s *Server) showLogin(w http.ResponseWriter, q url.Values, msg string) {
	type hidden struct{ Name, Value string }
	var hs []hidden
	for _, p := range authzParams {
		if v := q.Get(p); v != "" {
			hs = append(hs, hidden{p, v})
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_ = loginPage.Execute(w, struct {
		Action, Error string
		Hidden        []hidden
	}{authorizePath, msg, hs})
}

// grantAuthorizationCode serves the authorization code grant (RFC 6749
// §4.1.3, RFC 7636 §4.5-§4.6): the code must be known, unexpired, unused,
// issued to this client, redeemed with the redirect_uri of its
// authorization request (when one was sent), and with the code_verifier
// matching its code_challenge. A code used twice is refused and the tokens
// issued from it are revoked (§4.1.2).
func (s *Server) grantAuthorizationCode(req *tokenRequest, c client) (*grant, *apiError) {
	code := req.get("code")
	if code == "" {
		return nil, fail(probes.MissingParam)
	}
	rec, used, known := s.codes.redeem(code)
	if s.has(FaultCodeReuseAccepted) && used {
		used = false
	}
	switch {
	case !known && s.has(FaultCodeUnknownInvalidRequest):
		return nil, fail(probes.BadCode).withCode("invalid_request")
	case !known || s.now().Sub(rec.issued) >= codeLifetime || s.has(FaultCodeExchangeBroken):
		return nil, fail(probes.BadCode)
	case used:
		if !s.has(FaultCodeReuseTokensKept) {
			s.store.revokeCode(code)
		}
		return nil, fail(probes.BadCode)
	case rec.client != c.id && !s.has(FaultCodeAnyClient):
		if s.quirk(QuirkCodeOtherClientInvalidClient) {
			return nil, fail(probes.BadClientBasic).withDescription("the authorization code was not issued to this client")
		}
		return nil, fail(probes.BadCode).withDescription("the authorization code was issued to another client")
	case rec.redirectURI != "" && req.get("redirect_uri") == "" && !s.has(FaultCodeRedirectOptional):
		// RFC 6749 §4.1.3: present when the authorization request carried one.
		return nil, fail(probes.RedirectMismatch).withDescription("the redirect_uri is missing")
	case rec.redirectURI != "" && req.get("redirect_uri") != rec.redirectURI && req.get("redirect_uri") != "" && !s.has(FaultCodeRedirectUnchecked):
		return nil, fail(probes.RedirectMismatch)
	}
	if rec.challenge == "" && req.get("code_verifier") != "" && !s.has(FaultPKCEOptional) {
		// A verifier for a code requested without a challenge is a PKCE
		// downgrade (RFC 9700 §2.1.1; draft-ietf-oauth-v2-1 §4.1.3).
		return nil, fail(probes.BadCode).withDescription("the code was requested without a code_challenge")
	}
	if rec.challenge != "" {
		v := req.get("code_verifier")
		switch {
		case v == "" && !s.has(FaultPKCEVerifierOptional):
			return nil, fail(probes.BadCode).withDescription("the code_verifier is missing")
		case v != "" && !verifierMatches(v, rec.challenge, rec.method) && !s.has(FaultPKCEVerifierUnchecked):
			return nil, fail(probes.BadCode).withDescription("the code_verifier does not match the code_challenge")
		}
	}
	refresh := s.issuesRefresh(grants.AuthorizationCode.Name)
	if s.quirk(QuirkRefreshNeedsOfflineAccess) && !rec.offline {
		refresh = false
	}
	return &grant{client: c.id, username: rec.username, scope: scopeGrant{scope: rec.scope},
		refresh: refresh, refreshScope: rec.scope, code: code}, nil
}

// verifierMatches checks a code_verifier against its challenge (RFC 7636
// §4.6).
func verifierMatches(verifier, challenge, method string) bool {
	want := verifier
	if method == "S256" {
		sum := sha256.Sum256([]byte(verifier))
		want = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	return subtle.ConstantTimeCompare([]byte(want), []byte(challenge)) == 1
}
