package reports

import (
	"slices"
	"testing"
	"time"
)

func TestNaturalCompare(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"RFC6749-3.3", "RFC6749-10.4", -1},
		{"RFC6749-10.4", "RFC6749-3.3", 1},
		{"RFC6749-5.1-A", "RFC6749-5.1-A", 0},
		{"RFC6749-5.1", "RFC6749-5.1-A", -1},
		{"A007", "A7", 0},
		{"RFC6749-5.2-X", "RFC6749-5.10-X", -1},
		{"OAUTH21", "RFC6749", -1},
	} {
		if got := naturalCompare(c.a, c.b); got != c.want {
			t.Errorf("naturalCompare(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestNormalizedSortsAndNamesUniquely(t *testing.T) {
	r := sampleRun()
	before := slices.Clone(r.Checks)
	n := normalized(r)
	var names []string
	for _, c := range n.Checks {
		names = append(names, c.Name)
	}
	if !slices.Equal(names, sortedNames) {
		t.Errorf("names:\n%q\nwant\n%q", names, sortedNames)
	}
	if n.Started.Location() != time.UTC || n.Checks[2].Evidence[0].Started.Location() != time.UTC {
		t.Error("times are not UTC")
	}
	// The caller's run is untouched.
	if r.Checks[0].Name != before[0].Name || r.Checks[0].Evidence[0].Started.Location() == time.UTC {
		t.Error("normalized changed its argument")
	}
	// Idempotent, so every writer may normalize.
	again := normalized(n)
	for i := range n.Checks {
		if again.Checks[i].Name != n.Checks[i].Name {
			t.Fatalf("second pass renamed %q to %q", n.Checks[i].Name, again.Checks[i].Name)
		}
	}
}

func TestByLevel(t *testing.T) {
	rows, total := byLevel(sampleRun())
	want := []Tally{
		{Level: "MUST", Pass: 3, Fail: 1, Error: 1, Total: 5},
		{Level: "MUST NOT", Pass: 1, Total: 1},
		{Level: "SHOULD", Fail: 1, Skip: 1, Total: 2},
	}
	if !slices.Equal(rows, want) {
		t.Errorf("rows %+v, want %+v", rows, want)
	}
	if total != (Tally{Level: "all", Pass: 4, Fail: 2, Skip: 1, Error: 1, Total: 8}) {
		t.Errorf("total %+v", total)
	}
}
