package suites

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/suites/wire"
	"github.com/tokencert/tokencert/target"
)

func init() {
	register(&Kind{Name: "expiry-resource", Plan: planExpiry(resourceProbe), Requirements: []string{"RFC6749-7-EXPIRED-REJECTED-AT-RS"},
		Fix: "Refuse an access token at the protected resource once its `expires_in` has passed (RFC 6749 §7): check its expiry on every request, not only its signature.",
		Doc: "a fresh access token is accepted by the protected resource, and refused once `expires_in` (+ skew) has passed"})
	register(&Kind{Name: "expiry-introspection", Plan: planExpiry(introspectionProbe), Requirements: []string{"RFC7662-2.2-EXPIRED-INACTIVE"},
		Fix: "Answer introspection of an expired access token with `active: false` (RFC 7662 §2.2), counting its lifetime from when it was issued.",
		Doc: "introspection reports a fresh token active, and inactive once `expires_in` (+ skew) has passed"})
}

// tokenProbe asks the resource server or the introspection endpoint whether
// a token is accepted.
type tokenProbe struct {
	where string
	key   string // target key that configures it
	url   func(t target.Target) string
	// send presents the token; verdict reads the answer.
	send func(e *Env, ctx context.Context, label, token string) *wire.Exchange
}

var resourceProbe = tokenProbe{
	where: "the protected resource", key: "resource",
	url: func(t target.Target) string { return t.Resource },
	send: func(e *Env, ctx context.Context, label, token string) *wire.Exchange {
		return e.presentToken(ctx, label, token, "")
	},
}

// publicIntrospectionWhy is why a public client does not call
// introspection: the endpoint requires the caller's authentication
// (RFC 7662 §2.1), and a public client has no credentials.
const publicIntrospectionWhy = "the client is public (client_auth: none): it has no credentials to call introspection with (RFC 7662 §2.1)"

var introspectionProbe = tokenProbe{
	where: "introspection", key: "introspection",
	url: func(t target.Target) string { return t.Introspection },
	send: func(e *Env, ctx context.Context, label, token string) *wire.Exchange {
		return e.introspectAs(ctx, label, token, basicAuthorization(e.Target.ClientID, e.Target.ClientSecret))
	},
}

// callerRefused says, when p is introspection and it refused the client
// itself (401 or 403), that the client may not introspect: RFC 7662 §2.1
// leaves to the server which callers it serves, so the refusal is no
// answer about the token. "" otherwise.
func (p tokenProbe) callerRefused(ex *wire.Exchange) string {
	if p.key != "introspection" || !ex.OK() || (ex.Status() != http.StatusUnauthorized && ex.Status() != http.StatusForbidden) {
		return ""
	}
	return fmt.Sprintf("introspection refused the client (status %d): it may not introspect tokens, which RFC 7662 §2.1 leaves to the server", ex.Status())
}

// introspectAs asks introspection about an access token with the
// Authorization header authorization ("": none).
func (e *Env) introspectAs(ctx context.Context, label, token, authorization string) *wire.Exchange {
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Accept": {"application/json"}}
	if authorization != "" {
		h.Set("Authorization", authorization)
	}
	body := url.Values{"token": {token}, "token_type_hint": {"access_token"}}.Encode()
	return e.Client.Do(ctx, wire.Request{Label: label, Method: http.MethodPost, URL: e.Target.Introspection, Header: h, Body: []byte(body),
		Role: "introspection endpoint"})
}

// basicAuthorization is the HTTP Basic Authorization header of a client
// (RFC 6749 §2.3.1: id and secret form-encoded first).
func basicAuthorization(id, secret string) string {
	cred := url.QueryEscape(id) + ":" + url.QueryEscape(secret)
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(cred))
}

