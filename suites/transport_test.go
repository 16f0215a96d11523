package suites

import (
	"context"
	"crypto/tls"
	"strings"
	"testing"
	"time"

	"github.com/tokencert/tokencert/grants"
	"github.com/tokencert/tokencert/probes"
	"github.com/tokencert/tokencert/redact"
	"github.com/tokencert/tokencert/refserver"
	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/suites/wire"
	"github.com/tokencert/tokencert/target"
)

// refEnv starts the reference server (with TLS when cfg is set) and returns
// an Env for it; edit tweaks the target first.
func refEnv(t *testing.T, cfg *tls.Config, client wire.Options, edit func(*target.Target)) *Env {
	t.Helper()
	spec, err := specs.Load("rfc6749")
	if err != nil {
		t.Fatal(err)
	}
	st := startRef(t, refserver.Options{Spec: spec, TLS: cfg}).Target()
	target := target.Target{Endpoint: st.Endpoint, ClientID: st.ClientID, ClientSecret: st.ClientSecret, Username: st.Username,
		Password: st.Password, Scope: st.Scope, Resource: st.Resource, Introspection: st.Introspection, MaxWait: specs.Duration{Duration: time.Minute}}
	if edit != nil {
		edit(&target)
	}
	if client.Timeout == 0 {
		client.Timeout = 10 * time.Second
	}
	env, err := NewEnv(spec, target, wire.New(redact.New(), client), nil)
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// runCheck plans env and executes the check of requirement id.
func runCheck(t *testing.T, env *Env, id string) Result {
	t.Helper()
	plan, err := env.Plan()
	if err != nil {
		t.Fatal(err)
	}
	for i := range plan {
		if plan[i].Req.ID == id {
			return Execute(context.Background(), env, &plan[i])
		}
	}
	t.Fatalf("no check of %s", id)
	return Result{}
}

const tlsRequired = "RFC6749-3.2-TLS-REQUIRED"

func TestTransportTLS(t *testing.T) {
	t.Parallel()
	cfg, pool, _, err := refserver.SelfSigned()
	if err != nil {
		t.Fatal(err)
	}
	t.Run("verified https passes", func(t *testing.T) {
		t.Parallel()
		res := runCheck(t, refEnv(t, cfg, wire.Options{TLS: &tls.Config{RootCAs: pool}}, nil), tlsRequired)
		if len(res.Problems) > 0 || res.Skipped != "" || !strings.Contains(strings.Join(res.Notes, "\n"), "the response came over TLS 1.3") {
			t.Errorf("%+v", res)
		}
	})
	t.Run("insecure_skip_verify is noted", func(t *testing.T) {
		t.Parallel()
		env := refEnv(t, cfg, wire.Options{InsecureSkipVerify: true}, func(tg *target.Target) { tg.InsecureSkipVerify = true })
		res := runCheck(t, env, tlsRequired)
		if len(res.Problems) > 0 || !strings.Contains(strings.Join(res.Notes, "\n"), "certificate verification was off (insecure_skip_verify)") {
			t.Errorf("%+v", res)
		}
	})
	t.Run("unverified certificate fails", func(t *testing.T) {
		t.Parallel()
		res := runCheck(t, refEnv(t, cfg, wire.Options{}, nil), tlsRequired)
		if len(res.Problems) != 1 || !strings.Contains(res.Problems[0], "certificate signed by unknown authority") {
			t.Errorf("%+v", res)
		}
	})
	t.Run("loopback http is a test setup", func(t *testing.T) {
		t.Parallel()
		res := runCheck(t, refEnv(t, nil, wire.Options{}, nil), tlsRequired)
		if len(res.Problems) > 0 || !strings.Contains(res.Skipped, "cleartext http:// on loopback") {
			t.Errorf("%+v", res)
		}
	})
	t.Run("http with allow_http fails", func(t *testing.T) {
		t.Parallel()
		res := runCheck(t, refEnv(t, nil, wire.Options{}, func(tg *target.Target) { tg.AllowHTTP = true }), tlsRequired)
		if len(res.Problems) != 1 || !strings.Contains(res.Problems[0], "the token endpoint is served over cleartext HTTP (http://127.0.0.1:") {
			t.Errorf("%+v", res)
		}
	})
}

func TestLoopback(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]bool{
		"127.0.0.1": true, "127.8.9.10": true, "::1": true, "[::1]": true, "localhost": true, "LocalHost.": true, "api.localhost": true,
		"10.0.0.1": false, "idp.example": false, "localhost.example": false, "": false, "::": false,
	} {
		if got := Loopback(host); got != want {
			t.Errorf("Loopback(%q) = %v, want %v", host, got, want)
		}
	}
}

// A run sends at most max_failed_logins requests with a wrong password;
// the check that would send one more skips, saying why.
func TestFailedLoginCap(t *testing.T) {
	t.Parallel()
	const badPassword = "RFC6749-5.2-INVALID-GRANT-PASSWORD"
	t.Run("within the cap", func(t *testing.T) {
		t.Parallel()
		env := refEnv(t, nil, wire.Options{}, nil)
		if res := runCheck(t, env, badPassword); len(res.Problems) > 0 || res.Skipped != "" {
			t.Errorf("%+v", res)
		}
		if n := env.FailedLogins(); n != 1 {
			t.Errorf("%d failed logins, want 1", n)
		}
	})
	t.Run("over the cap", func(t *testing.T) {
		t.Parallel()
		env := refEnv(t, nil, wire.Options{}, func(tg *target.Target) { zero := 0; tg.MaxFailedLogins = &zero })
		res := runCheck(t, env, badPassword)
		if len(res.Problems) > 0 || !strings.Contains(res.Skipped, "skipped: the max_failed_logins cap (0) stops it: it would be wrong-password request 1 for user tokencert-user-") {
			t.Errorf("%+v", res)
		}
		if n, c := env.FailedLogins(), env.Client.Count(); n != 0 || c != 0 {
			t.Errorf("%d failed logins, %d requests; want none", n, c)
		}
	})
	t.Run("counting", func(t *testing.T) {
		t.Parallel()
		env := refEnv(t, nil, wire.Options{}, func(tg *target.Target) { two := 2; tg.MaxFailedLogins = &two })
		wrong := probes.Request{Label: "wrong", Auth: "basic", Params: []probes.Param{{Name: "grant_type", Value: "password"}, {Name: "username", Value: env.Target.Username}, {Name: "password", Value: "nope"}}}
		right := probes.Request{Label: "right", Auth: "basic", Params: env.grantParams(grants.Password, "")}
		other := probes.Request{Label: "other user", Auth: "basic", Params: []probes.Param{{Name: "grant_type", Value: "password"}, {Name: "username", Value: "someone-else"}, {Name: "password", Value: "nope"}}}
		for i, r := range []probes.Request{wrong, right, other, wrong, right} {
			if ex := env.send(context.Background(), r); !ex.OK() {
				t.Errorf("request %d (%s) not answered: %s", i, r.Label, ex.Summary())
			}
		}
		ex := env.send(context.Background(), wrong)
		if why, capped := env.cappedWhy(ex); !capped || !strings.Contains(why, "wrong-password request 3") || env.FailedLogins() != 2 {
			t.Errorf("third wrong password: %q %v, %d counted", why, capped, env.FailedLogins())
		}
	})
}
