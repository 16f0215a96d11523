package refserver

// Faults of mutual TLS (RFC 8705; spec request.client_auth
// tls_client_auth, self_signed_tls_client_auth). Each bends one of the
// checks refserver/mtls.go makes.
var (
	FaultMTLSRefused = Fault{Name: "mtls-refused", Breaks: "RFC8705-2-CLIENT-AUTH",
		Doc: "a client's registered certificate does not authenticate it (invalid_client)"}
	FaultMTLSNoCertAccepted = Fault{Name: "mtls-no-cert-accepted", Breaks: "RFC8705-2-CERT-REQUIRED",
		Doc: "a request that names an mTLS client by client_id without any client certificate authenticates it"}
	FaultMTLSAnyCertAccepted = Fault{Name: "mtls-any-cert-accepted", Breaks: "RFC8705-2-CERT-MATCH",
		Doc: "any client certificate authenticates the client its client_id names"}
	FaultMTLSNoCnf = Fault{Name: "mtls-no-cnf", Breaks: "RFC8705-3.1-CNF-X5T",
		Doc: "introspection of a certificate-bound token shows no cnf x5t#S256"}
	FaultMTLSResourceUnbound = Fault{Name: "mtls-resource-unbound", Breaks: "RFC8705-3-RESOURCE-BINDING",
		Doc: "the protected resource accepts a certificate-bound token over a connection without that certificate"}
)

func init() {
	faults = append(faults, FaultMTLSRefused, FaultMTLSNoCertAccepted, FaultMTLSAnyCertAccepted, FaultMTLSNoCnf, FaultMTLSResourceUnbound)
}
