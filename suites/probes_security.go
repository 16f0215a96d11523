package suites

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tokencert/tokencert/probes"
	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/suites/wire"
)

func init() {
	register(&Kind{Name: "lifetime", Plan: planLifetime, Requirements: []string{"TOKENCERT-LIFETIME-AS-STATED"},
		Fix: "Keep an access token valid for its whole stated `expires_in`: do not revoke or expire it early.",
		Doc: "a token of its own, no other check touches, is accepted (protected resource, else introspection) at issue and again shortly before its `expires_in` is up, within the expiry checks' wait"})
	register(&Kind{Name: "introspection-unknown", Plan: planIntrospectionUnknown, Requirements: []string{"TOKENCERT-INTROSPECT-UNKNOWN-INACTIVE"},
		Fix: "Answer introspection of a token the server never issued (garbage, or one character off a real one) with 200 and `active: false` (RFC 7662 §2.2).",
		Doc: "introspection answers a garbage token and an unknown token shaped like a real one (one character changed) with 200 and `active: false`"})
	register(&Kind{Name: "bearer-invalid-token", Plan: planBearerInvalid, Requirements: []string{"RFC6750-3.1-EXPIRED-INVALID-TOKEN"},
		Fix: "At the protected resource, answer an invalid or expired token with 401 and `WWW-Authenticate: Bearer error=\"invalid_token\"` (RFC 6750 §3.1).",
		Doc: "the protected resource answers an invalid access token with 401 and a `WWW-Authenticate: Bearer` challenge carrying `error=\"invalid_token\"`"})
	register(&Kind{Name: "refresh-chain", Plan: planRefreshChain, Requirements: []string{"RFC6749-6-NEW-RT-SAME-SCOPE"},
		Fix: "Let the refresh token returned by a narrowed refresh redeem the grant's whole original scope later (RFC 6749 §6): narrowing one access token does not narrow the grant.",
		Doc: "a refresh narrowed to one scope value returns a refresh token (or keeps the old one, without rotation) that redeems the grant's whole original scope in the next refresh"})
}

// lifetimeProbe is where the lifetime check presents its token: the
// protected resource when there is one, else introspection.
func lifetimeProbe(t *T) tokenProbe {
	for _, p := range []tokenProbe{resourceProbe, introspectionProbe} {
		if p.url(t.Env.Target) != "" {
			return p
		}
	}
	t.Needf([]string{"resource", "introspection"}, "no protected resource or introspection to present a token to (target keys resource, introspection)")
	return tokenProbe{}
}

// lifetimeToken is the token the lifetime check watches: one of its own,
// requested once, that no other check presents, refreshes or replaces.
func lifetimeToken(t *T) (*wire.Exchange, string) {
	ex := t.use(t.Env.sharedFetch("lifetime", func() fetched {
		return t.Env.freshToken(t.Ctx, "token watched for its stated lifetime", obtainOpts{})
	}))
	token := ex.String(t.Env.Spec.Member("access_token"))
	if token == "" {
		t.Unexercised("the token request yielded no access token (see the token request's own checks): %s", ex.Summary())
	}
	return ex, token
}

// lateProbe is the lifetime check's second presentation of its token,
// sent in the background at its time (late in the token's stated
// lifetime), whatever check runs then, so that it costs the run no wait of
// its own and no check order can push it past the lifetime.
type lateProbe struct {
	once     sync.Once
	done     chan struct{}
	why      string // why no late probe was scheduled
	needs    []string
	sent     time.Time
	lifetime time.Duration
	where    string
	ex       *wire.Exchange
}

