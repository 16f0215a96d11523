package specs

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/xeipuuv/gojsonschema"
	"sigs.k8s.io/yaml"

	"github.com/tokencert/tokencert/grants"
)

//go:embed *.yaml spec.schema.json
var builtin embed.FS

var formatSchema = sync.OnceValues(func() (*gojsonschema.Schema, error) {
	b, err := builtin.ReadFile("spec.schema.json")
	if err != nil {
		return nil, err
	}
	return gojsonschema.NewSchema(gojsonschema.NewBytesLoader(b))
})

// Names lists the built-in specs.
func Names() []string {
	entries, _ := fs.Glob(builtin, "*.yaml")
	var names []string
	for _, e := range entries {
		if e != "requirements.yaml" {
			names = append(names, strings.TrimSuffix(e, ".yaml"))
		}
	}
	sort.Strings(names)
	return names
}

// IsFile reports whether a spec name is a path to a spec file: one that
// ends in .yaml, .yml or .json (any other name is a built-in spec's).
func IsFile(name string) bool {
	return strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml") || strings.HasSuffix(name, ".json")
}

// Builtin returns the bytes of the built-in spec of that name.
func Builtin(name string) ([]byte, bool) {
	b, err := builtin.ReadFile(name + ".yaml")
	return b, err == nil && name != "requirements"
}

// Load returns the built-in spec of that name, or, when name is a path to a
// .yaml, .yml or .json file, the spec in that file.
func Load(name string) (*Spec, error) {
	if IsFile(name) {
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("spec %s: %w", name, err)
		}
		return Parse(name, b)
	}
	b, err := builtin.ReadFile(name + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("unknown spec %q (built-in specs: %s; or give a path to a spec file)", name, strings.Join(Names(), ", "))
	}
	s, err := Parse("specs/"+name+".yaml", b)
	if err != nil {
		return nil, err
	}
	s.builtin = true
	return s, nil
}

// Parse reads a spec from YAML or JSON bytes, validates it against the spec
// format and the requirement catalogue, and fills in catalogue levels.
// source names the file in error messages. A draft that still has
// TODO(derive) markers is refused with a *TODOError listing them; its
// Other is nil when nothing but the markers is wrong.
func Parse(source string, b []byte) (*Spec, error) {
	todos := TODOs(b)
	s, err := parse(source, b, len(todos) > 0)
	if len(todos) > 0 {
		return nil, &TODOError{Source: source, TODOs: todos, Other: err}
	}
	return s, err
}

// parse is Parse without the draft check; draft: format violations of
// values that hold a TODO(derive) marker are the marker's, not errors.
func parse(source string, b []byte, draft bool) (*Spec, error) {
	s, format, err := parseAll(source, b, draft, false)
	switch {
	case err != nil:
		return nil, err
	case format != nil:
		return nil, format
	}
	if err := s.resolve(); err != nil {
		return nil, fmt.Errorf("spec %s: %w", source, err)
	}
	return s, nil
}

// ParseAll reads a spec as Parse does, but goes on past a format error:
// it returns every problem of the file it can find in one pass (format
// violations, then the catalogue's), and the spec as far as it decodes
// (nil when it does not), so that a linter can check the rest of it too.
// TODO(derive) markers are not problems here.
func ParseAll(source string, b []byte) (*Spec, []error) {
	s, format, err := parseAll(source, b, len(TODOs(b)) > 0, true)
	if err != nil {
		return nil, []error{err}
	}
	var errs []error
	if format != nil {
		errs = append(errs, format)
	}
	if err := s.resolve(); err != nil {
		errs = append(errs, fmt.Errorf("spec %s: %w", source, err))
	}
	return s, errs
}

