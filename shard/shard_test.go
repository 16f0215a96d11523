package shard

import (
	"fmt"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	for _, tc := range []struct{ spec, want string }{
		{"0/4", "0/4"}, {"3/4", "3/4"}, {"0/1", "0/1"},
		{"3/2", `"3/2": the shard index 3 is not below the shard count 2`},
		{"2/2", "not below the shard count 2"},
		{"-1/2", "is not a whole number of at least 0"},
		{"1/0", `the shard count "0" is not a whole number of at least 1`},
		{"x/2", `the shard index "x"`},
		{"2", "want i/n"},
		{"/4", "none of $TOKENCERT_SHARD_INDEX, $JOB_COMPLETION_INDEX is set"},
	} {
		s, err := Parse(tc.spec, getenv)
		got := s.String()
		if err != nil {
			got = err.Error()
		}
		if !strings.Contains(got, tc.want) {
			t.Errorf("Parse(%q) = %q, want %q", tc.spec, got, tc.want)
		}
	}
	env["JOB_COMPLETION_INDEX"] = "2"
	if s, err := Parse("/4", getenv); err != nil || s != (Shard{2, 4}) {
		t.Errorf("Indexed Job: %v %v", s, err)
	}
	env["TOKENCERT_SHARD_INDEX"] = "1"
	if s, err := Parse("/4", getenv); err != nil || s != (Shard{1, 4}) {
		t.Errorf("TOKENCERT_SHARD_INDEX wins: %v %v", s, err)
	}
	env["TOKENCERT_SHARD_INDEX"] = "7"
	if _, err := Parse("/4", getenv); err == nil || !strings.Contains(err.Error(), "7 (from $TOKENCERT_SHARD_INDEX) is not below") {
		t.Errorf("got %v", err)
	}
}

// TestStable: every target has exactly one owner, the split is roughly
// even, adding targets moves none of the others, and going from n to n+1
// shards moves only targets to the new shard.
func TestStable(t *testing.T) {
	var names []string
	for i := range 400 {
		names = append(names, fmt.Sprintf("tenant-%03d.yaml", i))
	}
	const n = 4
	owner := map[string]int{}
	count := make([]int, n)
	for _, name := range names {
		owners := 0
		for i := range n {
			if (Shard{i, n}).Owns(name) {
				owners++
				owner[name] = i
				count[i]++
			}
		}
		if owners != 1 {
			t.Fatalf("%s has %d owners", name, owners)
		}
	}
	for i, c := range count {
		if c < 70 || c > 130 {
			t.Errorf("shard %d owns %d of 400", i, c)
		}
	}
	for _, name := range names {
		if o := Of(name, n); o != owner[name] {
			t.Fatalf("%s moved", name)
		}
		if o := Of(name, n+1); o != owner[name] && o != n {
			t.Errorf("%s moved from shard %d to %d when shard %d was added", name, owner[name], o, n)
		}
	}
	if got := Of("tenant-000.yaml", n); got != 3 {
		t.Errorf("Of changed: tenant-000.yaml is on shard %d, was 3; every deployed fleet would reshuffle", got)
	}
}
