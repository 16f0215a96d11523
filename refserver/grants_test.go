package refserver

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// An independent client, golang.org/x/oauth2, gets a token by the
// client_credentials grant with either client authentication and uses it
// at the resource.
func TestClientCredentialsWithXOAuth2(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	for _, style := range []oauth2.AuthStyle{oauth2.AuthStyleInHeader, oauth2.AuthStyleInParams} {
		cfg := clientcredentials.Config{
			ClientID: testCreds.ClientID, ClientSecret: testCreds.ClientSecret,
			TokenURL: h.base + "/token", Scopes: []string{"read"}, AuthStyle: style,
		}
		ctx := withTimeout(t, 5*time.Second)
		tok, err := cfg.Token(ctx)
		if err != nil {
			t.Fatalf("auth style %d: %v", style, err)
		}
		if tok.AccessToken == "" || tok.Type() != "Bearer" || tok.RefreshToken != "" {
			t.Errorf("auth style %d: token %+v", style, tok)
		}
		if tok.Extra("scope") != "read" {
			t.Errorf("scope %v, want read", tok.Extra("scope"))
		}
		if left := time.Until(tok.Expiry); left <= 0 || left > 3*time.Second {
			t.Errorf("expiry in %s, want about 2s", left)
		}
		resp, err := cfg.Client(ctx).Get(h.base + "/resource")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("resource: %d", resp.StatusCode)
		}
	}
}

// golang.org/x/oauth2 gets a token by the password grant, then refreshes
// it when it has expired.
func TestPasswordAndRefreshWithXOAuth2(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	cfg := oauth2.Config{ClientID: testCreds.ClientID, ClientSecret: testCreds.ClientSecret,
		Endpoint: oauth2.Endpoint{TokenURL: h.base + "/token", AuthStyle: oauth2.AuthStyleInHeader}}
	ctx := withTimeout(t, 5*time.Second)
	tok, err := cfg.PasswordCredentialsToken(ctx, testCreds.Username, testCreds.Password)
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken == "" {
		t.Fatalf("no refresh token: %+v", tok)
	}
	old := *tok
	tok.Expiry = time.Now().Add(-time.Minute)
	next, err := cfg.TokenSource(ctx, tok).Token()
	if err != nil {
		t.Fatal(err)
	}
	if next.AccessToken == old.AccessToken || next.RefreshToken == old.RefreshToken || next.RefreshToken == "" {
		t.Errorf("the refresh did not rotate: %+v", next)
	}
	if _, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: old.RefreshToken}).Token(); err == nil {
		t.Error("the rotated refresh token still works")
	} else if re, ok := err.(*oauth2.RetrieveError); !ok || re.ErrorCode != "invalid_grant" {
		t.Errorf("replay: %v, want invalid_grant", err)
	}
}

func TestClientCredentials(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	for _, a := range []auth{mainBasic, mainBody, otherBasic} {
		r := h.token(ccForm(), a)
		m := mustToken(t, r)
		for k, want := range map[string]string{"Content-Type": "application/json", "Cache-Control": "no-store", "Pragma": "no-cache"} {
			if got := r.header.Get(k); got != want {
				t.Errorf("%s: %s %q, want %q", a.method, k, got, want)
			}
		}
		if m["token_type"] != "Bearer" || m["scope"] != "read write" {
			t.Errorf("%s: body %s", a.method, r.body)
		}
		if _, ok := m["expires_in"].(json.Number); !ok {
			t.Errorf("expires_in is not a JSON number: %s", r.body)
		}
		if _, has := m["refresh_token"]; has {
			t.Errorf("client_credentials issued a refresh token (RFC 6749 §4.4.3)")
		}
		if len(m) != 4 {
			t.Errorf("members %v, want access_token, token_type, expires_in, scope", m)
		}
		if got := h.introspect(m["access_token"].(string), mainBasic).obj(t)["client_id"]; got != a.id {
			t.Errorf("token issued to %v, want %s", got, a.id)
		}
	}
}

func TestPasswordGrant(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	m := mustToken(t, h.token(withValue(passwordForm(), "scope", "write"), mainBasic))
	if m["refresh_token"] == nil || m["scope"] != "write" {
		t.Fatalf("body %v", m)
	}
	in := h.introspect(m["access_token"].(string), mainBasic).obj(t)
	if in["username"] != testCreds.Username || in["scope"] != "write" {
		t.Errorf("introspection %v", in)
	}
}

func TestScope(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	for requested, want := range map[string]string{
		"": "read write", "read": "read", "write read": "write read", "read read": "read", "  read  ": "read",
	} {
		m := mustToken(t, h.token(withValue(ccForm(), "scope", requested), mainBasic))
		if m["scope"] != want {
			t.Errorf("scope %q granted %v, want %q", requested, m["scope"], want)
		}
	}
	for _, bad := range []string{"admin", "read admin", `read "x"`} {
		wantError(t, h.token(withValue(ccForm(), "scope", bad), mainBasic), 400, "invalid_scope")
	}
}

