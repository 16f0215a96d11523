package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/tokencert/tokencert/derive"
	"github.com/tokencert/tokencert/internal/plural"
	"github.com/tokencert/tokencert/lint"
	"github.com/tokencert/tokencert/runner"
	"github.com/tokencert/tokencert/specs"
)

// deriveCmd writes a draft spec, its schemas and derive-notes.md from a
// token API's document.
// deriveHelp is 'tokencert derive --help'.
var deriveHelp = help{
	Usage: "derive DOC [--out DIR] [--name NAME] [--endpoint PATH] [--verify=false]",
	About: "Writes a draft spec from DOC, a token API's document (Markdown, plain text, HTML or OpenAPI 3.x or Swagger 2, " +
		"told apart by content): NAME.yaml in the spec format, schemas/NAME/*.json, and derive-notes.md, which lists " +
		"every fact with its place in the document, every decision and every open question. What the document does not " +
		"say becomes a TODO(derive) marker, which 'tokencert run' refuses until it is resolved. With --verify (the " +
		"default) the draft is linted and certifies the reference server configured from it.",
	Exits: []string{"0: the draft loads, lints clean and certifies the reference server configured from it",
		"1: it does not: a TODO(derive) marker blocks it, or lint or the run fails (each is named)",
		exitUsageLine + ", or a document that cannot be read or holds no token endpoint"},
	Example: "tokencert derive vendor-token-api.md --out draft/ --name acme",
}

func deriveCmd(args []string, stdout, stderr io.Writer) int {
	fs := deriveHelp.flags("derive", stderr)
	out := fs.String("out", ".", "folder to write NAME.yaml, schemas/NAME/*.json and derive-notes.md into")
	name := fs.String("name", "", "the spec's name (default: from the document's file name)")
	endpoint := fs.String("endpoint", "", "the token endpoint's path, when the document names several candidates")
	verify := fs.Bool("verify", true, "check the draft: lint it and certify the reference server configured from it (a run of a few seconds)")
	pos, err := deriveHelp.parse(fs, args, stdout)
	if err != nil {
		return exitOf(err)
	}
	if len(pos) != 1 {
		return deriveHelp.usageError(stderr, "derive", "want one document, got %s", plural.N(len(pos), "argument"))
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
	case errors.As(err, &te) && te.Other == nil:
		fmt.Fprintf(stdout, "%s is a draft: %d TODO(derive) marker(s) block tokencert run until resolved:\n", specPath, len(te.TODOs))
		for _, t := range te.TODOs {
			fmt.Fprintf(stdout, "  %s:%d: %s\n", specPath, t.Line, t.Text)
		}
		return 1
	case err != nil:
		fmt.Fprintf(stderr, "tokencert derive: the derived spec does not load (a bug in derive; please report it with the document):\n%v\n", err)
		return 1
	case !*verify:
		fmt.Fprintf(stdout, "%s loads (not verified: --verify=false): review it, then tokencert run --spec %s\n", specPath, specPath)
		return 0
	}
	return verifyDraft(specPath, stdout, stderr)
}

// verifyDraft lints a derived spec and certifies the reference server
// configured from it, so that derive never calls a draft ready that lint
// refuses or that fails the server built to speak it.
func verifyDraft(specPath string, stdout, stderr io.Writer) int {
	problems := lint.Spec(specPath)
	if lint.Errors(problems) > 0 {
		fmt.Fprintf(stderr, "tokencert derive: lint refuses %s (a bug in derive; please report it with the document):\n", specPath)
		for _, p := range problems {
			fmt.Fprintf(stderr, "  %s\n", p)
		}
		return 1
	}
	dir, err := os.MkdirTemp("", "tokencert-derive-")
	if err != nil {
		fmt.Fprintf(stderr, "tokencert derive: %v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)
	// In a process of its own: a run is one Ginkgo suite per process, and
	// its console output is not derive's.
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "tokencert derive: %v\n", err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, self, "run", "--spec", specPath, "--lifetime", "1s", "--report-dir", filepath.Join(dir, "report"))
	cmd.Stdout, cmd.Stderr, cmd.Dir = &out, &out, dir
	exit := 0
	if err := cmd.Run(); err != nil {
		exit = -1
		if ee, ok := err.(*exec.ExitError); ok {
			exit = ee.ExitCode()
		}
	}
	verdict := ""
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(line, "tokencert: ") {
			verdict = line
		}
	}
	switch exit {
	case runner.ExitPass:
	case runner.ExitIncomplete:
		fmt.Fprintf(stderr, "tokencert derive: %s lints clean, but the reference server configured from it cannot be certified with it completely, so it is not shown to pass; review what the run lacked:\n  %s\n", specPath, verdict)
		return 1
	default:
		fmt.Fprintf(stderr, "tokencert derive: %s lints clean but the reference server configured from it fails it (exit %d; a bug in derive; please report it with the document):\n%s", specPath, exit, out.String())
		return 1
	}
	fmt.Fprintf(stdout, "%s loads, lints clean and certifies the reference server configured from it: review it, then tokencert run --spec %s\n", specPath, specPath)
	return 0
}
