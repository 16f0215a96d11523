// Package diff compares two runs of one spec: which requirements changed
// verdict, which checks newly fail, newly pass, are newly waived, fail
// with another message, were added or removed, which waivers appeared or
// went, and which of the new failures are regressions. Fingerprints, times
// and durations are not changes: they differ in every run.
package diff

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/tokencert/tokencert/result"
)

// SpecError says two runs certified different specs: they do not compare.
type SpecError struct{ Old, New string }

func (e *SpecError) Error() string {
	return fmt.Sprintf("the runs certified different specs (%s, then %s): only runs of one spec compare", e.Old, e.New)
}

// Compare compares run cur with the baseline run old, whose report.json is
// at baseline. Checks are matched by name, then, for those left, by
// requirement ID and variant where that pairs them unambiguously (a
// check's title changed). A regression is a check failing in cur that
// counts towards the exit code (MUST level, or any level when cur is
// strict), is not waived, and did not fail unwaived in the baseline: it
// passed, was skipped, was waived, or was not there.
func Compare(old, cur *result.Run, baseline string) (*result.Changes, error) {
	if old.Spec.Name != cur.Spec.Name {
		return nil, &SpecError{Old: old.Spec.Name, New: cur.Spec.Name}
	}
	ch := &result.Changes{
		Baseline: baseline, BaselineStarted: old.Started.UTC(), SpecChanged: old.Spec.SHA256 != cur.Spec.SHA256,
		Requirements: []result.RequirementChange{}, NewlyFailing: []result.Change{}, NewFindings: []result.Change{}, NewlyPassing: []result.Change{},
		NewlyWaived: []result.Change{}, Message: []result.Change{}, Verdict: []result.Change{}, Added: []result.Change{}, Removed: []result.Change{},
		WaiversAdded: []result.Waiver{}, WaiversRemoved: []result.Waiver{}, Regressions: []string{},
	}
	olds, curs := unique(old.Checks), unique(cur.Checks)
	pair := pairUp(olds, curs)
	matched := map[int]bool{}
	for _, i := range pair {
		matched[i] = true
	}
	for j, c := range curs {
		i, ok := pair[j]
		if !ok {
			ch.Added = append(ch.Added, change(nil, &c))
			if regression(nil, c, cur.Strict) {
				ch.Regressions = append(ch.Regressions, c.Name)
			}
			continue
		}
		o := olds[i]
		x := change(&o, &c)
		switch os, ns := state(o), state(c); {
		case ns == stateFailing && os != stateFailing && c.Finding(cur.Strict):
			ch.NewFindings = append(ch.NewFindings, x)
		case ns == stateFailing && os != stateFailing, ns == stateWaived && (os == statePassing || os == stateSkipped):
			ch.NewlyFailing = append(ch.NewlyFailing, x)
		case ns == stateWaived && os == stateFailing:
			ch.NewlyWaived = append(ch.NewlyWaived, x)
		case ns == statePassing && (os == stateFailing || os == stateWaived):
			ch.NewlyPassing = append(ch.NewlyPassing, x)
		case o.Verdict != c.Verdict:
			ch.Verdict = append(ch.Verdict, x)
		case ns != statePassing && ns != stateSkipped && Stable(o.Message) != Stable(c.Message):
			ch.Message = append(ch.Message, x)
		}
		if regression(&o, c, cur.Strict) {
			ch.Regressions = append(ch.Regressions, c.Name)
		}
	}
	for i, o := range olds {
		if !matched[i] {
			ch.Removed = append(ch.Removed, change(&o, nil))
		}
	}
	ch.Requirements = requirements(old.Checks, cur.Checks)
	ch.WaiversAdded, ch.WaiversRemoved = waiversOnlyIn(cur.Waivers, old.Waivers), waiversOnlyIn(old.Waivers, cur.Waivers)
	return ch, nil
}

// pairUp matches each check of curs (by index) with one of olds: by name,
// then by requirement ID and variant where exactly one is left on each
// side.
func pairUp(olds, curs []result.Check) map[int]int {
	pair := map[int]int{} // cur index -> old index
	matched := map[int]bool{}
	byName := map[string]int{}
	for i, c := range olds {
		byName[c.Name] = i
	}
	for j, c := range curs {
		if i, ok := byName[c.Name]; ok {
			pair[j], matched[i] = i, true
		}
	}
	key := func(c result.Check) string { return c.ID + "\x00" + c.Variant }
	leftOld, leftCur := map[string][]int{}, map[string][]int{}
	for i, c := range olds {
		if !matched[i] {
			leftOld[key(c)] = append(leftOld[key(c)], i)
		}
	}
	for j, c := range curs {
		if _, ok := pair[j]; !ok {
			leftCur[key(c)] = append(leftCur[key(c)], j)
		}
	}
	for k, js := range leftCur {
		if is := leftOld[k]; len(is) == 1 && len(js) == 1 {
			pair[js[0]] = is[0]
		}
	}
	return pair
}

