package refserver

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokencert/tokencert/specs"
)

func TestFaultRegistry(t *testing.T) {
	t.Parallel()
	all := Faults()
	if len(all) < 26 {
		t.Errorf("%d faults, want at least 26", len(all))
	}
	if !slices.IsSortedFunc(all, func(a, b Fault) int { return strings.Compare(a.Name, b.Name) }) {
		t.Error("Faults() is not sorted by name")
	}
	seen := map[string]bool{}
	for _, f := range all {
		if seen[f.Name] {
			t.Errorf("fault %s listed twice", f.Name)
		}
		seen[f.Name] = true
		if _, ok := specs.Lookup(f.Breaks); !ok && f.Breaks != "" {
			t.Errorf("fault %s breaks %q, which is not in the catalogue", f.Name, f.Breaks)
		}
		if f.Doc == "" || f.Name == "" || f.Name != strings.ToLower(f.Name) || strings.ContainsAny(f.Name, " _") {
			t.Errorf("fault %+v: want a kebab-case name and a doc", f)
		}
		if got, err := FaultByName(f.Name); err != nil || got != f {
			t.Errorf("FaultByName(%q) = %+v, %v", f.Name, got, err)
		}
	}
	_, err := FaultByName("nope")
	if err == nil || !strings.Contains(err.Error(), "status-201") || !strings.Contains(err.Error(), "nope") {
		t.Errorf("FaultByName(nope): %v, want an error listing the faults", err)
	}
}

// Every requirement of every built-in spec has a fault that breaks it.
func TestFaultsForCoverEveryRequirement(t *testing.T) {
	t.Parallel()
	for _, name := range specs.Names() {
		spec := loadSpec(t, name)
		fs := FaultsFor(spec)
		broken := map[string]bool{}
		for _, f := range fs {
			if spec.Requirement(f.Breaks) == nil {
				t.Errorf("%s: FaultsFor lists %s, which breaks %s, not in the spec", name, f.Name, f.Breaks)
			}
			broken[f.Breaks] = true
		}
		for _, r := range spec.Requirements {
			if !broken[r.ID] {
				t.Errorf("%s: no fault breaks %s", name, r.ID)
			}
		}
	}
	other := &specs.Spec{Requirements: []specs.Requirement{{ID: "RFC6749-5.1-PRAGMA-NO-CACHE"}}}
	if fs := FaultsFor(other); len(fs) != 1 || fs[0] != FaultPragmaMissing {
		t.Errorf("FaultsFor(one requirement) = %v", fs)
	}
}

