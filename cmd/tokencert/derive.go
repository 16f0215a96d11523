package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/tokencert/tokencert/derive"
	"github.com/tokencert/tokencert/specs"
)

// deriveCmd writes a draft spec, its schemas and derive-notes.md from a
// token API's document.
func deriveCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("derive", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", ".", "folder to write NAME.yaml, schemas/NAME/*.json and derive-notes.md into")
	name := fs.String("name", "", "the spec's name (default: from the document's file name)")
	endpoint := fs.String("endpoint", "", "the token endpoint's path, when the document names several candidates")
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: tokencert derive DOC [--out DIR] [--name NAME] [--endpoint PATH]\n\nDOC is a Markdown, text, HTML or OpenAPI (3.x, or Swagger 2) document of a token API.\n\n")
		fs.PrintDefaults()
	}
	var pos []string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			return 2
		}
		args = fs.Args()
		if len(args) > 0 {
			pos = append(pos, args[0])
			args = args[1:]
		}
	}
	if len(pos) != 1 {
		fs.Usage()
		return 2
	}
	doc := pos[0]
	fi, err := os.Stat(doc)
	if err != nil {
		fmt.Fprintf(stderr, "tokencert derive: %v\n", err)
		return 2
	}
	if fi.Size() > derive.MaxSize {
		fmt.Fprintf(stderr, "tokencert derive: %s: %v: %d bytes; derive reads documents of at most %d bytes\n", doc, derive.ErrRefused, fi.Size(), derive.MaxSize)
		return 2
	}
	src, err := os.ReadFile(doc)
	if err != nil {
		fmt.Fprintf(stderr, "tokencert derive: %v\n", err)
		return 2
	}
	res, err := derive.Derive(doc, src, derive.Options{Name: *name, Endpoint: *endpoint})
	if err != nil {
		fmt.Fprintf(stderr, "tokencert derive: %s: %v\n", doc, err)
		return 2
	}
	files := map[string][]byte{res.Name + ".yaml": res.Spec, "derive-notes.md": res.Notes}
	for p, b := range res.Schemas {
		files[p] = b
	}
	var names []string
	for p := range files {
		names = append(names, p)
	}
	sort.Strings(names)
	for _, p := range names {
		full := filepath.Join(*out, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			fmt.Fprintf(stderr, "tokencert derive: %v\n", err)
			return 2
		}
		if err := os.WriteFile(full, files[p], 0o644); err != nil {
			fmt.Fprintf(stderr, "tokencert derive: %v\n", err)
			return 2
		}
		fmt.Fprintf(stdout, "wrote %s\n", full)
	}
	specPath := filepath.Join(*out, res.Name+".yaml")
	fmt.Fprintf(stdout, "read %s as %s; %d decision(s) need review (derive-notes.md)\n", doc, res.Format, res.Decisions)
	_, err = specs.Load(specPath)
	var te *specs.TODOError
	switch {
	case err == nil:
		fmt.Fprintf(stdout, "%s loads: review it, then tokencert run --spec %s\n", specPath, specPath)
	case errors.As(err, &te) && te.Other == nil:
		fmt.Fprintf(stdout, "%s is a draft: %d TODO(derive) marker(s) block tokencert run until resolved:\n", specPath, len(te.TODOs))
		for _, t := range te.TODOs {
			fmt.Fprintf(stdout, "  %s:%d: %s\n", specPath, t.Line, t.Text)
		}
	default:
		fmt.Fprintf(stderr, "tokencert derive: the derived spec does not load (a bug in derive; please report it with the document):\n%v\n", err)
		return 1
	}
	return 0
}
