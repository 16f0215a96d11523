package reports

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/tokencert/tokencert/redact"
)

// MinSecretLen is the length below which Scan ignores a secret: shorter
// values are found by chance in any text (the redactor does not replace
// them inside free text either).
const MinSecretLen = 4

// minFragment is the shortest base64 fragment Scan looks for when a secret
// may sit inside a longer encoded value (HTTP Basic's "id:secret"): at 8
// characters (48 bits) a chance match in megabytes of text is negligible.
const minFragment = 8

// Leak is one secret found in one file of a bundle. It never holds the
// secret itself.
type Leak struct {
	File   string // path relative to the scanned directory
	Secret int    // index of the secret in the list given to Scan
	Form   string // how it was written: raw, url, json, html, xml, markdown, base64, ...
	Offset int    // byte offset of the first occurrence
}

func (l Leak) String() string {
	return fmt.Sprintf("%s: secret #%d (%s form) at byte %d", l.File, l.Secret, l.Form, l.Offset)
}

// LeakError reports the secrets Write found in the bundle it wrote. The
// files that held them have been removed.
type LeakError struct{ Leaks []Leak }

func (e *LeakError) Error() string {
	var b strings.Builder
	b.WriteString("secrets found in the report bundle; removed ")
	var files []string
	for _, l := range e.Leaks {
		if !slices.Contains(files, l.File) {
			files = append(files, l.File)
		}
	}
	b.WriteString(strings.Join(files, ", "))
	b.WriteString(":")
	for _, l := range e.Leaks {
		b.WriteString("\n  ")
		b.WriteString(l.String())
	}
	return b.String()
}

// Scan looks for the given secrets in every regular file under dir, in
// every form a writer might have put them in: raw, URL-encoded (query and
// path), JSON-escaped (with and without HTML escaping), HTML- and
// XML-escaped, Markdown-escaped, and base64 (standard and URL alphabets,
// padded and raw, also inside a longer encoded value such as HTTP Basic
// credentials). Redaction fingerprints ("[access_token#1a2b3c4d]") are
// ignored, so a secret that happens to be a word of a fingerprint does not
// count. Secrets shorter than MinSecretLen are ignored, and a weak one
// (redact.Weak: short, or a plain word) counts in its text forms only as
// the value of one of names (name=…, "name":"…"; names are the secret
// parameters of redact.SecretParams when none are given), as the redactor
// replaces it. Leaks are sorted by file, secret and form.
func Scan(dir string, secrets []string, names ...string) ([]Leak, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return scanFiles(dir, files, secrets, names)
}

func scanFiles(dir string, files, secrets, names []string) ([]Leak, error) {
	if len(names) == 0 {
		names = redact.SecretParams
	}
	m := newMatcher(secrets, names)
	var leaks []Leak
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			rel = path
		}
		for _, l := range m.find(maskFingerprints(data)) {
			l.File = filepath.ToSlash(rel)
			leaks = append(leaks, l)
		}
	}
	slices.SortFunc(leaks, func(a, b Leak) int {
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		if c := cmpInt(a.Secret, b.Secret); c != 0 {
			return c
		}
		return strings.Compare(a.Form, b.Form)
	})
	return leaks, nil
}

// fingerprintREs match redaction fingerprints as written raw or
// Markdown-escaped (`\[kind#1a2b3c4d\]`), and URL-encoded. Each starts with
// a literal, which lets the regexp package skip to candidates instead of
// stepping its machine over every byte (that made the scan most of the
// time a run spends writing its bundle); a backslash just before a raw
// match belongs to it, as in `\\?\[...`.
var fingerprintREs = []*regexp.Regexp{
	regexp.MustCompile(`\[[A-Za-z0-9_.\\-]+#[0-9a-f]{8}\\?\]`),
	regexp.MustCompile(`%5B[A-Za-z0-9_.-]+%23[0-9a-f]{8}%5D`),
}

// maskFingerprints overwrites fingerprints with NUL bytes, keeping offsets.
func maskFingerprints(data []byte) []byte {
	out := slices.Clone(data)
	for _, re := range fingerprintREs {
		for _, loc := range re.FindAllIndex(data, -1) {
			start := loc[0]
			if data[start] == '[' && start > 0 && data[start-1] == '\\' {
				start--
			}
			for i := start; i < loc[1]; i++ {
				out[i] = 0
			}
		}
	}
	return out
}

type pattern struct {
	text   []byte
	secret int
	form   string
	// closed: the pattern counts only where a value ends after it
	// (redact.ValueClosers, or the end of the data): a weak secret as a
	// form parameter's value.
	closed bool
}

// matcher finds many patterns of at least 4 bytes in one pass, indexing
// them by their first four bytes.
type matcher struct {
	byPrefix map[uint32][]pattern
}

