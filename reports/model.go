// Package reports writes what a run found: JUnit for CI servers, JSON for
// machines, HTML and Markdown for people, and a manifest of digests that
// makes the bundle tamper-evident. Everything it receives is already
// redacted; it adds no secrets of its own.
package reports

import "time"

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
	Name        string        `json:"name"`
	ID          string        `json:"id"`
	Level       string        `json:"level"`
	Cite        string        `json:"cite"`
	Why         string        `json:"why,omitempty"`
	Requirement string        `json:"requirement"`
	Concern     string        `json:"concern"`
	Variant     string        `json:"variant,omitempty"`
	Title       string        `json:"title"`
	Verdict     string        `json:"verdict"`
	Message     string        `json:"message,omitempty"`
	Notes       []string      `json:"notes,omitempty"`
	Duration    time.Duration `json:"duration_ns"`
	Evidence    []Exchange    `json:"evidence,omitempty"`
}

// Mandatory reports whether the check's level makes its failure fail a run.
func (c Check) Mandatory() bool { return c.Level == "MUST" || c.Level == "MUST NOT" }

// Exchange is one redacted HTTP exchange.
type Exchange struct {
	Label    string        `json:"label"`
	Started  time.Time     `json:"started"`
	Duration time.Duration `json:"duration_ns"`
	Request  Message       `json:"request"`
	Response *Message      `json:"response,omitempty"`
	Error    string        `json:"error,omitempty"`
}

// Message is a redacted request or response.
type Message struct {
	Method    string              `json:"method,omitempty"`
	URL       string              `json:"url,omitempty"`
	Status    int                 `json:"status,omitempty"`
	Header    map[string][]string `json:"header,omitempty"`
	Body      string              `json:"body,omitempty"`
	Truncated bool                `json:"truncated,omitempty"`
}

// Counts tallies verdicts.
type Counts struct {
	Pass, Fail, Skip, Error int
	// MandatoryFailed counts failed or errored MUST-level checks.
	MandatoryFailed int
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
	}
	return c
}
