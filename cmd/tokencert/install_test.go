package main

import (
	"os"
	"strings"
	"testing"

	"golang.org/x/mod/modfile"
)

// TestInstallPath: 'go install MODULE/cmd/tokencert@latest', as the README
// says, needs this module path and no replace directive (go install
// refuses a module that has one).
func TestInstallPath(t *testing.T) {
	b, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	f, err := modfile.Parse("go.mod", b, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Replace) > 0 || len(f.Exclude) > 0 {
		t.Errorf("go.mod has replace or exclude directives: go install …@latest refuses such a module")
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	want := "go install " + f.Module.Mod.Path + "/cmd/tokencert@latest"
	if !strings.Contains(string(readme), want) {
		t.Errorf("README.md does not say %q", want)
	}
}
