package suites

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/tokencert/tokencert/grants"
	"github.com/tokencert/tokencert/probes"
	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/suites/wire"
)

// DPoP (RFC 9449): when a spec's tokens are DPoP tokens (response.token_type
// DPoP), every token request carries a DPoP proof made with an ES256 key
// generated for the run, and every presentation of an access token at the
// protected resource carries the DPoP scheme and a proof with its ath. A
// nonce the server demands (use_dpop_nonce, DPoP-Nonce, §8) is followed, at
// most maxNonceRetries times in a row.

func init() {
	register(&Kind{Name: "dpop", Arg: "bound|htm|htu|signature|private-key|typ|iat|replay|nonce|nonce-match|nonce-downgrade|refresh-key|bearer-downgrade", Plan: planDPoP,
		Defaults: map[string]string{
			"RFC9449-5-DPOP-BOUND": "bound", "RFC9449-4.3-HTM": "htm", "RFC9449-4.3-HTU": "htu", "RFC9449-4.3-SIGNATURE": "signature",
			"RFC9449-4.3-PUBLIC-JWK": "private-key", "RFC9449-4.3-TYP": "typ", "RFC9449-4.3-IAT-WINDOW": "iat",
			"RFC9449-11.1-JTI-REPLAY": "replay", "RFC9449-8-NONCE": "nonce", "RFC9449-4.3-NONCE-MATCH": "nonce-match",
			"RFC9449-11.3-NONCE-DOWNGRADE": "nonce-downgrade", "RFC9449-5-RT-KEY-BOUND": "refresh-key",
			"RFC9449-7.2-NO-BEARER-DOWNGRADE": "bearer-downgrade",
		},
		Fix: "Bind tokens to the client's DPoP key (RFC 9449): issue `token_type` `DPoP`; refuse a proof with a wrong `htm`, `htu`, `typ`, signature, a private `jwk`, a stale `iat` or a used `jti` with `invalid_dpop_proof`; demand and then accept nonces, and once one was provided refuse a proof without it (RFC 9449 §11.3); bind a public client's refresh token to its key; refuse the token presented as Bearer.",
		Doc: "where `response.token_type` is `DPoP` (RFC 9449), every request carries a proof by an ES256 key made for the run: a token request with a valid proof gets a token of type DPoP (`bound`); proofs with another `htm` or `htu`, a signature by another key, a private key in `jwk`, a `typ` other than `dpop+jwt`, an `iat` an hour old, or a used `jti` are refused as `bad_dpop_proof` (`invalid_dpop_proof`; an old `iat` may be accepted where the server manages freshness by its nonce); a nonce demand is `use_dpop_nonce` with a `DPoP-Nonce` header and the nonce is then accepted, within 3 demands (`nonce`), another nonce is refused (`nonce-match`), and so is a proof without a nonce once one was provided (`nonce-downgrade`, RFC 9449 §11.3; a nonce the server has since replaced, when it replaced one, is tried too, and its acceptance noted: §8 lets a server keep a window of recent nonces); a public client's refresh token (target key `public_client_id`) is refused with another key's proof (`refresh-key`); the protected resource refuses the bound token as a Bearer token (`bearer-downgrade`)"})
}

// authPublic identifies a public client by its client_id alone (RFC 6749
// §2.1, §3.2.1).
const authPublic = "public"

// maxNonceRetries bounds how often one request is resent with a nonce the
// server demanded: a server that never accepts its own nonces does not
// keep a run going.
const maxNonceRetries = 2

// dpopOn reports whether the spec's tokens are DPoP tokens.
func (e *Env) dpopOn() bool { return strings.EqualFold(e.Spec.Response.TokenType, "DPoP") }

// dpopState is the run's DPoP key, a second key for the other-key probes,
// and the nonces the servers provided, by origin.
type dpopState struct {
	once       sync.Once
	key, other *ecdsa.PrivateKey
	err        error

	mu     sync.Mutex
	nonces map[string]string
	// replaced are the nonces the servers replaced last, by origin.
	replaced map[string]string
}

