package refserver

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// The sandbox and dot dialects, and the faults that break their documented
// behaviour. The fault cases join faultCases, so TestEachFault runs them.

func startSandbox(t *testing.T, faults ...Fault) *harness {
	t.Helper()
	return start(t, Options{Spec: loadSpec(t, "sandbox"), Faults: faults})
}

func startDot(t *testing.T, faults ...Fault) *harness {
	t.Helper()
	return start(t, Options{Spec: loadSpec(t, "dot"), Faults: faults})
}

// sandboxToken sends the token request as the sandbox document does: GET
// with a url-encoded body declared as application/json, HTTP Basic.
func (h *harness) sandboxToken(method string, form url.Values) reply {
	h.t.Helper()
	req, err := http.NewRequest(method, h.base+h.spec.Request.Path, strings.NewReader(form.Encode()))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", basicHeader(testCreds.ClientID, testCreds.ClientSecret))
	return h.send(req)
}

// sandboxDates reads .issued and .expires as HTTP dates.
func sandboxDates(t *testing.T, m map[string]any) (issued, expires time.Time) {
	t.Helper()
	var err1, err2 error
	issued, err1 = http.ParseTime(m[".issued"].(string))
	expires, err2 = http.ParseTime(m[".expires"].(string))
	if err1 != nil || err2 != nil || !strings.HasSuffix(m[".issued"].(string), " GMT") {
		t.Fatalf("dates %v, %v: %v %v", m[".issued"], m[".expires"], err1, err2)
	}
	return issued, expires
}

func TestSandboxDialect(t *testing.T) {
	t.Parallel()
	h := startSandbox(t)
	r := h.sandboxToken(http.MethodGet, passwordForm())
	m := mustToken(t, r)
	want := map[string]any{"token_type": "bearer", "expires_in": json.Number("2"), "userName": testCreds.Username,
		"userId": "614a1d03-873d-489e-9ab5-fb53b0a0c64f", "role": "Administrator"}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %#v, want %#v", k, m[k], v)
		}
	}
	issued, expires := sandboxDates(t, m)
	if expires.Sub(issued) != 2*time.Second {
		t.Errorf(".expires − .issued = %s, want 2s", expires.Sub(issued))
	}
	if _, has := m["refresh_token"]; has {
		t.Error("a refresh token, though sandbox serves no refresh grant")
	}
	first := m["access_token"].(string)
	if r := h.resource("Bearer " + first); r.status != 200 {
		t.Fatalf("fresh token refused: %d", r.status)
	}
	second := mustToken(t, h.sandboxToken(http.MethodGet, passwordForm()))["access_token"].(string)
	if r := h.resource("Bearer " + first); r.status != 401 {
		t.Errorf("the first token still works after a second was issued: %d", r.status)
	}
	if r := h.resource("Bearer " + second); r.status != 200 {
		t.Errorf("the newest token is refused: %d", r.status)
	}
	if r := h.sandboxToken(http.MethodPost, passwordForm()); r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != "GET" {
		t.Errorf("POST: %d, Allow %q; want 405, GET", r.status, r.header.Get("Allow"))
	}
	if r := h.sandboxToken(http.MethodGet, withValue(passwordForm(), "password", "wrong")); r.status != 400 || r.str(t, "error") != "invalid_grant" {
		t.Errorf("wrong password: %d %s", r.status, r.body)
	}
}

func TestDotDialect(t *testing.T) {
	t.Parallel()
	h := startDot(t)
	if h.srv.Target().Endpoint != h.base+"/o/token/" {
		t.Errorf("endpoint %s", h.srv.Target().Endpoint)
	}
	m := mustToken(t, h.token(passwordForm(), mainBasic))
	if m["token_type"] != "Bearer" || m["expires_in"] != json.Number("2") || m["scope"] != "read write" {
		t.Errorf("body %v", m)
	}
	rt, _ := m["refresh_token"].(string)
	if rt == "" {
		t.Fatal("no refresh token on the password grant")
	}
	next := mustToken(t, h.token(refreshForm(rt), mainBasic))
	if next["refresh_token"] == rt || next["refresh_token"] == nil {
		t.Errorf("refresh token not rotated: %v", next["refresh_token"])
	}
	wantError(t, h.token(refreshForm(rt), mainBasic), 400, "invalid_grant")
	r := h.token(withValue(passwordForm(), "password", "wrong"), mainBasic)
	if r.status != 400 || string(r.body) != `{"error":"invalid_grant","error_description":"Invalid credentials given."}` {
		t.Errorf("bad user credentials: %d %s", r.status, r.body)
	}
	if r := h.token(passwordForm(), mainBody); r.status != 200 {
		t.Errorf("body credentials: %d %s", r.status, r.body)
	}
	if r := h.token(passwordForm(), basic(testCreds.ClientID, "wrong")); r.status != 401 || r.str(t, "error_description") != "Unauthorized" {
		t.Errorf("bad client: %d %s", r.status, r.body)
	}
}

