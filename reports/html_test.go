package reports

import (
	"github.com/tokencert/tokencert/result"
	"regexp"
	"strings"
	"testing"
)

func renderSampleHTML(t *testing.T) string {
	t.Helper()
	b, err := renderHTML(sampleRun())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestHTMLShowsVerdictMetadataAndMatrix(t *testing.T) {
	page := renderSampleHTML(t)
	for _, want := range []string{
		`<header class="verdict verdict-fail" id="verdict">`,
		`id="verdict-word">FAIL</div>`,
		"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", // spec SHA-256
		"rfc6749/token-response.json", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",  // schema digests
		"2026-03-14 08:26:53.000 UTC", "2026-03-14 08:27:35.123 UTC", // started, finished
		"none: every check of the spec", // label filter
		"Not a certification run.",
		"expires_in as a string", "§5.1 and App. A.14 say number", // decisions
		`value="MUST NOT" checked`, `value="skip" checked`, // filters
		"8 of 8 checks shown",
		"tokencert 0.1.0",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	rows := regexp.MustCompile(`<tr class="row-(\w+)" data-verdict="(\w+)" data-level="([A-Z ]+)" data-id="([^"]+)">`).FindAllStringSubmatch(page, -1)
	if len(rows) != len(sortedNames) {
		t.Fatalf("%d matrix rows, want %d", len(rows), len(sortedNames))
	}
	for i, row := range rows {
		if !strings.HasPrefix(sortedNames[i], row[4]+" ") {
			t.Errorf("row %d is %s, want %s", i, row[4], sortedNames[i])
		}
	}
	// Failed and errored checks are open; the others closed.
	if n := strings.Count(page, `class="check c-fail"`); n != 2 {
		t.Errorf("%d failed checks", n)
	}
	if n := regexp.MustCompile(`<details class="check c-(fail|error)"[^>]* open>`).FindAllString(page, -1); len(n) != 3 {
		t.Errorf("%d open checks, want 3", len(n))
	}
	// Evidence exchanges, collapsible.
	if !strings.Contains(page, `<details class="exchange"><summary>client_credentials grant — POST http://127.0.0.1:8080/token → 200 (12ms)</summary>`) {
		t.Error("exchange summary missing")
	}
	if !strings.Contains(page, "refresh — POST http://127.0.0.1:8080/token → no response") {
		t.Error("exchange without response missing")
	}
}

func TestHTMLEscapesEvidence(t *testing.T) {
	page := renderSampleHTML(t)
	if strings.Contains(page, "<script>alert") {
		t.Error("markup from evidence reached the page unescaped")
	}
	if !strings.Contains(page, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;") {
		t.Error("escaped evidence missing")
	}
	if strings.Count(page, "<script>") != 1 {
		t.Error("the page has more than its own script")
	}
}

func TestHTMLIsSelfContained(t *testing.T) {
	page := renderSampleHTML(t)
	for _, re := range []string{`<link\b`, `\ssrc=`, `@import`, `url\(`, `href="(?:https?:)?//`, `<iframe`, `<img`, `fetch\(`, `XMLHttpRequest`} {
		if m := regexp.MustCompile(re).FindString(page); m != "" {
			t.Errorf("page may fetch something: %q", m)
		}
	}
	if !strings.Contains(page, `content="default-src 'none';`) {
		t.Error("no Content-Security-Policy forbidding fetches")
	}
}

func TestHTMLCertificationBanner(t *testing.T) {
	for _, c := range []struct {
		certify bool
		filter  string
		want    string
	}{
		{true, "", "Complete certification run."},
		{false, "MUST", "Only the checks selected by label filter <code>MUST</code> ran"},
		{false, "", "was not started with <code>--certify</code>"},
	} {
		r := sampleRun()
		r.Certify, r.LabelFilter = c.certify, c.filter
		b, err := renderHTML(r)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), c.want) {
			t.Errorf("certify=%v filter=%q: page lacks %q", c.certify, c.filter, c.want)
		}
	}
}

func TestHTMLUnreachable(t *testing.T) {
	r := sampleRun()
	r.Verdict, r.ExitCode, r.Message = result.RunUnreachable, 3, "endpoint unreachable: connection refused"
	b, err := renderHTML(r)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `verdict-unreachable`) || !strings.Contains(string(b), ">UNREACHABLE<") {
		t.Error("unreachable verdict not shown")
	}
}

func TestCodeSpans(t *testing.T) {
	for in, want := range map[string]string{
		"`token_type` is present":  "<code>token_type</code> is present",
		"a <b> `x&y` c":            "a &lt;b&gt; <code>x&amp;y</code> c",
		"unpaired ` stays <as> is": "unpaired ` stays &lt;as&gt; is",
	} {
		if got := string(codeSpans(in)); got != want {
			t.Errorf("codeSpans(%q) = %q, want %q", in, got, want)
		}
	}
}

// The first screen answers the reader's question: a failed run's MUST
// failures come first (before findings and the matrix), each with its
// problems, requirement, fix and exchange, JSON indented; a passed run
// leads with its coverage.
func TestHTMLLeadsWithTheAnswer(t *testing.T) {
	r := sampleRun()
	for i := range r.Checks {
		if r.Checks[i].ID == "RFC6749-5.1-TOKEN-TYPE" {
			r.Checks[i].Fix = "Send `token_type` in every success body."
			r.Checks[i].Message = "- client_credentials grant: token_type is required\n- password grant: token_type is required"
			r.Checks[i].Evidence[0].Response.Body = `{"access_token":"[access_token#1a2b3c4d]","expires_in":3600}`
		}
	}
	b, err := renderHTML(r)
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	lead, matrix := strings.Index(page, `<section class="lead" id="failures">`), strings.Index(page, `<section id="matrix">`)
	first := strings.Index(page, `<article class="failure"`)
	if lead < 0 || first < lead || first > matrix {
		t.Fatalf("the failures do not lead the page (lead %d, first failure %d, matrix %d)", lead, first, matrix)
	}
	card := page[first:]
	card = card[:strings.Index(card, "</article>")]
	for _, want := range []string{
		"<code>RFC6749-5.1-TOKEN-TYPE</code>", "<li>client_credentials grant: token_type is required</li>", "<li>password grant: token_type is required</li>",
		"<dt>How to fix</dt><dd class=\"fix\">Send <code>token_type</code> in every success body.</dd>",
		"200 OK\nContent-Type: text/html\n\n{\n  &#34;access_token&#34;: &#34;[access_token#1a2b3c4d]&#34;,\n  &#34;expires_in&#34;: 3600\n}",
	} {
		if !strings.Contains(card, want) {
			t.Errorf("the first failure lacks %q:\n%s", want, card)
		}
	}
	if f := strings.Index(page, `id="findings"`); f < first {
		t.Errorf("the SHOULD finding comes before the MUST failure")
	}

	r = sampleRun()
	r.Verdict, r.ExitCode = result.RunPass, 0
	r.Checks = r.Checks[2:5]
	b, err = renderHTML(r)
	if err != nil {
		t.Fatal(err)
	}
	page = string(b)
	if !strings.Contains(page, `<section class="lead" id="coverage">`) || !strings.Contains(page, "<tr><td>MUST</td><td>2</td><td>2</td><td>0</td><td>0</td></tr>") {
		t.Errorf("a passed run does not lead with its coverage:\n%s", page[:min(len(page), 6000)])
	}
}
