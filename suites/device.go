package suites

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/tokencert/tokencert/authorize"
	"github.com/tokencert/tokencert/grants"
	"github.com/tokencert/tokencert/probes"
	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/suites/wire"
)

// The device authorization grant (RFC 8628): tokencert asks the device
// authorization endpoint for a code, polls the token endpoint at the
// interval it names (five seconds longer after each slow_down), and has
// the target's authorize command, browser or form approve the device at
// verification_uri_complete.

// Device is the concern of the device grant's checks.
const Device = "device"

func init() {
	register(&Kind{Name: "device-authorization", Plan: planDeviceResponse, Requirements: []string{"RFC8628-3.2-DEVICE-RESPONSE"},
		Fix: "Answer a device authorization request with `device_code`, `user_code`, `verification_uri` and `expires_in` (RFC 8628 §3.2).",
		Doc: "the device authorization response carries `device_code`, `user_code`, `verification_uri` and `expires_in`"})
	register(&Kind{Name: "device-pending", Plan: planDevicePending, Requirements: []string{"RFC8628-3.5-PENDING"},
		Fix: "Answer a poll for a device code the user has not approved yet with `authorization_pending` (or `slow_down`), never a token (RFC 8628 §3.5).",
		Doc: "a device code the user has not approved is answered `authorization_pending` (or `slow_down`), never a token"})
	register(&Kind{Name: "device-approved", Plan: planDeviceApproved, Requirements: []string{"RFC8628-3.5-SUCCESS"},
		Fix: "Once the user approves the device, answer the next poll at the interval with a token (RFC 8628 §3.5).",
		Doc: "once the target's authorize command, browser or form approves the device at `verification_uri_complete`, polling at the interval (longer by 5 s after each `slow_down`) yields a token"})
	register(&Kind{Name: "device-denied", Plan: planDeviceDenied, Requirements: []string{"RFC8628-3.5-ACCESS-DENIED"},
		Fix: "Once the user denies the device, answer its polls with `access_denied` and never a token (RFC 8628 §3.5).",
		Doc: "a device denied through the target's authorize hook (target key `authorize.deny`: the deny button's CSS selector for the browser, its id for the form; with a command, any value, and the command runs with `TOKENCERT_FLOW=device-deny`) is never given a token: polling at the interval, past `authorization_pending` and `slow_down`, ends in `access_denied` (`invalid_grant`, or `expired_token` once the code expired, accepted)"})
	register(&Kind{Name: "device-expired", Plan: planDeviceExpired, Requirements: []string{"RFC8628-3.5-EXPIRED-TOKEN"},
		Fix: "Answer a poll for a device code past its `expires_in` with `expired_token` (RFC 8628 §3.5).",
		Doc: "a device code that was never approved is answered `expired_token` once its `expires_in` (+ skew) has passed"})
}

// deviceAuth is a device authorization response (RFC 8628 §3.2).
type deviceAuth struct {
	ex                                     *wire.Exchange
	at                                     time.Time
	code, userCode, verify, verifyComplete string
	expiresIn, interval                    time.Duration
}

// deviceUnmet says why the run cannot use the device grant, or nil. A
// target that neither names the device authorization endpoint nor lists
// the grant does not use the (optional) grant: that is no want.
func (e *Env) deviceUnmet() *probes.Unmet {
	listed := slices.Contains(e.Target.Grants, grants.DeviceCode.Name)
	switch {
	case e.Spec.Grant(grants.DeviceCode.Name) == nil:
		return probes.Excluded(fmt.Sprintf("spec %s documents no device authorization grant", e.Spec.Name))
	case !e.registered(grants.DeviceCode):
		return probes.Excluded("the client is not registered for the device authorization grant (its grants do not list " + grants.DeviceCode.Name + ")")
	case e.Target.DeviceAuthorization == "" && listed:
		return probes.Lacking("the client is registered for the device grant but no device authorization endpoint is named (target key device_authorization, or issuer)", "device_authorization")
	case e.Target.DeviceAuthorization == "":
		return probes.Excluded("the target does not use the device authorization grant (RFC 8628 is optional): it names no device authorization endpoint")
	case e.Target.ClientID == "":
		return probes.Lacking("no client (target key client_id)", "client_id")
	}
	return nil
}

