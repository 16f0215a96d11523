// Package bench measures a full tokencert run against the reference token
// server: wall time, HTTP requests, peak RSS, start-up to first request,
// and the floor — the same requests, as the server received them, replayed
// back to back with plain net/http against the same server in the same
// run. The targets are data (Targets); `make bench` prints them
// with the numbers (cmd/tokencert-bench) and runs BenchmarkRun.
//
// The server runs in the measuring process, tokencert in a child process
// (Ginkgo runs one suite per process), so the child's peak RSS is
// tokencert's alone. The requests are recorded on the server side, where
// they arrive exactly as sent, secrets included; they stay in memory and
// are never written anywhere.
package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/tokencert/tokencert/refserver"
	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/target"
)

// Config is one measured scenario.
type Config struct {
	// Bin is the tokencert binary (see Build).
	Bin string
	// Spec is the spec the server speaks and tokencert certifies.
	Spec string
	// Latency delays every response of the server.
	Latency time.Duration
	// Lifetime of access tokens: the expiry checks wait for it.
	Lifetime time.Duration
	// Skew is tokencert's --skew: the server shares the machine's clock.
	Skew time.Duration
	// Dir receives the target file and the report bundle.
	Dir string
}

// DefaultConfig is the scenario: rfc6749, 20 ms latency, 2 s tokens.
func DefaultConfig(bin, dir string) Config {
	return Config{Bin: bin, Spec: "rfc6749", Latency: 20 * time.Millisecond, Lifetime: 2 * time.Second, Skew: 500 * time.Millisecond, Dir: dir}
}

// Result is what one measured run found.
type Result struct {
	Exit    int
	Verdict string
	// Wall is from starting the tokencert process to its exit.
	Wall time.Duration
	// Wait is the deliberate expiry wait: from the end of the last exchange
	// before the first expired-token probe to the start of that probe.
	Wait time.Duration
	// Active is Wall without Wait.
	Active time.Duration
	// Floor is the replay of the run's requests, back to back.
	Floor time.Duration
	// Ratio is Active over Floor.
	Ratio float64
	// Requests is what report.json says the run sent; Received what the
	// server saw.
	Requests, Received int
	// Repeats lists requests identical to an earlier one.
	Repeats []Repeat
	// PeakRSS of the tokencert process, in bytes (0 where unknown).
	PeakRSS int64
	// StartToFirst is from starting the process to the server receiving
	// the first request; LastToExit from the last response to the exit
	// (writing the report bundle).
	StartToFirst, LastToExit time.Duration
}

// Repeat is a request identical to an earlier one.
type Repeat struct {
	First, Again int    // indexes in arrival order
	What         string // method and path
	// Labels are the two exchanges' labels in report.json.
	FirstLabel, AgainLabel string
	// Why is the reason the suite sends it again (Designed), "" if none.
	Why string
}

// Designed are the repeated requests the suite sends on purpose, by the
// label of the repetition (suites/expiry.go, suites/refresh.go), each with
// why it cannot be shared.
var Designed = []struct{ Label, Why string }{
	{expiredLabel, "RFC6749-7/RFC7662-2.2: the token the fresh-token probe presented, presented again after it expired"},
	{"replay of the rotated refresh token", "RFC9700-4.14.2: replaying the refresh token the shared refresh presented is the probe"},
	{"token for the refresh-binding probe", "RFC6749-10.4: the other client's attempt needs an unused refresh token of its own; one another check redeems (or that replay detection revokes) would let that check decide this verdict"},
	{"token for the refresh-chain probe", "RFC6749-6-NEW-RT-SAME-SCOPE: the chain redeems its refresh token twice; a token another check refreshes (or replays) would let that check break the chain"},
	{"token watched for its stated lifetime", "TOKENCERT-LIFETIME-AS-STATED: a token no other check presents, refreshes or replaces, so that nothing but its lifetime can end it (issue 14: a refresh may revoke the access token it replaces)"},
	{"watched token late in its lifetime", "TOKENCERT-LIFETIME-AS-STATED: the watched token presented again, late in its stated lifetime, is the probe"},
	{"token sample", "RFC6749-10.10-TOKEN-ENTROPY-128: more tokens of the primary grant, only when the run obtained too few to look for a pattern"},
}

// Build compiles tokencert into dir and returns the binary's path.
func Build(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "tokencert")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/tokencert/tokencert/cmd/tokencert")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out.String())
	}
	return bin, nil
}

// expiredLabel starts the label of the expiry checks' probes after the
// wait (suites/expiry.go).
const expiredLabel = "expired token"

