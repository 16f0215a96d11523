package probes

import (
	"net/http"

	"github.com/tokencert/tokencert/specs"
)

// BadDPoPProof is a DPoP proof (RFC 9449 §4) that must not be accepted:
// the dpop checks induce it, one defect at a time. RFC 9449 §5 has the
// authorization server answer with the error invalid_dpop_proof, an
// RFC 6749 §5.2 error (400).
var BadDPoPProof = &Condition{Name: "bad_dpop_proof",
	Doc:         "a DPoP proof with one defect: another `htm` or `htu`, a signature by a key other than its `jwk`, a private key in its `jwk`, a `typ` other than `dpop+jwt`, an `iat` an hour old, or a `jti` already used (sent by the `dpop` checks)",
	Title:       "an invalid DPoP proof is refused with invalid_dpop_proof",
	Fix:         "Validate every DPoP proof (RFC 9449 §4.3): `typ` `dpop+jwt`, a public `jwk` that verifies the signature, `htm` and `htu` matching the request, a recent `iat` and an unused `jti`; otherwise answer 400 `invalid_dpop_proof`.",
	Answer:      specs.ErrorCase{Codes: []string{"invalid_dpop_proof"}, Statuses: []int{http.StatusBadRequest}},
	Description: "the DPoP proof is invalid",
	Faults:      []string{"dpop-htm-unchecked", "dpop-htu-unchecked", "dpop-signature-unchecked", "dpop-private-key-accepted", "dpop-typ-unchecked", "dpop-iat-unchecked", "dpop-replay-accepted"},
}

// DPoPNonce is a DPoP proof without the nonce the server provided, or with
// another (RFC 9449 §8): the server answers use_dpop_nonce with the nonce
// to use in a DPoP-Nonce header.
var DPoPNonce = &Condition{Name: "dpop_nonce",
	Doc:         "a DPoP proof without the server's nonce, or with another (sent by the `dpop/nonce` and `dpop/nonce-match` checks; every DPoP request follows a nonce demand, at most twice in a row)",
	Title:       "a DPoP proof without the server's nonce is answered use_dpop_nonce",
	Fix:         "When the server requires DPoP nonces (RFC 9449 §8), answer a proof without the current nonce with 400 `use_dpop_nonce` and a `DPoP-Nonce` header, then accept a proof that carries that nonce.",
	Answer:      specs.ErrorCase{Codes: []string{"use_dpop_nonce"}, Statuses: []int{http.StatusBadRequest}},
	Description: "a DPoP nonce is required",
	Faults:      []string{"dpop-nonce-no-header", "dpop-nonce-loop", "dpop-nonce-unchecked"},
}

func init() { Conditions = append(Conditions, BadDPoPProof, DPoPNonce) }
