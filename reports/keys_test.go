package reports

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestKeyFormats(t *testing.T) {
	pub, key, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	kp, err := MarshalPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	pp, err := MarshalPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(kp, []byte("-----BEGIN PRIVATE KEY-----\n")) || !bytes.HasPrefix(pp, []byte("-----BEGIN PUBLIC KEY-----\n")) {
		t.Fatalf("PEM:\n%s%s", kp, pp)
	}
	for name, in := range map[string][]byte{
		"pem":         kp,
		"base64 seed": []byte(base64.StdEncoding.EncodeToString(key.Seed()) + "\n"),
		"base64 key":  []byte(base64.StdEncoding.EncodeToString(key)),
	} {
		got, err := ParsePrivateKey(in)
		if err != nil || !got.Equal(key) {
			t.Errorf("private key from %s: %v", name, err)
		}
	}
	for name, in := range map[string][]byte{"pem": pp, "base64": []byte(base64.StdEncoding.EncodeToString(pub))} {
		got, err := ParsePublicKey(in)
		if err != nil || !got.Equal(pub) {
			t.Errorf("public key from %s: %v", name, err)
		}
	}
	for name, in := range map[string][]byte{
		"public as private": pp,
		"garbage":           []byte("not a key"),
		"short base64":      []byte(base64.StdEncoding.EncodeToString([]byte("short"))),
		"mismatched halves": []byte(base64.StdEncoding.EncodeToString(append(key.Seed(), make([]byte, 32)...))),
	} {
		if _, err := ParsePrivateKey(in); err == nil {
			t.Errorf("private key from %s accepted", name)
		}
	}
	if _, err := ParsePublicKey(kp); err == nil {
		t.Error("private PEM accepted as a public key")
	}
	if id := KeyID(pub); !strings.HasPrefix(id, "ed25519:") || len(id) != len("ed25519:")+16 {
		t.Errorf("key ID %q", id)
	}
}

func TestLoadKeys(t *testing.T) {
	pub, key, _ := GenerateKey()
	dir := t.TempDir()
	kp, _ := MarshalPrivateKey(key)
	pp, _ := MarshalPublicKey(pub)
	os.WriteFile(filepath.Join(dir, "k"), kp, 0o600)
	os.WriteFile(filepath.Join(dir, "k.pub"), pp, 0o644)
	if k, err := LoadPrivateKey(filepath.Join(dir, "k")); err != nil || !k.Equal(key) {
		t.Errorf("LoadPrivateKey: %v", err)
	}
	if p, err := LoadPublicKey(filepath.Join(dir, "k.pub")); err != nil || !p.Equal(pub) {
		t.Errorf("LoadPublicKey: %v", err)
	}
	if _, err := LoadPrivateKey(filepath.Join(dir, "k.pub")); err == nil || !strings.Contains(err.Error(), "k.pub: not an Ed25519 private key") {
		t.Errorf("LoadPrivateKey of a public key: %v", err)
	}
	var _ ed25519.PublicKey = pub
}
