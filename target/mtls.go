package target

// Client authentication by mutual TLS (RFC 8705 §2): the client presents
// its certificate in the TLS handshake (target keys client_cert and
// client_key) and names itself with client_id; the server matches the
// certificate to the client by its subject (tls_client_auth, a PKI-issued
// certificate) or by the certificate registered for it
// (self_signed_tls_client_auth). On the wire both look the same.
const (
	AuthTLSClientAuth = "tls_client_auth"
	AuthSelfSignedTLS = "self_signed_tls_client_auth"
)

func init() { AuthMethods = append(AuthMethods, AuthTLSClientAuth, AuthSelfSignedTLS) }
