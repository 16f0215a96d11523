package refserver

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/tokencert/tokencert/probes"
	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/target"
)

// DPoP (RFC 9449), served when the spec's tokens are DPoP tokens
// (response.token_type DPoP): every token request needs a valid proof
// (§4.3), whose key the access token is bound to (§5, introspection
// cnf.jkt, §6.2); the token endpoint demands a nonce (§8); a public
// client's refresh token is bound to the key too (§5); the protected
// resource wants the DPoP scheme and a proof with the token's hash (§7).

// dpopWindow is how far a proof's iat may be from now (RFC 9449 §11.1:
// "a relatively brief period on the order of seconds or minutes").
const dpopWindow = 5 * time.Minute

// dpopServer is the server's DPoP state.
type dpopServer struct {
	// publicID is the public client (no secret), registered when the spec
	// has the password grant: the one grant it can get a refresh token by.
	publicID string

	mu    sync.Mutex
	nonce string
	// provided: a nonce was sent in a DPoP-Nonce header.
	provided bool
	used     map[string]time.Time // htm htu jti → iat
}

func newDPoPServer(s *Server) *dpopServer {
	if !s.dpopOn() {
		return nil
	}
	d := &dpopServer{nonce: randomToken(), used: map[string]time.Time{}}
	if s.spec.Grant("password") != nil {
		d.publicID = "tokencert-public-" + randomToken()[:12]
	}
	return d
}

// dpopOn reports whether the spec's tokens are DPoP tokens.
func (s *Server) dpopOn() bool { return strings.EqualFold(s.spec.Response.TokenType, "DPoP") }

// dpopTarget gives the target the public client.
func (s *Server) dpopTarget(t *target.Target) {
	if s.dpop != nil {
		t.PublicClientID = s.dpop.publicID
	}
}

// tokenType is the token_type of success responses: the spec's, Bearer
// under FaultDPoPBearerIssued.
func (s *Server) tokenType() string {
	if s.dpopOn() && s.has(FaultDPoPBearerIssued) {
		return "Bearer"
	}
	return s.spec.Response.TokenType
}

// accessKey is the key an access token issued for req is bound to.
func (s *Server) accessKey(req *tokenRequest) string {
	if s.has(FaultDPoPBearerIssued) {
		return ""
	}
	return req.jkt
}

// refreshKey is the key a refresh token issued for req is bound to: the
// proof's key for a public client (RFC 9449 §5), none for a confidential
// one (already bound to its credentials).
func (s *Server) refreshKey(req *tokenRequest, g *grant) string {
	if s.dpop == nil || g.client != s.dpop.publicID || s.dpop.publicID == "" {
		return ""
	}
	return req.jkt
}

// refreshKeyMatches refuses a bound refresh token redeemed with a proof by
// another key.
func (s *Server) refreshKeyMatches(rec refreshRecord, req *tokenRequest) *apiError {
	if rec.jkt == "" || rec.jkt == req.jkt || s.has(FaultDPoPRTUnbound) {
		return nil
	}
	return fail(probes.BadRefreshToken).withDescription("the refresh token is bound to another DPoP key")
}

// isPublicClient reports whether a request without client credentials
// identifies the public client by client_id (RFC 6749 §3.2.1).
func (s *Server) isPublicClient(r *http.Request, req *tokenRequest) bool {
	if s.dpop == nil || s.dpop.publicID == "" || req.get("client_secret") != "" || r.Header.Get("Authorization") != "" {
		return false
	}
	return req.get("client_id") == s.dpop.publicID
}

// authPublic is the "method" of a public client: its client_id alone.
const authPublic = "public"

// unauthorizedClient: the client may not use the grant (RFC 6749 §5.2).
var unauthorizedClient = &probes.Condition{Name: "unauthorized_client", Answer: specs.ErrorCase{Codes: []string{"unauthorized_client"}, Statuses: []int{http.StatusBadRequest}},
	Description: "a public client may not use this grant"}

// publicClientGrant refuses the client_credentials grant to a public
// client (RFC 6749 §4.4: confidential clients only).
func (s *Server) publicClientGrant(method, grantType string) *apiError {
	if method == authPublic && grantType == "client_credentials" {
		return fail(unauthorizedClient)
	}
	return nil
}

type proofKeyCtx struct{}

// proofKey is the thumbprint tokenDPoP put in the request's context.
func proofKey(r *http.Request) string {
	k, _ := r.Context().Value(proofKeyCtx{}).(string)
	return k
}

