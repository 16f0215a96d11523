// Package suites holds the Ginkgo specs of tokencert, by concern (fields,
// errors, expiry, refresh). Which checks run, and against what, is decided
// by the endpoint spec's data: Plan turns a spec and a target into checks,
// Define turns the checks into a Ginkgo tree.
package suites

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/tokencert/tokencert/authorize"
	"github.com/tokencert/tokencert/probes"
	"github.com/tokencert/tokencert/redact"
	"github.com/tokencert/tokencert/schemas"
	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/suites/wire"
	"github.com/tokencert/tokencert/target"
)

// Concerns, in report order.
const (
	Fields    = "fields"
	Errors    = "errors"
	Refresh   = "refresh"
	Expiry    = "expiry"
	Transport = "transport"
	Security  = "security"
)

var concernOrder = map[string]int{Fields: 0, Errors: 1, Refresh: 2, AuthCode: 3, Device: 4, Metadata: 5, Transport: 6, Security: 7, Expiry: 8}

// Phase orders checks that must run first or last (expiry overlaps the run).
type Phase int

// The phases.
const (
	PhaseMain Phase = iota // the zero value: most checks
	PhaseFirst
	PhaseLast
	// PhaseFinal runs after every other check, the expiry waits included:
	// checks that judge every exchange of the run.
	PhaseFinal
)

var phaseRank = map[Phase]int{PhaseFirst: 0, PhaseMain: 1, PhaseLast: 2, PhaseFinal: 3}

// Check is one requirement check: one Ginkgo spec.
type Check struct {
	Req     specs.Requirement
	Concern string
	// Variant distinguishes several checks of one requirement.
	Variant string
	// Title says what is checked.
	Title string
	Phase Phase
	// Timeout bounds the check; 0 means the default.
	Timeout time.Duration
	// Accepts names the client authentication method whose acceptance
	// the check judges (client-auth, client-assertion valid, mtls valid):
	// where it fails, the status-200 check leaves the refusals of that
	// method's credentials to it (Env.refusalOwner).
	Accepts string
	Run     func(t *T)
}

// Name is the check's stable, unique name; it starts with the requirement ID.
func (c Check) Name() string {
	if c.Variant != "" {
		return c.Req.ID + " [" + c.Variant + "] " + c.Title
	}
	return c.Req.ID + " " + c.Title
}

// ID is the check's stable identity: its requirement, the check that
// verifies it and the variant. The runner finds the check's outcome in
// Ginkgo's report by it.
func (c Check) ID() string {
	id := c.Req.ID + " " + c.Req.Check
	if c.Variant != "" {
		id += " " + c.Variant
	}
	return id
}

// Labels are the check's Ginkgo labels: requirement ID, level, concern.
func (c Check) Labels() []string {
	return []string{c.Req.ID, c.Req.Level.Label(), c.Concern}
}

// Kind is one kind of check, declared once with what it checks: the
// spec schema's list of kinds and specs/README.md's table are held against
// the registered kinds by a test.
type Kind struct {
	Name string
	// Arg names what may follow "NAME/" in a requirement's check, or is
	// empty when nothing may.
	Arg string
	// Doc says what the kind checks, for specs/README.md.
	Doc string
	// Fix says what the endpoint should do to pass, for a reader of a
	// failed check (report.html). The error kind's checks take their
	// condition's (probes.Condition.Fix).
	Fix string
	// Requirements are the catalogue IDs the kind checks when a spec's
	// requirement entry names no check. A kind that takes an argument
	// leaves them to Defaults.
	Requirements []string
	// Defaults are, for a kind that takes an argument, the catalogue IDs
	// it checks when a spec's entry names no check, each with the argument
	// it checks it with.
	Defaults map[string]string
	// Plan returns the checks of one requirement.
	Plan func(e *Env, req specs.Requirement) []Check
}

var kinds = map[string]*Kind{}

// defaultKinds maps requirement IDs to the check ("kind" or
// "kind/argument") that verifies them when a spec's entry names none.
var defaultKinds = map[string]string{}

func register(k *Kind) {
	if _, dup := kinds[k.Name]; dup || k.Plan == nil || k.Doc == "" || (k.Defaults != nil && (k.Arg == "" || k.Requirements != nil)) {
		panic("suites: kind " + k.Name + " registered twice, without Plan or Doc, or with Defaults beside Requirements or without Arg")
	}
	kinds[k.Name] = k
	for _, id := range k.Requirements {
		defaultKinds[id] = k.Name
	}
	for _, id := range slices.Sorted(maps.Keys(k.Defaults)) {
		k.Requirements = append(k.Requirements, id)
		defaultKinds[id] = k.Name + "/" + k.Defaults[id]
	}
}

