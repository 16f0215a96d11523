package derive

import (
	"bytes"
	"regexp"
	"sort"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
	"golang.org/x/net/html"
)

// line is one line of a document's text, with its line number in the source.
type line struct {
	n int
	s string
}

// heading is a section heading.
type heading struct {
	line  int
	level int
	text  string
}

// table is a table of the document: a header row and body rows, each
// with the source line it starts on.
type table struct {
	line     int
	header   []string
	rows     [][]string
	rowLines []int
}

// document is what a reader makes of a Markdown, text or HTML document:
// its text lines, headings and tables, each placed by source line.
type document struct {
	format   string
	lines    []line
	headings []heading
	tables   []table
}

// section is the heading a source line falls under ("" before the first).
func (d *document) section(n int) string {
	if i := d.headingAt(n); i >= 0 {
		return d.headings[i].text
	}
	return ""
}

// headingAt is the index of the last heading at or before line n, or -1.
func (d *document) headingAt(n int) int {
	return sort.Search(len(d.headings), func(i int) bool { return d.headings[i].line > n }) - 1
}

// index is the index of the first text line at or after source line n.
func (d *document) index(n int) int {
	return sort.Search(len(d.lines), func(i int) bool { return d.lines[i].n >= n })
}

// label is what introduces a source line: the nearest non-blank text
// lines at most a few lines above it, and its section.
func (d *document) label(n int) string {
	var out []string
	for i := d.index(n) - 1; i >= 0 && len(out) < 3; i-- {
		l := d.lines[i]
		if n-l.n > 8 {
			break
		}
		if s := strings.TrimSpace(l.s); s != "" {
			if len(s) > 200 {
				s = s[:200]
			}
			out = append(out, s)
		}
	}
	return strings.Join(out, " / ") + " / " + d.sections(n)
}

// sections is the chain of headings a source line falls under, nearest
// first: its own section, then each enclosing one.
func (d *document) sections(n int) string {
	var out []string
	level := 99
	for i := d.headingAt(n); i >= 0 && level > 2 && len(out) < 4 && d.headingAt(n)-i < 64; i-- {
		// The document's title (a level-1 heading) names the whole API,
		// not the section.
		if h := d.headings[i]; (h.level < level && h.level > 1) || len(out) == 0 {
			out = append(out, h.text)
			level = h.level
		}
	}
	return strings.Join(out, " / ")
}

// readMarkdown reads Markdown (and plain text, which parses as Markdown).
func readMarkdown(src []byte, format string) *document {
	d := &document{format: format}
	starts := lineStarts(src)
	for i, s := range strings.Split(string(src), "\n") {
		d.lines = append(d.lines, line{n: i + 1, s: strings.TrimRight(s, "\r")})
	}
	md := goldmark.New(goldmark.WithExtensions(extension.Table))
	root := md.Parser().Parse(text.NewReader(src))
	lineOf := func(off int) int { return lineAt(starts, off) }
	_ = ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			if n.Lines().Len() > 0 {
				d.headings = append(d.headings, heading{line: lineOf(n.Lines().At(0).Start), level: n.Level, text: inlineText(n, src)})
			}
			return ast.WalkSkipChildren, nil
		case *extast.Table:
			t := table{line: -1}
			for row := n.FirstChild(); row != nil; row = row.NextSibling() {
				var cells []string
				first := -1
				for c := row.FirstChild(); c != nil; c = c.NextSibling() {
					cells = append(cells, inlineText(c, src))
					if off := firstOffset(c); first < 0 && off >= 0 {
						first = off
					}
				}
				ln := 0
				if first >= 0 {
					ln = lineOf(first)
				}
				if _, ok := row.(*extast.TableHeader); ok {
					t.header, t.line = cells, ln
					continue
				}
				t.rows = append(t.rows, cells)
				t.rowLines = append(t.rowLines, ln)
			}
			if t.line <= 0 && len(t.rowLines) > 0 {
				t.line = t.rowLines[0] - 2
			}
			d.tables = append(d.tables, t)
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return d
}

func lineStarts(src []byte) []int {
	starts := []int{0}
	for i, c := range src {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// lineAt is the 1-based line of a byte offset.
func lineAt(starts []int, off int) int {
	lo, hi := 0, len(starts)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if starts[mid] <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo + 1
}

func firstOffset(n ast.Node) int {
	off := -1
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if t, ok := c.(*ast.Text); ok && entering {
			off = t.Segment.Start
			return ast.WalkStop, nil
		}
		return ast.WalkContinue, nil
	})
	return off
}

