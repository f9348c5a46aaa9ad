/*
 * keys.h - test helpers shared by the unit suites: keys generated at run
 * time (cached for the whole run), their JWK export, compact JWS signing
 * with EVP for every algorithm we accept, keysets built through
 * jwks_parse, and a hand-built struct world for decide and render.
 */
#ifndef KEYS_H
#define KEYS_H

#include <stddef.h>

#include <openssl/evp.h>

#include "endsession.h"

/* The fixed clock of every suite. */
#define TK_NOW		((time_t)1800000000)	/* 2027-01-15T08:00:00Z */

enum tk_kind {
	TK_RSA,		/* RSA 2048 */
	TK_RSA_B,	/* a second RSA 2048 key */
	TK_RSA1024,
	TK_P256,
	TK_P384,
	TK_P521,
	TK_P256_B,	/* a second P-256 key */
	TK_ED25519,
	TK__MAX
};

/* The key of that kind, generated on first use; owned by keys.c. */
EVP_PKEY	*tk_key(enum tk_kind);

/* malloc'd base64url of sz bytes. */
char		*tk_b64(const void *, size_t);
char		*tk_b64s(const char *);

/*
 * The public JWK of k as a JSON object text, malloc'd.  kid may be NULL;
 * extra (may be NULL) is appended as further members, e.g.
 * "\"alg\":\"PS256\"".
 */
char		*tk_jwk(enum tk_kind k, const char *kid, const char *extra);

/* A keyset from the JWK texts (NULL-terminated list), via jwks_parse. */
struct keyset	*tk_keyset(struct es_err *, ...);

/* Raw JWS signature (ECDSA as R||S) over data; malloc'd in *sig. */
int		 tk_sign(EVP_PKEY *, enum alg, const void *data, size_t sz,
		    unsigned char **sig, size_t *sigsz);

/*
 * A compact JWS: b64(hdr).b64(pay).b64(sig over the first two) with
 * key k under alg.  malloc'd.
 */
char		*tk_jws(enum tk_kind k, enum alg, const char *hdr,
		    const char *pay);
/* b64(hdr).b64(pay).b64(sig) with the given signature bytes. */
char		*tk_jws_raw(const char *hdr, const char *pay,
		    const void *sig, size_t sigsz);
/* An HS256 JWS keyed with secret (the "key confusion" attack). */
char		*tk_jws_hs256(const char *hdr, const char *pay,
		    const void *secret, size_t secretsz);
/* The SubjectPublicKeyInfo PEM of k, malloc'd. */
char		*tk_pem(enum tk_kind k);

/* malloc'd printf. */
char		*tk_fmt(const char *, ...) __attribute__((format(printf, 1, 2)));

/*
 * A struct world for decide/render, built by hand: issuer
 * "https://op.example", the clients JSON given, a keyset of the RSA
 * key (kid "rsa1") and the P-256 key (kid "ec1"), a 32-byte secret,
 * sid_cookie (may be NULL), one session cookie list (space-separated,
 * may be NULL), cookie_domain (may be NULL) and templates (NULL for no
 * tmplset).  Returns 1.  tk_world_free undoes it.
 */
int		 tk_world(struct world *, const char *clients,
		    const char *sid_cookie, const char *cookies,
		    const char *cookie_domain, const char *templates);
void		 tk_world_free(struct world *);

#endif
