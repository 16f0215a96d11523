package main

import (
	"crypto/ed25519"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/tokencert/tokencert/reports"
)

// verifyHelp is 'tokencert verify --help'.
var verifyHelp = help{
	Usage: "verify [--pub FILE] DIR",
	About: "Recomputes the SHA-256 of every file of the report bundle in DIR against its MANIFEST.json, names any file " +
		"that changed, is missing or is extra, and checks MANIFEST.sig (against --pub when given). An intact bundle's " +
		"run is described, and whether it is a complete certification run; of a tampered bundle, nothing but what was " +
		"tampered with is said: its manifest cannot be trusted.",
	Exits:   []string{"0: intact", "1: TAMPERED, or no manifest", exitUsageLine},
	Example: "tokencert verify tokencert-report --pub vendor.pub",
}

// verifyCmd checks a report bundle's digests and signature. Exit 0: the
// bundle is intact; 1: something changed, is missing or extra, or the
// signature does not verify; 2: usage.
func verifyCmd(args []string, stdout, stderr io.Writer) int {
	fs := verifyHelp.flags("verify", stderr)
	pubPath := fs.String("pub", "", "public key the bundle must be signed with (from 'tokencert keygen')")
	// Flags after DIR too: tokencert verify DIR --pub FILE.
	dirs, err := verifyHelp.parse(fs, args, stdout)
	if err != nil {
		return exitOf(err)
	}
	if len(dirs) != 1 {
		return verifyHelp.usageError(stderr, "verify", "want one bundle directory, got %d", len(dirs))
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
	if !v.OK() {
		// What the manifest says of the run and its certification is
		// exactly what tampering could have changed.
		b.WriteString("  the bundle cannot be trusted: nothing in it, nor in its manifest, says anything about the run or a certification\n")
		fmt.Fprint(w, b.String())
		return
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
		for _, q := range m.Quirks {
			fmt.Fprintf(&b, ", quirk %s", q)
		}
		b.WriteString(", not a vendor's endpoint\n")
	}
	fmt.Fprint(w, b.String())
}
