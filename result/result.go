// Package result is what a run found: the run, each check with its
// verdict, and the HTTP exchanges that are its evidence. The transport
// records exchanges in it, the suites attach them to checks, the runner
// fills in verdicts, and the reports write it out.
package result

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"
)

// Verdicts of a check.
const (
	Pass  = "pass"
	Fail  = "fail"
	Skip  = "skip"
	Error = "error" // the check could not finish: panic, timeout, interrupt
)

// Run verdicts.
const (
	RunPass        = "pass"
	RunFail        = "fail"
	RunUnreachable = "unreachable"
	// RunIncomplete: no MUST failed, but MUST-level checks could not run
	// for want of something the target or the run could give.
	RunIncomplete = "incomplete"
)

// What fails a run (Run.FailOn).
const (
	FailOnMust        = "must"        // an unwaived MUST-level failure (any failure with --strict)
	FailOnRegressions = "regressions" // only such a failure that is new since the baseline
)

// Run is the machine-readable result of one certification run.
type Run struct {
	Tool     string            `json:"tool"`
	Spec     Spec              `json:"spec"`
	Schemas  map[string]string `json:"schemas"` // schema ref -> SHA-256
	Endpoint string            `json:"endpoint"`
	Embedded bool              `json:"embedded,omitempty"`
	Fault    string            `json:"fault,omitempty"`
	// Quirks are the behaviours of real servers the embedded reference
	// server took on (refserver.Quirk).
	Quirks      []string  `json:"quirks,omitempty"`
	Started     time.Time `json:"started"`
	Finished    time.Time `json:"finished"`
	LabelFilter string    `json:"label_filter,omitempty"`
	Strict      bool      `json:"strict,omitempty"`
	Certify     bool      `json:"certify,omitempty"`
	Verdict     string    `json:"verdict"`
	ExitCode    int       `json:"exit_code"`
	Message     string    `json:"message"`
	Requests    int       `json:"requests"`
	// AuthorizationCodes is how many authorization codes the run obtained
	// (each check that consumes one asks for its own).
	AuthorizationCodes int `json:"authorization_codes,omitempty"`
	// FailOn is what fails the run besides an unreachable endpoint and an
	// expired waiver: FailOnMust (the default) or FailOnRegressions.
	FailOn string  `json:"fail_on,omitempty"`
	Build  Build   `json:"build"`
	Checks []Check `json:"checks"`
	// Waivers are the waivers file's entries and what became of each.
	Waivers     []Waiver `json:"waivers,omitempty"`
	WaiversFile *File    `json:"waivers_file,omitempty"`
	// Changes compares the run with a baseline run (run --baseline).
	Changes *Changes `json:"changes,omitempty"`

	// InsecureSkipVerify: the endpoint's TLS certificate was not verified
	// (target key insecure_skip_verify), by explicit option.
	InsecureSkipVerify bool `json:"insecure_skip_verify,omitempty"`
	// Discovery says what the issuer's metadata (target key issuer) filled
	// in.
	Discovery *Discovery `json:"discovery,omitempty"`
	// Skew is what the expiry checks allowed after expires_in, and why;
	// nil when no check waited for an expiry.
	Skew *Skew `json:"skew,omitempty"`
}

// Skew is the time a run allowed after a token's expires_in before its
// expiry checks judged it (the largest they allowed), and why.
type Skew struct {
	Duration time.Duration `json:"duration_ns"`
	// Source is "estimated" (from the endpoints' Date headers), "default"
	// (no Date header to estimate from), or what gave it ("--skew",
	// "target key skew", the embedded reference server).
	Source string `json:"source"`
	// Why says how it was chosen.
	Why string `json:"why"`
}

// String is the skew as every output shows it.
func (s Skew) String() string {
	return fmt.Sprintf("%s (%s: %s)", s.Duration, s.Source, s.Why)
}

