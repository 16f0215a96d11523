package runner

import (
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/tokencert/tokencert/redact"
	"github.com/tokencert/tokencert/result"
	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/suites"
)

// The runner finds each check's outcome by the ID its record carries, not
// by the spec's display text: a report whose texts say nothing (or mislead)
// still yields the right verdicts, and a selected check with no record is
// an error, not a pass.
func TestCollectReadsOutcomesByCheckID(t *testing.T) {
	req := func(id string) specs.Requirement {
		return specs.Requirement{ID: id, Level: specs.MUST, Check: "status-200"}
	}
	plan := []suites.Check{
		{Req: req("A-1"), Concern: suites.Fields, Title: "first"},
		{Req: req("B-2"), Concern: suites.Fields, Title: "second"},
		{Req: req("C-3"), Concern: suites.Fields, Title: "third"},
	}
	entry := func(c suites.Check) types.ReportEntries {
		return types.ReportEntries{{Name: suites.EntryCheck, Value: types.WrapEntryValue(&suites.Record{ID: c.ID()})}}
	}
	report := types.Report{SpecReports: types.SpecReports{
		// Swapped texts: the second check's text on the first's outcome.
		{LeafNodeType: types.NodeTypeIt, LeafNodeText: plan[1].Name(), State: types.SpecStateFailed,
			Failure: types.Failure{Message: "broken"}, ReportEntries: entry(plan[0])},
		{LeafNodeType: types.NodeTypeIt, LeafNodeText: plan[0].Name(), State: types.SpecStatePassed, ReportEntries: entry(plan[1])},
	}}
	p := &prepared{plan: plan, redactor: redact.New(), report: &result.Run{}}
	p.collect(report)
	got := map[string]string{}
	for _, c := range p.report.Checks {
		got[c.ID] = c.Verdict
	}
	want := map[string]string{"A-1": result.Fail, "B-2": result.Pass, "C-3": result.Error}
	for id, v := range want {
		if got[id] != v {
			t.Errorf("%s: %s, want %s (all: %v)", id, got[id], v, got)
		}
	}
}
