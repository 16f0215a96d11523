package main

import (
	"fmt"
	"io"

	"github.com/tokencert/tokencert/internal/plural"
	"github.com/tokencert/tokencert/lint"
	"github.com/tokencert/tokencert/specs"
)

// lintHelp is 'tokencert lint --help'.
var lintHelp = help{
	Usage: "lint [--try-faults=false] [SPEC]...",
	About: "Checks spec files (ending in .yaml, .yml or .json) or built-in specs (by name; none: every one) without " +
		"sending a request to an endpoint: YAML syntax, the spec format, every requirement resolvable and checked, every " +
		"check's argument, the schemas' constraints tied to requirements, and what the reference server can model, each " +
		"fault a requirement names tried against it in memory. Every problem of a file is printed in one pass as " +
		"FILE:LINE: SEVERITY: MESSAGE; a requirement no check implements gets the check kinds that fit it.",
	Exits:   []string{"0: no errors (warnings are printed)", "2: errors, or usage"},
	Example: "tokencert lint specs/examples/zoho.yaml",
}

// lintCmd checks spec files (or built-in specs) without sending a request:
// exit 0 with no errors (warnings are printed), 2 with any.
func lintCmd(args []string, stdout, stderr io.Writer) int {
	fs := lintHelp.flags("lint", stderr)
	tryFaults := fs.Bool("try-faults", true, "run each fault a requirement names (faults:) against the reference server in memory, and refuse one that cannot break it")
	names, err := lintHelp.parse(fs, args, stdout)
	if err != nil {
		return exitOf(err)
	}
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
	fmt.Fprintf(stdout, "tokencert lint: %s, %s, %s\n", plural.N(len(names), "spec"), plural.N(errors, "error"), plural.N(warnings, "warning"))
	if errors > 0 {
		return 2
	}
	return 0
}