// deviceRequest is what a device authorization request asks for.
type deviceRequest struct {
	label string
	// scope replaces the target's; clientID and auth replace the
	// target's client (a public client besides it).
	scope, clientID, auth string
}

// startDevice sends a device authorization request (RFC 8628 §3.1).
func (e *Env) startDevice(ctx context.Context, r deviceRequest) deviceAuth {
	ps := []probes.Param{}
	scope := r.scope
	if scope == "" {
		scope = e.Spec.JoinScope(e.Spec.SplitScope(e.Target.Scope))
	}
	if scope != "" {
		ps = append(ps, probes.Param{Name: "scope", Value: scope})
	}
	auth := r.auth
	if auth == "" {
		auth = e.authFor(grants.DeviceCode.Name)
	}
	d := deviceAuth{at: time.Now()}
	d.ex = e.send(ctx, probes.Request{Label: r.label, Params: ps, Auth: auth, ClientID: r.clientID, URL: e.Target.DeviceAuthorization})
	d.code, d.userCode = d.ex.String("device_code"), d.ex.String("user_code")
	e.Redactor.Add("device_code", d.code)
	e.Redactor.Add("user_code", d.userCode)
	d.verify, d.verifyComplete = d.ex.String("verification_uri"), d.ex.String("verification_uri_complete")
	d.interval = 5 * time.Second // RFC 8628 §3.2: the default
	if m, err := d.ex.Object(); err == nil {
		if v, ok := seconds(m["expires_in"]); ok {
			d.expiresIn = v
		}
		if v, ok := seconds(m["interval"]); ok && v > 0 {
			d.interval = v
		}
	}
	return d
}

// approvalUnmet says why the run cannot approve a device, or nil.
func (e *Env) approvalUnmet() *probes.Unmet {
	if e.Authorizer == nil || e.Target.Authorize == nil {
		return probes.Lacking("no way to approve the device (target key authorize: a command, browser selectors or form)", "authorize")
	}
	return nil
}

// approve has the target's authorize hook approve d.
func (e *Env) approve(ctx context.Context, d deviceAuth) error {
	if d.verifyComplete == "" {
		return fmt.Errorf("the device authorization response has no verification_uri_complete, and typing the user code in is not automated")
	}
	actx, cancel := context.WithTimeout(ctx, e.authorizeTimeout())
	defer cancel()
	if err := e.Authorizer.Approve(actx, d.verifyComplete); err != nil {
		return fmt.Errorf("the device was not approved: %v", err)
	}
	return nil
}

// approvedDevice is a new device code, approved through the target's
// authorize hook, for the token source.
func (e *Env) approvedDevice(ctx context.Context, label string, o obtainOpts) (deviceAuth, error) {
	d := e.startDevice(ctx, deviceRequest{label: label + ": device authorization", scope: o.scope, clientID: o.clientID, auth: o.auth})
	if d.ex.Status() != 200 || d.code == "" {
		return d, fmt.Errorf("the device authorization request yielded no device code: %s", d.ex.Summary())
	}
	if err := e.approve(ctx, d); err != nil {
		return d, err
	}
	e.pending.Store(d.code, d)
	return d, nil
}

// seconds reads a JSON number of seconds.
func seconds(v any) (time.Duration, bool) {
	var f float64
	switch n := v.(type) {
	case float64:
		f = n
	case json.Number:
		x, err := n.Float64()
		if err != nil {
			return 0, false
		}
		f = x
	default:
		return 0, false
	}
	return time.Duration(f * float64(time.Second)), true
}

// poll sends one device access token request (RFC 8628 §3.4).
func (e *Env) poll(ctx context.Context, label, code string) *wire.Exchange {
	ps := []probes.Param{{Name: "grant_type", Value: grants.DeviceCode.Name}, {Name: "device_code", Value: code}}
	return e.send(ctx, probes.Request{Label: label, Grant: grants.DeviceCode, Params: ps, Auth: e.authFor(grants.DeviceCode.Name)})
}

