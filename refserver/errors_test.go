package refserver

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tokencert/tokencert/probes"
)

// nqschar is RFC 6749 App. A's NQSCHAR, for error and error_description.
var nqscharRE = regexp.MustCompile(`^[\x20\x21\x23-\x5B\x5D-\x7E]+$`)

// Every failure condition the suites induce yields the spec's status and
// code in the spec's error template, with no-store, and a Basic challenge
// on a 401 (RFC 6749 §5.2).
func TestErrorConditions(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	wrong := "wrong-secret"
	cases := []struct {
		name string
		cond string // "" for an error no spec condition names
		send func() reply
		// status and code when the condition is not in the spec.
		status int
		code   string
	}{
		{"bad client basic", probes.BadClientBasic.Name, func() reply { return h.token(ccForm(), basic(testCreds.ClientID, wrong)) }, 0, ""},
		{"unknown client basic", probes.BadClientBasic.Name, func() reply { return h.token(ccForm(), basic("nobody", wrong)) }, 0, ""},
		{"bad client body", probes.BadClientBody.Name, func() reply { return h.token(ccForm(), inBody(testCreds.ClientID, wrong)) }, 0, ""},
		{"no client auth", probes.NoClientAuth.Name, func() reply { return h.token(ccForm(), noAuth) }, 0, ""},
		{"client_id without secret", probes.NoClientAuth.Name, func() reply {
			return h.token(withValue(ccForm(), "client_id", testCreds.ClientID), noAuth)
		}, 0, ""},
		{"credentials in the URI", probes.NoClientAuth.Name, func() reply {
			q := url.Values{"client_id": {testCreds.ClientID}, "client_secret": {testCreds.ClientSecret}}
			req := mustRequest(t, http.MethodPost, h.base+"/token?"+q.Encode())
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Body = io.NopCloser(strings.NewReader(ccForm().Encode()))
			return h.send(req)
		}, 0, ""},
		{"bad password", probes.BadPassword.Name, func() reply { return h.token(withValue(passwordForm(), "password", wrong), mainBasic) }, 0, ""},
		{"unknown user", probes.BadPassword.Name, func() reply { return h.token(withValue(passwordForm(), "username", "bob"), mainBasic) }, 0, ""},
		{"bad refresh token", probes.BadRefreshToken.Name, func() reply { return h.token(refreshForm("unknown"), mainBasic) }, 0, ""},
		{"unsupported grant", probes.UnsupportedGrant.Name, func() reply {
			return h.token(withValue(ccForm(), "grant_type", "urn:tokencert:conformance:none"), mainBasic)
		}, 0, ""},
		{"missing grant type", probes.MissingGrantType.Name, func() reply { return h.token(url.Values{"scope": {"read"}}, mainBasic) }, 0, ""},
		{"empty grant type", probes.MissingGrantType.Name, func() reply { return h.raw(http.MethodPost, "grant_type=", mainBasic) }, 0, ""},
		{"missing password", probes.MissingParam.Name, func() reply { return h.token(withValue(passwordForm(), "password", ""), mainBasic) }, 0, ""},
		{"missing username", probes.MissingParam.Name, func() reply { return h.token(withValue(passwordForm(), "username", ""), mainBasic) }, 0, ""},
		{"missing refresh token", probes.MissingParam.Name, func() reply { return h.token(url.Values{"grant_type": {"refresh_token"}}, mainBasic) }, 0, ""},
		{"repeated parameter", probes.RepeatedParam.Name, func() reply {
			return h.raw(http.MethodPost, "grant_type=client_credentials&grant_type=client_credentials", mainBasic)
		}, 0, ""},
		{"malformed body", probes.MalformedBody.Name, func() reply { return h.raw(http.MethodPost, "grant_type=client_credentials&%zz=%", mainBasic) }, 0, ""},
		{"semicolon separator", probes.MalformedBody.Name, func() reply { return h.raw(http.MethodPost, "grant_type=client_credentials;a=b", mainBasic) }, 0, ""},
		{"invalid scope", probes.BadScope.Name, func() reply { return h.token(withValue(ccForm(), "scope", "tokencert-probe"), mainBasic) }, 0, ""},
		{"wrong method", probes.WrongMethod.Name, func() reply {
			req := mustRequest(t, http.MethodGet, h.base+"/token?"+ccForm().Encode())
			req.Header.Set("Authorization", basicHeader(testCreds.ClientID, testCreds.ClientSecret))
			return h.send(req)
		}, 0, "invalid_request"},
		{"basic and body", "", func() reply {
			f := withValue(withValue(ccForm(), "client_id", testCreds.ClientID), "client_secret", testCreds.ClientSecret)
			return h.token(f, mainBasic)
		}, 400, "invalid_request"},
	}
	for _, c := range cases {
		r := c.send()
		status, code := c.status, c.code
		if ec, ok := h.spec.Condition(c.cond); ok {
			status = ec.Statuses[0]
			if len(ec.Codes) > 0 {
				code = ec.Codes[0]
			}
		}
		if r.status != status {
			t.Errorf("%s: status %d, want %d: %s", c.name, r.status, status, r.body)
		}
		m := r.obj(t)
		if m["error"] != code {
			t.Errorf("%s: error %v, want %s", c.name, m["error"], code)
		}
		desc, _ := m["error_description"].(string)
		if !nqscharRE.MatchString(desc) || len(m) != 2 {
			t.Errorf("%s: body %s, want error and an NQSCHAR error_description", c.name, r.body)
		}
		if ct := r.header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s: Content-Type %q", c.name, ct)
		}
		if r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: Cache-Control %q", c.name, r.header.Get("Cache-Control"))
		}
		challenge := r.header.Get("WWW-Authenticate")
		if (r.status == 401) != (challenge == `Basic realm="tokencert"`) {
			t.Errorf("%s: status %d with WWW-Authenticate %q", c.name, r.status, challenge)
		}
		if c.cond == probes.WrongMethod.Name && r.header.Get("Allow") != http.MethodPost {
			t.Errorf("%s: Allow %q, want POST", c.name, r.header.Get("Allow"))
		}
	}
}

