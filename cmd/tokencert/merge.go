package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/tokencert/tokencert/internal/plural"
	"github.com/tokencert/tokencert/reports"
	"github.com/tokencert/tokencert/runner"
	"github.com/tokencert/tokencert/version"
)

// mergeCmd combines the indexes (or single bundles) of several runs, such
// as the shards of a fleet, into one index whose exit code is the worst.
// mergeHelp is 'tokencert merge --help'.
var mergeHelp = help{
	Usage: "merge [--out DIR] RUN...",
	About: "Combines the indexes of several runs, such as the shards of a fleet, into one: each RUN is the report dir of " +
		"a run over several targets (it has index.json) or a single report bundle (report.json). Writes index.json, " +
		"index.md and index.html into --out, listing every target with its bundle linked where it is, and exits with " +
		"the worst exit code of them all.",
	Exits:   []string{"the worst of the runs': 2, then 1, then 3, then 4, then 0 (see 'tokencert run --help')", "2: also usage, or a RUN that cannot be read"},
	Example: "tokencert merge --out fleet out/shard-*",
}

func mergeCmd(args []string, stdout, stderr io.Writer) int {
	fs := mergeHelp.flags("merge", stderr)
	out := fs.String("out", "tokencert-report", "where the merged index.json, index.md and index.html are written")
	dirs, err := mergeHelp.parse(fs, args, stdout)
	if err != nil {
		return exitOf(err)
	}
	if len(dirs) == 0 {
		return mergeHelp.usageError(stderr, "merge", "name at least one report dir")
	}
	absOut, err := filepath.Abs(*out)
	if err != nil {
		fmt.Fprintf(stderr, "tokencert merge: --out: %v\n", err)
		return runner.ExitUsage
	}
	merged := &reports.Index{Tool: version.Tool(), Targets: []reports.IndexEntry{}}
	seen := map[string]bool{}
	for _, dir := range dirs {
		abs, err := filepath.Abs(dir)
		if err != nil || seen[abs] {
			continue
		}
		seen[abs] = true
		// rel is a path of dir's as the merged index links it.
		rel := func(p string) string {
			if p == "" {
				return ""
			}
			r, err := filepath.Rel(absOut, filepath.Join(abs, p))
			if err != nil {
				return filepath.Join(abs, p)
			}
			return filepath.ToSlash(r)
		}
		x, err := reports.ReadIndex(dir)
		switch {
		case err == nil:
			for _, e := range x.Targets {
				e.Bundle, e.Log = rel(e.Bundle), rel(e.Log)
				merged.Targets = append(merged.Targets, e)
			}
			merged.ExitCode = runner.Worst(merged.ExitCode, x.ExitCode)
			merged.Jobs = max(merged.Jobs, x.Jobs)
			widen(merged, x.Started, x.Finished)
		case errors.Is(err, os.ErrNotExist):
			r, rerr := reports.ReadRun(dir)
			if rerr != nil {
				fmt.Fprintf(stderr, "tokencert merge: %s: neither a report dir with %s nor a bundle with %s\n", dir, reports.IndexJSONFile, reports.JSONFile)
				return runner.ExitUsage
			}
			e := reports.EntryFromRun(reports.IndexEntry{Target: dir, Bundle: rel("."), ExitCode: r.ExitCode, Duration: r.Finished.Sub(r.Started)}, r)
			merged.Targets = append(merged.Targets, e)
			widen(merged, r.Started, r.Finished)
		default:
			fmt.Fprintf(stderr, "tokencert merge: %v\n", err)
			return runner.ExitUsage
		}
	}
	for _, e := range merged.Targets {
		merged.ExitCode = runner.Worst(merged.ExitCode, e.ExitCode)
	}
	if err := reports.WriteIndex(*out, merged); err != nil {
		fmt.Fprintf(stderr, "tokencert merge: writing the index: %v\n", err)
		return runner.Worst(merged.ExitCode, runner.ExitFail)
	}
	fmt.Fprintf(stdout, "tokencert: merged %s: %s — exit %d — index in %s\n", plural.N(len(seen), "run"), tally(merged), merged.ExitCode, filepath.Join(*out, reports.IndexMarkdownFile))
	return merged.ExitCode
}

// widen stretches x's start and finish to cover another run's.
func widen(x *reports.Index, started, finished time.Time) {
	if x.Started.IsZero() || started.Before(x.Started) {
		x.Started = started
	}
	if finished.After(x.Finished) {
		x.Finished = finished
	}
}