// scheduleLate schedules (once per run) the late presentation of the
// lifetime check's token.
func (e *Env) scheduleLate(t *T, p tokenProbe, issued *wire.Exchange, token string) *lateProbe {
	l := &e.late
	l.once.Do(func() {
		l.done = make(chan struct{})
		lifetime, ok := shortestLifetime(e, issued)
		switch {
		case !ok || lifetime <= 0:
			l.why = fmt.Sprintf("the response states no lifetime (expires_in) and spec %s documents none", e.Spec.Name)
		case lifetime+e.leastSkew() > e.Target.MaxWait.Duration:
			l.why = fmt.Sprintf("the token lives %s, and the run waits at most --max-wait %s (target key max_wait) for the expiry checks: probing it late would make the run longer", lifetime, e.Target.MaxWait.Duration)
			l.needs = []string{"--max-wait", "max_wait"}
		}
		// The server issued the token after the request left, so it lives
		// at least until sent + lifetime; the probe goes a tenth of the
		// lifetime (and two round trips) before that.
		l.sent, l.lifetime, l.where = issued.Started, lifetime, p.where
		margin := max(lifetime/10, 2*issued.Duration)
		at := l.sent.Add(lifetime - margin)
		if l.why == "" && at.Sub(l.sent) < lifetime/2 {
			l.why = fmt.Sprintf("the token request took %s, too long against the stated lifetime of %s to probe the token late in it", issued.Duration.Round(time.Millisecond), lifetime)
		}
		if l.why != "" {
			close(l.done)
			return
		}
		ctx, cancel := context.WithTimeout(context.WithoutCancel(t.Ctx), lifetime+e.leastSkew()+time.Minute)
		go func() {
			defer cancel()
			defer close(l.done)
			timer := time.NewTimer(time.Until(at))
			defer timer.Stop()
			select {
			case <-timer.C:
				l.ex = p.send(e, ctx, "watched token late in its lifetime, at "+p.where, token)
			case <-ctx.Done():
				l.why = "the run ended before the token could be presented late in its lifetime"
			}
		}()
	})
	return l
}

func planLifetime(e *Env, req specs.Requirement) []Check {
	atIssue := Check{Req: req, Concern: Expiry, Variant: "at issue", Phase: PhaseFirst,
		Title: "a token of its own is accepted when issued",
		Run: func(t *T) {
			p := lifetimeProbe(t)
			issued, token := lifetimeToken(t)
			ex := p.send(t.Env, t.Ctx, "watched token at issue, at "+p.where, token)
			t.Evidence(ex)
			if why := p.callerRefused(ex); why != "" {
				t.Needf([]string{"resource"}, "%s, and the target names no protected resource to present the token to instead (target key resource)", why)
			}
			accepted, problem := p.verdict(ex)
			switch {
			case problem != "":
				t.Errorf("%s: %s", problem, ex.Summary())
			case !accepted:
				t.Errorf("%s refused a token issued moments ago: %s", p.where, ex.Summary())
			default:
				t.Env.scheduleLate(t, p, issued, token)
			}
		}}
	late := Check{Req: req, Concern: Expiry, Variant: "late", Phase: PhaseLast,
		Timeout: e.Target.MaxWait.Duration + 2*time.Minute,
		Title:   "the token is still accepted shortly before its expires_in is up",
		Run: func(t *T) {
			p := lifetimeProbe(t)
			issued, token := lifetimeToken(t)
			l := t.Env.scheduleLate(t, p, issued, token)
			select {
			case <-l.done:
			default:
				t.Consolef("lifetime: waiting for the token to be presented late in its lifetime (%s, %s)", t.Check.Req.ID, p.where)
				select {
				case <-l.done:
				case <-t.Ctx.Done():
					t.Errorf("the wait was cut short: %v", t.Ctx.Err())
					return
				}
			}
			if l.ex == nil {
				t.Skip(&probes.Unmet{Why: l.why, Needs: l.needs})
			}
			ex := l.ex
			t.Evidence(ex)
			if why := p.callerRefused(ex); why != "" {
				t.Needf([]string{"resource"}, "%s, and the target names no protected resource to present the token to instead (target key resource)", why)
			}
			// The probe left after the pacer let it (Duration - ServerTime
			// after Started) and was judged before its answer came.
			left := ex.Started.Add(ex.Duration - ex.ServerTime).Sub(l.sent)
			answered := ex.Started.Add(ex.Duration).Sub(l.sent)
			share := func(d time.Duration) float64 { return 100 * d.Seconds() / l.lifetime.Seconds() }
			accepted, problem := p.verdict(ex)
			switch {
			case problem != "":
				t.Errorf("%s: %s", problem, ex.Summary())
			case accepted:
				t.Notef("%s accepted the token presented %s after it was requested, %.0f%% into its stated lifetime of %s", l.where, left.Round(time.Millisecond), share(left), l.lifetime)
			case answered >= l.lifetime:
				t.Skipf("the late probe was delayed (the run was busy): refused with an answer %s after the token was requested, when its stated lifetime of %s may have been up; nothing to judge", answered.Round(time.Millisecond), l.lifetime)
			default:
				t.Errorf("%s refused the token %s after it was requested, before its stated lifetime of %s was up (%.0f%% of it): %s", l.where, answered.Round(time.Millisecond), l.lifetime, share(answered), ex.Summary())
			}
		}}
	return []Check{atIssue, late}
}

