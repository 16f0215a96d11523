package runner

import (
	"testing"

	"github.com/tokencert/tokencert/result"
)

func TestDecide(t *testing.T) {
	must := func(verdict string) result.Check { return result.Check{Level: "MUST", Verdict: verdict} }
	should := func(verdict string) result.Check { return result.Check{Level: "SHOULD", Verdict: verdict} }
	waived := must(result.Fail)
	waived.Waived = &result.Waived{Until: "2099-01-01", Owner: "o", Reason: "r"}
	expired := []result.Waiver{{Status: result.WaiverExpired}}
	for _, c := range []struct {
		name        string
		run         result.Run
		unreachable bool
		want        int
	}{
		{"all pass", result.Run{Checks: []result.Check{must(result.Pass)}}, false, ExitPass},
		{"unreachable", result.Run{Checks: []result.Check{must(result.Error)}}, true, ExitUnreachable},
		{"MUST fails", result.Run{Checks: []result.Check{must(result.Fail)}}, false, ExitFail},
		{"MUST errors", result.Run{Checks: []result.Check{must(result.Error)}}, false, ExitFail},
		{"SHOULD fails", result.Run{Checks: []result.Check{should(result.Fail)}}, false, ExitPass},
		{"SHOULD fails, strict", result.Run{Strict: true, Checks: []result.Check{should(result.Fail)}}, false, ExitFail},
		{"MUST waived", result.Run{Checks: []result.Check{waived}}, false, ExitPass},
		{"MUST waived, strict", result.Run{Strict: true, Checks: []result.Check{waived}}, false, ExitPass},
		{"expired waiver", result.Run{Checks: []result.Check{must(result.Pass)}, Waivers: expired}, false, ExitFail},
		{"regressions: none", result.Run{FailOn: result.FailOnRegressions, Changes: &result.Changes{}, Checks: []result.Check{must(result.Fail)}}, false, ExitPass},
		{"regressions: one", result.Run{FailOn: result.FailOnRegressions, Changes: &result.Changes{Regressions: []string{"x"}}, Checks: []result.Check{must(result.Fail)}}, false, ExitFail},
		{"MUST could not run", result.Run{Checks: []result.Check{must(result.Pass), {Level: "MUST", Verdict: result.Skip, Incomplete: true, Needs: []string{"resource"}}}}, false, ExitIncomplete},
		{"MUST fails and one could not run", result.Run{Checks: []result.Check{must(result.Fail), {Level: "MUST", Verdict: result.Skip, Incomplete: true}}}, false, ExitFail},
		{"SHOULD could not run", result.Run{Checks: []result.Check{must(result.Pass), {Level: "SHOULD", Verdict: result.Skip, Incomplete: true}}}, false, ExitPass},
		{"regressions: expired waiver", result.Run{FailOn: result.FailOnRegressions, Changes: &result.Changes{}, Waivers: expired}, false, ExitFail},
	} {
		if got, verdict := Decide(&c.run, c.unreachable); got != c.want {
			t.Errorf("%s: exit %d (%s), want %d", c.name, got, verdict, c.want)
		}
	}
}