// Discovery is what a run read from the issuer's metadata (RFC 8414).
type Discovery struct {
	Issuer string `json:"issuer"`
	// URL is the metadata document used; empty when none was usable.
	URL string `json:"url,omitempty"`
	// Filled are the target keys the metadata filled in, each as "key
	// (metadata member)"; keys the target set were left as they were.
	Filled []string `json:"filled,omitempty"`
	// Problem says why no metadata document was used.
	Problem string `json:"problem,omitempty"`
}

// Build identifies the tokencert binary that made a run.
type Build struct {
	Version string `json:"version"`
	Commit  string `json:"commit,omitempty"`
	// Modified: the binary was built from a work tree with uncommitted changes.
	Modified bool   `json:"modified,omitempty"`
	Go       string `json:"go"`
}

// File names an input file by path and SHA-256.
type File struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

// Spec identifies the endpoint spec a run certified against.
type Spec struct {
	Name      string     `json:"name"`
	Title     string     `json:"title"`
	Document  string     `json:"document"`
	File      string     `json:"file"`
	Source    string     `json:"source"`
	SHA256    string     `json:"sha256"`
	Decisions []Decision `json:"decisions,omitempty"`
}

// Decision is a spec's reading of a contradictory document.
type Decision struct {
	Point   string `json:"point"`
	Reading string `json:"reading"`
	Why     string `json:"why"`
}

// Check is one requirement check and its verdict.
type Check struct {
	Name        string `json:"name"`
	ID          string `json:"id"`
	Level       string `json:"level"`
	Cite        string `json:"cite"`
	Why         string `json:"why,omitempty"`
	Requirement string `json:"requirement"`
	Concern     string `json:"concern"`
	Variant     string `json:"variant,omitempty"`
	Title       string `json:"title"`
	Verdict     string `json:"verdict"`
	Message     string `json:"message,omitempty"`
	// Fix, on a failed or errored check, says what the endpoint should
	// have done (the check's kind or failure condition says it).
	Fix string `json:"fix,omitempty"`
	// Incomplete: the check was skipped for want of something the target
	// or the run could give; Needs names the target keys and flags that
	// would run it (none when tokencert could not exercise it at all).
	Incomplete bool          `json:"incomplete,omitempty"`
	Needs      []string      `json:"needs,omitempty"`
	Notes      []string      `json:"notes,omitempty"`
	Duration   time.Duration `json:"duration_ns"`
	Evidence   []Exchange    `json:"evidence,omitempty"`
	// Waived, on a failed check, is the waiver that accepts the failure:
	// the verdict stays fail, but the failure does not fail the run.
	Waived *Waived `json:"waived,omitempty"`
}

// Waived is the waiver a failed check is accepted by.
type Waived struct {
	Until  string `json:"until"` // YYYY-MM-DD, the last day it holds
	Owner  string `json:"owner"`
	Reason string `json:"reason"`
	Ticket string `json:"ticket,omitempty"`
}

// MarshalJSON writes the waiver with its sentence (String) as "text".
func (w Waived) MarshalJSON() ([]byte, error) {
	type fields Waived
	return json.Marshal(struct {
		fields
		Text string `json:"text"`
	}{fields(w), w.String()})
}

// String is the waiver as every output shows it.
func (w Waived) String() string {
	return fmt.Sprintf("waived until %s by %s: %s", w.Until, w.Owner, w.Reason)
}

// Statuses of a waiver in a run.
const (
	WaiverApplied     = "applied"      // it waived at least one failed check
	WaiverStale       = "stale"        // it applies to this target, but no failed check matches it
	WaiverExpired     = "expired"      // its date has passed: it waives nothing and fails the run
	WaiverOtherTarget = "other-target" // its target glob does not match this run's target
)

// Waiver is one entry of a waivers file and what became of it in a run.
type Waiver struct {
	ID      string `json:"id,omitempty"`
	Check   string `json:"check,omitempty"`
	Target  string `json:"target,omitempty"`
	Reason  string `json:"reason"`
	Owner   string `json:"owner"`
	Expires string `json:"expires"`
	Ticket  string `json:"ticket,omitempty"`
	// Line is the entry's line in the waivers file.
	Line   int    `json:"line"`
	Status string `json:"status"`
	// Checks are the failed checks it matched: waived, or, expired, left failing.
	Checks []string `json:"checks,omitempty"`
}

