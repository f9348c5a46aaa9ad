/*
 * jose.h - JWS signing and JWK export with OpenSSL 3, for the tests and
 * the token tool (tests/tools/mint.c).  Never linked into the endpoint.
 *
 * It signs whatever it is asked to, including what the endpoint must
 * refuse: an HS* signature keyed with any bytes (e.g. an RSA public key
 * PEM, RFC 8725 section 2.1) and an alg "none" token (RFC 7519 section 6).
 */
#ifndef JOSE_H
#define JOSE_H

#include <stddef.h>

#include <openssl/evp.h>

struct buf;

/*
 * The JWS signature (RFC 7515 section 5.1) of data under the algorithm
 * named alg (RFC 7518 section 3.1, RFC 8037 section 3.1): RS*, PS*, ES*
 * (R||S, RFC 7518 section 3.4) and EdDSA with the private key pk; HS*
 * with the secret bytes; "none" gives an empty signature.  *sig is
 * malloc'd.  Returns 1, or 0 (OpenSSL's error queued) on failure or an
 * unknown alg.
 */
int	jose_sign(const char *alg, EVP_PKEY *pk, const void *secret,
	    size_t secretsz, const void *data, size_t sz,
	    unsigned char **sig, size_t *sigsz);

/*
 * Appends the public members of pk's JWK (RFC 7517 section 4, RFC 7518
 * section 6, RFC 8037 section 2) to b, without braces: "kty":"RSA","n",
 * "e"; "kty":"EC","crv" (P-256, P-384, P-521),"x","y"; "kty":"OKP",
 * "crv":"Ed25519","x".  Returns 1, 0 on an OpenSSL failure, -1 if the key
 * type or curve has no JWK here.
 */
int	jose_jwk(struct buf *b, const EVP_PKEY *pk);

/* Appends the base64url (RFC 7515 section 2) of sz bytes to b. */
void	jose_b64(struct buf *b, const void *p, size_t sz);

#endif
