package reports

import (
	"bytes"
	_ "embed"
	"fmt"
	"github.com/tokencert/tokencert/result"
	"html/template"
	"os"
	"slices"
	"strings"
	"time"
)

//go:embed report.html.tmpl
var htmlSource string

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"upper":     strings.ToUpper,
	"firstLine": firstLine,
	"utc":       func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000 UTC") },
	"codeSpans": codeSpans,
}).Parse(htmlSource))

// WriteHTML writes the run as one self-contained HTML page for auditors:
// the verdict first, the run's metadata and the spec's decisions, a
// requirement matrix filterable by verdict and level, then every check with
// its evidence exchanges. Styles and script are inline and a Content
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
	Summary, Text string
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
			hc.Exchanges = append(hc.Exchanges, htmlExchange{Summary: exchangeSummary(ex), Text: exchangeText(ex)})
		}
		v.Rows = append(v.Rows, hc)
		if c.Verdict == result.Skip && c.Incomplete && c.Mandatory() {
			v.Incomplete = append(v.Incomplete, hc)
		}
	}
	var b bytes.Buffer
	if err := htmlTemplate.Execute(&b, v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
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
