package main

import (
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/tokencert/tokencert/reports"
)

// verifyCmd checks a report bundle's digests and signature. Exit 0: the
// bundle is intact; 1: something changed, is missing or extra, or the
// signature does not verify; 2: usage.
func verifyCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: tokencert verify [--pub FILE] DIR\n\n"+
			"Recomputes the SHA-256 of every file of the report bundle in DIR against its\n"+
			"MANIFEST.json, names any file that changed, is missing or is extra, checks\n"+
			"MANIFEST.sig, and says whether the bundle is a complete certification run.\n"+
			"Exit status: 0 intact, 1 tampered (or no manifest), 2 usage.\n\n")
		fs.PrintDefaults()
	}
	pubPath := fs.String("pub", "", "public key the bundle must be signed with (from 'tokencert keygen')")
	// Accept flags after DIR too: tokencert verify DIR --pub FILE.
	var dirs []string
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		dirs = append(dirs, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(dirs) != 1 {
		fmt.Fprintf(stderr, "tokencert verify: want one bundle directory, got %d\n", len(dirs))
		fs.Usage()
		return 2
	}
	dir := dirs[0]
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		fmt.Fprintf(stderr, "tokencert verify: %s is not a directory\n", dir)
		return 2
	}
	var trusted ed25519.PublicKey
	if *pubPath != "" {
		k, err := reports.LoadPublicKey(*pubPath)
		if err != nil {
			fmt.Fprintf(stderr, "tokencert verify: %v\n", err)
			return 2
		}
		trusted = k
	}
	v, err := reports.Verify(dir, trusted)
	if err != nil {
		fmt.Fprintf(stderr, "tokencert verify: %v\n", err)
		return 1
	}
	printVerification(stdout, dir, v)
	if !v.OK() {
		return 1
	}
	return 0
}

func printVerification(w io.Writer, dir string, v *reports.Verification) {
	var b strings.Builder
	if v.OK() {
		fmt.Fprintf(&b, "%s: OK\n", dir)
	} else {
		fmt.Fprintf(&b, "%s: TAMPERED\n", dir)
		for _, p := range v.Problems {
			fmt.Fprintf(&b, "  %s\n", p)
		}
	}
	m := v.Manifest
	if m == nil {
		fmt.Fprint(w, b.String())
		return
	}
	fmt.Fprintf(&b, "  files:     %d of %d match %s\n", len(v.Matched), len(m.Files), reports.ManifestFile)
	switch {
	case v.Signature == reports.Unsigned:
		b.WriteString("  signature: none (the bundle is not signed)\n")
	case v.Signature == reports.SignatureValid && v.Trusted:
		fmt.Fprintf(&b, "  signature: valid, by the given key %s\n", v.KeyID)
	case v.Signature == reports.SignatureValid:
		fmt.Fprintf(&b, "  signature: valid, by key %s named in the manifest; pass --pub to check who signed\n", v.KeyID)
	default:
		b.WriteString("  signature: INVALID\n")
	}
	fmt.Fprintf(&b, "  run:       %s, spec %s (sha256 %s) at %s\n", m.Tool, m.Spec.Name, m.Spec.SHA256, m.Endpoint)
	fmt.Fprintf(&b, "             %s to %s, verdict %s, exit code %d\n",
		m.Started.UTC().Format("2006-01-02 15:04:05 UTC"), m.Finished.UTC().Format("2006-01-02 15:04:05 UTC"), m.Verdict, m.ExitCode)
	switch {
	case m.CompleteCertification():
		b.WriteString("  certification: complete (--certify, no label filter: every check of the spec ran)\n")
	case m.Certify && m.LabelFilter != "":
		fmt.Fprintf(&b, "  certification: incomplete (label filter %q)\n", m.LabelFilter)
	case m.Certify:
		b.WriteString("  certification: incomplete (MUST-level checks could not run for want of target keys or flags)\n")
	case m.LabelFilter != "":
		fmt.Fprintf(&b, "  certification: no (not run with --certify; label filter %q)\n", m.LabelFilter)
	default:
		b.WriteString("  certification: no (not run with --certify)\n")
	}
	if m.Embedded {
		b.WriteString("  target:    the embedded reference server")
		if m.Fault != "" {
			fmt.Fprintf(&b, " with fault %s", m.Fault)
		}
		b.WriteString(", not a vendor's endpoint\n")
	}
	fmt.Fprint(w, b.String())
}
