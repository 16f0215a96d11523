// Package ci holds the tests of the ready-made pipelines beside them: they
// parse, lint, keep the exit code, keep secrets in the CI's secret store
// and print none.
package ci

import (
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
	"gopkg.in/yaml.v3"
	k8syaml "sigs.k8s.io/yaml"
)

var files = []string{"github-actions.yml", "gitlab-ci.yml", "Jenkinsfile", "k8s-indexed-job.yaml"}

func read(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestGitHubWorkflowLints(t *testing.T) {
	l, err := actionlint.NewLinter(io.Discard, &actionlint.LinterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	errs, err := l.LintFile("github-actions.yml", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range errs {
		t.Errorf("%s", e.Error())
	}
}

// step is the part of a workflow step the tests look at.
type step struct {
	Name string            `yaml:"name"`
	If   string            `yaml:"if"`
	Uses string            `yaml:"uses"`
	Run  string            `yaml:"run"`
	Env  map[string]string `yaml:"env"`
	With map[string]any    `yaml:"with"`
}

func TestGitHubWorkflow(t *testing.T) {
	var wf struct {
		Jobs map[string]struct {
			Strategy struct {
				Matrix map[string][]int `yaml:"matrix"`
			} `yaml:"strategy"`
			Steps []step `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal([]byte(read(t, "github-actions.yml")), &wf); err != nil {
		t.Fatal(err)
	}
	certify, merge := wf.Jobs["certify"], wf.Jobs["merge"]
	if n := len(certify.Strategy.Matrix["shard"]); n != 4 {
		t.Errorf("the matrix has %d shards, want 4 (SHARDS)", n)
	}
	var run, summary, junit, artifact bool
	for _, s := range certify.Steps {
		switch {
		case strings.Contains(s.Run, "tokencert run"):
			run = strings.Contains(s.Run, `--shard "${{ matrix.shard }}/${SHARDS}"`)
			for k, v := range s.Env {
				if !strings.HasPrefix(v, "${{ secrets.") {
					t.Errorf("env %s of the run step is not from the secret store: %q", k, v)
				}
			}
		case strings.Contains(s.Run, "GITHUB_STEP_SUMMARY"):
			summary = s.If == "always()" && strings.Contains(s.Run, "summary.md")
		case strings.HasPrefix(s.Uses, "mikepenz/action-junit-report@"):
			junit = s.If == "always()" && strings.HasSuffix(s.With["report_paths"].(string), "/**/junit.xml")
		case strings.HasPrefix(s.Uses, "actions/upload-artifact@"):
			artifact = s.If == "always()" && s.With["path"] == "tokencert-report/"
		}
	}
	if !run || !summary || !junit || !artifact {
		t.Errorf("certify: shard run %v, job summary from summary.md (always) %v, JUnit upload (always) %v, bundle artifact (always) %v", run, summary, junit, artifact)
	}
	merged := slices.ContainsFunc(merge.Steps, func(s step) bool {
		return strings.Contains(s.Run, "tokencert merge") && strings.Contains(s.Run, `exit "$code"`)
	})
	if !merged {
		t.Error("merge: no step that merges the shards and exits with merge's code")
	}
}

func TestGitLab(t *testing.T) {
	var ci struct {
		Certify struct {
			Parallel  int      `yaml:"parallel"`
			Script    []string `yaml:"script"`
			Artifacts struct {
				When    string `yaml:"when"`
				Reports struct {
					JUnit string `yaml:"junit"`
				} `yaml:"reports"`
			} `yaml:"artifacts"`
		} `yaml:"certify"`
	}
	if err := yaml.Unmarshal([]byte(read(t, "gitlab-ci.yml")), &ci); err != nil {
		t.Fatal(err)
	}
	c := ci.Certify
	if c.Artifacts.When != "always" || !strings.HasSuffix(c.Artifacts.Reports.JUnit, "junit.xml") {
		t.Errorf("artifacts: when %q, junit report %q", c.Artifacts.When, c.Artifacts.Reports.JUnit)
	}
	if !slices.ContainsFunc(c.Script, func(s string) bool {
		return strings.Contains(s, `--shard "$((CI_NODE_INDEX - 1))/${CI_NODE_TOTAL}"`)
	}) || c.Parallel < 2 {
		t.Errorf("the parallel jobs (%d) do not each certify their shard: %q", c.Parallel, c.Script)
	}
}

func TestJenkins(t *testing.T) {
	j := read(t, "Jenkinsfile")
	for _, want := range []string{"withCredentials([", "string(credentialsId:", "junit allowEmptyResults: false, testResults: 'tokencert-report/junit.xml'", "returnStatus: true", "code == 1", "code == 2", "code == 3", "archiveArtifacts"} {
		if !strings.Contains(j, want) {
			t.Errorf("Jenkinsfile lacks %q", want)
		}
	}
	// Groovy interpolates "…${X}…": a secret in a double-quoted string
	// would be in the build's command line.
	if regexp.MustCompile(`"[^"\n]*\$\{?(CLIENT_SECRET|USER_PASSWORD)`).MatchString(j) {
		t.Error("a secret is interpolated by Groovy")
	}
}

func TestIndexedJob(t *testing.T) {
	var job struct {
		Kind string `json:"kind"`
		Spec struct {
			CompletionMode   string `json:"completionMode"`
			Completions      int    `json:"completions"`
			PodFailurePolicy struct {
				Rules []struct {
					Action      string `json:"action"`
					OnExitCodes struct {
						Operator string `json:"operator"`
						Values   []int  `json:"values"`
					} `json:"onExitCodes"`
				} `json:"rules"`
			} `json:"podFailurePolicy"`
			Template struct {
				Spec struct {
					RestartPolicy string `json:"restartPolicy"`
					Containers    []struct {
						Command []string `json:"command"`
						Args    []string `json:"args"`
						Env     []struct {
							Name      string `json:"name"`
							Value     string `json:"value"`
							ValueFrom *struct {
								SecretKeyRef *struct{ Name, Key string } `json:"secretKeyRef"`
							} `json:"valueFrom"`
						} `json:"env"`
					} `json:"containers"`
				} `json:"spec"`
			} `json:"template"`
		} `json:"spec"`
	}
	if err := k8syaml.Unmarshal([]byte(read(t, "k8s-indexed-job.yaml")), &job); err != nil {
		t.Fatal(err)
	}
	s := job.Spec
	if job.Kind != "Job" || s.CompletionMode != "Indexed" || s.Completions < 2 || s.Template.Spec.RestartPolicy != "Never" || len(s.Template.Spec.Containers) != 1 {
		t.Fatalf("not an Indexed Job of several completions that never restarts a pod: %+v", job)
	}
	c := s.Template.Spec.Containers[0]
	cmd := append(slices.Clone(c.Command), c.Args...)
	i := slices.Index(cmd, "--shard")
	if cmd[0] != "tokencert" || cmd[1] != "run" || i < 0 || i+1 >= len(cmd) || cmd[i+1] != fmt.Sprintf("/%d", s.Completions) {
		t.Errorf("the command %q does not certify shard /%d (its index from JOB_COMPLETION_INDEX)", cmd, s.Completions)
	}
	if !slices.Contains(cmd, "/reports/shard-$(JOB_COMPLETION_INDEX)") {
		t.Errorf("the shards do not write report dirs of their own: %q", cmd)
	}
	for _, e := range c.Env {
		if e.Value != "" || e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
			t.Errorf("env %s is not from a Secret", e.Name)
		}
	}
	var noRetry []int
	for _, r := range s.PodFailurePolicy.Rules {
		if r.Action == "FailIndex" && r.OnExitCodes.Operator == "In" {
			noRetry = append(noRetry, r.OnExitCodes.Values...)
		}
	}
	slices.Sort(noRetry)
	if !slices.Equal(noRetry, []int{1, 2, 3}) {
		t.Errorf("the indexes not retried exit with %v, want tokencert's verdicts 1, 2, 3", noRetry)
	}
}

// TestNoSecretPrinted: no pipeline echoes a secret, traces its shell, or
// hides tokencert's exit code.
func TestNoSecretPrinted(t *testing.T) {
	echo := regexp.MustCompile(`(?i)(echo|printf|cat <<)[^\n]*\$\{?\{?\s*(secrets\.|CLIENT_SECRET|USER_PASSWORD|[A-Z_]*(SECRET|PASSWORD|TOKEN))`)
	for _, name := range files {
		s := read(t, name)
		if m := echo.FindString(s); m != "" {
			t.Errorf("%s prints a secret: %q", name, m)
		}
		for _, bad := range []string{"set -x", "tokencert run --target targets/ || true", "| tee"} {
			if strings.Contains(s, bad) {
				t.Errorf("%s has %q", name, bad)
			}
		}
		if !strings.Contains(s, "tokencert") || !strings.Contains(s, "--target") {
			t.Errorf("%s certifies no target", name)
		}
	}
}
