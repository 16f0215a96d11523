package reports

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/tokencert/tokencert/internal/plural"
	"github.com/tokencert/tokencert/result"
	"github.com/tokencert/tokencert/target"
)

//go:embed report.html.tmpl
var htmlSource string

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"upper":     strings.ToUpper,
	"firstLine": firstLine,
	"utc":       func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000 UTC") },
	"codeSpans": codeSpans,
	"plural":    plural.N,
	"pluralAs":  plural.Irregular,
}).Parse(htmlSource))

// WriteHTML writes the run as one self-contained HTML page for auditors:
// the verdict first, then what the reader came for (a failed run's failed
// checks, each with its message, requirement, fix and exchange; an
// incomplete run's missing target keys; a passed run's coverage), the
// run's metadata and the spec's decisions, a requirement matrix
// filterable by verdict and level, then every check with its evidence
// exchanges. Styles and script are inline and a Content
// Security Policy forbids any fetch, so the file opens offline as it is.
func WriteHTML(r *result.Run, path string) error {
	b, err := renderHTML(r)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

type htmlView struct {
	*result.Run
	Counts   result.Counts
	ByLevel  []Tally
	Total    Tally
	Levels   []string
	Verdicts []verdictCount
	Rows     []htmlCheck
	Schemas  []keyValue
	Duration string
	Complete bool
	// Incomplete lists the MUST-level checks that could not run for want
	// of something the target or the run could give.
	Incomplete []htmlCheck
	// Waivers are the run's waivers for this target: expired, applied, stale.
	Waivers []result.Waiver
	// Failures are the failed and errored checks that fail the run (those
	// at the MUST level first), Findings those below it, Waived those a
	// waiver accepts.
	Failures, Findings, Waived []htmlFailure
	// Missing are the target keys (and flags) that would run Incomplete.
	Missing []missingKey
	// Coverage counts the requirements checked, by level; Unchecked are
	// the MUST-level checks skipped for what the spec or target does not
	// offer (not for want of a key: those are Incomplete).
	Coverage  []coverageRow
	Unchecked []htmlCheck
}

// htmlFailure is a failed check as the first screen shows it.
type htmlFailure struct {
	htmlCheck
	// Lines are the message's lines (its problems), at most
	// maxFailureLines; More counts the rest.
	Lines []string
	More  int
	// Exchange is the check's last exchange, usually the probe itself.
	Exchange *htmlPair
}

// maxFailureLines bounds the lines of a message the first screen shows.
const maxFailureLines = 4

// htmlPair is an exchange as a request and a response side by side.
type htmlPair struct {
	Label, Request, Response string
}

// missingKey is a target key (or a flag) an incomplete run lacks.
type missingKey struct {
	Key, Doc string
	Flag     bool
}

// coverageRow counts one level's requirements: all of their checks
// passed, some failed (or were waived), some were skipped.
type coverageRow struct {
	Level                                  string
	Requirements, Passed, Failed, Unproven int
}

type verdictCount struct {
	Verdict string
	Count   int
}

type keyValue struct{ Key, Value string }

type htmlCheck struct {
	result.Check
	Anchor string
	// Label is the name without the leading requirement ID.
	Label     string
	Exchanges []htmlExchange
}

type htmlExchange struct {
	Summary string
	htmlPair
}

func renderHTML(r *result.Run) ([]byte, error) {
	r = normalized(r)
	v := htmlView{Run: r, Counts: r.Count(), Levels: levels(r.Checks), Complete: r.CompleteCertification()}
	v.ByLevel, v.Total = byLevel(r)
	for _, status := range []string{result.WaiverExpired, result.WaiverApplied, result.WaiverStale} {
		for _, w := range r.Waivers {
			if w.Status == status {
				v.Waivers = append(v.Waivers, w)
			}
		}
	}
	v.Duration = r.Finished.Sub(r.Started).Round(time.Millisecond).String()
	for _, verdict := range verdictOrder {
		n := 0
		for _, c := range r.Checks {
			if c.Verdict == verdict {
				n++
			}
		}
		v.Verdicts = append(v.Verdicts, verdictCount{verdict, n})
	}
	for ref, sum := range r.Schemas {
		v.Schemas = append(v.Schemas, keyValue{ref, sum})
	}
	slices.SortFunc(v.Schemas, func(a, b keyValue) int { return strings.Compare(a.Key, b.Key) })
	for i, c := range r.Checks {
		hc := htmlCheck{Check: c, Anchor: fmt.Sprintf("check-%d", i+1), Label: strings.TrimPrefix(c.Name, c.ID+" ")}
		for _, ex := range c.Evidence {
			hc.Exchanges = append(hc.Exchanges, htmlExchange{Summary: exchangeSummary(ex), htmlPair: pairOf(ex)})
		}
		v.Rows = append(v.Rows, hc)
		switch {
		case c.Verdict == result.Skip && c.Incomplete && c.Mandatory():
			v.Incomplete = append(v.Incomplete, hc)
		case c.Verdict == result.Skip && c.Mandatory():
			v.Unchecked = append(v.Unchecked, hc)
		case c.Waived != nil:
			v.Waived = append(v.Waived, failureOf(hc))
		case c.Finding(r.Strict):
			v.Findings = append(v.Findings, failureOf(hc))
		case c.Verdict == result.Fail || c.Verdict == result.Error:
			v.Failures = append(v.Failures, failureOf(hc))
		}
	}
	// The failures that fail the run at the MUST level first.
	slices.SortStableFunc(v.Failures, func(a, b htmlFailure) int {
		return cmpBool(!a.Mandatory(), !b.Mandatory())
	})
	for _, n := range r.Needs() {
		key := strings.TrimPrefix(n, "--")
		v.Missing = append(v.Missing, missingKey{Key: key, Doc: target.KeyDoc(key), Flag: strings.HasPrefix(n, "--")})
	}
	v.Coverage = coverage(r)
	var b bytes.Buffer
	if err := htmlTemplate.Execute(&b, v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// failureOf is a failed check as the first screen shows it.
func failureOf(hc htmlCheck) htmlFailure {
	f := htmlFailure{htmlCheck: hc}
	for _, l := range strings.Split(strings.TrimSpace(hc.Message), "\n") {
		if l = strings.TrimSpace(strings.TrimPrefix(l, "- ")); l != "" {
			f.Lines = append(f.Lines, l)
		}
	}
	if len(f.Lines) > maxFailureLines {
		f.Lines, f.More = f.Lines[:maxFailureLines], len(f.Lines)-maxFailureLines
	}
	if n := len(hc.Evidence); n > 0 {
		p := pairOf(hc.Evidence[n-1])
		f.Exchange = &p
	}
	return f
}

// pairOf is an exchange as the page shows it.
func pairOf(ex result.Exchange) htmlPair {
	return htmlPair{Label: ex.Label, Request: requestText(ex), Response: responseText(ex)}
}

// requestText is an exchange's request as HTTP shows it: the request
// line, the headers, and the body (JSON indented).
func requestText(ex result.Exchange) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", ex.Request.Method, ex.Request.URL)
	writeHeader(&b, "", ex.Request.Header)
	if ex.Request.Body != "" {
		b.WriteString("\n" + bodyText(ex.Request.Body))
	}
	return visible(b.String())
}

// responseText is an exchange's response as HTTP shows it, or what came
// instead of one.
func responseText(ex result.Exchange) string {
	if ex.Response == nil {
		return visible("no response: " + ex.Err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s\n", ex.Response.Status, http.StatusText(ex.Response.Status))
	writeHeader(&b, "", ex.Response.Header)
	if ex.Response.Body != "" {
		b.WriteString("\n" + bodyText(ex.Response.Body))
	}
	if ex.Response.Truncated {
		b.WriteString("\n(body truncated at the read cap)")
	}
	if ex.Err != "" {
		b.WriteString("\n! " + ex.Err)
	}
	return visible(b.String())
}

// bodyText is a body as the page shows it: JSON indented, anything else as
// it came.
func bodyText(body string) string {
	var out bytes.Buffer
	if t := strings.TrimSpace(body); (strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[")) && json.Indent(&out, []byte(t), "", "  ") == nil {
		return out.String()
	}
	return body
}

// coverage counts each level's requirements by what their checks showed.
func coverage(r *result.Run) []coverageRow {
	type state struct{ failed, unproven bool }
	byID := map[string]*state{}
	level := map[string]string{}
	var order []string
	for _, c := range r.Checks {
		s, ok := byID[c.ID]
		if !ok {
			s = &state{}
			byID[c.ID], level[c.ID] = s, c.Level
			order = append(order, c.ID)
		}
		switch c.Verdict {
		case result.Fail, result.Error:
			s.failed = true
		case result.Skip:
			s.unproven = true
		}
	}
	var rows []coverageRow
	for _, l := range levels(r.Checks) {
		row := coverageRow{Level: l}
		for _, id := range order {
			if level[id] != l {
				continue
			}
			s := byID[id]
			row.Requirements++
			switch {
			case s.failed:
				row.Failed++
			case s.unproven:
				row.Unproven++
			default:
				row.Passed++
			}
		}
		rows = append(rows, row)
	}
	return rows
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

// exchangeSummary is an exchange in one line: label, request line, outcome.
func exchangeSummary(ex result.Exchange) string {
	s := fmt.Sprintf("%s — %s %s", ex.Label, ex.Request.Method, ex.Request.URL)
	if ex.Response == nil {
		return s + " → no response"
	}
	return fmt.Sprintf("%s → %d (%s)", s, ex.Response.Status, ex.Duration.Round(time.Millisecond))
}

// codeSpans escapes s and renders its `backticked` parts as code, as the
// requirement catalogue writes them.
func codeSpans(s string) template.HTML {
	parts := strings.Split(s, "`")
	if len(parts)%2 == 0 { // an unpaired backtick: show it as it is
		return template.HTML(template.HTMLEscapeString(s))
	}
	var b strings.Builder
	for i, p := range parts {
		if i%2 == 1 {
			b.WriteString("<code>" + template.HTMLEscapeString(p) + "</code>")
		} else {
			b.WriteString(template.HTMLEscapeString(p))
		}
	}
	return template.HTML(b.String())
}
