package refserver

import (
	"slices"

	"github.com/tokencert/tokencert/probes"
)

// scopeGrant is the outcome of a scope request.
type scopeGrant struct {
	scope []string
	// silent is set when the scope was narrowed and the response must
	// not say so (FaultScopeNarrowedSilently).
	silent bool
}

// grantScope decides the scope of a token (RFC 6749 §3.3). ceiling is the
// most that may be granted: every scope the client may have
// (Refserver.Scopes) for a new grant, the original grant's scope for a
// refresh (RFC 6749 §6). No scope parameter means all of ceiling. A
// requested value the server does not know, or one beyond ceiling, is
// refused with invalid_scope.
func (s *Server) grantScope(req *tokenRequest, ceiling []string, refresh bool) (scopeGrant, *apiError) {
	raw := req.get("scope")
	if raw == "" {
		return scopeGrant{scope: slices.Clone(ceiling)}, nil
	}
	var requested, unknown, beyond []string
	for _, v := range s.spec.SplitScope(raw) {
		if slices.Contains(requested, v) {
			continue
		}
		requested = append(requested, v)
		switch {
		case s.openScope(v):
			if refresh && !slices.Contains(ceiling, v) {
				beyond = append(beyond, v)
			}
		case !slices.Contains(s.spec.Refserver.Scopes, v):
			unknown = append(unknown, v)
		case !slices.Contains(ceiling, v):
			beyond = append(beyond, v)
		}
	}
	if len(beyond) > 0 && !(refresh && (s.has(FaultRefreshScopeEscalation) || s.has(FaultRefreshScopeEscalationSilent))) {
		return scopeGrant{}, fail(probes.BadScope)
	}
	if len(unknown) > 0 {
		switch {
		case s.has(FaultUnknownScopeGranted):
			return scopeGrant{scope: requested}, nil
		case s.has(FaultScopeNarrowedSilently):
			known := slices.DeleteFunc(requested, func(v string) bool { return slices.Contains(unknown, v) })
			return scopeGrant{scope: known, silent: true}, nil
		case s.has(FaultScopePartlyNarrowedSilently) && len(unknown) < len(requested):
			known := slices.DeleteFunc(requested, func(v string) bool { return slices.Contains(unknown, v) })
			return scopeGrant{scope: known, silent: true}, nil
		}
		return scopeGrant{}, fail(probes.BadScope)
	}
	return scopeGrant{scope: requested}, nil
}

// offlineAccess is the scope value that asks for a refresh token (OpenID
// Connect Core §11).
const offlineAccess = "offline_access"

// openScope reports whether a new grant may have v whatever the scopes the
// spec configures: any value under QuirkScopeFreeForm, offline_access
// under QuirkRefreshNeedsOfflineAccess. A refresh still grants no more
// than the original grant (RFC 6749 §6).
func (s *Server) openScope(v string) bool {
	return s.quirk(QuirkScopeFreeForm) || (s.quirk(QuirkRefreshNeedsOfflineAccess) && v == offlineAccess)
}