var dpopStates sync.Map // *Env → *dpopState

func (e *Env) dpop() *dpopState {
	v, _ := dpopStates.LoadOrStore(e, &dpopState{nonces: map[string]string{}, replaced: map[string]string{}})
	st := v.(*dpopState)
	st.once.Do(func() {
		if st.key, st.err = newDPoPKey(e); st.err == nil {
			st.other, st.err = newDPoPKey(e)
		}
	})
	return st
}

// newDPoPKey makes an ES256 key; its private part is registered with the
// redactor, though no proof ever carries it.
func newDPoPKey(e *Env) (*ecdsa.PrivateKey, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("cannot make a DPoP key: %v", err)
	}
	registerDPoPKey(e, k)
	return k, nil
}

func registerDPoPKey(e *Env, k *ecdsa.PrivateKey) {
	if d, err := k.Bytes(); err == nil {
		e.Redactor.Add("dpop_key", base64.RawURLEncoding.EncodeToString(d))
	}
}

func (st *dpopState) nonce(origin string) string {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.nonces[origin]
}

func (st *dpopState) setNonce(origin, n string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if old := st.nonces[origin]; old != "" && old != n {
		st.replaced[origin] = old
	}
	st.nonces[origin] = n
}

// replacedNonce is the nonce the server at origin provided before its
// current one, or "".
func (st *dpopState) replacedNonce(origin string) string {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.replaced[origin]
}

// dpopEdit is what a probe changes in a valid proof.
type dpopEdit struct {
	htm, htu, typ string
	// iat is added to the proof's creation time.
	iat time.Duration
	// key signs the proof and is its jwk, instead of the run's key.
	key *ecdsa.PrivateKey
	// signer signs the proof while jwk stays the key's (a bad signature).
	signer *ecdsa.PrivateKey
	// privateJWK puts the private key in jwk.
	privateJWK bool
	// nonce, when set, is the nonce sent ("": none), and a nonce demand
	// is not followed.
	nonce *string
	// raw is a proof to send as it is (a replay); no nonce demand is
	// followed.
	raw string
	// sent receives the proof sent last.
	sent *string
}

// ecJWK is the JWK of an EC P-256 key (RFC 7518 §6.2), with its private
// part when private.
func ecJWK(k *ecdsa.PrivateKey, private bool) (map[string]string, error) {
	pub, err := k.PublicKey.ECDH()
	if err != nil {
		return nil, err
	}
	b := pub.Bytes() // 0x04 || X || Y
	enc := base64.RawURLEncoding
	m := map[string]string{"kty": "EC", "crv": "P-256", "x": enc.EncodeToString(b[1:33]), "y": enc.EncodeToString(b[33:65])}
	if private {
		d, err := k.Bytes()
		if err != nil {
			return nil, err
		}
		m["d"] = enc.EncodeToString(d)
	}
	return m, nil
}

