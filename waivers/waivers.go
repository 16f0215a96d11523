// Package waivers reads a waivers file, the failures a team has accepted
// for a while, and applies it to a run's checks: which failed checks each
// entry waives, which entries have expired and which match nothing.
package waivers

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/tokencert/tokencert/result"
)

// DateLayout is the layout of an entry's expires date.
const DateLayout = "2006-01-02"

// Keys lists the keys an entry may have.
var Keys = []string{"id", "check", "target", "reason", "owner", "expires", "ticket"}

// File is a parsed waivers file.
type File struct {
	Path    string
	SHA256  string
	Entries []Entry
}

// Entry is one waiver: a requirement ID or a check name, optionally only
// for targets matching a glob, accepted by an owner for a reason until a
// date (inclusive, UTC).
type Entry struct {
	result.Waiver
	expires time.Time
	target  *regexp.Regexp
	// lines of the entry's keys, for errors found after parsing.
	lines map[string]int
}

// Error is a problem with a waivers file, naming the file, line and key.
type Error struct {
	File    string
	Line    int
	Key     string
	Problem string
}

func (e *Error) Error() string {
	where := e.File
	if e.Line > 0 {
		where = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	if e.Key != "" {
		return fmt.Sprintf("%s: %s: %s", where, e.Key, e.Problem)
	}
	return fmt.Sprintf("%s: %s", where, e.Problem)
}

// Load reads and parses a waivers file.
func Load(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &Error{File: path, Problem: "cannot read: " + err.Error()}
	}
	return Parse(path, b)
}

// Parse parses a waivers file: a YAML list of entries. path names the file
// in errors.
func Parse(path string, b []byte) (*File, error) {
	sum := sha256.Sum256(b)
	f := &File{Path: path, SHA256: hex.EncodeToString(sum[:])}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, &Error{File: path, Problem: "not valid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	if len(doc.Content) == 0 {
		return f, nil // an empty file waives nothing
	}
	list := doc.Content[0]
	if list.Kind != yaml.SequenceNode {
		return nil, &Error{File: path, Line: list.Line, Problem: "want a list of waivers (- id: …)"}
	}
	for _, n := range list.Content {
		e, err := parseEntry(path, n)
		if err != nil {
			return nil, err
		}
		f.Entries = append(f.Entries, e)
	}
	return f, nil
}

func parseEntry(path string, n *yaml.Node) (Entry, error) {
	e := Entry{lines: map[string]int{}}
	e.Line = n.Line
	if n.Kind != yaml.MappingNode {
		return e, &Error{File: path, Line: n.Line, Problem: "want a waiver: a mapping of " + strings.Join(Keys, ", ")}
	}
	fields := map[string]*string{"id": &e.ID, "check": &e.Check, "target": &e.Target, "reason": &e.Reason, "owner": &e.Owner, "expires": &e.Expires, "ticket": &e.Ticket}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		dst, ok := fields[k.Value]
		if !ok {
			return e, &Error{File: path, Line: k.Line, Key: k.Value, Problem: "unknown key (known keys: " + strings.Join(Keys, ", ") + ")"}
		}
		if _, dup := e.lines[k.Value]; dup {
			return e, &Error{File: path, Line: k.Line, Key: k.Value, Problem: "given twice"}
		}
		if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
			return e, &Error{File: path, Line: v.Line, Key: k.Value, Problem: "want a string"}
		}
		e.lines[k.Value] = k.Line
		*dst = strings.TrimSpace(v.Value)
	}
	bad := func(key, problem string) (Entry, error) {
		line, ok := e.lines[key]
		if !ok {
			line = e.Line
		}
		return e, &Error{File: path, Line: line, Key: key, Problem: problem}
	}
	switch {
	case e.ID == "" && e.Check == "":
		return bad("id", "missing: a waiver names a requirement ID (id) or a check name (check)")
	case e.ID != "" && e.Check != "":
		return bad("check", "give id or check, not both")
	}
	for _, k := range []string{"reason", "owner", "expires"} {
		if *fields[k] == "" {
			return bad(k, "missing: every waiver says why (reason), who accepted it (owner) and until when (expires: YYYY-MM-DD)")
		}
	}
	d, err := time.Parse(DateLayout, e.Expires)
	if err != nil {
		return bad("expires", fmt.Sprintf("%q is not a date like 2026-12-31", e.Expires))
	}
	e.expires = d
	if e.Ticket != "" {
		u, err := url.Parse(e.Ticket)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return bad("ticket", fmt.Sprintf("%q is not an absolute http(s) URL", e.Ticket))
		}
	}
	if e.Target != "" {
		e.target = glob(e.Target)
	}
	return e, nil
}