func init() {
	for name, c := range map[string]func(t *testing.T, h *harness){
		FaultDocumentedMethodRefused.Name: func(t *testing.T, _ *harness) {
			h := startSandbox(t, FaultDocumentedMethodRefused)
			if r := h.sandboxToken(http.MethodGet, passwordForm()); r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != "POST" {
				t.Errorf("GET: %d, Allow %q", r.status, r.header.Get("Allow"))
			}
			mustToken(t, h.sandboxToken(http.MethodPost, passwordForm()))
		},
		FaultExtraMissing.Name: func(t *testing.T, _ *harness) {
			m := mustToken(t, startSandbox(t, FaultExtraMissing).sandboxToken(http.MethodGet, passwordForm()))
			if _, has := m["role"]; has || m["userId"] != nil || m["userName"] != testCreds.Username {
				t.Errorf("body %v", m)
			}
		},
		FaultExtraUUIDBraced.Name: func(t *testing.T, _ *harness) {
			m := mustToken(t, startSandbox(t, FaultExtraUUIDBraced).sandboxToken(http.MethodGet, passwordForm()))
			if m["userId"] != "{614a1d03-873d-489e-9ab5-fb53b0a0c64f}" || m["role"] != "Administrator" {
				t.Errorf("body %v", m)
			}
		},
		FaultEchoMismatch.Name: func(t *testing.T, _ *harness) {
			m := mustToken(t, startSandbox(t, FaultEchoMismatch).sandboxToken(http.MethodGet, passwordForm()))
			if m["userName"] != strings.ToUpper(testCreds.Username) {
				t.Errorf("userName %v", m["userName"])
			}
		},
		FaultDatesNotRFC1123.Name: func(t *testing.T, _ *harness) {
			m := mustToken(t, startSandbox(t, FaultDatesNotRFC1123).sandboxToken(http.MethodGet, passwordForm()))
			for _, k := range []string{".issued", ".expires"} {
				s, _ := m[k].(string)
				if _, err := time.Parse(time.RFC1123Z, s); err != nil || !strings.HasSuffix(s, " +0000") {
					t.Errorf("%s = %q", k, s)
				}
			}
		},
		FaultDatesMismatch.Name: func(t *testing.T, _ *harness) {
			m := mustToken(t, startSandbox(t, FaultDatesMismatch).sandboxToken(http.MethodGet, passwordForm()))
			issued, expires := sandboxDates(t, m)
			if d := expires.Sub(issued); d != 24*time.Hour+2*time.Second || m["expires_in"] != json.Number("2") {
				t.Errorf(".expires − .issued = %s, expires_in %v", d, m["expires_in"])
			}
		},
		FaultOldTokensKept.Name: func(t *testing.T, _ *harness) {
			h := startSandbox(t, FaultOldTokensKept)
			first := mustToken(t, h.sandboxToken(http.MethodGet, passwordForm()))["access_token"].(string)
			mustToken(t, h.sandboxToken(http.MethodGet, passwordForm()))
			if r := h.resource("Bearer " + first); r.status != 200 {
				t.Errorf("the first token was discarded: %d", r.status)
			}
		},
		FaultFormBodyRefused.Name: func(t *testing.T, _ *harness) {
			h := startDot(t, FaultFormBodyRefused)
			wantError(t, h.token(passwordForm(), mainBasic), 400, "invalid_request")
			req, _ := http.NewRequest(http.MethodPost, h.base+"/o/token/", strings.NewReader(
				`{"grant_type":"password","username":"`+testCreds.Username+`","password":"`+testCreds.Password+`"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", basicHeader(testCreds.ClientID, testCreds.ClientSecret))
			mustToken(t, h.send(req))
		},
		FaultExpiresInNotNumeric.Name: func(t *testing.T, _ *harness) {
			m := mustToken(t, startDot(t, FaultExpiresInNotNumeric).token(passwordForm(), mainBasic))
			if m["expires_in"] != "2s" {
				t.Errorf("expires_in %#v", m["expires_in"])
			}
		},
		FaultScopeCommaJoined.Name: func(t *testing.T, _ *harness) {
			m := mustToken(t, startDot(t, FaultScopeCommaJoined).token(passwordForm(), mainBasic))
			if m["scope"] != "read,write" {
				t.Errorf("scope %#v", m["scope"])
			}
		},
		FaultScopeOmitted.Name: func(t *testing.T, _ *harness) {
			m := mustToken(t, startDot(t, FaultScopeOmitted).token(passwordForm(), mainBasic))
			if _, has := m["scope"]; has || m["refresh_token"] == nil {
				t.Errorf("body %v", m)
			}
		},
		FaultNoRefreshOnPassword.Name: func(t *testing.T, _ *harness) {
			m := mustToken(t, startDot(t, FaultNoRefreshOnPassword).token(passwordForm(), mainBasic))
			if _, has := m["refresh_token"]; has {
				t.Errorf("body %v", m)
			}
		},
		FaultRefreshNotRotated.Name: func(t *testing.T, _ *harness) {
			h := startDot(t, FaultRefreshNotRotated)
			rt := mustToken(t, h.token(passwordForm(), mainBasic))["refresh_token"].(string)
			for i := 0; i < 2; i++ {
				if m := mustToken(t, h.token(refreshForm(rt), mainBasic)); m["refresh_token"] != rt {
					t.Errorf("refresh %d: refresh_token %v, want the presented one", i, m["refresh_token"])
				}
			}
		},
		FaultErrorTitleUndocumented.Name: func(t *testing.T, _ *harness) {
			r := startDot(t, FaultErrorTitleUndocumented).token(withValue(passwordForm(), "password", "wrong"), mainBasic)
			if r.status != 400 || string(r.body) != `{"error":"invalid_grant","error_description":"Bad Request"}` {
				t.Errorf("bad user credentials: %d %s", r.status, r.body)
			}
		},
	} {
		faultCases[name] = c
	}
}

// FaultErrorDescriptionUnicode reaches the error text of a template that
// carries it as $title (dot), as well as $description (rfc6749).
func TestErrorDescriptionUnicodeInTitle(t *testing.T) {
	t.Parallel()
	r := startDot(t, FaultErrorDescriptionUnicode).token(withValue(passwordForm(), "password", "wrong"), mainBasic)
	if got := r.str(t, "error_description"); got != unicodeDescription {
		t.Errorf("error_description %q", got)
	}
}
