package suites

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokencert/tokencert/redact"
	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/suites/wire"
	"github.com/tokencert/tokencert/target"
)

// Once the endpoint has provided a DPoP nonce, a proof without one is
// refused (RFC 9449 §11.3); the wrong-nonce check is not what catches it.
func TestDPoPNonceDowngrade(t *testing.T) {
	t.Parallel()
	expectVerdicts(t, "RFC9449-11.3-NONCE-DOWNGRADE", []verdictCase{
		{name: "conformant", spec: "rfc9449", want: map[string]string{"nonce-downgrade": "pass"}, note: "kept one nonce"},
		{name: "fault", spec: "rfc9449", faults: []string{"dpop-nonce-downgrade"}, want: map[string]string{"nonce-downgrade": "fail"}},
		{name: "no-nonces", spec: "rfc9449", faults: []string{"dpop-iat-unchecked"}, want: map[string]string{"nonce-downgrade": "skip"}},
	})
	expectVerdicts(t, "RFC9449-4.3-NONCE-MATCH", []verdictCase{
		{name: "match/fault-downgrade", spec: "rfc9449", faults: []string{"dpop-nonce-downgrade"}, want: map[string]string{"nonce-match": "pass"}},
	})
}

// A server that replaces its nonce with every token (RFC 9449 §8.2) is
// also sent the nonce it replaced: accepting it is noted, as the window of
// recent nonces §8 allows, never failed.
func TestDPoPReplacedNonce(t *testing.T) {
	t.Parallel()
	for _, window := range []bool{true, false} {
		var mu sync.Mutex
		n, accepted := 0, []string{}
		next := func() string { n++; return "nonce-" + strconv.Itoa(n) }
		current := next()
		accepted = append(accepted, current)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			defer mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Cache-Control", "no-store")
			parts := strings.Split(r.Header.Get("DPoP"), ".")
			var claims struct{ Nonce string }
			if len(parts) == 3 {
				b, _ := base64.RawURLEncoding.DecodeString(parts[1])
				_ = json.Unmarshal(b, &claims)
			}
			if !slices.Contains(accepted, claims.Nonce) {
				w.Header().Set("DPoP-Nonce", current)
				w.WriteHeader(http.StatusBadRequest)
				_, _ = w.Write([]byte(`{"error":"use_dpop_nonce"}`))
				return
			}
			current = next()
			if window {
				accepted = append(accepted, current)
			} else {
				accepted = []string{current}
			}
			w.Header().Set("DPoP-Nonce", current)
			_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "at-" + current, "token_type": "DPoP", "expires_in": 60})
		}))
		defer srv.Close()
		tg := target.Target{Endpoint: srv.URL + "/token", ClientID: "c", ClientSecret: "s", Grants: []string{"client_credentials"},
			MaxWait: specs.Duration{Duration: time.Minute}}
		env, err := NewEnv(mustSpec(t, "rfc9449"), tg, wire.New(redact.New(), wire.Options{Timeout: 10 * time.Second}), nil)
		if err != nil {
			t.Fatal(err)
		}
		res := runCheck(t, env, "RFC9449-11.3-NONCE-DOWNGRADE")
		noted := slices.ContainsFunc(res.Notes, func(s string) bool { return strings.Contains(s, "had replaced was accepted") })
		if verdict(res) != "pass" || noted != window {
			t.Errorf("window %v: %s, notes %q, want a pass that notes the replaced nonce's acceptance: %v", window, verdict(res), res.Notes, window)
		}
	}
}
