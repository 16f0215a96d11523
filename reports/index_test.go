package reports

import (
	"encoding/json"
	"github.com/tokencert/tokencert/result"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func sampleIndex() *Index {
	return &Index{
		Tool: "tokencert 0.1.0", Started: t0, Finished: t0.Add(3 * time.Second), Jobs: 2, ExitCode: 2,
		Targets: []IndexEntry{
			{Target: "t/a.yaml", Bundle: "a", Log: "a.log", Spec: "rfc6749", Endpoint: "https://a.example/token", Verdict: result.RunFail, ExitCode: 1,
				Message: "36 passed | 1 failed <script>", Requests: 25, Counts: &IndexCounts{Pass: 36, Fail: 1, MandatoryFailed: 1}},
			{Target: "t/b.yaml", Log: "b.log", Verdict: RunNoBundle, ExitCode: 2, Message: "t/b.yaml: bogus: unknown key"},
		},
	}
}

func TestWriteIndex(t *testing.T) {
	dir := t.TempDir()
	if err := WriteIndex(dir, sampleIndex()); err != nil {
		t.Fatal(err)
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	var x Index
	if err := json.Unmarshal([]byte(read(IndexJSONFile)), &x); err != nil {
		t.Fatal(err)
	}
	if x.ExitCode != 2 || len(x.Targets) != 2 || x.Targets[0].Counts.Fail != 1 || x.Started.Location() != time.UTC {
		t.Errorf("index.json round trip: %+v", x)
	}
	md := read(IndexMarkdownFile)
	for _, want := range []string{"exit code 2", "| `t/a.yaml` | ❌ FAIL | 1 | 36 | 1 |", "36 passed \\| 1 failed", "— (log `b.log`)"} {
		if !strings.Contains(md, want) {
			t.Errorf("index.md lacks %q:\n%s", want, md)
		}
	}
	html := read(IndexHTMLFile)
	if strings.Contains(html, "<script>") || !strings.Contains(html, `href="a/report.html"`) || !strings.Contains(html, `href="b.log"`) {
		t.Errorf("index.html escapes nothing or links wrong:\n%s", html)
	}
	// The same index gives the same bytes.
	dir2 := t.TempDir()
	if err := WriteIndex(dir2, sampleIndex()); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{IndexJSONFile, IndexMarkdownFile, IndexHTMLFile} {
		b, _ := os.ReadFile(filepath.Join(dir2, name))
		if string(b) != read(name) {
			t.Errorf("%s differs between two writes of one index", name)
		}
	}
}
