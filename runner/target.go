package runner

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"reflect"
	"sort"
	"strings"
	"time"

	"sigs.k8s.io/yaml"
)

// TargetFile is a target file: where the endpoint is and the credentials
// to use. String values may use ${VAR} to read the environment.
type TargetFile struct {
	Path string `json:"-"`

	Spec              string   `json:"spec,omitempty"`
	Endpoint          string   `json:"endpoint,omitempty"`
	ClientID          string   `json:"client_id,omitempty"`
	ClientSecret      string   `json:"client_secret,omitempty"`
	Username          string   `json:"username,omitempty"`
	Password          string   `json:"password,omitempty"`
	Scope             string   `json:"scope,omitempty"`
	Audience          string   `json:"audience,omitempty"`
	Grants            []string `json:"grants,omitempty"`
	ClientAuth        []string `json:"client_auth,omitempty"`
	Resource          string   `json:"resource,omitempty"`
	Introspection     string   `json:"introspection,omitempty"`
	OtherClientID     string   `json:"other_client_id,omitempty"`
	OtherClientSecret string   `json:"other_client_secret,omitempty"`
	MaxWait           string   `json:"max_wait,omitempty"`
	// AllowSecretInURL lets the credentials_in_uri probe send the real
	// client secret in a request URI, where it can reach access logs.
	AllowSecretInURL bool `json:"allow_secret_in_url,omitempty"`

	// Transport (runner/transport.go): flags of the same name win.
	RequestTimeout     string   `json:"request_timeout,omitempty"`
	MaxRPS             *float64 `json:"max_rps,omitempty"`
	MaxFailedLogins    *int     `json:"max_failed_logins,omitempty"`
	CAFile             string   `json:"ca_file,omitempty"`
	ClientCert         string   `json:"client_cert,omitempty"`
	ClientKey          string   `json:"client_key,omitempty"`
	InsecureSkipVerify bool     `json:"insecure_skip_verify,omitempty"`
	AllowHTTP          bool     `json:"allow_http,omitempty"`
}

// TargetError is a problem with a target file or flag, naming where it is.
type TargetError struct {
	File, Key, Problem string
}

func (e *TargetError) Error() string {
	where := e.File
	if where == "" {
		where = "command line"
	}
	if e.Key != "" {
		return fmt.Sprintf("%s: %s: %s", where, e.Key, e.Problem)
	}
	return fmt.Sprintf("%s: %s", where, e.Problem)
}

// LoadTarget reads a YAML (or JSON) target file, expanding ${VAR}s.
func LoadTarget(path string) (*TargetFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, &TargetError{File: path, Problem: "cannot read: " + unwrapPath(err)}
	}
	return ParseTarget(path, b)
}

func unwrapPath(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// ParseTarget parses target-file bytes; path names the file in errors.
func ParseTarget(path string, b []byte) (*TargetFile, error) {
	var raw map[string]any
	if err := yaml.Unmarshal(b, &raw); err != nil {
		return nil, &TargetError{File: path, Problem: "not valid YAML: " + err.Error()}
	}
	if raw == nil {
		return nil, &TargetError{File: path, Problem: "empty target file"}
	}
	known := map[string]bool{}
	for _, k := range targetKeys() {
		known[k] = true
	}
	var keys []string
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !known[k] {
			return nil, &TargetError{File: path, Key: k, Problem: "unknown key (known keys: " + strings.Join(targetKeys(), ", ") + ")"}
		}
		v, err := expand(raw[k])
		if err != nil {
			return nil, &TargetError{File: path, Key: k, Problem: err.Error()}
		}
		raw[k] = v
	}
	j, err := json.Marshal(raw)
	if err != nil {
		return nil, &TargetError{File: path, Problem: err.Error()}
	}
	var t TargetFile
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			key, _, _ := strings.Cut(te.Field, ".")
			want := typeName(te.Type)
			if key == "max_wait" || key == "request_timeout" {
				want = "a duration like 10s or 2m"
			}
			return nil, &TargetError{File: path, Key: key, Problem: fmt.Sprintf("want %s, got %s", want, valueName(te.Value))}
		}
		return nil, &TargetError{File: path, Problem: typeProblem(err)}
	}
	t.Path = path
	return &t, nil
}

// typeName says what a target key's Go type takes, for a person.
func typeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Pointer:
		return typeName(t.Elem())
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "a whole number"
	case reflect.Slice:
		return "a list of " + strings.TrimPrefix(typeName(t.Elem()), "a ") + "s"
	}
	return t.String()
}

// valueName names a JSON value kind as UnmarshalTypeError reports it
// ("string", "number 2.5", "array").
func valueName(v string) string {
	switch {
	case v == "array":
		return "a list"
	case v == "object":
		return "a mapping"
	case v == "bool":
		return "true or false"
	case strings.HasPrefix(v, "number "):
		return "the number " + strings.TrimPrefix(v, "number ")
	}
	return "a " + v
}

func typeProblem(err error) string {
	s := err.Error()
	if i := strings.Index(s, "Go struct field TargetFile."); i >= 0 {
		s = strings.Replace(s, "Go struct field TargetFile.", "key ", 1)
	}
	return s
}

// targetKeys lists the keys a target file may have.
func targetKeys() []string {
	return []string{"spec", "endpoint", "client_id", "client_secret", "username", "password", "scope", "audience", "grants", "client_auth", "resource", "introspection", "other_client_id", "other_client_secret", "max_wait", "allow_secret_in_url",
		"request_timeout", "max_rps", "max_failed_logins", "ca_file", "client_cert", "client_key", "insecure_skip_verify", "allow_http"}
}

// expand replaces ${VAR} in strings (and lists of strings) from the environment.
func expand(v any) (any, error) {
	switch v := v.(type) {
	case string:
		var missing []string
		out := os.Expand(v, func(name string) string {
			val, ok := os.LookupEnv(name)
			if !ok || val == "" {
				missing = append(missing, name)
			}
			return val
		})
		if len(missing) > 0 {
			return nil, fmt.Errorf("environment variable %s is not set or empty", strings.Join(missing, ", "))
		}
		return out, nil
	case []any:
		for i := range v {
			x, err := expand(v[i])
			if err != nil {
				return nil, err
			}
			v[i] = x
		}
	}
	return v, nil
}

// checkURL validates an endpoint-like URL value.
func checkURL(file, key, raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, &TargetError{File: file, Key: key, Problem: fmt.Sprintf("%q is not an absolute http(s) URL", withoutUserinfo(raw))}
	}
	if u.Fragment != "" {
		return nil, &TargetError{File: file, Key: key, Problem: "a token endpoint URL has no fragment (RFC 6749 §3.2)"}
	}
	return u, nil
}

// withoutUserinfo hides credentials in a URL (even an unparsable one)
// before it goes into a message.
func withoutUserinfo(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "//")
	if !ok {
		return raw
	}
	host, path, _ := strings.Cut(rest, "/")
	if i := strings.LastIndex(host, "@"); i >= 0 {
		host = "…@" + host[i+1:]
	}
	if path != "" || strings.HasSuffix(rest, "/") {
		return scheme + "//" + host + "/" + path
	}
	return scheme + "//" + host
}

func parseDuration(file, key, s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, &TargetError{File: file, Key: key, Problem: fmt.Sprintf("%q is not a duration like 90s or 2m", s)}
	}
	return d, nil
}
