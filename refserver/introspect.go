package refserver

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// serveIntrospect is the token introspection endpoint (RFC 7662): a POST
// of form parameter token by a client authenticated with HTTP Basic (§2.1;
// otherwise 401). A known, unrevoked, unexpired token is
// {"active":true,...} with the members of §2.2; anything else, including
// an expired token, is {"active":false}.
func (s *Server) serveIntrospect(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeJSON(w, http.StatusMethodNotAllowed, "application/json", object{{"error", "invalid_request"}})
		return
	}
	caller, ok := s.basicClient(r)
	if !ok && s.has(FaultIntrospectNoClientAuth) {
		caller, ok = s.reg.clients[0], true
	}
	if !ok {
		w.Header().Set("WWW-Authenticate", basicChallenge)
		writeJSON(w, http.StatusUnauthorized, "application/json", object{{"error", "invalid_client"}})
		return
	}
	if s.quirk(QuirkIntrospectionForbidden) && caller.id != s.creds.OtherClientID {
		// RFC 7662 §2.1 leaves to the server which callers may introspect.
		writeJSON(w, http.StatusForbidden, "application/json",
			object{{"error", "unauthorized_client"}, {"error_description", "this client may not introspect tokens"}})
		return
	}
	body, err := io.ReadAll(r.Body)
	var form url.Values
	if err == nil {
		form, err = url.ParseQuery(string(body))
	}
	if err != nil || len(form["token"]) != 1 || form.Get("token") == "" {
		writeJSON(w, http.StatusBadRequest, "application/json",
			object{{"error", "invalid_request"}, {"error_description", "exactly one token parameter is required"}})
		return
	}
	token := form.Get("token")
	if _, access := s.store.accessToken(token); !access && s.has(FaultIntrospectUnknownActive) {
		if _, refresh := s.store.refreshToken(token); !refresh {
			writeJSON(w, http.StatusOK, "application/json", object{{"active", true}, {"client_id", caller.id}})
			return
		}
	}
	writeJSON(w, http.StatusOK, "application/json", s.introspect(token, s.now()))
}

// introspect describes a token as RFC 7662 §2.2 does.
func (s *Server) introspect(token string, now time.Time) object {
	if a, ok := s.store.accessToken(token); ok && !a.revoked && (!s.dead(a, now) || s.has(FaultExpiredActiveIntrospection)) {
		tokenType := s.spec.Response.TokenType
		if tokenType == "" {
			tokenType = "Bearer"
		}
		o := object{{"active", true}, {"client_id", a.client}}
		if len(a.scope) > 0 {
			o = append(o, member{"scope", strings.Join(a.scope, " ")})
		}
		if a.username != "" {
			o = append(o, member{"username", a.username})
		}
		// exp rounds up: the token is valid until, not including, expires.
		exp := a.expires.Unix()
		if a.expires.Nanosecond() > 0 {
			exp++
		}
		if cnf := s.confirmation(a); cnf != nil {
			o = append(o, member{"cnf", cnf}) // RFC 9449 §6.2, RFC 8705 §3.2
		}
		return append(o, member{"exp", exp}, member{"iat", a.issued.Unix()}, member{"token_type", tokenType})
	}
	if rt, ok := s.store.refreshToken(token); ok && !rt.revoked {
		o := object{{"active", true}, {"client_id", rt.client}}
		if len(rt.scope) > 0 {
			o = append(o, member{"scope", strings.Join(rt.scope, " ")})
		}
		if rt.username != "" {
			o = append(o, member{"username", rt.username})
		}
		return append(o, member{"iat", rt.issued.Unix()})
	}
	return object{{"active", false}}
}
