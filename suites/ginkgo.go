package suites

import (
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega/format"
)

// EntryCheck names the report entry every check's Ginkgo spec carries: its
// *Record, which the runner finds in Ginkgo's report by the check's ID.
const EntryCheck = "tokencert-check"

// EntryNote names the entries that show a check's notes on the console.
const EntryNote = "tokencert-note"

// EntryFinding names the entry that shows a finding (a failure below the
// MUST level, in a run that is not strict) on the console.
const EntryFinding = "tokencert-finding"

// ErrorPrefix marks the panic of a check that could not be carried out
// (T.Abortf); the runner reports its message as the check's error.
const ErrorPrefix = "tokencert: check not carried out: "

// DefaultTimeout bounds a check that sets none.
const DefaultTimeout = 2 * time.Minute

// Define registers the checks as one Ginkgo tree, a container per run of
// checks of the same concern, in plan order. Call it once, before RunSpecs.
func Define(e *Env, checks []Check) {
	// Gomega formats values into failure messages; secrets must not be among them.
	format.RegisterCustomFormatter(func(v any) (string, bool) {
		if s, ok := v.(string); ok {
			return e.Redactor.String(s), true
		}
		return "", false
	})
	// Ordered keeps plan order (Ginkgo otherwise sorts specs defined at one
	// code location by text); ContinueOnFailure keeps a failure from
	// skipping the checks after it.
	Describe(e.Spec.Name, Ordered, ContinueOnFailure, func() {
		for i := 0; i < len(checks); {
			j := i
			for j < len(checks) && checks[j].Concern == checks[i].Concern {
				j++
			}
			group := checks[i:j]
			Describe(group[0].Concern, func() {
				for k := range group {
					defineCheck(e, &group[k])
				}
			})
			i = j
		}
	})
}

func defineCheck(e *Env, c *Check) {
	timeout := c.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	It(c.Name(), Label(c.Labels()...), SpecTimeout(timeout), func(ctx SpecContext) {
		rec := &Record{ID: c.ID()}
		AddReportEntry(EntryCheck, rec, ReportEntryVisibilityNever)
		if d := e.Client.Deadline; !d.IsZero() && time.Now().After(d) {
			// The run's deadline passed between the last check and this
			// one, before Ginkgo's own timeout stopped the suite: a check
			// that sends nothing through the client (a login) would run.
			panic(ErrorPrefix + "not run: the run's deadline passed before it started")
		}
		res := execute(ctx, e, c, rec)
		for _, n := range res.Notes {
			AddReportEntry(EntryNote, n, ReportEntryVisibilityFailureOrVerbose)
		}
		if res.Errored != "" && len(res.Problems) == 0 {
			panic(ErrorPrefix + res.Errored)
		}
		if res.Skipped != "" && len(res.Problems) == 0 {
			Skip(res.Skipped)
		}
		if len(res.Problems) > 0 {
			if !c.Req.Level.Mandatory() && !e.Strict {
				// A finding: it does not fail the run, so it does not fail
				// the spec either; the console shows it all the same.
				AddReportEntry(EntryFinding, fmt.Sprintf("FINDING (%s; fails the run only with --strict): %s", c.Req.Level, res.Failure()), ReportEntryVisibilityAlways)
				return
			}
			Fail(res.Failure())
		}
	})
}

// Failure is the check's problems as one message.
func (r Result) Failure() string {
	ps := r.Problems
	if len(ps) == 1 {
		return ps[0]
	}
	s := ""
	for i, p := range ps {
		if i > 0 {
			s += "\n"
		}
		s += "- " + p
	}
	return s
}
