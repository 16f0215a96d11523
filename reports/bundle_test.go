package reports

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"github.com/tokencert/tokencert/result"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func writeSample(t *testing.T, o WriteOptions) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "bundle")
	if err := Write(dir, sampleRun(), o); err != nil {
		t.Fatal(err)
	}
	return dir
}

func readManifest(t *testing.T, dir string) Manifest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestManifestDescribesTheBundle(t *testing.T) {
	dir := writeSample(t, WriteOptions{})
	m := readManifest(t, dir)
	r := sampleRun()
	if m.Format != ManifestFormat || m.Tool != r.Tool || m.Spec.Name != "rfc6749" || m.Spec.SHA256 != r.Spec.SHA256 ||
		m.Endpoint != r.Endpoint || !m.Started.Equal(r.Started) || !m.Finished.Equal(r.Finished) || m.LabelFilter != "" ||
		m.Certify || m.Verdict != result.RunFail || m.ExitCode != 1 || m.Signer != nil || len(m.Schemas) != 2 {
		t.Errorf("manifest %+v", m)
	}
	var names []string
	for _, f := range m.Files {
		names = append(names, f.Name)
		b, err := os.ReadFile(filepath.Join(dir, f.Name))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		if f.SHA256 != hex.EncodeToString(sum[:]) || f.Size != int64(len(b)) {
			t.Errorf("%s: digest %s size %d", f.Name, f.SHA256, f.Size)
		}
	}
	if want := []string{JUnitFile, JSONFile, HTMLFile, SummaryFile}; !slices.Equal(names, slices.Sorted(slices.Values(want))) {
		t.Errorf("files %v", names)
	}
	if _, err := os.Stat(filepath.Join(dir, SignatureFile)); err == nil {
		t.Error("unsigned bundle has a signature")
	}
	b, _ := os.ReadFile(filepath.Join(dir, ManifestFile))
	if !bytes.Contains(b, []byte(`"label_filter": ""`)) || !bytes.Contains(b, []byte(`"certify": false`)) {
		t.Errorf("the manifest must state label filter and certify even when empty:\n%s", b)
	}
}

func TestBundleIsDeterministic(t *testing.T) {
	a, b := writeSample(t, WriteOptions{}), writeSample(t, WriteOptions{})
	for _, name := range []string{JUnitFile, JSONFile, HTMLFile, SummaryFile, ManifestFile} {
		x, _ := os.ReadFile(filepath.Join(a, name))
		y, _ := os.ReadFile(filepath.Join(b, name))
		if len(x) == 0 || !bytes.Equal(x, y) {
			t.Errorf("%s differs between two writes of one run", name)
		}
	}
}

