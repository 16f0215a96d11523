package specs

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sync"

	"sigs.k8s.io/yaml"
)

// CatalogueEntry is one requirement of the catalogue.
type CatalogueEntry struct {
	ID        string `json:"id"`
	Level     Level  `json:"level"`
	LevelText string `json:"level_text"`
	Topic     string `json:"topic"`
	Text      string `json:"text"`
	Source    string `json:"source"`
}

//go:embed requirements.yaml
var catalogueYAML []byte

var catalogue = sync.OnceValues(func() (map[string]CatalogueEntry, error) {
	var entries []CatalogueEntry
	if err := yaml.UnmarshalStrict(catalogueYAML, &entries); err != nil {
		return nil, fmt.Errorf("requirements.yaml: %w", err)
	}
	m := make(map[string]CatalogueEntry, len(entries))
	for _, e := range entries {
		if _, dup := m[e.ID]; dup {
			return nil, fmt.Errorf("requirements.yaml: %s listed twice", e.ID)
		}
		if !e.Level.valid() {
			return nil, fmt.Errorf("requirements.yaml: %s: bad level %q", e.ID, e.Level)
		}
		m[e.ID] = e
	}
	return m, nil
})

// Lookup returns the catalogue entry of a requirement ID.
func Lookup(id string) (CatalogueEntry, bool) {
	m, err := catalogue()
	if err != nil {
		return CatalogueEntry{}, false
	}
	e, ok := m[id]
	return e, ok
}

// Catalogue returns every catalogue entry, in file order.
func Catalogue() ([]CatalogueEntry, error) {
	var entries []CatalogueEntry
	if err := json.Unmarshal(mustJSON(catalogueYAML), &entries); err != nil {
		return nil, err
	}
	return entries, nil
}

func mustJSON(y []byte) []byte {
	j, err := yaml.YAMLToJSON(y)
	if err != nil {
		return []byte("null")
	}
	return j
}