// tokenDPoP checks a token request's DPoP proof and returns the request
// with the proof's key thumbprint in its context. A proof without the
// current nonce is answered use_dpop_nonce with a DPoP-Nonce header (§8).
func (s *Server) tokenDPoP(w http.ResponseWriter, r *http.Request) (*http.Request, *apiError) {
	if s.dpop == nil {
		return r, nil
	}
	vals := r.Header.Values("DPoP")
	switch {
	case len(vals) == 0:
		return r, fail(probes.BadDPoPProof).withDescription("a DPoP proof is required")
	case len(vals) > 1:
		return r, fail(probes.BadDPoPProof).withDescription("more than one DPoP header")
	}
	p, why := s.verifyProof(vals[0], r.Method, s.tokenURL(r), "")
	if why != "" {
		return r, fail(probes.BadDPoPProof).withDescription("the DPoP proof is invalid: " + why)
	}
	if s.usesNonce() && !s.dpop.nonceOK(p.Nonce, s.has(FaultDPoPNonceUnchecked), s.has(FaultDPoPNonceLoop), s.has(FaultDPoPNonceDowngrade)) {
		if !s.has(FaultDPoPNonceNoHeader) {
			w.Header().Set("DPoP-Nonce", s.dpop.provide())
		}
		return r, fail(probes.DPoPNonce)
	}
	if !s.dpop.fresh(p, s.has(FaultDPoPReplayAccepted)) {
		return r, fail(probes.BadDPoPProof).withDescription("the DPoP proof was used before")
	}
	return r.WithContext(context.WithValue(r.Context(), proofKeyCtx{}, p.jkt)), nil
}

// usesNonce: the token endpoint demands nonces (not under
// FaultDPoPIatUnchecked, whose server judges freshness by nothing).
func (s *Server) usesNonce() bool { return !s.has(FaultDPoPIatUnchecked) }

// provide returns the current nonce, to send in a DPoP-Nonce header.
func (d *dpopServer) provide() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.provided = true
	return d.nonce
}

// nonceOK compares a proof's nonce with the current one; loop: a new
// nonce is made first, so none is ever accepted; downgrade: a proof
// without a nonce is accepted once one was provided (RFC 9449 §11.3).
func (d *dpopServer) nonceOK(n string, anyNonce, loop, downgrade bool) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if loop {
		d.nonce = randomToken()
	}
	if downgrade && n == "" && d.provided {
		return true
	}
	if anyNonce {
		return n != ""
	}
	return n == d.nonce
}

// fresh records a proof's jti for its URI and method; false when it was
// seen within the window (RFC 9449 §11.1).
func (d *dpopServer) fresh(p *dpopProof, replayOK bool) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := time.Now()
	for k, t := range d.used {
		if now.Sub(t) > 2*dpopWindow {
			delete(d.used, k)
		}
	}
	key := p.Htm + " " + p.Htu + " " + p.Jti
	if _, seen := d.used[key]; seen && !replayOK {
		return false
	}
	d.used[key] = now
	return true
}

// dpopProof is a DPoP proof's claims and key thumbprint.
type dpopProof struct {
	Jti   string       `json:"jti"`
	Htm   string       `json:"htm"`
	Htu   string       `json:"htu"`
	Iat   *json.Number `json:"iat"`
	Nonce string       `json:"nonce"`
	Ath   string       `json:"ath"`
	jkt   string
}

