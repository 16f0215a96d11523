package suites

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/tokencert/tokencert/redact"
	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/suites/wire"
	"github.com/tokencert/tokencert/target"
)

// The refresh-binding check accepts every refusal RFC 6749 §5.2 allows a
// second client (invalid_grant; unauthorized_client for a client that may
// not use the grant) and fails acceptance or another code.
func TestRefreshBindingCodes(t *testing.T) {
	for _, tc := range []struct {
		status int
		code   string
		pass   bool
	}{
		{400, "invalid_grant", true},
		{400, "unauthorized_client", true},
		{400, "invalid_request", false},
		{200, "", false},
	} {
		t.Run(tc.code, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_ = r.ParseForm()
				id, _, _ := r.BasicAuth()
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Cache-Control", "no-store")
				if r.PostForm.Get("grant_type") == "refresh_token" && id == "c2" && tc.status != 200 {
					w.WriteHeader(tc.status)
					_ = json.NewEncoder(w).Encode(map[string]string{"error": tc.code})
					return
				}
				_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "at-" + time.Now().String(), "token_type": "Bearer",
					"expires_in": 60, "refresh_token": "rt-" + time.Now().String()})
			}))
			defer srv.Close()
			spec, err := specs.Load("rfc6749")
			if err != nil {
				t.Fatal(err)
			}
			tg := target.Target{Endpoint: srv.URL + "/token", ClientID: "c", ClientSecret: "s", Username: "u", Password: "p",
				OtherClientID: "c2", OtherClientSecret: "s2", Grants: []string{"password", "refresh_token"},
				MaxWait: specs.Duration{Duration: time.Minute}}
			env, err := NewEnv(spec, tg, wire.New(redact.New(), wire.Options{}), nil)
			if err != nil {
				t.Fatal(err)
			}
			plan, err := env.Plan()
			if err != nil {
				t.Fatal(err)
			}
			for i := range plan {
				if plan[i].Req.ID != "RFC6749-10.4-RT-BOUND-TO-CLIENT" {
					continue
				}
				res := Execute(context.Background(), env, &plan[i])
				if res.Skipped != "" {
					t.Fatalf("skipped: %s", res.Skipped)
				}
				if pass := len(res.Problems) == 0; pass != tc.pass {
					t.Errorf("%d %s: problems %q, want pass %v", tc.status, tc.code, res.Problems, tc.pass)
				}
				return
			}
			t.Fatal("no refresh-binding check planned")
		})
	}
}

// No pass by default: a check body that finds nothing wrong but examines no
// exchange is a skip that says so, never a pass.
func TestNoPassWithoutEvidence(t *testing.T) {
	env, err := NewEnv(mustSpec(t, "rfc6749"), fullTarget, wire.New(redact.New(), wire.Options{}), nil)
	if err != nil {
		t.Fatal(err)
	}
	c := Check{Req: specs.Requirement{ID: "X-1", Level: specs.MUST}, Title: "looks at nothing", Run: func(t *T) {}}
	res := Execute(context.Background(), env, &c)
	if res.Skipped == "" || len(res.Problems) != 0 {
		t.Errorf("a check that examined nothing: %+v, want a skip that says so", res)
	}
}

func mustSpec(t *testing.T, name string) *specs.Spec {
	t.Helper()
	s, err := specs.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
