package suites

import (
	"slices"

	"github.com/tokencert/tokencert/grants"
	"github.com/tokencert/tokencert/probes"
)

// The conditions that need no valid request (probes.Condition.Standalone)
// of a grant that takes a login or an approval (an unknown authorization
// code, an unknown device code) build their request from what the target
// says of the grant alone.

// RedirectURI is the client's registered redirection URI, or "".
func (p probeEnv) RedirectURI() string {
	if a := p.e.Target.Authorize; a != nil {
		return a.RedirectURI
	}
	return ""
}

// Uses says why a request of g that needs no login or approval shows
// nothing of the target, or nil: the spec documents the grant, the client
// is registered for it, and the target uses it (names its authorization
// or device authorization endpoint, or lists the grant).
func (p probeEnv) Uses(g *grants.Grant) *probes.Unmet {
	e := p.e
	switch g {
	case grants.DeviceCode:
		return e.deviceUnmet()
	case grants.AuthorizationCode:
		switch {
		case e.Spec.Grant(g.Name) == nil || !e.registered(g):
			return e.codeUnmet()
		case e.Target.Authorization == "" && !slices.Contains(e.Target.Grants, g.Name):
			return probes.Excluded("the target does not use the authorization code grant: it names no authorization endpoint")
		case e.Target.ClientID == "":
			return probes.Lacking("no client (target key client_id)", "client_id")
		}
		return nil
	}
	return e.grantUnmet(g)
}

// GrantParams are the parameters of g's request that need nothing obtained
// first.
func (p probeEnv) GrantParams(g *grants.Grant) []probes.Param {
	return probes.With(p.e.grantParams(g, ""), "scope", "")
}

// MadeUp is a random value redacted like a real one of its kind: the
// report need not tell which is which.
func (p probeEnv) MadeUp(name string, n int) string {
	v := probes.Random(n)
	p.e.Redactor.Add(name, v)
	return v
}
