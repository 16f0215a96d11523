package refserver

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// code runs the authorization endpoint's login for the main client, with
// an S256 challenge of verifier, and returns the redirect's parameters.
func (h *harness) code(verifier string) url.Values {
	h.t.Helper()
	return h.codePKCE(pkceS256(verifier), "S256")
}

// codePKCE is code with the given code_challenge and method (empty: the
// parameter is left out).
func (h *harness) codePKCE(challenge, method string) url.Values {
	h.t.Helper()
	return h.codeFor(testCreds.ClientID, challenge, method)
}

// codeFor is codePKCE for the client clientID.
func (h *harness) codeFor(clientID, challenge, method string) url.Values {
	h.t.Helper()
	q := url.Values{"response_type": {"code"}, "client_id": {clientID}, "redirect_uri": {RedirectURI},
		"state": {"st-1"}, "scope": {"read"}, "code_challenge": {challenge}, "code_challenge_method": {method}}
	for _, k := range []string{"code_challenge", "code_challenge_method"} {
		if q.Get(k) == "" {
			q.Del(k)
		}
	}
	return h.authorize(q)
}

// authorize runs the authorization endpoint's login for the authorization
// request q and returns the redirect's parameters.
func (h *harness) authorize(q url.Values) url.Values {
	h.t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(h.base + authorizePath + "?" + q.Encode())
	if err != nil {
		h.t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode == http.StatusFound && strings.HasPrefix(loc, RedirectURI+"?") {
		u, _ := url.Parse(loc)
		return u.Query() // an error response, before the login
	}
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		h.t.Fatalf("GET authorize: %d %s, want the login form", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	form := cloneValues(q)
	form.Set("username", testCreds.Username)
	form.Set("password", testCreds.Password)
	resp, err = c.PostForm(h.base+authorizePath, form)
	if err != nil {
		h.t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || !strings.HasPrefix(loc.String(), RedirectURI+"?") {
		h.t.Fatalf("login: %d to %q, want a redirect to %s", resp.StatusCode, resp.Header.Get("Location"), RedirectURI)
	}
	return loc.Query()
}

func pkceS256(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func codeForm(code, verifier string) url.Values {
	return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {RedirectURI}, "code_verifier": {verifier}}
}

const testVerifier = "0123456789abcdef0123456789abcdef0123456789abcdef"

// The conformant authorization code grant: the code works once, for its
// client, redirect URI and verifier; the state comes back; a reused code
// revokes its tokens; a wrong password shows the form again.
func TestAuthorizationCodeGrant(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	p := h.code(testVerifier)
	if p.Get("state") != "st-1" || p.Get("code") == "" {
		t.Fatalf("redirect parameters %v", p)
	}
	tok := mustToken(t, h.token(codeForm(p.Get("code"), testVerifier), mainBasic))
	if tok["refresh_token"] == nil || tok["scope"] != "read" {
		t.Errorf("token %v: want a refresh token and scope read", tok)
	}
	at := tok["access_token"].(string)
	wantError(t, h.token(codeForm(p.Get("code"), testVerifier), mainBasic), 400, "invalid_grant")
	if h.active(at) {
		t.Error("the token of a code redeemed twice is still active")
	}
	for _, edit := range map[string]func(url.Values) (url.Values, auth){
		"other client": func(f url.Values) (url.Values, auth) {
			return f, basic(testCreds.OtherClientID, testCreds.OtherClientSecret)
		},
		"other redirect_uri": func(f url.Values) (url.Values, auth) {
			return withValue(f, "redirect_uri", RedirectURI+"/x"), mainBasic
		},
		"no redirect_uri": func(f url.Values) (url.Values, auth) { return withValue(f, "redirect_uri", ""), mainBasic },
		"no verifier":     func(f url.Values) (url.Values, auth) { return withValue(f, "code_verifier", ""), mainBasic },
		"wrong verifier": func(f url.Values) (url.Values, auth) {
			return withValue(f, "code_verifier", testVerifier+"x"), mainBasic
		},
	} {
		f, a := edit(codeForm(h.code(testVerifier).Get("code"), testVerifier))
		wantError(t, h.token(f, a), 400, "invalid_grant")
	}
	resp, err := http.PostForm(h.base+authorizePath, url.Values{"response_type": {"code"}, "client_id": {testCreds.ClientID},
		"redirect_uri": {RedirectURI}, "code_challenge": {pkceS256(testVerifier)}, "code_challenge_method": {"S256"},
		"username": {testCreds.Username}, "password": {"wrong"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("a wrong password: %d, want the form again", resp.StatusCode)
	}
	resp, err = http.Get(h.base + authorizePath + "?response_type=code&client_id=nobody&redirect_uri=" + url.QueryEscape(RedirectURI))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("an unknown client: %d, want 400 shown, not redirected", resp.StatusCode)
	}
}

// The public client redeems a code by client_id alone.
func TestPublicClientCode(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	q := url.Values{"response_type": {"code"}, "client_id": {h.srv.PublicClientID()}, "redirect_uri": {RedirectURI},
		"code_challenge": {pkceS256(testVerifier)}, "code_challenge_method": {"S256"}, "username": {testCreds.Username}, "password": {testCreds.Password}}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(h.base+authorizePath, q)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	f := codeForm(loc.Query().Get("code"), testVerifier)
	f.Set("client_id", h.srv.PublicClientID())
	mustToken(t, h.token(f, noAuth))
	wantError(t, h.token(withValue(ccForm(), "client_id", h.srv.PublicClientID()), noAuth), 400, "unauthorized_client")
}

func init() {
	faultCases[FaultPublicRTNotRotated.Name] = func(t *testing.T, h *harness) {
		pub := withValue(passwordForm(), "client_id", h.srv.PublicClientID())
		rt := mustToken(t, h.token(pub, noAuth))["refresh_token"].(string)
		f := withValue(refreshForm(rt), "client_id", h.srv.PublicClientID())
		if again := mustToken(t, h.token(f, noAuth))["refresh_token"]; again != rt {
			t.Errorf("the public client's refresh token was rotated")
		}
		mustToken(t, h.token(f, noAuth))
	}
	accepted := func(edit func(url.Values) (url.Values, auth)) func(t *testing.T, h *harness) {
		return func(t *testing.T, h *harness) {
			f, a := edit(codeForm(h.code(testVerifier).Get("code"), testVerifier))
			mustToken(t, h.token(f, a))
		}
	}
	faultCases[FaultCodeExchangeBroken.Name] = func(t *testing.T, h *harness) {
		wantError(t, h.token(codeForm(h.code(testVerifier).Get("code"), testVerifier), mainBasic), 400, "invalid_grant")
	}
	faultCases[FaultCodeReuseAccepted.Name] = func(t *testing.T, h *harness) {
		code := h.code(testVerifier).Get("code")
		mustToken(t, h.token(codeForm(code, testVerifier), mainBasic))
		mustToken(t, h.token(codeForm(code, testVerifier), mainBasic))
	}
	faultCases[FaultCodeReuseTokensKept.Name] = func(t *testing.T, h *harness) {
		code := h.code(testVerifier).Get("code")
		at := mustToken(t, h.token(codeForm(code, testVerifier), mainBasic))["access_token"].(string)
		wantError(t, h.token(codeForm(code, testVerifier), mainBasic), 400, "invalid_grant")
		if !h.active(at) {
			t.Error("the token was revoked")
		}
	}
	faultCases[FaultCodeAnyClient.Name] = accepted(func(f url.Values) (url.Values, auth) {
		return f, basic(testCreds.OtherClientID, testCreds.OtherClientSecret)
	})
	faultCases[FaultCodeRedirectUnchecked.Name] = accepted(func(f url.Values) (url.Values, auth) {
		return withValue(f, "redirect_uri", RedirectURI+"/x"), mainBasic
	})
	faultCases[FaultCodeRedirectOptional.Name] = func(t *testing.T, h *harness) {
		mustToken(t, h.token(withValue(codeForm(h.code(testVerifier).Get("code"), testVerifier), "redirect_uri", ""), mainBasic))
		f := withValue(codeForm(h.code(testVerifier).Get("code"), testVerifier), "redirect_uri", RedirectURI+"/x")
		wantError(t, h.token(f, mainBasic), 400, "invalid_grant")
	}
	faultCases[FaultPKCEVerifierOptional.Name] = accepted(func(f url.Values) (url.Values, auth) {
		return withValue(f, "code_verifier", ""), mainBasic
	})
	faultCases[FaultPKCEVerifierUnchecked.Name] = accepted(func(f url.Values) (url.Values, auth) {
		return withValue(f, "code_verifier", testVerifier+"x"), mainBasic
	})
	faultCases[FaultStateNotEchoed.Name] = func(t *testing.T, h *harness) {
		if p := h.code(testVerifier); p.Has("state") || p.Get("code") == "" {
			t.Errorf("redirect parameters %v: want a code and no state", p)
		}
	}
}