// mutated returns s with its middle character changed to another of the
// same kind (a letter for a letter, a digit for a digit): a token shaped
// like s that no server issued. The middle, not the end, so that a lenient
// base64 decoder cannot read the change away.
func mutated(s string) string {
	if s == "" {
		return ""
	}
	b := []byte(s)
	i := len(b) / 2
	switch c := b[i]; {
	case c >= '0' && c <= '9':
		b[i] = '0' + (c-'0'+5)%10
	case c >= 'a' && c <= 'z':
		b[i] = 'a' + (c-'a'+13)%26
	case c >= 'A' && c <= 'Z':
		b[i] = 'A' + (c-'A'+13)%26
	default:
		b[i] = 'x'
	}
	return string(b)
}

func planIntrospectionUnknown(e *Env, req specs.Requirement) []Check {
	return []Check{{Req: req, Concern: Security, Title: "introspection reports unknown and garbage tokens inactive", Run: func(t *T) {
		if t.Env.Target.Introspection == "" {
			t.Needf([]string{"introspection"}, "no introspection endpoint (target key introspection)")
		}
		if t.Env.Target.Public() {
			t.Skipf("%s", publicIntrospectionWhy)
		}
		tokens := [][2]string{{"a garbage token", "tokencert-unknown-" + probes.Random(32)}}
		if f := t.Env.anyToken(t.Ctx); f.ex != nil {
			if at := f.ex.String(t.Env.Spec.Member("access_token")); at != "" {
				t.use(f)
				tokens = append(tokens, [2]string{"an issued access token with one character changed", mutated(at)})
			}
		}
		for _, tok := range tokens {
			ex := introspectionProbe.send(t.Env, t.Ctx, "introspection of "+tok[0], tok[1])
			t.Evidence(ex)
			if why := introspectionProbe.callerRefused(ex); why != "" {
				t.Skipf("%s; what it says of unknown tokens cannot be seen", why)
			}
			active, problem := introspectionProbe.verdict(ex)
			switch {
			case problem != "":
				t.Errorf("%s: %s: %s", tok[0], problem, ex.Summary())
			case active:
				t.Errorf("%s is reported active (RFC 7662 §2.2: a token that does not exist is active: false): %s", tok[0], ex.Summary())
			}
		}
	}}}
}

// bearerChallengeError reads the Bearer challenge of WWW-Authenticate
// values: whether there is one, and its error parameter.
func bearerChallengeError(values []string) (bool, string) {
	found := false
	for _, v := range values {
		// Challenges and their parameters are comma-separated; a Bearer
		// challenge's parameters follow it until the next scheme.
		in := false
		for _, part := range strings.Split(v, ",") {
			part = strings.TrimSpace(part)
			// A part is a parameter when what stands before its first "="
			// is one token; otherwise it starts a challenge.
			if k, _, ok := strings.Cut(part, "="); !ok || strings.ContainsAny(strings.TrimSpace(k), " \t") {
				name, rest, _ := strings.Cut(part, " ")
				in = strings.EqualFold(name, "Bearer")
				found = found || in
				part = strings.TrimSpace(rest)
			}
			if !in {
				continue
			}
			if k, val, ok := strings.Cut(part, "="); ok && strings.EqualFold(strings.TrimSpace(k), "error") {
				return true, strings.Trim(strings.TrimSpace(val), `"`)
			}
		}
	}
	return found, ""
}

