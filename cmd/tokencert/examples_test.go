package main

import (
	"path/filepath"
	"testing"

	"github.com/tokencert/tokencert/lint"
)

// The example specs written from public documents (specs/examples) lint
// clean, certify the reference server configured from them, and catch
// every fault that breaks one of their requirements.
func TestExampleSpecs(t *testing.T) {
	t.Parallel()
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
		t.Run(filepath.Base(path), func(t *testing.T) { certifiesAndCatches(t, path) })
	}
}

// TestFormatStatements: the spec that makes every statement issue 20 added
// to the format (statuses undocumented with vendor codes, negotiation by
// Accept, epoch-seconds dates, a lifetime range, two client authentication
// methods at once, a malformed Basic header) lints clean, certifies the
// reference server configured from it, and catches each fault its
// requirements name.
func TestFormatStatements(t *testing.T) {
	t.Parallel()
	path, err := filepath.Abs("testdata/statements.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if ps := lint.Spec(path); len(ps) > 0 {
		t.Errorf("lint %s: %v", path, ps)
	}
	certifiesAndCatches(t, path)
}
