package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/reporters"

	"github.com/tokencert/tokencert/refserver"
	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/target"
)

// TestQuirks: a quirk is a behaviour of real servers that RFC 6749 allows,
// which the suite once failed. Each runs on the embedded reference server
// (--quirk) under every built-in spec it concerns and fails none of the
// requirements it concerns, even with --strict; then each runs the cases
// that need a target of their own (a public or code-only client, a client
// registered for another method), where a fault that breaks the same
// requirement is still caught. The runs go one at a time (about 20 s in
// all, beside the other tests): the matrix's timing checks, such as the
// late presentation of a 1 s token, need the cores.
func TestQuirks(t *testing.T) {
	t.Parallel()
	for _, q := range refserver.Quirks() {
		for _, name := range specs.Names() {
			spec, err := specs.Load(name)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(refserver.QuirksFor(spec), func(x refserver.Quirk) bool { return x.Name == q.Name }) {
				continue
			}
			t.Run(q.Name+"/"+name, func(t *testing.T) {
				r := tokencert(t, nil, "run", "--spec", name, "--quirk", q.Name, "--lifetime", "1s", "--strict",
					"--label-filter", concerning(q, spec))
				expectQuirkPasses(t, q, r)
			})
		}
		cases := quirkCases[q.Name]
		if len(cases) == 0 {
			t.Errorf("quirk %s has no case with a target of its own", q.Name)
		}
		for _, c := range cases {
			t.Run(q.Name+"/"+c.name, func(t *testing.T) {
				o := refserver.Options{Quirks: []refserver.Quirk{q}}
				if c.fault != "" {
					f, err := refserver.FaultByName(c.fault)
					if err != nil {
						t.Fatal(err)
					}
					o.Quirks, o.Faults = nil, []refserver.Fault{f}
				}
				spec, err := specs.Load("rfc6749")
				if err != nil {
					t.Fatal(err)
				}
				filter := c.filter
				if filter == "" {
					filter = concerning(q, spec)
				}
				r := runRefTarget(t, o, c.edit, "--strict", "--label-filter", filter)
				switch {
				case c.incomplete:
					if r.exit != 4 || len(failed(r)) > 0 {
						t.Errorf("quirk %s: exit %d, want 4 (incomplete) and no failure\n%s", q.Name, r.exit, failures(r))
					}
				case c.fault != "":
					// The fault breaks a requirement the quirk concerns: it
					// is caught with the same target.
					if r.exit != 1 {
						t.Errorf("fault %s: exit %d, want 1\n%s", c.fault, r.exit, failures(r))
					}
				default:
					expectQuirkPasses(t, q, r)
				}
				if c.check != nil {
					c.check(t, r)
				}
			})
		}
	}
}

// concerning is the label filter of the checks of the requirements q
// concerns that spec has.
func concerning(q refserver.Quirk, spec *specs.Spec) string {
	var ids []string
	for _, id := range q.Concerns {
		if spec.Requirement(id) != nil {
			ids = append(ids, id)
		}
	}
	return strings.Join(ids, " || ")
}

// expectQuirkPasses: exit 0 with --strict, and no check of a requirement q
// concerns failed or errored (the run had some).
func expectQuirkPasses(t *testing.T, q refserver.Quirk, r result) {
	t.Helper()
	if r.exit != 0 {
		t.Errorf("quirk %s: exit %d, want 0\n%s\n%s", q.Name, r.exit, failures(r), r.stdout)
	}
	some := false
	for _, tc := range r.cases() {
		if !slices.Contains(q.Concerns, property(tc, "requirement")) {
			continue
		}
		some = true
		if tc.Failure != nil || tc.Error != nil {
			t.Errorf("quirk %s: %s failed: %s", q.Name, tc.Name, failures(r))
		}
	}
	if !some {
		t.Errorf("quirk %s: the run has no check of %s\n%s", q.Name, strings.Join(q.Concerns, ", "), r.stdout)
	}
}

