package derive

import (
	"fmt"
	"strings"
)

// notes writes derive-notes.md: every fact with its place in the document,
// the decisions that need review, the TODOs and the open questions.
func (b *builder) notes(format string) []byte {
	var w strings.Builder
	fmt.Fprintf(&w, "# derive notes: %s from %s\n\n", b.name, b.file)
	fmt.Fprintf(&w, "Read as %s. Places are %s. Every value of `%s.yaml` and of its schemas comes from a row below; nothing else was assumed.\n\n", format, map[bool]string{true: "JSON pointers into the OpenAPI file", false: "line numbers of the document"}[format == "openapi" || format == "swagger"], b.name)
	fmt.Fprintf(&w, "## Blocking TODOs (%d)\n\n", len(b.todos))
	if len(b.todos) == 0 {
		w.WriteString("None: the spec loads as it is.\n\n")
	} else {
		w.WriteString("`tokencert run --spec` refuses the spec until each `TODO(derive)` marker is resolved:\n\n")
		for _, t := range b.todos {
			fmt.Fprintf(&w, "- %s\n", t)
		}
		w.WriteString("\n")
	}
	fmt.Fprintf(&w, "## Decisions that need review (%d)\n\n", len(b.decide))
	if len(b.decide) == 0 {
		w.WriteString("None: the document did not contradict itself on anything derived.\n\n")
	}
	for i, d := range b.decide {
		fmt.Fprintf(&w, "%d. **Point:** %s\n   **Reading:** %s\n   **Why:** %s\n", i+1, d.point, d.reading, d.why)
	}
	if len(b.decide) > 0 {
		w.WriteString("\n")
	}
	fmt.Fprintf(&w, "## Open questions (%d)\n\n", len(b.f.questions))
	if len(b.f.questions) == 0 {
		w.WriteString("None.\n\n")
	}
	for _, q := range b.f.questions {
		fmt.Fprintf(&w, "- %s\n", q)
	}
	if len(b.f.questions) > 0 {
		w.WriteString("\n")
	}
	if len(b.others) > 0 {
		w.WriteString("## Other endpoints mentioned (not a token endpoint)\n\n")
		for _, o := range b.others {
			fmt.Fprintf(&w, "- %s\n", o)
		}
		w.WriteString("\n")
	}
	w.WriteString("## Facts\n\n| fact | value | from | the document says |\n|---|---|---|---|\n")
	for _, r := range b.rows {
		fmt.Fprintf(&w, "| %s | %s | %s | %s |\n", cellEsc(r.fact), cellEsc(r.value), cellEsc(r.from), cellEsc(r.quote))
	}
	w.WriteString("\n## Not derived\n\nThe reference-server settings (`refserver`: lifetime, scopes, extra members, audience, params) configure the test double, not the API; extra members take the success sample's values. Requirement levels are the catalogue's, except those the spec declares itself (MUST, for what the document shows).\n")
	return []byte(w.String())
}

func cellEsc(s string) string {
	return strings.NewReplacer("|", "\\|", "\n", " ", "\r", " ").Replace(s)
}
