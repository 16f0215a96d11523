package reports

import (
	"fmt"
	"strings"

	"github.com/tokencert/tokencert/internal/plural"
	"github.com/tokencert/tokencert/result"
)

// consoleMessageLines bounds the lines of a check's message the console
// shows; report.html has them all.
const consoleMessageLines = 3

// consoleChecks bounds the checks the console lists under one heading.
const consoleChecks = 20

// ConsoleSummary is the end of a run as the console shows it: the failed
// checks with their messages (then the findings, the waived failures and
// what an incomplete run lacks), and the checks counted by level and
// verdict. The verdict line follows it (runner).
func ConsoleSummary(r *result.Run) string {
	var b strings.Builder
	var failed, findings, waived, incomplete []result.Check
	for _, c := range r.Checks {
		switch {
		case c.Waived != nil:
			waived = append(waived, c)
		case c.Finding(r.Strict):
			findings = append(findings, c)
		case c.Verdict == result.Fail || c.Verdict == result.Error:
			failed = append(failed, c)
		case c.Verdict == result.Skip && c.Incomplete && c.Mandatory():
			incomplete = append(incomplete, c)
		}
	}
	consoleList(&b, "Failed", failed, true)
	consoleList(&b, "Findings (below the MUST level: they fail the run only with --strict)", findings, true)
	consoleList(&b, "Waived failures", waived, false)
	consoleList(&b, "Could not run (MUST level)", incomplete, true)

	rows, total := byLevel(r)
	if total.Total == 0 {
		return b.String()
	}
	fmt.Fprintf(&b, "\n  %-10s %5s %5s %5s %5s %5s\n", "level", "pass", "fail", "error", "skip", "total")
	for _, t := range append(rows, total) {
		fmt.Fprintf(&b, "  %-10s %5d %5d %5d %5d %5d\n", t.Level, t.Pass, t.Fail, t.Error, t.Skip, t.Total)
	}
	return b.String()
}

// consoleList lists checks under a heading, each with the first lines of
// its message (withMessage) or its waiver.
func consoleList(b *strings.Builder, heading string, checks []result.Check, withMessage bool) {
	if len(checks) == 0 {
		return
	}
	fmt.Fprintf(b, "\n%s (%d):\n", heading, len(checks))
	for i, c := range checks {
		if i == consoleChecks {
			fmt.Fprintf(b, "  … and %s more: see report.html\n", plural.N(len(checks)-i, "check"))
			break
		}
		fmt.Fprintf(b, "  %-5s %s (%s)\n", strings.ToUpper(c.Verdict), c.Name, c.Level)
		if !withMessage {
			fmt.Fprintf(b, "        %s\n", c.Waived)
			continue
		}
		lines := strings.Split(strings.TrimSpace(c.Message), "\n")
		for j, l := range lines {
			if j == consoleMessageLines {
				fmt.Fprintf(b, "        … %s in report.html\n", plural.N(len(lines)-j, "more line"))
				break
			}
			fmt.Fprintf(b, "        %s\n", clip(l, 200))
		}
	}
}
