// Command tokencert-bench measures full tokencert runs against the
// reference server (package bench) and prints each measure, the median
// and issue 6's targets. With -check it exits 1 when the median misses a
// target. `make bench` runs it.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tokencert/tokencert/bench"
)

var stdout io.Writer = os.Stdout

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "tokencert-bench: %v\n", err)
		os.Exit(1)
	}
}

// scenario is one measured situation and its targets.
type scenario struct {
	name, what string
	config     func(bin, dir string) bench.Config
	targets    []bench.Target
}

var scenarios = []scenario{
	{"default", "issue 6: the server shares this machine's clock, --skew 500ms, paced at 100 requests a second", bench.DefaultConfig, bench.Targets},
	{"offset", "issue 19: the server's clock is 37s ahead, default settings (skew estimated, 10 requests a second)", bench.OffsetConfig, bench.OffsetTargets},
}

func run(args []string) error {
	fs := flag.NewFlagSet("tokencert-bench", flag.ContinueOnError)
	runs := fs.Int("runs", 3, "measured runs")
	bin := fs.String("bin", "", "tokencert binary (default: build ./cmd/tokencert)")
	latency := fs.Duration("latency", 0, "server latency (default: the scenario's)")
	lifetime := fs.Duration("lifetime", 0, "access-token lifetime (default: the scenario's)")
	spec := fs.String("spec", "rfc6749", "spec")
	only := fs.String("scenario", "", "measure only this scenario (default, offset)")
	check := fs.Bool("check", false, "exit 1 when the median misses a target")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *runs < 1 {
		return fmt.Errorf("-runs %d: want at least 1", *runs)
	}
	ctx := context.Background()
	tmp, err := os.MkdirTemp("", "tokencert-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if *bin == "" {
		if *bin, err = bench.Build(ctx, tmp); err != nil {
			return err
		}
	}
	missed, measured := 0, 0
	for _, sc := range scenarios {
		if *only != "" && sc.name != *only {
			continue
		}
		measured++
		edit := func(c *bench.Config) {
			c.Spec = *spec
			if *latency > 0 {
				c.Latency = *latency
			}
			if *lifetime > 0 {
				c.Lifetime = *lifetime
			}
		}
		n, err := measure(ctx, sc, *bin, filepath.Join(tmp, sc.name), *runs, edit)
		if err != nil {
			return fmt.Errorf("scenario %s: %v", sc.name, err)
		}
		missed += n
	}
	if measured == 0 {
		return fmt.Errorf("-scenario %q: want default or offset", *only)
	}
	if missed > 0 && *check {
		return fmt.Errorf("%d target(s) missed", missed)
	}
	return nil
}

// measure runs one scenario, prints its table and targets, and returns how
// many targets the median missed.
func measure(ctx context.Context, sc scenario, bin, tmp string, runs int, edit func(*bench.Config)) (int, error) {
	var rs []*bench.Result
	var c bench.Config
	for i := range runs {
		dir := filepath.Join(tmp, fmt.Sprint("run", i+1))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return 0, err
		}
		c = sc.config(bin, dir)
		edit(&c)
		r, err := bench.Measure(ctx, c)
		if err != nil {
			// An inconsistent measure is an error too: no table is better
			// than a wrong one.
			return 0, fmt.Errorf("run %d: %v", i+1, err)
		}
		rs = append(rs, r)
	}
	m := bench.Median(rs)
	fmt.Fprintf(stdout, "tokencert bench, scenario %s (%s):\na full %s run against the reference server (%s latency, %s token lifetime, server clock %s), %d runs\n",
		sc.name, sc.what, c.Spec, c.Latency, c.Lifetime, clockText(c.ClockOffset), runs)
	fmt.Fprintf(stdout, "machine: %s/%s, %d cores, %s, %s\n\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version(), time.Now().Format("2006-01-02"))
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := []string{"measure"}
	for i := range rs {
		head = append(head, fmt.Sprint("run ", i+1))
	}
	head = append(head, "median")
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	row := func(name string, f func(r *bench.Result) string) {
		cells := []string{name}
		for _, r := range rs {
			cells = append(cells, f(r))
		}
		cells = append(cells, f(m))
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	ms := func(d time.Duration) string { return fmt.Sprintf("%.0fms", float64(d)/1e6) }
	row("wall time", func(r *bench.Result) string { return ms(r.Wall) })
	row("  deliberate expiry wait", func(r *bench.Result) string { return ms(r.Wait) })
	row("  skew allowed", func(r *bench.Result) string { return ms(r.Skew) + " (" + r.SkewSource + ")" })
	row("  start-up to first request", func(r *bench.Result) string { return ms(r.StartToFirst) })
	row("  last response to exit", func(r *bench.Result) string { return ms(r.LastToExit) })
	row("floor", func(r *bench.Result) string { return ms(r.Floor) })
	row("  token issue+lifetime+skew+probes", func(r *bench.Result) string {
		return ms(r.Issue + r.Lifetime + r.Skew + r.Probes)
	})
	row("    token issue (replayed)", func(r *bench.Result) string { return ms(r.Issue) })
	row("    expired-token probes (replayed)", func(r *bench.Result) string { return ms(r.Probes) })
	row("  all requests (replayed)", func(r *bench.Result) string { return ms(r.Replay) })
	row("ratio wall/floor", func(r *bench.Result) string { return fmt.Sprintf("%.2f", r.Ratio) })
	row("ratio wall/(lifetime + 2 s)", func(r *bench.Result) string {
		return fmt.Sprintf("%.2f", float64(r.Wall)/float64(r.Lifetime+2*time.Second))
	})
	row("HTTP requests (report.json)", func(r *bench.Result) string { return fmt.Sprint(r.Requests) })
	row("HTTP requests (server)", func(r *bench.Result) string { return fmt.Sprint(r.Received) })
	row("repeated requests (on purpose)", func(r *bench.Result) string {
		return fmt.Sprintf("%d (%d)", len(r.Repeats), len(r.Repeats)-len(r.Unintended()))
	})
	row("peak RSS", func(r *bench.Result) string { return bench.MiB(r.PeakRSS) })
	row("exit code", func(r *bench.Result) string { return fmt.Sprint(r.Exit) })
	if err := tw.Flush(); err != nil {
		return 0, err
	}
	fmt.Fprintln(stdout, "\ntargets (median):")
	missed := 0
	for _, t := range sc.targets {
		mark := "ok"
		if !t.Met(m) {
			mark, missed = "MISSED", missed+1
		}
		fmt.Fprintf(stdout, "  %-6s %-46s %s\n", mark, t.What, t.Limit)
	}
	if len(m.Repeats) > 0 {
		fmt.Fprintln(stdout, "\nrepeated requests:")
	}
	for _, rp := range m.Repeats {
		why := rp.Why
		if why == "" {
			why = "NOT ON PURPOSE: share it"
		}
		fmt.Fprintf(stdout, "  #%d %q repeats #%d %q (%s)\n     %s\n", rp.Again+1, rp.AgainLabel, rp.First+1, rp.FirstLabel, rp.What, why)
	}
	fmt.Fprintln(stdout)
	return missed, nil
}

// clockText says how the server's clock stands against the machine's.
func clockText(off time.Duration) string {
	switch {
	case off > 0:
		return off.String() + " ahead"
	case off < 0:
		return (-off).String() + " behind"
	}
	return "in step"
}
