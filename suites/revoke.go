package suites

import (
	"sync"

	"github.com/tokencert/tokencert/grants"
	"github.com/tokencert/tokencert/probes"
	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/suites/wire"
)

// Revocation (RFC 7009), where the target or the issuer's metadata names
// the endpoint: revoked refresh and access tokens stop working, revoking
// a refresh token takes its access tokens along, and an unknown token is
// answered 200.

func init() {
	register(&Kind{Name: "revoke-refresh", Arg: "refused|cascade", Plan: planRevokeRefresh,
		Defaults: map[string]string{"RFC7009-2-RT-REVOCATION": "refused", "RFC7009-2.1-RT-REVOCATION-CASCADE": "cascade"},
		Fix:      "Refuse a revoked refresh token with `invalid_grant`, and revoke the access tokens issued with it (RFC 7009 §2, §2.1).",
		Doc:      "a refresh token revoked with 200 is refused by the refresh grant (`refused`), and the access token issued with it stops working at introspection or the resource (`cascade`)"})
	register(&Kind{Name: "revoke-access", Plan: planRevokeAccess, Requirements: []string{"RFC7009-2-AT-REVOCATION"},
		Fix: "Make a revoked access token stop working at introspection and the resource (RFC 7009 §2).",
		Doc: "an access token revoked with 200 stops working at introspection or the resource"})
	register(&Kind{Name: "revoke-unknown", Plan: planRevokeUnknown, Requirements: []string{"RFC7009-2.2-UNKNOWN-TOKEN-200"},
		Fix: "Answer the revocation of a token the server does not know with 200 (RFC 7009 §2.2): the client cannot do anything about it.",
		Doc: "revoking a token the server never issued is answered 200"})
}

// Revoking is optional for a server (RFC 7009): a target that names no
// revocation endpoint skips these checks without making the run incomplete.
const noRevocation = "the target names no revocation endpoint (RFC 7009 is optional; give revocation, or an issuer whose metadata names it)"

// revoke sends a revocation request (RFC 7009 §2.1).
func (e *Env) revoke(t *T, label, token, hint string) *wire.Exchange {
	ps := []probes.Param{{Name: "token", Value: token}}
	if hint != "" {
		ps = append(ps, probes.Param{Name: "token_type_hint", Value: hint})
	}
	return e.send(t.Ctx, probes.Request{Label: label, Params: ps, Auth: e.DefaultAuth(), URL: e.Target.Revocation})
}

// tokenStillWorks asks introspection, else the protected resource, whether
// an access token still works, and says which answered. Where
// introspection refuses the client itself (it may not introspect, RFC
// 7662 §2.1), the resource is asked instead. It skips t when neither can
// tell.
func (e *Env) tokenStillWorks(t *T, label, token string) (bool, string) {
	var asked []tokenProbe
	if e.Target.Introspection != "" && !e.Target.Public() {
		asked = append(asked, introspectionProbe)
	}
	if e.Target.Resource != "" {
		asked = append(asked, resourceProbe)
	}
	if len(asked) == 0 {
		t.Needf([]string{"introspection", "resource"}, "neither introspection nor a protected resource can tell whether the access token still works (target keys introspection, resource)")
	}
	refused := ""
	for _, p := range asked {
		ex := p.send(e, t.Ctx, label+" at "+p.where, token)
		t.Evidence(ex)
		if refused = p.callerRefused(ex); refused != "" {
			t.Notef("%s; the protected resource is asked instead", refused)
			continue
		}
		accepted, problem := p.verdict(ex)
		if problem != "" {
			t.Errorf("%s: %s", problem, ex.Summary())
		}
		return accepted, p.where
	}
	t.Needf([]string{"resource"}, "%s, and the target names no protected resource to ask whether the token still works (target key resource)", refused)
	return false, ""
}

// revokedRefresh is a fresh refresh token, revoked, and a refresh tried
// with it afterwards; the two refresh-token checks share it.
type revokedRefresh struct {
	once                sync.Once
	src                 fetched
	revocation, refresh *wire.Exchange
	rt                  string
}