// quirkCase runs a quirk against a target of its own: the reference
// server's (rfc6749), as edit changes it.
type quirkCase struct {
	name string
	edit func(tg *target.Target)
	// filter selects the checks ("": those of the requirements the quirk
	// concerns).
	filter string
	// fault replaces the quirk with a fault that breaks a requirement the
	// quirk concerns: the run must fail.
	fault string
	// incomplete: the run fails nothing and ends incomplete (exit 4), for
	// want of a target key.
	incomplete bool
	check      func(t *testing.T, r result)
}

// publicCodeOnly makes the target a public client registered for the
// authorization code and refresh grants alone; the second client is the
// server's confidential main client.
func publicCodeOnly(tg *target.Target) {
	tg.OtherClientID, tg.OtherClientSecret = tg.ClientID, tg.ClientSecret
	tg.ClientID, tg.ClientSecret = tg.PublicClientID, ""
	tg.ClientAuth = []string{"none"}
	codeOnly(tg)
}

// codeOnly makes the target's client registered for the authorization code
// and refresh grants alone (the username and password are the login's).
func codeOnly(tg *target.Target) {
	tg.Grants = []string{"authorization_code", "refresh_token"}
}

var quirkCases = map[string][]quirkCase{
	refserver.QuirkCodeOtherClientInvalidClient.Name: {
		{name: "public-code-only", edit: publicCodeOnly, check: verdictNote("RFC6749-4.1.3-CODE-BOUND-TO-CLIENT", "pass", `refused with "invalid_client"`)},
		{name: "code-only", edit: codeOnly, check: verdictNote("RFC6749-4.1.3-CODE-BOUND-TO-CLIENT", "pass", `refused with "invalid_client"`)},
		// The second client authenticates as itself, so a server that
		// redeems any authenticated client's code is still caught.
		{name: "public-code-only/fault", edit: publicCodeOnly, fault: "code-any-client"},
	},
	refserver.QuirkPrivateKeyJWTUnlisted.Name: {
		// The server's own target: client_auth [private_key_jwt] and its
		// key. Every check but the expiry waits: the token source signs,
		// and the checks of the secret methods are not applicable.
		{name: "private-key-jwt", filter: "!expiry", check: notApplicable("RFC6749-2.3.1-BASIC-SUPPORT", "RFC6749-2.3.1-BODY-CREDENTIALS")},
		// A client with a key and no secret at all.
		{name: "private-key-jwt/no-secret", filter: "!expiry", edit: func(tg *target.Target) { tg.ClientSecret = "" },
			check: notApplicable("RFC6749-2.3.1-BASIC-SUPPORT", "RFC6749-2.3.1-BODY-CREDENTIALS", "RFC6749-2.3.1-NO-CREDS-IN-URI")},
	},
	refserver.QuirkScopeFreeForm.Name: {
		// The unknown scope is granted and echoed: the scope did not
		// change, so the requirement does not apply (not incomplete).
		{name: "scope-echoed", check: notApplicable("RFC6749-3.3-SCOPE-IF-CHANGED")},
		{name: "scope-echoed/fault", fault: "scope-narrowed-silently"},
		// A code-only client asks for scope in the authorization request;
		// the scope probes ride on a refresh, which grants no more than the
		// original grant.
		{name: "code-only", edit: codeOnly},
	},
	refserver.QuirkRefreshNeedsOfflineAccess.Name: {
		// A code-only client that does not ask: the refresh checks want
		// what would ask (target keys scope, authorize.params), and fail
		// nothing.
		{name: "code-only", edit: codeOnly, incomplete: true, check: wants("authorize.params",
			"RFC6749-6-REFRESH-SUCCESS", "RFC9700-4.14.2-OLD-RT-REJECTED", "RFC6749-6-NO-SCOPE-ESCALATION", "RFC6749-10.4-RT-BOUND-TO-CLIENT")},
		// Asked by prompt=consent, or by offline_access in scope: the
		// refresh checks run and pass.
		{name: "code-only/prompt-consent", edit: func(tg *target.Target) {
			codeOnly(tg)
			tg.Authorize.Params = map[string]string{"prompt": "consent"}
		}, check: verdictNote("RFC6749-6-REFRESH-SUCCESS", "pass", "")},
		{name: "code-only/offline-access", edit: func(tg *target.Target) {
			codeOnly(tg)
			tg.Scope += " offline_access"
		}, check: func(t *testing.T, r result) {
			verdictNote("RFC6749-6-REFRESH-SUCCESS", "pass", "")(t, r)
			verdictNote("RFC6749-6-NO-SCOPE-ESCALATION", "pass", "")(t, r)
		}},
		{name: "code-only/prompt-consent/fault", edit: func(tg *target.Target) {
			codeOnly(tg)
			tg.Authorize.Params = map[string]string{"prompt": "consent"}
		}, fault: "refresh-broken"},
	},
	refserver.QuirkWrongMethod401.Name: {
		// The GET carries a fresh code: refused with 401 and no challenge,
		// which holds POST-ONLY and is noted.
		{name: "code-only", edit: codeOnly, check: verdictNote("RFC6749-3.2-POST-ONLY", "pass", "without a WWW-Authenticate Basic challenge")},
		{name: "code-only/fault", edit: codeOnly, fault: "get-accepted"},
	},
	refserver.QuirkIntrospectionForbidden.Name: {
		// The checks of introspection's own answers skip, saying the
		// client may not introspect; those that only ask whether a token
		// still works ask the protected resource instead.
		{name: "code-only", edit: codeOnly, check: func(t *testing.T, r result) {
			notApplicable("RFC7662-2.2-EXPIRED-INACTIVE", "TOKENCERT-INTROSPECT-UNKNOWN-INACTIVE")(t, r)
			verdictNote("RFC7009-2-AT-REVOCATION", "pass", "the protected resource is asked instead")(t, r)
			verdictNote("RFC6749-4.1.2-CODE-REUSE-REVOKES", "pass", "the protected resource is asked instead")(t, r)
		}},
		// Without a resource to ask instead, the revocation and code-reuse
		// checks want one (target key resource), and fail nothing.
		{name: "code-only/no-resource", edit: func(tg *target.Target) { codeOnly(tg); tg.Resource = "" },
			check: wants("resource", "RFC7009-2-AT-REVOCATION", "RFC7009-2.1-RT-REVOCATION-CASCADE", "RFC6749-4.1.2-CODE-REUSE-REVOKES")},
		{name: "code-only/fault", edit: codeOnly, fault: "expired-active-introspection", filter: "RFC7662-2.2-EXPIRED-INACTIVE"},
	},
}

