// Command tokencert certifies OAuth2-style token endpoints against the
// specs of their documents, and serves the reference token server.
package main

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// command is one subcommand.
type command struct {
	name, summary string
	help          *help
	run           func(args []string, stdout, stderr io.Writer) int
}

var commands = []command{
	{"run", "certify an endpoint (the embedded reference server when no endpoint is given)", &runHelp, runCmd},
	{"serve", "run the reference token server in the foreground", &serveHelp, serveCmd},
	{"specs", "list the built-in endpoint specs", &specsHelp, specsCmd},
	{"lint", "check spec files without sending a request: format, requirements, checks, schemas, what the reference server models", &lintHelp, lintCmd},
	{"faults", "list the reference server's injectable faults, the requirement each breaks and its level", &faultsHelp, faultsCmd},
	{"keygen", "write an Ed25519 key pair for signing report bundles", &keygenHelp, keygenCmd},
	{"verify", "check a report bundle's digests and signature", &verifyHelp, verifyCmd},
	{"diff", "say what changed between two runs (bundles or report.json files)", &diffHelp, diffCmd},
	{"merge", "combine the indexes of several runs (a fleet's shards) into one", &mergeHelp, mergeCmd},
	{"derive", "write a draft spec, its schemas and notes from a token API's document", &deriveHelp, deriveCmd},
	{"version", "print the version, commit and Go version of this binary", &versionHelp, versionCmd},
}

func main() { os.Exit(cli(os.Args[1:], os.Stdout, os.Stderr)) }

func cli(args []string, stdout, stderr io.Writer) int {
	switch {
	case len(args) == 0:
		usage(stderr)
		return 2
	case args[0] == "-h" || args[0] == "--help" || args[0] == "-help":
		usage(stdout)
		return 0
	case args[0] == "--version" || args[0] == "-version":
		return versionCmd(args[1:], stdout, stderr)
	case args[0] == "help" && len(args) == 2:
		// tokencert help COMMAND is tokencert COMMAND --help.
		args = []string{args[1], "--help"}
	case args[0] == "help":
		usage(stdout)
		return 0
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "tokencert: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	var b strings.Builder
	b.WriteString("usage: tokencert COMMAND [flags]\n\n" +
		"tokencert certifies OAuth2-style token endpoints against the spec of their API's document\n" +
		"and writes a report bundle (report.html, report.json, junit.xml, summary.md, MANIFEST.json).\n\ncommands:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-8s %s\n", c.name, c.summary)
	}
	b.WriteString("\n'tokencert COMMAND --help' describes a command: its flags, exit codes and an example.\n" +
		"'tokencert --version' prints the version.\n")
	fmt.Fprint(w, b.String())
}