func newMatcher(secrets, names []string) *matcher {
	m := &matcher{byPrefix: map[uint32][]pattern{}}
	add := func(p pattern) {
		if len(p.text) >= 4 {
			k := binary.LittleEndian.Uint32(p.text)
			m.byPrefix[k] = append(m.byPrefix[k], p)
		}
	}
	for i, s := range secrets {
		if len(s) < MinSecretLen {
			continue
		}
		if !redact.Weak(s) {
			for _, f := range secretForms(s) {
				add(pattern{text: f.text, secret: i, form: f.name})
			}
			continue
		}
		// A weak secret's letters may be a word of the report's prose: they
		// leak where they are the value of a secret's name, as the redactor
		// replaces them (redact.AsValue); its base64 forms (Basic
		// credentials among them), long enough not to occur by chance,
		// leak anywhere.
		for _, f := range secretForms(s) {
			if strings.HasPrefix(f.name, "base64") && len(f.text) >= minFragment {
				add(pattern{text: f.text, secret: i, form: f.name})
			}
		}
		for _, n := range names {
			for _, snippet := range []struct {
				text   string
				closed bool
			}{{n + "=" + s, true}, {n + "=" + url.QueryEscape(s), true}, {`"` + n + `":"` + s + `"`, false}, {`"` + n + `": "` + s + `"`, false}} {
				for _, f := range secretForms(snippet.text) {
					if !strings.HasPrefix(f.name, "base64") {
						add(pattern{text: f.text, secret: i, form: f.name + " value of " + n, closed: snippet.closed})
					}
				}
			}
		}
	}
	return m
}

// closedAt reports whether a value ends at data[end:].
func closedAt(data []byte, end int) bool {
	return end == len(data) || bytes.IndexByte([]byte(redact.ValueClosers), data[end]) >= 0
}

// find returns the first occurrence of each (secret, form) in data.
func (m *matcher) find(data []byte) []Leak {
	if len(m.byPrefix) == 0 {
		return nil
	}
	type key struct {
		secret int
		form   string
	}
	seen := map[key]bool{}
	var out []Leak
	for i := 0; i+4 <= len(data); i++ {
		ps, ok := m.byPrefix[binary.LittleEndian.Uint32(data[i:])]
		if !ok {
			continue
		}
		for _, p := range ps {
			k := key{p.secret, p.form}
			if seen[k] || !bytes.HasPrefix(data[i:], p.text) || p.closed && !closedAt(data, i+len(p.text)) {
				continue
			}
			seen[k] = true
			out = append(out, Leak{Secret: p.secret, Form: p.form, Offset: i})
		}
	}
	return out
}

type form struct {
	name string
	text []byte
}

// htmlTemplateEscaper escapes as html/template does in text and attributes.
var htmlTemplateEscaper = strings.NewReplacer("\x00", "\uFFFD", `"`, "&#34;", "&", "&amp;", "'", "&#39;", "+", "&#43;", "<", "&lt;", ">", "&gt;")

// secretForms lists the encodings of s that a report might contain, each
// once, under the name of the first encoding that produced it.
func secretForms(s string) []form {
	var out []form
	add := func(name, text string) {
		for _, f := range out {
			if string(f.text) == text {
				return
			}
		}
		out = append(out, form{name, []byte(text)})
	}
	add("raw", s)
	add("url", url.QueryEscape(s))
	add("url", url.PathEscape(s))
	js, _ := json.Marshal(s)
	add("json", string(js[1:len(js)-1]))
	var jb bytes.Buffer
	enc := json.NewEncoder(&jb)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	js = bytes.TrimSpace(jb.Bytes())
	add("json", string(js[1:len(js)-1]))
	add("html", htmlTemplateEscaper.Replace(s))
	add("html", html.EscapeString(s))
	var xb bytes.Buffer
	_ = xml.EscapeText(&xb, []byte(s))
	add("xml", xb.String())
	add("markdown", mdText(s))
	for _, e := range []struct {
		name string
		enc  *base64.Encoding
	}{
		{"base64", base64.StdEncoding}, {"base64", base64.RawStdEncoding},
		{"base64url", base64.URLEncoding}, {"base64url", base64.RawURLEncoding},
	} {
		add(e.name, e.enc.EncodeToString([]byte(s)))
	}
	// Inside a longer base64 value the secret starts at byte offset 0, 1
	// or 2 of a 3-byte group; the characters that only its bits determine
	// are the same whatever surrounds it.
	for _, e := range []struct {
		name string
		enc  *base64.Encoding
	}{{"base64 (inside a longer value)", base64.RawStdEncoding}, {"base64url (inside a longer value)", base64.RawURLEncoding}} {
		for k := 0; k < 3; k++ {
			encoded := e.enc.EncodeToString(append(make([]byte, k), s...))
			start, end := (8*k+5)/6, 8*(k+len(s))/6
			if end-start >= minFragment {
				add(e.name, encoded[start:end])
			}
		}
	}
	return out
}