// wants checks that the checks of the requirements ids skipped for want of
// the target key key.
func wants(key string, ids ...string) func(t *testing.T, r result) { return skipped(key, ids) }

// notApplicable checks that the checks of the requirements ids skipped
// without making the run incomplete.
func notApplicable(ids ...string) func(t *testing.T, r result) { return skipped("", ids) }

// skipped checks that the checks of the requirements ids skipped: for want
// of the target key need, or, with need "", as not applicable.
func skipped(need string, ids []string) func(t *testing.T, r result) {
	return func(t *testing.T, r result) {
		t.Helper()
		seen := map[string]bool{}
		for _, c := range reportChecks(t, r) {
			if !slices.Contains(ids, c.ID) {
				continue
			}
			seen[c.ID] = true
			if c.Verdict != "skip" || c.Incomplete != (need != "") || need != "" && !slices.Contains(c.Needs, need) {
				t.Errorf("%s: %s (incomplete %v, needs %v): %s; want a skip for want of %q (none: not applicable)", c.Name, c.Verdict, c.Incomplete, c.Needs, c.Message, need)
			}
		}
		for _, id := range ids {
			if !seen[id] {
				t.Errorf("no check of %s in the report", id)
			}
		}
	}
}

// verdictNote checks that the checks of requirement id have verdict want
// and that one of them has a note containing note ("" for none).
func verdictNote(id, want, note string) func(t *testing.T, r result) {
	return func(t *testing.T, r result) {
		t.Helper()
		found, noted := false, note == ""
		for _, c := range reportChecks(t, r) {
			if c.ID != id {
				continue
			}
			found = true
			if c.Verdict != want {
				t.Errorf("%s: %s (%s), want %s", c.Name, c.Verdict, c.Message, want)
			}
			noted = noted || slices.ContainsFunc(c.Notes, func(n string) bool { return strings.Contains(n, note) })
		}
		if !found {
			t.Errorf("no check of %s in the report", id)
		}
		if !noted {
			t.Errorf("no check of %s notes %q", id, note)
		}
	}
}

