package bench

import (
	"strings"
	"testing"
	"time"
)

// pacedReport is the run of the filed issue, in the shape report.json has:
// the watched token is issued first, the other checks' requests (paced at
// 10 a second) fill most of the 2 s lifetime + 500 ms skew, and the two
// expired-token probes follow. The idle time before the first probe is
// only about 300 ms; the wait for the token is 2.5 s.
func pacedReport(t0 time.Time) *report {
	type ev = struct {
		Label    string        `json:"label"`
		Started  time.Time     `json:"started"`
		Duration time.Duration `json:"duration_ns"`
	}
	const lat = 20 * time.Millisecond
	token := ev{"client_credentials grant, basic client authentication", t0, lat}
	answered := t0.Add(lat)
	fresh := ev{"fresh token at the protected resource", answered, lat}
	r := &report{Verdict: "pass"}
	add := func(evs ...ev) {
		r.Checks = append(r.Checks, struct {
			Evidence []struct {
				Label    string        `json:"label"`
				Started  time.Time     `json:"started"`
				Duration time.Duration `json:"duration_ns"`
			} `json:"evidence"`
		}{Evidence: evs})
	}
	add(token, fresh)
	// 21 more requests, one every 100 ms: the last ends 2.22 s after the
	// token's answer.
	for i := 1; i <= 21; i++ {
		add(token, ev{"check request " + strings.Repeat("x", i), answered.Add(time.Duration(i) * 100 * time.Millisecond), lat})
	}
	probe := answered.Add(2500 * time.Millisecond)
	add(token, ev{"expired token at the protected resource", probe, lat})
	add(token, ev{"expired token at introspection", probe.Add(100 * time.Millisecond), lat})
	r.Requests = 25
	return r
}

