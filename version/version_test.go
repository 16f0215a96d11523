package version

import (
	"runtime/debug"
	"testing"
)

func TestFromBuildInfo(t *testing.T) {
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/tokencert/tokencert", Version: "v1.2.3"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef"}, {Key: "vcs.modified", Value: "true"}}}
	if b := fromBuildInfo(bi); b.Version != "v1.2.3" || b.Commit != "0123456789abcdef" || !b.Modified || b.Go != "go1.26.8" {
		t.Errorf("got %+v", b)
	}
	bi = &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}}
	if b := fromBuildInfo(bi); b.Version != Devel || b.Commit != "" || b.Modified {
		t.Errorf("got %+v", b)
	}
	if b := Get(); b.Go == "" || b.Version == "" {
		t.Errorf("this test binary: %+v", b)
	}
}