// makeProof makes a DPoP proof (RFC 9449 §4.2) for method and uri: typ
// dpop+jwt, alg ES256, the key's public jwk; jti, htm, htu (without query
// and fragment), iat, and nonce and ath when given; then edits it. The
// proof is registered with the redactor before anything can print it.
func (e *Env) makeProof(method, uri, nonce, ath string, edit *dpopEdit) (string, error) {
	st := e.dpop()
	if st.err != nil {
		return "", st.err
	}
	if edit == nil {
		edit = &dpopEdit{}
	}
	key, typ, htm, htu := st.key, "dpop+jwt", method, htuOf(uri)
	if edit.key != nil {
		key = edit.key
	}
	if edit.typ != "" {
		typ = edit.typ
	}
	if edit.htm != "" {
		htm = edit.htm
	}
	if edit.htu != "" {
		htu = edit.htu
	}
	jwk, err := ecJWK(key, edit.privateJWK)
	if err != nil {
		return "", err
	}
	header, err := json.Marshal(map[string]any{"typ": typ, "alg": "ES256", "jwk": jwk})
	if err != nil {
		return "", err
	}
	claims := map[string]any{"jti": probes.Random(32), "htm": htm, "htu": htu, "iat": time.Now().Add(edit.iat).Unix()}
	if nonce != "" {
		claims["nonce"] = nonce
	}
	if ath != "" {
		claims["ath"] = ath
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(header) + "." + enc.EncodeToString(payload)
	signer := key
	if edit.signer != nil {
		signer = edit.signer
	}
	sig, err := signES256(signer, []byte(input))
	if err != nil {
		return "", err
	}
	proof := input + "." + enc.EncodeToString(sig)
	e.Redactor.Add("dpop_proof", proof)
	if d := jwk["d"]; d != "" {
		e.Redactor.Add("dpop_key", d)
	}
	return proof, nil
}

// signES256 signs input with ES256 (RFC 7518 §3.4: R || S, 32 bytes each).
func signES256(k *ecdsa.PrivateKey, input []byte) ([]byte, error) {
	h := sha256.Sum256(input)
	r, s, err := ecdsa.Sign(rand.Reader, k, h[:])
	if err != nil {
		return nil, err
	}
	out := make([]byte, 64)
	r.FillBytes(out[:32])
	s.FillBytes(out[32:])
	return out, nil
}

// htuOf is a URI without its query and fragment (RFC 9449 §4.2).
func htuOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.RawQuery, u.Fragment, u.RawFragment, u.ForceQuery = "", "", "", false
	return u.String()
}

func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Scheme + "://" + u.Host
}

// doDPoP sends a token request, with a DPoP proof when the spec's tokens
// are DPoP tokens.
func (e *Env) doDPoP(ctx context.Context, req wire.Request, edit *dpopEdit) *wire.Exchange {
	if !e.dpopOn() {
		return e.clientFor(ctx).Do(ctx, req)
	}
	return e.dpopDo(ctx, req, "", edit)
}

// dpopDo sends req with a DPoP proof (ath: the hash of the access token
// it presents, or ""), following the server's nonce demands at most
// maxNonceRetries times in a row.
func (e *Env) dpopDo(ctx context.Context, req wire.Request, ath string, edit *dpopEdit) *wire.Exchange {
	st := e.dpop()
	origin := originOf(req.URL)
	pinned := edit != nil && (edit.nonce != nil || edit.raw != "")
	for attempt := 0; ; attempt++ {
		nonce := st.nonce(origin)
		if edit != nil && edit.nonce != nil {
			nonce = *edit.nonce
		}
		proof := ""
		if edit != nil && edit.raw != "" {
			proof = edit.raw
		} else {
			var err error
			if proof, err = e.makeProof(req.Method, req.URL, nonce, ath, edit); err != nil {
				ex := &wire.Exchange{}
				ex.Label, ex.Started, ex.Err = req.Label, time.Now(), "not sent: cannot make the DPoP proof: "+err.Error()
				return ex
			}
		}
		if edit != nil && edit.sent != nil {
			*edit.sent = proof
		}
		r := req
		r.Header = req.Header.Clone()
		if r.Header == nil {
			r.Header = http.Header{}
		}
		r.Header.Set("DPoP", proof)
		ex := e.clientFor(ctx).Do(ctx, r)
		next, demanded := e.nonceDemand(ex)
		if next != "" {
			st.setNonce(origin, next)
		}
		switch {
		case !demanded || pinned:
			return ex
		case next == "":
			ex.Notes = append(ex.Notes, "the server demanded a DPoP nonce (use_dpop_nonce) but sent no DPoP-Nonce header to use (RFC 9449 §8)")
			return ex
		case attempt == maxNonceRetries:
			ex.Notes = append(ex.Notes, fmt.Sprintf("DPoP nonce loop: the server demanded a new nonce %d times in a row and accepted none of those it provided; tokencert stops there (RFC 9449 §8)", attempt+1))
			return ex
		}
	}
}

