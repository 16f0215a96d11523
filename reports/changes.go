package reports

import (
	"fmt"
	"strings"

	"github.com/tokencert/tokencert/internal/plural"
	"github.com/tokencert/tokencert/result"
)

// section is one list of changes as the renderers show it.
type section struct {
	title   string
	changes []result.Change
}

func sections(c *result.Changes) []section {
	return []section{
		{"Newly failing", c.NewlyFailing},
		{"New findings (below the MUST level)", c.NewFindings},
		{"Newly passing", c.NewlyPassing},
		{"Newly waived", c.NewlyWaived},
		{"Failing with a changed message", c.Message},
		{"Other verdict changes", c.Verdict},
		{"Added", c.Added},
		{"Removed", c.Removed},
	}
}

// ChangesTally is the comparison in one line.
func ChangesTally(c *result.Changes) string {
	parts := []string{plural.Irregular(len(c.Requirements), "requirement changed verdict", "requirements changed verdict")}
	for _, p := range []struct {
		n    int
		what string
	}{
		{len(c.NewlyFailing), "newly failing"}, {len(c.NewFindings), "new findings"}, {len(c.NewlyPassing), "newly passing"},
		{len(c.NewlyWaived), "newly waived"}, {len(c.Message), "with a changed message"}, {len(c.Verdict), "other verdict changes"},
		{len(c.Added), "added"}, {len(c.Removed), "removed"}, {len(c.WaiversAdded), "waivers added"}, {len(c.WaiversRemoved), "waivers removed"},
	} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.what))
		}
	}
	return strings.Join(parts, ", ") + "; " + plural.N(len(c.Regressions), "regression")
}

// requirementRows are the requirements' verdict changes as "ID (LEVEL):
// OLD → NEW".
func requirementRows(c *result.Changes) []string {
	var out []string
	for _, r := range c.Requirements {
		out = append(out, fmt.Sprintf("%s (%s): %s → %s", r.ID, r.Level, orAbsent(r.Old), orAbsent(r.New)))
	}
	return out
}

// waiverRows are the waivers added and removed, one line each.
func waiverRows(c *result.Changes) []string {
	var out []string
	for _, x := range []struct {
		what string
		ws   []result.Waiver
	}{{"added", c.WaiversAdded}, {"removed", c.WaiversRemoved}} {
		for _, w := range x.ws {
			line := fmt.Sprintf("%s: %s, until %s by %s: %s", x.what, w.Subject(), w.Expires, w.Owner, w.Reason)
			if w.Target != "" {
				line += " (target " + w.Target + ")"
			}
			if x.what == "added" && w.Status != "" {
				line += " — " + w.Status
			}
			out = append(out, line)
		}
	}
	return out
}

func orAbsent(v string) string {
	if v == "" {
		return "absent"
	}
	return v
}

// maxChangeRows bounds the rows listed per section; the rest are counted.
const maxChangeRows = 50

// ChangesMarkdown renders the comparison for a CI job summary.
func ChangesMarkdown(c *result.Changes) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### What changed since the baseline\n\n%s. %s.\n", baselineText(c, mdCode(c.Baseline)), mdText(ChangesTally(c)))
	if c.SpecChanged {
		b.WriteString("\n**The spec file changed** since the baseline (another SHA-256): added and removed checks may come from it.\n")
	}
	if len(c.Regressions) > 0 {
		b.WriteString("\n**Regressions** (fail the run under `--fail-on regressions`, and `tokencert diff`):\n\n")
		for _, n := range c.Regressions {
			fmt.Fprintf(&b, "- %s\n", mdText(n))
		}
	}
	if rows := requirementRows(c); len(rows) > 0 {
		fmt.Fprintf(&b, "\n#### Verdict changes by requirement (%d)\n\n", len(rows))
		for _, r := range rows {
			fmt.Fprintf(&b, "- %s\n", mdText(r))
		}
	}
	if rows := waiverRows(c); len(rows) > 0 {
		fmt.Fprintf(&b, "\n#### Waivers (%d)\n\n", len(rows))
		for _, r := range rows {
			fmt.Fprintf(&b, "- %s\n", mdText(r))
		}
	}
	for _, s := range sections(c) {
		if len(s.changes) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n#### %s (%d)\n\n| Check | Level | Was | Now | Message |\n|---|---|---|---|---|\n", s.title, len(s.changes))
		for i, x := range s.changes {
			if i == maxChangeRows {
				fmt.Fprintf(&b, "\n… and %d more: see report.json.\n", len(s.changes)-i)
				break
			}
			msg := messageOf(x)
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", mdText(x.Name), mdText(x.Level), orDash(x.OldVerdict), orDash(x.NewVerdict), mdText(clip(msg, 200)))
		}
	}
	if c.Empty() {
		b.WriteString("\nNothing changed.\n")
	}
	return b.String()
}

// ChangesText renders the comparison for a terminal.
func ChangesText(c *result.Changes) string {
	var b strings.Builder
	fmt.Fprintf(&b, "What changed — %s: %s.\n", baselineText(c, c.Baseline), ChangesTally(c))
	if c.SpecChanged {
		b.WriteString("The spec file changed since the baseline (another SHA-256).\n")
	}
	if rows := requirementRows(c); len(rows) > 0 {
		fmt.Fprintf(&b, "\nVerdict changes by requirement (%d):\n", len(rows))
		for _, r := range rows {
			fmt.Fprintf(&b, "  %s\n", r)
		}
	}
	if rows := waiverRows(c); len(rows) > 0 {
		fmt.Fprintf(&b, "\nWaivers (%d):\n", len(rows))
		for _, r := range rows {
			fmt.Fprintf(&b, "  %s\n", r)
		}
	}
	for _, s := range sections(c) {
		if len(s.changes) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n%s (%d):\n", s.title, len(s.changes))
		for _, x := range s.changes {
			fmt.Fprintf(&b, "  %s %s → %s: %s\n", x.Name, orDash(x.OldVerdict), orDash(x.NewVerdict), x.Level)
			if m := messageOf(x); m != "" {
				fmt.Fprintf(&b, "      %s\n", clip(m, 300))
			}
		}
	}
	if len(c.Regressions) > 0 {
		fmt.Fprintf(&b, "\nRegressions: %s\n", strings.Join(c.Regressions, "; "))
	}
	return b.String()
}

// baselineText names the baseline and when it ran, or says it was missing.
func baselineText(c *result.Changes, name string) string {
	if c.BaselineMissing {
		return "No baseline at " + name + ": every check counts as added"
	}
	return fmt.Sprintf("Baseline %s (started %s)", name, c.BaselineStarted.UTC().Format("2006-01-02 15:04:05Z"))
}

// messageOf is what a row says about a change: the new message (and the
// old one when it changed), and the waiver that accepts the failure.
func messageOf(x result.Change) string {
	var parts []string
	switch {
	case x.OldMessage != "" && x.NewMessage != "" && x.OldMessage != x.NewMessage:
		parts = append(parts, "was: "+x.OldMessage, "now: "+x.NewMessage)
	case x.NewMessage != "":
		parts = append(parts, x.NewMessage)
	case x.OldMessage != "":
		parts = append(parts, "was: "+x.OldMessage)
	}
	if x.OldWaived != "" && x.OldWaived != x.Waived {
		parts = append(parts, "was "+x.OldWaived)
	}
	if x.Waived != "" {
		parts = append(parts, x.Waived)
	}
	return strings.Join(parts, " — ")
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
