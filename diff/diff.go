// Package diff compares two runs of one spec check by check: what newly
// fails, what newly passes, what fails with another message, what was added
// or removed, and which of the new failures are regressions.
package diff

import (
	"fmt"
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
// strict), is not waived, and did not fail in the baseline, or was not in it.
func Compare(old, cur *result.Run, baseline string) (*result.Changes, error) {
	if old.Spec.Name != cur.Spec.Name {
		return nil, &SpecError{Old: old.Spec.Name, New: cur.Spec.Name}
	}
	ch := &result.Changes{
		Baseline: baseline, BaselineStarted: old.Started.UTC(), SpecChanged: old.Spec.SHA256 != cur.Spec.SHA256,
		NewlyFailing: []result.Change{}, NewlyPassing: []result.Change{}, Message: []result.Change{}, Verdict: []result.Change{},
		Added: []result.Change{}, Removed: []result.Change{}, Regressions: []string{},
	}
	olds, curs := unique(old.Checks), unique(cur.Checks)
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
	// Left over: pair by ID and variant when exactly one is left on each side.
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
			pair[js[0]], matched[is[0]] = is[0], true
		}
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
		switch of, nf := failed(o), failed(c); {
		case !of && nf:
			ch.NewlyFailing = append(ch.NewlyFailing, x)
		case of && c.Verdict == result.Pass:
			ch.NewlyPassing = append(ch.NewlyPassing, x)
		case o.Verdict != c.Verdict:
			ch.Verdict = append(ch.Verdict, x)
		case nf && o.Message != c.Message:
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
	return ch, nil
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

func failed(c result.Check) bool { return c.Verdict == result.Fail || c.Verdict == result.Error }

func regression(old *result.Check, c result.Check, strict bool) bool {
	return c.Fails() && (c.Mandatory() || strict) && (old == nil || !failed(*old))
}

func change(old, cur *result.Check) result.Change {
	var x result.Change
	if old != nil {
		x.Name, x.ID, x.Level, x.OldVerdict, x.OldMessage = old.Name, old.ID, old.Level, old.Verdict, firstLine(old.Message)
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