// nonceDemand reads a DPoP-Nonce header (RFC 9449 §8.1) and whether the
// answer demands a nonce: a refusal with the error use_dpop_nonce, in the
// body (token endpoint, §8) or the WWW-Authenticate challenge (resource,
// §9).
func (e *Env) nonceDemand(ex *wire.Exchange) (string, bool) {
	if !ex.OK() {
		return "", false
	}
	next := strings.TrimSpace(ex.Header().Get("DPoP-Nonce"))
	if ex.Status() < 400 || ex.Status() > 499 {
		return next, false
	}
	for _, v := range ex.Header().Values("WWW-Authenticate") {
		if strings.Contains(v, "use_dpop_nonce") {
			return next, true
		}
	}
	if m, err := ex.Object(); err == nil && m["error"] == "use_dpop_nonce" {
		return next, true
	}
	code, err := e.ErrorCode(ex)
	return next, err == nil && code == "use_dpop_nonce"
}

// presentToken presents an access token at the protected resource: with
// scheme "" the way the spec's tokens are presented (DPoP with a proof,
// else Bearer, RFC 6750 §2.1), else as scheme says.
func (e *Env) presentToken(ctx context.Context, label, token, scheme string) *wire.Exchange {
	if scheme == "" {
		scheme = "Bearer"
		if e.dpopOn() {
			scheme = "DPoP"
		}
	}
	req := wire.Request{Label: label, Method: http.MethodGet, URL: e.Target.Resource,
		Header: http.Header{"Authorization": {scheme + " " + token}}, Role: "protected resource"}
	if scheme != "DPoP" {
		return e.clientFor(ctx).Do(ctx, req)
	}
	sum := sha256.Sum256([]byte(token))
	return e.dpopDo(ctx, req, base64.RawURLEncoding.EncodeToString(sum[:]), nil)
}

type dpopProbe struct {
	name, title string
	edit        func(st *dpopState) (*dpopEdit, error)
}

func dpopFixed(edit dpopEdit) func(*dpopState) (*dpopEdit, error) {
	return func(*dpopState) (*dpopEdit, error) { return &edit, nil }
}

// dpopProbes are the defective proofs, by check argument.
var dpopProbes = map[string]dpopProbe{
	"htm": {"wrong-htm", "a DPoP proof whose htm is another HTTP method is refused", nil},
	"htu": {"wrong-htu", "a DPoP proof whose htu is another server's URI is refused", dpopFixed(dpopEdit{htu: "https://tokencert.invalid/token"})},
	"signature": {"other-signer", "a DPoP proof signed by a key other than its jwk is refused", func(st *dpopState) (*dpopEdit, error) {
		return &dpopEdit{signer: st.other}, nil
	}},
	"private-key": {"private-jwk", "a DPoP proof whose jwk carries the private key is refused", nil},
	"typ":         {"typ-jwt", "a DPoP proof of typ JWT instead of dpop+jwt is refused", dpopFixed(dpopEdit{typ: "JWT"})},
	"iat":         {"iat-hour-old", "a DPoP proof whose iat is an hour old is refused", dpopFixed(dpopEdit{iat: -time.Hour})},
}

func planDPoP(e *Env, req specs.Requirement) []Check {
	arg := checkArg(req)
	concern := Errors
	switch arg {
	case "bound", "nonce":
		concern = Fields
	case "refresh-key":
		concern = Refresh
	case "bearer-downgrade":
		concern = Security
	}
	c := Check{Req: req, Concern: concern, Variant: arg}
	if !e.dpopOn() {
		c.Title = "DPoP is judged"
		c.Run = func(t *T) {
			t.Skipf("spec %s's tokens are not DPoP tokens (response.token_type DPoP)", t.Env.Spec.Name)
		}
		return []Check{c}
	}
	switch arg {
	case "bound":
		c.Title, c.Run = "a token request with a valid DPoP proof gets a DPoP-bound token (token_type DPoP)", runDPoPBound
	case "replay":
		c.Title, c.Run = "a DPoP proof whose jti was already used is refused", runDPoPReplay
	case "nonce":
		c.Title, c.Run = "a nonce demand is use_dpop_nonce with a DPoP-Nonce header, and the nonce is then accepted", runDPoPNonce
	case "nonce-match":
		c.Title, c.Run = "a DPoP proof with a nonce other than the server's is refused", runDPoPNonceMatch
	case "nonce-downgrade":
		c.Title, c.Run = "once the server provided a DPoP nonce, a proof without it is refused", runDPoPNonceDowngrade
	case "refresh-key":
		c.Title, c.Run = "a public client's DPoP-bound refresh token is refused with another key's proof", runDPoPRefreshKey
	case "bearer-downgrade":
		c.Title, c.Run = "the protected resource refuses a DPoP-bound token presented as a Bearer token", runDPoPBearerDowngrade
	default:
		p, ok := dpopProbes[arg]
		if !ok {
			c.Title = "DPoP is judged"
			c.Run = func(t *T) {
				t.Errorf("requirement %s: check %q names no dpop probe (bound, htm, htu, signature, private-key, typ, iat, replay, nonce, nonce-match, nonce-downgrade, refresh-key, bearer-downgrade)", req.ID, req.Check)
			}
			return []Check{c}
		}
		c.Variant, c.Title = p.name, p.title
		c.Run = func(t *T) { runDPoPProbe(t, arg, p) }
	}
	return []Check{c}
}

