package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokencert/tokencert/reports"
)

func TestKeygenWritesAKeyPair(t *testing.T) {
	prefix := filepath.Join(t.TempDir(), "signer")
	var stdout, stderr bytes.Buffer
	if code := keygenCmd([]string{"--out", prefix}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	st, err := os.Stat(prefix + ".key")
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("private key mode %v, want 0600", st.Mode().Perm())
	}
	key, err := reports.LoadPrivateKey(prefix + ".key")
	if err != nil {
		t.Fatal(err)
	}
	pub, err := reports.LoadPublicKey(prefix + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	if !pub.Equal(key.Public()) {
		t.Error("the public key is not the private key's")
	}
	if !strings.Contains(stdout.String(), reports.KeyID(pub)) {
		t.Errorf("stdout does not name the key:\n%s", stdout.String())
	}

	// A second run keeps the existing keys.
	before, _ := os.ReadFile(prefix + ".key")
	stdout.Reset()
	stderr.Reset()
	if code := keygenCmd([]string{"--out", prefix}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "exists") {
		t.Errorf("overwrite: exit %d, %s", code, stderr.String())
	}
	if after, _ := os.ReadFile(prefix + ".key"); !bytes.Equal(before, after) {
		t.Error("the private key was overwritten")
	}
}

func TestKeygenUsage(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := keygenCmd([]string{"extra"}, &stdout, &stderr); code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	if code := keygenCmd([]string{"--nope"}, &stdout, &stderr); code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
}
