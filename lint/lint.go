// Package lint checks an endpoint spec without sending a request: the spec
// against its format, every requirement resolvable and checked, every check's
// argument valid, the schemas' constrained properties tied to requirements
// both ways, and what the reference server can model of it. Each problem
// names the file and line it is on.
package lint

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/tokencert/tokencert/probes"
	"github.com/tokencert/tokencert/redact"
	"github.com/tokencert/tokencert/refserver"
	"github.com/tokencert/tokencert/schemas"
	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/suites"
	"github.com/tokencert/tokencert/suites/wire"
	"github.com/tokencert/tokencert/target"
)

// Severities.
const (
	Error   = "error"   // the spec cannot be certified against as it is
	Warning = "warning" // it can, but something is unproven or unfinished
)

// Problem is one thing lint found, at a line of the spec file (0: the file
// as a whole).
type Problem struct {
	File     string
	Line     int
	Severity string
	Message  string
}

// String is FILE:LINE: SEVERITY: MESSAGE, as editors read it; a problem
// of the file as a whole is put on its first line.
func (p Problem) String() string {
	return fmt.Sprintf("%s:%d: %s: %s", p.File, max(p.Line, 1), p.Severity, p.Message)
}

// Errors counts the problems of severity Error.
func Errors(ps []Problem) int {
	n := 0
	for _, p := range ps {
		if p.Severity == Error {
			n++
		}
	}
	return n
}

// rfcParams are the RFC 6749 parameter names a spec may rename.
var rfcParams = []string{"grant_type", "client_id", "client_secret", "username", "password", "scope", "refresh_token", "code", "redirect_uri", "code_verifier", "audience"}

// Options steer Check.
type Options struct {
	// TryFaults runs each fault a requirement names (faults:) against the
	// reference server in memory and reports one under which every check
	// of the requirement passes: it cannot break it (a few seconds a
	// fault; tokencert lint does it, a run's own lint does not).
	TryFaults bool
}

// Spec lints a built-in spec by name, or a spec file by path, without
// sending a request.
func Spec(name string) []Problem { return Check(name, Options{}) }

// Check lints a built-in spec by name, or a spec file by path: every
// problem of the file in one pass.
func Check(name string, o Options) []Problem {
	file, b := name, []byte(nil)
	if specs.IsFile(name) {
		var err error
		if b, err = os.ReadFile(name); err != nil {
			return []Problem{{File: name, Severity: Error, Message: err.Error()}}
		}
	} else if builtin, ok := specs.Builtin(name); ok {
		file, b = "specs/"+name+".yaml", builtin
	}
	l := &linter{file: file, lines: lineIndex(b)}
	spec, err := specs.Load(name)
	var draft *specs.TODOError
	if errors.As(err, &draft) {
		// A draft from `tokencert derive`: each marker is a warning, run
		// refuses the spec until they are resolved, and what else is wrong
		// is an error.
		if draft.Other != nil {
			l.parseError(draft.Other)
		}
		l.todos()
		l.add(Warning, 0, "a draft: tokencert run refuses it until its %d TODO(derive) marker(s) are resolved; the other checks run then", len(draft.TODOs))
		return l.out
	}
	if err != nil {
		// Every problem in one pass: what the format and the catalogue
		// say, then, as far as the file decodes, the checks below.
		partial, errs := specs.ParseAll(file, b)
		if len(errs) == 0 || b == nil {
			l.parseError(err)
			return l.out
		}
		l.partial = partial
		for _, e := range errs {
			l.parseError(e)
		}
		if partial != nil {
			l.specPartly(partial)
		}
		return l.dedupe()
	}
	l.spec(spec)
	if o.TryFaults {
		l.tryFaults(spec)
	}
	return l.dedupe()
}

// specPartly lints what there is of a spec that did not load: whatever
// its other problems keep the checks from reading is left to them.
func (l *linter) specPartly(s *specs.Spec) {
	defer func() {
		if r := recover(); r != nil {
			l.add(Warning, 0, "the rest of the spec could not be checked until the problems above are fixed")
		}
	}()
	if len(s.Request.ClientAuth) == 0 || s.Response.Schema == "" {
		return
	}
	l.spec(s)
}

