package suites

import (
	"fmt"
	"time"

	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/suites/wire"
)

func init() {
	register(&Kind{Name: "response-time", Plan: planResponseTime,
		Fix: "Answer valid token requests within the documented time.",
		Doc: "valid requests are answered within `request.response_within`"})
	register(&Kind{Name: "expires-in", Plan: successCheck("token responses state the lifetime in expires_in, or the spec documents it", checkExpiresInPresent),
		Fix: "State each access token's lifetime in `expires_in` (RFC 6749 §5.1 RECOMMENDED), within the documented range where there is one, or document it.",
		Doc: "token responses state the lifetime in `expires_in`, or the spec documents it (`expiry.lifetime`, or the range `expiry.min`–`max`); where the spec documents a range, every stated `expires_in` lies within it (a second under `min` allowed: the server counts from issue)"})
}

// planResponseTime ("response-time"): every valid token request is
// answered, to the last body byte, within the time the document promises
// (Request.ResponseWithin). A request that timed out on the client side
// fails only when the client waited at least that long; with a shorter
// --request-timeout the verdict is left open.
func planResponseTime(e *Env, req specs.Requirement) []Check {
	within := e.Spec.Request.ResponseWithin.Duration
	title := fmt.Sprintf("valid token requests are answered within %s", within)
	return []Check{{Req: req, Concern: Transport, Title: title, Run: func(t *T) {
		if within <= 0 {
			t.Skipf("spec %s documents no response time (request.response_within)", t.Env.Spec.Name)
		}
		open := 0
		eachResponse(t, func(ex *wire.Exchange) {
			switch {
			case ex.OK() && ex.ServerTime > within:
				t.Errorf("%s: answered after %s, later than the documented %s", ex.Label, ex.ServerTime.Round(time.Millisecond), within)
			case ex.OK():
				t.Notef("%s: answered in %s", ex.Label, ex.ServerTime.Round(time.Millisecond))
			case ex.ServerTime >= within:
				t.Errorf("%s: no answer within the documented %s (%s)", ex.Label, within, ex.Err)
			case t.Env.Client.Timeout < within:
				open++
				t.Notef("%s: gave up after %s, before the documented %s: %s", ex.Label, ex.ServerTime.Round(time.Millisecond), within, ex.Err)
			}
		})
		if open > 0 && len(t.Problems()) == 0 {
			t.Needf([]string{"--request-timeout", "request_timeout"}, "the request timeout (%s) is shorter than the documented %s; run with --request-timeout %s to judge", t.Env.Client.Timeout, within, within)
		}
	}}}
}

// checkExpiresInPresent: RFC 6749 §5.1 RECOMMENDS expires_in; without it
// the lifetime must be documented some other way (Expiry.Lifetime). Its
// type is RFC6749-5.1-JSON-TYPES' business.
func checkExpiresInPresent(t *T, ex *wire.Exchange) {
	examined(t, ex, func() {
		m, err := ex.Object()
		if err != nil {
			return // the success-body requirement reports a body that is no object
		}
		member := t.Env.Spec.Member("expires_in")
		if v, ok := m[member]; ok {
			if x := t.Env.Spec.Expiry; x.Ranged() {
				stated, ok := statedLifetime(v)
				switch {
				case !ok:
					t.Errorf("%s: %s is %s, so it cannot be held to the documented range %s to %s", ex.Label, member, jsonTypeOf(v), x.Min.Duration, x.Max.Duration)
				case stated < x.Min.Duration-time.Second || stated > x.Max.Duration:
					t.Errorf("%s: %s is %s, outside the range spec %s documents (%s to %s)", ex.Label, member, stated, t.Env.Spec.Name, x.Min.Duration, x.Max.Duration)
				}
			}
			return
		}
		if x := t.Env.Spec.Expiry; x.Ranged() {
			t.Notef("%s: no %s member; spec %s documents a lifetime between %s and %s", ex.Label, member, t.Env.Spec.Name, x.Min.Duration, x.Max.Duration)
			return
		}
		if l := t.Env.Spec.Expiry.Lifetime.Duration; l > 0 {
			t.Notef("%s: no %s member; spec %s documents a lifetime of %s", ex.Label, member, t.Env.Spec.Name, l)
			return
		}
		t.Errorf("%s: no %s member, and spec %s documents no lifetime, so the client cannot know when the token expires", ex.Label, member, t.Env.Spec.Name)
	})
}
