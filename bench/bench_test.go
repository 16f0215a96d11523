package bench

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// binary builds tokencert once per test process (TOKENCERT_BIN overrides).
func binary(tb testing.TB) string {
	tb.Helper()
	if bin := os.Getenv("TOKENCERT_BIN"); bin != "" {
		return bin
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "tokencert-bench-bin-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin, buildErr = Build(context.Background(), dir)
	})
	if buildErr != nil {
		tb.Fatal(buildErr)
	}
	return builtBin
}

// TestMain removes the binary binary built.
func TestMain(m *testing.M) {
	code := m.Run()
	if builtBin != "" {
		os.RemoveAll(filepath.Dir(builtBin))
	}
	os.Exit(code)
}

// TestMeasure checks what the bench measures, not how fast: the server saw
// every request report.json counts, the floor replayed them all, and the
// run repeats no request except on purpose (a repetition that a check
// could share fails here, whoever adds it).
func TestMeasure(t *testing.T) {
	if testing.Short() {
		t.Skip("a full run")
	}
	t.Parallel()
	c := DefaultConfig(binary(t), t.TempDir())
	c.Latency, c.Lifetime = 0, time.Second
	r, err := Measure(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if r.Exit != 0 || r.Verdict != "pass" {
		t.Errorf("exit %d, verdict %q against the conformant server", r.Exit, r.Verdict)
	}
	if r.Requests == 0 || r.Requests != r.Received {
		t.Errorf("report.json counts %d requests, the server received %d", r.Requests, r.Received)
	}
	// Measure already refused inconsistent measures (Consistent).
	if r.PeakRSS <= 0 || r.StartToFirst <= 0 {
		t.Errorf("implausible measures: %+v", r)
	}
	for _, rp := range r.Repeats {
		if rp.AgainLabel == "" {
			t.Errorf("request %d repeats %d, and report.json does not account for every request", rp.Again, rp.First)
		}
	}
	for _, rp := range r.Unintended() {
		t.Errorf("%q repeats %q (%s): share it, or add it to Designed with the reason it cannot be shared", rp.AgainLabel, rp.FirstLabel, rp.What)
	}
}

// BenchmarkRun is one full rfc6749 run against the reference server with
// 20 ms latency and 2 s tokens (DefaultConfig); `go run
// ./bench/cmd/tokencert-bench` prints the same measures against the targets.
func BenchmarkRun(b *testing.B) {
	bin := binary(b)
	var rs []*Result
	for b.Loop() {
		r, err := Measure(context.Background(), DefaultConfig(bin, b.TempDir()))
		if err != nil {
			b.Fatal(err)
		}
		rs = append(rs, r)
	}
	m := Median(rs)
	ms := func(d time.Duration) float64 { return float64(d) / 1e6 }
	b.ReportMetric(ms(m.Wall), "wall-ms")
	b.ReportMetric(ms(m.Wait), "wait-ms")
	b.ReportMetric(ms(m.Floor), "floor-ms")
	b.ReportMetric(m.Ratio, "wall/floor")
	b.ReportMetric(ms(m.StartToFirst), "startup-ms")
	b.ReportMetric(float64(m.Requests), "requests")
	b.ReportMetric(float64(m.PeakRSS)/(1<<20), "peak-RSS-MiB")
}