func planRevokeRefresh(e *Env, req specs.Requirement) []Check {
	cascade := checkArg(req) == "cascade"
	title := "a revoked refresh token is refused by the refresh grant"
	if cascade {
		title = "revoking a refresh token also revokes the access token issued with it"
	}
	return []Check{{Req: req, Concern: Refresh, Title: title, Run: func(t *T) {
		if t.Env.Target.Revocation == "" {
			t.Skipf("%s", noRevocation)
		}
		if _, u := t.Env.refreshGrant(); u != nil {
			t.Skip(u)
		}
		r := &t.Env.revokedRT
		r.once.Do(func() {
			r.src, r.rt = t.Env.freshRefreshToken(t.Ctx, "token for the revocation probe", "")
			if r.rt != "" {
				r.revocation = t.Env.revoke(t, "revocation of the refresh token", r.rt, "refresh_token")
				r.refresh = t.Env.Refresh(t.Ctx, "refresh with the revoked refresh token", r.rt, "", "", "")
			}
		})
		src := t.use(r.src)
		if r.rt == "" {
			t.Skipf("no refresh token to revoke: %s", src.Summary())
		}
		t.Evidence(r.revocation)
		t.credentialsRefused(r.revocation, t.Env.DefaultAuth())
		if r.revocation.Status() != 200 {
			t.Errorf("the revocation of a valid refresh token was answered %s, not 200 (RFC 7009 §2.2)", r.revocation.Summary())
			return
		}
		if !cascade {
			t.Evidence(r.refresh)
			expectGrantRefused(t, r.refresh, grants.RefreshToken, "the refresh with the revoked refresh token", "invalid_grant")
			return
		}
		if at := src.String(t.Env.Spec.Member("access_token")); at != "" {
			if works, where := t.Env.tokenStillWorks(t, "the access token of the revoked refresh token", at); works {
				t.Errorf("the access token issued with the revoked refresh token still works at %s", where)
			}
		}
	}}}
}

func planRevokeAccess(e *Env, req specs.Requirement) []Check {
	return []Check{{Req: req, Concern: Refresh, Title: "a revoked access token stops working", Run: func(t *T) {
		if t.Env.Target.Revocation == "" {
			t.Skipf("%s", noRevocation)
		}
		src := t.use(t.Env.freshToken(t.Ctx, "token for the access-token revocation probe", obtainOpts{}))
		at := src.String(t.Env.Spec.Member("access_token"))
		if at == "" {
			t.Unexercised("no access token to revoke: %s", src.Summary())
		}
		rev := t.Env.revoke(t, "revocation of the access token", at, "access_token")
		t.Evidence(rev)
		t.credentialsRefused(rev, t.Env.DefaultAuth())
		if rev.Status() != 200 {
			t.Errorf("the revocation of a valid access token was answered %s, not 200 (RFC 7009 §2.2)", rev.Summary())
			return
		}
		if works, where := t.Env.tokenStillWorks(t, "the revoked access token", at); works {
			t.Errorf("the revoked access token still works at %s", where)
		}
	}}}
}

func planRevokeUnknown(e *Env, req specs.Requirement) []Check {
	return []Check{{Req: req, Concern: Refresh, Title: "revoking a token the server never issued is answered 200", Run: func(t *T) {
		if t.Env.Target.Revocation == "" {
			t.Skipf("%s", noRevocation)
		}
		if t.Env.Target.ClientID == "" {
			t.Needf([]string{"client_id"}, "no client (target key client_id)")
		}
		ex := t.Env.revoke(t, "revocation of an unknown token", "tokencert-unknown-"+probes.Random(32), "")
		t.Evidence(ex)
		t.credentialsRefused(ex, t.Env.DefaultAuth())
		if ex.Status() != 200 {
			t.Errorf("an unknown token's revocation was answered %s; RFC 7009 §2.2: 200 (an invalid token is no error)", ex.Summary())
		}
	}}}
}