// dpopReady skips a check the run cannot make and returns the grant to
// request; with needValid, it also skips when a valid proof is not
// accepted (a refusal would then show nothing).
func dpopReady(t *T, needValid bool) *grants.Grant {
	if err := t.Env.dpop().err; err != nil {
		t.Errorf("%v", err)
		t.Skipf("no DPoP key")
	}
	grant, u := t.Env.PrimaryGrant()
	if u != nil {
		t.Skip(u)
	}
	if needValid {
		needAccepted(t, grant, "", "a token request with a valid DPoP proof", "the bound check")
	}
	return grant
}

// sendDPoP sends a fresh valid request of grant with the proof edit
// describes.
func (e *Env) sendDPoP(t *T, grant *grants.Grant, label string, edit *dpopEdit) *wire.Exchange {
	ex := e.sendProof(t.Ctx, t.fresh(label, only(grant), obtainOpts{}), edit)
	t.Evidence(ex)
	return ex
}

// dpopError is the spec's error for a condition, else its RFC answer,
// with more codes accepted.
func (e *Env) dpopError(cond *probes.Condition, more ...string) specs.ErrorCase {
	ec, ok := e.Spec.Condition(cond.Name)
	if !ok {
		ec = cond.Answer
	}
	ec.Codes = append(append([]string(nil), ec.Codes...), more...)
	return ec
}

func runDPoPBound(t *T) {
	grant := dpopReady(t, false)
	ex := t.use(t.Env.tokenBy(t.Ctx, grant, ""))
	if !succeeded(ex) || ex.String(t.Env.Spec.Member("access_token")) == "" {
		t.Errorf("a token request with a valid DPoP proof got no token: %s", ex.Summary())
		return
	}
	if tt := ex.String(t.Env.Spec.Member("token_type")); !strings.EqualFold(tt, "DPoP") {
		t.Errorf("token_type %q, want DPoP: the token is not announced as bound to the proof's key (RFC 9449 §5)", tt)
	}
}

func runDPoPProbe(t *T, arg string, p dpopProbe) {
	grant := dpopReady(t, true)
	st := t.Env.dpop()
	var edit *dpopEdit
	switch arg {
	case "htm":
		edit = &dpopEdit{htm: http.MethodPut}
		if m := t.Env.Spec.Request.Method; m == http.MethodPut {
			edit.htm = http.MethodPost
		}
	case "private-key":
		k, err := newDPoPKey(t.Env)
		if err != nil {
			t.Errorf("%v", err)
			return
		}
		edit = &dpopEdit{key: k, privateJWK: true}
	default:
		var err error
		if edit, err = p.edit(st); err != nil {
			t.Errorf("could not make the proof: %v", err)
			return
		}
	}
	ex := t.Env.sendDPoP(t, grant, "DPoP proof: "+p.name, edit)
	if arg == "iat" && succeeded(ex) && st.nonce(originOf(t.Env.Target.Endpoint)) != "" {
		t.Skipf("the endpoint accepted a proof whose iat is an hour old; it provided a DPoP nonce, and RFC 9449 §4.3 (item 11) lets a server judge a proof's age by its nonce instead of iat")
	}
	expectError(t, ex, probes.BadDPoPProof, t.Env.dpopError(probes.BadDPoPProof))
}

