package suites

import (
	"strings"
	"time"

	"github.com/tokencert/tokencert/probes"
	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/suites/wire"
)

func init() {
	register(&Kind{Name: "public-refresh-protected", Plan: planPublicRefresh, Requirements: []string{"RFC9700-2.2.2-PUBLIC-CLIENT-RT-PROTECTION"},
		Doc: "a public client (the target's own with `client_auth: [none]`, or `public_client_id`) authenticates by `client_id` alone, and its refresh tokens are rotated (a new one, the old one refused) or sender-constrained (a DPoP token); the public client's refresh token comes from the password grant, else from an authorization code of its own"})
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
			refresh, old := t.Env.SharedRefresh(t.Ctx)
			t.Evidence(refresh)
			judgePublicRefresh(t, refresh, old, func() *wire.Exchange {
				ex, _ := t.Env.shared("refresh/replay", func() *wire.Exchange {
					return t.Env.Refresh(t.Ctx, "replay of the rotated refresh token", old, "", "", "")
				})
				return ex
			})
			return
		}
		public := func(label string, ps []probes.Param) *wire.Exchange {
			return t.Env.send(t.Ctx, probes.Request{Label: label, Params: ps, Auth: "public", ClientID: id})
		}
		var src *wire.Exchange
		if ok, why := t.Env.grantAvailable("password"); ok {
			src = public("password grant for the public client (client_id alone)", t.Env.grantParams("password"))
		} else if okCode, whyCode := t.Env.codeAvailable(); okCode {
			g, err := t.Env.authorizeCodeFor(t.Ctx, "authorization code for the public client", "", id)
			if g.auth != nil {
				t.Evidence(g.auth)
			}
			if err != nil {
				t.Skipf("no authorization code for the public client (a server may not serve it the grant): %v", err)
			}
			ps := probes.With(t.Env.grantParams("authorization_code"), "scope", "")
			ps = append(ps, probes.Param{Name: "code", Value: g.code}, probes.Param{Name: "redirect_uri", Value: g.redirectURI},
				probes.Param{Name: "code_verifier", Value: g.verifier})
			src = public("authorization_code grant for the public client (client_id alone)", ps)
		} else {
			t.Skipf("a refresh token for the public client comes from the password grant (%s) or the authorization code grant (%s)", why, whyCode)
		}
		t.Evidence(src)
		rt := src.String(t.Env.Spec.Member("refresh_token"))
		if src.Status() != 200 || rt == "" {
			t.Skipf("the public client got no refresh token by client_id alone (a server may refuse the password grant to public clients): %s", src.Summary())
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
