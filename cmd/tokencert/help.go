package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// help is what 'tokencert COMMAND --help' prints: how the command is
// called, what it does in one paragraph, its flags (from its FlagSet),
// its exit codes and an example. Each command declares its own.
type help struct {
	// Usage follows "usage: tokencert ".
	Usage string
	// About says what the command does, in one paragraph.
	About string
	// Exits are the exit codes, "0: …" one an entry.
	Exits []string
	// Example is a command line (and, after #, what it does).
	Example string
}

// write prints the help, with the flags fs defines.
func (h help) write(w io.Writer, fs *flag.FlagSet) {
	var b strings.Builder
	fmt.Fprintf(&b, "usage: tokencert %s\n\n%s\n", h.Usage, wrap(h.About, 78))
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		b.WriteString("\nFlags:\n")
		out := fs.Output()
		fs.SetOutput(&b)
		fs.PrintDefaults()
		fs.SetOutput(out)
	}
	b.WriteString("\nExit codes:\n")
	for _, e := range h.Exits {
		fmt.Fprintf(&b, "  %s\n", e)
	}
	fmt.Fprintf(&b, "\nExample:\n  %s\n", h.Example)
	fmt.Fprint(w, b.String())
}

// wrap breaks s into lines of at most width characters, at spaces.
func wrap(s string, width int) string {
	var b strings.Builder
	line := 0
	for i, word := range strings.Fields(s) {
		switch {
		case i == 0:
		case line+1+len([]rune(word)) > width:
			b.WriteString("\n")
			line = 0
		default:
			b.WriteString(" ")
			line++
		}
		b.WriteString(word)
		line += len([]rune(word))
	}
	return b.String()
}

// flags returns the command's FlagSet, its errors going to stderr; parse
// prints the help, or the usage line.
func (h help) flags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {}
	return fs
}

// usageError prints a problem with the command line, the usage line and
// where to read more to stderr, and returns the usage exit code.
func (h help) usageError(stderr io.Writer, name, format string, args ...any) int {
	fmt.Fprintf(stderr, "tokencert %s: %s\n", name, fmt.Sprintf(format, args...))
	h.shortUsage(stderr, name)
	return 2
}

func (h help) shortUsage(w io.Writer, name string) {
	fmt.Fprintf(w, "usage: tokencert %s\n'tokencert %s --help' says more.\n", h.Usage, name)
}

// errHelp: the arguments asked for help, which was printed.
var errHelp = errors.New("help printed")

// parse parses args with fs, flags before, between and after the
// positional arguments, which it returns. On -h or --help it prints the
// help to stdout and returns errHelp; on a bad flag, the flag package's
// message and the usage line to stderr, and that error.
func (h help) parse(fs *flag.FlagSet, args []string, stdout io.Writer) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				h.write(stdout, fs)
				return nil, errHelp
			}
			h.shortUsage(fs.Output(), fs.Name())
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// exitOf is the exit code after parse failed: 0 when it printed the help,
// 2 (usage) for a bad flag.
func exitOf(err error) int {
	if errors.Is(err, errHelp) {
		return 0
	}
	return 2
}

// exitUsageLine is the exit code every command shares.
const exitUsageLine = "2: usage: a bad flag or argument"
