// Package bench measures a full tokencert run against the reference token
// server: wall time, HTTP requests, peak RSS, start-up to first request,
// and the floor — the earliest such a run could end. The run must watch a
// token expire, so it cannot end before that token was issued, its
// lifetime and the skew allowed after it passed, and the expired-token
// probes were answered; nor before all of its requests were answered one
// after another. Request times come from the same requests, as the server
// received them, replayed back to back with plain net/http against the
// same server right after the run. The issue's targets are data (Targets);
// `make bench` prints them with the numbers (cmd/tokencert-bench) and runs
// BenchmarkRun.
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
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tokencert/tokencert/refserver"
	"github.com/tokencert/tokencert/result"
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
	// Skew is tokencert's --skew; 0 gives none, and the run estimates it
	// from the server's Date headers (tokencert's default).
	Skew time.Duration
	// ClockOffset runs the server's clock this far from the machine's.
	ClockOffset time.Duration
	// MaxRPS is the target's max_rps (0: BenchRPS).
	MaxRPS float64
	// Dir receives the target file and the report bundle.
	Dir string
}

// DefaultConfig is issue 6's scenario: rfc6749, 20 ms latency, 2 s tokens,
// --skew 500ms (the server shares the machine's clock), paced at BenchRPS.
func DefaultConfig(bin, dir string) Config {
	return Config{Bin: bin, Spec: "rfc6749", Latency: 20 * time.Millisecond, Lifetime: 2 * time.Second, Skew: 500 * time.Millisecond, Dir: dir}
}

// OffsetConfig is issue 19's scenario: a server whose clock is 37 s ahead
// of the machine's, 5 s tokens, 20 ms latency, and tokencert's default
// settings against a server on another host: no --skew (it is estimated
// from the Date headers) and 10 requests a second.
func OffsetConfig(bin, dir string) Config {
	return Config{Bin: bin, Spec: "rfc6749", Latency: 20 * time.Millisecond, Lifetime: 5 * time.Second, ClockOffset: 37 * time.Second,
		MaxRPS: 10, Dir: dir}
}

