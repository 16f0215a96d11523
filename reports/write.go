package reports

import (
	"crypto/ed25519"
	"errors"
	"github.com/tokencert/tokencert/result"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteOptions configure Write.
type WriteOptions struct {
	// SignKey, when set, signs MANIFEST.json into MANIFEST.sig.
	SignKey ed25519.PrivateKey
	// Secrets are the run's raw secret values (client secrets, passwords,
	// tokens). Write scans every file it wrote for them (see Scan); a file
	// holding one is removed and Write returns a *LeakError. This is a
	// safety net: the Run should already be redacted.
	Secrets []string
	// SecretNames are the parameter and member names whose values are
	// secrets (redact.Redactor.Names): a weak secret (redact.Weak) counts
	// only as the value of one of them.
	SecretNames []string
}

// writer renders one report file.
type writer struct {
	name   string
	render func(*result.Run) ([]byte, error)
}

var writers = []writer{
	{JUnitFile, renderJUnit},
	{JSONFile, renderJSON},
	{HTMLFile, renderHTML},
	{SummaryFile, func(r *result.Run) ([]byte, error) { return renderSummary(r), nil }},
}

// Write writes the report bundle into dir, creating it: junit.xml,
// report.json, report.html, summary.md, then MANIFEST.json with their
// digests and, with a key, MANIFEST.sig. Files of an earlier bundle with
// those names are replaced; other files in dir are left alone (and verify
// will name them as extra). With o.Secrets, a file found holding one is
// removed and the error is a *LeakError; no manifest is written then.
func Write(dir string, r *result.Run, o WriteOptions) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	// A stale manifest or signature must not outlive the files it named.
	for _, name := range []string{ManifestFile, SignatureFile} {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	var names []string
	for _, w := range writers {
		b, err := w.render(r)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, w.name), b, 0o644); err != nil {
			return err
		}
		names = append(names, w.name)
	}
	if err := checkLeaks(dir, names, o); err != nil {
		return err
	}
	m, err := newManifest(dir, r, names, o.SignKey)
	if err != nil {
		return err
	}
	mb, err := m.marshal()
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, ManifestFile), mb, 0o644); err != nil {
		return err
	}
	if err := checkLeaks(dir, []string{ManifestFile}, o); err != nil {
		return err
	}
	if o.SignKey != nil {
		return os.WriteFile(filepath.Join(dir, SignatureFile), sign(o.SignKey, mb), 0o644)
	}
	return nil
}

// checkLeaks scans the named files of dir for secrets, removes those that
// hold one and reports them.
func checkLeaks(dir string, names []string, o WriteOptions) error {
	if len(o.Secrets) == 0 {
		return nil
	}
	paths := make([]string, len(names))
	for i, n := range names {
		paths[i] = filepath.Join(dir, n)
	}
	leaks, err := scanFiles(dir, paths, o.Secrets, o.SecretNames)
	if err != nil || len(leaks) == 0 {
		return err
	}
	for _, l := range leaks {
		if err := os.Remove(filepath.Join(dir, filepath.FromSlash(l.File))); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return &LeakError{Leaks: leaks}
}