func TestRewriteRemovesStaleSignature(t *testing.T) {
	_, key, _ := GenerateKey()
	dir := writeSample(t, WriteOptions{SignKey: key})
	if err := Write(dir, sampleRun(), WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	v, err := Verify(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !v.OK() || v.Signature != Unsigned {
		t.Errorf("rewritten unsigned bundle: %v %s", v.Problems, v.Signature)
	}
}

func TestVerifySignedBundle(t *testing.T) {
	pub, key, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	dir := writeSample(t, WriteOptions{SignKey: key})
	m := readManifest(t, dir)
	if m.Signer == nil || m.Signer.KeyID != KeyID(pub) || m.Signer.PublicKey != base64.StdEncoding.EncodeToString(pub) {
		t.Fatalf("signer %+v", m.Signer)
	}
	for _, trusted := range []ed25519.PublicKey{nil, pub} {
		v, err := Verify(dir, trusted)
		if err != nil {
			t.Fatal(err)
		}
		if !v.OK() || v.Signature != SignatureValid || v.KeyID != KeyID(pub) || v.Trusted != (trusted != nil) || len(v.Matched) != 4 {
			t.Errorf("trusted=%v: %+v", trusted != nil, v)
		}
		if v.Complete() {
			t.Error("a run without --certify counts as a complete certification")
		}
	}
	other, _, _ := GenerateKey()
	v, _ := Verify(dir, other)
	if v.OK() || v.Signature != SignatureInvalid || !strings.Contains(strings.Join(v.Problems, "\n"), "not by the given key") {
		t.Errorf("another key: %+v", v)
	}
}

// TestSignatureVerifiesWithOpenSSL checks the key and signature formats
// against an independent implementation.
func TestSignatureVerifiesWithOpenSSL(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed")
	}
	pub, key, _ := GenerateKey()
	dir := writeSample(t, WriteOptions{SignKey: key})
	tmp := t.TempDir()
	pb, _ := MarshalPublicKey(pub)
	sb, _ := os.ReadFile(filepath.Join(dir, SignatureFile))
	sig, ok := parseSignature(sb)
	if !ok {
		t.Fatal("bad signature file")
	}
	os.WriteFile(filepath.Join(tmp, "key.pub"), pb, 0o644)
	os.WriteFile(filepath.Join(tmp, "sig.bin"), sig, 0o644)
	out, err := exec.Command(openssl, "pkeyutl", "-verify", "-pubin", "-inkey", filepath.Join(tmp, "key.pub"), "-rawin",
		"-in", filepath.Join(dir, ManifestFile), "-sigfile", filepath.Join(tmp, "sig.bin")).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Signature Verified Successfully") {
		t.Errorf("openssl: %v\n%s", err, out)
	}
}

func TestVerifyNamesTampering(t *testing.T) {
	pub, key, _ := GenerateKey()
	for _, c := range []struct {
		name    string
		tamper  func(dir string)
		changed []string
		missing []string
		extra   []string
		sig     string
	}{
		{name: "changed file", tamper: func(dir string) { appendTo(dir, HTMLFile, "<!-- edited -->") },
			changed: []string{HTMLFile}, sig: SignatureValid},
		{name: "missing file", tamper: func(dir string) { os.Remove(filepath.Join(dir, SummaryFile)) },
			missing: []string{SummaryFile}, sig: SignatureValid},
		{name: "extra file", tamper: func(dir string) { os.WriteFile(filepath.Join(dir, "fixed.html"), nil, 0o644) },
			extra: []string{"fixed.html"}, sig: SignatureValid},
		{name: "extra directory", tamper: func(dir string) { os.Mkdir(filepath.Join(dir, "more"), 0o755) },
			extra: []string{"more/"}, sig: SignatureValid},
		{name: "manifest edited", tamper: func(dir string) {
			b, _ := os.ReadFile(filepath.Join(dir, ManifestFile))
			os.WriteFile(filepath.Join(dir, ManifestFile), bytes.Replace(b, []byte(`"certify": false`), []byte(`"certify": true`), 1), 0o644)
		}, sig: SignatureInvalid},
		{name: "digest and file edited together", tamper: func(dir string) {
			appendTo(dir, JSONFile, " ")
			b, _ := os.ReadFile(filepath.Join(dir, JSONFile))
			sum := sha256.Sum256(b)
			m := readManifestRaw(dir)
			for i := range m.Files {
				if m.Files[i].Name == JSONFile {
					m.Files[i].SHA256, m.Files[i].Size = hex.EncodeToString(sum[:]), int64(len(b))
				}
			}
			mb, _ := m.marshal()
			os.WriteFile(filepath.Join(dir, ManifestFile), mb, 0o644)
		}, sig: SignatureInvalid},
		{name: "signature removed", tamper: func(dir string) { os.Remove(filepath.Join(dir, SignatureFile)) },
			missing: []string{SignatureFile}, sig: SignatureInvalid},
		{name: "signature garbled", tamper: func(dir string) { os.WriteFile(filepath.Join(dir, SignatureFile), []byte("AAAA\n"), 0o644) },
			sig: SignatureInvalid},
		{name: "re-signed with another key", tamper: func(dir string) {
			_, k2, _ := GenerateKey()
			m := readManifestRaw(dir)
			p2 := k2.Public().(ed25519.PublicKey)
			m.Signer = &Signer{Algorithm: "ed25519", KeyID: KeyID(p2), PublicKey: base64.StdEncoding.EncodeToString(p2)}
			mb, _ := m.marshal()
			os.WriteFile(filepath.Join(dir, ManifestFile), mb, 0o644)
			os.WriteFile(filepath.Join(dir, SignatureFile), sign(k2, mb), 0o644)
		}, sig: SignatureInvalid},
		{name: "manifest removed", tamper: func(dir string) { os.Remove(filepath.Join(dir, ManifestFile)) },
			missing: []string{ManifestFile}, sig: Unsigned},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := writeSample(t, WriteOptions{SignKey: key})
			c.tamper(dir)
			v, err := Verify(dir, pub)
			if err != nil {
				t.Fatal(err)
			}
			if v.OK() {
				t.Fatal("tampering not detected")
			}
			if !slices.Equal(v.Changed, c.changed) || !slices.Equal(v.Missing, c.missing) || !slices.Equal(v.Extra, c.extra) || v.Signature != c.sig {
				t.Errorf("changed %v missing %v extra %v signature %s; problems:\n%s", v.Changed, v.Missing, v.Extra, v.Signature, strings.Join(v.Problems, "\n"))
			}
		})
	}
}

