package reports

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Signature states of a verified bundle.
const (
	Unsigned         = "unsigned"
	SignatureValid   = "valid"
	SignatureInvalid = "invalid"
)

// Verification is what Verify found in a bundle.
type Verification struct {
	// Manifest is the bundle's manifest; nil when it is missing or unreadable.
	Manifest *Manifest
	// Matched, Changed and Missing name the manifest's files by what the
	// directory holds for them; Extra names files the manifest does not
	// list (directories end in "/").
	Matched, Changed, Missing, Extra []string
	// Signature is Unsigned, SignatureValid or SignatureInvalid.
	Signature string
	// KeyID names the key the signature was checked with.
	KeyID string
	// Trusted is true when that key is the one the caller gave, not only
	// the one the manifest carries.
	Trusted bool
	// Problems says, one line each, why the bundle cannot be trusted.
	Problems []string
}

// OK reports whether every file matches the manifest and the signature,
// if any (or if a key was given), verifies.
func (v *Verification) OK() bool { return len(v.Problems) == 0 }

// Complete reports whether the bundle records a complete certification run.
func (v *Verification) Complete() bool {
	return v.Manifest != nil && v.Manifest.CompleteCertification()
}

func (v *Verification) problem(format string, args ...any) {
	v.Problems = append(v.Problems, fmt.Sprintf(format, args...))
}

// Verify checks the bundle in dir against its MANIFEST.json: every listed
// file must exist with its SHA-256, no other file may be there, and
// MANIFEST.sig must be a valid Ed25519 signature of MANIFEST.json. With a
// trusted key, the bundle must be signed by that key; without one, a signed
// bundle is checked against the key its manifest carries, which proves
// integrity but not who signed. The error is for a directory that cannot
// be read; everything else is in the Verification.
func Verify(dir string, trusted ed25519.PublicKey) (*Verification, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	v := &Verification{Signature: Unsigned}
	mb, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if errors.Is(err, fs.ErrNotExist) {
		v.Missing = append(v.Missing, ManifestFile)
		v.problem("%s is missing: there is nothing to verify against", ManifestFile)
		return v, nil
	}
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(mb, &m); err != nil {
		v.problem("%s is not a manifest: %v", ManifestFile, err)
		return v, nil
	}
	if m.Format != ManifestFormat {
		v.problem("%s has format %q; this tokencert reads %q", ManifestFile, m.Format, ManifestFormat)
		return v, nil
	}
	v.Manifest = &m

	listed := map[string]bool{ManifestFile: true}
	for _, f := range m.Files {
		if !validName(f.Name) || listed[f.Name] {
			v.problem("%s lists %q, which cannot be a file of a bundle", ManifestFile, f.Name)
			continue
		}
		listed[f.Name] = true
		d, err := digestFile(filepath.Join(dir, f.Name))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			v.Missing = append(v.Missing, f.Name)
			v.problem("missing: %s", f.Name)
		case err != nil:
			return nil, err
		case d.SHA256 != f.SHA256 || d.Size != f.Size:
			v.Changed = append(v.Changed, f.Name)
			v.problem("changed: %s (SHA-256 %s, the manifest says %s)", f.Name, d.SHA256, f.SHA256)
		default:
			v.Matched = append(v.Matched, f.Name)
		}
	}
	if m.Signer != nil {
		listed[SignatureFile] = true
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() {
			name += "/"
		}
		if !listed[name] {
			v.Extra = append(v.Extra, name)
			if name == SignatureFile {
				v.problem("extra: %s, but %s names no signer", name, ManifestFile)
			} else {
				v.problem("extra: %s is not in %s", name, ManifestFile)
			}
		}
	}
	slices.Sort(v.Extra)
	v.checkSignature(dir, mb, trusted)
	return v, nil
}

func (v *Verification) checkSignature(dir string, manifest []byte, trusted ed25519.PublicKey) {
	m := v.Manifest
	if m.Signer == nil {
		if trusted != nil {
			v.problem("the bundle is not signed, but a key to check its signature was given")
		}
		return
	}
	v.Signature = SignatureInvalid
	raw, err := base64.StdEncoding.DecodeString(m.Signer.PublicKey)
	if err != nil || len(raw) != ed25519.PublicKeySize || m.Signer.Algorithm != "ed25519" {
		v.problem("%s names a signer that is not an Ed25519 key", ManifestFile)
		return
	}
	embedded := ed25519.PublicKey(raw)
	if m.Signer.KeyID != KeyID(embedded) {
		v.problem("%s: the signer's key_id %s does not name its key (%s)", ManifestFile, m.Signer.KeyID, KeyID(embedded))
	}
	key := embedded
	if trusted != nil {
		key, v.Trusted = trusted, true
		if !bytes.Equal(trusted, embedded) {
			v.problem("signed by key %s, not by the given key %s", KeyID(embedded), KeyID(trusted))
		}
	}
	v.KeyID = KeyID(key)
	sb, err := os.ReadFile(filepath.Join(dir, SignatureFile))
	if err != nil {
		v.Missing = append(v.Missing, SignatureFile)
		v.problem("missing: %s, but %s names signer %s", SignatureFile, ManifestFile, m.Signer.KeyID)
		return
	}
	sig, ok := parseSignature(sb)
	if !ok {
		v.problem("%s is not a base64 Ed25519 signature", SignatureFile)
		return
	}
	if !ed25519.Verify(key, manifest, sig) {
		v.problem("%s does not verify: %s was changed or signed by another key", SignatureFile, ManifestFile)
		return
	}
	v.Signature = SignatureValid
}

// validName accepts the plain file names a bundle holds.
func validName(name string) bool {
	return name != "" && name != "." && name != ".." && !strings.ContainsAny(name, `/\`) &&
		name != ManifestFile && name != SignatureFile
}
