package refserver

import (
	"net/http"
	"strings"
)

// Bearer challenges (RFC 6750 §3): without a token the challenge carries no
// error code (§3.1); with an unknown, revoked or expired one, invalid_token.
const (
	bearerChallenge        = `Bearer realm="tokencert"`
	bearerInvalidChallenge = `Bearer realm="tokencert", error="invalid_token"`
)

// serveResource is a protected resource (RFC 6750): GET with
// "Authorization: Bearer <token>" answers 200 {"ok":true} while the access
// token is known, not revoked and not expired, else 401 with a Bearer
// challenge.
func (s *Server) serveResource(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeJSON(w, http.StatusMethodNotAllowed, "application/json", object{{"error", "invalid_request"}})
		return
	}
	token, scheme, ok := s.presentedToken(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", bearerChallenge)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	rec, known := s.store.accessToken(token)
	if !known || rec.revoked || (s.dead(rec, s.now()) && !s.has(FaultExpiredAcceptedAtResource)) {
		w.Header().Set("WWW-Authenticate", bearerInvalidChallenge)
		if s.has(FaultBearerNoError) {
			w.Header().Set("WWW-Authenticate", bearerChallenge)
		}
		writeJSON(w, http.StatusUnauthorized, "application/json",
			object{{"error", "invalid_token"}, {"error_description", "the access token is invalid, revoked or expired"}})
		return
	}
	if why := s.resourceBinding(r, rec, token, scheme); why != "" {
		challenge := bearerInvalidChallenge
		if rec.jkt != "" || scheme == "DPoP" {
			challenge = `DPoP algs="ES256", error="invalid_token"`
		}
		w.Header().Set("WWW-Authenticate", challenge)
		writeJSON(w, http.StatusUnauthorized, "application/json", object{{"error", "invalid_token"}, {"error_description", why}})
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, "application/json", object{{"ok", true}})
}

// bearerToken reads the token of an Authorization header of the Bearer
// scheme, matched case-insensitively (RFC 6750 §2.1, RFC 9110 §11.1).
// ok is false when the request carries no Bearer credentials.
func bearerToken(r *http.Request) (string, bool) {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(token), true
}