// planExpiry plans two checks: right after issue the token is accepted
// (first in the run), and after expires_in + skew it is refused (last, so
// the wait overlaps every other check).
func planExpiry(p tokenProbe) func(e *Env, req specs.Requirement) []Check {
	return func(e *Env, req specs.Requirement) []Check {
		before := Check{Req: req, Concern: Expiry, Variant: "at issue", Phase: PhaseFirst,
			Title: "a fresh access token is accepted by " + p.where,
			Run: func(t *T) {
				token, _, _ := expiryToken(t, p, false)
				ex := p.send(t.Env, t.Ctx, "fresh token at "+p.where, token)
				t.Evidence(ex)
				if why := p.callerRefused(ex); why != "" {
					t.Skipf("%s; whether it reports expired tokens inactive cannot be seen", why)
				}
				accepted, problem := p.verdict(ex)
				if problem != "" {
					t.Errorf("%s: %s", problem, ex.Summary())
				} else if !accepted {
					t.Errorf("%s refused a token issued moments ago: %s", p.where, ex.Summary())
				}
			}}
		after := Check{Req: req, Concern: Expiry, Variant: "after expiry", Phase: PhaseLast,
			Timeout: e.Target.MaxWait.Duration + 2*time.Minute,
			Title:   "an expired access token is refused by " + p.where,
			Run: func(t *T) {
				// Where every new token discards the earlier ones, the
				// shared token is long gone: watch one issued now.
				token, issued, lifetime := expiryToken(t, p, t.Env.Spec.Response.NewTokenDiscardsOld)
				skew := t.Env.waitSkew(t.Env.Target.Endpoint, p.url(t.Env.Target))
				deadline := issued.Add(lifetime + skew.Duration)
				if wait := time.Until(deadline); wait > t.Env.Target.MaxWait.Duration {
					need := (lifetime + skew.Duration + 59*time.Second).Truncate(time.Minute)
					t.Needf([]string{"--max-wait", "max_wait"}, "the token lives %s (+ %s skew), longer than --max-wait %s; run with --max-wait %s (target key max_wait) to check", lifetime, skew.Duration, t.Env.Target.MaxWait.Duration, need)
				}
				t.Notef("judged once expires_in (%s) and a skew of %s had passed since the token's answer: %s", lifetime, skew.Duration, skew.Why)
				if err := waitUntil(t, deadline, fmt.Sprintf("expiry: waiting for the access token to expire (%s, %s)", t.Check.Req.ID, p.where)); err != nil {
					t.Errorf("the wait for expiry was cut short: %v", err)
					return
				}
				ex := p.send(t.Env, t.Ctx, "expired token at "+p.where, token)
				t.Evidence(ex)
				if why := p.callerRefused(ex); why != "" {
					t.Skipf("%s; whether it reports expired tokens inactive cannot be seen", why)
				}
				accepted, problem := p.verdict(ex)
				switch {
				case problem != "":
					t.Errorf("%s: %s", problem, ex.Summary())
				case accepted:
					t.Errorf("%s still accepted the token %s after its expires_in of %s: %s", p.where, skew.Duration, lifetime, ex.Summary())
				case p.key == "resource" && ex.Status() != http.StatusUnauthorized:
					t.Notef("refused with %d; RFC 6750 §3.1 names 401 with error=\"invalid_token\"", ex.Status())
				}
			}}
		return []Check{before, after}
	}
}

// verdict reads a probe answer: accepted, or a problem when it is neither a
// clear yes nor a clear no.
func (p tokenProbe) verdict(ex *wire.Exchange) (bool, string) {
	if !ex.OK() {
		return false, ex.Err
	}
	if p.key == "resource" {
		if ex.Status() >= 200 && ex.Status() < 300 {
			return true, ""
		}
		if ex.Status() >= 400 && ex.Status() < 500 {
			return false, ""
		}
		return false, fmt.Sprintf("status %d is neither acceptance nor refusal", ex.Status())
	}
	if ex.Status() != 200 {
		return false, fmt.Sprintf("introspection answered %d, want 200 (RFC 7662 §2.2)", ex.Status())
	}
	m, err := ex.Object()
	if err != nil {
		return false, err.Error()
	}
	active, ok := m["active"].(bool)
	if !ok {
		return false, fmt.Sprintf("active is %v, not a JSON boolean (RFC 7662 §2.2)", m["active"])
	}
	return active, ""
}