// glob compiles a target glob: * matches any run of characters (slashes
// too), ? any one character; everything else matches itself.
func glob(pattern string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for _, r := range pattern {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// Known is what a run's spec and plan have, for checking the entries.
type Known struct {
	// Spec names the spec in errors.
	Spec string
	// IDs are the spec's requirement IDs; Checks the plan's check names.
	IDs, Checks map[string]bool
}

// Check reports the first entry naming a requirement ID the spec does not
// have, or a check name the run does not plan.
func (f *File) Check(k Known) error {
	for _, e := range f.Entries {
		if e.ID != "" && !k.IDs[e.ID] {
			return &Error{File: f.Path, Line: e.lines["id"], Key: "id", Problem: fmt.Sprintf("spec %s has no requirement %s", k.Spec, e.ID)}
		}
		if e.Check != "" && !k.Checks[e.Check] {
			return &Error{File: f.Path, Line: e.lines["check"], Key: "check", Problem: fmt.Sprintf("spec %s has no check named %q for this target (report.json lists the names)", k.Spec, e.Check)}
		}
	}
	return nil
}

// Subject is the run's target, as waiver target globs match it: the
// endpoint URL, else the target file's path or its base name.
type Subject struct {
	Endpoint, TargetFile string
}

func (e Entry) appliesTo(s Subject) bool {
	if e.target == nil {
		return true
	}
	for _, v := range []string{s.Endpoint, s.TargetFile, filepath.Base(s.TargetFile)} {
		if v != "" && v != "." && e.target.MatchString(v) {
			return true
		}
	}
	return false
}

func (e Entry) matches(c result.Check) bool {
	return (e.ID != "" && c.ID == e.ID) || (e.Check != "" && c.Name == e.Check)
}

// Expired reports whether the entry's last day is before today's date.
func (e Entry) Expired(today time.Time) bool {
	y, m, d := today.UTC().Date()
	return e.expires.Before(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
}

// Apply marks each failed check of checks that an entry for s waives, on
// the day today, and returns every entry with its status and the failed
// checks it matched. An expired entry waives nothing. A check matched by
// several entries is waived by the first that holds.
func (f *File) Apply(checks []result.Check, s Subject, today time.Time) []result.Waiver {
	out := make([]result.Waiver, len(f.Entries))
	for i, e := range f.Entries {
		w := e.Waiver
		w.Checks = nil
		switch {
		case !e.appliesTo(s):
			w.Status = result.WaiverOtherTarget
		case e.Expired(today):
			w.Status = result.WaiverExpired
		default:
			w.Status = result.WaiverStale
		}
		for j := range checks {
			c := &checks[j]
			if w.Status == result.WaiverOtherTarget || c.Verdict != result.Fail || !e.matches(*c) {
				continue
			}
			w.Checks = append(w.Checks, c.Name)
			if w.Status == result.WaiverExpired {
				continue
			}
			w.Status = result.WaiverApplied
			if c.Waived == nil {
				c.Waived = &result.Waived{Until: e.Expires, Owner: e.Owner, Reason: e.Reason, Ticket: e.Ticket}
			}
		}
		out[i] = w
	}
	return out
}
