package refserver

import "github.com/tokencert/tokencert/probes"

// grantRefresh serves the refresh_token grant (RFC 6749 §6). The refresh
// token must be known, not revoked and issued to the authenticated client
// (§10.4); the requested scope may not exceed the original grant's, and
// omitting it means the original scope. Unless the spec's rotation is
// "never", the refresh token is rotated: a new one is issued and the
// presented one revoked (RFC 9700 §4.14.2).
func (s *Server) grantRefresh(req *tokenRequest, c client) (*grant, *apiError) {
	token := req.get("refresh_token")
	if token == "" {
		if s.has(FaultMissingParamInvalidGrant) {
			return nil, fail(probes.BadRefreshToken)
		}
		return nil, fail(probes.MissingParam)
	}
	rec, known := s.store.refreshToken(token)
	switch {
	case !known && s.has(FaultRefreshUnknownInvalidRequest):
		return nil, fail(probes.BadRefreshToken).withCode("invalid_request")
	case !known, rec.revoked, s.has(FaultRefreshBroken):
		return nil, fail(probes.BadRefreshToken)
	case rec.client != c.id && !s.has(FaultRefreshAnyClient):
		return nil, fail(probes.OtherClientRefresh)
	}
	if err := s.refreshKeyMatches(rec, req); err != nil {
		return nil, err
	}
	sc, err := s.grantScope(req, rec.scope, true)
	if err != nil {
		return nil, err
	}
	if s.has(FaultRevokeOnRefreshNeverExpire) {
		s.store.revokeIssuedWith(token)
	}
	if s.keepsRefreshToken() || (c.public && s.has(FaultPublicRTNotRotated)) {
		return &grant{client: c.id, username: rec.username, scope: sc, keepRefresh: token, refreshScope: rec.scope}, nil
	}
	// A public client's refresh tokens are rotated whatever the dialect:
	// they are not sender-constrained (RFC 9700 §4.14.2).
	rotate := s.spec.Grant("refresh_token").Rotation != "never" || c.public
	// FaultRotationOldValid keeps the old token of confidential clients
	// only: for a public client that would break RFC 9700 §2.2.2 as well.
	if rotate && (!s.has(FaultRotationOldValid) || c.public) && !s.store.consume(token) {
		return nil, fail(probes.BadRefreshToken) // redeemed concurrently
	}
	refreshScope := rec.scope
	if s.has(FaultRefreshTokenNarrowed) && req.get("scope") != "" {
		refreshScope = sc.scope
	}
	return &grant{client: c.id, username: rec.username, scope: sc, refresh: rotate, refreshScope: refreshScope, deadRefresh: s.has(FaultRotatedRefreshDead)}, nil
}
