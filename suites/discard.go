package suites

import (
	"fmt"
	"time"

	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/suites/wire"
)

func init() {
	register(&Kind{Name: "discard-old", Plan: planDiscardOld,
		Fix: "Where a new token replaces the client's earlier ones (as the API documents), revoke the earlier token at the resource when the new one is issued.",
		Doc: "token A, then token B: the protected resource refuses A and accepts B (`response.new_token_discards_old`)"})
}

// discardAttempts bounds how often the discard probe is repeated when a
// token expired before it could be presented (an inconclusive round).
const discardAttempts = 3

// planDiscardOld checks Response.NewTokenDiscardsOld at the protected
// resource: token A, then token B, then A is refused and B accepted. A
// refusal of A only counts while A has not yet expired by its own
// expires_in; a round where it has is repeated, then skipped.
func planDiscardOld(e *Env, req specs.Requirement) []Check {
	return []Check{{Req: req, Concern: Expiry, Title: "a new token discards the earlier one: the resource refuses the first and accepts the second", Run: func(t *T) {
		if !t.Env.Spec.Response.NewTokenDiscardsOld {
			t.Skipf("spec %s does not say that a new token discards the earlier ones (response.new_token_discards_old)", t.Env.Spec.Name)
		}
		if t.Env.Target.Resource == "" {
			t.Needf([]string{"resource"}, "no protected resource to present the tokens to (target key resource)")
		}
		for attempt := 1; attempt <= discardAttempts; attempt++ {
			if done := discardRound(t, attempt); done {
				return
			}
		}
		t.Skipf("in %d attempts the first token expired before it could be presented; its lifetime is too short to tell discarding from expiry", discardAttempts)
	}}}
}

// discardRound runs one A/B round; it returns false when the round was
// inconclusive because a token expired before it was presented.
func discardRound(t *T, attempt int) bool {
	a, aIssued, ok := discardToken(t, fmt.Sprintf("token A (round %d)", attempt))
	if !ok {
		return true
	}
	b, bIssued, ok := discardToken(t, fmt.Sprintf("token B (round %d)", attempt))
	if !ok {
		return true
	}
	exA := resourceProbe.send(t.Env, t.Ctx, fmt.Sprintf("earlier token A at the protected resource (round %d)", attempt), a.token)
	exB := resourceProbe.send(t.Env, t.Ctx, fmt.Sprintf("newest token B at the protected resource (round %d)", attempt), b.token)
	t.Evidence(exA, exB)
	acceptedA, problemA := resourceProbe.verdict(exA)
	acceptedB, problemB := resourceProbe.verdict(exB)
	if problemA != "" || problemB != "" {
		for _, p := range []struct {
			problem string
			ex      *wire.Exchange
		}{{problemA, exA}, {problemB, exB}} {
			if p.problem != "" {
				t.Errorf("%s: %s", p.problem, p.ex.Summary())
			}
		}
		return true
	}
	if (!acceptedB && expiredBy(bIssued, b.lifetime, exB)) || (!acceptedA && expiredBy(aIssued, a.lifetime, exA)) {
		return false
	}
	if acceptedA {
		t.Errorf("the protected resource still accepts token A after token B was issued: %s", exA.Summary())
	}
	if !acceptedB {
		t.Errorf("the protected resource refuses the newest token B: %s", exB.Summary())
	}
	return true
}

// discardTok is a token of the discard probe.
type discardTok struct {
	token    string
	lifetime time.Duration
}

// discardToken requests a fresh token (never the shared one: asking for it
// discards the others). ok is false when none was issued (a problem is
// recorded).
func discardToken(t *T, label string) (discardTok, time.Time, bool) {
	f := t.Env.freshToken(t.Ctx, label, obtainOpts{})
	ex, issued := t.use(f), f.at
	tok := ex.String(t.Env.Spec.Member("access_token"))
	if tok == "" {
		t.Errorf("%s: no access token: %s", label, ex.Summary())
		return discardTok{}, issued, false
	}
	lifetime, ok := shortestLifetime(t.Env, ex)
	if !ok {
		lifetime = time.Duration(1<<63 - 1)
	}
	return discardTok{token: tok, lifetime: lifetime}, issued, true
}

// expiredBy reports whether a token issued at issued with the lifetime had
// expired when the probe ex was sent.
func expiredBy(issued time.Time, lifetime time.Duration, ex *wire.Exchange) bool {
	return !ex.Started.Before(issued.Add(lifetime))
}
