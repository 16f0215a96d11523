package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/tokencert/tokencert/diff"
	"github.com/tokencert/tokencert/reports"
	"github.com/tokencert/tokencert/runner"
)

// diffCmd says what changed between two runs. Exit 0: no regression; 1:
// regressions; 2: usage, unreadable reports, or runs of different specs.
func diffCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("diff", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "auto", "md (Markdown, for a CI job summary), text, or auto: text on a terminal, else Markdown")
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: tokencert diff [--format md|text|auto] OLD NEW\n\n"+
			"OLD and NEW are report bundle directories or report.json files of runs of one\n"+
			"spec. Lists the checks newly failing, newly passing, failing with a changed\n"+
			"message, with another verdict, added and removed, and the regressions: checks\n"+
			"NEW fails that count towards its exit code, are not waived, and did not fail\n"+
			"in OLD. Exit status: 0 no regression, 1 regressions, 2 usage or runs that do\n"+
			"not compare.\n\n")
		fs.PrintDefaults()
	}
	paths, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return runner.ExitUsage
	}
	if len(paths) != 2 {
		fmt.Fprintf(stderr, "tokencert diff: want OLD and NEW, got %d arguments\n", len(paths))
		fs.Usage()
		return runner.ExitUsage
	}
	if *format != "auto" && *format != "md" && *format != "text" {
		fmt.Fprintf(stderr, "tokencert diff: --format %q: want md, text or auto\n", *format)
		return runner.ExitUsage
	}
	old, oldPath, err := reports.ReadReport(paths[0])
	if err != nil {
		fmt.Fprintf(stderr, "tokencert diff: %v\n", err)
		return runner.ExitUsage
	}
	cur, _, err := reports.ReadReport(paths[1])
	if err != nil {
		fmt.Fprintf(stderr, "tokencert diff: %v\n", err)
		return runner.ExitUsage
	}
	ch, err := diff.Compare(old, cur, oldPath)
	if err != nil {
		fmt.Fprintf(stderr, "tokencert diff: %s and %s: %v\n", paths[0], paths[1], err)
		return runner.ExitUsage
	}
	if *format == "md" || (*format == "auto" && !runner.IsTerminal(stdout)) {
		fmt.Fprint(stdout, reports.ChangesMarkdown(ch))
	} else {
		fmt.Fprint(stdout, reports.ChangesText(ch))
	}
	if len(ch.Regressions) > 0 {
		return runner.ExitFail
	}
	return runner.ExitPass
}

// parseInterspersed parses fs's flags before, between and after the
// positional arguments, and returns those.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}
