package refserver

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/tokencert/tokencert/probes"
	"github.com/tokencert/tokencert/specs"
)

// Failure conditions of the reference server's own that no spec documents
// and no probe induces; they take the RFC 6749 §5.2 answers below.
var (
	// publicNotAllowed: a public client asked for a grant reserved for
	// confidential clients (client_credentials, RFC 6749 §4.4).
	publicNotAllowed = &probes.Condition{Name: "public_client_grant", Answer: specs.ErrorCase{Codes: []string{"unauthorized_client"}, Statuses: []int{http.StatusBadRequest}},
		Description: "a public client may not use this grant"}
	// bodyTooLarge: the body exceeds maxBody.
	bodyTooLarge = &probes.Condition{Name: "body_too_large", Answer: specs.ErrorCase{Codes: []string{"invalid_request"}, Statuses: []int{http.StatusRequestEntityTooLarge}},
		Description: "the request body is too large"}
)

// unicodeDescription is what FaultErrorDescriptionUnicode sends: non-ASCII
// and a double quote, both outside NQSCHAR.
const unicodeDescription = `la requête est refusée — "see the documentation"`

// apiError is a token-endpoint error: a failure condition, sent as the
// spec's error template.
type apiError struct {
	cond        *probes.Condition
	description string
	// code replaces the condition's code (faults only).
	code string
	// allow is the Allow header of a 405.
	allow string
	// status replaces the status the spec promises (quirks only).
	status int
	// noChallenge: a 401 carries no WWW-Authenticate challenge (quirks
	// only).
	noChallenge bool
}

// fail returns the error for a failure condition.
func fail(cond *probes.Condition) *apiError {
	return &apiError{cond: cond, description: cond.Description}
}

// withDescription returns a copy of e with another description.
func (e *apiError) withDescription(d string) *apiError {
	c := *e
	c.description = d
	return &c
}

// withCode returns a copy of e sending code instead of the condition's.
func (e *apiError) withCode(code string) *apiError {
	c := *e
	c.code = code
	return &c
}

// resolve returns the code and status the spec promises for e's condition:
// the first entries of Errors.Conditions[cond], else the condition's
// RFC 6749 answer.
func (s *Server) resolve(e *apiError) (string, int) {
	def := e.cond.Answer
	ec, ok := s.spec.Condition(e.cond.Name)
	if !ok {
		ec = def
		if st := s.spec.Errors.Statuses; len(st) > 0 {
			ec.Statuses = st
		}
	}
	code, status := first(def.Codes, "invalid_request"), firstInt(def.Statuses, http.StatusBadRequest)
	if len(ec.Codes) > 0 {
		code = ec.Codes[0]
	}
	if len(ec.Statuses) > 0 {
		status = ec.Statuses[0]
	}
	if e.code != "" {
		code = e.code
	}
	if e.status != 0 {
		status = e.status
	}
	return code, status
}

// writeError sends e as the spec's error template (RFC 6749 §5.2), with
// Cache-Control: no-store, and a Basic challenge on a 401 when the spec
// supports Basic (RFC 6749 §5.2 invalid_client; RFC 9110 §11.6.1).
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, e *apiError) {
	code, status := s.resolve(e)
	if e.cond == probes.MalformedBody && s.has(FaultMalformedBody500) || e.cond == probes.MalformedBasic && s.has(FaultMalformedBasic500) {
		status = http.StatusInternalServerError
	}
	if s.has(FaultHTMLError) && r.Pattern == s.spec.Request.Path {
		writeHTMLError(w, status)
		return
	}
	desc := nqschar(e.description)
	if s.has(FaultErrorDescriptionUnicode) {
		desc = unicodeDescription
	}
	title := s.errorTitle(e.cond.Name, status)
	body, err := json.Marshal(s.errorBody(code, desc, title, r.URL.Path, status))
	if err != nil {
		body = []byte(`{"error":"server_error"}`)
	}
	h := w.Header()
	media := s.spec.Errors.MediaType
	if media == "" {
		media = "application/json"
	}
	if s.has(FaultErrorTextPlain) {
		media = "text/plain; charset=utf-8"
	}
	h.Set("Content-Type", media)
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	if e.allow != "" {
		h.Set("Allow", e.allow)
	}
	if status == http.StatusUnauthorized && s.spec.Supports("basic") && !e.noChallenge &&
		!(e.cond == probes.BadClientBasic && s.has(FaultBasic401NoChallenge)) {
		h.Set("WWW-Authenticate", basicChallenge)
	}
	w.WriteHeader(status)
	if s.has(FaultErrorBodyEmpty) && r.Pattern == s.spec.Request.Path {
		return
	}
	_, _ = w.Write(body)
}

// basicChallenge is the HTTP Basic challenge (RFC 7617 §2).
const basicChallenge = `Basic realm="tokencert"`

// fillTemplate copies the error template with its placeholders replaced:
// a string that is exactly "$status" becomes the JSON number status; other
// placeholders are replaced by rep as strings, inside any string value.
func fillTemplate(t any, status int, rep *strings.Replacer) any {
	switch v := t.(type) {
	case string:
		if v == "$status" {
			return status
		}
		return rep.Replace(v)
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = fillTemplate(x, status, rep)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = fillTemplate(x, status, rep)
		}
		return out
	}
	return t
}

// nqschar replaces every character outside NQSCHAR (RFC 6749 App. A:
// %x20-21 / %x23-5B / %x5D-7E) with '?'.
func nqschar(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '?'
		}
		return r
	}, s)
}

func first(xs []string, def string) string {
	if len(xs) > 0 {
		return xs[0]
	}
	return def
}

func firstInt(xs []int, def int) int {
	if len(xs) > 0 {
		return xs[0]
	}
	return def
}
