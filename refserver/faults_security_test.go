package refserver

import (
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The fault cases of the security probes; they join faultCases, so
// TestEachFault runs them.
func init() {
	for name, c := range map[string]func(t *testing.T, h *harness){
		FaultSecretEchoed.Name: func(t *testing.T, h *harness) {
			r := h.token(ccForm(), mainBasic)
			mustToken(t, r)
			if got := r.header.Get("X-Client-Assertion"); got != base64.RawURLEncoding.EncodeToString([]byte(testCreds.ClientSecret)) {
				t.Errorf("X-Client-Assertion %q", got)
			}
		},
		FaultTokenCounter.Name: func(t *testing.T, h *harness) {
			a := mustToken(t, h.token(ccForm(), mainBasic))["access_token"].(string)
			b := mustToken(t, h.token(ccForm(), mainBasic))["access_token"].(string)
			ia, ib := strings.LastIndex(a, "-"), strings.LastIndex(b, "-")
			if ia < 0 || ib < 0 {
				t.Fatalf("tokens %q, %q have no counter", a, b)
			}
			pa, na, pb, nb := a[:ia], a[ia+1:], b[:ib], b[ib+1:]
			if pa != pb || na == nb || len(na) != 8 || nb <= na {
				t.Errorf("tokens %q, %q: want one prefix and increasing numbers", a, b)
			}
			if r := h.resource("Bearer " + b); r.status != 200 {
				t.Errorf("the token does not work: %d", r.status)
			}
		},
		FaultTokenDiesEarly.Name: func(t *testing.T, h *harness) {
			m := mustToken(t, h.token(ccForm(), mainBasic))
			if r := h.resource("Bearer " + m["access_token"].(string)); r.status != 200 {
				t.Errorf("refused at issue: %d", r.status)
			}
			// Judged at a given instant, not by sleeping.
			now := time.Now()
			rec := accessRecord{issued: now.Add(-6 * time.Second), expires: now.Add(4 * time.Second)}
			if !h.srv.dead(rec, now) || rec.expired(now) {
				t.Error("a token 60% into its lifetime is not dead, or expired")
			}
			if young := (accessRecord{issued: now.Add(-4 * time.Second), expires: now.Add(6 * time.Second)}); h.srv.dead(young, now) {
				t.Error("a token 40% into its lifetime is dead")
			}
		},
		FaultIntrospectUnknownActive.Name: func(t *testing.T, h *harness) {
			in := h.introspect("never-issued", mainBasic).obj(t)
			if in["active"] != true || in["client_id"] != testCreds.ClientID {
				t.Errorf("unknown token: %v", in)
			}
			if r := h.resource("Bearer never-issued"); r.status != 401 {
				t.Errorf("the resource changed too: %d", r.status)
			}
		},
		FaultBearerNoError.Name: func(t *testing.T, h *harness) {
			r := h.resource("Bearer never-issued")
			if c := r.header.Get("WWW-Authenticate"); r.status != 401 || !strings.HasPrefix(c, "Bearer ") || strings.Contains(c, "error=") {
				t.Errorf("%d %q", r.status, c)
			}
		},
		FaultRefreshTokenNarrowed.Name: func(t *testing.T, h *harness) {
			rt := mustToken(t, h.token(passwordForm(), mainBasic))["refresh_token"].(string)
			next := mustToken(t, h.token(withValue(refreshForm(rt), "scope", "read"), mainBasic))["refresh_token"].(string)
			wantError(t, h.token(withValue(refreshForm(next), "scope", "read write"), mainBasic), 400, "invalid_scope")
			rt = mustToken(t, h.token(passwordForm(), mainBasic))["refresh_token"].(string)
			next = mustToken(t, h.token(refreshForm(rt), mainBasic))["refresh_token"].(string)
			mustToken(t, h.token(withValue(refreshForm(next), "scope", "read write"), mainBasic))
		},
		FaultRotatedRefreshDead.Name: func(t *testing.T, h *harness) {
			rt := mustToken(t, h.token(passwordForm(), mainBasic))["refresh_token"].(string)
			next, _ := mustToken(t, h.token(refreshForm(rt), mainBasic))["refresh_token"].(string)
			if next == "" || next == rt {
				t.Fatalf("no new refresh token: %q", next)
			}
			wantError(t, h.token(refreshForm(next), mainBasic), 400, "invalid_grant")
		},
		FaultWrongMethodBodyAccepted.Name: func(t *testing.T, h *harness) {
			req := mustRequest(t, http.MethodGet, h.base+"/token")
			req.Header.Set("Authorization", basicHeader(testCreds.ClientID, testCreds.ClientSecret))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			body := ccForm().Encode()
			req.Body, req.ContentLength = io.NopCloser(strings.NewReader(body)), int64(len(body))
			mustToken(t, h.send(req))
			req = mustRequest(t, http.MethodGet, h.base+"/token?"+ccForm().Encode())
			req.Header.Set("Authorization", basicHeader(testCreds.ClientID, testCreds.ClientSecret))
			if r := h.send(req); r.status != http.StatusMethodNotAllowed {
				t.Errorf("GET with the query: %d", r.status)
			}
		},
		FaultScopePartlyNarrowedSilently.Name: func(t *testing.T, h *harness) {
			m := mustToken(t, h.token(withValue(ccForm(), "scope", "read admin"), mainBasic))
			if _, has := m["scope"]; has {
				t.Errorf("scope %v", m["scope"])
			}
			if s := h.introspect(m["access_token"].(string), mainBasic).obj(t)["scope"]; s != "read" {
				t.Errorf("granted %v, want read", s)
			}
			wantError(t, h.token(withValue(ccForm(), "scope", "admin"), mainBasic), 400, "invalid_scope")
		},
	} {
		faultCases[name] = c
	}
}
