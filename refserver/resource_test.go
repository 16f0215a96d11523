package refserver

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

const shortLifetime = 400 * time.Millisecond

// The resource accepts a fresh token and refuses it once expired, with the
// RFC 6750 §3.1 challenge; introspection says active, then inactive.
func TestExpiryAtResourceAndIntrospection(t *testing.T) {
	t.Parallel()
	h := start(t, Options{Lifetime: shortLifetime})
	at := mustToken(t, h.token(ccForm(), mainBasic))["access_token"].(string)
	// Counted from the answer: the server issued the token before it.
	issued := time.Now()

	r := h.resource("Bearer " + at)
	if r.status != 200 || strings.TrimSpace(string(r.body)) != `{"ok":true}` {
		t.Fatalf("fresh token at the resource: %d %s", r.status, r.body)
	}
	in := h.introspect(at, mainBasic).obj(t)
	if in["active"] != true || in["client_id"] != testCreds.ClientID || in["scope"] != "read write" || in["token_type"] != "Bearer" {
		t.Errorf("introspection of a fresh token: %v", in)
	}
	exp, _ := in["exp"].(json.Number).Int64()
	iat, _ := in["iat"].(json.Number).Int64()
	if exp < iat || exp-iat > 2 || iat > time.Now().Unix() {
		t.Errorf("iat %d, exp %d", iat, exp)
	}

	sleepPast(issued, shortLifetime+50*time.Millisecond)
	r = h.resource("Bearer " + at)
	if r.status != 401 || r.header.Get("WWW-Authenticate") != `Bearer realm="tokencert", error="invalid_token"` {
		t.Errorf("expired token at the resource: %d %q", r.status, r.header.Get("WWW-Authenticate"))
	}
	if r := h.introspect(at, mainBasic); r.status != 200 || strings.TrimSpace(string(r.body)) != `{"active":false}` {
		t.Errorf("introspection of an expired token: %d %s", r.status, r.body)
	}
}

func TestResourceRefusals(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	at := mustToken(t, h.token(ccForm(), mainBasic))["access_token"].(string)
	if r := h.resource("bEaReR " + at); r.status != 200 {
		t.Errorf("scheme matched case-sensitively: %d", r.status)
	}
	for authz, challenge := range map[string]string{
		"":                  `Bearer realm="tokencert"`,
		"Basic abc":         `Bearer realm="tokencert"`,
		"Bearer unknown":    `Bearer realm="tokencert", error="invalid_token"`,
		"Bearer ":           `Bearer realm="tokencert", error="invalid_token"`,
		"Bearer " + at[:20]: `Bearer realm="tokencert", error="invalid_token"`,
	} {
		r := h.resource(authz)
		if r.status != 401 || r.header.Get("WWW-Authenticate") != challenge {
			t.Errorf("%q: %d %q, want 401 %q", authz, r.status, r.header.Get("WWW-Authenticate"), challenge)
		}
	}
	req := mustRequest(t, http.MethodDelete, h.base+"/resource")
	req.Header.Set("Authorization", "Bearer "+at)
	if r := h.send(req); r.status != http.StatusMethodNotAllowed {
		t.Errorf("DELETE: %d", r.status)
	}
}

// Refresh tokens are not access tokens.
func TestRefreshTokenIsNotAccepted(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	rt := mustToken(t, h.token(passwordForm(), mainBasic))["refresh_token"].(string)
	if r := h.resource("Bearer " + rt); r.status != 401 {
		t.Errorf("a refresh token opened the resource: %d", r.status)
	}
	in := h.introspect(rt, otherBasic).obj(t)
	if in["active"] != true || in["client_id"] != testCreds.ClientID || in["username"] != testCreds.Username || in["token_type"] != nil {
		t.Errorf("introspection of a refresh token: %v", in)
	}
	mustToken(t, h.token(refreshForm(rt), mainBasic))
	if h.active(rt) {
		t.Error("a rotated refresh token is active")
	}
}

func TestIntrospectionRequiresClientAuth(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	at := mustToken(t, h.token(ccForm(), mainBasic))["access_token"].(string)
	for _, a := range []auth{noAuth, basic(testCreds.ClientID, "wrong"), basic("nobody", "x")} {
		r := h.introspect(at, a)
		if r.status != 401 || r.header.Get("WWW-Authenticate") != `Basic realm="tokencert"` {
			t.Errorf("%+v: %d %q", a, r.status, r.header.Get("WWW-Authenticate"))
		}
	}
	if r := h.introspect(at, otherBasic); r.status != 200 || r.obj(t)["active"] != true {
		t.Errorf("the other client: %d %s", r.status, r.body)
	}
	if r := h.introspect("", mainBasic); r.status != 400 {
		t.Errorf("no token: %d", r.status)
	}
	req := mustRequest(t, http.MethodGet, h.base+"/introspect?token="+at)
	req.Header.Set("Authorization", basicHeader(testCreds.ClientID, testCreds.ClientSecret))
	if r := h.send(req); r.status != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d", r.status)
	}
	if h.active("unknown") {
		t.Error("an unknown token is active")
	}
}
