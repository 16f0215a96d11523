package probes

import (
	"net/http"

	"github.com/tokencert/tokencert/specs"
)

// BadClientCertificate is a client that names itself by client_id for
// mutual-TLS client authentication (RFC 8705 §2) without its certificate:
// none at all, or a self-signed one the server never registered. The mtls
// checks induce it; RFC 8705 §2 has the server answer invalid_client
// (RFC 6749 §5.2: 401, or 400 when no Authorization header was used).
var BadClientCertificate = &Condition{Name: "bad_client_certificate",
	Doc:         "a token request with the client's `client_id` and no client certificate in the TLS handshake, or a self-signed certificate no client registered (sent by the `mtls` checks)",
	Title:       "a client without its certificate is refused with invalid_client",
	Fix:         "For mutual-TLS client authentication (RFC 8705 §2), refuse a request without the client's registered certificate, or with a certificate it did not register, with `invalid_client`.",
	Answer:      specs.ErrorCase{Codes: []string{"invalid_client"}, Statuses: []int{http.StatusUnauthorized, http.StatusBadRequest}},
	Description: "the client certificate does not authenticate the client",
	Faults:      []string{"mtls-no-cert-accepted", "mtls-any-cert-accepted"},
}

func init() { Conditions = append(Conditions, BadClientCertificate) }
