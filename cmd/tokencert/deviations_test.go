package main

import (
	"strings"
	"testing"

	model "github.com/tokencert/tokencert/result"
)

// TestDeviationChecksCodeOnly: the checks of where real servers deviate
// (issue 18) run for a client registered for the authorization code grant
// alone (with refresh): every token they need comes through the login
// form. Against the conformant server each of their checks passes; with
// a fault, the one check it breaks fails.
func TestDeviationChecksCodeOnly(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		spec, fault string
		ids         []string
		// broken is the requirement the fault breaks.
		broken string
	}{
		{spec: "rfc6749", ids: []string{"RFC6749-4.1.3-REDIRECT-URI-REQUIRED", "RFC7009-2.1-REVOCATION-CLIENT-CHECKS", "RFC7662-2.1-CALLER-AUTH", "RFC6749-5.2-ERROR-CODE-VOCAB"}},
		{spec: "rfc6749", fault: "revoke-no-client-auth", ids: []string{"RFC7009-2.1-REVOCATION-CLIENT-CHECKS"}, broken: "RFC7009-2.1-REVOCATION-CLIENT-CHECKS"},
		{spec: "oauth21", ids: []string{"OAUTH21-4.1.1-PUBLIC-CLIENT-PKCE", "RFC8414-2-GRANT-TYPES-CONSISTENT", "RFC8414-2-PKCE-METHODS-HONEST"}},
		{spec: "oauth21", fault: "metadata-grant-omitted", ids: []string{"RFC8414-2-GRANT-TYPES-CONSISTENT"}, broken: "RFC8414-2-GRANT-TYPES-CONSISTENT"},
	} {
		t.Run(c.spec+"/"+c.fault, func(t *testing.T) {
			t.Parallel()
			args := []string{"run", "--spec", c.spec, "--grants", "authorization_code,refresh_token", "--lifetime", "1s",
				"--label-filter", strings.Join(c.ids, " || ")}
			if c.fault != "" {
				args = append(args, "--fault", c.fault)
			}
			r := tokencert(t, nil, args...)
			run := r.report(t)
			for _, id := range c.ids {
				cs := checksOf(run, id)
				if len(cs) == 0 {
					t.Errorf("%s: no check ran\n%s", id, r.stdout)
				}
				for _, ch := range cs {
					if id == c.broken && ch.Verdict != model.Pass {
						continue // judged below
					}
					if ch.Verdict != model.Pass {
						t.Errorf("%s: %s (%s), want pass", ch.Name, ch.Verdict, ch.Message)
					}
					codes := false
					for _, ex := range ch.Evidence {
						codes = codes || strings.Contains(ex.Label, "authorization by form")
					}
					if !codes && id != "RFC6749-5.2-ERROR-CODE-VOCAB" && ch.Verdict == model.Pass {
						t.Errorf("%s: no evidence of a code obtained through the login form", ch.Name)
					}
				}
			}
			if c.broken == "" {
				if r.exit != 0 {
					t.Fatalf("exit %d, want 0\n%s", r.exit, failures(r))
				}
				return
			}
			failed := false
			for _, ch := range checksOf(run, c.broken) {
				failed = failed || ch.Verdict == model.Fail
			}
			if !failed {
				t.Errorf("fault %s: no check of %s failed\n%s", c.fault, c.broken, r.stdout)
			}
		})
	}
}