func init() {
	for _, c := range probes.Conditions {
		for _, id := range c.Requirements {
			defaultKinds[id] = "error/" + c.Name
		}
	}
}

// Kinds lists the registered check kinds, by name.
func Kinds() []*Kind {
	var out []*Kind
	for _, k := range kinds {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Fix is what the endpoint should do to pass check c: its failure
// condition's hint for an error check, else its kind's.
func Fix(c Check) string {
	base, arg, _ := strings.Cut(c.Req.Check, "/")
	if base == "error" {
		// A companion condition's checks are a variant named after it.
		for _, name := range []string{c.Variant, arg} {
			if cond := probes.ByName(name); cond != nil && cond.Fix != "" {
				return cond.Fix
			}
		}
	}
	if k, ok := kinds[base]; ok {
		return k.Fix
	}
	return ""
}

// DefaultCheck is the check ("kind" or "kind/argument") that verifies a
// requirement ID when a spec's entry names none, or "".
func DefaultCheck(id string) string { return defaultKinds[id] }

// Env is what checks share: the spec, the target, the HTTP client and the
// responses already fetched, so no check repeats a request another made.
type Env struct {
	Spec        *specs.Spec
	Target      target.Target
	Client      *wire.Client
	Redactor    *redact.Redactor
	TokenSchema *schemas.Schema
	// GrantSchemas are the success-body schemas the spec names for single
	// grants (specs.Grant.Schema), by grant.
	GrantSchemas map[string]*schemas.Schema
	// ErrorSchema is nil when the spec's errors are undocumented.
	ErrorSchema *schemas.Schema
	// Console receives progress a person watching the run should see.
	Console io.Writer
	// SkewSource says what set Target.Skew ("--skew", "target key skew"),
	// when it is set; otherwise the expiry checks estimate the skew.
	SkewSource string
	// Countdown, when set, is told about once a second what the run waits
	// for and how long is left (an expiry wait); it decides what to show.
	Countdown func(what string, left time.Duration)
	// Strict fails the run on any failed check: failures below the MUST
	// level are then failures, not findings.
	Strict bool

	// Authorizer gets authorization codes (nil: the run cannot).
	Authorizer authorize.Authorizer
	// MetadataFilled are the target keys the issuer's metadata filled in
	// (result.Discovery.Filled): what the target did not say itself.
	MetadataFilled []string

	// running are the checks the run runs (SetRunning); nil: not known,
	// and no check leaves what it sees to another.
	running []Check

	memo   memo
	logins logins
	sent   sentLog
	late   lateProbe

	codeMu     sync.Mutex
	codesUsed  int
	codeShared sharedCode
	codeReuse  codePair

	device, deviceExpiry sharedDevice
	// grantOf maps each token request's exchange to its grant.
	grantOf sync.Map
	// pending holds the device codes the token source had approved and
	// not yet polled for (device code → deviceAuth).
	pending   sync.Map
	revokedRT revokedRefresh

	skews skewLog
}

// NewEnv prepares the environment for a spec and target.
func NewEnv(spec *specs.Spec, tg target.Target, client *wire.Client, console io.Writer) (*Env, error) {
	ts, err := schemas.Load(spec.Response.Schema, spec.Dir())
	if err != nil {
		return nil, err
	}
	var es *schemas.Schema
	if spec.Errors.Schema != "" {
		if es, err = schemas.Load(spec.Errors.Schema, spec.Dir()); err != nil {
			return nil, err
		}
	}
	if console == nil {
		console = io.Discard
	}
	r := client.Redactor
	// The spec's names for the secret parameters and members: where a
	// weak secret (redact.Weak) is the value of one, it is the secret.
	for _, name := range redact.SecretParams {
		r.Name(spec.Param(name), spec.Member(name))
	}
	for kind, v := range map[string]string{"client_secret": tg.ClientSecret, "password": tg.Password, "other_client_secret": tg.OtherClientSecret, "refresh_token": tg.RefreshToken} {
		r.Add(kind, v)
	}
	gs := map[string]*schemas.Schema{}
	for _, g := range spec.Grants {
		if g.Schema != "" {
			if gs[g.Type], err = schemas.Load(g.Schema, spec.Dir()); err != nil {
				return nil, err
			}
		}
	}
	env := &Env{Spec: spec, Target: tg, Client: client, Redactor: r, TokenSchema: ts, GrantSchemas: gs, ErrorSchema: es, Console: console, memo: memo{m: map[string]*memoEntry{}}}
	registerAssertionKey(env)
	client.TokenMembers = append(client.TokenMembers, spec.Member("access_token"), spec.Member("refresh_token"), "id_token", "access_token", "refresh_token")
	client.Observe = env.sent.add
	return env, nil
}

// TokenSchemas are the success-body schemas: the spec's, then each one a
// grant names, once each.
func (e *Env) TokenSchemas() []*schemas.Schema {
	out := []*schemas.Schema{e.TokenSchema}
	for _, g := range e.Spec.Grants {
		if s := e.GrantSchemas[g.Type]; s != nil && !slices.ContainsFunc(out, func(o *schemas.Schema) bool { return o.Ref == s.Ref }) {
			out = append(out, s)
		}
	}
	return out
}

// tokenSchema is the success-body schema of ex's grant.
func (e *Env) tokenSchema(ex *wire.Exchange) *schemas.Schema {
	if g, ok := e.grantOf.Load(ex); ok {
		if s := e.GrantSchemas[g.(string)]; s != nil {
			return s
		}
	}
	return e.TokenSchema
}

// Plan returns the checks of the spec's requirements, in run order.
func (e *Env) Plan() ([]Check, error) {
	var out []Check
	var missing []string
	for _, req := range e.Spec.Requirements {
		kind := e.checkOf(req)
		base, _, _ := strings.Cut(kind, "/")
		k, ok := kinds[base]
		if !ok {
			missing = append(missing, fmt.Sprintf("%s (check %q)", req.ID, kind))
			continue
		}
		req.Check = kind
		out = append(out, k.Plan(e, req)...)
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("spec %s: no check implements %s", e.Spec.Name, strings.Join(missing, ", "))
	}
	seen := map[string]bool{}
	for _, c := range out {
		if seen[c.Name()] || seen[c.ID()] {
			return nil, fmt.Errorf("spec %s: two checks named %q (%s)", e.Spec.Name, c.Name(), c.ID())
		}
		seen[c.Name()], seen[c.ID()] = true, true
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Phase != out[j].Phase {
			return phaseRank[out[i].Phase] < phaseRank[out[j].Phase]
		}
		return concernOrder[out[i].Concern] < concernOrder[out[j].Concern]
	})
	return out, nil
}

// SetRunning tells the Env which of the planned checks the run runs (those
// the label filter selects): a check leaves what it sees to another only
// when that one runs.
func (e *Env) SetRunning(checks []Check) { e.running = slices.Clone(checks) }

// checkOf is the check ("kind" or "kind/argument") that verifies req: the
// one its entry names, with the requirement's default argument when it
// names a kind alone; else the requirement's default check; else "schema"
// when a schema names the requirement.
func (e *Env) checkOf(req specs.Requirement) string {
	kind := req.Check
	if d := defaultKinds[req.ID]; kind == "" || strings.HasPrefix(d, kind+"/") {
		kind = d
	}
	if kind == "" && e.schemaNames(req.ID) {
		kind = "schema"
	}
	return kind
}

func (e *Env) schemaNames(id string) bool {
	for _, s := range append(e.TokenSchemas(), e.ErrorSchema) {
		for _, r := range s.Requirements() {
			if r == id {
				return true
			}
		}
	}
	return false
}

// T is what a check's body works with.
type T struct {
	Ctx   context.Context
	Env   *Env
	Check *Check

	rec *Record
}

// Record is what a check's body found, as its Ginkgo spec's report entry
// (EntryCheck) carries it: safe to read while a body cut off by its
// timeout may still be writing.
type Record struct {
	// ID is the check's ID (Check.ID).
	ID string

	mu  sync.Mutex
	res Result
}

// Result returns a copy of what the check found so far.
func (r *Record) Result() Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	res := r.res
	res.Problems, res.Notes, res.Evidence = slices.Clone(res.Problems), slices.Clone(res.Notes), slices.Clone(res.Evidence)
	return res
}