// Subject is what a waiver names: a requirement ID or a check name.
func (w Waiver) Subject() string {
	if w.ID != "" {
		return w.ID
	}
	return w.Check
}

// Changes is what changed since a baseline run: requirement by
// requirement, check by check, and in the waivers. Fingerprints, times and
// durations in messages are not changes (they differ in every run).
type Changes struct {
	// Baseline is the baseline's report.json as given.
	Baseline        string    `json:"baseline"`
	BaselineStarted time.Time `json:"baseline_started"`
	// BaselineMissing: there was no report at Baseline, so every check
	// counts as added (a first run, or a target new to the fleet).
	BaselineMissing bool `json:"baseline_missing,omitempty"`
	// SpecChanged: the same spec name, but a different spec file (SHA-256).
	SpecChanged bool `json:"spec_changed,omitempty"`
	// Requirements are the requirements whose verdict (the worst of their
	// checks') changed.
	Requirements []RequirementChange `json:"requirements"`
	// NewlyFailing: failing now (waived or not), not failing before, or
	// failing then under a waiver that no longer holds; at the MUST level
	// (any level when strict). NewFindings: failing now below it.
	NewlyFailing []Change `json:"newly_failing"`
	NewFindings  []Change `json:"new_findings"`
	NewlyPassing []Change `json:"newly_passing"`
	// NewlyWaived: failing in both runs, now under a waiver.
	NewlyWaived []Change `json:"newly_waived"`
	// Message: still failing, with another message.
	Message []Change `json:"message_changed"`
	// Verdict: any other change of verdict (pass to skip, fail to error).
	Verdict []Change `json:"verdict_changed"`
	Added   []Change `json:"added"`
	Removed []Change `json:"removed"`
	// WaiversAdded and WaiversRemoved are the waivers file's entries in
	// one run and not the other (by requirement or check, and target).
	WaiversAdded   []Waiver `json:"waivers_added"`
	WaiversRemoved []Waiver `json:"waivers_removed"`
	// Regressions name the checks that fail the run under --fail-on
	// regressions: failing now, counting towards the exit code, not
	// waived, and passing, skipped, waived or absent in the baseline.
	Regressions []string `json:"regressions"`
}

// RequirementChange is one requirement's verdict in both runs: the worst
// of its checks' ("fail", "error", "waived", "skip", "pass"; "" where the
// run had no check of it).
type RequirementChange struct {
	ID    string `json:"id"`
	Level string `json:"level"`
	Old   string `json:"old,omitempty"`
	New   string `json:"new,omitempty"`
}

// Change is one check's change between two runs.
type Change struct {
	Name       string `json:"name"`
	ID         string `json:"id"`
	Level      string `json:"level"`
	OldVerdict string `json:"old_verdict,omitempty"`
	NewVerdict string `json:"new_verdict,omitempty"`
	OldMessage string `json:"old_message,omitempty"`
	NewMessage string `json:"new_message,omitempty"`
	// OldWaived and Waived are the waivers that accepted the failure in
	// the baseline and now.
	OldWaived string `json:"old_waived,omitempty"`
	Waived    string `json:"waived,omitempty"`
}

// Empty reports whether nothing changed.
func (c *Changes) Empty() bool {
	return len(c.Requirements)+len(c.NewlyFailing)+len(c.NewFindings)+len(c.NewlyPassing)+len(c.NewlyWaived)+len(c.Message)+len(c.Verdict)+
		len(c.Added)+len(c.Removed)+len(c.WaiversAdded)+len(c.WaiversRemoved) == 0
}

// Fails reports whether the check failed or errored and no waiver
// accepts that.
func (c Check) Fails() bool { return (c.Verdict == Fail || c.Verdict == Error) && c.Waived == nil }

