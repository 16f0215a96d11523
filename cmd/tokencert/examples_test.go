package main

import (
	"path/filepath"
	"testing"

	"github.com/tokencert/tokencert/lint"
	"github.com/tokencert/tokencert/refserver"
	"github.com/tokencert/tokencert/specs"
)

// The example specs written from public documents (specs/examples) lint
// clean, certify the reference server configured from them, and catch
// every fault that breaks one of their requirements.
func TestExampleSpecs(t *testing.T) {
	files, err := filepath.Glob("../../specs/examples/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no example specs: %v", err)
	}
	for _, path := range files {
		if path, err = filepath.Abs(path); err != nil {
			t.Fatal(err)
		}
		if ps := lint.Spec(path); len(ps) > 0 {
			t.Errorf("lint %s: %v", path, ps)
			continue
		}
		spec, err := specs.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(spec.Name+"/conformant", func(t *testing.T) {
			t.Parallel()
			if r := tokencert(t, nil, "run", "--spec", path, "--lifetime", "1s", "--strict"); r.exit != 0 {
				t.Fatalf("exit %d, want 0\n%s", r.exit, failures(r))
			}
		})
		covered := map[string]bool{}
		for _, f := range refserver.FaultsFor(spec) {
			covered[f.Breaks] = true
			t.Run(spec.Name+"/"+f.Name, func(t *testing.T) {
				t.Parallel()
				expectFaultCaught(t, spec, path, f)
			})
		}
		for _, r := range spec.Requirements {
			if !covered[r.ID] {
				t.Errorf("%s: no fault breaks %s", path, r.ID)
			}
		}
	}
}
