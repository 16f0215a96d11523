package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/tokencert/tokencert/refserver"
	model "github.com/tokencert/tokencert/result"
	"github.com/tokencert/tokencert/runner"
	"github.com/tokencert/tokencert/shard"
	"github.com/tokencert/tokencert/target"
)

// runHelp is 'tokencert run --help'.
var runHelp = help{
	Usage: "run [--target FILE|DIR]... [flags]",
	About: "Certifies a token endpoint against a spec: runs the spec's checks against the endpoint the target file and flags name " +
		"(the embedded reference server when they name none), prints the failed checks, the counts by level and the verdict, " +
		"and writes the report bundle (report.html, report.json, junit.xml, summary.md, MANIFEST.json) into --report-dir. " +
		"Flags win over the target file's keys of the same name. With several targets (--target repeated, or a directory) " +
		"each is certified in a process of its own, --jobs at a time, and index.json, index.md and index.html list them.",
	Exits: []string{
		"0: PASS: every MUST-level check passed",
		"1: FAIL: a MUST-level check failed (any check with --strict), or a waiver expired",
		"2: a bad flag, spec or target file: nothing was sent",
		"3: UNREACHABLE: the endpoint could not be reached",
		"4: INCOMPLETE: no MUST failed, but MUST-level checks could not run for want of a target key or flag (the report names them)",
	},
	Example: "tokencert run --target target.yaml --report-dir out    # certify the endpoint target.yaml names",
}

