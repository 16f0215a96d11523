package suites

import (
	"github.com/tokencert/tokencert/grants"
	"github.com/tokencert/tokencert/suites/wire"
)

// expectUnboundRefused checks a sender-constrained access token at the
// protected resource: a fresh one of grant, presented as bound, must be
// accepted (else its refusal unbound shows nothing, and t skips), and
// presented unbound, as how says, must be refused.
func expectUnboundRefused(t *T, grant *grants.Grant, kind string, bound, unbound func(token string) *wire.Exchange, how string) {
	label := kind + " token for the protected resource"
	ex := t.use(t.Env.sendObtained(t.Ctx, t.Env.obtain(t.Ctx, grant, label, obtainOpts{}), label))
	token := ex.String(t.Env.Spec.Member("access_token"))
	if !succeeded(ex) || token == "" {
		t.Unexercised("no token to present: %s", ex.Summary())
	}
	with := bound(token)
	t.Evidence(with)
	if !succeeded(with) {
		t.Skipf("the protected resource does not accept the %s token as bound either, so its refusal unbound shows nothing: %s", kind, with.Summary())
	}
	without := unbound(token)
	t.Evidence(without)
	switch accepted, problem := resourceProbe.verdict(without); {
	case problem != "":
		t.Errorf("%s: %s", problem, without.Summary())
	case accepted:
		t.Errorf("the protected resource accepted a %s access token %s: %s", kind, how, without.Summary())
	}
}
