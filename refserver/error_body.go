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
	if obj, ok := s.spec.Errors.Template.(map[string]any); ok && s.has(FaultErrorMembersDropped) {
		kept := map[string]any{}
		for k, v := range obj {
			if str, ok := v.(string); ok && (strings.Contains(str, "$code") || strings.Contains(str, "$description")) {
				kept[k] = doc.(map[string]any)[k]
			}
		}
		return kept
	}
	return doc
}
