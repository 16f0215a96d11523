package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/tokencert/tokencert/internal/plural"
	"github.com/tokencert/tokencert/reports"
	model "github.com/tokencert/tokencert/result"
	"github.com/tokencert/tokencert/runner"
	"github.com/tokencert/tokencert/shard"
	"github.com/tokencert/tokencert/target"
	"github.com/tokencert/tokencert/version"
)

// targetList collects repeated --target flags.
type targetList []string

func (l *targetList) String() string { return strings.Join(*l, ", ") }

func (l *targetList) Set(v string) error {
	if v == "" {
		return errors.New("empty target path")
	}
	*l = append(*l, v)
	return nil
}

// many reports whether the targets are certified one child process each:
// when there are several, or a directory of them.
func (l targetList) many() bool {
	if len(l) > 1 {
		return true
	}
	if len(l) == 1 {
		st, err := os.Stat(l[0])
		return err == nil && st.IsDir()
	}
	return false
}

// targetExts are the file extensions of target files in a directory.
var targetExts = []string{".yaml", ".yml", ".json"}

// expandTargets replaces each directory by its target files (sorted) and
// drops repetitions of a file.
func expandTargets(paths []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		key, err := filepath.Abs(p)
		if err != nil {
			key = filepath.Clean(p)
		}
		if !seen[key] {
			seen[key] = true
			out = append(out, p)
		}
	}
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, &target.Error{File: p, Problem: "cannot read: " + target.ReadProblem(err)}
		}
		if !st.IsDir() {
			add(p)
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			return nil, &target.Error{File: p, Problem: "cannot read the directory: " + target.ReadProblem(err)}
		}
		n := 0
		for _, e := range entries { // ReadDir sorts by name
			if e.Type().IsRegular() && slices.Contains(targetExts, strings.ToLower(filepath.Ext(e.Name()))) {
				add(filepath.Join(p, e.Name()))
				n++
			}
		}
		if n == 0 {
			return nil, &target.Error{File: p, Problem: "no target files (*.yaml, *.yml, *.json) in the directory"}
		}
	}
	return out, nil
}

// bundleNames names each target's bundle directory after its file: the
// name without extension, with the extension where two would collide, and
// a number where they still do.
func bundleNames(targets []string) []string {
	names := make([]string, len(targets))
	count := map[string]int{}
	for i, t := range targets {
		base := filepath.Base(t)
		names[i] = strings.TrimSuffix(base, filepath.Ext(base))
		count[names[i]]++
	}
	for i, t := range targets {
		if count[names[i]] > 1 {
			names[i] = filepath.Base(t)
		}
	}
	taken := map[string]bool{}
	for i, n := range names {
		name := n
		for k := 2; taken[name]; k++ {
			name = fmt.Sprintf("%s-%d", n, k)
		}
		taken[name], names[i] = true, name
	}
	return names
}

// childArgs are the run flags as given, without those the parent decides
// per target (--target, --jobs, --report-dir, --shard, --baseline); repeated and bool flags
// pass through as written.
func childArgs(fs *flag.FlagSet, args []string) []string {
	drop := map[string]bool{"target": true, "jobs": true, "report-dir": true, "shard": true, "baseline": true}
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" || !strings.HasPrefix(a, "-") || a == "-" {
			out = append(out, args[i:]...)
			break
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		takesNext := false
		if f := fs.Lookup(name); f != nil && !hasValue {
			b, isBool := f.Value.(interface{ IsBoolFlag() bool })
			takesNext = !isBool || !b.IsBoolFlag()
		}
		if drop[name] {
			if takesNext {
				i++
			}
			continue
		}
		out = append(out, a)
		if takesNext && i+1 < len(args) {
			i++
			out = append(out, args[i])
		}
	}
	return out
}

// fleet is a run over several targets.
type fleet struct {
	given     []string
	jobs      int
	reportDir string
	// shard, when set, picks this job's share of the targets.
	shard *shard.Shard
	// baseline is an earlier fleet run's report dir: each target is
	// compared with its bundle there.
	baseline string
}