func runCmd(args []string, stdout, stderr io.Writer) int {
	fs := runHelp.flags("run", stderr)
	var (
		o                                                          runner.Options
		t                                                          target.Target
		targetPath, secretEnv, passwordEnv, otherSecretEnv, grants string
	)
	params := paramFlag{}
	fs.Var(params, "param", "NAME=VALUE: a value the API asks for beyond RFC 6749 (a {NAME} of the endpoint URL, or a request parameter); repeatable, wins over the target's params")
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
	fs.DurationVar(&o.Skew, "skew", 0, "time allowed after a token's expires_in before it must be refused (target key skew; default: estimated from the endpoints' Date headers, 1s plus what they leave unknown of the clocks; 500ms for the embedded server)")
	fs.StringVar(&o.ReportDir, "report-dir", "tokencert-report", "where the report bundle is written")
	fs.StringVar(&o.LabelFilter, "label-filter", "", "Ginkgo label filter, e.g. 'MUST && errors'")
	fs.BoolVar(&o.Strict, "strict", false, "fail the run on SHOULD-level failures too")
	fs.BoolVar(&o.Certify, "certify", false, "certification run: every check of the spec (no --label-filter), recorded in the bundle")
	fs.StringVar(&o.SignKey, "sign-key", "", "Ed25519 private key file (tokencert keygen) that signs the bundle's MANIFEST.json")
	fs.StringVar(&o.Waivers, "waivers", "", "waivers file: failures accepted until a date, by an owner, for a reason (target key waivers; refused with --certify)")
	fs.StringVar(&o.Baseline, "baseline", "", "an earlier run's bundle directory or report.json (with several targets: its report dir): the report says what changed since")
	fs.StringVar(&o.FailOn, "fail-on", model.FailOnMust, "what fails the run: must (an unwaived MUST-level failure; any with --strict) or regressions (only such a failure new since --baseline)")
	shardSpec := fs.String("shard", "", "with a directory of targets: certify only share i of n (i/n, i from 0), chosen by a hash of each target file's name; /n takes i from $TOKENCERT_SHARD_INDEX or $JOB_COMPLETION_INDEX")
	fs.BoolVar(&o.Verbose, "v", false, "Ginkgo's reporter too: every check as it runs, its notes, and Ginkgo's own summary (tokencert's summary and verdict follow it)")
	fs.DurationVar(&o.RequestTimeout, "request-timeout", 0, "timeout of one HTTP request, from dial to the last body byte (default 10s; target key request_timeout); after 2 unanswered requests in a row a host gets no more")
	fs.DurationVar(&o.Deadline, "deadline", 0, "deadline of the whole run: checks not finished by then are errors, and the report is still written (default 30m)")
	fs.Func("max-body", "cap on the response-body bytes read, e.g. 1MiB, 512KiB or 65536 (default 1MiB); a bigger body fails its check", func(v string) error {
		n, err := parseSize(v)
		o.MaxBody = n
		return err
	})
	fs.Float64Var(&o.MaxRPS, "max-rps", 0, "at most this many requests per second, evenly spaced; inf: no limit (target key max_rps; default 10 against an endpoint on another host, no limit on loopback and against the embedded reference server)")
	fs.Func("max-failed-logins", "at most this many requests with a wrong resource-owner password, so a run cannot lock out the test user; checks over the cap are skipped and say so (default 3; target key max_failed_logins; 0: none)", func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return errors.New("want a whole number")
		}
		o.MaxFailedLogins = &n
		return nil
	})
	fs.StringVar(&o.CAFile, "ca-file", "", "PEM file of CA certificates to trust besides the system's (target key ca_file)")
	fs.StringVar(&o.ClientCert, "client-cert", "", "PEM client certificate for mutual TLS, with --client-key (target keys client_cert, client_key)")
	fs.StringVar(&o.ClientKey, "client-key", "", "PEM private key of --client-cert")
	fs.BoolVar(&o.InsecureSkipVerify, "insecure-skip-verify", false, "do not verify the endpoint's TLS certificate; recorded in the report and its verdict line (target key insecure_skip_verify)")
	fs.BoolVar(&o.AllowSecretInURL, "allow-secret-in-url", false, "let the credentials_in_uri probe send the real client secret in a request URI, where it can reach the server's access logs: for test clients only (target key allow_secret_in_url)")
	fs.BoolVar(&o.AllowHTTP, "allow-http", false, "certify a cleartext http:// endpoint on a non-loopback host (refused otherwise); RFC6749-3.2-TLS-REQUIRED then fails (target key allow_http)")
	fs.StringVar(&o.Fault, "fault", "", "embedded reference server only: inject this fault (see 'tokencert faults')")
	fs.Func("quirk", "embedded reference server only: take on this behaviour of real servers, which must fail no requirement it concerns (repeatable; see 'tokencert faults')", func(v string) error {
		if _, err := refserver.QuirkByName(v); err != nil {
			return err
		}
		o.Quirks = append(o.Quirks, v)
		return nil
	})
	fs.DurationVar(&o.Lifetime, "lifetime", 0, "embedded reference server only: access-token lifetime (default: the spec's)")
	fs.DurationVar(&o.Latency, "latency", 0, "embedded reference server only: delay every response by this much")
	pos, err := runHelp.parse(fs, args, stdout)
	if err != nil {
		return exitOf(err)
	}
	if len(pos) > 0 {
		return runHelp.usageError(stderr, "run", "unexpected argument %q", pos[0])
	}
	if *shardSpec != "" {
		sh, err := shard.Parse(*shardSpec, os.Getenv)
		if err != nil {
			fmt.Fprintf(stderr, "tokencert: command line: --shard: %v\n", err)
			return 2
		}
		if len(targets) == 0 {
			fmt.Fprintf(stderr, "tokencert: command line: --shard: splits the targets of --target DIR (or of several --target flags); none given\n")
			return 2
		}
		return runMany(fs, args, fleet{given: targets, jobs: *jobs, reportDir: o.ReportDir, shard: &sh, baseline: o.Baseline}, stdout, stderr)
	}
	if targets.many() {
		return runMany(fs, args, fleet{given: targets, jobs: *jobs, reportDir: o.ReportDir, baseline: o.Baseline}, stdout, stderr)
	}
	if len(targets) == 1 {
		targetPath = targets[0]
	}
	if targetPath != "" {
		f, err := target.Load(targetPath)
		if err != nil {
			fmt.Fprintf(stderr, "tokencert: %v\n", err)
			return 2
		}
		t = merge(*f, t)
	}
	for k, v := range params {
		if t.Params == nil {
			t.Params = map[string]string{}
		}
		t.Params[k] = v
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

// paramFlag collects --param NAME=VALUE.
type paramFlag map[string]string

func (p paramFlag) String() string { return "" }

func (p paramFlag) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || k == "" {
		return fmt.Errorf("%q is not NAME=VALUE", v)
	}
	p[k] = val
	return nil
}

// merge overlays the flags that were set on the target file's keys.
func merge(file, flags target.Target) target.Target {
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

// parseSize reads a byte count: 65536, 64KiB, 1MiB (also KB/MB, k/m, as
// binary units).
func parseSize(v string) (int64, error) {
	s := strings.ToLower(strings.TrimSpace(v))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"mib", 1 << 20}, {"mb", 1 << 20}, {"m", 1 << 20}, {"kib", 1 << 10}, {"kb", 1 << 10}, {"k", 1 << 10}, {"b", 1}} {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = strings.TrimSpace(rest), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n > (1<<40)/mult {
		return 0, fmt.Errorf("%q is not a size like 1MiB, 512KiB or 65536", v)
	}
	return n * mult, nil
}
