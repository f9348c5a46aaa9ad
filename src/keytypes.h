/*
 * keytypes.h - the insides of the key types that endsession.h keeps opaque,
 * for the two modules that build and use them (jwks.c: public keys for
 * hints; sign.c: the provider's private keys for logout tokens) and for
 * tests and benchmarks that look at a converted key.  Every other module
 * goes through the functions in endsession.h and never sees OpenSSL.
 */
#ifndef KEYTYPES_H
#define KEYTYPES_H

#include <openssl/types.h>

#include "endsession.h"

struct key {
	char		*kid;		/* NULL when the JWK has none */
	const char	*kty;		/* "RSA", "EC" or "OKP" */
	unsigned	 algs;		/* bit (1u << alg) per allowed alg */
	int		 bits;		/* key size */
	EVP_PKEY	*pk;		/* converted once, at load */
	EVP_MD_CTX	*vctx[ALG__MAX]; /* verify set up once, copied per use */
};

struct keyset {
	struct key	*keys;
	size_t		 n;
	size_t		 skipped;	/* JWKs not usable for hints */
};

struct skey {
	char		*kid;		/* NULL when neither JWK has one */
	const char	*kty;
	unsigned	 algs;		/* bit (1u << alg) per allowed alg */
	EVP_PKEY	*pk;
	EVP_MD_CTX	*sctx[ALG__MAX]; /* sign set up once, copied per use */
};

struct signer {
	struct skey	*keys;
	size_t		 n;
};

/* The digest of a JWS algorithm (RFC 7518 3.1), NULL for EdDSA. */
const EVP_MD	*jose_md(enum alg);
/* PS256/384/512: PSS with MGF1 and salt = digest length; others: nothing. */
int		 jose_pss(EVP_PKEY_CTX *, enum alg);

#endif
