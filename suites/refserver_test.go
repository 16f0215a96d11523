package suites

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokencert/tokencert/authorize"
	"github.com/tokencert/tokencert/redact"
	"github.com/tokencert/tokencert/refserver"
	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/suites/wire"
	"github.com/tokencert/tokencert/target"
)

// refRun starts the reference server speaking spec with faults, targets
// it the way `tokencert serve` prints it (edit tweaks the target), logs in
// through its form for codes, and runs the checks of requirement id: their
// results, by variant ("" for a check without one).
func refRun(t *testing.T, spec string, faults []string, edit func(*target.Target), id string) map[string]Result {
	t.Helper()
	s := mustSpec(t, spec)
	o := refserver.Options{Spec: s, Lifetime: 2 * time.Second}
	for _, name := range faults {
		f, err := refserver.FaultByName(name)
		if err != nil {
			t.Fatal(err)
		}
		o.Faults = append(o.Faults, f)
	}
	srv := startRef(t, o)
	tg := srv.Target()
	tg.MaxWait = specs.Duration{Duration: time.Minute}
	if edit != nil {
		edit(&tg)
	}
	env, err := NewEnv(s, tg, wire.New(redact.New(), wire.Options{Timeout: 10 * time.Second}), nil)
	if err != nil {
		t.Fatal(err)
	}
	if a := tg.Authorize; a != nil {
		env.Authorizer = authorize.Form{Client: &http.Client{Timeout: 10 * time.Second}, Username: tg.Username, Password: tg.Password,
			RedirectURI: a.RedirectURI, DenyButton: a.Deny}
	}
	plan, err := env.Plan()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]Result{}
	for i := range plan {
		if plan[i].Req.ID != id {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		out[plan[i].Variant] = Execute(ctx, env, &plan[i])
		cancel()
	}
	if len(out) == 0 {
		t.Fatalf("spec %s plans no check of %s", spec, id)
	}
	return out
}

// startRef starts the reference server on loopback until the test ends.
func startRef(t *testing.T, o refserver.Options) *refserver.Server {
	t.Helper()
	srv, err := refserver.New(o)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// codeOnly makes the target a client registered for the authorization code
// and refresh grants alone: it gets every token through the login form.
func codeOnly(tg *target.Target) { tg.Grants = []string{"authorization_code", "refresh_token"} }

// verdict is a result in one word: pass, fail, skip (not applicable),
// incomplete (a skip that leaves the run incomplete) or error.
func verdict(r Result) string {
	switch {
	case r.Errored != "":
		return "error"
	case len(r.Problems) > 0:
		return "fail"
	case r.Skipped != "" && r.Incomplete:
		return "incomplete"
	case r.Skipped != "":
		return "skip"
	}
	return "pass"
}

// expectVerdicts runs the checks of id in each case and compares their
// verdicts, by variant, with the case's.
func expectVerdicts(t *testing.T, id string, cases []verdictCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := refRun(t, c.spec, c.faults, c.edit, id)
			for variant, want := range c.want {
				r, ok := got[variant]
				if !ok {
					t.Errorf("no check of %s [%s]", id, variant)
					continue
				}
				if v := verdict(r); v != want {
					t.Errorf("%s [%s]: %s, want %s\nproblems: %q\nskipped: %s\nerrored: %s\nnotes: %q", id, variant, v, want,
						r.Problems, r.Skipped, r.Errored, r.Notes)
				}
			}
			if c.note != "" && !slices.ContainsFunc(slices.Collect(maps.Values(got)), func(r Result) bool {
				return strings.Contains(strings.Join(r.Notes, "\n"), c.note)
			}) {
				t.Errorf("no check of %s notes %q", id, c.note)
			}
		})
	}
}

// verdictCase is one run of expectVerdicts.
type verdictCase struct {
	name   string
	spec   string
	faults []string
	edit   func(*target.Target)
	// want maps variants to verdicts.
	want map[string]string
	// note, when set, is a note one of the checks must carry.
	note string
}
