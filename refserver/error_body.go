package refserver

import (
	"net/http"
	"strconv"
	"strings"
)

// errorBody fills the spec's error template (Errors.Template) for one
// error, bent by the error-body faults: $path not the request path, $status
// not the HTTP status, or an array of problems sent as its first problem.
func (s *Server) errorBody(code, desc, title, path string, status int) any {
	if s.has(FaultErrorInstanceWrong) {
		path = "/"
	}
	bodyStatus := status
	if s.has(FaultErrorStatusMismatch) {
		bodyStatus = http.StatusBadRequest
		if status == http.StatusBadRequest {
			bodyStatus = http.StatusUnauthorized
		}
	}
	doc := fillTemplate(s.spec.Errors.Template, bodyStatus, strings.NewReplacer(
		"$code", code, "$description", desc, "$title", title, "$path", path, "$status", strconv.Itoa(bodyStatus)))
	if list, ok := doc.([]any); ok && len(list) > 0 && s.has(FaultErrorObjectNotArray) {
		return list[0]
	}
	return doc
}
