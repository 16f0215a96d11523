package schemas

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"
)

// FuzzValidate validates arbitrary JSON documents against the built-in
// rfc6749 token and error schemas, decoded the way checks decode bodies
// (numbers as json.Number): it never panics, and every violation is
// attributed to a requirement the schema names. Seeds:
// testdata/fuzz/FuzzValidate.
func FuzzValidate(f *testing.F) {
	var loaded []*Schema
	for _, ref := range []string{"rfc6749/token-response.json", "rfc6749/error-response.json"} {
		s, err := Load(ref, "")
		if err != nil {
			f.Fatal(err)
		}
		loaded = append(loaded, s)
	}
	f.Add([]byte(`{"access_token":"a","token_type":"Bearer","expires_in":3600}`))
	f.Add([]byte(`{"error":"invalid_grant"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		var doc any
		if dec.Decode(&doc) != nil {
			return
		}
		for _, s := range loaded {
			for _, v := range s.Validate(doc) {
				if v.Requirement == "" || !slices.Contains(s.Requirements(), v.Requirement) {
					t.Errorf("%s: violation %+v is attributed to no requirement of the schema", s.Ref, v)
				}
			}
		}
	})
}
