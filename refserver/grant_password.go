package refserver

import "github.com/tokencert/tokencert/probes"

// grantPassword serves the resource owner password credentials grant
// (RFC 6749 §4.3): username and password are required (§4.3.2); wrong
// ones are invalid_grant (§5.2). The response carries a refresh token when
// the spec serves the refresh_token grant (§4.3.3).
func (s *Server) grantPassword(req *tokenRequest, c client) (*grant, *apiError) {
	username, password := req.get("username"), req.get("password")
	if username == "" || password == "" {
		if s.has(FaultMissingParamInvalidGrant) {
			return nil, fail(probes.BadPassword)
		}
		return nil, fail(probes.MissingParam)
	}
	if !s.reg.resourceOwner(username, password) || s.has(FaultPasswordBroken) {
		if s.has(FaultPasswordInvalidClient) {
			return nil, fail(probes.BadClientBasic)
		}
		return nil, fail(probes.BadPassword)
	}
	sc, err := s.grantScope(req, s.spec.Refserver.Scopes, false)
	if err != nil {
		return nil, err
	}
	return &grant{client: c.id, username: username, scope: sc,
		refresh: s.refreshOnPassword(), refreshScope: sc.scope}, nil
}
