package suites

import "testing"

// A code redeemed without the redirect_uri its authorization request
// carried is refused (RFC 6749 §4.1.3); a client that gets its tokens only
// by codes runs the check as well.
func TestRedirectURIRequired(t *testing.T) {
	t.Parallel()
	expectVerdicts(t, "RFC6749-4.1.3-REDIRECT-URI-REQUIRED", []verdictCase{
		{name: "conformant", spec: "rfc6749", want: map[string]string{"": "pass"}},
		{name: "code-only", spec: "rfc6749", edit: codeOnly, want: map[string]string{"": "pass"}},
		{name: "fault", spec: "rfc6749", faults: []string{"code-redirect-uri-optional"}, edit: codeOnly, want: map[string]string{"": "fail"}},
	})
	// The other redirect_uri is judged apart: the missing one's fault
	// leaves it passing.
	expectVerdicts(t, "RFC6749-4.1.3-REDIRECT-URI-MATCH", []verdictCase{
		{name: "match/fault-missing", spec: "rfc6749", faults: []string{"code-redirect-uri-optional"}, want: map[string]string{"": "pass"}},
	})
}
