package suites

import (
	"testing"

	"github.com/tokencert/tokencert/target"
)

// A public client's code requested without a code_challenge is refused
// (OAuth 2.1 §4.1.1); without a public client the check does not apply.
func TestPublicClientPKCE(t *testing.T) {
	t.Parallel()
	const id = "OAUTH21-4.1.1-PUBLIC-CLIENT-PKCE"
	public := func(tg *target.Target) {
		codeOnly(tg)
		tg.ClientID, tg.ClientSecret, tg.ClientAuth = tg.PublicClientID, "", []string{"none"}
	}
	expectVerdicts(t, id, []verdictCase{
		{name: "conformant", spec: "oauth21", want: map[string]string{"public": "pass"}},
		{name: "public-target", spec: "oauth21", edit: public, want: map[string]string{"public": "pass"}},
		{name: "fault", spec: "oauth21", faults: []string{"pkce-optional-public"}, edit: codeOnly, want: map[string]string{"public": "fail"}},
		{name: "fault/public-target", spec: "oauth21", faults: []string{"pkce-optional-public"}, edit: public, want: map[string]string{"public": "fail"}},
		{name: "no-public-client", spec: "oauth21", edit: func(tg *target.Target) { tg.PublicClientID = "" }, want: map[string]string{"public": "skip"}},
	})
	// The confidential client's downgrade check is not what catches it.
	expectVerdicts(t, "RFC9700-2.1.1-PKCE-DOWNGRADE", []verdictCase{
		{name: "downgrade/fault-public", spec: "oauth21", faults: []string{"pkce-optional-public"}, want: map[string]string{"no-challenge": "pass"}},
	})
}
