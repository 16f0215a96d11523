package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The loop closes: each seed document and each public document of derive's
// fixtures is derived, and derive either calls the draft ready, having
// linted it and certified the reference server configured from it, or
// exits 1 naming what blocks it (a TODO(derive) marker, a run that could
// not complete); it never calls ready a draft that fails, nor blames
// itself for a document that leaves a fact open.
func TestDerivedDocumentsVerify(t *testing.T) {
	t.Parallel()
	seeds, _ := filepath.Glob("../../../shared/seeds/00*.txt")
	if len(seeds) == 0 {
		t.Skip("seed documents not found beside the repository")
	}
	public, _ := filepath.Glob("../../derive/testdata/public/*")
	for _, doc := range append(seeds, public...) {
		if strings.HasSuffix(doc, "SOURCES.md") || strings.HasSuffix(doc, "expected.yaml") {
			continue
		}
		doc, _ := filepath.Abs(doc)
		t.Run(filepath.Base(doc), func(t *testing.T) {
			t.Parallel()
			d := tokencert(t, nil, "derive", doc, "--out", t.TempDir(), "--name", "doc")
			switch {
			case d.exit == 0 && strings.Contains(d.stdout, "loads, lints clean and certifies the reference server configured from it"):
			case d.exit == 1 && strings.Contains(d.stdout, "is a draft:") && strings.Contains(d.stdout, "TODO(derive)"):
			case d.exit == 1 && strings.Contains(d.stderr, "cannot be certified with it completely"):
			default:
				t.Fatalf("derive: exit %d\n%s%s", d.exit, d.stdout, d.stderr)
			}
			if strings.Contains(d.stderr, "a bug in derive") {
				t.Errorf("derive: %s", d.stderr)
			}
		})
	}
}

// A document that leaves a required fact open yields a draft with a
// TODO(derive) marker; derive exits 1 saying which, lint warns of it, and
// run refuses the draft, naming the marker's line.
func TestDerivedDraftBlocksRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	doc := filepath.Join(dir, "acme.md")
	if err := os.WriteFile(doc, []byte("# Acme token\n\n## POST /oauth/token\n\n```sh\ncurl -X POST https://acme.test/oauth/token -u id:secret -d grant_type=client_credentials\n```\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d := tokencert(t, nil, "derive", doc, "--out", dir)
	if d.exit != 1 || !strings.Contains(d.stdout, "TODO(derive) marker(s) block tokencert run") || !strings.Contains(d.stdout, "no success body") {
		t.Fatalf("derive: exit %d\n%s%s", d.exit, d.stdout, d.stderr)
	}
	l := tokencert(t, nil, "lint", filepath.Join(dir, "acme.yaml"))
	if l.exit != 0 || !strings.Contains(l.stdout+l.stderr, "warning: response:") && !strings.Contains(l.stdout+l.stderr, "TODO(derive): the document shows no success body") {
		t.Errorf("lint of a draft: exit %d, want 0 with the marker as a warning\n%s%s", l.exit, l.stdout, l.stderr)
	}
	r := tokencert(t, nil, "run", "--spec", filepath.Join(dir, "acme.yaml"))
	if r.exit != 2 || !strings.Contains(r.stderr, "is a draft") || !strings.Contains(r.stderr, "acme.yaml:") || !strings.Contains(r.stderr, "TODO(derive): the document shows no success body") {
		t.Fatalf("run on a draft: exit %d, want 2 naming the TODO\n%s", r.exit, r.stderr)
	}
}

// Bad input is refused with exit 2 and a message saying why: no token
// endpoint (and what was looked for), a file over the size cap, a binary.
func TestDeriveBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	huge := make([]byte, 3<<20)
	for i := range huge {
		huge[i] = 'a'
	}
	for _, c := range []struct{ name, doc, want string }{
		{"no endpoint", write("recipes.md", []byte("# Recipes\n\nGET /recipes lists recipes.\n")), "no recognisable token endpoint: looked for a token request"},
		{"huge", write("huge.md", huge), "at most 2097152 bytes"},
		{"binary", write("blob.md", []byte("# x\x00\x01\x02")), "binary file"},
	} {
		r := tokencert(t, nil, "derive", c.doc, "--out", filepath.Join(dir, "out"))
		if r.exit != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%s: exit %d, want 2 with %q\n%s", c.name, r.exit, c.want, r.stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
		t.Error("a refused document wrote output")
	}
}