func runDPoPReplay(t *T) {
	grant := dpopReady(t, true)
	var proof string
	first := t.Env.sendDPoP(t, grant, "DPoP proof, first use", &dpopEdit{sent: &proof})
	if !succeeded(first) {
		t.Skipf("the first use of the proof was refused, so its replay shows nothing: %s", first.Summary())
	}
	again := t.Env.sendDPoP(t, grant, "the same DPoP proof again (same jti)", &dpopEdit{raw: proof})
	// A server whose nonce moved on refuses the replay for that: also a
	// refusal of the replayed proof (RFC 9449 §11.1).
	expectError(t, again, probes.BadDPoPProof, t.Env.dpopError(probes.BadDPoPProof, "use_dpop_nonce"))
}

func runDPoPNonce(t *T) {
	// Not dpopReady(t, true): a server that never accepts its nonces
	// accepts no valid request either, and this check is the one to say
	// why.
	grant := dpopReady(t, false)
	none := ""
	ex := t.Env.sendDPoP(t, grant, "DPoP proof without a nonce", &dpopEdit{nonce: &none})
	if succeeded(ex) {
		t.Skipf("the endpoint accepted a proof without a nonce: it demands no DPoP nonce, which RFC 9449 §8 leaves to the server")
	}
	ec := t.Env.dpopError(probes.DPoPNonce)
	for i := 0; ; i++ {
		next, demanded := t.Env.nonceDemand(ex)
		if !demanded {
			if i == 0 {
				if valid := t.Env.tokenBy(t.Ctx, grant, ""); valid.ex == nil || !succeeded(valid.ex) {
					t.use(valid)
					t.Skipf("a token request with a valid DPoP proof is not accepted either, so this refusal shows nothing about nonces: %s", valid.ex.Summary())
				}
				t.Errorf("a valid proof without a nonce was refused, but not with use_dpop_nonce (RFC 9449 §8): %s", ex.Summary())
			} else {
				t.Errorf("a proof with the nonce the endpoint provided was refused: %s", ex.Summary())
			}
			return
		}
		expectError(t, ex, probes.DPoPNonce, ec)
		if next == "" {
			t.Errorf("use_dpop_nonce without a DPoP-Nonce header: the client has no nonce to use (RFC 9449 §8)")
			return
		}
		if i == maxNonceRetries {
			t.Errorf("DPoP nonce loop: the endpoint demanded a new nonce %d times in a row and accepted none of those it provided; tokencert stops there (RFC 9449 §8)", i+1)
			return
		}
		ex = t.Env.sendDPoP(t, grant, fmt.Sprintf("DPoP proof with the nonce provided (%d)", i+1), &dpopEdit{nonce: &next})
		if succeeded(ex) {
			return
		}
	}
}

// dpopNonceProvided skips a check whose proof only means something once
// the endpoint has provided a nonce, and returns the grant to request.
func dpopNonceProvided(t *T, what string) *grants.Grant {
	grant := dpopReady(t, true)
	if t.Env.dpop().nonce(originOf(t.Env.Target.Endpoint)) == "" {
		t.Skipf("the endpoint provided no DPoP nonce, so %s (RFC 9449 §8 leaves nonces to the server)", what)
	}
	return grant
}

func runDPoPNonceMatch(t *T) {
	grant := dpopNonceProvided(t, "there is none a proof could mismatch")
	wrong := "tokencert-wrong-nonce-" + probes.Random(16)
	ex := t.Env.sendDPoP(t, grant, "DPoP proof with another nonce", &dpopEdit{nonce: &wrong})
	expectError(t, ex, probes.DPoPNonce, t.Env.dpopError(probes.DPoPNonce, "invalid_dpop_proof"))
}

