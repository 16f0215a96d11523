package suites

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tokencert/tokencert/redact"
	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/suites/wire"
	"github.com/tokencert/tokencert/target"
)

var update = flag.Bool("update", false, "rewrite testdata/checks.txt")

// fullTarget has every key set, so every check is planned.
var fullTarget = target.Target{
	Endpoint: "http://127.0.0.1:1/token", ClientID: "c", ClientSecret: "s", Username: "u", Password: "p",
	Scope: "read write", Audience: "a", Resource: "http://127.0.0.1:1/resource", Introspection: "http://127.0.0.1:1/introspect",
	OtherClientID: "c2", OtherClientSecret: "s2", MaxWait: specs.Duration{Duration: time.Minute},
}

// builtinPlan is a built-in spec and its checks planned for fullTarget.
type builtinPlan struct {
	spec *specs.Spec
	plan []Check
}

// builtinPlans plans every built-in spec for fullTarget.
func builtinPlans(t *testing.T) []builtinPlan {
	t.Helper()
	var out []builtinPlan
	for _, name := range specs.Names() {
		spec, err := specs.Load(name)
		if err != nil {
			t.Fatal(err)
		}
		env, err := NewEnv(spec, fullTarget, wire.New(redact.New(), wire.Options{}), nil)
		if err != nil {
			t.Fatal(err)
		}
		plan, err := env.Plan()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, builtinPlan{spec, plan})
	}
	return out
}

// TestChecksManifest keeps testdata/checks.txt, the catalogue of every check
// of every built-in spec with its stable name, level and clause, in step
// with the code: a renamed or dropped check shows up as a diff in review.
// Regenerate with: go test ./suites -run TestChecksManifest -update
func TestChecksManifest(t *testing.T) {
	var b strings.Builder
	for _, p := range builtinPlans(t) {
		for _, c := range p.plan {
			fmt.Fprintf(&b, "%s\t%s\t%s\t%s\t%s\n", p.spec.Name, c.Name(), c.Req.Level, c.Concern, c.Req.Cite)
		}
	}
	const path = "testdata/checks.txt"
	if *update {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(want) != b.String() {
		t.Errorf("the checks differ from %s; if intended, regenerate with -update.\ngot:\n%s", path, b.String())
	}
}

// TestEveryRequirementIsPlanned makes sure no requirement a spec lists is
// silently left without a check.
func TestEveryRequirementIsPlanned(t *testing.T) {
	for _, p := range builtinPlans(t) {
		planned := map[string]bool{}
		for _, c := range p.plan {
			planned[c.Req.ID] = true
		}
		for _, r := range p.spec.Requirements {
			if !planned[r.ID] {
				t.Errorf("%s: requirement %s has no check", p.spec.Name, r.ID)
			}
		}
	}
}

// A requirement that names its default check's kind alone is planned as
// one that names no check: the kind takes the requirement's default
// argument.
func TestKindAloneTakesTheDefaultArgument(t *testing.T) {
	tried := 0
	for _, bp := range builtinPlans(t) {
		spec := *bp.spec
		spec.Requirements = append([]specs.Requirement(nil), spec.Requirements...)
		for i, r := range spec.Requirements {
			if kind, _, hasArg := strings.Cut(DefaultCheck(r.ID), "/"); r.Check == "" && hasArg {
				spec.Requirements[i].Check = kind
				tried++
			}
		}
		env, err := NewEnv(&spec, fullTarget, wire.New(redact.New(), wire.Options{}), nil)
		if err != nil {
			t.Fatal(err)
		}
		plan, err := env.Plan()
		if err != nil {
			t.Fatal(err)
		}
		if len(plan) != len(bp.plan) {
			t.Fatalf("spec %s: %d checks with the kinds named alone, %d with none named", spec.Name, len(plan), len(bp.plan))
		}
		for i := range plan {
			if plan[i].ID() != bp.plan[i].ID() || plan[i].Name() != bp.plan[i].Name() {
				t.Errorf("spec %s: %s planned as %s", spec.Name, bp.plan[i].ID(), plan[i].ID())
			}
		}
	}
	if tried == 0 {
		t.Fatal("no built-in requirement defaults to a check with an argument")
	}
}
