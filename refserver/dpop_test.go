package refserver

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// dpopHarness is a server speaking rfc9449 and a client key.
type dpopHarness struct {
	*harness
	key   *ecdsa.PrivateKey
	nonce string
}

func startDPoP(t *testing.T, faults ...Fault) *dpopHarness {
	t.Helper()
	return &dpopHarness{harness: start(t, Options{Spec: loadSpec(t, "rfc9449"), Faults: faults}), key: newECKey(t)}
}

func newECKey(t testing.TB) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// proofSpec describes a proof: its claims and header, which key is in
// jwk (key), which signs (signer) and whether jwk carries the private key.
type proofSpec struct {
	claims, header map[string]any
	key, signer    *ecdsa.PrivateKey
	private        bool
}

func (d *dpopHarness) spec(method, uri string) proofSpec {
	c := map[string]any{"jti": randomToken(), "htm": method, "htu": uri, "iat": time.Now().Unix()}
	if d.nonce != "" {
		c["nonce"] = d.nonce
	}
	return proofSpec{claims: c, header: map[string]any{"typ": "dpop+jwt", "alg": "ES256"}, key: d.key}
}

func (p proofSpec) sign(t testing.TB) string {
	t.Helper()
	jwk := jose.JSONWebKey{Key: p.key.Public()}
	if p.private {
		jwk = jose.JSONWebKey{Key: p.key}
	}
	jb, err := jwk.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	h := map[string]any{}
	for k, v := range p.header {
		h[k] = v
	}
	h["jwk"] = json.RawMessage(jb)
	hb, _ := json.Marshal(h)
	cb, _ := json.Marshal(p.claims)
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(hb) + "." + enc.EncodeToString(cb)
	signer := p.key
	if p.signer != nil {
		signer = p.signer
	}
	sum := sha256.Sum256([]byte(input))
	r, s, err := ecdsa.Sign(rand.Reader, signer, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return input + "." + enc.EncodeToString(sig)
}

func thumbprintOf(t testing.TB, k *ecdsa.PrivateKey) string {
	tp, err := (&jose.JSONWebKey{Key: k.Public()}).Thumbprint(crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(tp)
}

// tokenWith sends a form token request with a DPoP header (none when proof
// is "").
func (d *dpopHarness) tokenWith(form url.Values, a auth, proof string) reply {
	d.t.Helper()
	form = cloneValues(form)
	if a.method == "body" || a.method == "public" {
		form.Set("client_id", a.id)
		if a.method == "body" {
			form.Set("client_secret", a.secret)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, d.base+"/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if a.method == "basic" {
		req.Header.Set("Authorization", basicHeader(a.id, a.secret))
	}
	if proof != "" {
		req.Header.Set("DPoP", proof)
	}
	return d.send(req)
}

// ready fetches the server's nonce.
func (d *dpopHarness) ready(t *testing.T) {
	t.Helper()
	r := d.tokenWith(ccForm(), mainBasic, d.spec("POST", d.base+"/token").sign(t))
	wantError(t, r, 400, "use_dpop_nonce")
	if d.nonce = r.header.Get("DPoP-Nonce"); d.nonce == "" {
		t.Fatalf("use_dpop_nonce without a DPoP-Nonce header")
	}
}

func (d *dpopHarness) valid(t *testing.T) proofSpec { return d.spec("POST", d.base+"/token") }

func (d *dpopHarness) resourceWith(authorization, proof string) reply {
	d.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, d.base+"/resource", nil)
	req.Header.Set("Authorization", authorization)
	if proof != "" {
		req.Header.Set("DPoP", proof)
	}
	return d.send(req)
}

func ath(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func TestDPoPConformant(t *testing.T) {
	t.Parallel()
	d := startDPoP(t)
	wantError(t, d.tokenWith(ccForm(), mainBasic, ""), 400, "invalid_dpop_proof")
	d.ready(t)
	tok := mustToken(t, d.tokenWith(ccForm(), mainBasic, d.valid(t).sign(t)))
	if tok["token_type"] != "DPoP" {
		t.Errorf("token_type %v, want DPoP", tok["token_type"])
	}
	at := tok["access_token"].(string)
	in := d.introspect(at, mainBasic).obj(t)
	if cnf, _ := in["cnf"].(map[string]any); cnf["jkt"] != thumbprintOf(t, d.key) {
		t.Errorf("introspection cnf %v, want the key's thumbprint", in["cnf"])
	}
	rp := d.spec("GET", d.base+"/resource")
	rp.claims["ath"] = ath(at)
	if r := d.resourceWith("DPoP "+at, rp.sign(t)); r.status != 200 {
		t.Errorf("resource with the proof: %d %s", r.status, r.body)
	}
	if r := d.resourceWith("Bearer "+at, ""); r.status != 401 {
		t.Errorf("bound token as Bearer: %d, want 401", r.status)
	}
	rp = d.spec("GET", d.base+"/resource")
	rp.claims["ath"] = ath("another token")
	if r := d.resourceWith("DPoP "+at, rp.sign(t)); r.status != 401 {
		t.Errorf("proof with another ath: %d, want 401", r.status)
	}
	rp = d.spec("GET", d.base+"/resource")
	rp.claims["ath"], rp.key = ath(at), newECKey(t)
	if r := d.resourceWith("DPoP "+at, rp.sign(t)); r.status != 401 {
		t.Errorf("proof by another key: %d, want 401", r.status)
	}

	bad := map[string]func(p *proofSpec){
		"htm":     func(p *proofSpec) { p.claims["htm"] = "PUT" },
		"htu":     func(p *proofSpec) { p.claims["htu"] = "https://tokencert.invalid/token" },
		"signer":  func(p *proofSpec) { p.signer = newECKey(t) },
		"private": func(p *proofSpec) { p.private = true },
		"typ":     func(p *proofSpec) { p.header["typ"] = "JWT" },
		"iat":     func(p *proofSpec) { p.claims["iat"] = time.Now().Add(-time.Hour).Unix() },
		"no-jti":  func(p *proofSpec) { delete(p.claims, "jti") },
	}
	for name, edit := range bad {
		p := d.valid(t)
		edit(&p)
		r := d.tokenWith(ccForm(), mainBasic, p.sign(t))
		if r.status != 400 || r.str(t, "error") != "invalid_dpop_proof" {
			t.Errorf("%s: %d %s, want 400 invalid_dpop_proof", name, r.status, r.body)
		}
	}
	p := d.valid(t)
	p.claims["nonce"] = "another"
	wantError(t, d.tokenWith(ccForm(), mainBasic, p.sign(t)), 400, "use_dpop_nonce")
	p = d.valid(t)
	delete(p.claims, "nonce") // once a nonce was provided (RFC 9449 §11.3)
	wantError(t, d.tokenWith(ccForm(), mainBasic, p.sign(t)), 400, "use_dpop_nonce")
	proof := d.valid(t).sign(t)
	mustToken(t, d.tokenWith(ccForm(), mainBasic, proof))
	wantError(t, d.tokenWith(ccForm(), mainBasic, proof), 400, "invalid_dpop_proof")
}

// A public client's refresh token is bound to its DPoP key; a
// confidential client's is not; a public client gets no client_credentials.
func TestDPoPPublicClient(t *testing.T) {
	t.Parallel()
	d := startDPoP(t)
	d.ready(t)
	pub := auth{"public", d.srv.Target().PublicClientID, ""}
	if pub.id == "" {
		t.Fatal("no public client in the target")
	}
	wantError(t, d.tokenWith(ccForm(), pub, d.valid(t).sign(t)), 400, "unauthorized_client")
	rt := mustToken(t, d.tokenWith(passwordForm(), pub, d.valid(t).sign(t)))["refresh_token"].(string)
	other := d.valid(t)
	other.key = newECKey(t)
	wantError(t, d.tokenWith(refreshForm(rt), pub, other.sign(t)), 400, "invalid_grant")
	mustToken(t, d.tokenWith(refreshForm(rt), pub, d.valid(t).sign(t)))
	// The confidential client's refresh token is bound to its credentials.
	crt := mustToken(t, d.tokenWith(passwordForm(), mainBasic, d.valid(t).sign(t)))["refresh_token"].(string)
	other = d.valid(t)
	other.key = newECKey(t)
	mustToken(t, d.tokenWith(refreshForm(crt), mainBasic, other.sign(t)))
	// A public client never authenticates by Basic with an empty secret.
	wantError(t, d.tokenWith(passwordForm(), basic(pub.id, ""), d.valid(t).sign(t)), 401, "invalid_client")
}

// Other specs know nothing of DPoP: no DPoP public client, no proof
// wanted. (rfc6749's public client is the registry's, for RFC 9700
// §4.14.2, not DPoP's.)
func TestDPoPOffElsewhere(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	if h.srv.dpop != nil {
		t.Error("rfc6749 has a DPoP public client")
	}
	tok := mustToken(t, h.token(ccForm(), mainBasic))
	if tok["token_type"] != "Bearer" {
		t.Errorf("token_type %v", tok["token_type"])
	}
}

func init() {
	dpopCase := func(f Fault, check func(t *testing.T, d *dpopHarness)) {
		faultCases[f.Name] = func(t *testing.T, _ *harness) { check(t, startDPoP(t, f)) }
	}
	accepted := func(t *testing.T, d *dpopHarness, p proofSpec) map[string]any {
		t.Helper()
		return mustToken(t, d.tokenWith(ccForm(), mainBasic, p.sign(t)))
	}
	refused := func(t *testing.T, d *dpopHarness, p proofSpec) {
		t.Helper()
		wantError(t, d.tokenWith(ccForm(), mainBasic, p.sign(t)), 400, "invalid_dpop_proof")
	}
	probe := func(f Fault, edit func(t *testing.T, p *proofSpec)) {
		dpopCase(f, func(t *testing.T, d *dpopHarness) {
			d.ready(t)
			p := d.valid(t)
			edit(t, &p)
			accepted(t, d, p)
			p = d.valid(t)
			p.header["typ"] = "nope"
			if f != FaultDPoPTypUnchecked {
				refused(t, d, p)
			}
		})
	}
	probe(FaultDPoPHtmUnchecked, func(t *testing.T, p *proofSpec) { p.claims["htm"] = "PUT" })
	probe(FaultDPoPHtuUnchecked, func(t *testing.T, p *proofSpec) { p.claims["htu"] = "https://tokencert.invalid/token" })
	probe(FaultDPoPSignatureUnchecked, func(t *testing.T, p *proofSpec) { p.signer = newECKey(t) })
	probe(FaultDPoPPrivateKeyAccepted, func(t *testing.T, p *proofSpec) { p.private = true })
	probe(FaultDPoPTypUnchecked, func(t *testing.T, p *proofSpec) { p.header["typ"] = "JWT" })
	dpopCase(FaultDPoPIatUnchecked, func(t *testing.T, d *dpopHarness) {
		p := d.valid(t) // no nonce demanded
		p.claims["iat"] = time.Now().Add(-time.Hour).Unix()
		accepted(t, d, p)
	})
	dpopCase(FaultDPoPReplayAccepted, func(t *testing.T, d *dpopHarness) {
		d.ready(t)
		proof := d.valid(t).sign(t)
		mustToken(t, d.tokenWith(ccForm(), mainBasic, proof))
		mustToken(t, d.tokenWith(ccForm(), mainBasic, proof))
	})
	dpopCase(FaultDPoPBearerIssued, func(t *testing.T, d *dpopHarness) {
		d.ready(t)
		tok := accepted(t, d, d.valid(t))
		if tok["token_type"] != "Bearer" {
			t.Errorf("token_type %v, want Bearer", tok["token_type"])
		}
		if r := d.resource("Bearer " + tok["access_token"].(string)); r.status != 200 {
			t.Errorf("the unbound token is refused as a Bearer token: %d", r.status)
		}
	})
	dpopCase(FaultDPoPNonceNoHeader, func(t *testing.T, d *dpopHarness) {
		r := d.tokenWith(ccForm(), mainBasic, d.valid(t).sign(t))
		wantError(t, r, 400, "use_dpop_nonce")
		if r.header.Get("DPoP-Nonce") != "" {
			t.Error("a DPoP-Nonce header")
		}
	})
	dpopCase(FaultDPoPNonceLoop, func(t *testing.T, d *dpopHarness) {
		for range 3 {
			r := d.tokenWith(ccForm(), mainBasic, d.valid(t).sign(t))
			wantError(t, r, 400, "use_dpop_nonce")
			d.nonce = r.header.Get("DPoP-Nonce")
		}
	})
	dpopCase(FaultDPoPNonceUnchecked, func(t *testing.T, d *dpopHarness) {
		wantError(t, d.tokenWith(ccForm(), mainBasic, d.valid(t).sign(t)), 400, "use_dpop_nonce")
		d.nonce = "anything"
		accepted(t, d, d.valid(t))
	})
	dpopCase(FaultDPoPNonceDowngrade, func(t *testing.T, d *dpopHarness) {
		wantError(t, d.tokenWith(ccForm(), mainBasic, d.valid(t).sign(t)), 400, "use_dpop_nonce")
		accepted(t, d, d.valid(t)) // no nonce, once one was provided
		d.nonce = "another"
		wantError(t, d.tokenWith(ccForm(), mainBasic, d.valid(t).sign(t)), 400, "use_dpop_nonce")
	})
	dpopCase(FaultDPoPRTUnbound, func(t *testing.T, d *dpopHarness) {
		d.ready(t)
		pub := auth{"public", d.srv.Target().PublicClientID, ""}
		rt := mustToken(t, d.tokenWith(passwordForm(), pub, d.valid(t).sign(t)))["refresh_token"].(string)
		other := d.valid(t)
		other.key = newECKey(t)
		mustToken(t, d.tokenWith(refreshForm(rt), pub, other.sign(t)))
	})
	dpopCase(FaultDPoPBearerAccepted, func(t *testing.T, d *dpopHarness) {
		d.ready(t)
		at := accepted(t, d, d.valid(t))["access_token"].(string)
		if r := d.resource("Bearer " + at); r.status != 200 {
			t.Errorf("bound token as Bearer: %d, want 200", r.status)
		}
		if r := d.resourceWith("DPoP "+at, ""); r.status != 401 {
			t.Errorf("DPoP scheme without a proof: %d, want 401", r.status)
		}
	})
}