// verifyProof checks a proof as RFC 9449 §4.3 lists (but the nonce and
// the jti, which the caller checks): one well-formed JWS; typ dpop+jwt;
// alg ES256 (the one this server supports, never none); a public jwk
// whose key verifies the signature; htm and htu those of the request;
// iat within dpopWindow; ath the hash of the presented token, when one is.
// It returns the proof, or why it is refused (NQSCHAR).
func (s *Server) verifyProof(raw, method, uri, token string) (*dpopProof, string) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil, "not a JWS compact serialization"
	}
	enc := base64.RawURLEncoding
	var header struct {
		Typ string                     `json:"typ"`
		Alg string                     `json:"alg"`
		JWK map[string]json.RawMessage `json:"jwk"`
	}
	if hb, err := enc.DecodeString(parts[0]); err != nil || json.Unmarshal(hb, &header) != nil {
		return nil, "the JOSE header does not decode"
	}
	if header.Typ != "dpop+jwt" && !s.has(FaultDPoPTypUnchecked) {
		return nil, "typ is not dpop+jwt"
	}
	if header.Alg != "ES256" {
		return nil, "alg is not ES256"
	}
	if _, private := header.JWK["d"]; private && !s.has(FaultDPoPPrivateKeyAccepted) {
		return nil, "the jwk contains a private key"
	}
	delete(header.JWK, "d")
	jb, _ := json.Marshal(header.JWK)
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(jb); err != nil {
		return nil, "the jwk is not a valid public key"
	}
	pub, ok := jwk.Key.(*ecdsa.PublicKey)
	if !ok {
		return nil, "the jwk is not an EC P-256 key"
	}
	sig, err := enc.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		return nil, "the signature is not an ES256 signature"
	}
	h := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if !ecdsa.Verify(pub, h[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) && !s.has(FaultDPoPSignatureUnchecked) {
		return nil, "the signature does not verify with the jwk"
	}
	var p dpopProof
	pb, err := enc.DecodeString(parts[1])
	if err != nil || json.Unmarshal(pb, &p) != nil {
		return nil, "the claims do not decode"
	}
	if p.Jti == "" || p.Htm == "" || p.Htu == "" || p.Iat == nil {
		return nil, "jti, htm, htu and iat are required"
	}
	if p.Htm != method && !s.has(FaultDPoPHtmUnchecked) {
		return nil, "htm is not the request method"
	}
	if !sameHTU(p.Htu, uri) && !s.has(FaultDPoPHtuUnchecked) {
		return nil, "htu is not the request URI"
	}
	iat, err := p.Iat.Float64()
	if err != nil {
		return nil, "iat is not a number"
	}
	if d := s.now().Sub(time.Unix(int64(iat), 0)); (d > dpopWindow || d < -dpopWindow) && !s.has(FaultDPoPIatUnchecked) {
		return nil, "iat is outside the acceptable window"
	}
	if token != "" {
		sum := sha256.Sum256([]byte(token))
		if p.Ath != enc.EncodeToString(sum[:]) {
			return nil, "ath is not the hash of the access token"
		}
	}
	tp, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, "the jwk has no thumbprint"
	}
	p.jkt = enc.EncodeToString(tp)
	return &p, ""
}

// sameHTU compares URIs without query and fragment, scheme and host
// case-insensitively (RFC 9449 §4.3 item 9, RFC 3986 §6.2.2).
func sameHTU(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	if err1 != nil || err2 != nil {
		return false
	}
	return strings.EqualFold(ua.Scheme, ub.Scheme) && strings.EqualFold(ua.Host, ub.Host) && ua.EscapedPath() == ub.EscapedPath()
}

// presentedToken reads the access token of the Authorization header:
// Bearer (RFC 6750 §2.1), or DPoP (RFC 9449 §7.1) when tokens are DPoP
// tokens; the scheme is matched case-insensitively.
func (s *Server) presentedToken(r *http.Request) (token, scheme string, ok bool) {
	if t, ok := bearerToken(r); ok {
		return t, "Bearer", true
	}
	sch, t, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if s.dpop != nil && strings.EqualFold(sch, "DPoP") {
		return strings.TrimSpace(t), "DPoP", true
	}
	return "", "", false
}

// resourceBinding says why the resource refuses a known, valid token as it
// was presented, or "": a DPoP-bound token needs the DPoP scheme and a
// proof by its key for this request, with its hash (RFC 9449 §7.1, §4.3
// item 12); presented as a Bearer token it is refused (§7.2).
func (s *Server) resourceBinding(r *http.Request, rec accessRecord, token, scheme string) string {
	if why := s.resourceMTLS(r, rec); why != "" {
		return why
	}
	if rec.jkt == "" {
		return ""
	}
	if scheme != "DPoP" {
		if s.has(FaultDPoPBearerAccepted) {
			return ""
		}
		return "the access token is DPoP-bound and was presented without its proof"
	}
	vals := r.Header.Values("DPoP")
	if len(vals) != 1 {
		return "one DPoP proof is required"
	}
	p, why := s.verifyProof(vals[0], r.Method, s.issuerURL(r)+r.URL.Path, token)
	if why != "" {
		return "the DPoP proof is invalid: " + why
	}
	if p.jkt != rec.jkt {
		return "the DPoP proof is not by the key the access token is bound to"
	}
	if !s.dpop.fresh(p, s.has(FaultDPoPReplayAccepted)) {
		return "the DPoP proof was used before"
	}
	return ""
}
