package reports

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"github.com/tokencert/tokencert/result"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// The files of a report bundle.
const (
	JUnitFile     = "junit.xml"
	JSONFile      = "report.json"
	HTMLFile      = "report.html"
	SummaryFile   = "summary.md"
	ManifestFile  = "MANIFEST.json"
	SignatureFile = "MANIFEST.sig"
)

// ManifestFormat names the manifest's layout; Verify refuses others.
const ManifestFormat = "tokencert-bundle/1"

// Manifest describes a bundle: what was certified, how, and the SHA-256 of
// every other file in it. MANIFEST.sig, when present, is the Ed25519
// signature of MANIFEST.json's exact bytes, in base64.
type Manifest struct {
	Format      string            `json:"format"`
	Tool        string            `json:"tool"`
	Spec        ManifestSpec      `json:"spec"`
	Schemas     map[string]string `json:"schemas"` // schema ref -> SHA-256
	Endpoint    string            `json:"endpoint"`
	Embedded    bool              `json:"embedded"`
	Fault       string            `json:"fault,omitempty"`
	Quirks      []string          `json:"quirks,omitempty"`
	Started     time.Time         `json:"started"`
	Finished    time.Time         `json:"finished"`
	LabelFilter string            `json:"label_filter"`
	Certify     bool              `json:"certify"`
	Strict      bool              `json:"strict"`
	FailOn      string            `json:"fail_on,omitempty"`
	Verdict     string            `json:"verdict"`
	ExitCode    int               `json:"exit_code"`
	Build       result.Build      `json:"build"`
	// Waivers are the run's waivers and what became of each; WaiversFile
	// names the file they came from.
	Waivers     []result.Waiver `json:"waivers,omitempty"`
	WaiversFile *result.File    `json:"waivers_file,omitempty"`
	Files       []FileDigest    `json:"files"`
	Signer      *Signer         `json:"signer,omitempty"`
}

// ManifestSpec identifies the spec a bundle certified against.
type ManifestSpec struct {
	Name     string `json:"name"`
	Document string `json:"document"`
	SHA256   string `json:"sha256"`
}

// FileDigest is one file of a bundle.
type FileDigest struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// Signer names the key that signed a bundle. The public key is there so a
// bundle can be checked as it is; only a key obtained apart from the
// bundle (verify --pub) says who signed it.
type Signer struct {
	Algorithm string `json:"algorithm"` // "ed25519"
	KeyID     string `json:"key_id"`
	PublicKey string `json:"public_key"` // base64 of the 32-byte key
}

// CompleteCertification reports whether the bundle records a complete
// certification run: --certify, no label filter, and not incomplete.
func (m *Manifest) CompleteCertification() bool {
	return m.Certify && m.LabelFilter == "" && m.Verdict != result.RunIncomplete
}

// newManifest describes the run and the named files of dir.
func newManifest(dir string, r *result.Run, files []string, key ed25519.PrivateKey) (*Manifest, error) {
	r = normalized(r)
	m := &Manifest{
		Format: ManifestFormat, Tool: r.Tool,
		Spec:     ManifestSpec{Name: r.Spec.Name, Document: r.Spec.Document, SHA256: r.Spec.SHA256},
		Schemas:  r.Schemas,
		Endpoint: r.Endpoint, Embedded: r.Embedded, Fault: r.Fault, Quirks: r.Quirks,
		Started: r.Started, Finished: r.Finished,
		LabelFilter: r.LabelFilter, Certify: r.Certify, Strict: r.Strict,
		FailOn: r.FailOn, Verdict: r.Verdict, ExitCode: r.ExitCode, Build: r.Build,
		Waivers: r.Waivers, WaiversFile: r.WaiversFile,
	}
	if m.Schemas == nil {
		m.Schemas = map[string]string{}
	}
	files = slices.Sorted(slices.Values(files))
	for _, name := range files {
		d, err := digestFile(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		d.Name = name
		m.Files = append(m.Files, d)
	}
	if key != nil {
		pub := key.Public().(ed25519.PublicKey)
		m.Signer = &Signer{Algorithm: "ed25519", KeyID: KeyID(pub), PublicKey: base64.StdEncoding.EncodeToString(pub)}
	}
	return m, nil
}

func (m *Manifest) marshal() ([]byte, error) {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

func digestFile(path string) (FileDigest, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return FileDigest{}, err
	}
	sum := sha256.Sum256(b)
	return FileDigest{SHA256: hex.EncodeToString(sum[:]), Size: int64(len(b))}, nil
}

// sign returns MANIFEST.sig's content for manifest bytes.
func sign(key ed25519.PrivateKey, manifest []byte) []byte {
	return []byte(base64.StdEncoding.EncodeToString(ed25519.Sign(key, manifest)) + "\n")
}

// parseSignature reads MANIFEST.sig's content.
func parseSignature(b []byte) ([]byte, bool) {
	sig, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	return sig, err == nil && len(sig) == ed25519.SignatureSize
}