// reportCheck is a check as report.json has it.
type reportCheck struct {
	ID, Name, Verdict, Message string
	Notes                      []string
	Incomplete                 bool
	Needs                      []string
}

// reportChecks reads the checks of a run's report.json.
func reportChecks(t *testing.T, r result) []reportCheck {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(r.dir, "report", "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep struct{ Checks []reportCheck }
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	return rep.Checks
}

// runRefTarget starts the rfc6749 reference server with o (1 s tokens,
// known credentials), writes a target file for it, changed by edit, whose
// secrets are ${VAR}s, and runs tokencert run --target with args. The
// device grant is left out (it polls at its interval) and requests are
// not paced.
func runRefTarget(t *testing.T, o refserver.Options, edit func(tg *target.Target), args ...string) result {
	t.Helper()
	if o.Spec == nil {
		spec, err := specs.Load("rfc6749")
		if err != nil {
			t.Fatal(err)
		}
		o.Spec = spec
	}
	if o.Lifetime == 0 {
		o.Lifetime = time.Second
	}
	if o.Credentials == nil {
		o.Credentials = &refserver.Credentials{ClientSecret: "client-secret-0123456789-quirks", Password: "password-0123456789-quirks",
			OtherClientSecret: "other-secret-0123456789-quirks"}
	}
	srv, err := refserver.New(o)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	tg := srv.Target()
	tg.DeviceAuthorization = ""
	rps := 1000.0
	tg.MaxRPS = &rps
	dir := t.TempDir()
	if len(tg.AssertionKeyData) > 0 {
		if err := os.WriteFile(filepath.Join(dir, "client.pem"), tg.AssertionKeyData, 0o600); err != nil {
			t.Fatal(err)
		}
		tg.AssertionKey = "client.pem"
	}
	if edit != nil {
		edit(&tg)
	}
	var env []string
	for _, s := range []struct {
		name string
		v    *string
	}{{"T_SECRET", &tg.ClientSecret}, {"T_PASSWORD", &tg.Password}, {"T_OTHER", &tg.OtherClientSecret}} {
		if *s.v != "" {
			env = append(env, s.name+"="+*s.v)
			*s.v = "${" + s.name + "}"
		}
	}
	b, err := json.Marshal(tg)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "target.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return tokencert(t, env, append([]string{"run", "--target", path, "--skew", "500ms", "--max-wait", "10s"}, args...)...)
}

// failed lists the checks that failed or errored.
func failed(r result) []reporters.JUnitTestCase {
	var out []reporters.JUnitTestCase
	for _, tc := range r.cases() {
		if tc.Failure != nil || tc.Error != nil {
			out = append(out, tc)
		}
	}
	return out
}

// TestOneFailurePerRefusedMethod: a client registered for Basic alone, at
// a server that refuses its Basic credentials, fails the check of Basic
// (RFC6749-2.3.1-BASIC-SUPPORT) and nothing else: the status-200 check
// leaves the refusal to it, and the checks that needed a token skip. Where
// the check of Basic does not run, status-200 fails: the refusal is never
// nobody's.
func TestOneFailurePerRefusedMethod(t *testing.T) {
	t.Parallel()
	f, err := refserver.FaultByName("basic-unsupported")
	if err != nil {
		t.Fatal(err)
	}
	basicOnly := func(tg *target.Target) { tg.ClientAuth = []string{"basic"} }
	t.Run("whole run", func(t *testing.T) {
		t.Parallel()
		r := runRefTarget(t, refserver.Options{Faults: []refserver.Fault{f}}, basicOnly)
		got := failed(r)
		if r.exit != 1 || len(got) != 1 || property(got[0], "requirement") != f.Breaks {
			t.Errorf("exit %d, want 1 with one failed check, of %s:\n%s", r.exit, f.Breaks, failures(r))
		}
	})
	// A secret the server does not know: every request by Basic is
	// refused, at the token, revocation and introspection endpoints.
	t.Run("every request refused", func(t *testing.T) {
		t.Parallel()
		r := runRefTarget(t, refserver.Options{}, func(tg *target.Target) { basicOnly(tg); tg.ClientSecret = "not-the-client-secret-0123456789" })
		got := failed(r)
		if r.exit != 1 || len(got) != 1 || property(got[0], "requirement") != f.Breaks {
			t.Errorf("exit %d, want 1 with one failed check, of %s:\n%s", r.exit, f.Breaks, failures(r))
		}
	})
	t.Run("status-200 alone", func(t *testing.T) {
		t.Parallel()
		r := runRefTarget(t, refserver.Options{Faults: []refserver.Fault{f}}, basicOnly, "--label-filter", "RFC6749-5.1-STATUS-200")
		got := failed(r)
		if r.exit != 1 || len(got) != 1 || property(got[0], "requirement") != "RFC6749-5.1-STATUS-200" {
			t.Errorf("exit %d, want 1 with RFC6749-5.1-STATUS-200 failed:\n%s", r.exit, failures(r))
		}
	})
}

// TestQuirkFlags: tokencert faults lists the quirks in a section of their
// own (with --spec, those that concern it); an unknown quirk, or a quirk
// with an endpoint of one's own, is a usage error.
func TestQuirkFlags(t *testing.T) {
	t.Parallel()
	r := tokencert(t, nil, "faults")
	faults, quirks, found := strings.Cut(r.stdout, "\nQuirks:")
	if r.exit != 0 || !found {
		t.Fatalf("exit %d, no Quirks section:\n%s", r.exit, r.stdout)
	}
	for _, q := range refserver.Quirks() {
		if !strings.Contains(quirks, q.Name) || strings.Contains(faults, q.Name) || !strings.Contains(quirks, q.Seen) {
			t.Errorf("quirk %s is not listed, with where it was seen, in the Quirks section alone", q.Name)
		}
	}
	if r := tokencert(t, nil, "faults", "--spec", "rfc9068"); strings.Contains(r.stdout, refserver.QuirkCodeOtherClientInvalidClient.Name) {
		t.Errorf("faults --spec rfc9068 lists %s, which concerns no requirement of rfc9068", refserver.QuirkCodeOtherClientInvalidClient.Name)
	}
	for _, args := range [][]string{
		{"run", "--quirk", "no-such-quirk"},
		{"run", "--quirk", refserver.QuirkScopeFreeForm.Name, "--endpoint", "https://127.0.0.1:1/token"},
		{"serve", "--quirk", "no-such-quirk"},
	} {
		if r := tokencert(t, nil, args...); r.exit != 2 || !strings.Contains(r.stderr, "quirk") {
			t.Errorf("%s: exit %d, want 2 naming the quirk\n%s", strings.Join(args, " "), r.exit, r.stderr)
		}
	}
}
