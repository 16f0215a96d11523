package reports

import (
	"github.com/tokencert/tokencert/result"
	"slices"
	"strconv"
	"strings"
)

// normalized returns a copy of r as the writers present it: times in UTC
// and checks sorted by name (requirement ID first, numbers in numeric
// order) with duplicate names made unique by a " #2", " #3" suffix in plan
// order, so every file of a bundle names and orders checks alike. JUnit
// consumers such as GitLab keep only the first of duplicate names.
func normalized(r *result.Run) *result.Run {
	n := *r
	n.Started, n.Finished = r.Started.UTC(), r.Finished.UTC()
	n.Checks = make([]result.Check, len(r.Checks))
	copy(n.Checks, r.Checks)
	for i := range n.Checks {
		c := &n.Checks[i]
		if len(c.Evidence) > 0 {
			ev := make([]result.Exchange, len(c.Evidence))
			copy(ev, c.Evidence)
			for j := range ev {
				ev[j].Started = ev[j].Started.UTC()
			}
			c.Evidence = ev
		}
	}
	slices.SortStableFunc(n.Checks, func(a, b result.Check) int { return naturalCompare(a.Name, b.Name) })
	seen := map[string]int{}
	for i := range n.Checks {
		name := n.Checks[i].Name
		seen[name]++
		if k := seen[name]; k > 1 {
			n.Checks[i].Name = name + " #" + strconv.Itoa(k)
		}
	}
	return &n
}

// naturalCompare orders strings with runs of digits compared by value, so
// "RFC6749-3.3" sorts before "RFC6749-10.4".
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		ra, rb := leadingRun(a), leadingRun(b)
		da, db := isDigit(ra[0]), isDigit(rb[0])
		switch {
		case da && db:
			ta, tb := strings.TrimLeft(ra, "0"), strings.TrimLeft(rb, "0")
			if len(ta) != len(tb) {
				return cmpInt(len(ta), len(tb))
			}
			if c := strings.Compare(ta, tb); c != 0 {
				return c
			}
		default:
			if c := strings.Compare(ra, rb); c != 0 {
				return c
			}
		}
		a, b = a[len(ra):], b[len(rb):]
	}
	if c := cmpInt(len(a), len(b)); c != 0 {
		return c
	}
	return 0
}

// leadingRun returns s's leading run of digits or of non-digits.
func leadingRun(s string) string {
	d := isDigit(s[0])
	i := 1
	for i < len(s) && isDigit(s[i]) == d {
		i++
	}
	return s[:i]
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// levelOrder lists BCP 14 levels strongest first; others sort after them.
var levelOrder = []string{"MUST", "MUST NOT", "SHOULD", "SHOULD NOT", "MAY"}

// verdictOrder lists check verdicts in the order reports show them.
var verdictOrder = []string{result.Fail, result.Error, result.Skip, result.Pass}

// levels returns the levels present in checks, strongest first.
func levels(checks []result.Check) []string {
	present := map[string]bool{}
	for _, c := range checks {
		present[c.Level] = true
	}
	var out []string
	for _, l := range levelOrder {
		if present[l] {
			out = append(out, l)
			delete(present, l)
		}
	}
	var rest []string
	for l := range present {
		rest = append(rest, l)
	}
	slices.Sort(rest)
	return append(out, rest...)
}

// Tally counts checks by level and verdict.
type Tally struct {
	Level                          string
	Pass, Fail, Skip, Error, Total int
}

func (t *Tally) add(verdict string) {
	switch verdict {
	case result.Pass:
		t.Pass++
	case result.Fail:
		t.Fail++
	case result.Skip:
		t.Skip++
	case result.Error:
		t.Error++
	}
	t.Total++
}

// ByLevel tallies the run's checks per level, strongest level first, and
// returns the totals as well.
func byLevel(r *result.Run) (rows []Tally, total Tally) {
	idx := map[string]int{}
	for i, l := range levels(r.Checks) {
		idx[l] = i
		rows = append(rows, Tally{Level: l})
	}
	total.Level = "all"
	for _, c := range r.Checks {
		rows[idx[c.Level]].add(c.Verdict)
		total.add(c.Verdict)
	}
	return rows, total
}
