package reports

import (
	"encoding/xml"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tokencert/tokencert/result"

	"github.com/onsi/ginkgo/v2/reporters"
)

// WriteJUnit writes the run as JUnit XML: one testcase per check, named by
// its requirement ID first (unique, sorted), grouped by concern in
// classname, with the requirement's level, clause and spec as properties
// and the redacted evidence in system-out.
func WriteJUnit(r *result.Run, path string) error {
	b, err := renderJUnit(r)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

func renderJUnit(r *result.Run) ([]byte, error) {
	r = normalized(r)
	suite := reporters.JUnitTestSuite{
		Name:      "tokencert " + r.Spec.Name,
		Package:   r.Endpoint,
		Time:      r.Finished.Sub(r.Started).Seconds(),
		Timestamp: r.Started.Format("2006-01-02T15:04:05"),
		Properties: reporters.JUnitProperties{Properties: []reporters.JUnitProperty{
			{Name: "tool", Value: r.Tool},
			{Name: "spec", Value: r.Spec.Name},
			{Name: "spec_sha256", Value: r.Spec.SHA256},
			{Name: "document", Value: r.Spec.Document},
			{Name: "endpoint", Value: r.Endpoint},
			{Name: "verdict", Value: r.Verdict},
			{Name: "label_filter", Value: r.LabelFilter},
			{Name: "certify", Value: strconv.FormatBool(r.Certify)},
		}},
	}
	for _, w := range r.Waivers {
		if w.Status != result.WaiverOtherTarget {
			suite.Properties.Properties = append(suite.Properties.Properties, reporters.JUnitProperty{Name: "waiver_" + w.Status, Value: waiverLine(w)})
		}
	}
	for _, c := range r.Checks {
		tc := reporters.JUnitTestCase{
			Name:      c.Name,
			Classname: "tokencert." + r.Spec.Name + "." + c.Concern,
			Status:    c.Verdict,
			Time:      c.Duration.Seconds(),
			Properties: &reporters.JUnitProperties{Properties: []reporters.JUnitProperty{
				{Name: "requirement", Value: c.ID},
				{Name: "level", Value: c.Level},
				{Name: "cite", Value: c.Cite},
				{Name: "spec", Value: r.Spec.Name},
			}},
			SystemOut: evidenceText(c),
		}
		suite.Tests++
		switch {
		case c.Finding(r.Strict):
			tc.Status = "finding"
			tc.Properties.Properties = append(tc.Properties.Properties, reporters.JUnitProperty{Name: "finding", Value: firstLine(c.Message)})
			tc.SystemOut = findingText(c) + tc.SystemOut
		case c.Waived != nil:
			// A waived failure does not fail the build: a skip that says
			// why, with the failure's message.
			suite.Skipped++
			tc.Properties.Properties = append(tc.Properties.Properties, reporters.JUnitProperty{Name: "waived", Value: c.Waived.String()})
			tc.Skipped = &reporters.JUnitSkipped{Message: "failed, " + c.Waived.String() + " — " + firstLine(c.Message)}
		case c.Verdict == result.Fail:
			suite.Failures++
			tc.Failure = &reporters.JUnitFailure{Message: firstLine(c.Message), Type: c.Level, Description: c.Message}
		case c.Verdict == result.Error:
			suite.Errors++
			tc.Error = &reporters.JUnitError{Message: firstLine(c.Message), Type: "error", Description: c.Message}
		case c.Verdict == result.Skip:
			suite.Skipped++
			tc.Skipped = &reporters.JUnitSkipped{Message: c.Message}
		}
		suite.TestCases = append(suite.TestCases, tc)
	}
	suites := reporters.JUnitTestSuites{
		Tests: suite.Tests, Failures: suite.Failures, Errors: suite.Errors, Disabled: suite.Disabled,
		Time: suite.Time, TestSuites: []reporters.JUnitTestSuite{suite},
	}
	b, err := xml.MarshalIndent(suites, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), append(b, '\n')...), nil
}

// findingText heads the system-out of a finding's passing test case.
func findingText(c result.Check) string {
	return fmt.Sprintf("FINDING (%s; fails the run only with --strict): %s\n\n", c.Level, c.Message)
}

// waiverLine is a waiver of a run in one line, as every output shows it.
func waiverLine(w result.Waiver) string {
	s := fmt.Sprintf("%s: until %s by %s: %s", w.Subject(), w.Expires, w.Owner, w.Reason)
	if w.Target != "" {
		s += " (target " + w.Target + ")"
	}
	if w.Ticket != "" {
		s += " " + w.Ticket
	}
	switch w.Status {
	case result.WaiverExpired:
		s = "EXPIRED " + s
	case result.WaiverStale:
		s += " (stale: matches no failed check)"
	}
	return fmt.Sprintf("%s [line %d]", s, w.Line)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// evidenceText renders a check's notes and exchanges as plain text.
func evidenceText(c result.Check) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s (%s)\n%s\n", c.ID, c.Level, c.Cite, c.Requirement)
	if c.Waived != nil {
		fmt.Fprintf(&b, "FAILED, %s\n%s\n", c.Waived, c.Message)
	}
	for _, n := range c.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	for _, ex := range c.Evidence {
		b.WriteString("\n")
		b.WriteString(exchangeText(ex))
	}
	return b.String()
}

// Text renders an exchange as an HTTP transcript. Control characters
// (other than newline and tab) and bytes that are not UTF-8 are shown as
// \xNN, so the transcript reads the same in XML, HTML and a terminal.
func exchangeText(ex result.Exchange) string { return visible(exchangeRaw(ex)) }

func exchangeRaw(ex result.Exchange) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s (%s)\n", ex.Label, ex.Duration.Round(1e6))
	fmt.Fprintf(&b, "> %s %s\n", ex.Request.Method, ex.Request.URL)
	writeHeader(&b, "> ", ex.Request.Header)
	if ex.Request.Body != "" {
		fmt.Fprintf(&b, ">\n> %s\n", strings.ReplaceAll(ex.Request.Body, "\n", "\n> "))
	}
	if ex.Response == nil {
		fmt.Fprintf(&b, "< (no response: %s)\n", ex.Err)
		return b.String()
	}
	fmt.Fprintf(&b, "< %d\n", ex.Response.Status)
	writeHeader(&b, "< ", ex.Response.Header)
	if ex.Response.Body != "" {
		fmt.Fprintf(&b, "<\n< %s\n", strings.ReplaceAll(ex.Response.Body, "\n", "\n< "))
	}
	if ex.Response.Truncated {
		b.WriteString("< (body truncated at the read cap)\n")
	}
	if ex.Err != "" {
		fmt.Fprintf(&b, "! %s\n", ex.Err)
	}
	return b.String()
}

func writeHeader(b *strings.Builder, prefix string, h map[string][]string) {
	for _, k := range slices.Sorted(maps.Keys(h)) {
		for _, v := range h[k] {
			fmt.Fprintf(b, "%s%s: %s\n", prefix, k, v)
		}
	}
}

// visible replaces control characters other than newline and tab, and
// bytes that are not UTF-8, with \xNN.
func visible(s string) string {
	if !strings.ContainsFunc(s, hidden) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if hidden(r) && size == 1 {
			fmt.Fprintf(&b, "\\x%02x", s[i])
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// hidden reports whether r may not show as itself in a transcript; an
// invalid byte decodes as utf8.RuneError of size 1 (a real U+FFFD has size
// 3 and stays).
func hidden(r rune) bool {
	return r == utf8.RuneError || (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f
}
