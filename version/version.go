// Package version says which tokencert binary this is: its module version,
// the commit it was built from and the Go version, as the Go toolchain
// recorded them in the binary's build info.
package version

import (
	"runtime"
	"runtime/debug"

	"github.com/tokencert/tokencert/result"
)

// Devel is the version of a binary built without a module version (a test
// binary, or a build with VCS stamping off).
const Devel = "devel"

// Get returns this binary's version, commit and Go version.
func Get() result.Build {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return result.Build{Version: Devel, Go: runtime.Version()}
	}
	return fromBuildInfo(bi)
}

func fromBuildInfo(bi *debug.BuildInfo) result.Build {
	b := result.Build{Version: bi.Main.Version, Go: bi.GoVersion}
	if b.Version == "" || b.Version == "(devel)" {
		b.Version = Devel
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Commit = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

// Tool names the tool and its version, as reports and indexes record it.
func Tool() string { return "tokencert " + Get().Version }
