package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/tokencert/tokencert/reports"
)

// keygenCmd writes an Ed25519 key pair for signing report bundles.
func keygenCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("keygen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: tokencert keygen [--out PREFIX]\n\n"+
			"Writes an Ed25519 key pair for 'tokencert run --sign-key': PREFIX.key, the\n"+
			"private key (PEM PKCS #8, mode 0600), and PREFIX.pub, the public key (PEM)\n"+
			"that 'tokencert verify --pub' checks bundles with. Existing files are kept.\n\n")
		fs.PrintDefaults()
	}
	out := fs.String("out", "tokencert", "path prefix of the key files")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "tokencert keygen: unexpected argument %q\n", fs.Arg(0))
		return 2
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
