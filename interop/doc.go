// Package interop certifies token servers that others wrote: it starts
// github.com/ory/fosite and github.com/go-oauth2/oauth2/v4 in-process on
// 127.0.0.1, runs tokencert's rfc6749 suite against each, and pins every
// verdict that is not a pass (docs/interop.md explains each one).
package interop