func (r *Record) update(f func(*Result)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f(&r.res)
}

// Errorf records that the requirement is not met; the check goes on so that
// it reports every problem it finds.
func (t *T) Errorf(format string, args ...any) {
	msg := t.Env.Redactor.String(fmt.Sprintf(format, args...))
	t.rec.update(func(r *Result) { r.Problems = append(r.Problems, msg) })
}

// Notef records a deviation the spec tolerates, or a fact the auditor
// should see; it does not fail the check.
func (t *T) Notef(format string, args ...any) {
	t.note(t.Env.Redactor.String(fmt.Sprintf(format, args...)))
}

func (t *T) note(msg string) {
	t.rec.update(func(r *Result) {
		if !slices.Contains(r.Notes, msg) {
			r.Notes = append(r.Notes, msg)
		}
	})
}

// Evidence attaches exchanges to the check's report.
// An exchange's notes (a 429 waited for) become the check's notes; an
// exchange the failed-login cap kept from being sent skips the check.
func (t *T) Evidence(exs ...*wire.Exchange) {
	for _, ex := range exs {
		if ex == nil {
			continue
		}
		added := false
		t.rec.update(func(r *Result) {
			if !slices.Contains(r.Evidence, ex) {
				r.Evidence = append(r.Evidence, ex)
				added = true
			}
		})
		if !added {
			continue
		}
		for _, n := range ex.Notes {
			t.note(t.Env.Redactor.String(ex.Label + ": " + n))
		}
		if why, ok := t.Env.cappedWhy(ex); ok {
			t.Needf([]string{"max_failed_logins"}, "skipped: %s", why)
		}
	}
}

