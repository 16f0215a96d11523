package refserver

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// lvAudience is the audience the linkervision spec configures.
const lvAudience = "https://api.linkervision.example"

// v10Scope is the vision10 spec's one scope, 50 characters long.
const v10Scope = "all.vision10-reference-scope-at-the-50-char-length"

// v10Creds are vision10 credentials at the documented maximum lengths.
var v10Creds = Credentials{
	ClientID: strings.Repeat("c", 50), ClientSecret: strings.Repeat("s", 100),
	OtherClientID: "other-client", OtherClientSecret: "other-secret",
}

// jsonRequest is a JSON token request body: base with changes applied
// (an empty value leaves the member out).
func jsonRequest(base map[string]string, changes ...string) string {
	m := map[string]string{}
	for k, v := range base {
		m[k] = v
	}
	for i := 0; i+1 < len(changes); i += 2 {
		if changes[i+1] == "" {
			delete(m, changes[i])
		} else {
			m[changes[i]] = changes[i+1]
		}
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func lvRequest(changes ...string) string {
	return jsonRequest(map[string]string{"audience": lvAudience, "grant_type": "client_credentials",
		"client_id": testCreds.ClientID, "client_secret": testCreds.ClientSecret}, changes...)
}

func v10Request(changes ...string) string {
	return jsonRequest(map[string]string{"grant_type": "client_credentials", "scope": v10Scope,
		"client_id": v10Creds.ClientID, "client_secret": v10Creds.ClientSecret}, changes...)
}

func startLV(t *testing.T, faults ...Fault) *harness {
	return start(t, Options{Spec: loadSpec(t, "linkervision"), Faults: faults})
}

func startV10(t *testing.T, faults ...Fault) *harness {
	c := v10Creds
	return start(t, Options{Spec: loadSpec(t, "vision10"), Faults: faults, Credentials: &c})
}

// problem returns the first problem of a vision10 error body, an array.
func problem(t testing.TB, r reply) map[string]any {
	t.Helper()
	var list []map[string]any
	if err := json.Unmarshal(r.body, &list); err != nil || len(list) != 1 {
		t.Fatalf("error body %s is not an array of one problem: %v", r.body, err)
	}
	return list[0]
}

// jwtParts decodes a JWS's header and claims without verifying it.
func jwtParts(t testing.TB, at string) (header, claims map[string]any, sig string) {
	t.Helper()
	parts := strings.Split(at, ".")
	if len(parts) != 3 {
		t.Fatalf("%q is not a JWS", at)
	}
	dec := func(s string) map[string]any {
		d := json.NewDecoder(strings.NewReader(string(b64(t, s))))
		d.UseNumber()
		var m map[string]any
		if err := d.Decode(&m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	return dec(parts[0]), dec(parts[1]), parts[2]
}

func init() {
	for name, c := range map[string]func(t *testing.T, h *harness){
		FaultAudienceIgnored.Name: func(t *testing.T, _ *harness) {
			h := startLV(t, FaultAudienceIgnored)
			mustToken(t, h.postJSON(lvRequest("audience", "")))
			wantError(t, h.postJSON(lvRequest("audience", "https://elsewhere")), 400, "invalid_request")
		},
		FaultAudienceNotChecked.Name: func(t *testing.T, _ *harness) {
			h := startLV(t, FaultAudienceNotChecked)
			mustToken(t, h.postJSON(lvRequest("audience", "https://elsewhere")))
			wantError(t, h.postJSON(lvRequest("audience", "")), 400, "invalid_request")
		},
		FaultClientSecretNotChecked.Name: func(t *testing.T, _ *harness) {
			h := startLV(t, FaultClientSecretNotChecked)
			mustToken(t, h.postJSON(lvRequest("client_secret", "wrong")))
			wantError(t, h.postJSON(lvRequest("client_id", "unknown", "client_secret", "wrong")), 401, "invalid_client")
		},
		FaultLengthUnchecked.Name: func(t *testing.T, _ *harness) {
			h := startV10(t, FaultLengthUnchecked)
			mustToken(t, h.postJSON(v10Request("client_secret", v10Creds.ClientSecret+"x")))
			m := mustToken(t, h.postJSON(v10Request("client_id", v10Creds.ClientID+"x", "scope", v10Scope+"x")))
			if _, claims, _ := jwtParts(t, m["access_token"].(string)); claims["client_id"] != v10Creds.ClientID || claims["scope"] != v10Scope {
				t.Errorf("claims %v: the values were not cut to the limit", claims)
			}
		},
		FaultSlowToken.Name: func(t *testing.T, _ *harness) {
			spec := loadSpec(t, "linkervision")
			spec.Request.ResponseWithin.Duration = 10 * time.Millisecond
			h := start(t, Options{Spec: spec, Faults: []Fault{FaultSlowToken}})
			// The server holds the token back for 1.01 s: a client that
			// waits 300 ms gets nothing; an error is not held back.
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, h.base+spec.Request.Path, strings.NewReader(lvRequest()))
			req.Header.Set("Content-Type", "application/json")
			if resp, err := http.DefaultClient.Do(req); !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("a token came within 300 ms: %v %v", resp, err)
				if err == nil {
					resp.Body.Close()
				}
			}
			wantError(t, h.postJSON(lvRequest("client_secret", "wrong")), 401, "invalid_client")
		},
		FaultExpiresInAbsent.Name: func(t *testing.T, h *harness) {
			m := mustToken(t, h.token(ccForm(), mainBasic))
			if _, has := m["expires_in"]; has {
				t.Errorf("expires_in %v", m["expires_in"])
			}
		},
		FaultAccessTokenOpaque.Name: func(t *testing.T, _ *harness) {
			h := startV10(t, FaultAccessTokenOpaque)
			if at := mustToken(t, h.postJSON(v10Request()))["access_token"].(string); strings.Contains(at, ".") {
				t.Errorf("access token %q looks like a JWS", at)
			}
		},
		FaultJWTAlgNone.Name: func(t *testing.T, _ *harness) {
			h := startV10(t, FaultJWTAlgNone)
			at := mustToken(t, h.postJSON(v10Request()))["access_token"].(string)
			if header, claims, sig := jwtParts(t, at); header["alg"] != "none" || sig != "" || claims["client_id"] != v10Creds.ClientID {
				t.Errorf("header %v, signature %q, claims %v", header, sig, claims)
			}
			if r := h.resource("Bearer " + at); r.status != 200 {
				t.Errorf("the token does not work: %d", r.status)
			}
		},
		FaultJWTExpMismatch.Name: func(t *testing.T, _ *harness) {
			h := startV10(t, FaultJWTExpMismatch)
			m := mustToken(t, h.postJSON(v10Request()))
			_, claims, _ := jwtParts(t, m["access_token"].(string))
			if d := mustInt(t, claims["exp"].(json.Number)) - mustInt(t, claims["iat"].(json.Number)); d != mustInt(t, m["expires_in"].(json.Number))+3600 {
				t.Errorf("exp - iat = %d, want expires_in + 3600", d)
			}
		},
		FaultJWTClaimsMismatch.Name: func(t *testing.T, _ *harness) {
			h := startV10(t, FaultJWTClaimsMismatch)
			_, claims, _ := jwtParts(t, mustToken(t, h.postJSON(v10Request()))["access_token"].(string))
			if claims["client_id"] == v10Creds.ClientID || claims["scope"] == v10Scope {
				t.Errorf("claims %v still match the request", claims)
			}
		},
		FaultErrorObjectNotArray.Name: func(t *testing.T, _ *harness) {
			h := startV10(t, FaultErrorObjectNotArray)
			r := h.postJSON(v10Request("client_secret", "wrong"))
			if r.status != 401 || r.str(t, "errorCode") != "240101" {
				t.Errorf("%d %s", r.status, r.body)
			}
		},
		FaultErrorInstanceWrong.Name: func(t *testing.T, _ *harness) {
			h := startV10(t, FaultErrorInstanceWrong)
			if p := problem(t, h.postJSON(v10Request("client_secret", "wrong"))); p["instance"] != "/" {
				t.Errorf("instance %v", p["instance"])
			}
		},
		FaultErrorStatusMismatch.Name: func(t *testing.T, _ *harness) {
			h := startV10(t, FaultErrorStatusMismatch)
			r := h.postJSON(v10Request("client_secret", "wrong"))
			if p := problem(t, r); r.status != 401 || p["status"] != float64(400) {
				t.Errorf("HTTP %d, status member %v", r.status, p["status"])
			}
			r = h.postJSON(`{"grant_type": `)
			if p := problem(t, r); r.status != 400 || p["status"] != float64(401) {
				t.Errorf("HTTP %d, status member %v", r.status, p["status"])
			}
		},
	} {
		faultCases[name] = c
	}
}

// The linkervision dialect: JSON body, body credentials, a required and
// checked audience, RFC 6749 errors.
func TestLinkerVisionDialect(t *testing.T) {
	t.Parallel()
	h := startLV(t)
	m := mustToken(t, h.postJSON(lvRequest()))
	if m["token_type"] != "Bearer" || m["access_token"] == "" || m["refresh_token"] != nil {
		t.Errorf("body %v", m)
	}
	for name, body := range map[string]string{
		"missing audience": lvRequest("audience", ""),
		"wrong audience":   lvRequest("audience", "https://elsewhere"),
	} {
		if r := h.postJSON(body); r.status != 400 || r.str(t, "error") != "invalid_request" {
			t.Errorf("%s: %d %s", name, r.status, r.body)
		}
	}
	wantError(t, h.postJSON(lvRequest("client_secret", "wrong")), 401, "invalid_client")
	if tg := h.srv.Target(); tg.Audience != lvAudience || tg.Endpoint != h.base+"/users/token" {
		t.Errorf("target %+v", tg)
	}
}

// The vision10 dialect: credentials at the documented lengths, one
// character over refused; an RS256 JWT; errors as an array of problems.
func TestVision10Dialect(t *testing.T) {
	t.Parallel()
	h := startV10(t)
	m := mustToken(t, h.postJSON(v10Request()))
	header, claims, _ := jwtParts(t, m["access_token"].(string))
	if header["alg"] != "RS256" || claims["client_id"] != v10Creds.ClientID || claims["scope"] != v10Scope {
		t.Errorf("header %v, claims %v", header, claims)
	}
	if exp, iat := mustInt(t, claims["exp"].(json.Number)), mustInt(t, claims["iat"].(json.Number)); exp-iat != mustInt(t, m["expires_in"].(json.Number)) {
		t.Errorf("exp - iat = %d, expires_in %v", exp-iat, m["expires_in"])
	}
	for _, c := range []struct {
		name, body string
		status     int
		code       string
	}{
		{"secret one over", v10Request("client_secret", v10Creds.ClientSecret+"x"), 401, "240101"},
		{"client_id one over", v10Request("client_id", v10Creds.ClientID+"x"), 401, "240101"},
		{"scope one over", v10Request("scope", v10Scope+"x"), 400, "invalid_request"},
		{"grant_type over", v10Request("grant_type", "client_credentials"+strings.Repeat("x", 33)), 400, "unsupported_grant_type"},
		{"unknown scope", v10Request("scope", "admin"), 401, "240101"},
		// The document is silent on missing credentials: RFC 6749's answer.
		{"no credentials", v10Request("client_id", "", "client_secret", ""), 401, "invalid_client"},
		{"missing scope", v10Request("scope", ""), 400, "invalid_request"},
	} {
		r := h.postJSON(c.body)
		p := problem(t, r)
		if r.status != c.status || p["errorCode"] != c.code || p["instance"] != "/v1/api/oauth/token" ||
			p["status"] != float64(c.status) || p["title"] != http.StatusText(c.status) || p["source"] != "AGT" {
			t.Errorf("%s: %d %s", c.name, r.status, r.body)
		}
	}
}

// Random credentials are generated at the spec's maximum lengths.
func TestCredentialsFitMaxLength(t *testing.T) {
	t.Parallel()
	srv, err := New(Options{Spec: loadSpec(t, "vision10")})
	if err != nil {
		t.Fatal(err)
	}
	tg := srv.Target()
	if len(tg.ClientID) != 50 || len(tg.ClientSecret) != 100 || len(tg.OtherClientID) != 50 || tg.ClientID == tg.OtherClientID {
		t.Errorf("credentials %q %q %q", tg.ClientID, tg.ClientSecret, tg.OtherClientID)
	}
	if got := (Credentials{ClientID: "abcdef"}).fit(map[string]int{"client_id": 3}); got.ClientID != "abc" || got.ClientSecret != "" {
		t.Errorf("fit cut %+v", got)
	}
}
