package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/tokencert/tokencert/runner"
)

func runCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		o                                                          runner.Options
		t                                                          runner.TargetFile
		targetPath, secretEnv, passwordEnv, otherSecretEnv, grants string
	)
	var targets targetList
	fs.Var(&targets, "target", "target file (YAML; ${VAR} reads the environment); repeat it or name a directory to certify several, one bundle each")
	jobs := fs.Int("jobs", 2, "with several targets: how many are certified at once")
	fs.StringVar(&o.Spec, "spec", "", "built-in spec name or spec file (default: the target's, else rfc6749)")
	fs.StringVar(&t.Endpoint, "endpoint", "", "token endpoint URL (none: the embedded reference server)")
	fs.StringVar(&t.ClientID, "client-id", "", "client identifier")
	fs.StringVar(&secretEnv, "client-secret-env", "", "environment variable holding the client secret")
	fs.StringVar(&t.Username, "username", "", "resource-owner username (password grant)")
	fs.StringVar(&passwordEnv, "password-env", "", "environment variable holding the resource-owner password")
	fs.StringVar(&t.Scope, "scope", "", "scope to request (two or more values also probe refresh scope escalation)")
	fs.StringVar(&t.Audience, "audience", "", "audience parameter, for specs that require one")
	fs.StringVar(&grants, "grants", "", "comma-separated grants the client is registered for (default: all of the spec's)")
	fs.StringVar(&t.Resource, "resource", "", "protected-resource URL that accepts the access token (expiry checks)")
	fs.StringVar(&t.Introspection, "introspection", "", "RFC 7662 introspection endpoint URL (expiry checks)")
	fs.StringVar(&t.OtherClientID, "other-client-id", "", "a second client's identifier (refresh-token binding)")
	fs.StringVar(&otherSecretEnv, "other-client-secret-env", "", "environment variable holding the second client's secret")
	fs.DurationVar(&o.MaxWait, "max-wait", 0, "longest wait for a token to expire (default 2m)")
	fs.DurationVar(&o.Skew, "skew", 0, "clock skew allowed after expires_in (default 60s; 500ms for the embedded server)")
	fs.StringVar(&o.ReportDir, "report-dir", "tokencert-report", "where the report bundle is written")
	fs.StringVar(&o.LabelFilter, "label-filter", "", "Ginkgo label filter, e.g. 'MUST && errors'")
	fs.BoolVar(&o.Strict, "strict", false, "fail the run on SHOULD-level failures too")
	fs.BoolVar(&o.Certify, "certify", false, "certification run: every check of the spec (no --label-filter), recorded in the bundle")
	fs.StringVar(&o.SignKey, "sign-key", "", "Ed25519 private key file (tokencert keygen) that signs the bundle's MANIFEST.json")
	fs.BoolVar(&o.Verbose, "v", false, "print every check as it runs")
	fs.DurationVar(&o.RequestTimeout, "request-timeout", 10*time.Second, "timeout of one HTTP request")
	fs.DurationVar(&o.Deadline, "deadline", 30*time.Minute, "deadline of the whole run")
	fs.StringVar(&o.Fault, "fault", "", "embedded reference server only: inject this fault (see 'tokencert faults')")
	fs.DurationVar(&o.Lifetime, "lifetime", 0, "embedded reference server only: access-token lifetime (default: the spec's)")
	fs.DurationVar(&o.Latency, "latency", 0, "embedded reference server only: delay every response by this much")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "tokencert run: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if targets.many() {
		return runMany(fs, args, targets, *jobs, o.ReportDir, stdout, stderr)
	}
	if len(targets) == 1 {
		targetPath = targets[0]
	}
	if targetPath != "" {
		f, err := runner.LoadTarget(targetPath)
		if err != nil {
			fmt.Fprintf(stderr, "tokencert: %v\n", err)
			return 2
		}
		t = merge(*f, t)
	}
	for _, sec := range []struct {
		flag, env string
		dst       *string
	}{
		{"--client-secret-env", secretEnv, &t.ClientSecret},
		{"--password-env", passwordEnv, &t.Password},
		{"--other-client-secret-env", otherSecretEnv, &t.OtherClientSecret},
	} {
		if sec.env == "" {
			continue
		}
		v, ok := os.LookupEnv(sec.env)
		if !ok || v == "" {
			fmt.Fprintf(stderr, "tokencert: command line: %s: environment variable %s is not set or empty\n", sec.flag, sec.env)
			return 2
		}
		*sec.dst = v
	}
	if grants != "" {
		t.Grants = strings.Split(grants, ",")
	}
	o.Target, o.Stdout, o.Stderr = t, stdout, stderr
	return runner.Run(o)
}

// merge overlays the flags that were set on the target file's keys.
func merge(file, flags runner.TargetFile) runner.TargetFile {
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&file.Endpoint, flags.Endpoint)
	set(&file.ClientID, flags.ClientID)
	set(&file.Username, flags.Username)
	set(&file.Scope, flags.Scope)
	set(&file.Audience, flags.Audience)
	set(&file.Resource, flags.Resource)
	set(&file.Introspection, flags.Introspection)
	set(&file.OtherClientID, flags.OtherClientID)
	return file
}
