package refserver

import (
	"maps"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tokencert/tokencert/grants"
	"github.com/tokencert/tokencert/specs"
)

// The dialect-specific choices of the server, each read from the spec's
// data and bent only by the fault that breaks it. The handlers call these
// instead of reading the spec directly where a documented dialect's fault
// applies.

// tokenMethod is the method the token endpoint serves: the spec's
// (Request.Method), or under FaultDocumentedMethodRefused the RFC 6749 §3.2
// POST (PUT when the spec's method is POST already).
func (s *Server) tokenMethod() string {
	m := s.spec.Request.Method
	if s.has(FaultDocumentedMethodRefused) {
		if m == http.MethodPost {
			return http.MethodPut
		}
		return http.MethodPost
	}
	return m
}

// bodyEncoding is the encoding request bodies are decoded in: the spec's
// (Request.Encoding), or the other one under FaultFormBodyRefused.
func (s *Server) bodyEncoding() string {
	enc := s.spec.Request.Encoding
	if s.has(FaultFormBodyRefused) {
		if enc == "json" {
			return "form"
		}
		return "json"
	}
	return enc
}

// discardsOld reports whether a new access token revokes the earlier ones
// of the same client and resource owner (Response.NewTokenDiscardsOld).
func (s *Server) discardsOld() bool {
	return s.spec.Response.NewTokenDiscardsOld && !s.has(FaultOldTokensKept)
}

// issuesRefresh reports whether a grant's success response carries a
// refresh token: as the spec's statement for the grant says (issued,
// never); else when the spec serves the refresh_token grant (RFC 6749
// §4.1.4, §4.3.3, RFC 8628 §3.5), except client_credentials (§4.4.3).
func (s *Server) issuesRefresh(grant string) bool {
	switch s.spec.RefreshTokenFrom(grant) {
	case specs.RefreshIssued:
		return true
	case specs.RefreshNever:
		return false
	}
	return grant != grants.ClientCredentials.Name && s.spec.Grant(grants.RefreshToken.Name) != nil
}

// refreshOnPassword reports whether a password grant issues a refresh
// token (issuesRefresh), unless FaultNoRefreshOnPassword.
func (s *Server) refreshOnPassword() bool {
	return s.issuesRefresh(grants.Password.Name) && !s.has(FaultNoRefreshOnPassword)
}

// uuidPattern matches a hyphenated UUID (RFC 4122 §3).
var uuidPattern = regexp.MustCompile(`^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$`)

// extraMembers are the Refserver.Extra members of a success body, in name
// order; none under FaultExtraMissing.
func (s *Server) extraMembers() object {
	if s.has(FaultExtraMissing) {
		return nil
	}
	var out object
	for _, name := range slices.Sorted(maps.Keys(s.spec.Refserver.Extra)) {
		v := s.spec.Refserver.Extra[name]
		if str, ok := v.(string); ok && s.has(FaultExtraUUIDBraced) && uuidPattern.MatchString(str) {
			v = "{" + str + "}"
		}
		out = append(out, member{name, v})
	}
	return out
}

// echoValue is the value a Response.Echo member carries for the request
// value v.
func (s *Server) echoValue(v string) string {
	if s.has(FaultEchoMismatch) {
		return strings.ToUpper(v)
	}
	return v
}

// dateMembers are the Response.Dates values for a token issued at now.
func (s *Server) dateMembers(now time.Time) (issued, expires string) {
	d := s.spec.Response.Dates
	end := now.Add(s.lifetime)
	if s.has(FaultDatesMismatch) {
		end = end.Add(24 * time.Hour)
	}
	format := d.Format
	switch {
	case s.has(FaultDatesNotRFC1123):
		format = func(t time.Time) string { return t.UTC().Format(time.RFC1123Z) }
	case s.has(FaultDatesMilliseconds) && d.Layout == "unix":
		format = func(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }
	}
	return format(now), format(end)
}

// successMediaType is the media type of a success body for a request with
// the Accept header accept: the one response.negotiation gives for it,
// else response.media_type; always the latter under FaultAcceptIgnored.
func (s *Server) successMediaType(accept string) string {
	if s.has(FaultAcceptIgnored) {
		return s.spec.ResponseMediaType()
	}
	want, _, _ := mime.ParseMediaType(accept)
	for _, n := range s.spec.Response.Negotiation {
		if (n.Header() == "" && accept == "") || (n.Header() != "" && strings.EqualFold(n.Header(), want)) {
			return n.MediaType
		}
	}
	return s.spec.ResponseMediaType()
}

// outOfRange is an expires_in value (a number or a string of digits) ten
// times over (FaultLifetimeOutOfRange).
func outOfRange(v any) any {
	switch x := v.(type) {
	case int64:
		return x * 10
	case string:
		if n, err := strconv.ParseInt(x, 10, 64); err == nil {
			return strconv.FormatInt(n*10, 10)
		}
	}
	return v
}

// scopeValue is the scope member's value for the granted scope tokens, and
// whether the member is sent at all.
func (s *Server) scopeValue(scope []string) (any, bool) {
	switch {
	case s.has(FaultScopeOmitted):
		return nil, false
	case s.has(FaultScopeArray):
		return scope, true
	case s.has(FaultScopeCommaJoined):
		if s.spec.JoinScope([]string{"a", "b"}) == "a,b" {
			return strings.Join(scope, " "), true
		}
		return strings.Join(scope, ","), true
	}
	return s.spec.JoinScope(scope), true
}

// notNumericExpiresIn is expires_in under FaultExpiresInNotNumeric: a Go
// duration string, neither a number nor digits.
func notNumericExpiresIn(secs int64) string {
	return (time.Duration(secs) * time.Second).String()
}

// errorTitle is the $title of an error: the condition's documented title,
// else the HTTP status text; always the status text under
// FaultErrorTitleUndocumented. Where the template has no $description, the
// title is the error's description (dot: error_description), so
// FaultErrorDescriptionUnicode applies to it.
func (s *Server) errorTitle(cond string, status int) string {
	if s.has(FaultErrorDescriptionUnicode) && !templateHas(s.spec.Errors.Template, "$description") {
		return unicodeDescription
	}
	if ec, ok := s.spec.Condition(cond); ok && ec.Title != "" && !s.has(FaultErrorTitleUndocumented) {
		return ec.Title
	}
	return http.StatusText(status)
}

// templateHas reports whether a placeholder occurs in an error template.
func templateHas(t any, placeholder string) bool {
	switch v := t.(type) {
	case string:
		return strings.Contains(v, placeholder)
	case map[string]any:
		for _, x := range v {
			if templateHas(x, placeholder) {
				return true
			}
		}
	case []any:
		for _, x := range v {
			if templateHas(x, placeholder) {
				return true
			}
		}
	}
	return false
}

// keepsRefreshToken reports whether a refresh returns the presented
// refresh token again instead of rotating it (FaultRefreshNotRotated).
func (s *Server) keepsRefreshToken() bool { return s.has(FaultRefreshNotRotated) }
