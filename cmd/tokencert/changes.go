package main

import (
	"fmt"
	"io"

	"github.com/tokencert/tokencert/diff"
	"github.com/tokencert/tokencert/internal/plural"
	"github.com/tokencert/tokencert/reports"
	"github.com/tokencert/tokencert/runner"
)

// diffCmd says what changed between two runs. Exit 0: no regression; 1:
// regressions; 2: usage, unreadable reports, or runs of different specs.
// diffHelp is 'tokencert diff --help'.
var diffHelp = help{
	Usage: "diff [--format md|text|auto] OLD NEW",
	About: "Says what changed between two runs of one spec, OLD and NEW (report bundle directories or report.json files): " +
		"the requirements whose verdict changed, the checks newly failing, the new findings below the MUST level, the " +
		"checks newly passing, newly waived, failing with another message, with another verdict, added and removed, " +
		"the waivers added and removed, and the regressions. Fingerprints, times and durations in messages are not " +
		"changes. The output is Markdown when stdout is not a terminal (a CI job summary), plain text on one.",
	Exits: []string{
		"0: no regression",
		"1: regressions: a check NEW fails (counting towards its exit code, not waived) that passed, was skipped or was waived in OLD, or was not in it",
		"2: usage, a report that cannot be read, or runs of different specs",
	},
	Example: `tokencert diff last-week/ tokencert-report/ >> "$GITHUB_STEP_SUMMARY"`,
}

func diffCmd(args []string, stdout, stderr io.Writer) int {
	fs := diffHelp.flags("diff", stderr)
	format := fs.String("format", "auto", "md (Markdown, for a CI job summary), text, or auto: text on a terminal, else Markdown")
	paths, err := diffHelp.parse(fs, args, stdout)
	if err != nil {
		return exitOf(err)
	}
	if len(paths) != 2 {
		return diffHelp.usageError(stderr, "diff", "want OLD and NEW, got %s", plural.N(len(paths), "argument"))
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