// TestExpiryWaitFromTheTokensAnswer: the wait is from the answer that
// issued the watched token to the first expired-token probe, however much
// else the run does meanwhile; the floor's parts are that token's request
// and the two probes.
func TestExpiryWaitFromTheTokensAnswer(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	rep := pacedReport(t0)
	w, err := rep.expiryWait()
	if err != nil {
		t.Fatal(err)
	}
	if w.wait != 2500*time.Millisecond {
		t.Errorf("wait %s, want 2.5s (from the token's answer to the first probe)", w.wait)
	}
	if !w.issued.started.Equal(t0) || w.probe.label != "expired token at the protected resource" {
		t.Errorf("issued by %+v, probe %+v", w.issued, w.probe)
	}
	exs := rep.exchanges()
	if len(exs) != 25 {
		t.Fatalf("%d exchanges, want 25", len(exs))
	}
	issue, probes, err := w.place(exs, 25, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(issue) != 1 || issue[0] != 0 || len(probes) != 2 || probes[0] != 23 || probes[1] != 24 {
		t.Errorf("issue %v, probes %v; want [0] and [23 24]", issue, probes)
	}
	// Where every new token discards the earlier ones, every request up to
	// the watched token's must precede the wait.
	if issue, _, _ := w.place(exs, 25, true); len(issue) != 1 {
		t.Errorf("discarding: issue %v, want [0] (the token is the first request)", issue)
	}
	if _, _, err := w.place(exs, 26, false); err == nil {
		t.Error("a server that received more requests than report.json accounts for: no error")
	}
	if _, err := (&report{}).expiryWait(); err == nil {
		t.Error("a report without expired-token probes: no error")
	}
}

// measured is a consistent Result of the issue's scenario: 25 requests of
// about 20 ms, 2 s tokens, 500 ms skew.
func measured() *Result {
	r := &Result{Lifetime: 2 * time.Second, Skew: 500 * time.Millisecond, Wall: 2680 * time.Millisecond,
		Wait: 2500 * time.Millisecond, StartToFirst: 15 * time.Millisecond}
	took := make([]time.Duration, 25)
	for i := range took {
		took[i] = 20600 * time.Microsecond
	}
	r.setFloor(took, []int{0}, []int{23, 24})
	return r
}

func TestSetFloor(t *testing.T) {
	r := measured()
	if r.Replay != 25*20600*time.Microsecond || r.Issue != 20600*time.Microsecond || r.Probes != 2*20600*time.Microsecond {
		t.Errorf("replay %s, issue %s, probes %s", r.Replay, r.Issue, r.Probes)
	}
	if want := 2500*time.Millisecond + 3*20600*time.Microsecond; r.Floor != want {
		t.Errorf("floor %s, want %s (issue + lifetime + skew + probes)", r.Floor, want)
	}
	if r.Ratio < 1.04 || r.Ratio > 1.05 {
		t.Errorf("ratio %.3f, want wall/floor = 2680/2561.8", r.Ratio)
	}
	// Requests that outlast the lifetime make the replay the floor.
	r.Lifetime, r.Skew = 100*time.Millisecond, 0
	r.setFloor(make25(40*time.Millisecond), []int{0}, []int{23, 24})
	if r.Floor != r.Replay || r.Floor != time.Second {
		t.Errorf("floor %s, replay %s; want the replay, 1s", r.Floor, r.Replay)
	}
}

func make25(d time.Duration) []time.Duration {
	out := make([]time.Duration, 25)
	for i := range out {
		out[i] = d
	}
	return out
}

// TestConsistent: the bench refuses measures that contradict each other,
// such as the issue's 300 ms wait for a 2 s token, or a floor longer than
// the run it is the floor of.
func TestConsistent(t *testing.T) {
	if err := measured().Consistent(); err != nil {
		t.Fatalf("a consistent measure: %v", err)
	}
	for _, tc := range []struct {
		name   string
		change func(r *Result)
		want   string
	}{
		{"the issue's idle-time wait", func(r *Result) { r.Wait = 300 * time.Millisecond }, "shorter than the 2s lifetime + 500ms skew"},
		{"a wait without the skew", func(r *Result) { r.Wait = 2100 * time.Millisecond }, "shorter than the 2s lifetime + 500ms skew"},
		{"a wait longer than the run", func(r *Result) { r.Wait = 3 * time.Second }, "not shorter than the whole run"},
		{"a floor longer than the run", func(r *Result) { r.Wall = 2540 * time.Millisecond }, "longer than the run's wall time"},
		{"a floor that is neither of its parts", func(r *Result) { r.Floor = r.Replay }, "is neither the replay"},
		{"a floor without the probes", func(r *Result) { r.setFloor(make25(20*time.Millisecond), []int{0}, nil) }, "not all measured"},
		{"parts longer than the whole replay", func(r *Result) { r.Issue = r.Replay }, "longer than all requests replayed"},
		{"no wall time", func(r *Result) { r.Wall = 0 }, "wall time 0ms"},
		{"a first request after the exit", func(r *Result) { r.StartToFirst = 3 * time.Second }, "start-up to first request"},
	} {
		r := measured()
		tc.change(r)
		err := r.Consistent()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.want)
		}
	}
	// The wall clock may be slewed a little against the monotonic one.
	r := measured()
	r.Wait = 2500*time.Millisecond - time.Millisecond
	if err := r.Consistent(); err != nil {
		t.Errorf("a wait 1 ms short of lifetime + skew: %v", err)
	}
}

// TestRepeatsDesigned: a repetition is on purpose when its own label, or
// that of the request it repeats, is one Designed names; any other is not.
func TestRepeatsDesigned(t *testing.T) {
	token := request{method: "POST", uri: "/token", body: []byte("grant_type=client_credentials")}
	got := repeats([]request{token, token, token}, []string{watchedLabel, "client_credentials grant, basic client authentication", "another check's token"})
	if len(got) != 2 {
		t.Fatalf("%d repeats, want 2: %+v", len(got), got)
	}
	for _, rp := range got {
		if rp.Why == "" {
			t.Errorf("%q repeating %q: not on purpose, want the watched token's reason", rp.AgainLabel, rp.FirstLabel)
		}
	}
	got = repeats([]request{token, token}, []string{"client_credentials grant, basic client authentication", "another check's token"})
	if len(got) != 1 || got[0].Why != "" {
		t.Errorf("a repetition no Designed entry names: %+v, want one without a reason", got)
	}
}
