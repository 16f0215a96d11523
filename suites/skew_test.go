package suites

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokencert/tokencert/redact"
	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/suites/wire"
	"github.com/tokencert/tokencert/target"
)

// clockServer answers with a Date header offset from this machine's
// clock; offsets, when several, take turns (servers behind one host whose
// clocks differ); none: no Date header at all.
func clockServer(t *testing.T, offsets ...time.Duration) string {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(offsets) == 0 {
			w.Header()["Date"] = nil
		} else {
			off := offsets[int(n.Add(1)-1)%len(offsets)]
			w.Header().Set("Date", time.Now().Add(off).UTC().Format(http.TimeFormat))
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// skewEnv is an Env whose client has exchanged a few requests with the
// issuer and the judge.
func skewEnv(t *testing.T, issuer, judge string, given *specs.Duration) *Env {
	t.Helper()
	spec, err := specs.Load("rfc6749")
	if err != nil {
		t.Fatal(err)
	}
	env, err := NewEnv(spec, target.Target{Endpoint: issuer + "/token", Resource: judge + "/resource", Skew: given},
		wire.New(redact.New(), wire.Options{Timeout: 5 * time.Second}), nil)
	if err != nil {
		t.Fatal(err)
	}
	env.SkewSource = "target key skew"
	for range 4 {
		for _, u := range []string{issuer + "/token", judge + "/resource"} {
			if ex := env.Client.Do(context.Background(), wire.Request{Label: "clock", Method: http.MethodGet, URL: u}); !ex.OK() {
				t.Fatal(ex.Err)
			}
		}
	}
	return env
}

// TestSkewFromDateHeaders: with no skew given, the expiry checks allow a
// second for whole-second lifetimes and whatever the Date headers (to the
// second, RFC 9110 §6.6.1) leave possible of the judging clock running
// behind the issuing one; without Date headers, the default.
func TestSkewFromDateHeaders(t *testing.T) {
	inStep := clockServer(t, 0)
	ahead := clockServer(t, 10*time.Second)
	disagreeing := clockServer(t, 0, 5*time.Second)
	noDate := clockServer(t)
	for _, c := range []struct {
		name           string
		issuer, judge  string
		given          *specs.Duration
		lo, hi         time.Duration
		source, reason string
	}{
		// One clock issues and judges: its offset cancels out.
		{"one clock", inStep, inStep, nil, time.Second, time.Second, SkewEstimated, "agree with one clock"},
		{"one clock, off", ahead, ahead, nil, time.Second, time.Second, SkewEstimated, "differs from this machine's by +"},
		{"judge in step", inStep, clockServer(t, 0), nil, time.Second, 3100 * time.Millisecond, SkewEstimated, "may run behind"},
		// The judge's clock is 10s behind the issuer's: it sees the token
		// expire 10s late.
		{"judge behind", ahead, inStep, nil, 11 * time.Second, 13100 * time.Millisecond, SkewEstimated, "may run behind"},
		// A judge ahead of the issuer only ends tokens early.
		{"judge ahead", inStep, ahead, nil, time.Second, time.Second, SkewEstimated, "may run behind"},
		// Servers with clocks of their own behind one host.
		{"headers disagree", disagreeing, disagreeing, nil, 6 * time.Second, 8100 * time.Millisecond, SkewEstimated, "may differ, as its Date headers do"},
		{"no Date header", noDate, inStep, nil, DefaultSkew, DefaultSkew, SkewDefault, "sent no Date header"},
		{"given", ahead, inStep, &specs.Duration{Duration: 3 * time.Second}, 3 * time.Second, 3 * time.Second, "target key skew", "given by target key skew"},
	} {
		t.Run(c.name, func(t *testing.T) {
			env := skewEnv(t, c.issuer, c.judge, c.given)
			s := env.skewFor(env.Target.Endpoint, env.Target.Resource)
			if s.Duration < c.lo || s.Duration > c.hi || s.Source != c.source || !strings.Contains(s.Why, c.reason) {
				t.Errorf("skew %s (%s: %s), want %s to %s (%s, saying %q)", s.Duration, s.Source, s.Why, c.lo, c.hi, c.source, c.reason)
			}
			if _, ok := env.SkewUsed(); ok {
				t.Error("a skew computed for a check that did not wait counts as the run's")
			}
			env.waitSkew(env.Target.Endpoint, env.Target.Resource)
			if used, ok := env.SkewUsed(); !ok || used.Duration != s.Duration {
				t.Errorf("the run's skew is %v, want %s", used, s.Duration)
			}
		})
	}
}