// Errors come before tokens: no error case issued one.
func TestNoTokenOnError(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodDelete} {
		r := h.raw(m, ccForm().Encode(), mainBasic)
		if r.status != http.StatusMethodNotAllowed || strings.Contains(string(r.body), "access_token") {
			t.Errorf("%s: %d %s", m, r.status, r.body)
		}
	}
	h.srv.store.mu.Lock()
	defer h.srv.store.mu.Unlock()
	if len(h.srv.store.access) != 0 {
		t.Errorf("%d tokens issued", len(h.srv.store.access))
	}
}

func TestFillTemplate(t *testing.T) {
	t.Parallel()
	tmpl := map[string]any{
		"status": "$status", "code": "$code", "detail": "$description ($status)",
		"list": []any{"$title", "$path", 7.0, true, nil},
	}
	rep := strings.NewReplacer("$code", "c", "$description", "d", "$title", "t", "$path", "/p", "$status", "418")
	got := fillTemplate(tmpl, 418, rep).(map[string]any)
	if got["status"] != 418 || got["code"] != "c" || got["detail"] != "d (418)" {
		t.Errorf("fillTemplate = %v", got)
	}
	if l := got["list"].([]any); !slices.Equal(l[:2], []any{"t", "/p"}) || l[2] != 7.0 || l[3] != true || l[4] != nil {
		t.Errorf("list = %v", l)
	}
	if tmpl["status"] != "$status" {
		t.Error("fillTemplate changed the template")
	}
}

func TestNQSCHAR(t *testing.T) {
	t.Parallel()
	if got := nqschar(`a "b" \ é` + "\n"); got != "a ?b? ? ??" {
		t.Errorf("nqschar = %q", got)
	}
}
