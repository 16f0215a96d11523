package suites

import "testing"

// Error bodies that are empty hold no code outside the vocabulary, and no
// code inside it either: the vocabulary check is not exercised (a MUST
// left incomplete), never passed, while the error-body check fails.
func TestErrorVocabNotVacuous(t *testing.T) {
	t.Parallel()
	expectVerdicts(t, "RFC6749-5.2-ERROR-CODE-VOCAB", []verdictCase{
		{name: "vocab/conformant", spec: "rfc6749", want: map[string]string{"": "pass"}},
		{name: "vocab/empty", spec: "rfc6749", faults: []string{"error-body-empty"}, want: map[string]string{"": "incomplete"}},
		{name: "vocab/invented", spec: "rfc6749", faults: []string{"error-code-invented"}, want: map[string]string{"": "fail"}},
	})
	expectVerdicts(t, "RFC6749-5.2-ERROR-MEMBER", []verdictCase{
		{name: "member/empty", spec: "rfc6749", faults: []string{"error-body-empty"}, want: map[string]string{"": "fail"}},
	})
}