// expiryToken returns the token whose expiry is watched (the expiry checks'
// own token, or a fresh one), when its answer came, and its lifetime.
func expiryToken(t *T, p tokenProbe, fresh bool) (string, time.Time, time.Duration) {
	if p.url(t.Env.Target) == "" {
		t.Needf([]string{p.key}, "no %s to present the token to (target key %s)", strings.TrimPrefix(p.where, "the "), p.key)
	}
	if p.key == "introspection" && t.Env.Target.Public() {
		t.Skipf("%s", publicIntrospectionWhy)
	}
	const label = "token watched until it expires"
	var f fetched
	if fresh {
		f = t.Env.freshToken(t.Ctx, label, obtainOpts{})
	} else {
		// A token of the expiry checks' own, which no other check touches:
		// a server may revoke an access token when its refresh token is
		// redeemed, and a token refused for that reason proves nothing
		// about expiry.
		f = t.Env.sharedFetch("expiry/token", func() fetched { return t.Env.freshToken(t.Ctx, label, obtainOpts{}) })
	}
	ex, issued := t.use(f), f.at
	token := ex.String(t.Env.Spec.Member("access_token"))
	if token == "" {
		t.Unexercised("no access token to watch (see the token request's own checks): %s", ex.Summary())
	}
	lifetime, ok := expiresIn(t.Env, ex)
	if !ok {
		t.Skipf("the response states no lifetime (expires_in) and spec %s documents none", t.Env.Spec.Name)
	}
	// The server issued the token somewhere between sending and the answer;
	// counting from the answer never asks for expiry before it is due.
	if answered := ex.Started.Add(ex.Duration); answered.After(issued) {
		issued = answered
	}
	return token, issued, lifetime
}

// expiresIn reads the lifetime from the response (a number, or a numeric
// string where the spec allows it), else the spec's documented lifetime.
func expiresIn(e *Env, ex *wire.Exchange) (time.Duration, bool) {
	m, err := ex.Object()
	if err == nil {
		switch v := m[e.Spec.Member("expires_in")].(type) {
		case json.Number:
			if f, err := v.Float64(); err == nil && f >= 0 {
				return time.Duration(f * float64(time.Second)), true
			}
		case string:
			if n, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && n >= 0 {
				return time.Duration(n * float64(time.Second)), true
			}
		}
	}
	if l := e.Spec.Expiry.Lifetime.Duration; l > 0 {
		return l, true
	}
	if x := e.Spec.Expiry; x.Ranged() {
		// The token may live as long as the range's end: an expiry check
		// waits that long.
		return x.Max.Duration, true
	}
	return 0, false
}

// shortestLifetime is expiresIn, but the start of a documented range where
// the response states no lifetime: what a token can be relied on to live.
func shortestLifetime(e *Env, ex *wire.Exchange) (time.Duration, bool) {
	if x := e.Spec.Expiry; x.Ranged() && e.Spec.Expiry.Lifetime.Duration == 0 {
		if m, err := ex.Object(); err == nil {
			if _, stated := m[e.Spec.Member("expires_in")]; !stated {
				return x.Min.Duration, true
			}
		}
	}
	return expiresIn(e, ex)
}

// waitUntil sleeps until deadline, telling the console's countdown (about
// once a second) what it waits for and how long is left.
func waitUntil(t *T, deadline time.Time, what string) error {
	const every = time.Second
	for {
		left := time.Until(deadline)
		if t.Env.Countdown != nil {
			t.Env.Countdown(t.Env.Redactor.String(what), max(left, 0))
		}
		if left <= 0 {
			return nil
		}
		step := min(left, every)
		select {
		case <-time.After(step):
		case <-t.Ctx.Done():
			return t.Ctx.Err()
		}
	}
}
