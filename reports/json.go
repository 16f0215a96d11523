package reports

import (
	"encoding/json"
	"github.com/tokencert/tokencert/result"
	"os"
)

// WriteJSON writes the run as indented JSON: run metadata and every check
// with its ID, level, verdict, duration, message and evidence. Checks are in
// the same order and carry the same names as in the other files; map keys
// are sorted and times are UTC, so equal runs give equal bytes.
func WriteJSON(r *result.Run, path string) error {
	b, err := renderJSON(r)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

func renderJSON(r *result.Run) ([]byte, error) {
	b, err := json.MarshalIndent(normalized(r), "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