// runMany certifies each target in a child process (Ginkgo runs one suite
// per process), jobs at a time, each into a bundle of its own under
// reportDir, then writes the index there and returns the worst exit code.
func runMany(fs *flag.FlagSet, args []string, f fleet, stdout, stderr io.Writer) int {
	jobs, reportDir := f.jobs, f.reportDir
	if jobs < 1 {
		fmt.Fprintf(stderr, "tokencert: command line: --jobs: %d; want at least 1\n", jobs)
		return runner.ExitUsage
	}
	all, err := expandTargets(f.given)
	if err != nil {
		fmt.Fprintf(stderr, "tokencert: %v\n", err)
		return runner.ExitUsage
	}
	// Bundle names come from the whole fleet, so that every shard names a
	// target's bundle alike and merged indexes do not collide.
	allNames := bundleNames(all)
	var targets, names []string
	for i, t := range all {
		if f.shard == nil || f.shard.Owns(filepath.Base(t)) {
			targets, names = append(targets, t), append(names, allNames[i])
		}
	}
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "tokencert: cannot re-run itself for each target: %v\n", err)
		return runner.ExitUsage
	}
	if err := os.MkdirAll(reportDir, 0o755); err != nil {
		fmt.Fprintf(stderr, "tokencert: report dir: %v\n", err)
		return runner.ExitUsage
	}
	base := childArgs(fs, args)
	idx := &reports.Index{Tool: version.Tool(), Started: time.Now(), Jobs: jobs, Targets: make([]reports.IndexEntry, len(targets))}
	if f.shard != nil {
		idx.Shard = f.shard.String()
		fmt.Fprintf(stdout, "tokencert: shard %s: %d of the %d targets\n", f.shard, len(targets), len(all))
	}
	// An interrupt starts no further target and is passed on to the
	// running ones, which write their bundles; then the index is written.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Fprintf(stdout, "tokencert: certifying %s, %d at a time; bundles and index in %s\n", plural.N(len(targets), "target"), jobs, reportDir)
	var (
		mu   sync.Mutex
		done int
		wg   sync.WaitGroup
		sem  = make(chan struct{}, jobs)
	)
	report := func(i int, e reports.IndexEntry) {
		mu.Lock()
		defer mu.Unlock()
		idx.Targets[i] = e
		done++
		fmt.Fprintf(stdout, "tokencert: [%d/%d] %s: %s (exit %d) — %s — %s\n", done, len(targets), e.Target, strings.ToUpper(e.Verdict), e.ExitCode, firstLine(e.Message), where(reportDir, e))
	}
	for i, t := range targets {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			report(i, reports.IndexEntry{Target: t, Verdict: reports.RunNoBundle, ExitCode: runner.ExitFail, Message: "not run: interrupted"})
			continue
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			args := base
			if f.baseline != "" {
				args = append(slices.Clip(base), "--baseline", baselineOf(f.baseline, names[i]))
			}
			report(i, certifyOne(ctx, self, args, t, names[i], reportDir))
		}()
	}
	wg.Wait()
	idx.Finished = time.Now()
	for _, e := range idx.Targets {
		idx.ExitCode = runner.Worst(idx.ExitCode, e.ExitCode)
	}
	if err := reports.WriteIndex(reportDir, idx); err != nil {
		fmt.Fprintf(stderr, "tokencert: writing the index: %v\n", err)
		idx.ExitCode = runner.Worst(idx.ExitCode, runner.ExitFail)
	}
	fmt.Fprintf(stdout, "\ntokencert: %s — exit %d — index in %s\n", tally(idx), idx.ExitCode, filepath.Join(reportDir, reports.IndexMarkdownFile))
	return idx.ExitCode
}

// baselineOf is the bundle of the target whose bundle is named name in an
// earlier fleet run's report dir: the one its index names (a merged index
// keeps bundles in sub-directories), else dir/name.
func baselineOf(dir, name string) string {
	if x, err := reports.ReadIndex(dir); err == nil {
		for _, e := range x.Targets {
			if e.Bundle != "" && filepath.Base(e.Bundle) == name {
				return filepath.Join(dir, e.Bundle)
			}
		}
	}
	return filepath.Join(dir, name)
}

// interruptGrace is how long a target's run may take to write its bundle
// after it was interrupted.
const interruptGrace = 30 * time.Second

// certifyOne runs one target's child process and reads its verdict. When
// ctx ends, the child is interrupted, as by Ctrl-C.
func certifyOne(ctx context.Context, self string, base []string, target, name, reportDir string) reports.IndexEntry {
	bundle := filepath.Join(reportDir, name)
	e := reports.IndexEntry{Target: target, Bundle: name, Log: name + ".log"}
	args := append(append([]string{"run"}, base...), "--target", target, "--report-dir", bundle)
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, self, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = interruptGrace
	started := time.Now()
	err := cmd.Run()
	e.Duration = time.Since(started)
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee) && ee.ExitCode() >= 0:
		e.ExitCode = ee.ExitCode()
	default: // did not start, or killed by a signal
		e.ExitCode = runner.ExitFail
		fmt.Fprintf(&out, "\ntokencert: the run of %s did not finish: %v\n", target, err)
	}
	if werr := os.WriteFile(filepath.Join(reportDir, e.Log), out.Bytes(), 0o644); werr != nil {
		e.Log = ""
	}
	// The bundle is this run's only if its report.json started after the
	// child did: an older bundle of the same name is not this run's verdict.
	if r, rerr := reports.ReadRun(bundle); rerr == nil && !r.Started.Before(started.Truncate(time.Second)) {
		return reports.EntryFromRun(e, r)
	}
	e.Bundle, e.Verdict, e.Message = "", reports.RunNoBundle, lastMessage(out.String())
	if e.ExitCode == runner.ExitPass {
		e.ExitCode = runner.ExitFail // a run that passes writes a bundle
	}
	return e
}

// lastMessage is the last line tokencert wrote about the run, without its
// "tokencert: " prefix.
func lastMessage(out string) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if m, ok := strings.CutPrefix(strings.TrimSpace(lines[i]), "tokencert: "); ok {
			return m
		}
	}
	if len(lines) > 0 {
		return strings.TrimSpace(lines[len(lines)-1])
	}
	return ""
}

// firstLine is s up to its first line break.
func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// where is the entry's bundle, else its log.
func where(reportDir string, e reports.IndexEntry) string {
	switch {
	case e.Bundle != "":
		return filepath.Join(reportDir, e.Bundle)
	case e.Log != "":
		return filepath.Join(reportDir, e.Log)
	}
	return "no bundle"
}

// tally counts the targets by verdict, in a fixed order.
func tally(x *reports.Index) string {
	n := map[string]int{}
	for _, e := range x.Targets {
		n[e.Verdict]++
	}
	var parts []string
	for _, v := range []string{model.RunPass, model.RunFail, model.RunIncomplete, model.RunUnreachable, reports.RunNoBundle} {
		if n[v] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[v], v))
		}
	}
	return fmt.Sprintf("%s: %s", plural.N(len(x.Targets), "target"), strings.Join(parts, ", "))
}
