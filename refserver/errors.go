package refserver

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/tokencert/tokencert/specs"
)

// Internal failure conditions that no spec documents; they take the RFC 6749
// §5.2 defaults below.
const (
	// condMultipleAuth: the client used more than one authentication
	// method (RFC 6749 §2.3: "MUST NOT use more than one").
	condMultipleAuth = "multiple_client_auth"
	// condTooLarge: the body exceeds maxBody.
	condTooLarge = "body_too_large"
)

// defaultCases are the RFC 6749 §5.2 errors the server sends for a
// condition the spec does not document (or documents without a code).
var defaultCases = map[string]specs.ErrorCase{
	specs.CondBadClientBasic:   {Codes: []string{"invalid_client"}, Statuses: []int{http.StatusUnauthorized}},
	specs.CondBadClientBody:    {Codes: []string{"invalid_client"}, Statuses: []int{http.StatusBadRequest}},
	specs.CondNoClientAuth:     {Codes: []string{"invalid_client"}, Statuses: []int{http.StatusUnauthorized}},
	specs.CondBadPassword:      {Codes: []string{"invalid_grant"}, Statuses: []int{http.StatusBadRequest}},
	specs.CondBadRefreshToken:  {Codes: []string{"invalid_grant"}, Statuses: []int{http.StatusBadRequest}},
	specs.CondUnsupportedGrant: {Codes: []string{"unsupported_grant_type"}, Statuses: []int{http.StatusBadRequest}},
	specs.CondMissingGrantType: {Codes: []string{"invalid_request"}, Statuses: []int{http.StatusBadRequest}},
	specs.CondMissingParam:     {Codes: []string{"invalid_request"}, Statuses: []int{http.StatusBadRequest}},
	specs.CondRepeatedParam:    {Codes: []string{"invalid_request"}, Statuses: []int{http.StatusBadRequest}},
	specs.CondMalformedBody:    {Codes: []string{"invalid_request"}, Statuses: []int{http.StatusBadRequest}},
	specs.CondBadScope:         {Codes: []string{"invalid_scope"}, Statuses: []int{http.StatusBadRequest}},
	specs.CondBadParam:         {Codes: []string{"invalid_request"}, Statuses: []int{http.StatusBadRequest}},
	specs.CondWrongMethod:      {Codes: []string{"invalid_request"}, Statuses: []int{http.StatusMethodNotAllowed}},
	condMultipleAuth:           {Codes: []string{"invalid_request"}, Statuses: []int{http.StatusBadRequest}},
	condTooLarge:               {Codes: []string{"invalid_request"}, Statuses: []int{http.StatusRequestEntityTooLarge}},
}

// descriptions are the error_description texts, NQSCHAR only (RFC 6749
// App. A.8): never a request value, which could carry any character.
var descriptions = map[string]string{
	specs.CondBadClientBasic:   "client authentication failed",
	specs.CondBadClientBody:    "client authentication failed",
	specs.CondNoClientAuth:     "client authentication is required",
	specs.CondBadPassword:      "the resource owner credentials are invalid",
	specs.CondBadRefreshToken:  "the refresh token is invalid, expired, revoked or was issued to another client",
	specs.CondUnsupportedGrant: "the grant type is not supported",
	specs.CondMissingGrantType: "the grant_type parameter is missing",
	specs.CondMissingParam:     "a required parameter is missing",
	specs.CondRepeatedParam:    "a parameter is included more than once",
	specs.CondMalformedBody:    "the request body is malformed",
	specs.CondBadScope:         "the requested scope is invalid, unknown or exceeds the scope granted",
	specs.CondBadParam:         "a parameter value is invalid",
	specs.CondWrongMethod:      "the token endpoint does not accept this method",
	condMultipleAuth:           "more than one client authentication method was used",
	condTooLarge:               "the request body is too large",
}

// unicodeDescription is what FaultErrorDescriptionUnicode sends: non-ASCII
// and a double quote, both outside NQSCHAR.
const unicodeDescription = `la requête est refusée — "see the documentation"`

// apiError is a token-endpoint error: a failure condition of the spec
// (specs.Cond…), sent as the spec's error template.
type apiError struct {
	cond        string
	description string
	// code replaces the condition's code (faults only).
	code string
	// allow is the Allow header of a 405.
	allow string
}

// fail returns the error for a failure condition.
func fail(cond string) *apiError { return &apiError{cond: cond, description: descriptions[cond]} }

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
// the first entries of Errors.Conditions[cond], else the RFC 6749 default.
func (s *Server) resolve(e *apiError) (string, int) {
	def := defaultCases[e.cond]
	ec, ok := s.spec.Condition(e.cond)
	if !ok {
		ec = def
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
	return code, status
}

// writeError sends e as the spec's error template (RFC 6749 §5.2), with
// Cache-Control: no-store, and a Basic challenge on a 401 when the spec
// supports Basic (RFC 6749 §5.2 invalid_client; RFC 9110 §11.6.1).
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, e *apiError) {
	code, status := s.resolve(e)
	if e.cond == specs.CondMalformedBody && s.has(FaultMalformedBody500) {
		status = http.StatusInternalServerError
	}
	if s.has(FaultHTMLError) && r.URL.Path == s.spec.Request.Path {
		writeHTMLError(w, status)
		return
	}
	desc := nqschar(e.description)
	if s.has(FaultErrorDescriptionUnicode) {
		desc = unicodeDescription
	}
	title := s.errorTitle(e.cond, status)
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
	if status == http.StatusUnauthorized && s.spec.Supports("basic") &&
		!(e.cond == specs.CondBadClientBasic && s.has(FaultBasic401NoChallenge)) {
		h.Set("WWW-Authenticate", basicChallenge)
	}
	w.WriteHeader(status)
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