// Result is what one measured run found.
type Result struct {
	Exit    int
	Verdict string
	// Lifetime is the scenario's (Config), Skew the one the run allowed
	// (given, or estimated: SkewSource says which, as report.json does):
	// the run must wait for both before probing with the expired token.
	Lifetime, Skew time.Duration
	SkewSource     string
	// Wall is from starting the tokencert process to its exit.
	Wall time.Duration
	// Wait is the deliberate expiry wait, from report.json: from the answer
	// that issued the watched token to the start of the first probe that
	// presents it after expiry. The suite counts the lifetime from that
	// answer, so Wait is at least Lifetime + Skew; whatever else the run
	// does meanwhile (other checks, pacing) overlaps it.
	Wait time.Duration
	// Replay is every request of the run replayed back to back.
	Replay time.Duration
	// Issue is the replay of the request that issued the watched token
	// (and, where every new token discards the earlier ones, of every
	// request before it); Probes that of the expired-token probes.
	Issue, Probes time.Duration
	// Floor is the earliest the run could end: the larger of Replay and
	// Issue + Lifetime + Skew + Probes.
	Floor time.Duration
	// Ratio is Wall over Floor.
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
// label of the repetition, or (First) of the request it repeats
// (suites/expiry.go, suites/refresh.go), each with why it cannot be shared.
var Designed = []struct{ Label, First, Why string }{
	{Label: expiredLabel, Why: "RFC6749-7/RFC7662-2.2: the token the fresh-token probe presented, presented again after it expired"},
	{Label: "replay of the rotated refresh token", Why: "RFC9700-4.14.2: replaying the refresh token the shared refresh presented is the probe"},
	{Label: "replay of the public client's rotated refresh token", Why: "RFC9700-4.14.2 (public clients): replaying the public client's refresh token after its refresh is the probe"},
	{Label: "token for the refresh-binding probe", Why: "RFC6749-10.4: the other client's attempt needs an unused refresh token of its own; one another check redeems (or that replay detection revokes) would let that check decide this verdict"},
	{First: watchedLabel, Why: "RFC6749-7/RFC7662-2.2: the expiry checks watch a token of their own, which no other check touches; a server may revoke an access token when its refresh token is redeemed, and a token refused for that reason proves nothing about expiry"},
	{Label: "token for the refresh-chain probe", Why: "RFC6749-6-NEW-RT-SAME-SCOPE: the chain redeems its refresh token twice; a token another check refreshes (or replays) would let that check break the chain"},
	{Label: "token watched for its stated lifetime", Why: "TOKENCERT-LIFETIME-AS-STATED: a token no other check presents, refreshes or replaces, so that nothing but its lifetime can end it (issue 14: a refresh may revoke the access token it replaces)"},
	{Label: "watched token late in its lifetime", Why: "TOKENCERT-LIFETIME-AS-STATED: the watched token presented again, late in its stated lifetime, is the probe"},
	{Label: "token sample", Why: "RFC6749-10.10-TOKEN-ENTROPY-128: more tokens of the primary grant, only when the run obtained too few to look for a pattern"},
}

// watchedLabel is the label of the request for the token the expiry checks
// watch (suites/expiry.go).
const watchedLabel = "token watched until it expires"

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
	ref, err := refserver.New(refserver.Options{Spec: spec, Lifetime: c.Lifetime, Latency: c.Latency, ClockOffset: c.ClockOffset})
	if err != nil {
		return nil, err
	}
	srv, err := startServer(ref)
	if err != nil {
		return nil, err
	}
	defer srv.close()
	targetFile, env, err := writeTarget(c.Dir, srv.target(), c.MaxRPS)
	if err != nil {
		return nil, err
	}
	reportDir := filepath.Join(c.Dir, "report")
	// The authorization code and device checks log in through pages that
	// are not token requests: the bench measures the rest.
	args := []string{"run", "--target", targetFile, "--max-wait", "1m", "--report-dir", reportDir,
		"--label-filter", "!authorization-code && !device && !RFC8628-3.5-EXPIRED-TOKEN"}
	if c.Skew > 0 {
		args = append(args, "--skew", c.Skew.String())
	}
	cmd := exec.CommandContext(ctx, c.Bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out

	srv.record(true)
	start := time.Now()
	runErr := cmd.Run()
	wall := time.Since(start)
	srv.record(false)

	res := &Result{Wall: wall, PeakRSS: peakRSS(cmd.ProcessState), Lifetime: c.Lifetime}
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
	if rep.Skew == nil {
		return nil, fmt.Errorf("report.json says no skew: did the expiry checks run?\n%s", out.String())
	}
	res.Skew, res.SkewSource = rep.Skew.Duration, rep.Skew.Source
	w, err := rep.expiryWait()
	if err != nil {
		return nil, err
	}
	res.Wait = w.wait

	all := srv.requests()
	if len(all) == 0 {
		return nil, fmt.Errorf("the server received no request\n%s", out.String())
	}
	// The login pages the authorize hook goes through (the token source
	// gets a code and a device approval there) are the run's work too, and
	// the floor replays them, but they are not the run's own requests:
	// report.json accounts for the others.
	reqs, at := sentByRun(all)
	res.Received = len(reqs)
	res.StartToFirst = all[0].arrived.Sub(start)
	res.LastToExit = start.Add(wall).Sub(all[len(all)-1].done)
	labels := rep.labels(len(reqs))
	res.Repeats = repeats(reqs, labels)
	issue, probes, err := w.place(rep.exchanges(), len(reqs), spec.Response.NewTokenDiscardsOld)
	if err != nil {
		return nil, err
	}
	took, err := srv.replay(ctx, all)
	if err != nil {
		return nil, fmt.Errorf("replay: %v", err)
	}
	for i := range issue {
		issue[i] = at[issue[i]]
	}
	for i := range probes {
		probes[i] = at[probes[i]]
	}
	res.setFloor(took, issue, probes)
	if err := res.Consistent(); err != nil {
		return nil, fmt.Errorf("inconsistent measure: %v", err)
	}
	return res, nil
}

// setFloor sets Replay, Issue, Probes, Floor and Ratio from the replay's
// time for each request (in arrival order) and the indexes of the requests
// that must precede the wait and of those that must follow it.
func (r *Result) setFloor(took []time.Duration, issue, probes []int) {
	r.Replay, r.Issue, r.Probes = 0, 0, 0
	for _, d := range took {
		r.Replay += d
	}
	for _, i := range issue {
		r.Issue += took[i]
	}
	for _, i := range probes {
		r.Probes += took[i]
	}
	r.Floor = max(r.Replay, r.Issue+r.Lifetime+r.Skew+r.Probes)
	r.Ratio = 0
	if r.Floor > 0 {
		r.Ratio = float64(r.Wall) / float64(r.Floor)
	}
}

// waitSlack is how much shorter than Lifetime + Skew a measured wait may
// be: report.json's timestamps are wall-clock readings, which the system
// may slew by a little against the monotonic clock the suite waits by.
const waitSlack = 5 * time.Millisecond

// Consistent reports an error when the measures contradict each other or
// the scenario, which means the bench measured something else than it
// says: a wait shorter than the lifetime and skew it waited for, a floor
// or wait longer than the whole run, a floor without its parts.
func (r *Result) Consistent() error {
	ms := func(d time.Duration) string { return fmt.Sprintf("%.0fms", float64(d)/1e6) }
	switch {
	case r.Wall <= 0:
		return fmt.Errorf("wall time %s", ms(r.Wall))
	case r.Wait < r.Lifetime+r.Skew-waitSlack:
		return fmt.Errorf("the expiry wait measured %s, shorter than the %s lifetime + %s skew the suite waits for before probing: the wait is not measured from the watched token's answer to the expired-token probe, or the suite probed too early",
			ms(r.Wait), r.Lifetime, r.Skew)
	case r.Wait >= r.Wall:
		return fmt.Errorf("the expiry wait measured %s, not shorter than the whole run's %s", ms(r.Wait), ms(r.Wall))
	case r.Replay <= 0 || r.Issue <= 0 || r.Probes <= 0:
		return fmt.Errorf("the floor's parts are not all measured: replay %s, token issue %s, expired-token probes %s", ms(r.Replay), ms(r.Issue), ms(r.Probes))
	case r.Issue+r.Probes > r.Replay:
		return fmt.Errorf("the token issue (%s) and the expired-token probes (%s) take longer than all requests replayed (%s)", ms(r.Issue), ms(r.Probes), ms(r.Replay))
	case r.Floor != max(r.Replay, r.Issue+r.Lifetime+r.Skew+r.Probes):
		return fmt.Errorf("floor %s is neither the replay (%s) nor token issue + lifetime + skew + probes (%s)", ms(r.Floor), ms(r.Replay), ms(r.Issue+r.Lifetime+r.Skew+r.Probes))
	case r.Floor > r.Wall:
		return fmt.Errorf("the floor (%s: replay %s; token issue %s + %s lifetime + %s skew + expired-token probes %s) is longer than the run's wall time %s, which no run can beat",
			ms(r.Floor), ms(r.Replay), ms(r.Issue), r.Lifetime, r.Skew, ms(r.Probes), ms(r.Wall))
	case r.StartToFirst < 0 || r.StartToFirst >= r.Wall:
		return fmt.Errorf("start-up to first request %s, with a wall time of %s", ms(r.StartToFirst), ms(r.Wall))
	}
	return nil
}

// writeTarget writes the server's target file with its secrets as ${VAR}s
// and returns the environment that sets them.
// BenchRPS is the request rate the measured runs are paced at.
const BenchRPS = 100

func writeTarget(dir string, t target.Target, maxRPS float64) (string, []string, error) {
	env := []string{
		"TOKENCERT_BENCH_SECRET=" + t.ClientSecret,
		"TOKENCERT_BENCH_PASSWORD=" + t.Password,
		"TOKENCERT_BENCH_OTHER_SECRET=" + t.OtherClientSecret,
	}
	t.ClientSecret, t.Password, t.OtherClientSecret = "${TOKENCERT_BENCH_SECRET}", "${TOKENCERT_BENCH_PASSWORD}", "${TOKENCERT_BENCH_OTHER_SECRET}"
	// Politeness pacing is the user's setting, not tokencert's speed: at
	// the 10 requests a second a server on another host gets by default, a
	// run's 40 requests alone would take 3.9 s. The default scenario paces
	// at BenchRPS, under which the expiry wait, not the pacing, sets the
	// floor; the offset scenario at 10, as a real server is paced.
	rps := float64(BenchRPS)
	if maxRPS > 0 {
		rps = maxRPS
	}
	t.MaxRPS = &rps
	b, err := json.Marshal(t)
	if err != nil {
		return "", nil, err
	}
	path := filepath.Join(dir, "target.json")
	return path, env, os.WriteFile(path, b, 0o600)
}

// report is the part of report.json the bench reads.
type report struct {
	Verdict  string       `json:"verdict"`
	Requests int          `json:"requests"`
	Skew     *result.Skew `json:"skew"`
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

// exchange is one exchange of report.json: several checks may cite it.
type exchange struct {
	label   string
	started time.Time
}

// loginPages are the reference server's pages an authorize hook goes
// through (refserver's /authorize and /device/verify).
var loginPages = []string{"/authorize", "/device/verify"}

// sentByRun are the requests the run sent itself, in arrival order (all
// but those to the login pages), and each one's index in all.
func sentByRun(all []request) ([]request, []int) {
	var out []request
	var at []int
	for i, r := range all {
		if !slices.Contains(loginPages, pathOf(r.uri)) {
			out, at = append(out, r), append(at, i)
		}
	}
	return out, at
}

// exchanges are the run's distinct exchanges in the order they were sent,
// without the records of logins (an authorize hook's "(authorization by
// …)" step, no request of the run's own).
func (r *report) exchanges() []exchange {
	seen := map[exchange]bool{}
	var exs []exchange
	for _, c := range r.Checks {
		for _, e := range c.Evidence {
			k := exchange{e.Label, e.Started}
			if strings.Contains(e.Label, "(authorization by ") {
				continue
			}
			if !seen[k] {
				seen[k] = true
				exs = append(exs, k)
			}
		}
	}
	sort.SliceStable(exs, func(i, j int) bool { return exs[i].started.Before(exs[j].started) })
	return exs
}

// labels are the labels of the run's exchanges in the order they were
// sent, when report.json accounts for every one of the n requests; else nil.
func (r *report) labels(n int) []string {
	exs := r.exchanges()
	if len(exs) != n {
		return nil
	}
	out := make([]string, n)
	for i, e := range exs {
		out[i] = e.label
	}
	return out
}

// wait is the deliberate expiry wait as report.json shows it.
type wait struct {
	// issued is the exchange that issued the watched token, answered when
	// it was answered; probe the first expired-token probe.
	issued   exchange
	answered time.Time
	probe    exchange
	// wait is from answered to the start of probe.
	wait time.Duration
}

// expiryWait finds the first expired-token probe and the exchange that
// issued the token it presents: the after-expiry check cites that token's
// exchange beside its probe (suites/expiry.go), and it is the last of the
// check's other exchanges answered before the probe started. The wait is
// from that answer, which is when the suite starts counting the lifetime,
// to the probe. (Measuring idle time before the probe instead reads the
// other checks and the request pacing that fill the wait as not waiting.)
func (r *report) expiryWait() (wait, error) {
	var w wait
	found := false
	for _, c := range r.Checks {
		for _, e := range c.Evidence {
			if !strings.HasPrefix(e.Label, expiredLabel) || (found && !e.Started.Before(w.probe.started)) {
				continue
			}
			var issued exchange
			var answered time.Time
			for _, o := range c.Evidence {
				end := o.Started.Add(o.Duration)
				if strings.HasPrefix(o.Label, expiredLabel) || end.After(e.Started) || !end.After(answered) {
					continue
				}
				issued, answered = exchange{o.Label, o.Started}, end
			}
			if answered.IsZero() {
				return wait{}, fmt.Errorf("report.json: the check that sent %q cites no exchange answered before it, so the token it presents has no issue time", e.Label)
			}
			w, found = wait{issued: issued, answered: answered, probe: exchange{e.Label, e.Started}, wait: e.Started.Sub(answered)}, true
		}
	}
	if !found {
		return wait{}, fmt.Errorf("report.json has no %q exchange: did the expiry checks run?", expiredLabel)
	}
	return w, nil
}

// place finds, among the n requests in arrival order (exs, from
// exchanges), those that must precede the wait, the one that issued the
// watched token (and every one before it when each new token discards the
// earlier ones), and those that must follow it, the expired-token probes.
func (w wait) place(exs []exchange, n int, discardsOld bool) (issue, probes []int, err error) {
	if len(exs) != n {
		return nil, nil, fmt.Errorf("report.json accounts for %d exchanges, the server received %d requests: the floor's requests cannot be told apart", len(exs), n)
	}
	at := -1
	for i, e := range exs {
		switch {
		case e == w.issued:
			at = i
		case strings.HasPrefix(e.label, expiredLabel):
			probes = append(probes, i)
		}
	}
	if at < 0 {
		return nil, nil, fmt.Errorf("report.json: the exchange %q that issued the watched token is not among the run's exchanges", w.issued.label)
	}
	issue = []int{at}
	if discardsOld {
		issue = issue[:0]
		for i := 0; i <= at; i++ {
			issue = append(issue, i)
		}
	}
	return issue, probes, nil
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
			if (d.Label != "" && rp.AgainLabel != "" && strings.HasPrefix(rp.AgainLabel, d.Label)) ||
				(d.First != "" && rp.FirstLabel != "" && strings.HasPrefix(rp.FirstLabel, d.First)) {
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