// Examined records that the check judged n exchanges the run recorded
// without attaching them as evidence (its notes say what it looked at).
func (t *T) Examined(n int) { t.rec.update(func(r *Result) { r.Examined += n }) }

// Skipf ends the check as skipped: the requirement does not apply to this
// endpoint or client (the spec or the client's registration rules it
// out), or what it is about did not happen (the server did not rotate).
// A skip for want of something the target or the run could give is
// Needf's.
func (t *T) Skipf(format string, args ...any) {
	t.skip(t.Env.Redactor.String(fmt.Sprintf(format, args...)), nil, false)
}

// Needf ends the check as skipped for want of the target keys (or flags,
// "--name") needs: the skip makes the run incomplete when the check is a
// MUST.
func (t *T) Needf(needs []string, format string, args ...any) {
	t.skip(t.Env.Redactor.String(fmt.Sprintf(format, args...)), needs, true)
}

// Unexercised ends the check as skipped because it could not exercise its
// requirement for a reason no target key gives (what it was to examine
// never came): like a want, it makes the run incomplete when the check is
// a MUST.
func (t *T) Unexercised(format string, args ...any) {
	t.skip(t.Env.Redactor.String(fmt.Sprintf(format, args...)), nil, true)
}

// Skip ends the check as Unmet u says: for want of u.Needs, or, with no
// needs, as not applicable.
func (t *T) Skip(u *probes.Unmet) {
	t.skip(t.Env.Redactor.String(u.Why), u.Needs, len(u.Needs) > 0)
}

func (t *T) skip(msg string, needs []string, incomplete bool) {
	needs = slices.Clone(needs)
	slices.Sort(needs)
	needs = slices.Compact(needs)
	t.rec.update(func(r *Result) { r.Skipped, r.Needs, r.Incomplete = msg, needs, incomplete })
	panic(skipSignal{})
}

type skipSignal struct{}

// Abortf ends the check as an error: it could not be carried out for a
// reason that is neither the requirement failing nor something the target
// could give (a login program that fails, a browser that never reaches
// the redirect). Its verdict is error, which no waiver accepts.
func (t *T) Abortf(format string, args ...any) {
	msg := t.Env.Redactor.String(fmt.Sprintf(format, args...))
	t.rec.update(func(r *Result) { r.Errored = msg })
	panic(skipSignal{})
}

// Problems returns what the check found wrong.
func (t *T) Problems() []string { return t.rec.Result().Problems }

// Consolef writes a progress line for the person watching the run.
func (t *T) Consolef(format string, args ...any) {
	fmt.Fprintln(t.Env.Console, t.Env.Redactor.String(fmt.Sprintf(format, args...)))
}

// Result is what running a check's body found.
type Result struct {
	Problems []string
	Notes    []string
	Evidence []*wire.Exchange
	Skipped  string // non-empty when the check skipped itself
	// Examined counts the exchanges the check judged without attaching
	// them as evidence (a search of every response the run recorded).
	Examined int
	// Errored, when set, says why the check could not be carried out
	// (T.Abortf): its verdict is error.
	Errored string
	// Incomplete: the skip is for want of something the target or the run
	// could give; Needs names the target keys and flags its reason names.
	Incomplete bool
	Needs      []string
}

// Execute runs a check body outside Ginkgo and returns what it found.
func Execute(ctx context.Context, e *Env, c *Check) Result {
	return execute(ctx, e, c, &Record{ID: c.ID()})
}

func execute(ctx context.Context, e *Env, c *Check, rec *Record) Result {
	t := &T{Ctx: ctx, Env: e, Check: c, rec: rec}
	func() {
		defer func() {
			if r := recover(); r != nil {
				if _, ok := r.(skipSignal); !ok {
					panic(r)
				}
			}
		}()
		c.Run(t)
	}()
	// No pass by default: a check that found nothing wrong but examined no
	// exchange did not exercise its requirement.
	rec.update(func(r *Result) {
		if len(r.Problems) == 0 && r.Skipped == "" && r.Errored == "" && len(r.Evidence) == 0 && r.Examined == 0 {
			r.Skipped = "not exercised: the check examined no exchange, so it cannot say the requirement holds"
			r.Incomplete = true
		}
	})
	return rec.Result()
}
