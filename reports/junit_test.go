package reports

import (
	"bytes"
	"encoding/xml"
	"github.com/tokencert/tokencert/result"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	junit "github.com/joshdk/go-junit"
)

// TestJUnitParsesWithAConsumer reads junit.xml with go-junit, a JUnit
// parser CI tools build on, and checks what a CI server would show.
func TestJUnitParsesWithAConsumer(t *testing.T) {
	path := filepath.Join(t.TempDir(), "junit.xml")
	if err := WriteJUnit(sampleRun(), path); err != nil {
		t.Fatal(err)
	}
	suites, err := junit.IngestFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(suites) != 1 {
		t.Fatalf("%d suites, want 1", len(suites))
	}
	s := suites[0]
	if s.Name != "tokencert rfc6749" || s.Package != "http://127.0.0.1:8080/token" {
		t.Errorf("suite %q package %q", s.Name, s.Package)
	}
	// The SHOULD-level failure is a finding: a passing test case that
	// carries it, as the run is not strict.
	want := junit.Totals{Tests: 8, Passed: 5, Failed: 1, Error: 1, Skipped: 1}
	got := s.Totals
	got.Duration = 0
	if got != want {
		t.Errorf("totals %+v, want %+v", got, want)
	}
	for k, v := range map[string]string{"spec": "rfc6749", "verdict": "fail", "certify": "false", "label_filter": "",
		"spec_sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"} {
		if s.Properties[k] != v {
			t.Errorf("suite property %s = %q, want %q", k, s.Properties[k], v)
		}
	}
	seen := map[string]bool{}
	for i, tc := range s.Tests {
		if seen[tc.Name] {
			t.Errorf("duplicate testcase name %q", tc.Name)
		}
		seen[tc.Name] = true
		if tc.Name != sortedNames[i] {
			t.Errorf("testcase %d is %q, want %q", i, tc.Name, sortedNames[i])
		}
	}
	byName := map[string]junit.Test{}
	for _, tc := range s.Tests {
		byName[tc.Name] = tc
	}
	tt := byName["RFC6749-5.1-TOKEN-TYPE token_type is present and registered"]
	if tt.Status != junit.StatusFailed || tt.Message != "token_type is missing" || tt.Classname != "tokencert.rfc6749.fields" {
		t.Errorf("failed check: status %s message %q classname %q", tt.Status, tt.Message, tt.Classname)
	}
	if !strings.Contains(tt.SystemOut, "> POST http://127.0.0.1:8080/token") || !strings.Contains(tt.SystemOut, "< 200") ||
		!strings.Contains(tt.SystemOut, "<script>alert('x')</script>") {
		t.Errorf("evidence missing from system-out:\n%s", tt.SystemOut)
	}
	if e := byName["RFC6749-6-REFRESH-WORKS a refresh token can be used"]; e.Status != junit.StatusError || e.Message != "the check timed out: refresh" {
		t.Errorf("errored check: %s %q", e.Status, e.Message)
	}
	if sk := byName["RFC6749-10.4-REFRESH-ROTATION refresh tokens rotate"]; sk.Status != junit.StatusSkipped || sk.Classname != "tokencert.rfc6749.refresh" {
		t.Errorf("skipped check: %s %q", sk.Status, sk.Classname)
	}
	if ok := byName["RFC6749-5.1-STATUS-200 a valid request gets 200"]; ok.Status != junit.StatusPassed || ok.Duration.Milliseconds() != 12 {
		t.Errorf("passed check: %s %s", ok.Status, ok.Duration)
	}
}

// TestJUnitTestcaseProperties decodes the per-testcase properties, which
// go-junit does not read.
func TestJUnitTestcaseProperties(t *testing.T) {
	b, err := renderJUnit(sampleRun())
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Suites []struct {
			Cases []struct {
				Name  string `xml:"name,attr"`
				Props []struct {
					Name  string `xml:"name,attr"`
					Value string `xml:"value,attr"`
				} `xml:"properties>property"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	for _, c := range doc.Suites[0].Cases {
		props := map[string]string{}
		for _, p := range c.Props {
			props[p.Name] = p.Value
		}
		if !strings.HasPrefix(c.Name, props["requirement"]+" ") || props["level"] == "" || props["cite"] == "" || props["spec"] != "rfc6749" {
			t.Errorf("%s: properties %v", c.Name, props)
		}
	}
}

func TestJUnitIsDeterministic(t *testing.T) {
	a, err := renderJUnit(sampleRun())
	if err != nil {
		t.Fatal(err)
	}
	r := sampleRun()
	// Shuffle, keeping the duplicates in plan order: their numbering
	// follows it.
	dup := r.Checks[4]
	r.Checks = append(r.Checks[:4], r.Checks[5:]...)
	rng := rand.New(rand.NewPCG(1, 2))
	rng.Shuffle(len(r.Checks), func(i, j int) { r.Checks[i], r.Checks[j] = r.Checks[j], r.Checks[i] })
	r.Checks = append(r.Checks, dup)
	b, err := renderJUnit(r)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("the same run in another order gives other bytes")
	}
	if bytes.Contains(a, []byte("\x00")) || bytes.Contains(a, []byte("\x1b")) {
		t.Error("characters XML forbids were written")
	}
	if os.Getenv("TOKENCERT_DUMP") != "" {
		t.Logf("%s", a)
	}
}

func TestTranscriptShowsControlBytes(t *testing.T) {
	ex := result.Exchange{Label: "x", Request: result.Message{Method: "GET", URL: "http://127.0.0.1/"},
		Response: &result.Message{Status: 200, Body: "a\x00b\x1b[31m\xffc\ttab\ufffd\r\nnext"}}
	got := exchangeText(ex)
	want := "< a\\x00b\\x1b[31m\\xffc\ttab\ufffd\\x0d\n< next\n"
	if !strings.HasSuffix(got, want) {
		t.Errorf("transcript ends %q, want %q", got, want)
	}
}

// Under --strict a SHOULD-level failure is a failed test case like any
// other; without it, a passing one whose property and system-out say so.
func TestJUnitFindings(t *testing.T) {
	for _, strict := range []bool{false, true} {
		r := sampleRun()
		r.Strict = strict
		path := filepath.Join(t.TempDir(), "junit.xml")
		if err := WriteJUnit(r, path); err != nil {
			t.Fatal(err)
		}
		suites, err := junit.IngestFile(path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(path)
		if has := strings.Contains(string(b), `<property name="finding"`); has == strict {
			t.Errorf("strict %v: finding property present: %v", strict, has)
		}
		for _, tc := range suites[0].Tests {
			if !strings.HasPrefix(tc.Name, "OAUTH21-JSON-NO-NULL") {
				continue
			}
			finding := tc.Properties["status"] == "finding"
			switch {
			case strict && (tc.Status != junit.StatusFailed || finding):
				t.Errorf("strict: %s (finding %v), want a failure", tc.Status, finding)
			case !strict && (tc.Status != junit.StatusPassed || !finding || !strings.Contains(tc.SystemOut, "FINDING (SHOULD")):
				t.Errorf("not strict: %s (status attribute finding: %v), want a passing case carrying the finding", tc.Status, finding)
			}
		}
	}
}