func planBearerInvalid(e *Env, req specs.Requirement) []Check {
	return []Check{{Req: req, Concern: Security, Title: "the protected resource answers an invalid token with 401 and error=\"invalid_token\"", Run: func(t *T) {
		if t.Env.Target.Resource == "" {
			t.Needf([]string{"resource"}, "no protected resource (target key resource)")
		}
		ex := resourceProbe.send(t.Env, t.Ctx, "invalid token at the protected resource", "tokencert-invalid-"+probes.Random(32))
		t.Evidence(ex)
		if !ex.OK() {
			t.Errorf("%s", ex.Summary())
			return
		}
		if ex.Status() >= 200 && ex.Status() < 300 {
			t.Errorf("an invalid token was accepted: %s", ex.Summary())
			return
		}
		if ex.Status() != http.StatusUnauthorized {
			t.Errorf("status %d, want 401 (RFC 6750 §3.1, invalid_token)", ex.Status())
		}
		challenge, code := bearerChallengeError(ex.Header().Values("WWW-Authenticate"))
		switch {
		case !challenge:
			t.Errorf("no WWW-Authenticate Bearer challenge (RFC 6750 §3); got %q", ex.Header().Values("WWW-Authenticate"))
		case code == "":
			t.Errorf("the Bearer challenge has no error attribute; RFC 6750 §3.1 has it say error=\"invalid_token\" for a token that is invalid: %q", ex.Header().Values("WWW-Authenticate"))
		case code != "invalid_token":
			t.Errorf("the Bearer challenge says error=%q, want invalid_token (RFC 6750 §3.1)", code)
		}
		t.Notef("an expired token's refusal is the expiry checks' evidence; this check presents a token that was never issued")
	}}}
}

func planRefreshChain(e *Env, req specs.Requirement) []Check {
	return []Check{{Req: req, Concern: Refresh, Title: "the refresh token of a narrowed refresh redeems the original scope", Run: func(t *T) {
		needRefreshToken(t)
		full := strings.Fields(t.Env.Target.Scope)
		if len(full) < 2 {
			t.Needf([]string{"scope"}, "the target's scope names %d value(s); narrowing needs two (target key scope)", len(full))
		}
		narrow := full[0]
		rt := ownRefreshToken(t, "token for the refresh-chain probe", "")
		first := t.Env.Refresh(t.Ctx, "refresh narrowed to "+narrow, rt, narrow, "", "")
		t.Evidence(first)
		if first.Status() != 200 {
			t.Skipf("the refresh narrowed to %q was refused, so there is no chain to follow (a narrower scope is the client's right, RFC 6749 §6; see RFC6749-6-REFRESH-SUCCESS): %s", narrow, first.Summary())
		}
		next, how := first.String(t.Env.Spec.Member("refresh_token")), "the new refresh token the narrowed refresh returned"
		if next == "" || next == rt {
			next, how = rt, "the same refresh token (the server did not rotate it, as RFC 6749 §6 allows)"
		}
		second := t.Env.Refresh(t.Ctx, "refresh with the next refresh token, asking for the original scope", next, strings.Join(full, " "), "", "")
		t.Evidence(second)
		if second.Status() != 200 {
			t.Errorf("%s did not redeem the grant's original scope %q: %s", how, strings.Join(full, " "), second.Summary())
			return
		}
		granted := second.String(t.Env.Spec.Member("scope"))
		if granted == "" {
			// RFC 6749 §5.1: no scope member means the scope requested.
			granted, _ = t.Env.introspectedScope(t, second.String(t.Env.Spec.Member("access_token")))
			if granted == "" {
				t.Notef("%s redeemed the original scope; the response states no scope, which RFC 6749 §5.1 reads as the scope requested", how)
				return
			}
		}
		var missing []string
		for _, s := range full {
			if !slices.Contains(strings.Fields(granted), s) {
				missing = append(missing, s)
			}
		}
		if len(missing) > 0 {
			t.Errorf("%s yielded scope %q, without %s of the original %q: the grant was narrowed with the access token", how, granted, strings.Join(missing, " "), strings.Join(full, " "))
			return
		}
		t.Notef("%s redeemed the original scope %q", how, granted)
	}}}
}