func inlineText(n ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *ast.Text:
			b.Write(c.Segment.Value(src))
			if c.SoftLineBreak() || c.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(c.Value)
		}
		return ast.WalkContinue, nil
	})
	return strings.TrimSpace(b.String())
}

var blockTags = map[string]bool{
	"p": true, "div": true, "li": true, "ul": true, "ol": true, "tr": true, "table": true,
	"thead": true, "tbody": true, "pre": true, "br": true, "section": true, "article": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "dt": true, "dd": true,
	"dl": true, "blockquote": true, "header": true, "footer": true, "hr": true, "main": true, "nav": true,
	"td": true, "th": true, "body": true, "html": true, "title": true,
}

var spaces = regexp.MustCompile(`[ \t\r\f]+`)

// readHTML reads an HTML page: its text as lines (a <pre> keeps its own
// lines), headings and tables, each placed by the source line it starts on.
func readHTML(src []byte) *document {
	d := &document{format: "html"}
	z := html.NewTokenizer(bytes.NewReader(src))
	z.SetMaxBuf(len(src) + 1024)
	ln := 1
	var cur strings.Builder
	curLine := 1
	pre, skip := 0, 0
	var hText *strings.Builder
	hLevel, hLine := 0, 0
	var tbl *table
	var cell *strings.Builder
	var row []string
	rowLine := 0
	inHead := false
	flush := func() {
		s := strings.TrimSpace(spaces.ReplaceAllString(cur.String(), " "))
		if s != "" {
			d.lines = append(d.lines, line{n: curLine, s: s})
		}
		cur.Reset()
	}
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		raw := z.Raw()
		start := ln
		ln += bytes.Count(raw, []byte("\n"))
		tok := z.Token()
		switch tt {
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name := tok.Data
			end := tt == html.EndTagToken
			switch name {
			case "script", "style", "noscript", "svg", "template":
				if tt == html.StartTagToken {
					skip++
				} else if end && skip > 0 {
					skip--
				}
				continue
			}
			if skip > 0 {
				continue
			}
			if blockTags[name] {
				flush()
				curLine = start
			}
			switch name {
			case "pre":
				if end {
					if pre > 0 {
						pre--
					}
				} else if tt == html.StartTagToken {
					pre++
				}
			case "h1", "h2", "h3", "h4", "h5", "h6":
				if !end {
					hText, hLevel, hLine = &strings.Builder{}, int(name[1]-'0'), start
				} else if hText != nil {
					d.headings = append(d.headings, heading{line: hLine, level: hLevel, text: strings.TrimSpace(spaces.ReplaceAllString(hText.String(), " "))})
					hText = nil
				}
			case "table":
				if !end {
					tbl = &table{line: start}
				} else if tbl != nil {
					if len(tbl.header) > 0 || len(tbl.rows) > 0 {
						d.tables = append(d.tables, *tbl)
					}
					tbl = nil
				}
			case "tr":
				if tbl != nil {
					if !end {
						row, rowLine, inHead = nil, start, false
					} else {
						if cell != nil {
							row = append(row, strings.TrimSpace(spaces.ReplaceAllString(cell.String(), " ")))
							cell = nil
						}
						if len(row) > 0 {
							if len(tbl.header) == 0 && (inHead || len(tbl.rows) == 0) {
								tbl.header = row
							} else {
								tbl.rows = append(tbl.rows, row)
								tbl.rowLines = append(tbl.rowLines, rowLine)
							}
						}
						row = nil
					}
				}
			case "td", "th":
				if tbl != nil {
					if cell != nil {
						row = append(row, strings.TrimSpace(spaces.ReplaceAllString(cell.String(), " ")))
						cell = nil
					}
					if !end {
						cell = &strings.Builder{}
						if name == "th" {
							inHead = true
						}
					}
				}
			}
		case html.TextToken:
			if skip > 0 {
				continue
			}
			t := tok.Data
			if hText != nil {
				hText.WriteString(t)
			}
			if cell != nil {
				cell.WriteString(t)
			}
			if pre > 0 {
				parts := strings.Split(t, "\n")
				for i, p := range parts {
					if i > 0 {
						flush()
						curLine = start + i
					}
					cur.WriteString(p)
				}
				continue
			}
			if strings.TrimSpace(cur.String()) == "" {
				curLine = start + strings.Count(t[:len(t)-len(strings.TrimLeft(t, " \t\r\n"))], "\n")
			}
			cur.WriteString(strings.ReplaceAll(t, "\n", " "))
		}
	}
	flush()
	return d
}