func runDPoPNonceDowngrade(t *T) {
	grant := dpopNonceProvided(t, "a proof without one downgrades nothing")
	st, origin := t.Env.dpop(), originOf(t.Env.Target.Endpoint)
	none := ""
	ex := t.Env.sendDPoP(t, grant, "DPoP proof without a nonce, after the endpoint provided one", &dpopEdit{nonce: &none})
	if succeeded(ex) {
		t.Errorf("the endpoint had provided a DPoP nonce and accepted a proof without one (RFC 9449 §11.3): %s", ex.Summary())
	} else {
		expectError(t, ex, probes.DPoPNonce, t.Env.dpopError(probes.DPoPNonce, "invalid_dpop_proof"))
	}
	old := st.replacedNonce(origin)
	if old == "" || old == st.nonce(origin) {
		t.Notef("the endpoint kept one nonce through the run, so no replaced nonce could be tried")
		return
	}
	again := t.Env.sendDPoP(t, grant, "DPoP proof with a nonce the endpoint has since replaced", &dpopEdit{nonce: &old})
	if succeeded(again) {
		t.Notef("a proof with a nonce the endpoint had replaced was accepted: RFC 9449 §8 lets a server keep a window of recent nonces")
	}
}

func runDPoPRefreshKey(t *T) {
	e := t.Env
	dpopReady(t, false)
	if e.Spec.Grant("refresh_token") == nil {
		t.Skipf("spec %s documents no refresh_token grant", e.Spec.Name)
	}
	if e.Target.PublicClientID == "" {
		t.Needf([]string{"public_client_id"}, "no public client to get a key-bound refresh token for (target key public_client_id)")
	}
	pub := e.Target.PublicClientID
	// The token source sends every request with a proof by the run's key
	// (key A).
	src := t.use(e.publicRefreshToken(t.Ctx, pub))
	rt := src.String(e.Spec.Member("refresh_token"))
	if !succeeded(src) || rt == "" {
		t.Skipf("the public client got no refresh token to probe: %s", src.Summary())
	}
	refresh := func(label string, edit *dpopEdit) *wire.Exchange {
		ps := []probes.Param{{Name: "grant_type", Value: "refresh_token"}, {Name: "refresh_token", Value: rt}}
		ex := e.sendProof(t.Ctx, probes.Request{Label: label, Params: ps, Auth: authPublic, ClientID: pub}, edit)
		t.Evidence(ex)
		return ex
	}
	other := refresh("refresh, public client, DPoP key B", &dpopEdit{key: e.dpop().other})
	if succeeded(other) {
		t.Errorf("a refresh token bound to one DPoP key was redeemed with a proof by another key (RFC 9449 §5): %s", other.Summary())
		return
	}
	own := refresh("refresh, public client, DPoP key A", nil)
	if !succeeded(own) {
		t.Skipf("the refresh token is refused with its own key too, so its refusal with another key shows nothing: %s", own.Summary())
	}
	// RFC 9449 names no error for the mismatch: invalid_grant (RFC 6749
	// §5.2) or invalid_dpop_proof.
	expectError(t, other, probes.BadDPoPProof, specs.ErrorCase{Codes: []string{"invalid_grant", "invalid_dpop_proof"}, Statuses: []int{http.StatusBadRequest, http.StatusUnauthorized}})
}

func runDPoPBearerDowngrade(t *T) {
	if t.Env.Target.Resource == "" {
		t.Needf([]string{"resource"}, "no protected resource to present the token to (target key resource)")
	}
	grant := dpopReady(t, true)
	e := t.Env
	expectUnboundRefused(t, grant, "DPoP-bound",
		func(token string) *wire.Exchange {
			return e.presentToken(t.Ctx, "DPoP-bound token with its proof at the protected resource", token, "DPoP")
		},
		func(token string) *wire.Exchange {
			return e.presentToken(t.Ctx, "DPoP-bound token as a Bearer token, no proof", token, "Bearer")
		},
		"presented as a Bearer token, without its proof (RFC 9449 §7.2)")
}
