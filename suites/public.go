package suites

import (
	"context"
	"strings"
	"time"

	"github.com/tokencert/tokencert/grants"
	"github.com/tokencert/tokencert/probes"
	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/suites/wire"
)

func init() {
	register(&Kind{Name: "public-refresh-protected", Plan: planPublicRefresh, Requirements: []string{"RFC9700-2.2.2-PUBLIC-CLIENT-RT-PROTECTION"},
		Fix: "Protect a public client's refresh tokens (RFC 9700 §4.14.2): rotate them on every refresh and refuse the old one, or bind them to a key (DPoP).",
		Doc: "a public client (the target's own with `client_auth: [none]`, or `public_client_id`) authenticates by `client_id` alone, and its refresh tokens are rotated (a new one, the old one refused) or sender-constrained (a DPoP token); the public client's refresh token comes from the first grant a public client may use (password, the authorization code, the device grant) by `client_id` alone"})
}

// publicClient is the public client the checks use: the target's own
// when it is public, else public_client_id.
func (e *Env) publicClient() string {
	if e.Target.Public() {
		return e.Target.ClientID
	}
	return e.Target.PublicClientID
}

func planPublicRefresh(e *Env, req specs.Requirement) []Check {
	timeout := DefaultTimeout
	if e.Target.Authorize != nil {
		timeout = e.authorizeTimeout() + time.Minute
	}
	return []Check{{Req: req, Concern: Refresh, Timeout: timeout, Title: "a public client's refresh tokens are rotated or sender-constrained", Run: func(t *T) {
		id := t.Env.publicClient()
		if id == "" {
			// Not every server has public clients: this is no want.
			t.Skipf("the target names no public client (client_auth none, or public_client_id), so the rule for public clients is not checked")
		}
		if t.Env.Target.Public() && t.Env.Target.RefreshToken != "" {
			// The refresh token the target gives: the shared refresh and
			// the rotation check's replay of it.
			needRefreshToken(t)
			f, old := t.Env.SharedRefresh(t.Ctx)
			refresh := t.use(f)
			judgePublicRefresh(t, refresh, old, func() *wire.Exchange {
				ex, _ := t.Env.shared("refresh/replay", func() *wire.Exchange {
					return t.Env.Refresh(t.Ctx, "replay of the rotated refresh token", old, "", "", "")
				})
				return ex
			})
			return
		}
		public := func(label string, ps []probes.Param) *wire.Exchange {
			return t.Env.send(t.Ctx, probes.Request{Label: label, Grant: grants.RefreshToken, Params: ps, Auth: authPublic, ClientID: id})
		}
		// The public client's refresh token comes from a grant a public
		// client may use, by client_id alone.
		src := t.Env.publicRefreshToken(t.Ctx, id)
		if src.failed != "" {
			t.Skipf("no token for the public client (a server may not serve it the grant): %s", src.failed)
		}
		srcEx := t.use(src)
		rt := srcEx.String(t.Env.Spec.Member("refresh_token"))
		if srcEx.Status() != 200 || rt == "" {
			t.Skipf("the public client got no refresh token by client_id alone (a server may refuse the grant to public clients): %s", srcEx.Summary())
		}
		refresh := public("refresh by the public client", []probes.Param{{Name: "grant_type", Value: "refresh_token"}, {Name: "refresh_token", Value: rt}})
		t.Evidence(refresh)
		judgePublicRefresh(t, refresh, rt, func() *wire.Exchange {
			return public("replay of the public client's rotated refresh token", []probes.Param{{Name: "grant_type", Value: "refresh_token"}, {Name: "refresh_token", Value: rt}})
		})
	}}}
}

// judgePublicRefresh judges a public client's refresh of rt: the tokens
// are DPoP-bound, or the refresh token was replaced and the old one (sent
// again by replay) is refused.
func judgePublicRefresh(t *T, refresh *wire.Exchange, rt string, replay func() *wire.Exchange) {
	if refresh.Status() != 200 {
		t.Skipf("the public client's refresh failed, so whether its refresh tokens are protected cannot be told: %s", refresh.Summary())
	}
	if strings.EqualFold(refresh.String(t.Env.Spec.Member("token_type")), "DPoP") {
		t.Notef("the tokens are DPoP-bound: sender-constrained (RFC 9449)")
		return
	}
	next := refresh.String(t.Env.Spec.Member("refresh_token"))
	if next == "" || next == rt {
		t.Errorf("the public client's refresh returned %s and no sender-constrained token: its refresh tokens are neither rotated nor sender-constrained (RFC 9700 §4.14.2)",
			map[bool]string{true: "no refresh token (the old one stays in use)", false: "the same refresh token"}[next == ""])
		return
	}
	ex := replay()
	t.Evidence(ex)
	if ex.Status() >= 200 && ex.Status() < 300 {
		t.Errorf("the public client's refresh token was replaced, but the old one still works: that is no rotation (RFC 9700 §4.14.2)")
	}
}

// publicRefreshToken is a new token response for the public client id, by
// client_id alone, from the first grant, in the token source's order,
// that a public client may use and that may issue a refresh token.
func (e *Env) publicRefreshToken(ctx context.Context, id string) fetched {
	var why []string
	for _, g := range refreshCandidates() {
		if g.ConfidentialOnly || e.Spec.RefreshTokenFrom(g.Name) == specs.RefreshNever {
			continue
		}
		if u := e.grantUnmet(g); u != nil {
			why = append(why, g.Short()+": "+u.Why)
			continue
		}
		label := g.Short() + " grant for the public client (client_id alone)"
		return e.sendObtained(ctx, e.obtain(ctx, g, label, obtainOpts{auth: authPublic, clientID: id}), label)
	}
	return fetched{unmet: probes.Excluded("no grant a public client may use gives it a refresh token: " + strings.Join(why, "; "))}
}
