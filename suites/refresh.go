package suites

import (
	"slices"
	"strings"

	"github.com/tokencert/tokencert/grants"
	"github.com/tokencert/tokencert/probes"
	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/suites/wire"
)

func init() {
	register(&Kind{Name: "refresh", Plan: planRefresh, Requirements: []string{"RFC6749-6-REFRESH-SUCCESS"},
		Fix: "Redeem a valid refresh token for a new access token (RFC 6749 §6).",
		Doc: "a refresh with a valid refresh token yields a new access token"})
	register(&Kind{Name: "refresh-rotation", Plan: planRotation, Requirements: []string{"RFC9700-4.14.2-OLD-RT-REJECTED"},
		Fix: "Once a refresh token has been rotated out, refuse it with `invalid_grant` (RFC 9700 §4.14.2).",
		Doc: "a rotated-out refresh token stops working"})
	register(&Kind{Name: "refresh-scope", Plan: planRefreshScope, Requirements: []string{"RFC6749-6-NO-SCOPE-ESCALATION"},
		Fix: "Never grant a refresh more scope than the original grant (RFC 6749 §6): refuse it with `invalid_scope`, or narrow it and say so in `scope`.",
		Doc: "a refresh asking for more scope than the original grant is refused or narrowed, never escalated"})
	register(&Kind{Name: "refresh-other-client", Plan: planRefreshOtherClient, Requirements: []string{"RFC6749-10.4-RT-BOUND-TO-CLIENT"},
		Fix: "Bind each refresh token to the client it was issued to: refuse it to another client with `invalid_grant` (RFC 6749 §10.4).",
		Doc: "a refresh token is refused to another client"})
}

// needRefreshToken skips t unless a refresh token can be had; it returns
// the refresh token the shared refresh redeems.
func needRefreshToken(t *T) string {
	if u := t.Env.grantUnmet(grants.RefreshToken); u != nil {
		t.Skip(u)
	}
	if rt := t.Env.Target.RefreshToken; rt != "" {
		t.Notef("the refresh redeems the refresh token the target gives (target key refresh_token), and consumes it: a server that rotates refresh tokens will not take it again")
		return rt
	}
	src := t.use(t.Env.RefreshSource(t.Ctx))
	rt := src.String(t.Env.Spec.Member("refresh_token"))
	if rt == "" {
		t.Skipf("the %s response carried no refresh token to use: %s", src.Label, src.Summary())
	}
	return rt
}

// ownRefreshToken is a new refresh token for a check that consumes it, with
// scope when given: from the grant the refresh source's token came from.
// The target's refresh_token is the shared refresh's; a check that needs
// one of its own needs a grant that issues them.
func ownRefreshToken(t *T, label, scope string) string {
	needRefreshToken(t)
	f, rt := t.Env.freshRefreshToken(t.Ctx, label, scope)
	if f.unmet != nil && t.Env.Target.RefreshToken != "" {
		t.Skip(probes.Lacking("this check needs a refresh token of its own, which only a grant can issue; the one the target gives is redeemed by the refresh check: "+f.unmet.Why, f.unmet.Needs...))
	}
	src := t.use(f)
	if rt == "" {
		t.Skipf("the request for a token yielded no refresh token: %s", src.Summary())
	}
	return rt
}

func planRefresh(e *Env, req specs.Requirement) []Check {
	return []Check{{Req: req, Concern: Refresh, Title: "a refresh token yields a new access token", Run: func(t *T) {
		needRefreshToken(t)
		f, _ := t.Env.SharedRefresh(t.Ctx)
		ex := t.use(f)
		at := t.Env.Spec.Member("access_token")
		if ex.Status() != 200 || ex.String(at) == "" {
			t.Errorf("the refresh did not yield a token: %s", ex.Summary())
			return
		}
		if t.Env.Target.RefreshToken == "" && ex.String(at) == t.Env.RefreshSource(t.Ctx).ex.String(at) {
			t.Errorf("the refresh returned the same access token as before")
		}
	}}}
}

func planRotation(e *Env, req specs.Requirement) []Check {
	return []Check{{Req: req, Concern: Refresh, Title: "after rotation the previous refresh token is rejected with invalid_grant", Run: func(t *T) {
		ex, old := refreshed(t)
		// Whether a spec promises rotation is the refresh-new-token kind's
		// concern; this requirement is about what happens after one.
		if next := ex.String(t.Env.Spec.Member("refresh_token")); next == "" || next == old {
			t.Skipf("the server did not rotate the refresh token (RFC 6749 §6 allows that)")
		}
		replay, _ := t.Env.shared("refresh/replay", func() *wire.Exchange {
			return t.Env.Refresh(t.Ctx, "replay of the rotated refresh token", old, "", "", "")
		})
		t.Evidence(replay)
		// This requirement is about the old token no longer working; how the
		// refusal is shaped (status, challenge) is RFC6749-5.2-INVALID-GRANT-REFRESH's concern.
		switch {
		case !replay.OK():
			t.Errorf("%s", replay.Summary())
		case replay.Status() >= 200 && replay.Status() < 300:
			t.Errorf("the rotated refresh token still works: %s", replay.Summary())
		default:
			ec, _ := t.Env.Spec.Condition(probes.BadRefreshToken.Name)
			if code, err := t.Env.ErrorCode(replay); err == nil && len(ec.Codes) > 0 && !slices.Contains(ec.Codes, code) {
				t.Errorf("the rotated refresh token was refused with %q, want %s", code, strings.Join(ec.Codes, " or "))
			}
			t.Notef("the rotated refresh token was refused with status %d", replay.Status())
		}
	}}}
}

