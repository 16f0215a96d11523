package main

import (
	"fmt"
	"io"
	"os"

	"github.com/tokencert/tokencert/reports"
)

// keygenHelp is 'tokencert keygen --help'.
var keygenHelp = help{
	Usage: "keygen [--out PREFIX]",
	About: "Writes an Ed25519 key pair for signing report bundles: PREFIX.key, the private key (PEM PKCS #8, mode 0600), " +
		"for 'tokencert run --sign-key', and PREFIX.pub, the public key (PEM), which 'tokencert verify --pub' checks " +
		"bundles with. Existing files are kept: keygen refuses to overwrite them.",
	Exits:   []string{"0: written", "1: a key file exists or cannot be written", exitUsageLine},
	Example: "tokencert keygen --out vendor    # vendor.key and vendor.pub",
}

// keygenCmd writes an Ed25519 key pair for signing report bundles.
func keygenCmd(args []string, stdout, stderr io.Writer) int {
	fs := keygenHelp.flags("keygen", stderr)
	out := fs.String("out", "tokencert", "path prefix of the key files")
	pos, err := keygenHelp.parse(fs, args, stdout)
	if err != nil {
		return exitOf(err)
	}
	if len(pos) > 0 {
		return keygenHelp.usageError(stderr, "keygen", "unexpected argument %q", pos[0])
	}
	keyPath, pubPath := *out+".key", *out+".pub"
	pub, key, err := reports.GenerateKey()
	if err != nil {
		fmt.Fprintf(stderr, "tokencert keygen: %v\n", err)
		return 1
	}
	kb, err := reports.MarshalPrivateKey(key)
	if err != nil {
		fmt.Fprintf(stderr, "tokencert keygen: %v\n", err)
		return 1
	}
	pb, err := reports.MarshalPublicKey(pub)
	if err != nil {
		fmt.Fprintf(stderr, "tokencert keygen: %v\n", err)
		return 1
	}
	for _, p := range []string{keyPath, pubPath} {
		if _, err := os.Lstat(p); err == nil {
			fmt.Fprintf(stderr, "tokencert keygen: %s exists; remove it or choose another --out\n", p)
			return 1
		}
	}
	if err := createFile(keyPath, kb, 0o600); err != nil {
		fmt.Fprintf(stderr, "tokencert keygen: %v\n", err)
		return 1
	}
	if err := createFile(pubPath, pb, 0o644); err != nil {
		os.Remove(keyPath)
		fmt.Fprintf(stderr, "tokencert keygen: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "key %s\n  private key %s (keep it secret; 'tokencert run --sign-key %s')\n  public key  %s (give it to whoever verifies: 'tokencert verify --pub %s DIR')\n",
		reports.KeyID(pub), keyPath, keyPath, pubPath, pubPath)
	return 0
}

// createFile writes a new file with the given mode, failing if it exists.
func createFile(path string, b []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if err := f.Chmod(mode); err != nil { // the umask may have narrowed or widened it
		f.Close()
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
