// Package result is what a run found: the run, each check with its
// verdict, and the HTTP exchanges that are its evidence. The transport
// records exchanges in it, the suites attach them to checks, the runner
// fills in verdicts, and the reports write it out.
package result

import (
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

// Run is the machine-readable result of one certification run.
type Run struct {
	Tool        string            `json:"tool"`
	Spec        Spec              `json:"spec"`
	Schemas     map[string]string `json:"schemas"` // schema ref -> SHA-256
	Endpoint    string            `json:"endpoint"`
	Embedded    bool              `json:"embedded,omitempty"`
	Fault       string            `json:"fault,omitempty"`
	Started     time.Time         `json:"started"`
	Finished    time.Time         `json:"finished"`
	LabelFilter string            `json:"label_filter,omitempty"`
	Strict      bool              `json:"strict,omitempty"`
	Certify     bool              `json:"certify,omitempty"`
	Verdict     string            `json:"verdict"`
	ExitCode    int               `json:"exit_code"`
	Message     string            `json:"message"`
	Requests    int               `json:"requests"`
	Checks      []Check           `json:"checks"`

	// InsecureSkipVerify: the endpoint's TLS certificate was not verified
	// (target key insecure_skip_verify), by explicit option.
	InsecureSkipVerify bool `json:"insecure_skip_verify,omitempty"`
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
	// Incomplete: the check was skipped for want of something the target
	// or the run could give; Needs names the target keys and flags that
	// would run it (none when tokencert could not exercise it at all).
	Incomplete bool          `json:"incomplete,omitempty"`
	Needs      []string      `json:"needs,omitempty"`
	Notes      []string      `json:"notes,omitempty"`
	Duration   time.Duration `json:"duration_ns"`
	Evidence   []Exchange    `json:"evidence,omitempty"`
}

// Mandatory reports whether the check's level makes its failure fail a run.
func (c Check) Mandatory() bool { return c.Level == "MUST" || c.Level == "MUST NOT" }

// Finding reports whether the check failed at a level that does not fail
// the run (SHOULD, SHOULD NOT, MAY) in a run that is not strict. Reports
// show a finding as a passing test case that carries it, so a CI server's
// red matches the exit code.
func (c Check) Finding(strict bool) bool { return c.Verdict == Fail && !c.Mandatory() && !strict }

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
	// MandatoryFailed counts failed or errored MUST-level checks.
	MandatoryFailed int
	// Findings counts the failed checks that do not fail the run
	// (Check.Finding); Fail counts them too.
	Findings int
	// Incomplete counts the MUST-level checks skipped for want of
	// something the target or the run could give (Check.Incomplete).
	Incomplete int
}

// Count tallies the run's verdicts.
func (r *Run) Count() Counts {
	var c Counts
	for _, ch := range r.Checks {
		switch ch.Verdict {
		case Pass:
			c.Pass++
		case Fail:
			c.Fail++
		case Skip:
			c.Skip++
		case Error:
			c.Error++
		}
		if (ch.Verdict == Fail || ch.Verdict == Error) && ch.Mandatory() {
			c.MandatoryFailed++
		}
		if ch.Finding(r.Strict) {
			c.Findings++
		}
		if ch.Verdict == Skip && ch.Incomplete && ch.Mandatory() {
			c.Incomplete++
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
