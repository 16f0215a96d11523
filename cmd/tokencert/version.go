package main

import (
	"fmt"
	"io"

	"github.com/tokencert/tokencert/version"
)

// versionHelp is 'tokencert version --help'.
var versionHelp = help{
	Usage: "version",
	About: "Prints the version of this binary, the commit it was built from (\"(modified)\" when the work tree had " +
		"changes) and its Go version, from the binary's build info; every bundle's report.json and MANIFEST.json record " +
		"the same under build. 'tokencert --version' prints the same.",
	Exits:   []string{"0: printed", exitUsageLine},
	Example: "tokencert version",
}

// versionCmd prints the binary's version, commit and Go version.
func versionCmd(args []string, stdout, stderr io.Writer) int {
	fs := versionHelp.flags("version", stderr)
	pos, err := versionHelp.parse(fs, args, stdout)
	if err != nil {
		return exitOf(err)
	}
	if len(pos) > 0 {
		return versionHelp.usageError(stderr, "version", "takes no argument, got %q", pos[0])
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
