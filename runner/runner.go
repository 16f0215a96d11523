// Package runner loads a target and a spec, runs the Ginkgo suites against
// the endpoint (or the embedded reference server), writes the report bundle
// and decides the exit code.
package runner

import (
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/formatter"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/tokencert/tokencert/authorize"
	"github.com/tokencert/tokencert/diff"
	"github.com/tokencert/tokencert/internal/plural"
	"github.com/tokencert/tokencert/lint"
	"github.com/tokencert/tokencert/redact"
	"github.com/tokencert/tokencert/refserver"
	"github.com/tokencert/tokencert/reports"
	"github.com/tokencert/tokencert/result"
	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/suites"
	"github.com/tokencert/tokencert/suites/wire"
	"github.com/tokencert/tokencert/target"
	"github.com/tokencert/tokencert/version"
	"github.com/tokencert/tokencert/waivers"
)

// Exit codes.
const (
	ExitPass        = 0 // every MUST-level requirement passed
	ExitFail        = 1 // a MUST failed (or, with Strict, any requirement)
	ExitUsage       = 2 // bad flags, target file or spec
	ExitUnreachable = 3 // the endpoint could not be reached at all
	ExitIncomplete  = 4 // no MUST failed, but a MUST-level check could not run for want of a key or flag
)

// Options configure one run.
type Options struct {
	// Target holds the target-file keys, with flags already applied.
	Target target.Target
	// Spec names a built-in spec or a spec file; overrides Target.Spec.
	Spec        string
	ReportDir   string
	LabelFilter string
	Strict      bool
	Verbose     bool
	// RequestTimeout bounds one request (0: the target's request_timeout,
	// else 10s); Deadline bounds the run (0: 30m).
	RequestTimeout time.Duration
	Deadline       time.Duration
	MaxWait        time.Duration
	Skew           time.Duration
	// MaxBody caps the bytes read of a response body (0: 1 MiB).
	MaxBody int64
	// MaxRPS paces requests: at most MaxRPS start per second. 0: the
	// target's max_rps, else DefaultMaxRPS against a given endpoint and no
	// limit against the embedded server; +Inf: no limit.
	MaxRPS float64
	// MaxFailedLogins caps the requests with a wrong resource-owner
	// password (nil: the target's max_failed_logins, else 3).
	MaxFailedLogins *int
	// Flags that add to the target keys ca_file, client_cert, client_key,
	// insecure_skip_verify and allow_http (flags win).
	CAFile, ClientCert, ClientKey string
	InsecureSkipVerify, AllowHTTP bool
	// AllowSecretInURL adds to the target key allow_secret_in_url.
	AllowSecretInURL bool
	// Embedded reference server, used when no endpoint is given: a fault
	// to inject and quirks (refserver.Quirk) to take on.
	Fault    string
	Quirks   []string
	Lifetime time.Duration
	Latency  time.Duration
	// Certify runs every check of the spec (no label filter) and records
	// the run as a certification in the report bundle.
	Certify bool
	// SignKey is an Ed25519 private key file (tokencert keygen); MANIFEST.json
	// is signed with it into MANIFEST.sig.
	SignKey string
	// Waivers is a waivers file (waivers/); it wins over the target key.
	Waivers string
	// Baseline is an earlier run's bundle directory or report.json: the
	// report says what changed since. A baseline that does not exist
	// counts every check as added.
	Baseline string
	// FailOn is what fails the run: result.FailOnMust ("" too) or
	// result.FailOnRegressions (needs Baseline).
	FailOn string

	Stdout, Stderr io.Writer
}

// exitRank orders exit codes from best to worst for a run over several
// targets: a target that could not even be set up (2: its file, the flags
// or the spec are wrong) is the first thing to fix, then a MUST failed (1),
// then an endpoint that could not be reached (3), then a run that could not
// check every MUST for want of a key or flag (4).
var exitRank = map[int]int{ExitPass: 0, ExitIncomplete: 1, ExitUnreachable: 2, ExitFail: 3, ExitUsage: 4}

// Worst returns the worse of two exit codes, as a run over several
// targets (or merge) reports them.
func Worst(a, b int) int {
	if exitRank[b] > exitRank[a] {
		return b
	}
	return a
}