func TestVerifyUnsigned(t *testing.T) {
	dir := writeSample(t, WriteOptions{})
	v, err := Verify(dir, nil)
	if err != nil || !v.OK() || v.Signature != Unsigned {
		t.Fatalf("%v %+v", err, v)
	}
	pub, _, _ := GenerateKey()
	if v, _ := Verify(dir, pub); v.OK() {
		t.Error("an unsigned bundle passes when a key is required")
	}
	os.WriteFile(filepath.Join(dir, SignatureFile), []byte("AAAA\n"), 0o644)
	if v, _ := Verify(dir, nil); v.OK() || !slices.Equal(v.Extra, []string{SignatureFile}) {
		t.Errorf("a signature the manifest does not announce: %+v", v)
	}
	if _, err := Verify(filepath.Join(dir, "nope"), nil); err == nil {
		t.Error("no error for a missing directory")
	}
}

func TestVerifyRejectsPathsInManifest(t *testing.T) {
	dir := writeSample(t, WriteOptions{})
	m := readManifestRaw(dir)
	m.Files = append(m.Files, FileDigest{Name: "../outside", SHA256: "00"})
	mb, _ := m.marshal()
	os.WriteFile(filepath.Join(dir, ManifestFile), mb, 0o644)
	v, _ := Verify(dir, nil)
	if v.OK() || !strings.Contains(strings.Join(v.Problems, "\n"), `"../outside"`) {
		t.Errorf("%+v", v)
	}
}

func TestCompleteCertification(t *testing.T) {
	for _, c := range []struct {
		certify bool
		filter  string
		want    bool
	}{{true, "", true}, {true, "MUST", false}, {false, "", false}} {
		r := sampleRun()
		r.Certify, r.LabelFilter = c.certify, c.filter
		dir := filepath.Join(t.TempDir(), "b")
		if err := Write(dir, r, WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		v, _ := Verify(dir, nil)
		if v.Complete() != c.want || r.CompleteCertification() != c.want {
			t.Errorf("certify=%v filter=%q: complete=%v", c.certify, c.filter, v.Complete())
		}
	}
}

func appendTo(dir, name, s string) {
	f, err := os.OpenFile(filepath.Join(dir, name), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		panic(err)
	}
	f.WriteString(s)
	f.Close()
}

func readManifestRaw(dir string) *Manifest {
	b, _ := os.ReadFile(filepath.Join(dir, ManifestFile))
	var m Manifest
	json.Unmarshal(b, &m)
	return &m
}