// sharedDevice is the device authorization the response, pending and
// approval checks share.
type sharedDevice struct {
	once sync.Once
	d    deviceAuth
}

func (e *Env) mainDevice(t *T) deviceAuth {
	if u := e.deviceUnmet(); u != nil {
		t.Skip(u)
	}
	s := &e.device
	s.once.Do(func() { s.d = e.startDevice(t.Ctx, deviceRequest{label: "device authorization request"}) })
	t.Evidence(s.d.ex)
	return s.d
}

// notRegisteredForDevice skips t when the device authorization request
// was refused as from a client not allowed the grant (unauthorized_client,
// RFC 8628 §3.1 with RFC 6749 §5.2) and the target does not say the client
// is registered for it: the server's metadata offering the grant is no
// registration, and a refusal that follows from the client's registration
// is what RFC 6749 allows.
func (e *Env) notRegisteredForDevice(t *T, d deviceAuth) {
	if slices.Contains(e.Target.Grants, grants.DeviceCode.Name) {
		return
	}
	if code, err := e.ErrorCode(d.ex); err == nil && code == "unauthorized_client" {
		t.Skipf("the device authorization endpoint refused the client with unauthorized_client, and the target does not say the client is registered for the device grant (grants): the server may offer the grant to other clients")
	}
}

// usable skips t unless d is a device authorization to poll with.
func usable(t *T, d deviceAuth) {
	if d.ex.Status() != 200 {
		t.Env.notRegisteredForDevice(t, d)
	}
	if d.ex.Status() != 200 || d.code == "" {
		t.Skipf("the device authorization request yielded no device code (see RFC8628-3.2-DEVICE-RESPONSE): %s", d.ex.Summary())
	}
}

func planDeviceResponse(e *Env, req specs.Requirement) []Check {
	return []Check{{Req: req, Concern: Device, Title: "the device authorization response carries the required members", Run: func(t *T) {
		d := t.Env.mainDevice(t)
		if d.ex.Status() != 200 {
			t.Env.notRegisteredForDevice(t, d)
			t.credentialsRefused(d.ex, t.Env.DefaultAuth())
			t.Errorf("the device authorization request was not answered 200: %s", d.ex.Summary())
			return
		}
		m, err := d.ex.Object()
		if err != nil {
			t.Errorf("the device authorization response is not a JSON object: %v", err)
			return
		}
		for _, name := range []string{"device_code", "user_code", "verification_uri"} {
			if s, ok := m[name].(string); !ok || s == "" {
				t.Errorf("the response has no %s string (RFC 8628 §3.2: REQUIRED)", name)
			}
		}
		if v, ok := seconds(m["expires_in"]); !ok || v <= 0 {
			t.Errorf("the response has no positive expires_in number (RFC 8628 §3.2: REQUIRED)")
		}
	}}}
}

// pendingCodes are the answers to a poll before approval (RFC 8628 §3.5).
var pendingCodes = []string{"authorization_pending", "slow_down"}

func planDevicePending(e *Env, req specs.Requirement) []Check {
	return []Check{{Req: req, Concern: Device, Title: "a device code the user has not approved yields no token", Run: func(t *T) {
		d := t.Env.mainDevice(t)
		usable(t, d)
		ex, _ := t.Env.shared("device/pending", func() *wire.Exchange {
			return t.Env.poll(t.Ctx, "poll before the user approved", d.code)
		})
		t.Evidence(ex)
		expectGrantRefused(t, ex, grants.DeviceCode, "the poll before the user approved", pendingCodes...)
	}}}
}

func planDeviceApproved(e *Env, req specs.Requirement) []Check {
	return []Check{{Req: req, Concern: Device, Title: "once the user approves, polling at the interval yields a token", Timeout: 5 * time.Minute, Run: func(t *T) {
		d := t.Env.mainDevice(t)
		usable(t, d)
		if u := t.Env.approvalUnmet(); u != nil {
			t.Skip(u)
		}
		if d.verifyComplete == "" {
			t.Skipf("the response has no verification_uri_complete, and typing the user code in is not automated: approve by hand is not a run")
		}
		if err := t.Env.approve(t.Ctx, d); err != nil {
			t.Abortf("%v", err)
		}
		t.Notef("approved by %s", t.Env.Authorizer.Name())
		if ex, _ := pollPastPending(t, d, "approval"); ex.Status() != 200 || ex.String(t.Env.Spec.Member("access_token")) == "" {
			t.Errorf("the approved device got no token: %s", ex.Summary())
		}
	}}}
}

