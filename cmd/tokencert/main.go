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
	run           func(args []string, stdout, stderr io.Writer) int
}

var commands = []command{
	{"run", "certify an endpoint (the embedded reference server when no endpoint is given)", runCmd},
	{"serve", "run the reference token server in the foreground", serveCmd},
	{"specs", "list the built-in endpoint specs", specsCmd},
	{"lint", "check spec files without sending a request: format, requirements, checks, schemas, what the reference server models", lintCmd},
	{"faults", "list the reference server's injectable faults and the requirement each breaks", faultsCmd},
	{"keygen", "write an Ed25519 key pair for signing report bundles", keygenCmd},
	{"verify", "check a report bundle's digests and signature", verifyCmd},
	{"diff", "say what changed between two runs (bundles or report.json files)", diffCmd},
	{"merge", "combine the indexes of several runs (a fleet's shards) into one", mergeCmd},
	{"derive", "write a draft spec, its schemas and notes from a token API's document", deriveCmd},
	{"version", "print the version, commit and Go version of this binary", versionCmd},
}

func main() { os.Exit(cli(os.Args[1:], os.Stdout, os.Stderr)) }

func cli(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		if len(args) == 0 {
			return 2
		}
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
	b.WriteString("usage: tokencert COMMAND [flags]\n\ncommands:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-8s %s\n", c.name, c.summary)
	}
	b.WriteString("\n'tokencert COMMAND -h' describes a command's flags.\n")
	fmt.Fprint(w, b.String())
}
