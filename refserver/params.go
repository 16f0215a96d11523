package refserver

import (
	"net/http"
	"time"
	"unicode/utf8"
)

// fit returns the credentials with each value the spec gives a maximum
// length (Request.MaxLength: client_id, client_secret, username, password)
// made exactly that long, random characters added or cut at the end, so
// that the suite can show values at the limit are accepted.
func (c Credentials) fit(maxLength map[string]int) Credentials {
	for _, p := range []struct {
		v    *string
		name string
	}{
		{&c.ClientID, "client_id"}, {&c.OtherClientID, "client_id"}, {&c.ClientSecret, "client_secret"},
		{&c.OtherClientSecret, "client_secret"}, {&c.Username, "username"}, {&c.Password, "password"},
	} {
		if n := maxLength[p.name]; n > 0 {
			*p.v = exactLength(*p.v, n)
		}
	}
	return c
}

// exactLength cuts s to n characters or pads it with random base64url
// characters to n.
func exactLength(s string, n int) string {
	for utf8.RuneCountInString(s) < n {
		s += randomToken()
	}
	r := []rune(s)
	return string(r[:n])
}

// tooLong reports whether a value exceeds a documented maximum length, in
// characters.
func tooLong(v string, max int) bool { return utf8.RuneCountInString(v) > max }

// truncateLong cuts every value longer than its documented maximum
// (Request.MaxLength) to it, before anything looks at the request
// (FaultLengthUnchecked); the conformant server refuses such values.
func (s *Server) truncateLong(req *tokenRequest) {
	if !s.has(FaultLengthUnchecked) {
		return
	}
	for name, n := range s.spec.Request.MaxLength {
		if v := req.get(name); tooLong(v, n) {
			req.params[s.spec.Param(name)] = string([]rune(v)[:n])
		}
	}
}

// authenticate checks a client's credentials; under
// FaultClientSecretNotChecked a registered client_id is enough.
func (s *Server) authenticate(id, secret string) (client, bool) {
	if s.has(FaultClientSecretNotChecked) {
		return s.reg.client(id)
	}
	return s.reg.authenticate(id, secret)
}

// enforcesRequired reports whether a missing required parameter
// (Request.Required) is refused; FaultAudienceIgnored serves requests
// without the ones whose value the spec configures.
func (s *Server) enforcesRequired(name string) bool {
	return !(s.has(FaultAudienceIgnored) && s.configured(name) != "")
}

// valueChecked reports whether a required parameter's value must be the
// configured one; not under FaultAudienceNotChecked.
func (s *Server) valueChecked() bool { return !s.has(FaultAudienceNotChecked) }

// delayToken holds a successful token response back past the response time
// the spec documents (Request.ResponseWithin) under FaultSlowToken. It
// reports false when the client gave up meanwhile.
func (s *Server) delayToken(r *http.Request) bool {
	within := s.spec.Request.ResponseWithin.Duration
	if !s.has(FaultSlowToken) || within <= 0 {
		return true
	}
	t := time.NewTimer(within + time.Second)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}