func planDeviceDenied(e *Env, req specs.Requirement) []Check {
	return []Check{{Req: req, Concern: Device, Title: "a device the user denied gets access_denied, never a token", Timeout: 5 * time.Minute, Run: func(t *T) {
		if u := t.Env.deviceUnmet(); u != nil {
			t.Skip(u)
		}
		denier, ok := t.Env.Authorizer.(authorize.Denier)
		if !ok || t.Env.Target.Authorize == nil || t.Env.Target.Authorize.Deny == "" {
			t.Needf([]string{"authorize.deny"}, "no way to deny the device (target key authorize.deny)")
		}
		d := t.Env.startDevice(t.Ctx, deviceRequest{label: "device authorization for the denial probe"})
		t.Evidence(d.ex)
		usable(t, d)
		if d.verifyComplete == "" {
			t.Skipf("the response has no verification_uri_complete, and typing the user code in is not automated")
		}
		actx, cancel := context.WithTimeout(t.Ctx, t.Env.authorizeTimeout())
		err := denier.Deny(actx, d.verifyComplete)
		cancel()
		if err != nil {
			t.Abortf("the device was not denied: %v", err)
		}
		t.Notef("denied by %s", t.Env.Authorizer.Name())
		ex, code := pollPastPending(t, d, "denial")
		if code == "authorization_pending" {
			t.Skipf("the denied device code was still pending when it expired: the denial did not reach the token endpoint within expires_in")
		}
		expectGrantRefused(t, ex, grants.DeviceCode, "the poll of the denied device code", "access_denied", "invalid_grant", "expired_token")
	}}}
}

// pollPastPending polls a device code at its interval (5 s longer after
// each slow_down, RFC 8628 §3.5) until the answer is neither slow_down nor,
// while the code lives, authorization_pending; it returns that answer and
// its error code ("" for none).
func pollPastPending(t *T, d deviceAuth, after string) (*wire.Exchange, string) {
	ex, code, err := t.Env.pollLoop(t.Ctx, d, after, func(label string) *wire.Exchange { return t.Env.poll(t.Ctx, label, d.code) }, func(ex *wire.Exchange, note string) {
		t.Evidence(ex)
		if note != "" {
			t.Notef("%s", note)
		}
	})
	if err != nil {
		t.Abortf("%v", err)
	}
	return ex, code
}

// pollLoop is pollPastPending's loop: poll sends one poll; seen gets
// every answer, with a note when the interval grew.
func (e *Env) pollLoop(ctx context.Context, d deviceAuth, after string, poll func(label string) *wire.Exchange, seen func(ex *wire.Exchange, note string)) (*wire.Exchange, string, error) {
	deadline := d.at.Add(d.expiresIn)
	if d.expiresIn <= 0 {
		deadline = time.Now().Add(2 * time.Minute)
	}
	interval := d.interval
	for i := 1; ; i++ {
		if !sleepCtx(ctx, interval) {
			return nil, "", fmt.Errorf("the run ended while polling")
		}
		ex := poll(fmt.Sprintf("poll %d after %s", i, after))
		code, _ := e.ErrorCode(ex)
		note := ""
		if code == "slow_down" {
			interval += 5 * time.Second
			note = fmt.Sprintf("slow_down: polling every %s from now on", interval)
		}
		seen(ex, note)
		switch {
		case code == "slow_down":
		case code == "authorization_pending" && time.Now().Add(interval).Before(deadline):
		default:
			return ex, code, nil
		}
	}
}

