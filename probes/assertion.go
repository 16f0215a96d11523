package probes

import (
	"net/http"

	"github.com/tokencert/tokencert/specs"
)

// BadClientAssertion is a JWT client assertion (RFC 7523 §2.2) that must
// not authenticate the client. The client-assertion checks induce it, one
// defect at a time; RFC 7523 §3.2 has the server answer invalid_client, with
// 401 or 400 (RFC 6749 §5.2: the client did not use the Authorization
// header).
var BadClientAssertion = &Condition{Name: "bad_client_assertion",
	Doc:         "a JWT client assertion with one defect: an `aud` that is not the server, an `exp` an hour past, `iss` or `sub` missing or not the client, `alg: none`, a signature by another key, or a `jti` already used (sent by the `client-assertion` checks)",
	Title:       "an invalid client assertion is refused with invalid_client",
	Fix:         "Validate every client assertion (RFC 7523 §3): `aud` names this server, `exp` is in the future, `iss` and `sub` are the client, the signature verifies with the client's registered key (never `alg: none`), and its `jti` has not been used; otherwise answer `invalid_client`.",
	Answer:      specs.ErrorCase{Codes: []string{"invalid_client"}, Statuses: []int{http.StatusUnauthorized, http.StatusBadRequest}},
	Description: "the client assertion is invalid",
	Faults:      []string{"assertion-aud-unchecked", "assertion-exp-unchecked", "assertion-iss-sub-unchecked", "assertion-alg-none-accepted", "assertion-signature-unchecked", "assertion-replay-accepted"},
}

func init() { Conditions = append(Conditions, BadClientAssertion) }
