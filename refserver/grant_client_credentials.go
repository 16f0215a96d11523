package refserver

import "github.com/tokencert/tokencert/grants"

// grantClientCredentials serves the client_credentials grant (RFC 6749
// §4.4): the authenticated client gets a token on its own behalf, with no
// refresh token (§4.4.3: one SHOULD NOT be included) unless the spec says
// the API issues one.
func (s *Server) grantClientCredentials(req *tokenRequest, c client) (*grant, *apiError) {
	if c.public {
		return nil, fail(publicNotAllowed)
	}
	sc, err := s.grantScope(req, s.spec.Refserver.Scopes, false)
	if err != nil {
		return nil, err
	}
	return &grant{client: c.id, scope: sc, refresh: s.issuesRefresh(grants.ClientCredentials.Name) || s.has(FaultCCRefreshToken), refreshScope: sc.scope}, nil
}
