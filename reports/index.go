package reports

import (
	"encoding/json"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tokencert/tokencert/internal/plural"
	"github.com/tokencert/tokencert/result"
)

// Files of a run over several targets, beside the targets' bundles.
const (
	IndexJSONFile     = "index.json"
	IndexMarkdownFile = "index.md"
	IndexHTMLFile     = "index.html"
)

// RunNoBundle is the verdict of a target whose run wrote no bundle: its
// target file, flags or spec were refused, or the process died.
const RunNoBundle = "error"

// Index lists what a run over several targets found, one entry per target
// in the order the targets were given.
type Index struct {
	Tool     string    `json:"tool"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	Jobs     int       `json:"jobs"`
	// Shard is the share of the targets this run certified ("i/n"), if
	// it was one of several (run --shard).
	Shard string `json:"shard,omitempty"`
	// ExitCode is the process's: the worst of the targets' (see the README).
	ExitCode int          `json:"exit_code"`
	Targets  []IndexEntry `json:"targets"`
}

// IndexEntry is one target's outcome.
type IndexEntry struct {
	// Target is the target file as given (or found in a given directory).
	Target string `json:"target"`
	// Bundle and Log are relative to the index's directory.
	Bundle   string        `json:"bundle"`
	Log      string        `json:"log"`
	Spec     string        `json:"spec,omitempty"`
	Endpoint string        `json:"endpoint,omitempty"`
	Verdict  string        `json:"verdict"`
	ExitCode int           `json:"exit_code"`
	Message  string        `json:"message"`
	Requests int           `json:"requests"`
	Counts   *IndexCounts  `json:"counts,omitempty"`
	Duration time.Duration `json:"duration_ns"`
}

// IndexCounts tallies a target's verdicts.
type IndexCounts struct {
	Pass            int `json:"pass"`
	Fail            int `json:"fail"`
	Skip            int `json:"skip"`
	Error           int `json:"error"`
	MandatoryFailed int `json:"must_failed"`
	Waived          int `json:"waived,omitempty"`
}

// EntryFromRun fills an entry's verdict from the target's report.json; the
// exit code stays the process's.
func EntryFromRun(e IndexEntry, r *result.Run) IndexEntry {
	c := r.Count()
	e.Spec, e.Endpoint, e.Verdict, e.Message, e.Requests = r.Spec.Name, r.Endpoint, r.Verdict, r.Message, r.Requests
	e.Counts = &IndexCounts{Pass: c.Pass, Fail: c.Fail, Skip: c.Skip, Error: c.Error, MandatoryFailed: c.MandatoryFailed, Waived: c.Waived}
	return e
}

// ReadRun reads a bundle's report.json.
func ReadRun(bundle string) (*result.Run, error) {
	return readRunFile(filepath.Join(bundle, JSONFile))
}

// ReadReport reads a report.json given as the file or as its bundle
// directory, and returns the run and the file's path.
func ReadReport(path string) (*result.Run, string, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		path = filepath.Join(path, JSONFile)
	}
	r, err := readRunFile(path)
	return r, path, err
}

func readRunFile(path string) (*result.Run, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r result.Run
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: not a report.json: %v", path, err)
	}
	if r.Spec.Name == "" {
		return nil, fmt.Errorf("%s: not a tokencert report.json (no spec)", path)
	}
	return &r, nil
}

// ReadIndex reads dir's index.json.
func ReadIndex(dir string) (*Index, error) {
	path := filepath.Join(dir, IndexJSONFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var x Index
	if err := json.Unmarshal(b, &x); err != nil {
		return nil, fmt.Errorf("%s: not an index.json: %v", path, err)
	}
	return &x, nil
}

// WriteIndex writes index.json, index.md and index.html into dir.
func WriteIndex(dir string, x *Index) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	n := *x
	n.Started, n.Finished = n.Started.UTC(), n.Finished.UTC()
	j, err := json.MarshalIndent(&n, "", "  ")
	if err != nil {
		return err
	}
	h, err := renderIndexHTML(&n)
	if err != nil {
		return err
	}
	for name, b := range map[string][]byte{
		IndexJSONFile:     append(j, '\n'),
		IndexMarkdownFile: renderIndexMarkdown(&n),
		IndexHTMLFile:     h,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

var indexIcons = map[string]string{result.RunPass: "✅", result.RunFail: "❌", result.RunUnreachable: "⚠️", result.RunIncomplete: "🟡", RunNoBundle: "⛔"}

func renderIndexMarkdown(x *Index) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "### tokencert: %s, exit code %d\n\n", plural.N(len(x.Targets), "target"), x.ExitCode)
	b.WriteString("| Target | Verdict | Exit | Pass | Fail | Skip | Error | Requests | Bundle | Message |\n|---|---|---:|---:|---:|---:|---:|---:|---|---|\n")
	for _, e := range x.Targets {
		c := IndexCounts{}
		if e.Counts != nil {
			c = *e.Counts
		}
		bundle := "—"
		switch {
		case e.Counts != nil:
			bundle = mdCode(e.Bundle + "/")
		case e.Log != "":
			bundle = "— (log " + mdCode(e.Log) + ")"
		}
		fmt.Fprintf(&b, "| %s | %s %s | %d | %d | %d | %d | %d | %d | %s | %s |\n", mdCode(e.Target), indexIcons[e.Verdict], strings.ToUpper(e.Verdict),
			e.ExitCode, c.Pass, c.Fail, c.Skip, c.Error, e.Requests, bundle, mdText(clip(firstLine(e.Message), 200)))
	}
	return []byte(b.String())
}

var indexTemplate = template.Must(template.New("index").Funcs(template.FuncMap{
	"upper": strings.ToUpper,
	"icon":  func(v string) string { return indexIcons[v] },
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>tokencert: {{len .Targets}} targets</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}
.pass{background:#e6f4ea}.fail{background:#fce8e6}.unreachable,.error{background:#fef7e0}</style></head>
<body><h1>tokencert: {{len .Targets}} targets, exit code {{.ExitCode}}</h1>
<p>{{.Tool}} · started {{.Started.Format "2006-01-02 15:04:05Z07:00"}} · {{.Jobs}} at a time</p>
<table><tr><th>Target</th><th>Verdict</th><th>Exit</th><th>Checks</th><th>Requests</th><th>Report</th><th>Message</th></tr>
{{range .Targets}}<tr class="{{.Verdict}}"><td><code>{{.Target}}</code></td><td>{{icon .Verdict}} {{upper .Verdict}}</td><td>{{.ExitCode}}</td>
<td>{{with .Counts}}{{.Pass}} pass, {{.Fail}} fail, {{.Skip}} skip, {{.Error}} error{{end}}</td><td>{{.Requests}}</td>
<td>{{if .Counts}}<a href="{{.Bundle}}/report.html">{{.Bundle}}/</a>{{else if .Log}}<a href="{{.Log}}">{{.Log}}</a>{{else}}—{{end}}</td><td>{{.Message}}</td></tr>
{{end}}</table></body></html>
`))

func renderIndexHTML(x *Index) ([]byte, error) {
	var b strings.Builder
	if err := indexTemplate.Execute(&b, x); err != nil {
		return nil, err
	}
	return []byte(b.String()), nil
}