// dedupe drops a problem reported twice (the format and the plan can
// name the same one).
func (l *linter) dedupe() []Problem {
	var out []Problem
	seen := map[Problem]bool{}
	for _, p := range l.out {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	l.out = out
	return out
}

type linter struct {
	file  string
	lines func(path ...string) int
	out   []Problem
	// partial is what decodes of a spec that does not load.
	partial *specs.Spec
}

func (l *linter) add(sev string, line int, format string, args ...any) {
	l.out = append(l.out, Problem{File: l.file, Line: line, Severity: sev, Message: fmt.Sprintf(format, args...)})
}

// extraRE reads the key a format violation says is unknown.
var extraRE = regexp.MustCompile(`^Additional property (\S+) is not allowed`)

// fieldRE reads a format violation's field ("requirements.3.check: …").
var fieldRE = regexp.MustCompile(`^\s*([A-Za-z0-9_.()-]+): (.*)$`)

// yamlLineRE reads the line a YAML (or JSON) syntax error is on.
var yamlLineRE = regexp.MustCompile(`yaml: line (\d+): (.*)$`)

// checkFieldRE reads the index of a requirement whose check the format
// refuses.
var checkFieldRE = regexp.MustCompile(`^requirements\.(\d+)\.check$`)

// parseError turns a load error into problems, one per line it lists, each
// at the line of the key it names where it names one.
func (l *linter) parseError(err error) {
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil && !strings.Contains(msg, "\n") {
		line, _ := strconv.Atoi(m[1])
		l.add(Error, line, "YAML syntax: %s", m[2])
		return
	}
	first, rest, _ := strings.Cut(msg, "\n")
	if rest == "" || !strings.Contains(first, "does not follow the spec format") {
		// One problem a line (the catalogue's are joined), each at the
		// requirement it names.
		for _, part := range strings.Split(msg, "\n") {
			part = strings.TrimPrefix(part, "spec "+l.file+": ")
			l.add(Error, l.lineOfMessage(part), "%s", strings.TrimSpace(part))
		}
		return
	}
	for _, line := range strings.Split(rest, "\n") {
		m := fieldRE.FindStringSubmatch(line)
		if m == nil {
			l.add(Error, 0, "%s", strings.TrimSpace(line))
			continue
		}
		if c := checkFieldRE.FindStringSubmatch(m[1]); c != nil && strings.HasPrefix(m[2], "Does not match pattern") && l.partial != nil {
			// The pattern lists every kind; say which is wrong instead.
			if i, _ := strconv.Atoi(c[1]); i < len(l.partial.Requirements) {
				r := l.partial.Requirements[i]
				l.add(Error, l.requirementLine(r.ID), "%s", unchecked(r.ID, r.Check, r.Text))
				continue
			}
		}
		var path []string
		if m[1] != "(root)" {
			path = strings.Split(strings.TrimPrefix(m[1], "(root)."), ".")
		}
		if extra := extraRE.FindStringSubmatch(m[2]); extra != nil {
			path = append(path, extra[1])
		}
		l.add(Error, l.lines(path...), "%s: %s", m[1], m[2])
	}
}

// lineOfMessage finds the line of a requirement a message names.
func (l *linter) lineOfMessage(msg string) int {
	for _, part := range strings.Split(msg, "\n") {
		for _, f := range strings.Fields(part) {
			if line := l.requirementLine(f); line > 0 {
				return line
			}
		}
	}
	return 0
}

func (l *linter) spec(s *specs.Spec) {
	env, err := suites.NewEnv(s, fullTarget(s), wire.New(redact.New(), wire.Options{}), nil)
	if err != nil {
		l.add(Error, l.lines("response", "schema"), "%v", err)
		return
	}
	if _, err := env.Plan(); err != nil {
		missing := missingRE.FindAllStringSubmatch(err.Error(), -1)
		for _, m := range missing {
			text := ""
			if r := s.Requirement(m[1]); r != nil {
				text = r.Text
			}
			l.add(Error, l.requirementLine(m[1]), "%s", unchecked(m[1], m[2], text))
		}
		if len(missing) == 0 {
			l.add(Error, l.lineOfMessage(err.Error()), "%v", err)
		}
	}
	l.checkArgs(s)
	l.faults(s)
	l.params(s)
	l.schemas(s, env)
	l.strength(s, "response", s.Response.Schema)
	l.strength(s, "errors", s.Errors.Schema)
	l.vacuous(s)
	l.refserver(s)
	l.todos()
}

// missingRE reads each requirement Plan found no check for, and the check
// it names ("" for none).
var missingRE = regexp.MustCompile(`([A-Z0-9][A-Z0-9._-]*) \(check "([^"]*)"\)`)

// fullTarget gives every key a value, so that every check is planned.
func fullTarget(s *specs.Spec) target.Target {
	t := target.Target{Endpoint: "https://127.0.0.1:1" + s.Request.Path, ClientID: "c", ClientSecret: "s", Username: "u", Password: "p",
		Scope: "read write", Audience: "a", Resource: "https://127.0.0.1:1/resource", Introspection: "https://127.0.0.1:1/introspect",
		OtherClientID: "c2", OtherClientSecret: "s2", MaxWait: specs.Duration{Duration: time.Minute}, Params: map[string]string{}}
	for _, name := range append(s.PathVars(), s.Request.Required...) {
		t.Params[name] = "x"
	}
	return t
}

// checkArgs validates each requirement's check argument against what its
// kind takes.
func (l *linter) checkArgs(s *specs.Spec) {
	kinds := map[string]*suites.Kind{}
	for _, k := range suites.Kinds() {
		kinds[k.Name] = k
	}
	for _, r := range s.Requirements {
		if r.Check == "" {
			continue
		}
		name, arg, hasArg := strings.Cut(r.Check, "/")
		k, ok := kinds[name]
		line := l.requirementLine(r.ID)
		switch {
		case !ok:
			continue // Plan reports an unknown kind
		case hasArg && k.Arg == "":
			l.add(Error, line, "requirement %s: check %s takes no argument", r.ID, name)
		case !hasArg && k.Arg != "" && !strings.HasPrefix(suites.DefaultCheck(r.ID), name+"/"):
			l.add(Error, line, "requirement %s: check %s takes an argument (%s); only a requirement it checks by default may name it alone", r.ID, name, k.Arg)
		case !hasArg:
			continue
		case k.Arg == "CONDITION":
			if probes.ByName(arg) == nil {
				l.add(Error, line, "requirement %s: %q is not a failure condition (%s)", r.ID, arg, strings.Join(probes.Names(), ", "))
			} else if _, documented := s.Condition(arg); !documented && !s.Errors.Undocumented && name == "error-body" {
				l.add(Error, line, "requirement %s: check %s needs errors.conditions.%s (the body it checks)", r.ID, r.Check, arg)
			}
		case k.Arg == "NAME":
			if !slices.Contains(s.Request.Required, arg) {
				l.add(Error, line, "requirement %s: %q is not one of request.required (%s)", r.ID, arg, strings.Join(s.Request.Required, ", "))
			}
		case strings.Contains(k.Arg, "|"):
			if !slices.Contains(strings.Split(k.Arg, "|"), arg) {
				l.add(Error, line, "requirement %s: check %s takes %s, not %q", r.ID, name, k.Arg, arg)
			}
		}
	}
}

// faults checks the fault names requirements give.
func (l *linter) faults(s *specs.Spec) {
	for _, r := range s.Requirements {
		for _, name := range r.Faults {
			if _, err := refserver.FaultByName(name); err != nil {
				l.add(Error, l.requirementLine(r.ID), "requirement %s: %v", r.ID, err)
			}
		}
	}
}

// params checks the parameter names the spec renames or limits.
func (l *linter) params(s *specs.Spec) {
	for name := range s.Request.Params {
		if !slices.Contains(rfcParams, name) && !slices.Contains(s.Request.Required, name) {
			l.add(Error, l.lines("request", "params", name), "request.params renames %q, which is neither an RFC 6749 parameter (%s) nor one of request.required", name, strings.Join(rfcParams, ", "))
		}
	}
	for name := range s.Request.MaxLength {
		if !slices.Contains(rfcParams, name) && !slices.Contains(s.Request.Required, name) {
			l.add(Error, l.lines("request", "max_length", name), "request.max_length limits %q, which the requests do not carry", name)
		}
	}
}

// schemas ties schema properties and requirements both ways.
func (l *linter) schemas(s *specs.Spec, env *suites.Env) {
	type keyed struct {
		key    string
		schema *schemas.Schema
	}
	pairs := []keyed{{"response", env.TokenSchema}, {"errors", env.ErrorSchema}}
	for _, g := range s.Grants {
		if gs := env.GrantSchemas[g.Type]; gs != nil {
			pairs = append(pairs, keyed{"grants", gs})
		}
	}
	for _, pair := range pairs {
		if pair.schema == nil {
			continue
		}
		for _, p := range pair.schema.Untied() {
			l.add(Error, l.lines(pair.key, "schema"), "schema %s: property %s is constrained but names no requirement (x-requirement, x-required-by): a violation would be reported against none", pair.schema.Ref, p)
		}
		for _, id := range pair.schema.Requirements() {
			if s.Requirement(id) == nil {
				l.add(Warning, l.lines(pair.key, "schema"), "schema %s names %s, which is not a requirement of the spec, so its constraints are not checked: add it to requirements (or drop the annotation)", pair.schema.Ref, id)
			}
		}
	}
	for _, r := range s.Requirements {
		named := slices.ContainsFunc(append(env.TokenSchemas(), env.ErrorSchema), func(sc *schemas.Schema) bool { return sc != nil && slices.Contains(sc.Requirements(), r.ID) })
		if r.Check == "schema" && !named {
			l.add(Error, l.requirementLine(r.ID), "requirement %s is checked by schema, but no schema names it", r.ID)
		}
	}
}

// refserver says what the reference server can model: a spec it refuses,
// or requirements no fault breaks, cannot be shown to be checked.
func (l *linter) refserver(s *specs.Spec) {
	if _, err := refserver.New(refserver.Options{Spec: s}); err != nil {
		l.add(Warning, 0, "the reference server cannot speak this spec (%v): `tokencert run --spec` against it is not possible, and no fault shows its checks can fail", err)
		return
	}
	broken := map[string][]string{}
	for _, f := range refserver.FaultsFor(s) {
		broken[f.Breaks] = append(broken[f.Breaks], f.Name)
	}
	for _, r := range s.Requirements {
		if len(broken[r.ID]) == 0 {
			l.add(Warning, l.requirementLine(r.ID), "requirement %s: no reference-server fault breaks it, so nothing shows its check can fail", r.ID)
		}
	}
}

// todoRE marks what `tokencert derive` could not establish.
var todoRE = regexp.MustCompile(`TODO\(derive\)`)

func (l *linter) todos() {
	b, err := os.ReadFile(l.file)
	if err != nil {
		return
	}
	for i, line := range bytes.Split(b, []byte("\n")) {
		if todoRE.Match(line) {
			l.add(Warning, i+1, "%s", strings.TrimSpace(string(line)))
		}
	}
}

// requirementLine is the line of a requirement's entry, by ID.
func (l *linter) requirementLine(id string) int {
	for i := 0; i < 10000; i++ {
		line := l.lines("requirements", strconv.Itoa(i), "id")
		if line == 0 {
			return 0
		}
		if l.lines("requirements", strconv.Itoa(i), "id="+id) > 0 {
			return line
		}
	}
	return 0
}

// lineIndex parses YAML (or JSON) and returns a lookup of the line a key
// path stands on ("requirements", "3", "id"); a last step "key=value"
// matches only when the scalar at key has that value. 0: not found.
func lineIndex(b []byte) func(path ...string) int {
	var root yaml.Node
	if yaml.Unmarshal(b, &root) != nil || len(root.Content) == 0 {
		return func(...string) int { return 0 }
	}
	return func(path ...string) int {
		n := root.Content[0]
		line := 0
		for _, step := range path {
			key, want, hasWant := strings.Cut(step, "=")
			switch n.Kind {
			case yaml.MappingNode:
				var next *yaml.Node
				for i := 0; i+1 < len(n.Content); i += 2 {
					if n.Content[i].Value == key {
						next, line = n.Content[i+1], n.Content[i].Line
						break
					}
				}
				if next == nil || (hasWant && next.Value != want) {
					return 0
				}
				n = next
			case yaml.SequenceNode:
				i, err := strconv.Atoi(key)
				if err != nil || i >= len(n.Content) {
					return 0
				}
				n, line = n.Content[i], n.Content[i].Line
			default:
				return 0
			}
		}
		return line
	}
}
