package specs

import (
	_ "embed"
	"fmt"
	"slices"
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

// catalogueData is requirements.yaml, parsed and checked once: its
// entries in file order and by ID.
type catalogueData struct {
	entries []CatalogueEntry
	byID    map[string]CatalogueEntry
}

var catalogue = sync.OnceValues(func() (*catalogueData, error) {
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
	return &catalogueData{entries: entries, byID: m}, nil
})

// Lookup returns the catalogue entry of a requirement ID. It reports false
// for every ID if the catalogue did not load, which TestCatalogueLoads
// rules out for the embedded one; Catalogue returns that error.
func Lookup(id string) (CatalogueEntry, bool) {
	c, err := catalogue()
	if err != nil {
		return CatalogueEntry{}, false
	}
	e, ok := c.byID[id]
	return e, ok
}

// Catalogue returns every catalogue entry, in file order, or why the
// catalogue did not load.
func Catalogue() ([]CatalogueEntry, error) {
	c, err := catalogue()
	if err != nil {
		return nil, err
	}
	return slices.Clone(c.entries), nil
}