// A refresh rotates the refresh token (RFC 9700 §4.14.2): the new one
// works, the old one is invalid_grant, and the new access token is valid.
func TestRefreshRotation(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	first := mustToken(t, h.token(passwordForm(), mainBasic))
	rt := first["refresh_token"].(string)
	second := mustToken(t, h.token(refreshForm(rt), mainBasic))
	rt2, _ := second["refresh_token"].(string)
	if rt2 == "" || rt2 == rt || second["access_token"] == first["access_token"] {
		t.Fatalf("no rotation: %v", second)
	}
	if second["scope"] != "read write" {
		t.Errorf("omitted scope gave %v, want the original read write", second["scope"])
	}
	wantError(t, h.token(refreshForm(rt), mainBasic), 400, "invalid_grant")
	mustToken(t, h.token(refreshForm(rt2), mainBasic))
	if !h.active(second["access_token"].(string)) || !h.active(first["access_token"].(string)) {
		t.Error("access tokens are inactive after a refresh")
	}
}

// A refresh may narrow the scope but not widen it beyond the original
// grant, even after a narrowed refresh (RFC 6749 §6).
func TestRefreshScope(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	narrow := mustToken(t, h.token(withValue(passwordForm(), "scope", "read"), mainBasic))
	wantError(t, h.token(withValue(refreshForm(narrow["refresh_token"].(string)), "scope", "read write"), mainBasic), 400, "invalid_scope")
	// The refused refresh did not consume the refresh token.
	mustToken(t, h.token(refreshForm(narrow["refresh_token"].(string)), mainBasic))

	wide := mustToken(t, h.token(passwordForm(), mainBasic))
	r1 := mustToken(t, h.token(withValue(refreshForm(wide["refresh_token"].(string)), "scope", "write"), mainBasic))
	if r1["scope"] != "write" {
		t.Errorf("narrowed refresh: scope %v", r1["scope"])
	}
	r2 := mustToken(t, h.token(withValue(refreshForm(r1["refresh_token"].(string)), "scope", "read write"), mainBasic))
	if r2["scope"] != "read write" {
		t.Errorf("the original scope was not available after a narrowed refresh: %v", r2["scope"])
	}
	wantError(t, h.token(withValue(refreshForm(r2["refresh_token"].(string)), "scope", "admin"), mainBasic), 400, "invalid_scope")
}

// A refresh token is bound to its client (RFC 6749 §10.4).
func TestRefreshTokenBoundToClient(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	m := mustToken(t, h.token(passwordForm(), mainBasic))
	rt := m["refresh_token"].(string)
	wantError(t, h.token(refreshForm(rt), otherBasic), 400, "invalid_grant")
	mustToken(t, h.token(refreshForm(rt), mainBody))
}

func TestConcurrentRefreshRedeemsOnce(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	rt := mustToken(t, h.token(passwordForm(), mainBasic))["refresh_token"].(string)
	const n = 8
	ok := make(chan bool, n)
	for range n {
		go func() { ok <- h.token(refreshForm(rt), mainBasic).status == 200 }()
	}
	wins := 0
	for range n {
		if <-ok {
			wins++
		}
	}
	if wins != 1 {
		t.Errorf("%d concurrent refreshes with one token succeeded, want 1", wins)
	}
}

// Only the spec's grants are served.
func TestOnlySpecGrantsAreServed(t *testing.T) {
	t.Parallel()
	spec := loadSpec(t, "rfc6749")
	spec.Grants = spec.Grants[:1] // client_credentials only
	h := start(t, Options{Spec: spec})
	wantError(t, h.token(passwordForm(), mainBasic), 400, "unsupported_grant_type")
	wantError(t, h.token(refreshForm("x"), mainBasic), 400, "unsupported_grant_type")
	if tg := h.srv.Target(); tg.Username != "" || tg.Password != "" {
		t.Errorf("target lists a resource owner without the password grant: %+v", tg)
	}
}

// With rotation "never" a refresh issues no new refresh token and the old
// one keeps working.
func TestRotationNever(t *testing.T) {
	t.Parallel()
	spec := loadSpec(t, "rfc6749")
	spec.Grant("refresh_token").Rotation = "never"
	h := start(t, Options{Spec: spec})
	rt := mustToken(t, h.token(passwordForm(), mainBasic))["refresh_token"].(string)
	for range 2 {
		if m := mustToken(t, h.token(refreshForm(rt), mainBasic)); m["refresh_token"] != nil {
			t.Errorf("rotation never: refresh issued %v", m["refresh_token"])
		}
	}
}

func TestBasicCredentialsAreFormDecoded(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	form := ccForm().Encode()
	post := func(authorization string) reply {
		req, _ := http.NewRequest(http.MethodPost, h.base+"/token", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", authorization)
		return h.send(req)
	}
	// The raw "client one:s3cr:t+/%&é" is not what RFC 6749 §2.3.1 sends:
	// its "+" reads as a space and "%&" is a bad escape.
	raw := "Basic " + base64.StdEncoding.EncodeToString([]byte(testCreds.ClientID+":"+testCreds.ClientSecret))
	wantError(t, post(raw), 401, "invalid_client")
	mustToken(t, post(basicHeader(testCreds.ClientID, testCreds.ClientSecret)))
	// The scheme name is case-insensitive (RFC 9110 §11.1).
	mustToken(t, post("bAsIc "+strings.TrimPrefix(basicHeader(testCreds.ClientID, testCreds.ClientSecret), "Basic ")))
	for _, bad := range []string{"Basic !!!", "Basic " + base64.StdEncoding.EncodeToString([]byte("no-colon"))} {
		r := post(bad)
		wantError(t, r, 401, "invalid_client")
		if r.header.Get("WWW-Authenticate") != `Basic realm="tokencert"` {
			t.Errorf("%s: no Basic challenge", bad)
		}
	}
}
