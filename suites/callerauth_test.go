package suites

import (
	"testing"

	"github.com/tokencert/tokencert/target"
)

// The revocation and introspection endpoints refuse callers without client
// authentication or with a wrong secret; the checks skip, without making
// the run incomplete, where the target names no endpoint or the client is
// public; a client that gets its tokens only by codes runs them too.
func TestCallerAuth(t *testing.T) {
	t.Parallel()
	both := func(v string) map[string]string { return map[string]string{"no-auth": v, "wrong-secret": v} }
	all := func(v string) map[string]string {
		return map[string]string{"no-auth": v, "wrong-secret": v, "other-client": v}
	}
	noEndpoints := func(tg *target.Target) { tg.Revocation, tg.Introspection = "", "" }
	public := func(tg *target.Target) {
		tg.ClientID, tg.ClientSecret, tg.ClientAuth = tg.PublicClientID, "", []string{"none"}
	}
	for _, id := range []string{"RFC7009-2.1-REVOCATION-CLIENT-CHECKS", "RFC7662-2.1-CALLER-AUTH"} {
		fault := map[string]string{"RFC7009-2.1-REVOCATION-CLIENT-CHECKS": "revoke-no-client-auth", "RFC7662-2.1-CALLER-AUTH": "introspect-no-client-auth"}[id]
		every := both
		if id == "RFC7009-2.1-REVOCATION-CLIENT-CHECKS" {
			every = all
		}
		expectVerdicts(t, id, []verdictCase{
			{name: id + "/conformant", spec: "rfc6749", want: every("pass")},
			{name: id + "/code-only", spec: "rfc6749", edit: codeOnly, want: both("pass")},
			{name: id + "/fault", spec: "rfc6749", faults: []string{fault}, edit: codeOnly, want: both("fail")},
			{name: id + "/no-endpoint", spec: "rfc6749", edit: noEndpoints, want: every("skip")},
			{name: id + "/public", spec: "rfc6749", edit: public, want: both("skip")},
		})
	}
	// Another client's request revokes none of the client's tokens.
	expectVerdicts(t, "RFC7009-2.1-REVOCATION-CLIENT-CHECKS", []verdictCase{
		{name: "other-client/fault", spec: "rfc6749", faults: []string{"revoke-any-client"}, edit: codeOnly,
			want: map[string]string{"other-client": "fail", "no-auth": "pass", "wrong-secret": "pass"}},
		{name: "other-client/no-second-client", spec: "rfc6749", edit: func(tg *target.Target) { tg.OtherClientID, tg.OtherClientSecret = "", "" },
			want: map[string]string{"other-client": "incomplete"}},
	})
}