// Mandatory reports whether the check's level makes its failure fail a run.
func (c Check) Mandatory() bool { return c.Level == "MUST" || c.Level == "MUST NOT" }

// Finding reports whether the check failed at a level that does not fail
// the run (SHOULD, SHOULD NOT, MAY) in a run that is not strict. Reports
// show a finding as a passing test case that carries it, so a CI server's
// red matches the exit code.
func (c Check) Finding(strict bool) bool {
	return c.Verdict == Fail && c.Waived == nil && !c.Mandatory() && !strict
}

// Exchange is one HTTP exchange as recorded: redacted, safe to write
// anywhere.
type Exchange struct {
	Label    string        `json:"label"`
	Started  time.Time     `json:"started"`
	Duration time.Duration `json:"duration_ns"`
	// ServerTime is how long the endpoint took to answer the last attempt,
	// from sending to the last body byte: no pacing, no Retry-After waits.
	ServerTime time.Duration `json:"server_time_ns,omitempty"`
	Request    Message       `json:"request"`
	Response   *Message      `json:"response,omitempty"`
	Err        string        `json:"error,omitempty"`
	// Notes say what the client did beyond sending the request once:
	// waiting for a 429's Retry-After, giving up on it.
	Notes []string `json:"notes,omitempty"`
}

// Message is a recorded request or response.
type Message struct {
	Method    string      `json:"method,omitempty"`
	URL       string      `json:"url,omitempty"`
	Status    int         `json:"status,omitempty"`
	Header    http.Header `json:"header,omitempty"`
	Body      string      `json:"body,omitempty"`
	Truncated bool        `json:"truncated,omitempty"`
}

// Counts tallies verdicts.
type Counts struct {
	Pass, Fail, Skip, Error int
	// Waived counts the failed checks a waiver accepts (they are in Fail).
	Waived int
	// MandatoryFailed counts failed or errored MUST-level checks, but not
	// waived ones.
	MandatoryFailed int
	// Findings counts the failed checks that do not fail the run
	// (Check.Finding); Fail counts them too.
	Findings int
	// Incomplete counts the MUST-level checks skipped for want of
	// something the target or the run could give (Check.Incomplete).
	Incomplete int
	// ExpiredWaivers counts the waivers for this target whose date passed.
	ExpiredWaivers int
}

// Failing counts the failed or errored checks that no waiver accepts.
func (c Counts) Failing() int { return c.Fail + c.Error - c.Waived }

// Count tallies the run's verdicts.
func (r *Run) Count() Counts {
	var c Counts
	for _, ch := range r.Checks {
		switch ch.Verdict {
		case Pass:
			c.Pass++
		case Fail:
			c.Fail++
			if ch.Waived != nil {
				c.Waived++
			}
		case Skip:
			c.Skip++
		case Error:
			c.Error++
		}
		if ch.Fails() && ch.Mandatory() {
			c.MandatoryFailed++
		}
		if ch.Finding(r.Strict) {
			c.Findings++
		}
		if ch.Verdict == Skip && ch.Incomplete && ch.Mandatory() {
			c.Incomplete++
		}
	}
	for _, w := range r.Waivers {
		if w.Status == WaiverExpired {
			c.ExpiredWaivers++
		}
	}
	return c
}

// CompleteCertification reports whether the run certifies the whole spec:
// started with --certify and no label filter, and no MUST-level check left
// unrun for want of something the target could give.
func (r *Run) CompleteCertification() bool {
	return r.Certify && r.LabelFilter == "" && r.Verdict != RunIncomplete
}

// Needs lists, sorted and once each, the target keys and flags that would
// run the MUST-level checks the run could not.
func (r *Run) Needs() []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range r.Checks {
		if c.Verdict != Skip || !c.Incomplete || !c.Mandatory() {
			continue
		}
		for _, n := range c.Needs {
			if !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	slices.Sort(out)
	return out
}
