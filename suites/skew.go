package suites

import (
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/tokencert/tokencert/internal/plural"
)

// WholeSecond is the skew every estimate starts from: expires_in (RFC 6749
// §5.1) and JWT times (RFC 7519 §2) count whole seconds, so a server that
// counts a lifetime from the start of the second it issued the token in,
// or compares times in whole seconds, accepts a token up to a second
// longer than expires_in says.
const WholeSecond = time.Second

// DefaultSkew is the skew allowed when no Date header lets tokencert
// compare the clock that issued a token with the one that judges it.
const DefaultSkew = 60 * time.Second

// Sources of a run's skew (Skew.Source).
const (
	SkewEstimated = "estimated" // from the endpoints' Date headers
	SkewDefault   = "default"   // no Date header to estimate from: DefaultSkew
	// SkewEmbedded: the embedded reference server shares this machine's
	// clock and expires tokens to the millisecond.
	SkewEmbedded = "embedded reference server"
)

// Skew is the skew allowed after a token's (or device code's) expires_in
// before an expiry check judges it: how it was chosen, as the check's note
// and the run's report say it.
type Skew struct {
	Duration time.Duration
	// Source is SkewEstimated, SkewDefault, or what set it (Env.SkewSource:
	// "--skew", "target key skew").
	Source string
	// Why says, in a sentence, why this skew is safe (or given).
	Why string
}

// clock bounds the offset of an endpoint's clock from this machine's, as
// its Date headers show it: each response was generated between its
// request leaving and its answer arriving, in the second its Date names
// (RFC 9110 §6.6.1).
type clock struct {
	lo, hi time.Duration
	n      int
	// spread: the samples did not agree on one offset (servers behind one
	// host whose clocks differ), so lo and hi span all of them.
	spread bool
}

// clockOf estimates the clock of the endpoint at host (scheme://host:port)
// from every response the run recorded from it so far; ok is false when
// none carried a Date header.
func (e *Env) clockOf(host string) (c clock, ok bool) {
	var all clock
	for _, s := range e.sent.list() {
		ex := s.ex
		if ex.Response == nil || originOf(s.req.URL) != host {
			continue
		}
		date, err := http.ParseTime(ex.Header().Get("Date"))
		if err != nil {
			continue
		}
		answered := ex.Started.Add(ex.Duration)
		sent := answered.Add(-ex.ServerTime)
		lo, hi := date.Sub(answered), date.Add(time.Second).Sub(sent)
		if c.n == 0 {
			c.lo, c.hi, all.lo, all.hi = lo, hi, lo, hi
		}
		c.lo, c.hi = max(c.lo, lo), min(c.hi, hi)
		all.lo, all.hi = min(all.lo, lo), max(all.hi, hi)
		c.n++
	}
	if c.n == 0 {
		return c, false
	}
	if c.lo > c.hi {
		all.n, all.spread = c.n, true
		return all, true
	}
	return c, true
}

// skewFor is the skew allowed when a token (or code) issued by the
// endpoint at issuer is judged expired by the endpoint at judge (both
// URLs): the given skew when the run names one, else the smallest that is
// still safe: a second for whole-second lifetimes (WholeSecond), and as
// much as the judge's clock may run behind the issuer's, as far as their
// Date headers allow (the issuer's clock as far ahead as its estimate
// allows, the judge's as far behind; nothing when one endpoint whose
// headers agree with one clock judges its own tokens). Without a Date
// header from either it is DefaultSkew.
func (e *Env) skewFor(issuer, judge string) Skew {
	if s := e.Target.Skew; s != nil {
		why := "given by " + e.SkewSource
		if e.SkewSource == SkewEmbedded {
			why = "it shares this machine's clock and expires tokens to the millisecond: 500ms and its latency"
		}
		return Skew{Duration: s.Duration, Source: e.SkewSource, Why: why}
	}
	a, b := originOf(issuer), originOf(judge)
	ci, okI := e.clockOf(a)
	cj, okJ := e.clockOf(b)
	if !okI || !okJ {
		missing := a
		if okI {
			missing = b
		}
		return Skew{Duration: DefaultSkew, Source: SkewDefault,
			Why: fmt.Sprintf("%s sent no Date header (RFC 9110 §6.6.1), so its clock cannot be compared with another: the default %s (target key skew sets another)", missing, DefaultSkew)}
	}
	if b == a {
		// One endpoint judges its own token: when its Date headers agree
		// with one clock, that clock times both the issue and the
		// judgement, and its offset cancels out. Only headers that
		// disagree (servers with clocks of their own behind one host) say
		// the judging clock may run behind the issuing one, by their spread.
		if !ci.spread {
			return Skew{Duration: WholeSecond, Source: SkewEstimated, Why: fmt.Sprintf(
				"%s for whole-second lifetimes; the Date headers of %s agree with one clock, which issues and judges the token (it differs from this machine's by %s)",
				WholeSecond, a, describeOffset(ci))}
		}
		late := (ci.hi - ci.lo).Round(time.Millisecond)
		return Skew{Duration: WholeSecond + late, Source: SkewEstimated, Why: fmt.Sprintf(
			"%s for whole-second lifetimes + %s by which the clocks behind %s may differ, as its Date headers do (%s)", WholeSecond, late, a, describeOffset(ci))}
	}
	late := max(0, ci.hi-cj.lo).Round(time.Millisecond)
	return Skew{Duration: WholeSecond + late, Source: SkewEstimated, Why: fmt.Sprintf(
		"%s for whole-second lifetimes + %s by which the clock of %s (judging) may run behind that of %s (issuing), as their Date headers allow: %s's differs from this machine's by %s, %s's by %s",
		WholeSecond, late, b, a, a, describeOffset(ci), b, describeOffset(cj))}
}

// describeOffset says how a clock may stand against this machine's: the
// interval its Date headers allow.
func describeOffset(c clock) string {
	s := fmt.Sprintf("%s to %s (%s", signed(c.lo), signed(c.hi), plural.N(c.n, "Date header"))
	if c.spread {
		s += " that disagree among themselves"
	}
	return s + ")"
}

// signed is d with its sign, to the millisecond: "+37.021s", "-60ms".
func signed(d time.Duration) string {
	d = d.Round(time.Millisecond)
	if d >= 0 {
		return "+" + d.String()
	}
	return d.String()
}

// skewLog keeps the largest skew the run's expiry checks allowed.
type skewLog struct {
	mu      sync.Mutex
	largest *Skew
}

// waitSkew is the skew an expiry check waits for (skewFor), recorded as
// the run's when it is the largest so far.
func (e *Env) waitSkew(issuer, judge string) Skew {
	s := e.skewFor(issuer, judge)
	e.skews.mu.Lock()
	defer e.skews.mu.Unlock()
	if e.skews.largest == nil || s.Duration > e.skews.largest.Duration {
		e.skews.largest = &s
	}
	return s
}

// SkewUsed is the largest skew the run's expiry checks allowed, and why;
// ok is false when none waited for an expiry.
func (e *Env) SkewUsed() (Skew, bool) {
	e.skews.mu.Lock()
	defer e.skews.mu.Unlock()
	if e.skews.largest == nil {
		return Skew{}, false
	}
	return *e.skews.largest, true
}

// leastSkew is the smallest skew an expiry check could allow, for plans
// made before the clocks can be compared.
func (e *Env) leastSkew() time.Duration {
	if s := e.Target.Skew; s != nil {
		return s.Duration
	}
	return WholeSecond
}
