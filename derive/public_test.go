package derive

import (
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/tokencert/tokencert/specs"
	"sigs.k8s.io/yaml"
)

// publicRows derives the public documents of testdata/public and judges
// each fact against the facts a reader takes from it (expected.yaml).
func publicRows(t *testing.T) []measured {
	t.Helper()
	b, err := os.ReadFile("testdata/public/expected.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var exp map[string]struct {
		Spec     specs.Spec        `json:"spec"`
		Members  map[string]string `json:"members"`
		Optional map[string]string `json:"optional"`
		// HeldOut is the first run's verdicts on a document no rule was
		// written for, reported beside the current ones.
		HeldOut string `json:"held_out"`
	}
	if err := yaml.Unmarshal(b, &exp); err != nil {
		t.Fatal(err)
	}
	var files []string
	for f := range exp {
		files = append(files, f)
	}
	sort.Strings(files)
	var rows []measured
	for _, file := range files {
		e := exp[file]
		name := NameFrom(file)
		res := deriveFile(t, filepath.Join("testdata/public", file), name)
		want := specView{spec: e.Spec, members: e.Members, types: map[string]string{}, truth: true}
		for _, m := range []map[string]string{e.Members, e.Optional} {
			for n, t := range m {
				want.types[n] = t
			}
		}
		got := view(t, res.Spec, res.Schemas["schemas/"+name+"/token-response.json"])
		var documented []string
		for c := range e.Spec.Errors.Conditions {
			documented = append(documented, c)
		}
		os := compare(want, got, false, documented)
		for _, o := range os {
			t.Logf("%s: %-28s %-6s want %q got %q", file, o.fact, o.verdict, o.want, o.got)
			if o.verdict == "wrong" {
				t.Errorf("%s: %s is wrong: want %q, derived %q", file, o.fact, o.want, o.got)
			}
		}
		label := file + " (public, " + res.Format + ")"
		if e.HeldOut != "" {
			label = file + " (public, " + res.Format + "; held out, first run: " + e.HeldOut + ")"
		}
		rows = append(rows, tally(label, "testdata/public/expected.yaml", os))
	}
	return rows
}
