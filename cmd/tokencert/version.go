package main

import (
	"fmt"
	"io"

	"github.com/tokencert/tokencert/version"
)

// versionCmd prints the binary's version, commit and Go version.
func versionCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintf(stderr, "tokencert version: takes no arguments, got %q\n", args[0])
		return 2
	}
	b := version.Get()
	commit := b.Commit
	if commit == "" {
		commit = "unknown"
	}
	if b.Modified {
		commit += " (modified)"
	}
	fmt.Fprintf(stdout, "tokencert %s\ncommit %s\n%s\n", b.Version, commit, b.Go)
	return 0
}