// Measure runs tokencert once against a fresh reference server, then
// replays what the server received.
func Measure(ctx context.Context, c Config) (*Result, error) {
	spec, err := specs.Load(c.Spec)
	if err != nil {
		return nil, err
	}
	ref, err := refserver.New(refserver.Options{Spec: spec, Lifetime: c.Lifetime, Latency: c.Latency})
	if err != nil {
		return nil, err
	}
	srv, err := startServer(ref)
	if err != nil {
		return nil, err
	}
	defer srv.close()
	targetFile, env, err := writeTarget(c.Dir, srv.target())
	if err != nil {
		return nil, err
	}
	reportDir := filepath.Join(c.Dir, "report")
	cmd := exec.CommandContext(ctx, c.Bin, "run", "--target", targetFile, "--skew", c.Skew.String(), "--max-wait", "1m", "--report-dir", reportDir)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out

	srv.record(true)
	start := time.Now()
	runErr := cmd.Run()
	wall := time.Since(start)
	srv.record(false)

	res := &Result{Wall: wall, PeakRSS: peakRSS(cmd.ProcessState)}
	var ee *exec.ExitError
	switch {
	case errors.As(runErr, &ee):
		res.Exit = ee.ExitCode()
	case runErr != nil:
		return nil, fmt.Errorf("tokencert: %v\n%s", runErr, out.String())
	}
	rep, err := readReport(filepath.Join(reportDir, "report.json"))
	if err != nil {
		return nil, fmt.Errorf("%v\n%s", err, out.String())
	}
	res.Verdict, res.Requests = rep.Verdict, rep.Requests
	if res.Wait, err = rep.expiryWait(); err != nil {
		return nil, err
	}
	res.Active = wall - res.Wait

	reqs := srv.requests()
	res.Received = len(reqs)
	if len(reqs) == 0 {
		return nil, fmt.Errorf("the server received no request\n%s", out.String())
	}
	res.StartToFirst = reqs[0].arrived.Sub(start)
	res.LastToExit = start.Add(wall).Sub(reqs[len(reqs)-1].done)
	res.Repeats = repeats(reqs, rep.labels(len(reqs)))
	if res.Floor, err = srv.replay(ctx, reqs); err != nil {
		return nil, fmt.Errorf("replay: %v", err)
	}
	res.Ratio = float64(res.Active) / float64(res.Floor)
	return res, nil
}

// writeTarget writes the server's target file with its secrets as ${VAR}s
// and returns the environment that sets them.
func writeTarget(dir string, t target.Target) (string, []string, error) {
	env := []string{
		"TOKENCERT_BENCH_SECRET=" + t.ClientSecret,
		"TOKENCERT_BENCH_PASSWORD=" + t.Password,
		"TOKENCERT_BENCH_OTHER_SECRET=" + t.OtherClientSecret,
	}
	t.ClientSecret, t.Password, t.OtherClientSecret = "${TOKENCERT_BENCH_SECRET}", "${TOKENCERT_BENCH_PASSWORD}", "${TOKENCERT_BENCH_OTHER_SECRET}"
	b, err := json.Marshal(t)
	if err != nil {
		return "", nil, err
	}
	path := filepath.Join(dir, "target.json")
	return path, env, os.WriteFile(path, b, 0o600)
}

// report is the part of report.json the bench reads.
type report struct {
	Verdict  string `json:"verdict"`
	Requests int    `json:"requests"`
	Checks   []struct {
		Evidence []struct {
			Label    string        `json:"label"`
			Started  time.Time     `json:"started"`
			Duration time.Duration `json:"duration_ns"`
		} `json:"evidence"`
	} `json:"checks"`
}

func readReport(path string) (*report, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("no report: %v", err)
	}
	var r report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return &r, nil
}

// expiryWait is the idle time before the first expired-token probe: from
// the end of the last exchange that started before it to its start.
func (r *report) expiryWait() (time.Duration, error) {
	var probe time.Time
	for _, c := range r.Checks {
		for _, e := range c.Evidence {
			if strings.HasPrefix(e.Label, expiredLabel) && (probe.IsZero() || e.Started.Before(probe)) {
				probe = e.Started
			}
		}
	}
	if probe.IsZero() {
		return 0, fmt.Errorf("report.json has no %q exchange: did the expiry checks run?", expiredLabel)
	}
	var last time.Time
	for _, c := range r.Checks {
		for _, e := range c.Evidence {
			if end := e.Started.Add(e.Duration); e.Started.Before(probe) && end.After(last) {
				last = end
			}
		}
	}
	if last.IsZero() || !probe.After(last) {
		return 0, nil
	}
	return probe.Sub(last), nil
}

// labels are the labels of the run's exchanges in the order they were
// sent, when report.json accounts for every one of the n requests; else nil.
func (r *report) labels(n int) []string {
	type ex struct {
		label   string
		started time.Time
	}
	seen := map[ex]bool{}
	var exs []ex
	for _, c := range r.Checks {
		for _, e := range c.Evidence {
			k := ex{e.Label, e.Started}
			if !seen[k] {
				seen[k] = true
				exs = append(exs, k)
			}
		}
	}
	if len(exs) != n {
		return nil
	}
	sort.SliceStable(exs, func(i, j int) bool { return exs[i].started.Before(exs[j].started) })
	out := make([]string, n)
	for i, e := range exs {
		out[i] = e.label
	}
	return out
}

// repeats finds requests identical to an earlier one (method, URL, headers,
// body) and says which the suite sends on purpose.
func repeats(reqs []request, labels []string) []Repeat {
	label := func(i int) string {
		if labels == nil {
			return ""
		}
		return labels[i]
	}
	var out []Repeat
	seen := map[string]int{}
	for i, r := range reqs {
		var key strings.Builder
		key.WriteString(r.method + " " + r.uri + "\n")
		_ = r.header.Write(&key)
		key.Write(r.body)
		k := key.String()
		first, ok := seen[k]
		if !ok {
			seen[k] = i
			continue
		}
		rp := Repeat{First: first, Again: i, What: r.method + " " + pathOf(r.uri), FirstLabel: label(first), AgainLabel: label(i)}
		for _, d := range Designed {
			if rp.AgainLabel != "" && strings.HasPrefix(rp.AgainLabel, d.Label) {
				rp.Why = d.Why
			}
		}
		out = append(out, rp)
	}
	return out
}

func pathOf(uri string) string {
	p, _, _ := strings.Cut(uri, "?")
	return p
}
