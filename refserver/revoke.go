package refserver

import (
	"net/http"

	"github.com/tokencert/tokencert/probes"
)

// revokePath is the token revocation endpoint (RFC 7009).
const revokePath = "/revoke"

// serveRevoke is the revocation endpoint (RFC 7009 §2): a POST by an
// authenticated (or public) client with the token and an optional
// token_type_hint, which is only a hint (§2.1). A token issued to the
// client is revoked; a refresh token takes the access tokens issued with
// it along (§2.1, SHOULD). Whatever the token, the answer is 200 (§2.2):
// an unknown or foreign token is not an error.
func (s *Server) serveRevoke(w http.ResponseWriter, r *http.Request) {
	req, c, ok := s.clientPost(w, r, s.has(FaultRevokeNoClientAuth))
	if !ok {
		return
	}
	token := req.get("token")
	if token == "" {
		s.writeError(w, r, fail(probes.MissingParam))
		return
	}
	owner := c.id
	if s.has(FaultRevokeAnyClient) {
		owner = ""
	}
	known := s.store.revoke(token, owner, !s.has(FaultRevokeRefreshIgnored), !s.has(FaultRevokeAccessIgnored), !s.has(FaultRevokeNoCascade))
	if !known && s.has(FaultRevokeUnknown400) {
		s.writeError(w, r, fail(probes.BadRefreshToken).withCode("invalid_request"))
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}

// revoke revokes a token issued to client (to any client when client is
// ""): an access token when access, a refresh token when refresh, and with
// it the access tokens issued with it when cascade. It reports whether the
// token is one the store knows for the client.
func (st *store) revoke(token, client string, refresh, access, cascade bool) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if a, ok := st.access[token]; ok && (a.client == client || client == "") {
		if access {
			a.revoked = true
		}
		return true
	}
	if rt, ok := st.refresh[token]; ok && (rt.client == client || client == "") {
		if refresh {
			rt.revoked = true
			if cascade {
				for _, a := range st.access {
					if a.refresh == token {
						a.revoked = true
					}
				}
			}
		}
		return true
	}
	return false
}

// clientPost reads a POST of token-request parameters from an
// authenticated client (the device and revocation endpoints), answering
// the spec's error itself when it is not one; anyCaller (a fault) takes a
// caller whose authentication failed for the main client.
func (s *Server) clientPost(w http.ResponseWriter, r *http.Request, anyCaller bool) (*tokenRequest, client, bool) {
	if r.Method != http.MethodPost {
		e := fail(probes.WrongMethod)
		e.allow = http.MethodPost
		s.writeError(w, r, e)
		return nil, client{}, false
	}
	req, aerr := s.readTokenRequest(r)
	if aerr != nil {
		s.writeError(w, r, aerr)
		return nil, client{}, false
	}
	c, _, aerr := s.authenticateClient(r, req)
	if aerr != nil && anyCaller {
		c, aerr = s.reg.clients[0], nil
	}
	if aerr != nil {
		s.writeError(w, r, aerr)
		return nil, client{}, false
	}
	return req, c, true
}
