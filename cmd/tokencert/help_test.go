package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestEveryCommandHelps: every command answers --help (and -h, and
// 'tokencert help COMMAND') on stdout with exit 0: its usage line, a
// paragraph saying what it does, its flags, its exit codes and an example
// of it; a bad flag gets the usage line on stderr and exit 2.
func TestEveryCommandHelps(t *testing.T) {
	for _, c := range commands {
		for _, args := range [][]string{{c.name, "--help"}, {c.name, "-h"}, {"help", c.name}} {
			var stdout, stderr bytes.Buffer
			if exit := cli(args, &stdout, &stderr); exit != 0 || stderr.Len() > 0 {
				t.Errorf("tokencert %s: exit %d, stderr %q", strings.Join(args, " "), exit, stderr.String())
				continue
			}
			out := stdout.String()
			about, _, _ := strings.Cut(strings.TrimPrefix(out, "usage: tokencert "+c.help.Usage+"\n\n"), "\n\n")
			for what, ok := range map[string]bool{
				"the usage line first":       strings.HasPrefix(out, "usage: tokencert "+c.name),
				"a paragraph of a sentence+": len(strings.Fields(about)) >= 15 && strings.HasSuffix(about, "."),
				"its flags":                  strings.Contains(out, "\nFlags:\n  -") || !strings.Contains(c.help.Usage, "-"),
				"its exit codes":             strings.Contains(out, "\nExit codes:\n  ") && strings.Contains(out, "2: "),
				"an example":                 strings.Contains(out, "\nExample:\n  tokencert "+c.name),
			} {
				if !ok {
					t.Errorf("tokencert %s lacks %s:\n%s", strings.Join(args, " "), what, out)
				}
			}
		}
		var stdout, stderr bytes.Buffer
		if exit := cli([]string{c.name, "--no-such-flag"}, &stdout, &stderr); exit != 2 || !strings.Contains(stderr.String(), "usage: tokencert "+c.name) || stdout.Len() > 0 {
			t.Errorf("tokencert %s --no-such-flag: exit %d, stderr %q, stdout %q", c.name, exit, stderr.String(), stdout.String())
		}
	}
	var stdout, stderr bytes.Buffer
	if exit := cli([]string{"--version"}, &stdout, &stderr); exit != 0 || !strings.HasPrefix(stdout.String(), "tokencert ") {
		t.Errorf("tokencert --version: exit %d, %q %q", exit, stdout.String(), stderr.String())
	}
}