// A check's state, as the comparison tells them apart.
const (
	statePassing = "pass"
	stateSkipped = "skip"
	stateFailing = "fail" // failed or errored, no waiver
	stateWaived  = "waived"
)

func state(c result.Check) string {
	switch {
	case c.Waived != nil:
		return stateWaived
	case c.Verdict == result.Fail || c.Verdict == result.Error:
		return stateFailing
	case c.Verdict == result.Skip:
		return stateSkipped
	}
	return statePassing
}

// requirements lists the requirements whose verdict changed, in the order
// the current run has them (then those only the baseline has).
func requirements(old, cur []result.Check) []result.RequirementChange {
	ov, nv := verdicts(old), verdicts(cur)
	var out []result.RequirementChange
	seen := map[string]bool{}
	for _, list := range [][]result.Check{cur, old} {
		for _, c := range list {
			if seen[c.ID] {
				continue
			}
			seen[c.ID] = true
			if ov[c.ID] != nv[c.ID] {
				out = append(out, result.RequirementChange{ID: c.ID, Level: c.Level, Old: ov[c.ID], New: nv[c.ID]})
			}
		}
	}
	if out == nil {
		out = []result.RequirementChange{}
	}
	return out
}

// verdictRank orders a requirement's verdicts: the worst of its checks'
// is the requirement's.
var verdictRank = map[string]int{result.Pass: 0, stateSkipped: 1, stateWaived: 2, result.Error: 3, result.Fail: 4}

// verdicts is each requirement's verdict: its checks' worst, a waived
// failure counting as "waived", and "skip" only when every check skipped.
func verdicts(checks []result.Check) map[string]string {
	out := map[string]string{}
	ran := map[string]bool{}
	for _, c := range checks {
		v := c.Verdict
		if c.Waived != nil {
			v = stateWaived
		}
		if v != result.Skip {
			ran[c.ID] = true
		}
		if cur, ok := out[c.ID]; !ok || verdictRank[v] > verdictRank[cur] {
			out[c.ID] = v
		}
	}
	for id, v := range out {
		if v == result.Skip && ran[id] {
			out[id] = result.Pass
		}
	}
	return out
}

// waiversOnlyIn are the entries of a that b has not, by what they waive
// and for which target.
func waiversOnlyIn(a, b []result.Waiver) []result.Waiver {
	key := func(w result.Waiver) string { return w.ID + "\x00" + w.Check + "\x00" + w.Target }
	in := map[string]bool{}
	for _, w := range b {
		in[key(w)] = true
	}
	out := []result.Waiver{}
	for _, w := range a {
		if !in[key(w)] {
			out = append(out, w)
		}
	}
	return out
}

// unique returns checks with repeated names made unique by a " #2", " #3"
// suffix in order, as the report files name them.
func unique(checks []result.Check) []result.Check {
	out := make([]result.Check, len(checks))
	seen := map[string]int{}
	for i, c := range checks {
		seen[c.Name]++
		if k := seen[c.Name]; k > 1 {
			c.Name += " #" + strconv.Itoa(k)
		}
		out[i] = c
	}
	return out
}

func regression(old *result.Check, c result.Check, strict bool) bool {
	return c.Fails() && (c.Mandatory() || strict) && (old == nil || !old.Fails())
}

func change(old, cur *result.Check) result.Change {
	var x result.Change
	if old != nil {
		x.Name, x.ID, x.Level, x.OldVerdict, x.OldMessage = old.Name, old.ID, old.Level, old.Verdict, firstLine(old.Message)
		if old.Waived != nil {
			x.OldWaived = old.Waived.String()
		}
	}
	if cur != nil {
		x.Name, x.ID, x.Level, x.NewVerdict, x.NewMessage = cur.Name, cur.ID, cur.Level, cur.Verdict, firstLine(cur.Message)
		if cur.Waived != nil {
			x.Waived = cur.Waived.String()
		}
	}
	return x
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// volatile are the parts of a message that differ from run to run without
// anything having changed: redaction fingerprints, times, durations, and
// the port of a server on loopback (the embedded reference server's).
var volatile = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`\[([A-Za-z0-9_.-]+)#[0-9a-f]{8}\]`), "[$1]"},
	{regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)`), "TIME"},
	{regexp.MustCompile(`(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT`), "TIME"},
	{regexp.MustCompile(`\b\d+(?:\.\d+)?(?:ns|µs|us|ms|s|m|h)(?:\d+(?:\.\d+)?(?:ns|µs|us|ms|s|m|h))*\b`), "DURATION"},
	{regexp.MustCompile(`(127\.0\.0\.1|localhost|\[::1\]):\d+`), "$1:PORT"},
}

// Stable is a message without what differs in every run (volatile): two
// messages that differ only there say the same.
func Stable(msg string) string {
	for _, v := range volatile {
		msg = v.re.ReplaceAllString(msg, v.with)
	}
	return msg
}