// Run certifies one endpoint and returns the exit code. It is meant to be
// called once per process (Ginkgo runs one suite per process).
func Run(o Options) int {
	if o.Stdout == nil {
		o.Stdout = os.Stdout
	}
	if o.Stderr == nil {
		o.Stderr = os.Stderr
	}
	p, err := prepare(&o)
	if err != nil {
		fmt.Fprintf(o.Stderr, "tokencert: %v\n", err)
		return ExitUsage
	}
	if p.server != nil {
		defer p.server.Close()
	}
	return p.run()
}

// prepared is a run ready to start.
type prepared struct {
	o        Options
	spec     *specs.Spec
	env      *suites.Env
	plan     []suites.Check
	server   *refserver.Server
	redactor *redact.Redactor
	report   *result.Run
	signKey  ed25519.PrivateKey
	tr       *transport
	waivers  *waivers.File
	// baseline is the baseline run, nil when Options.Baseline names none
	// or nothing is there.
	baseline     *result.Run
	baselinePath string
	// discovery is what the issuer's metadata filled in, or nil.
	discovery *result.Discovery
	// con is the console the run speaks on.
	con *console
}

func prepare(o *Options) (_ *prepared, err error) {
	var server *refserver.Server
	defer func() { err = o.Target.Locate(err) }()
	defer func() {
		if err != nil && server != nil {
			_ = server.Close() // a usage error after the embedded server started
		}
	}()
	name := o.Spec
	if name == "" {
		name = o.Target.Spec
	}
	if name == "" {
		name = "rfc6749"
	}
	spec, err := specs.Load(name)
	if err != nil && specs.IsFile(name) {
		// The linter says the same, at the lines it concerns.
		if ps := lint.Spec(name); lint.Errors(ps) > 0 {
			var lines []string
			for _, p := range ps {
				if p.Severity == lint.Error {
					lines = append(lines, p.String())
				}
			}
			err = errors.New("the spec file is refused:\n  " + strings.Join(lines, "\n  "))
		}
	}
	if err != nil {
		if o.Spec != "" {
			return nil, &target.Error{Key: "--spec", Problem: err.Error()}
		}
		if o.Target.Path != "" && o.Target.Spec != "" {
			return nil, &target.Error{File: o.Target.Path, Key: "spec", Problem: err.Error()}
		}
		return nil, err
	}
	if o.Certify && o.LabelFilter != "" {
		return nil, &target.Error{Key: "--certify", Problem: "a certification runs every check of the spec; drop --label-filter"}
	}
	wf, err := loadWaivers(o)
	if err != nil {
		return nil, err
	}
	baseline, baselinePath, err := loadBaseline(o, spec)
	if err != nil {
		return nil, err
	}
	var signKey ed25519.PrivateKey
	if o.SignKey != "" {
		if signKey, err = reports.LoadPrivateKey(o.SignKey); err != nil {
			return nil, &target.Error{Key: "--sign-key", Problem: err.Error()}
		}
	}
	if o.LabelFilter != "" {
		if _, err := types.ParseLabelFilter(o.LabelFilter); err != nil {
			return nil, &target.Error{Key: "--label-filter", Problem: err.Error()}
		}
	}
	if o.Deadline < 0 {
		return nil, &target.Error{Key: "--deadline", Problem: fmt.Sprintf("%s is not a positive duration", o.Deadline)}
	}
	if o.Deadline == 0 {
		o.Deadline = DefaultDeadline
	}
	if o.Target.Path != "" && o.Target.Endpoint == "" && o.Target.Issuer == "" {
		return nil, &target.Error{File: o.Target.Path, Key: "endpoint", Problem: "missing: a target file names the token endpoint URL, or the issuer whose metadata names it (the embedded reference server is certified when no target is given)"}
	}
	p := &prepared{o: *o, spec: spec, redactor: redact.New(), signKey: signKey, waivers: wf, baseline: baseline, baselinePath: baselinePath}
	tf := o.Target
	skewSource := ""
	var embeddedCAs *x509.CertPool
	if tf.Endpoint == "" && tf.Issuer == "" {
		if o.Fault != "" {
			if _, err := refserver.FaultByName(o.Fault); err != nil {
				return nil, &target.Error{Key: "--fault", Problem: err.Error()}
			}
		}
		for _, q := range o.Quirks {
			if _, err := refserver.QuirkByName(q); err != nil {
				return nil, &target.Error{Key: "--quirk", Problem: err.Error()}
			}
		}
		srv, pool, err := startEmbedded(spec, o)
		if err != nil {
			return nil, fmt.Errorf("embedded reference server: %w", err)
		}
		p.server, embeddedCAs, server = srv, pool, srv
		tf = srv.Target()
		tf.Spec = spec.Name
		// The reference server offers every method the spec names (unless
		// a quirk registers its client for another), and its test client's
		// secret may travel in a URL.
		if len(tf.ClientAuth) == 0 {
			tf.ClientAuth = spec.Request.ClientAuth
		}
		tf.AllowSecretInURL = true
		// --grants narrows the grants the client uses to those named (a
		// code-only or device-only client of a server that serves more).
		tf.Grants = o.Target.Grants
		if o.Skew == 0 {
			// The embedded server shares this machine's clock and expires
			// tokens to the millisecond: no estimate needed.
			tf.Skew = &specs.Duration{Duration: 500*time.Millisecond + o.Latency}
			skewSource = suites.SkewEmbedded
		}
	} else if o.Fault != "" {
		return nil, &target.Error{Key: "--fault", Problem: "faults apply to the embedded reference server only; give no endpoint"}
	} else if len(o.Quirks) > 0 {
		return nil, &target.Error{Key: "--quirk", Problem: "quirks apply to the embedded reference server only; give no endpoint"}
	}
	tr, err := resolveTransport(tf, o, embeddedCAs)
	if err != nil {
		return nil, err
	}
	if p.discovery, err = discover(&tf, tr, p.redactor); err != nil {
		return nil, err
	}
	// Flags win over target keys.
	if o.MaxWait != 0 {
		tf.MaxWait.Duration = o.MaxWait
	}
	tf.AllowSecretInURL = tf.AllowSecretInURL || o.AllowSecretInURL
	switch {
	case o.Skew < 0:
		return nil, &target.Error{Key: "--skew", Problem: fmt.Sprintf("%s is negative", o.Skew)}
	case o.Skew != 0:
		tf.Skew, skewSource = &specs.Duration{Duration: o.Skew}, "--skew"
	case tf.Skew != nil && skewSource == "":
		skewSource = "target key skew"
	}
	tf.AllowHTTP, tf.InsecureSkipVerify, tf.MaxFailedLogins = tr.allowHTTP, tr.insecure, &tr.maxFailedLogins
	resolved, err := tf.Resolve()
	if err != nil {
		return nil, err
	}
	for _, name := range spec.Request.Required {
		if name != "audience" && name != "scope" && resolved.Params[name] == "" {
			return nil, &target.Error{File: tf.Path, Key: "params", Problem: fmt.Sprintf("spec %s requires %s on every token request: give it in params (params: {%s: …}) or with --param %s=…", spec.Name, name, name, name)}
		}
	}
	for _, u := range []struct{ key, url string }{{"endpoint", resolved.Endpoint}, {"resource", resolved.Resource}, {"introspection", resolved.Introspection}} {
		if err := refuseCleartext(tf.Path, u.key, u.url, tr.allowHTTP); err != nil {
			return nil, err
		}
	}
	p.tr = tr
	client := wire.New(p.redactor, tr.wireOptions())
	authorizer := p.authorizer(&resolved)
	p.con = newConsole(o.Stdout, IsTerminal(o.Stdout) && !o.Verbose)
	env, err := suites.NewEnv(spec, resolved, client, p.con)
	if err != nil {
		return nil, err
	}
	env.Countdown, env.SkewSource = p.con.countdown, skewSource
	env.Authorizer = authorizer
	if p.discovery != nil {
		env.MetadataFilled = p.discovery.Filled
	}
	plan, err := env.Plan()
	if err != nil {
		return nil, err
	}
	env.Strict = o.Strict
	p.env, p.plan = env, plan
	var running []suites.Check
	for _, c := range plan {
		if p.selected(c) {
			running = append(running, c)
		}
	}
	env.SetRunning(running)
	if wf != nil {
		known := waivers.Known{Spec: spec.Name, IDs: map[string]bool{}, Checks: map[string]bool{}}
		for _, r := range spec.Requirements {
			known.IDs[r.ID] = true
		}
		for _, c := range plan {
			known.Checks[c.Name()] = true
		}
		if err := wf.Check(known); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// authorizer is how the run gets authorization codes, as the target's
// authorize key says (nil: it says nothing).
func (p *prepared) authorizer(t *target.Target) authorize.Authorizer {
	a := t.Authorize
	switch {
	case a == nil:
		return nil
	case a.Command != "":
		return authorize.Command{Shell: a.Command, RedirectURI: a.RedirectURI}
	case a.Browser != nil:
		dir := p.o.ReportDir
		if dir == "" {
			dir = "tokencert-report"
		}
		return &authorize.Browser{Chromium: a.Browser.Chromium, Username: t.Username, Password: t.Password,
			UserSelector: a.Browser.Username, PasswordSelector: a.Browser.Password, SubmitSelector: a.Browser.Submit,
			ConsentSelector: a.Browser.Consent, DenySelector: a.Deny, RedirectURI: a.RedirectURI, IgnoreCertErrors: p.tr.insecure,
			Screenshots: filepath.Join(dir, "screenshots")}
	case a.Form:
		tls := p.tr.tls.Clone()
		tls.InsecureSkipVerify = p.tr.insecure
		return authorize.Form{Client: &http.Client{Transport: &http.Transport{TLSClientConfig: tls}, Timeout: p.tr.timeout},
			Username: t.Username, Password: t.Password, RedirectURI: a.RedirectURI, DenyButton: a.Deny}
	}
	return nil
}

// loadWaivers reads the waivers file given by --waivers or the target key
// (relative to the target file). A certification accepts none: it states
// that every MUST-level requirement holds, and a waiver says one does not.
func loadWaivers(o *Options) (*waivers.File, error) {
	path, key, file := o.Waivers, "--waivers", ""
	if path == "" && o.Target.Waivers != "" {
		path, key, file = relativeTo(o.Target.Path, o.Target.Waivers), "waivers", o.Target.Path
	}
	if path == "" {
		return nil, nil
	}
	if o.Certify {
		return nil, &target.Error{File: file, Key: key, Problem: "a certification (--certify) accepts no waivers: it states that every MUST-level requirement holds; run without --certify to use waivers"}
	}
	return waivers.Load(path)
}

// loadBaseline reads the baseline run, if there is one, and checks --fail-on.
func loadBaseline(o *Options, spec *specs.Spec) (*result.Run, string, error) {
	switch o.FailOn {
	case "":
		o.FailOn = result.FailOnMust
	case result.FailOnMust:
	case result.FailOnRegressions:
		if o.Baseline == "" {
			return nil, "", &target.Error{Key: "--fail-on", Problem: "regressions are failures new since a baseline: give --baseline DIR"}
		}
		if o.Certify {
			return nil, "", &target.Error{Key: "--fail-on", Problem: "a certification (--certify) fails on every MUST-level failure; drop --fail-on regressions"}
		}
	default:
		return nil, "", &target.Error{Key: "--fail-on", Problem: fmt.Sprintf("%q: want must or regressions", o.FailOn)}
	}
	if o.Baseline == "" {
		return nil, "", nil
	}
	if _, err := os.Stat(o.Baseline); errors.Is(err, os.ErrNotExist) {
		return nil, o.Baseline, nil
	}
	r, path, err := reports.ReadReport(o.Baseline)
	if err != nil {
		return nil, "", &target.Error{Key: "--baseline", Problem: err.Error()}
	}
	if r.Spec.Name != spec.Name {
		return nil, "", &target.Error{Key: "--baseline", Problem: (&diff.SpecError{Old: r.Spec.Name, New: spec.Name}).Error()}
	}
	return r, path, nil
}

// startEmbedded starts the reference server on 127.0.0.1 over TLS, with a
// fresh self-signed certificate, and returns the pool that trusts it.
func startEmbedded(spec *specs.Spec, o *Options) (*refserver.Server, *x509.CertPool, error) {
	cfg, pool, _, err := refserver.SelfSigned()
	if err != nil {
		return nil, nil, err
	}
	opts := refserver.Options{Spec: spec, Lifetime: o.Lifetime, Latency: o.Latency, TLS: cfg}
	if o.Fault != "" {
		f, _ := refserver.FaultByName(o.Fault)
		opts.Faults = []refserver.Fault{f}
	}
	for _, name := range o.Quirks {
		q, _ := refserver.QuirkByName(name)
		opts.Quirks = append(opts.Quirks, q)
	}
	srv, err := refserver.New(opts)
	if err != nil {
		return nil, nil, err
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		return nil, nil, err
	}
	return srv, pool, nil
}

// ginkgoT is the GinkgoTestingT RunSpecs reports to.
type ginkgoT struct{ failed bool }

func (t *ginkgoT) Fail() { t.failed = true }

func (p *prepared) run() int {
	o := p.o
	started := time.Now()
	p.report = p.newReport(started)
	if d := p.discovery; d != nil {
		if d.URL != "" {
			p.con.println("tokencert: from the metadata of issuer %s (%s): %s", d.Issuer, d.URL, orNothing(d.Filled))
		} else {
			p.con.println("tokencert: no usable metadata for issuer %s (%s); the target's keys are used as given", d.Issuer, d.Problem)
		}
	}
	selected := 0
	for _, c := range p.plan {
		if p.selected(c) {
			selected++
		}
	}
	what := p.report.Endpoint
	if p.server != nil {
		what += " (the embedded reference server"
		if o.Fault != "" {
			what += ", fault " + o.Fault
		}
		what += ")"
	}
	p.con.start(selected, "tokencert: certifying %s against spec %s: %s", what, p.spec.Name, plural.N(selected, "check"))
	p.env.Client.Deadline = started.Add(o.Deadline)
	if err := reachable(p.env.Target.Endpoint, p.tr.timeout); err != nil {
		msg := fmt.Sprintf("endpoint unreachable: %v", p.redactor.String(err.Error()))
		for _, c := range p.plan {
			p.report.Checks = append(p.report.Checks, p.checkReport(c, result.Error, msg))
		}
		return p.finish(true, msg)
	}
	suiteConfig, reporterConfig := GinkgoConfiguration()
	suiteConfig.LabelFilter = o.LabelFilter
	suiteConfig.RandomSeed = 1
	suiteConfig.RandomizeAllSpecs = false
	suiteConfig.Timeout = o.Deadline
	reporterConfig.NoColor = !IsTerminal(o.Stdout)
	reporterConfig.Verbose = o.Verbose
	// One voice on the console: tokencert's. Ginkgo's reporter (its dots,
	// its summary, its verdict, which a waiver or an incomplete run would
	// contradict) speaks only with -v, without the build machine's paths.
	formatter.ColorableStdOut = io.Discard
	if o.Verbose {
		formatter.ColorableStdOut = trimSource{o.Stdout}
	}
	var ginkgoReport types.Report
	suites.Define(p.env, p.plan)
	ReportAfterEach(func(sr SpecReport) {
		// Only the checks that ran carry their record; those the label
		// filter left out do not count.
		for _, e := range sr.ReportEntries {
			if e.Name == suites.EntryCheck {
				verdict, _ := verdictOf(sr)
				p.con.checkDone(verdict == result.Fail || verdict == result.Error)
				return
			}
		}
	})
	ReportAfterSuite("tokencert", func(r Report) { ginkgoReport = r })
	RunSpecs(&ginkgoT{}, "tokencert "+p.spec.Name, suiteConfig, reporterConfig)
	p.collect(ginkgoReport)
	return p.finish(false, "")
}

// Decide returns a finished run's exit code and verdict: the one place
// that decides them. An unreachable endpoint is exit 3. Otherwise an
// expired waiver fails the run; then, failing on regressions, a
// regression since the baseline does; else an unwaived MUST-level failure
// (with Strict, any unwaived failure) does. A run that failed nothing but
// could not run a MUST-level check for want of a key or flag is incomplete.
func Decide(r *result.Run, unreachable bool) (int, string) {
	if unreachable {
		return ExitUnreachable, result.RunUnreachable
	}
	c := r.Count()
	failed := c.ExpiredWaivers > 0
	switch {
	case r.FailOn == result.FailOnRegressions && r.Changes != nil:
		failed = failed || len(r.Changes.Regressions) > 0
	default:
		failed = failed || c.MandatoryFailed > 0 || (r.Strict && c.Failing() > 0)
	}
	switch {
	case failed:
		return ExitFail, result.RunFail
	case c.Incomplete > 0:
		return ExitIncomplete, result.RunIncomplete
	}
	return ExitPass, result.RunPass
}

// judge applies the waivers (not to an unreachable endpoint's run: no
// check ran) and compares the run with its baseline.
func (p *prepared) judge(unreachable bool) {
	r := p.report
	if p.waivers != nil && !unreachable {
		subject := waivers.Subject{Endpoint: p.env.Target.Endpoint, TargetFile: p.o.Target.Path}
		r.Waivers = p.waivers.Apply(r.Checks, subject, r.Started)
		r.WaiversFile = &result.File{Path: p.waivers.Path, SHA256: p.waivers.SHA256}
	}
	if p.o.Baseline == "" {
		return
	}
	old := p.baseline
	if old == nil {
		old = &result.Run{Spec: r.Spec}
	}
	ch, err := diff.Compare(old, r, p.baselinePath)
	if err != nil { // not so: the spec was checked when the baseline was read
		fmt.Fprintf(p.o.Stderr, "tokencert: --baseline: %v\n", err)
		return
	}
	ch.BaselineMissing = p.baseline == nil
	r.Changes = ch
}

func (p *prepared) newReport(started time.Time) *result.Run {
	s := p.spec
	r := &result.Run{
		Tool: version.Tool(), Build: version.Get(), FailOn: p.o.FailOn,
		Spec:        result.Spec{Name: s.Name, Title: s.Title, Document: s.Document.Title, File: s.Document.File, Source: s.Source, SHA256: s.SHA256},
		Schemas:     map[string]string{},
		Endpoint:    p.redactor.URL(p.env.Target.Endpoint),
		Embedded:    p.server != nil,
		Fault:       p.o.Fault,
		Quirks:      p.o.Quirks,
		Started:     started,
		LabelFilter: p.o.LabelFilter,
		Strict:      p.o.Strict,
		Certify:     p.o.Certify,

		InsecureSkipVerify: p.tr.insecure,
		Discovery:          p.discovery,
	}
	for _, ts := range p.env.TokenSchemas() {
		r.Schemas[ts.Ref] = ts.SHA256
	}
	if es := p.env.ErrorSchema; es != nil {
		r.Schemas[s.Errors.Schema] = es.SHA256
	}
	for _, d := range s.Decisions {
		r.Spec.Decisions = append(r.Spec.Decisions, result.Decision(d))
	}
	return r
}

func (p *prepared) checkReport(c suites.Check, verdict, msg string) result.Check {
	r := result.Check{
		Name: c.Name(), ID: c.Req.ID, Level: string(c.Req.Level), Cite: c.Req.Cite, Why: c.Req.Why, Requirement: c.Req.Text,
		Concern: c.Concern, Variant: c.Variant, Title: c.Title, Verdict: verdict, Message: msg,
	}
	if verdict == result.Fail {
		r.Fix = suites.Fix(c)
	}
	return r
}

// collect turns Ginkgo's report into the run's checks, in plan order: each
// check's outcome is the spec that carries its record (suites.EntryCheck).
func (p *prepared) collect(r types.Report) {
	type outcome struct {
		sr  types.SpecReport
		rec *suites.Record
	}
	byID := map[string]outcome{}
	for _, sr := range r.SpecReports {
		for _, e := range sr.ReportEntries {
			if rec, ok := e.GetRawValue().(*suites.Record); ok && e.Name == suites.EntryCheck {
				byID[rec.ID] = outcome{sr, rec}
			}
		}
	}
	for _, c := range p.plan {
		o, ok := byID[c.ID()]
		if !ok {
			// Never started: not selected, or the deadline or an interrupt
			// ended the run first. Only the first is a skip: a selected
			// check that did not run did not show its requirement holds.
			if p.selected(c) {
				p.report.Checks = append(p.report.Checks, p.checkReport(c, result.Error, p.notRun(r)))
			} else {
				p.report.Checks = append(p.report.Checks, p.checkReport(c, result.Skip, "not selected by --label-filter "+p.o.LabelFilter))
			}
			continue
		}
		verdict, msg := verdictOf(o.sr)
		found := o.rec.Result()
		if verdict == result.Pass && len(found.Problems) > 0 {
			// A finding passes its Ginkgo spec; its verdict is still fail.
			verdict, msg = result.Fail, found.Failure()
		}
		cr := p.checkReport(c, verdict, p.redactor.String(msg))
		cr.Duration = o.sr.RunTime
		if verdict == result.Skip {
			cr.Incomplete, cr.Needs = found.Incomplete, found.Needs
		}
		for _, n := range found.Notes {
			cr.Notes = append(cr.Notes, p.redactor.String(n))
		}
		for _, ex := range found.Evidence {
			cr.Evidence = append(cr.Evidence, p.exchange(ex))
		}
		p.report.Checks = append(p.report.Checks, cr)
	}
}

func verdictOf(sr types.SpecReport) (string, string) {
	switch sr.State {
	case types.SpecStatePassed:
		return result.Pass, ""
	case types.SpecStateSkipped, types.SpecStatePending:
		return result.Skip, sr.Failure.Message
	case types.SpecStateFailed:
		return result.Fail, sr.Failure.Message
	case types.SpecStatePanicked:
		if msg, ok := strings.CutPrefix(fmt.Sprint(sr.Failure.ForwardedPanic), suites.ErrorPrefix); ok {
			return result.Error, msg
		}
		return result.Error, fmt.Sprintf("the check panicked: %s %v", sr.Failure.Message, sr.Failure.ForwardedPanic)
	case types.SpecStateTimedout:
		return result.Error, "the check timed out: " + sr.Failure.Message
	default:
		return result.Error, fmt.Sprintf("%s: %s", sr.State, sr.Failure.Message)
	}
}

// exchange is recorded evidence (already redacted) for the report,
// redacted once more with every secret learned since it was recorded.
func (p *prepared) exchange(ex *wire.Exchange) result.Exchange {
	r := p.redactor
	msg := func(m result.Message) result.Message {
		m.URL, m.Header, m.Body = r.String(m.URL), r.Header(m.Header), r.String(m.Body)
		return m
	}
	out := ex.Exchange
	out.Request, out.Err = msg(out.Request), r.String(out.Err)
	if out.Response != nil {
		m := msg(*out.Response)
		out.Response = &m
	}
	out.Notes = nil
	for _, n := range ex.Notes {
		out.Notes = append(out.Notes, r.String(n))
	}
	return out
}

// finish decides the verdict, writes the bundle and prints the verdict
// line. msg, when set, says why the run ended early.
func (p *prepared) finish(unreachable bool, msg string) int {
	r := p.report
	r.Finished = time.Now()
	p.judge(unreachable)
	exit, verdict := Decide(r, unreachable)
	r.Verdict, r.ExitCode, r.Requests = verdict, exit, p.env.Client.Count()
	r.AuthorizationCodes = p.env.CodesUsed()
	if s, ok := p.env.SkewUsed(); ok {
		r.Skew = &result.Skew{Duration: s.Duration, Source: s.Source, Why: p.redactor.String(s.Why)}
	}
	c := r.Count()
	if msg == "" {
		failed := fmt.Sprintf("%d failed", c.Fail)
		if c.Findings > 0 {
			failed += fmt.Sprintf(" (%d below the MUST level: findings, which fail the run only with --strict)", c.Findings)
		}
		msg = fmt.Sprintf("%d passed, %s, %d skipped, %s; %s; %s", c.Pass, failed, c.Skip, plural.N(c.Error, "error"),
			plural.N(c.MandatoryFailed, "MUST-level failure"), plural.N(r.Requests, "request"))
		if r.AuthorizationCodes > 0 {
			msg += fmt.Sprintf(" (%s)", plural.N(r.AuthorizationCodes, "authorization code"))
		}
		if c.Waived > 0 {
			msg += "; " + plural.Irregular(c.Waived, "failure waived", "failures waived")
		}
		if c.ExpiredWaivers > 0 {
			msg += "; " + plural.Irregular(c.ExpiredWaivers, "waiver EXPIRED", "waivers EXPIRED")
		}
		if r.Changes != nil {
			msg += "; " + plural.Irregular(len(r.Changes.Regressions), "regression", "regressions") + " since the baseline"
		}
		if c.Incomplete > 0 {
			msg = incompleteMessage(c.Incomplete, r.Needs()) + "; " + msg
		}
	}
	if r.InsecureSkipVerify {
		msg += "; TLS certificate verification was OFF (insecure_skip_verify)"
	}
	r.Message = msg
	dir := p.o.ReportDir
	if dir == "" {
		dir = "tokencert-report"
	}
	err := reports.Write(dir, r, reports.WriteOptions{SignKey: p.signKey, Secrets: p.redactor.Secrets(), SecretNames: p.redactor.Names()})
	var leak *reports.LeakError
	if errors.As(err, &leak) {
		fmt.Fprintf(p.o.Stderr, "tokencert: SECRET LEAK: a secret escaped redaction; this is a tokencert bug, please report it.\ntokencert: %v\n", err)
	} else if err != nil {
		fmt.Fprintf(p.o.Stderr, "tokencert: writing the report: %v\n", err)
	}
	if err != nil {
		if exit == ExitPass {
			exit = ExitFail
		}
	}
	p.con.finish()
	fmt.Fprint(p.o.Stdout, reports.ConsoleSummary(r))
	if r.Skew != nil {
		fmt.Fprintf(p.o.Stdout, "\nExpiry judged with a skew of %s\n", r.Skew)
	}
	p.printJudgement()
	fmt.Fprintf(p.o.Stdout, "\ntokencert: %s — spec %s at %s — %s — report: %s\n", strings.ToUpper(verdict), p.spec.Name, r.Endpoint, msg, filepath.Join(dir, "report.html"))
	return exit
}

// incompleteMessage says how many MUST-level checks could not run and what
// would run them: the target keys to add, and the flags.
func incompleteMessage(n int, needs []string) string {
	msg := plural.N(n, "MUST-level check") + " could not run"
	var keys, flags []string
	for _, x := range needs {
		if strings.HasPrefix(x, "--") {
			flags = append(flags, x)
		} else {
			keys = append(keys, x)
		}
	}
	switch {
	case len(keys) > 0 && len(flags) > 0:
		return fmt.Sprintf("%s; to run them, add %s to the target file (or give %s)", msg, keyList(keys), andList(flags))
	case len(keys) > 0:
		return fmt.Sprintf("%s; to run them, add %s to the target file", msg, keyList(keys))
	case len(flags) > 0:
		return fmt.Sprintf("%s; to run them, give %s", msg, andList(flags))
	}
	return msg + " (tokencert could not exercise them; see report.html)"
}

// keyList names target keys: "the target key resource", "the target keys
// password and username".
func keyList(keys []string) string {
	if len(keys) == 1 {
		return "the target key " + keys[0]
	}
	return "the target keys " + andList(keys)
}

// andList is "a", "a and b", "a, b and c".
func andList(xs []string) string {
	if len(xs) < 2 {
		return strings.Join(xs, "")
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}

// printJudgement prints the waivers that expired or match nothing, and
// what changed since the baseline.
func (p *prepared) printJudgement() {
	r, w := p.report, p.o.Stdout
	for _, x := range r.Waivers {
		where := fmt.Sprintf("%s:%d", r.WaiversFile.Path, x.Line)
		switch x.Status {
		case result.WaiverExpired:
			fmt.Fprintf(w, "tokencert: EXPIRED WAIVER %s: %s expired on %s (owner %s: %s); it fails the run: renew or remove it\n", where, x.Subject(), x.Expires, x.Owner, x.Reason)
		case result.WaiverStale:
			fmt.Fprintf(w, "tokencert: stale waiver %s: %s matches no failed check; remove it\n", where, x.Subject())
		}
	}
	if r.Changes != nil {
		fmt.Fprintf(w, "\n%s", reports.ChangesText(r.Changes))
	}
}

// reachable dials the endpoint's host within timeout.
func reachable(endpoint string, timeout time.Duration) error {
	u, err := url.Parse(endpoint)
	if err != nil {
		return err
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), map[string]string{"https": "443", "http": "80"}[u.Scheme])
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", host)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("no connection to %s within %s", host, timeout)
		}
		return err
	}
	return conn.Close()
}

// orNothing lists what metadata filled in.
func orNothing(filled []string) string {
	if len(filled) == 0 {
		return "nothing (the target names every key the metadata has)"
	}
	return strings.Join(filled, ", ")
}

// IsTerminal reports whether w is a terminal (colour, plain text) rather
// than a file or pipe (CI logs, Markdown).
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// selected reports whether the label filter selects check c.
func (p *prepared) selected(c suites.Check) bool {
	if p.o.LabelFilter == "" {
		return true
	}
	f, err := types.ParseLabelFilter(p.o.LabelFilter)
	return err == nil && f(c.Labels())
}

// notRun says why a selected check never started.
func (p *prepared) notRun(r types.Report) string {
	for _, reason := range r.SpecialSuiteFailureReasons {
		if strings.Contains(reason, "Timeout") {
			return fmt.Sprintf("not run: the run's deadline (--deadline %s) passed first", p.o.Deadline)
		}
	}
	return "not run: the run was interrupted first"
}
