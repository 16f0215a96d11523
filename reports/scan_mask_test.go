package reports

import (
	"bytes"
	"math/rand"
	"regexp"
	"strings"
	"testing"
)

// fingerprintRE is the single expression maskFingerprints implemented
// before it was split for speed; the split must mask exactly the same bytes.
var fingerprintRE = regexp.MustCompile(`\\?\[[A-Za-z0-9_.\\-]+#[0-9a-f]{8}\\?\]|%5B[A-Za-z0-9_.-]+%23[0-9a-f]{8}%5D`)

func maskFingerprintsReference(data []byte) []byte {
	out := bytes.Clone(data)
	for _, loc := range fingerprintRE.FindAllIndex(data, -1) {
		for i := loc[0]; i < loc[1]; i++ {
			out[i] = 0
		}
	}
	return out
}

func TestMaskFingerprintsMatchesTheSingleExpression(t *testing.T) {
	fixed := []string{
		"", "[access_token#1a2b3c4d]", `\[access_token#1a2b3c4d\]`, `\\[a#1a2b3c4d]`, "[a[b#12345678]]",
		"%5Baccess_token%231a2b3c4d%5D", "x%5B[a#12345678]%5D", `[a\b-c.d_e#deadbeef\]`, "[a#1A2B3C4D]",
		"[#12345678]", "[a#1234567]", "[a#123456789]", `"token":"[refresh_token#0badc0de]","x":[1,2]`,
	}
	for _, s := range fixed {
		if got, want := maskFingerprints([]byte(s)), maskFingerprintsReference([]byte(s)); !bytes.Equal(got, want) {
			t.Errorf("%q: masked %q, the single expression masks %q", s, got, want)
		}
	}
	// Random text over an alphabet dense in the characters that matter.
	parts := []string{"[", "]", `\`, "#", "%5B", "%23", "%5D", "a", "_", ".", "-", "1a2b3c4d", "0", "f", " ", `"`, "%", "5", "B", "x"}
	r := rand.New(rand.NewSource(1))
	for range 20000 {
		var b strings.Builder
		for range r.Intn(20) {
			b.WriteString(parts[r.Intn(len(parts))])
		}
		s := []byte(b.String())
		if got, want := maskFingerprints(s), maskFingerprintsReference(s); !bytes.Equal(got, want) {
			t.Fatalf("%q: masked %q, the single expression masks %q", s, got, want)
		}
	}
}

// BenchmarkMaskFingerprints masks a report.json-sized body of evidence.
func BenchmarkMaskFingerprints(b *testing.B) {
	chunk := `{"label":"client_credentials grant","request":{"method":"POST","header":{"Authorization":["Basic [credentials#0badc0de]"]},` +
		`"body":"grant_type=client_credentials&client_secret=%5Bclient_secret%230badc0de%5D"},"response":{"status":200,` +
		`"body":"{\"access_token\":\"[access_token#1a2b3c4d]\",\"token_type\":\"Bearer\",\"expires_in\":3600,\"scope\":\"read write\"}"}},` + "\n"
	data := []byte(strings.Repeat(chunk, 400000/len(chunk)))
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		maskFingerprints(data)
	}
}
