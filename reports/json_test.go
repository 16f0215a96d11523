package reports

import (
	"bytes"
	"encoding/json"
	"github.com/tokencert/tokencert/result"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestJSONRoundTrips(t *testing.T) {
	path := filepath.Join(t.TempDir(), "report.json")
	if err := WriteJSON(sampleRun(), path); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got result.Run
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	want := normalized(sampleRun())
	if got.Verdict != want.Verdict || got.Spec.SHA256 != want.Spec.SHA256 || len(got.Checks) != len(want.Checks) ||
		!got.Started.Equal(want.Started) || got.Schemas["rfc6749/token-response.json"] != want.Schemas["rfc6749/token-response.json"] {
		t.Fatalf("round trip lost data: %+v", got)
	}
	for i, c := range got.Checks {
		w := want.Checks[i]
		if c.Name != w.Name || c.ID != w.ID || c.Level != w.Level || c.Verdict != w.Verdict || c.Duration != w.Duration ||
			c.Message != w.Message || len(c.Evidence) != len(w.Evidence) {
			t.Errorf("check %d: got %+v, want %+v", i, c, w)
		}
	}
	fail := got.Checks[3]
	if fail.Evidence[0].Response.Body != want.Checks[3].Evidence[0].Response.Body {
		t.Errorf("evidence body %q", fail.Evidence[0].Response.Body)
	}
	if !strings.Contains(string(b), `"started": "2026-03-14T08:26:53Z"`) {
		t.Error("times are not written in UTC")
	}
	if !bytes.HasSuffix(b, []byte("}\n")) || !bytes.Contains(b, []byte("\n  \"spec\": {")) {
		t.Error("not indented")
	}
}

func TestJSONIsDeterministic(t *testing.T) {
	r := sampleRun()
	a, _ := renderJSON(r)
	r.Started = r.Started.In(time.UTC)
	b, _ := renderJSON(r)
	if !bytes.Equal(a, b) {
		t.Error("the time zone changed the bytes")
	}
	// Header and schema maps marshal sorted.
	if i, j := bytes.Index(a, []byte(`"Cache-Control"`)), bytes.Index(a, []byte(`"Content-Type": [`+"\n"+`                "application/json"`)); i < 0 || j < 0 || i > j {
		t.Errorf("headers not sorted (%d, %d)", i, j)
	}
}
