package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/tokencert/tokencert/lint"
	"github.com/tokencert/tokencert/specs"
)

// lintCmd checks spec files (or built-in specs) without sending a request:
// exit 0 with no errors (warnings are printed), 2 with any.
func lintCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lint", flag.ContinueOnError)
	fs.SetOutput(stderr)
	tryFaults := fs.Bool("try-faults", true, "run each fault a requirement names (faults:) against the reference server in memory, and refuse one that cannot break it")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: tokencert lint [--try-faults=false] SPEC... (spec files ending in .yaml, .yml or .json, or built-in spec names; none: every built-in spec)")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	names := fs.Args()
	if len(names) == 0 {
		names = specs.Names()
	}
	errors, warnings := 0, 0
	for _, name := range names {
		ps := lint.Check(name, lint.Options{TryFaults: *tryFaults})
		for _, p := range ps {
			fmt.Fprintln(stdout, p)
		}
		e := lint.Errors(ps)
		errors, warnings = errors+e, warnings+len(ps)-e
	}
	fmt.Fprintf(stdout, "tokencert lint: %d specs, %d errors, %d warnings\n", len(names), errors, warnings)
	if errors > 0 {
		return 2
	}
	return 0
}