// parseAll validates b against the spec format (format: the violations,
// nil when there are none) and decodes it; lenient decodes past unknown
// keys and format violations, which are then left to format.
func parseAll(source string, b []byte, draft, lenient bool) (s *Spec, format, err error) {
	j, err := yaml.YAMLToJSON(b)
	if err != nil {
		return nil, nil, fmt.Errorf("spec %s: not YAML or JSON: %w", source, err)
	}
	schema, err := formatSchema()
	if err != nil {
		return nil, nil, fmt.Errorf("spec format schema: %w", err)
	}
	res, err := schema.Validate(gojsonschema.NewBytesLoader(j))
	if err != nil {
		return nil, nil, fmt.Errorf("spec %s: %w", source, err)
	}
	if !res.Valid() {
		var msgs []string
		for _, e := range res.Errors() {
			if v, ok := e.Value().(string); draft && ok && strings.Contains(v, TODOMarker) {
				continue
			}
			msgs = append(msgs, fmt.Sprintf("%s: %s", e.Field(), e.Description()))
		}
		sort.Strings(msgs)
		if len(msgs) > 0 {
			format = fmt.Errorf("spec %s does not follow the spec format:\n  %s", source, strings.Join(msgs, "\n  "))
			if !lenient {
				return nil, format, nil
			}
		}
	}
	s = &Spec{}
	dec := json.NewDecoder(strings.NewReader(string(j)))
	if !lenient {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(s); err != nil {
		if lenient && format != nil {
			return nil, nil, format
		}
		return nil, nil, fmt.Errorf("spec %s: %w", source, err)
	}
	sum := sha256.Sum256(b)
	s.Source, s.SHA256 = source, hex.EncodeToString(sum[:])
	return s, format, nil
}

// Dir is the folder a file spec was loaded from ("" for built-in specs,
// whatever a file spec's folder is called); schema references resolve
// against it first.
func (s *Spec) Dir() string {
	if s.builtin {
		return ""
	}
	return filepath.Dir(s.Source)
}

// Prefix is the prefix of the requirement IDs a spec declares itself: its
// name in upper case and a dash ("ACME-" for spec acme).
func (s *Spec) Prefix() string { return strings.ToUpper(s.Name) + "-" }

// declared checks a requirement the spec declares itself, one that is not
// in the catalogue: it has the spec's prefix, its own text and a level.
func (s *Spec) declared(r *Requirement) error {
	var missing []string
	if !strings.HasPrefix(r.ID, s.Prefix()) {
		return fmt.Errorf("requirement %s is not in the catalogue (specs/requirements.yaml); a requirement the spec declares itself has an ID starting %s, a level and a text", r.ID, s.Prefix())
	}
	if r.Text == "" {
		missing = append(missing, "text")
	}
	if r.Level == "" {
		missing = append(missing, "level")
	}
	if len(missing) > 0 {
		return fmt.Errorf("requirement %s is declared by the spec (not in the catalogue) and needs %s", r.ID, strings.Join(missing, " and "))
	}
	r.Declared = true
	return nil
}

func (s *Spec) resolve() error {
	if _, err := catalogue(); err != nil {
		return err
	}
	var errs []error
	seen := map[string]bool{}
	for i := range s.Requirements {
		r := &s.Requirements[i]
		if seen[r.ID] {
			errs = append(errs, fmt.Errorf("requirement %s listed twice", r.ID))
		}
		seen[r.ID] = true
		e, ok := Lookup(r.ID)
		if !ok {
			if err := s.declared(r); err != nil {
				errs = append(errs, err)
			}
			continue
		}
		if r.Text != "" {
			errs = append(errs, fmt.Errorf("requirement %s is in the catalogue, which gives its text; drop text (or declare a requirement of the spec's own, %s…)", r.ID, s.Prefix()))
			continue
		}
		r.Text = e.Text
		if r.Level == "" {
			r.Level = e.Level
		} else if r.Level != e.Level && r.Why == "" {
			errs = append(errs, fmt.Errorf("requirement %s: level %s differs from the catalogue's %s; say why", r.ID, r.Level, e.Level))
		}
	}
	errs = append(errs, s.resolveGrants()...)
	if s.Grant("refresh_token") != nil && s.Grant("refresh_token").Rotation == "" {
		s.Grant("refresh_token").Rotation = "optional"
	}
	if s.Errors.Undocumented && s.Errors.Template == nil {
		s.Errors.Template = map[string]any{"error": "$code", "error_description": "$description"}
	}
	if s.Errors.MediaType == "" {
		s.Errors.MediaType = "application/json"
	}
	if s.Response.ExpiresIn == "" {
		s.Response.ExpiresIn = "number"
	}
	if j := s.Response.JWT; j != nil && len(j.Algs) > 0 && !slices.Contains(j.Algs, j.Alg) {
		errs = append(errs, fmt.Errorf("response.jwt: alg %s is not among algs %v (the reference server signs with alg)", j.Alg, j.Algs))
	}
	return errors.Join(errs...)
}

// resolveGrants names each grant by its grant_type (an alias such as
// device_code becomes the URN) and refuses a grant listed twice.
func (s *Spec) resolveGrants() []error {
	var errs []error
	seen := map[string]bool{}
	for i := range s.Grants {
		g := &s.Grants[i]
		reg := grants.Lookup(g.Type)
		if reg == nil {
			errs = append(errs, fmt.Errorf("grants: unknown grant %q (%s)", g.Type, grants.Known()))
			continue
		}
		g.Type = reg.Name
		if seen[g.Type] {
			errs = append(errs, fmt.Errorf("grants: %s listed twice", g.Type))
		}
		seen[g.Type] = true
		if g.Rotation != "" && reg != grants.RefreshToken {
			errs = append(errs, fmt.Errorf("grants: %s: rotation is said of the refresh_token grant only", g.Type))
		}
		if g.RefreshToken != "" && reg == grants.RefreshToken {
			errs = append(errs, fmt.Errorf("grants: refresh_token: whether a refresh issues a new refresh token is its rotation, not refresh_token"))
		}
		for _, p := range g.Required {
			if slices.Contains(reg.Required(), p) || p == "grant_type" {
				errs = append(errs, fmt.Errorf("grants: %s: %s is a parameter of the grant itself; required lists parameters beyond the grant's own", g.Type, p))
			}
		}
	}
	return errs
}
