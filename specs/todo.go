package specs

import (
	"bytes"
	"fmt"
	"strings"
)

// TODOMarker marks a point of a draft spec (written by `tokencert derive`)
// that its document did not settle; a spec that still has one is refused
// until a person resolves it.
const TODOMarker = "TODO(derive)"

// TODO is one unresolved marker: its line in the spec file and the line's text.
type TODO struct {
	Line int
	Text string
}

// TODOs lists the TODO(derive) markers in a spec file's bytes, in order.
func TODOs(b []byte) []TODO {
	if !bytes.Contains(b, []byte(TODOMarker)) {
		return nil
	}
	var out []TODO
	for i, line := range strings.Split(string(b), "\n") {
		if strings.Contains(line, TODOMarker) {
			out = append(out, TODO{Line: i + 1, Text: strings.TrimSpace(line)})
		}
	}
	return out
}

// TODOError is the error for a draft spec: it still has TODO(derive)
// markers. Other holds what else is wrong with it, nil when the markers are
// all that stand between the draft and a spec that loads.
type TODOError struct {
	Source string
	TODOs  []TODO
	Other  error
}

func (e *TODOError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "spec %s is a draft: %d %s marker(s) block it; resolve each (set the value the document supports and delete the marker) before the spec can be run:", e.Source, len(e.TODOs), TODOMarker)
	for _, t := range e.TODOs {
		fmt.Fprintf(&b, "\n  %s:%d: %s", e.Source, t.Line, t.Text)
	}
	if e.Other != nil {
		fmt.Fprintf(&b, "\nbesides the markers: %v", e.Other)
	}
	return b.String()
}