// pollPastPendingQuiet sends r, a poll of a device code the token source
// had approved, at the code's interval until the answer is no longer
// pending; the polls before the last join prior.
func (e *Env) pollPastPendingQuiet(ctx context.Context, r probes.Request, prior []*wire.Exchange) (*wire.Exchange, []*wire.Exchange) {
	code := ""
	for _, p := range r.Params {
		if p.Name == "device_code" {
			code = p.Value
		}
	}
	v, ok := e.pending.LoadAndDelete(code)
	if !ok {
		return e.send(ctx, r), prior // an edited poll: sent as it is
	}
	d := v.(deviceAuth)
	var last *wire.Exchange
	poll := func(label string) *wire.Exchange {
		p := r
		p.Label = r.Label + ": " + label
		return e.send(ctx, p)
	}
	ex, _, err := e.pollLoop(ctx, d, "approval", poll, func(ex *wire.Exchange, _ string) {
		if last != nil {
			prior = append(prior, last)
		}
		last = ex
	})
	if err != nil && last != nil {
		return last, prior
	}
	if ex == nil {
		return e.send(ctx, r), prior
	}
	return ex, prior
}

// sleepCtx waits d or until ctx ends; it reports whether d passed.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// planDeviceExpired plans two checks, as the token expiry checks do: a
// fresh device code is pending (with the other device checks), and once
// its expires_in (+ skew) has passed it is refused as expired (last, so
// that the wait overlaps the checks after it).
func planDeviceExpired(e *Env, req specs.Requirement) []Check {
	start := func(t *T) deviceAuth {
		if u := t.Env.deviceUnmet(); u != nil {
			t.Skip(u)
		}
		s := &t.Env.deviceExpiry
		s.once.Do(func() {
			s.d = t.Env.startDevice(t.Ctx, deviceRequest{label: "device authorization for the expiry probe"})
		})
		t.Evidence(s.d.ex)
		usable(t, s.d)
		return s.d
	}
	// The fresh code is asked for among the device checks, not first in
	// the run: against an endpoint that hangs, the token checks are the
	// ones to spend the requests tokencert still sends it.
	before := Check{Req: req, Concern: Device, Variant: "at start",
		Title: "a fresh device code is pending, not expired",
		Run: func(t *T) {
			d := start(t)
			ex := t.Env.poll(t.Ctx, "poll of the fresh device code", d.code)
			t.Evidence(ex)
			expectGrantRefused(t, ex, grants.DeviceCode, "the poll of the fresh device code", pendingCodes...)
		}}
	after := Check{Req: req, Concern: Expiry, Variant: "after expiry", Phase: PhaseLast,
		Timeout: e.Target.MaxWait.Duration + 2*time.Minute,
		Title:   "a device code past its expires_in is refused as expired",
		Run: func(t *T) {
			d := start(t)
			if d.expiresIn <= 0 {
				t.Skipf("the device authorization response states no expires_in")
			}
			skew := t.Env.waitSkew(t.Env.Target.DeviceAuthorization, t.Env.Target.Endpoint)
			deadline := d.at.Add(d.expiresIn + skew.Duration)
			if wait := time.Until(deadline); wait > t.Env.Target.MaxWait.Duration {
				need := (d.expiresIn + skew.Duration + 59*time.Second).Truncate(time.Minute)
				t.Needf([]string{"--max-wait", "max_wait"}, "the device code lives %s (+ %s skew), longer than --max-wait %s; run with --max-wait %s (target key max_wait) to check", d.expiresIn, skew.Duration, t.Env.Target.MaxWait.Duration, need)
			}
			t.Notef("judged once expires_in (%s) and a skew of %s had passed since the device authorization's answer: %s", d.expiresIn, skew.Duration, skew.Why)
			if err := waitUntil(t, deadline, "expiry: waiting for the device code to expire ("+t.Check.Req.ID+")"); err != nil {
				t.Errorf("the wait for expiry was cut short: %v", err)
				return
			}
			ex := t.Env.poll(t.Ctx, "poll of the expired device code", d.code)
			t.Evidence(ex)
			// expired_token is RFC 8628's code; invalid_grant is RFC 6749
			// §5.2's for an expired grant.
			expectGrantRefused(t, ex, grants.DeviceCode, "the poll of the expired device code", "expired_token", "invalid_grant")
		}}
	return []Check{before, after}
}
