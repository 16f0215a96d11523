// Package derive turns a token API's document (Markdown, plain text, HTML
// or an OpenAPI file) into a draft endpoint spec, its JSON Schemas and a
// list of every extracted fact with its place in the document. What the
// document does not say is left out or marked TODO(derive); where it
// contradicts itself the draft records a decision that needs review.
package derive

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// MaxSize is the largest document derive reads.
const MaxSize = 2 << 20

// ErrNoEndpoint: the document has no recognisable token endpoint.
var ErrNoEndpoint = errors.New("no recognisable token endpoint")

// ErrRefused: the input is not a document derive reads (too big, binary).
var ErrRefused = errors.New("not a document derive reads")

// Options steer a derivation.
type Options struct {
	// Name is the spec's name (lower-case kebab); default: from the file name.
	Name string
	// Endpoint picks one of several candidate token endpoints by path.
	Endpoint string
}

// Result is a derived draft: the spec file, its schemas (by path relative
// to the spec's folder) and the notes.
type Result struct {
	Name    string
	Format  string
	Spec    []byte
	Schemas map[string][]byte
	Notes   []byte
	// TODOs are the points the document did not settle that block the spec.
	TODOs []string
	// Decisions counts the contradictions that need review.
	Decisions int
}

// Derive reads a document (file names it in cites) and derives a draft spec.
func Derive(file string, src []byte, o Options) (*Result, error) {
	if len(src) > MaxSize {
		return nil, fmt.Errorf("%w: %s is %d bytes; derive reads documents of at most %d bytes", ErrRefused, file, len(src), MaxSize)
	}
	if err := checkText(src); err != nil {
		return nil, fmt.Errorf("%w: %s %v", ErrRefused, file, err)
	}
	name := o.Name
	if name == "" {
		name = NameFrom(file)
	}
	if !reSpecName.MatchString(name) {
		return nil, fmt.Errorf("name %q: a spec name is lower-case letters, digits and dashes, starting with a letter or digit", name)
	}
	format := Detect(src)
	var f *facts
	switch format {
	case "openapi", "swagger":
		var err error
		if f, err = extractOpenAPI(src, format); err != nil {
			return nil, err
		}
	case "html":
		f = extractText(readHTML(src))
	default:
		f = extractText(readMarkdown(src, format))
	}
	b := &builder{f: f, name: name, file: filepath.Base(file), prefix: strings.ToUpper(name) + "-DERIVED-", opts: o, reqIDs: map[string]bool{}, schemas: map[string][]byte{}}
	g, err := b.endpoint()
	if err != nil {
		return nil, err
	}
	spec, err := b.build(g)
	if err != nil {
		return nil, err
	}
	doc := &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{spec}}
	doc.HeadComment = fmt.Sprintf("Draft spec derived by `tokencert derive` from %s (%s); every value cites its place in the document.\nReview derive-notes.md, every decision marked NEEDS REVIEW, and resolve every TODO marker before running it.", b.file, format)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return &Result{Name: name, Format: format, Spec: buf.Bytes(), Schemas: b.schemas, Notes: b.notes(format), TODOs: b.todos, Decisions: len(b.decide)}, nil
}

var reSpecName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// NameFrom makes a spec name from a file name.
func NameFrom(file string) string {
	base := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	var b strings.Builder
	for _, c := range strings.ToLower(base) {
		switch {
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			b.WriteRune(c)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	n := strings.Trim(b.String(), "-")
	if n == "" {
		n = "derived"
	}
	return n
}

// checkText refuses what is not text: NUL bytes, invalid UTF-8, many
// control characters.
func checkText(src []byte) error {
	if bytes.IndexByte(src, 0) >= 0 {
		return errors.New("has NUL bytes: a binary file, not a text document")
	}
	if !utf8.Valid(src) {
		return errors.New("is not UTF-8 text")
	}
	ctl := 0
	for _, c := range src {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' {
			ctl++
		}
	}
	if ctl > len(src)/100+8 {
		return fmt.Errorf("has %d control characters: not a text document", ctl)
	}
	if len(bytes.TrimSpace(src)) == 0 {
		return errors.New("is empty")
	}
	return nil
}

var (
	// A YAML key at a line's start, or a JSON one after "{" (a file on one line).
	reOpenAPI = regexp.MustCompile(`(?m)^\s*(\{\s*)?"?openapi"?\s*:\s*["']?3\.`)
	reSwagger = regexp.MustCompile(`(?m)^\s*(\{\s*)?"?swagger"?\s*:\s*["']?2\.`)
	reHTML    = regexp.MustCompile(`(?i)^\s*(<!doctype html|<html|<head|<body|<!--[\s\S]*?-->\s*<(html|head|body|div|p|h[1-6])\b)`)
	reTags    = regexp.MustCompile(`(?i)</?(p|div|h[1-6]|table|tr|td|pre|code|body|span|ul|li)\b[^>]*>`)
)

// Detect says what a document is from its content: "openapi", "swagger",
// "html", "markdown" or "text".
func Detect(src []byte) string {
	head := src
	if len(head) > 64<<10 {
		head = head[:64<<10]
	}
	switch {
	case reOpenAPI.Match(head):
		return "openapi"
	case reSwagger.Match(head):
		return "swagger"
	case reHTML.Match(head) || len(reTags.FindAllIndex(head, 20)) >= 10:
		return "html"
	}
	if regexp.MustCompile("(?m)^(#{1,6} |```|\\|.*\\|\\s*$|[-*] )").Match(head) {
		return "markdown"
	}
	return "text"
}

func b64url(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}
