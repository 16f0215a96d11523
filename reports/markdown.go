package reports

import (
	"fmt"
	"strings"

	"github.com/tokencert/tokencert/internal/plural"
	"github.com/tokencert/tokencert/result"
)

// maxSummaryFailures bounds the failed checks listed in summary.md; the
// rest are counted, and report.html lists them all.
const maxSummaryFailures = 50

// renderSummary is a short Markdown summary for a CI job page (GitHub's
// $GITHUB_STEP_SUMMARY, GitLab or Jenkins Markdown): the verdict line,
// counts by level and verdict, and the failed and errored checks.
func renderSummary(r *result.Run) []byte {
	r = normalized(r)
	var b strings.Builder
	icon := map[string]string{result.RunPass: "✅", result.RunFail: "❌", result.RunUnreachable: "⚠️", result.RunIncomplete: "🟡"}[r.Verdict]
	fmt.Fprintf(&b, "### %s tokencert: %s — %s\n\n", icon, strings.ToUpper(r.Verdict), mdText(r.Spec.Title+" ("+r.Spec.Name+")"))
	fmt.Fprintf(&b, "%s\n\n", mdText(r.Message))
	fmt.Fprintf(&b, "Endpoint %s", mdCode(r.Endpoint))
	if r.Embedded {
		b.WriteString(" (embedded reference server")
		if r.Fault != "" {
			fmt.Fprintf(&b, ", fault %s", mdCode(r.Fault))
		}
		for _, q := range r.Quirks {
			fmt.Fprintf(&b, ", quirk %s", mdCode(q))
		}
		b.WriteString(")")
	}
	fmt.Fprintf(&b, " · spec SHA-256 %s · %s\n\n", mdCode(shortHash(r.Spec.SHA256)), certification(r))
	if d := r.Discovery; d != nil {
		if d.URL != "" && len(d.Filled) > 0 {
			fmt.Fprintf(&b, "From the metadata of issuer %s (%s): %s\n\n", mdCode(d.Issuer), mdCode(d.URL), mdText(strings.Join(d.Filled, ", ")))
		} else if d.URL == "" {
			fmt.Fprintf(&b, "No usable metadata for issuer %s: %s\n\n", mdCode(d.Issuer), mdText(d.Problem))
		}
	}
	if sk := r.Skew; sk != nil {
		fmt.Fprintf(&b, "Expiry judged with a skew of %s after `expires_in` (%s: %s)\n\n", sk.Duration, sk.Source, mdText(sk.Why))
	}
	if n := r.Count().Incomplete; n > 0 {
		fmt.Fprintf(&b, "**Incomplete: %s could not run.**", plural.N(n, "MUST-level check"))
		if needs := r.Needs(); len(needs) > 0 {
			b.WriteString(" To run " + map[bool]string{true: "it", false: "them"}[n == 1] + ", add to the target file (flags where named `--`):")
			for i, k := range needs {
				if i > 0 {
					b.WriteString(",")
				}
				b.WriteString(" " + mdCode(k))
			}
			b.WriteString(".")
		}
		b.WriteString("\n\n")
		for _, c := range r.Checks {
			if c.Verdict == result.Skip && c.Incomplete && c.Mandatory() {
				fmt.Fprintf(&b, "- %s %s\n", mdCode(c.ID), mdText(clip(firstLine(c.Message), 200)))
			}
		}
		b.WriteString("\n")
	}
	if r.InsecureSkipVerify {
		b.WriteString("**TLS certificate verification was off** (`insecure_skip_verify`): the endpoint's identity was not checked.\n\n")
	}
	writeWaivers(&b, r)

	rows, total := byLevel(r)
	b.WriteString("| Level | Pass | Fail | Error | Skip | Total |\n|---|---:|---:|---:|---:|---:|\n")
	for _, t := range append(rows, total) {
		level := mdText(t.Level)
		if t.Level == total.Level {
			level = "**all**"
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %d |\n", level, t.Pass, t.Fail, t.Error, t.Skip, t.Total)
	}

	var failed, findings []result.Check
	for _, c := range r.Checks {
		switch {
		case c.Finding(r.Strict):
			findings = append(findings, c)
		case c.Verdict == result.Fail || c.Verdict == result.Error:
			failed = append(failed, c)
		}
	}
	checkTable(&b, "Failed check", failed)
	if len(findings) > 0 {
		b.WriteString("\nFindings below the MUST level: reported, and failing the run only with `--strict`.\n")
		checkTable(&b, "Finding", findings)
	}
	if r.Changes != nil {
		b.WriteString("\n")
		b.WriteString(ChangesMarkdown(r.Changes))
	}
	return []byte(b.String())
}

// checkTable lists checks with their message, at most maxSummaryFailures.
func checkTable(b *strings.Builder, heading string, checks []result.Check) {
	if len(checks) == 0 {
		return
	}
	fmt.Fprintf(b, "\n| %s | Level | Verdict | Message |\n|---|---|---|---|\n", heading)
	for i, c := range checks {
		if i == maxSummaryFailures {
			fmt.Fprintf(b, "\n… and %d more: see report.html.\n", len(checks)-i)
			break
		}
		verdict := c.Verdict
		if c.Waived != nil {
			verdict += ", " + mdText(c.Waived.String())
		}
		fmt.Fprintf(b, "| %s %s | %s | %s | %s |\n", mdCode(c.ID), mdText(strings.TrimPrefix(c.Name, c.ID+" ")),
			mdText(c.Level), verdict, mdText(clip(firstLine(c.Message), 200)))
	}
}

// writeWaivers lists the run's waivers for this target: expired ones
// first (they fail the run), then those that waived a failure, then stale
// ones.
func writeWaivers(b *strings.Builder, r *result.Run) {
	var rows []string
	for _, status := range []string{result.WaiverExpired, result.WaiverApplied, result.WaiverStale} {
		for _, w := range r.Waivers {
			if w.Status != status {
				continue
			}
			var line string
			switch status {
			case result.WaiverExpired:
				line = fmt.Sprintf("- ❌ **expired** on %s: %s (owner %s: %s) — fails the run; renew or remove it", w.Expires, mdCode(w.Subject()), mdText(w.Owner), mdText(w.Reason))
			case result.WaiverApplied:
				line = fmt.Sprintf("- ⚠️ %s: %s", mdCode(w.Subject()), mdText(result.Waived{Until: w.Expires, Owner: w.Owner, Reason: w.Reason}.String()))
			default:
				line = fmt.Sprintf("- stale: %s matches no failed check (until %s, owner %s)", mdCode(w.Subject()), w.Expires, mdText(w.Owner))
			}
			if w.Ticket != "" {
				line += " · " + mdText(w.Ticket)
			}
			rows = append(rows, fmt.Sprintf("%s · line %d", line, w.Line))
		}
	}
	if len(rows) == 0 {
		return
	}
	file := ""
	if r.WaiversFile != nil {
		file = " from " + mdCode(r.WaiversFile.Path)
	}
	fmt.Fprintf(b, "**Waivers**%s:\n\n%s\n\n", file, strings.Join(rows, "\n"))
}

func certification(r *result.Run) string {
	switch {
	case r.CompleteCertification():
		return "**complete certification run** (`--certify`, every check)"
	case r.LabelFilter != "":
		return "not a certification run: label filter " + mdCode(r.LabelFilter)
	default:
		return "not a certification run (no `--certify`)"
	}
}

func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

func clip(s string, n int) string {
	if len([]rune(s)) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// mdReplacer escapes what would break a table cell or start Markdown or
// HTML markup.
var mdReplacer = strings.NewReplacer(
	"\\", "\\\\", "|", "\\|", "`", "\\`", "*", "\\*", "_", "\\_", "[", "\\[", "]", "\\]",
	"<", "&lt;", ">", "&gt;", "&", "&amp;", "\r", " ", "\n", " ",
)

// mdText is s as literal Markdown text on one line.
func mdText(s string) string { return mdReplacer.Replace(s) }

// mdCode is s as an inline code span on one line; pipes are escaped, which
// GitHub and GitLab honour inside table cells.
func mdCode(s string) string {
	s = strings.NewReplacer("\r", " ", "\n", " ", "|", "\\|").Replace(s)
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}
