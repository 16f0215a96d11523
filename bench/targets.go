package bench

import (
	"fmt"
	"slices"
	"time"
)

// Target is one of issue 6's performance targets.
type Target struct {
	What  string
	Limit string
	Met   func(r *Result) bool
}

// Targets are issue 6's targets for the default scenario (DefaultConfig).
var Targets = []Target{
	{"wall time / floor", "≤ 1.20", func(r *Result) bool { return r.Ratio > 0 && r.Ratio <= 1.2 }},
	{"total wall time, 2 s token lifetime", "≤ 3.5s", func(r *Result) bool { return r.Wall <= 3500*time.Millisecond }},
	{"peak RSS of the tokencert process", "≤ 50 MiB", func(r *Result) bool { return r.PeakRSS > 0 && r.PeakRSS <= 50<<20 }},
	{"start-up to first request", "< 100ms", func(r *Result) bool { return r.StartToFirst < 100*time.Millisecond }},
	{"requests repeated that a check could share", "0", func(r *Result) bool { return len(r.Unintended()) == 0 }},
	{"the run passes", "exit 0", func(r *Result) bool { return r.Exit == 0 }},
}

// OffsetTargets are issue 19's targets for its scenario (OffsetConfig): a
// server with 5 s tokens whose clock is off is certified with default
// settings in at most 1.2 × (lifetime + 2 s), with a skew estimated from
// its Date headers, not the 60 s that used to be the default.
var OffsetTargets = []Target{
	{"wall time / (lifetime + 2 s)", "≤ 1.20", func(r *Result) bool {
		return r.Wall > 0 && float64(r.Wall) <= 1.2*float64(r.Lifetime+2*time.Second)
	}},
	{"skew estimated from the Date headers", "≤ 2.1s", func(r *Result) bool { return r.SkewSource == "estimated" && r.Skew <= 2100*time.Millisecond }},
	{"the run passes", "exit 0", func(r *Result) bool { return r.Exit == 0 }},
}

// Unintended are the repeats the suite does not send on purpose.
func (r *Result) Unintended() []Repeat {
	var out []Repeat
	for _, rp := range r.Repeats {
		if rp.Why == "" {
			out = append(out, rp)
		}
	}
	return out
}

// Median returns a Result whose every measure is the median of rs (the
// upper median for an even count; the ratio is the median of the runs'
// ratios, each taken against its own floor); counts and exit come from the
// worst run.
func Median(rs []*Result) *Result {
	if len(rs) == 0 {
		return &Result{}
	}
	dur := func(f func(*Result) time.Duration) time.Duration {
		v := make([]time.Duration, len(rs))
		for i, r := range rs {
			v[i] = f(r)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	m := &Result{
		Wall:         dur(func(r *Result) time.Duration { return r.Wall }),
		Wait:         dur(func(r *Result) time.Duration { return r.Wait }),
		Replay:       dur(func(r *Result) time.Duration { return r.Replay }),
		Issue:        dur(func(r *Result) time.Duration { return r.Issue }),
		Probes:       dur(func(r *Result) time.Duration { return r.Probes }),
		Floor:        dur(func(r *Result) time.Duration { return r.Floor }),
		StartToFirst: dur(func(r *Result) time.Duration { return r.StartToFirst }),
		LastToExit:   dur(func(r *Result) time.Duration { return r.LastToExit }),
		PeakRSS:      int64(dur(func(r *Result) time.Duration { return time.Duration(r.PeakRSS) })),
		Verdict:      rs[0].Verdict,
		Skew:         dur(func(r *Result) time.Duration { return r.Skew }),
		Lifetime:     rs[0].Lifetime,
		SkewSource:   rs[0].SkewSource,
	}
	ratios := make([]float64, len(rs))
	for i, r := range rs {
		ratios[i] = r.Ratio
	}
	slices.Sort(ratios)
	m.Ratio = ratios[len(ratios)/2]
	for _, r := range rs {
		m.Requests, m.Received = max(m.Requests, r.Requests), max(m.Received, r.Received)
		if r.Exit != 0 {
			m.Exit, m.Verdict = r.Exit, r.Verdict
		}
		if len(r.Unintended()) > len(m.Unintended()) || len(r.Repeats) > len(m.Repeats) {
			m.Repeats = r.Repeats
		}
	}
	return m
}

// MiB formats a byte count.
func MiB(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
