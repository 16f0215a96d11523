package suites

import (
	"github.com/tokencert/tokencert/specs"
)

func init() {
	register(&Kind{Name: "refresh-new-token", Plan: planRefreshNewToken,
		Fix: "Issue a new refresh token with every refresh, as the API documents (rotation).",
		Doc: "a refresh returns a new refresh token (rotation `always`)"})
}

// planRefreshNewToken checks that a refresh response carries a new refresh
// token, different from the one presented: rotation as a promise of the
// response (Grant.Rotation "always"), apart from whether the old token is
// refused afterwards (RFC9700-4.14.2-OLD-RT-REJECTED, kind refresh-rotation).
func planRefreshNewToken(e *Env, req specs.Requirement) []Check {
	return []Check{{Req: req, Concern: Refresh, Title: "a refresh response carries a new refresh token", Run: func(t *T) {
		ex, old := refreshed(t)
		member := t.Env.Spec.Member("refresh_token")
		switch next := ex.String(member); next {
		case "":
			t.Errorf("the refresh response carries no %s: %s", member, ex.Summary())
		case old:
			t.Errorf("the refresh response carries the same %s that was presented", member)
		}
	}}}
}