// faultCases assert, for each fault, the behaviour it claims; h runs the
// fault alone, with a short lifetime.
var faultCases = map[string]func(t *testing.T, h *harness){
	FaultStatus201.Name: func(t *testing.T, h *harness) {
		if r := h.token(ccForm(), mainBasic); r.status != http.StatusCreated {
			t.Errorf("status %d", r.status)
		}
	},
	FaultTextPlain.Name: func(t *testing.T, h *harness) {
		r := h.token(ccForm(), mainBasic)
		if !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") || r.str(t, "access_token") == "" {
			t.Errorf("%q %s", r.header.Get("Content-Type"), r.body)
		}
	},
	FaultAccessTokenNonASCII.Name: func(t *testing.T, h *harness) {
		at := mustToken(t, h.token(ccForm(), mainBasic))["access_token"].(string)
		if !strings.ContainsFunc(at, func(r rune) bool { return r > 0x7e }) {
			t.Errorf("access token %q is ASCII", at)
		}
		if r := h.resource("Bearer " + at); r.status != 200 {
			t.Errorf("the token does not work: %d", r.status)
		}
	},
	FaultNoTokenType.Name: func(t *testing.T, h *harness) {
		if m := mustToken(t, h.token(ccForm(), mainBasic)); m["token_type"] != nil {
			t.Errorf("token_type %v", m["token_type"])
		}
	},
	FaultExpiresInString.Name: func(t *testing.T, h *harness) {
		if m := mustToken(t, h.token(ccForm(), mainBasic)); m["expires_in"] != "1" {
			t.Errorf("expires_in %#v, want the string 1", m["expires_in"])
		}
	},
	FaultRefreshTokenNumber.Name: func(t *testing.T, h *harness) {
		m := mustToken(t, h.token(passwordForm(), mainBasic))
		n, ok := m["refresh_token"].(json.Number)
		if !ok {
			t.Fatalf("refresh_token %#v is not a number", m["refresh_token"])
		}
		mustToken(t, h.token(refreshForm(n.String()), mainBasic))
	},
	FaultScopeArray.Name: func(t *testing.T, h *harness) {
		m := mustToken(t, h.token(ccForm(), mainBasic))
		if s, ok := m["scope"].([]any); !ok || len(s) != 2 || s[0] != "read" {
			t.Errorf("scope %#v", m["scope"])
		}
	},
	FaultDuplicateMember.Name: func(t *testing.T, h *harness) {
		r := h.token(ccForm(), mainBasic)
		if n := strings.Count(string(r.body), `"token_type":`); n != 2 {
			t.Errorf("token_type %d times: %s", n, r.body)
		}
	},
	FaultNoStoreMissing.Name: func(t *testing.T, h *harness) {
		if cc := h.token(ccForm(), mainBasic).header.Values("Cache-Control"); !slices.Equal(cc, []string{"no-cache"}) {
			t.Errorf("Cache-Control %q", cc)
		}
	},
	FaultPragmaMissing.Name: func(t *testing.T, h *harness) {
		if p := h.token(ccForm(), mainBasic).header.Values("Pragma"); len(p) != 0 {
			t.Errorf("Pragma %q", p)
		}
	},
	FaultBasicUnsupported.Name: func(t *testing.T, h *harness) {
		r := h.token(ccForm(), mainBasic)
		wantError(t, r, 401, "invalid_client")
		if r.header.Get("WWW-Authenticate") == "" {
			t.Error("no challenge")
		}
		mustToken(t, h.token(ccForm(), mainBody))
		mustToken(t, h.token(passwordForm(), mainBasic))
		wantError(t, h.token(withValue(ccForm(), "grant_type", "x"), mainBasic), 400, "unsupported_grant_type")
	},
	FaultBodyUnsupported.Name: func(t *testing.T, h *harness) {
		wantError(t, h.token(ccForm(), mainBody), 401, "invalid_client")
		mustToken(t, h.token(ccForm(), mainBasic))
	},
	FaultNoAuthAccepted.Name: func(t *testing.T, h *harness) {
		at := mustToken(t, h.token(ccForm(), noAuth))["access_token"].(string)
		if c := h.introspect(at, mainBasic).obj(t)["client_id"]; c != testCreds.ClientID {
			t.Errorf("issued to %v", c)
		}
		wantError(t, h.token(ccForm(), basic(testCreds.ClientID, "wrong")), 401, "invalid_client")
	},
	FaultCredentialsInURIAccepted.Name: func(t *testing.T, h *harness) {
		q := url.Values{"client_id": {testCreds.ClientID}, "client_secret": {testCreds.ClientSecret}}
		req := mustRequest(t, http.MethodPost, h.base+"/token?"+q.Encode())
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Body = io.NopCloser(strings.NewReader(ccForm().Encode()))
		mustToken(t, h.send(req))
		q.Set("client_secret", "wrong")
		req = mustRequest(t, http.MethodPost, h.base+"/token?"+q.Encode())
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Body = io.NopCloser(strings.NewReader(ccForm().Encode()))
		wantError(t, h.send(req), 401, "invalid_client")
	},
	FaultErrorMembersDropped.Name: func(t *testing.T, h *harness) {
		// The rfc6749 template's members all carry a placeholder: nothing
		// to drop; a vendor template's extra members go.
		m := h.token(ccForm(), basic(testCreds.ClientID, "wrong")).obj(t)
		if m["error"] != "invalid_client" || m["error_description"] == nil {
			t.Errorf("body %v", m)
		}
		spec := *h.spec
		spec.Errors.Template = map[string]any{"error": "$code", "error_description": "$description", "trace_id": "x"}
		vh := start(t, Options{Spec: &spec, Faults: []Fault{FaultErrorMembersDropped}})
		if m := vh.token(ccForm(), basic(testCreds.ClientID, "wrong")).obj(t); m["trace_id"] != nil || m["error"] != "invalid_client" {
			t.Errorf("vendor member kept: %v", m)
		}
	},
	FaultBasic401NoChallenge.Name: func(t *testing.T, h *harness) {
		r := h.token(ccForm(), basic(testCreds.ClientID, "wrong"))
		wantError(t, r, 401, "invalid_client")
		if v := r.header.Values("WWW-Authenticate"); len(v) != 0 {
			t.Errorf("WWW-Authenticate %q", v)
		}
	},
	FaultBodyAuthInvalidRequest.Name: func(t *testing.T, h *harness) {
		wantError(t, h.token(ccForm(), inBody(testCreds.ClientID, "wrong")), 400, "invalid_request")
	},
	FaultPasswordBroken.Name: func(t *testing.T, h *harness) {
		wantError(t, h.token(passwordForm(), mainBasic), 400, "invalid_grant")
		mustToken(t, h.token(ccForm(), mainBasic))
	},
	FaultCCRefreshToken.Name: func(t *testing.T, h *harness) {
		rt, _ := mustToken(t, h.token(ccForm(), mainBasic))["refresh_token"].(string)
		if rt == "" {
			t.Fatal("no refresh token")
		}
		mustToken(t, h.token(refreshForm(rt), mainBasic))
	},
	FaultPasswordInvalidClient.Name: func(t *testing.T, h *harness) {
		wantError(t, h.token(withValue(passwordForm(), "password", "wrong"), mainBasic), 401, "invalid_client")
		mustToken(t, h.token(passwordForm(), mainBasic))
	},
	FaultUnsupportedGrantInvalidRequest.Name: func(t *testing.T, h *harness) {
		wantError(t, h.token(withValue(ccForm(), "grant_type", "urn:x"), mainBasic), 400, "invalid_request")
	},
	FaultMissingGrantTypeUnsupported.Name: func(t *testing.T, h *harness) {
		wantError(t, h.token(withValue(ccForm(), "grant_type", ""), mainBasic), 400, "unsupported_grant_type")
	},
	FaultMissingParamInvalidGrant.Name: func(t *testing.T, h *harness) {
		wantError(t, h.token(withValue(passwordForm(), "password", ""), mainBasic), 400, "invalid_grant")
		wantError(t, h.token(withValue(refreshForm("x"), "refresh_token", ""), mainBasic), 400, "invalid_grant")
	},
	FaultRepeatedParamAccepted.Name: func(t *testing.T, h *harness) {
		m := mustToken(t, h.raw(http.MethodPost, "grant_type=client_credentials&scope=read&scope=write", mainBasic))
		if m["scope"] != "write" {
			t.Errorf("scope %v, want the last value", m["scope"])
		}
	},
	FaultUnknownScopeGranted.Name: func(t *testing.T, h *harness) {
		if m := mustToken(t, h.token(withValue(ccForm(), "scope", "read admin"), mainBasic)); m["scope"] != "read admin" {
			t.Errorf("scope %v", m["scope"])
		}
	},
	FaultScopeNarrowedSilently.Name: func(t *testing.T, h *harness) {
		m := mustToken(t, h.token(withValue(ccForm(), "scope", "read admin"), mainBasic))
		if _, has := m["scope"]; has {
			t.Errorf("scope %v", m["scope"])
		}
		if s := h.introspect(m["access_token"].(string), mainBasic).obj(t)["scope"]; s != "read" {
			t.Errorf("granted %v, want read", s)
		}
		if m := mustToken(t, h.token(ccForm(), mainBasic)); m["scope"] != "read write" {
			t.Errorf("unchanged scope not reported: %v", m)
		}
	},
	FaultMalformedBody500.Name: func(t *testing.T, h *harness) {
		wantError(t, h.raw(http.MethodPost, "grant_type=client_credentials&%zz=%", mainBasic), 500, "invalid_request")
	},
	FaultErrorTextPlain.Name: func(t *testing.T, h *harness) {
		r := h.token(ccForm(), noAuth)
		if !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") || r.str(t, "error") != "invalid_client" {
			t.Errorf("%q %s", r.header.Get("Content-Type"), r.body)
		}
	},
	FaultErrorBodyEmpty.Name: func(t *testing.T, h *harness) {
		r := h.token(ccForm(), noAuth)
		if r.status != http.StatusUnauthorized || len(r.body) != 0 || r.header.Get("WWW-Authenticate") == "" {
			t.Errorf("%d %q %q: want 401, a challenge and no body", r.status, r.header.Get("WWW-Authenticate"), r.body)
		}
		if m := mustToken(t, h.token(ccForm(), mainBasic)); m["access_token"] == "" {
			t.Errorf("no token: %v", m)
		}
	},
	FaultErrorCodeInvented.Name: func(t *testing.T, h *harness) {
		wantError(t, h.token(withValue(ccForm(), "grant_type", "urn:x"), mainBasic), 400, "grant_not_supported")
	},
	FaultErrorDescriptionUnicode.Name: func(t *testing.T, h *harness) {
		d := h.token(ccForm(), noAuth).str(t, "error_description")
		if !strings.Contains(d, `"`) || !strings.ContainsFunc(d, func(r rune) bool { return r > 0x7e }) {
			t.Errorf("error_description %q", d)
		}
	},
	FaultGetAccepted.Name: func(t *testing.T, h *harness) {
		req := mustRequest(t, http.MethodGet, h.base+"/token?"+ccForm().Encode())
		req.Header.Set("Authorization", basicHeader(testCreds.ClientID, testCreds.ClientSecret))
		mustToken(t, h.send(req))
	},
	FaultRefreshBroken.Name: func(t *testing.T, h *harness) {
		rt := mustToken(t, h.token(passwordForm(), mainBasic))["refresh_token"].(string)
		wantError(t, h.token(refreshForm(rt), mainBasic), 400, "invalid_grant")
	},
	FaultRotationOldValid.Name: func(t *testing.T, h *harness) {
		rt := mustToken(t, h.token(passwordForm(), mainBasic))["refresh_token"].(string)
		next := mustToken(t, h.token(refreshForm(rt), mainBasic))
		if next["refresh_token"] == rt || next["refresh_token"] == nil {
			t.Errorf("no rotation: %v", next)
		}
		mustToken(t, h.token(refreshForm(rt), mainBasic))
	},
	FaultRefreshScopeEscalation.Name: func(t *testing.T, h *harness) {
		rt := mustToken(t, h.token(withValue(passwordForm(), "scope", "read"), mainBasic))["refresh_token"].(string)
		if m := mustToken(t, h.token(withValue(refreshForm(rt), "scope", "read write"), mainBasic)); m["scope"] != "read write" {
			t.Errorf("scope %v", m["scope"])
		}
	},
	FaultRefreshScopeEscalationSilent.Name: func(t *testing.T, h *harness) {
		rt := mustToken(t, h.token(withValue(passwordForm(), "scope", "read"), mainBasic))["refresh_token"].(string)
		m := mustToken(t, h.token(withValue(refreshForm(rt), "scope", "read write"), mainBasic))
		if _, has := m["scope"]; has {
			t.Errorf("the refresh response states its scope: %v", m["scope"])
		}
		if in := h.introspect(m["access_token"].(string), mainBasic).obj(t); in["scope"] != "read write" {
			t.Errorf("introspected scope %v, want the escalated read write", in["scope"])
		}
	},
	FaultRefreshAnyClient.Name: func(t *testing.T, h *harness) {
		rt := mustToken(t, h.token(passwordForm(), mainBasic))["refresh_token"].(string)
		mustToken(t, h.token(refreshForm(rt), otherBasic))
	},
	FaultRefreshUnknownInvalidRequest.Name: func(t *testing.T, h *harness) {
		wantError(t, h.token(refreshForm("unknown"), mainBasic), 400, "invalid_request")
		rt := mustToken(t, h.token(passwordForm(), mainBasic))["refresh_token"].(string)
		mustToken(t, h.token(refreshForm(rt), mainBasic))
		wantError(t, h.token(refreshForm(rt), mainBasic), 400, "invalid_grant")
	},
	FaultExpiredAcceptedAtResource.Name: func(t *testing.T, h *harness) {
		at := mustToken(t, h.token(ccForm(), mainBasic))["access_token"].(string)
		// Counted from the answer: the server issued the token before it.
		issued := time.Now()
		sleepPast(issued, shortLifetime+50*time.Millisecond)
		if r := h.resource("Bearer " + at); r.status != 200 {
			t.Errorf("expired token refused: %d", r.status)
		}
		if h.active(at) {
			t.Error("introspection changed too")
		}
	},
	FaultRevokeOnRefreshNeverExpire.Name: func(t *testing.T, h *harness) {
		tok := mustToken(t, h.token(passwordForm(), mainBasic))
		at, rt := tok["access_token"].(string), tok["refresh_token"].(string)
		other := mustToken(t, h.token(ccForm(), mainBasic))["access_token"].(string)
		sleepPast(time.Now(), shortLifetime+50*time.Millisecond)
		if r := h.resource("Bearer " + other); r.status != 200 {
			t.Errorf("a token past its lifetime was refused: %d", r.status)
		}
		mustToken(t, h.token(refreshForm(rt), mainBasic))
		if r := h.resource("Bearer " + at); r.status != 401 {
			t.Errorf("the token issued with the redeemed refresh token still works: %d", r.status)
		}
		if r := h.resource("Bearer " + other); r.status != 200 {
			t.Errorf("a token unrelated to the refresh was revoked: %d", r.status)
		}
	},
	FaultExpiredActiveIntrospection.Name: func(t *testing.T, h *harness) {
		at := mustToken(t, h.token(ccForm(), mainBasic))["access_token"].(string)
		// Counted from the answer: the server issued the token before it.
		issued := time.Now()
		sleepPast(issued, shortLifetime+50*time.Millisecond)
		if !h.active(at) {
			t.Error("expired token inactive")
		}
		if r := h.resource("Bearer " + at); r.status != 401 {
			t.Errorf("the resource changed too: %d", r.status)
		}
	},
}