// refreshed returns the shared refresh response and the refresh token it
// redeemed, skipping t when no refresh could be made or it failed.
func refreshed(t *T) (*wire.Exchange, string) {
	needRefreshToken(t)
	f, old := t.Env.SharedRefresh(t.Ctx)
	ex := t.use(f)
	if ex.Status() != 200 {
		t.Unexercised("the refresh itself failed (see RFC6749-6-REFRESH-SUCCESS): %s", ex.Summary())
	}
	return ex, old
}

// scopes returns the scope to start from and a wider one to ask for. The
// narrow scope keeps offline_access where the target asks for it: it asks
// for the refresh token the check redeems (OpenID Connect Core §11).
func (e *Env) scopes() (narrow, wide string) {
	fs := strings.Fields(e.Target.Scope)
	others := slices.DeleteFunc(slices.Clone(fs), func(s string) bool { return s == offlineAccess })
	if len(others) >= 2 {
		narrow := []string{others[0]}
		if len(others) < len(fs) {
			narrow = append(narrow, offlineAccess)
		}
		return e.Spec.JoinScope(narrow), e.Spec.JoinScope(fs)
	}
	return e.Spec.JoinScope(fs), e.Spec.JoinScope(append(fs, "tokencert-probe-"+probes.Random(8)))
}

func planRefreshScope(e *Env, req specs.Requirement) []Check {
	return []Check{{Req: req, Concern: Refresh, Title: "a refresh cannot widen the granted scope", Run: func(t *T) {
		narrow, wide := t.Env.scopes()
		rt := ownRefreshToken(t, "token with scope "+narrow, narrow)
		ex := t.Env.Refresh(t.Ctx, "refresh asking for scope "+wide, rt, wide, "", "")
		t.Evidence(ex)
		if ex.Status() != 200 {
			if code, err := t.Env.ErrorCode(ex); err == nil && code != "invalid_scope" {
				t.Notef("the wider scope was refused with %q; RFC 6749 §5.2 names invalid_scope", code)
			}
			return
		}
		granted := ex.String(t.Env.Spec.Member("scope"))
		if granted == "" {
			// RFC 6749 §5.1 reads an omitted scope as "as requested", but a
			// server may also have meant "unchanged": what was really
			// granted is for introspection to say.
			var refused string
			granted, refused = t.Env.introspectedScope(t, ex.String(t.Env.Spec.Member("access_token")))
			if refused != "" {
				t.Skipf("the refresh asked for %q and was answered 200 without a scope member; %s, so the granted scope cannot be told", wide, refused)
			}
			if granted == "" {
				t.Needf([]string{"introspection"}, "the refresh asked for %q and was answered 200 without a scope member; without introspection (target key introspection) the granted scope cannot be told", wide)
			}
			t.Notef("the response stated no scope; introspection says %q was granted", granted)
		}
		allowed := t.Env.Spec.SplitScope(narrow)
		for _, s := range t.Env.Spec.SplitScope(granted) {
			if !slices.Contains(allowed, s) {
				t.Errorf("the refresh granted scope %q beyond the original %q", s, narrow)
			}
		}
	}}}
}

func planRefreshOtherClient(e *Env, req specs.Requirement) []Check {
	return []Check{{Req: req, Concern: Refresh, Title: "another client cannot redeem the refresh token", Run: func(t *T) {
		if t.Env.Target.OtherClientID == "" {
			t.Needf([]string{"other_client_id", "other_client_secret"}, "no second client (target keys other_client_id, other_client_secret)")
		}
		rt := ownRefreshToken(t, "token for the refresh-binding probe", "")
		other := t.Env.otherClient(grants.RefreshToken.Name)
		ex := t.Env.refreshAs(t.Ctx, "refresh by the other client", rt, "", other)
		t.Evidence(ex)
		if other.unauthenticated() {
			t.Notef("the other client sent its client_id alone (none of the client authentication methods the spec documents takes its secret): a refusal for its authentication does not show that the refresh token is bound to the client it was issued to")
		}
		if ec, ok := t.Env.Spec.Condition(probes.OtherClientRefresh.Name); ok {
			expectError(t, ex, probes.OtherClientRefresh, ec)
			return
		}
		// The spec documents no error for this: any refusal holds the
		// requirement, and the code is a note (RFC 6749 §5.2 allows
		// invalid_grant, and unauthorized_client for a client not
		// registered for the grant).
		expectRefused(t, ex, "the refresh by the other client")
		if code, err := t.Env.ErrorCode(ex); err == nil && ex.Status() >= 400 && code != "invalid_grant" && code != "unauthorized_client" {
			t.Notef("refused with %q; RFC 6749 §5.2 names invalid_grant (or unauthorized_client when the client may not use the grant)", code)
		}
	}}}
}

// introspectedScope asks the introspection endpoint, when there is one, for
// the scope of an access token ("" when it cannot tell), and says so when
// introspection refused the client itself.
func (e *Env) introspectedScope(t *T, token string) (scope, refused string) {
	if e.Target.Introspection == "" || token == "" || e.Target.Public() {
		return "", ""
	}
	ex := introspectionProbe.send(e, t.Ctx, "introspection of the refreshed token", token)
	t.Evidence(ex)
	if why := introspectionProbe.callerRefused(ex); why != "" {
		return "", why
	}
	m, err := ex.Object()
	if err != nil || ex.Status() != 200 {
		return "", ""
	}
	scope, _ = m["scope"].(string)
	return scope, ""
}
