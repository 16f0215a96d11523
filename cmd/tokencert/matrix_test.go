package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tokencert/tokencert/refserver"
	"github.com/tokencert/tokencert/specs"
)

// TestConformanceMatrix is the suite's own test: for every spec, the full
// suite passes against the conformant reference server, and for every
// fault that breaks one of the spec's requirements, the checks of that
// requirement fail and the exit code follows the requirement's level.
func TestConformanceMatrix(t *testing.T) {
	t.Parallel()
	for _, name := range specs.Names() {
		spec, err := specs.Load(name)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(name+"/conformant", func(t *testing.T) {
			t.Parallel()
			r := tokencert(t, nil, "run", "--spec", name, "--lifetime", "1s", "--strict")
			if r.exit != 0 {
				t.Fatalf("exit %d against the conformant server, want 0\n%s", r.exit, failures(r))
			}
			if len(r.cases()) == 0 {
				t.Fatalf("no testcases in junit.xml\n%s", r.stdout)
			}
		})
		for _, f := range refserver.FaultsFor(spec) {
			t.Run(name+"/"+f.Name, func(t *testing.T) {
				t.Parallel()
				expectFaultCaught(t, spec, name, f)
			})
		}
	}
}

// expectFaultCaught runs tokencert with specArg (a spec name or file)
// against the embedded reference server with fault f, and expects the
// checks of the requirement f breaks to fail, with the exit code its level
// implies.
func expectFaultCaught(t *testing.T, spec *specs.Spec, specArg string, f refserver.Fault) {
	t.Helper()
	req := spec.Requirement(f.Breaks)
	// Every check runs except the expiry and device checks of other
	// requirements: those wait for a token or a device code to expire, or
	// poll at the device grant's interval, which is most of a run's time,
	// and only the conformant runs (and the faults that break such a
	// requirement, whose checks the filter keeps) need that wait. Each check's labels are
	// its requirement ID, level and concern (suites.Check.Labels).
	lifetime := time.Second
	if f.Lifetime > lifetime {
		lifetime = f.Lifetime
	}
	args := []string{"run", "--spec", specArg, "--lifetime", lifetime.String(), "--fault", f.Name,
		"--label-filter", "(!expiry && !device) || " + f.Breaks}
	if f.Stalls {
		// The fault leaves requests unanswered: a short timeout keeps the
		// run short (it costs about request timeout × wire.DefaultMaxStalls).
		args = append(args, "--request-timeout", "1s")
	}
	r := tokencert(t, nil, args...)
	want := 0
	if req.Level.Mandatory() {
		want = 1
	}
	if r.exit != want {
		t.Errorf("fault %s breaks %s (%s): exit %d, want %d\n%s", f.Name, f.Breaks, req.Level, r.exit, want, failures(r))
	}
	for _, tc := range r.cases() {
		// Below the MUST level a failure is a finding: a passing test case
		// that carries it (status "finding").
		if property(tc, "requirement") == f.Breaks && (tc.Failure != nil || tc.Status == "finding") {
			return
		}
	}
	t.Errorf("fault %s: no check of %s failed\n%s", f.Name, f.Breaks, r.stdout)
}

// certifiesAndCatches runs the spec file at path (and its schemas) against
// the reference server configured from it: conformant it passes, even
// strict, and every fault that breaks one of its requirements is caught.
// Every requirement needs such a fault.
func certifiesAndCatches(t *testing.T, path string) {
	t.Helper()
	spec, err := specs.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("conformant", func(t *testing.T) {
		t.Parallel()
		r := tokencert(t, nil, "run", "--spec", path, "--lifetime", "1s", "--strict")
		if r.exit != 0 {
			t.Fatalf("exit %d, want 0\n%s", r.exit, failures(r))
		}
		passed := map[string]bool{}
		for _, tc := range r.cases() {
			if tc.Failure == nil && tc.Error == nil && tc.Skipped == nil {
				passed[property(tc, "requirement")] = true
			}
		}
		for _, req := range spec.Requirements {
			if !passed[req.ID] {
				t.Errorf("no check of %s passed\n%s", req.ID, r.stdout)
			}
		}
	})
	covered := map[string]bool{}
	for _, f := range refserver.FaultsFor(spec) {
		covered[f.Breaks] = true
		t.Run(f.Name, func(t *testing.T) {
			t.Parallel()
			expectFaultCaught(t, spec, path, f)
		})
	}
	for _, req := range spec.Requirements {
		if !covered[req.ID] {
			t.Errorf("no fault breaks %s", req.ID)
		}
	}
}

// failures summarises the failed testcases of a run.
func failures(r result) string {
	var b strings.Builder
	for _, tc := range r.cases() {
		if tc.Failure != nil || tc.Error != nil {
			msg := ""
			if tc.Failure != nil {
				msg = tc.Failure.Description
			} else {
				msg = tc.Error.Description
			}
			fmt.Fprintf(&b, "  %s: %s\n", tc.Name, msg)
		}
	}
	if b.Len() == 0 {
		return r.stdout + r.stderr
	}
	return b.String()
}

// TestEveryRequirementHasAFault: a check that no fault can make fail is a
// check that cannot fail; every requirement of every spec needs one.
func TestEveryRequirementHasAFault(t *testing.T) {
	for _, name := range specs.Names() {
		spec, err := specs.Load(name)
		if err != nil {
			t.Fatal(err)
		}
		broken := map[string]bool{}
		for _, f := range refserver.FaultsFor(spec) {
			broken[f.Breaks] = true
		}
		for _, r := range spec.Requirements {
			if !broken[r.ID] {
				t.Errorf("spec %s: no reference-server fault breaks %s, so nothing shows its check can fail", name, r.ID)
			}
		}
	}
}
