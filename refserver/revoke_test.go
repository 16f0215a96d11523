package refserver

import (
	"net/http"
	"net/url"
	"testing"
)

// revoke posts a revocation request by the main client and returns its status.
func (h *harness) revoke(token, hint string) int {
	h.t.Helper()
	form := url.Values{"token": {token}}
	if hint != "" {
		form.Set("token_type_hint", hint)
	}
	return h.form(http.MethodPost, revokePath, form.Encode(), mainBasic).status
}

// The conformant revocation endpoint: a refresh token (with its access
// token) and an access token are revoked whatever the hint; an unknown
// token is 200; another client's token is left alone.
func TestRevocation(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	tok := mustToken(t, h.token(passwordForm(), mainBasic))
	at, rt := tok["access_token"].(string), tok["refresh_token"].(string)
	if s := h.revoke(rt, "access_token"); s != 200 {
		t.Fatalf("revocation: %d", s)
	}
	wantError(t, h.token(refreshForm(rt), mainBasic), 400, "invalid_grant")
	if h.active(at) {
		t.Error("the access token of a revoked refresh token is still active")
	}
	at2 := mustToken(t, h.token(ccForm(), mainBasic))["access_token"].(string)
	h.revoke(at2, "")
	if h.active(at2) {
		t.Error("a revoked access token is still active")
	}
	if s := h.revoke("never-issued", ""); s != 200 {
		t.Errorf("unknown token: %d, want 200", s)
	}
	other := mustToken(t, h.token(ccForm(), basic(testCreds.OtherClientID, testCreds.OtherClientSecret)))["access_token"].(string)
	h.revoke(other, "")
	if !h.active(other) {
		t.Error("the main client revoked another client's token")
	}
}

func init() {
	faultCases[FaultRevokeRefreshIgnored.Name] = func(t *testing.T, h *harness) {
		rt := mustToken(t, h.token(passwordForm(), mainBasic))["refresh_token"].(string)
		if s := h.revoke(rt, "refresh_token"); s != 200 {
			t.Errorf("revocation: %d", s)
		}
		mustToken(t, h.token(refreshForm(rt), mainBasic))
	}
	faultCases[FaultRevokeNoCascade.Name] = func(t *testing.T, h *harness) {
		tok := mustToken(t, h.token(passwordForm(), mainBasic))
		h.revoke(tok["refresh_token"].(string), "")
		wantError(t, h.token(refreshForm(tok["refresh_token"].(string)), mainBasic), 400, "invalid_grant")
		if !h.active(tok["access_token"].(string)) {
			t.Error("the access token was revoked")
		}
	}
	faultCases[FaultRevokeAccessIgnored.Name] = func(t *testing.T, h *harness) {
		at := mustToken(t, h.token(ccForm(), mainBasic))["access_token"].(string)
		h.revoke(at, "access_token")
		if !h.active(at) {
			t.Error("the access token was revoked")
		}
	}
	faultCases[FaultRevokeUnknown400.Name] = func(t *testing.T, h *harness) {
		if s := h.revoke("never-issued", ""); s != 400 {
			t.Errorf("unknown token: %d, want 400", s)
		}
	}
}

// Revocation and introspection refuse a caller without client
// authentication or with a wrong secret: 401 invalid_client, with a Basic
// challenge; the faults serve it as the main client.
func init() {
	callerCase := func(fault Fault, ask func(h *harness, token string, a auth) reply) func(t *testing.T, _ *harness) {
		return func(t *testing.T, _ *harness) {
			for _, f := range []*Fault{nil, &fault} {
				o := Options{}
				if f != nil {
					o.Faults = []Fault{*f}
				}
				h := start(t, o)
				for _, a := range []auth{noAuth, basic(testCreds.ClientID, "wrong"), inBody(testCreds.ClientID, "wrong")} {
					at := mustToken(t, h.token(ccForm(), mainBasic))["access_token"].(string)
					r := ask(h, at, a)
					switch {
					case f != nil && r.status != http.StatusOK:
						t.Errorf("fault, %s auth: %d %s, want 200", a.method, r.status, r.body)
					case f == nil && a.method == "body" && r.status == http.StatusBadRequest && r.str(t, "error") == "invalid_client":
						// RFC 6749 §5.2: 400 where no Authorization header was sent.
					case f == nil && (r.status != http.StatusUnauthorized || r.str(t, "error") != "invalid_client" || r.header.Get("WWW-Authenticate") == ""):
						t.Errorf("conformant, %s auth: %d %q %s, want 401 invalid_client with a challenge", a.method, r.status, r.header.Get("WWW-Authenticate"), r.body)
					}
				}
			}
		}
	}
	faultCases[FaultRevokeNoClientAuth.Name] = callerCase(FaultRevokeNoClientAuth, func(h *harness, token string, a auth) reply {
		form := url.Values{"token": {token}}
		if a.method == "body" {
			form.Set("client_id", a.id)
			form.Set("client_secret", a.secret)
		}
		return h.form(http.MethodPost, revokePath, form.Encode(), a)
	})
	faultCases[FaultRevokeAnyClient.Name] = func(t *testing.T, h *harness) {
		at := mustToken(t, h.token(ccForm(), mainBasic))["access_token"].(string)
		if r := h.form(http.MethodPost, revokePath, url.Values{"token": {at}}.Encode(), otherBasic); r.status != http.StatusOK {
			t.Errorf("the other client's revocation: %d %s", r.status, r.body)
		}
		if h.active(at) {
			t.Error("the other client's revocation left the token active")
		}
	}
	faultCases[FaultIntrospectNoClientAuth.Name] = callerCase(FaultIntrospectNoClientAuth, func(h *harness, token string, a auth) reply {
		if a.method == "body" {
			// Introspection takes HTTP Basic alone: body credentials are no
			// authentication.
			a = noAuth
		}
		return h.introspect(token, a)
	})
}