// Each fault changes the behaviour it claims to, and every fault has a case.
func TestEachFault(t *testing.T) {
	t.Parallel()
	for _, f := range Faults() {
		check, ok := faultCases[f.Name]
		if !ok {
			t.Errorf("fault %s has no test case", f.Name)
			continue
		}
		t.Run(f.Name, func(t *testing.T) {
			t.Parallel()
			check(t, start(t, Options{Lifetime: caseLifetime(f), Faults: []Fault{f}}))
		})
	}
	for name := range faultCases {
		if _, err := FaultByName(name); err != nil {
			t.Errorf("test case for unknown fault %s", name)
		}
	}
}

// shortCases are the fault cases that wait for a token to expire, or read
// its lifetime as shortLifetime states it.
var shortCases = []string{FaultExpiredAcceptedAtResource.Name, FaultRevokeOnRefreshNeverExpire.Name, FaultExpiredActiveIntrospection.Name,
	FaultExpiresInString.Name, FaultLifetimeOutOfRange.Name}

// caseLifetime is the access-token lifetime a fault's case runs with:
// shortLifetime for a case that waits for its tokens to expire or reads
// their lifetime, and one no
// busy machine outlasts for the others, whose tokens must live through all
// their requests.
func caseLifetime(f Fault) time.Duration {
	if slices.Contains(shortCases, f.Name) {
		return shortLifetime
	}
	return max(10*time.Second, f.Lifetime)
}
