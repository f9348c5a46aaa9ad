/*
 * jwks.c - the provider's public keys (docs/design.md section 5): a JWK Set
 * (RFC 7517) of RSA, EC (P-256/384/521) and Ed25519 (RFC 8037) keys,
 * each converted once into an OpenSSL EVP_PKEY with the set of
 * algorithms it may verify, and the JWS signature check itself
 * (RFC 7515, RFC 7518 section 3) with those cached keys.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "keytypes.h"

const char *const alg_names[ALG__MAX] = {
	"RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
	"ES256", "ES384", "ES512", "EdDSA",
};

#define RSA_ALGS	((1u << ALG_RS256) | (1u << ALG_RS384) | \
			 (1u << ALG_RS512) | (1u << ALG_PS256) | \
			 (1u << ALG_PS384) | (1u << ALG_PS512))

enum alg
alg_find(const char *s, size_t sz)
{
	size_t	 i;

	for (i = 0; i < ALG__MAX; i++)
		if (strlen(alg_names[i]) == sz &&
		    memcmp(alg_names[i], s, sz) == 0)
			return (enum alg)i;
	return ALG__MAX;
}

/* Decodes a base64url member into a malloc'd buffer. */
static unsigned char *
member_bytes(const struct json *jwk, const char *name, size_t *sz)
{
	const struct json	*m;
	unsigned char		*p;

	if ((m = json_get(jwk, name)) == NULL || m->type != JSON_STRING ||
	    m->sz == 0)
		return NULL;
	if ((p = malloc(b64url_decsz(m->sz) + 1)) == NULL)
		return NULL;
	if (!b64url_decode(m->s, m->sz, p, b64url_decsz(m->sz) + 1, sz)) {
		free(p);
		return NULL;
	}
	return p;
}

static EVP_PKEY *
fromdata(const char *type, OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM	*params = NULL;
	EVP_PKEY_CTX	*ctx = NULL;
	EVP_PKEY	*pk = NULL;

	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pk = NULL;
	OSSL_PARAM_free(params);
	EVP_PKEY_CTX_free(ctx);
	return pk;
}

/* An RSA key of at least 2048 bits, minimal encodings (libraries.md 3). */
static EVP_PKEY *
rsa_key(const struct json *jwk, struct key *k, enum jwks_check chk,
    const char **why)
{
	unsigned char	*n = NULL, *e = NULL;
	size_t		 nsz, esz;
	BIGNUM		*bn = NULL, *be = NULL;
	OSSL_PARAM_BLD	*bld = NULL;
	EVP_PKEY	*pk = NULL;
	EVP_PKEY_CTX	*ctx = NULL;
	int		 ok = 0;

	if ((n = member_bytes(jwk, "n", &nsz)) == NULL ||
	    (e = member_bytes(jwk, "e", &esz)) == NULL) {
		*why = "n or e missing or not base64url";
		goto out;
	}
	if (n[0] == 0 || e[0] == 0) {
		*why = "n or e has leading zero bytes";
		goto out;
	}
	if (nsz < 256 || nsz > 2048) {
		*why = "RSA modulus shorter than 2048 bits or too long";
		goto out;
	}
	if (esz > 8) {
		*why = "RSA exponent too long";
		goto out;
	}
	if ((bn = BN_bin2bn(n, (int)nsz, NULL)) == NULL ||
	    (be = BN_bin2bn(e, (int)esz, NULL)) == NULL ||
	    (bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be) ||
	    (pk = fromdata("RSA", bld)) == NULL) {
		*why = "not a valid RSA public key";
		goto out;
	}
	/*
	 * fromdata takes e=2 (libraries.md 3): an RSA modulus is odd, its
	 * exponent odd and at least 3.  The full public key check adds a
	 * primality test of n, 3 ms a key; it runs for --check.
	 */
	if (!(n[nsz - 1] & 1) || !(e[esz - 1] & 1) || (esz == 1 && e[0] < 3)) {
		*why = "RSA modulus or exponent even, or exponent below 3";
		goto out;
	}
	if (chk == JWKS_FULL &&
	    ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL)) == NULL ||
	    EVP_PKEY_public_check(ctx) != 1)) {
		*why = "RSA public key check failed";
		goto out;
	}
	if ((k->bits = EVP_PKEY_get_bits(pk)) < 2048) {
		*why = "RSA modulus shorter than 2048 bits";
		goto out;
	}
	k->algs = RSA_ALGS;
	ok = 1;
out:
	if (!ok) {
		EVP_PKEY_free(pk);
		pk = NULL;
	}
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn);
	BN_free(be);
	free(n);
	free(e);
	return pk;
}

/* An EC key; its curve fixes its one algorithm (RFC 7518 3.4). */
static EVP_PKEY *
ec_key(const struct json *jwk, struct key *k, const char **why)
{
	static const struct {
		const char	*crv;
		size_t		 len;
		enum alg	 alg;
	} curves[] = {
		{ "P-256", 32, ALG_ES256 },
		{ "P-384", 48, ALG_ES384 },
		{ "P-521", 66, ALG_ES512 },
	};
	const struct json	*crv;
	unsigned char		*x = NULL, *y = NULL, pt[1 + 2 * 66];
	size_t			 xsz, ysz, i;
	OSSL_PARAM_BLD		*bld = NULL;
	EVP_PKEY		*pk = NULL;

	if ((crv = json_get(jwk, "crv")) == NULL || crv->type != JSON_STRING) {
		*why = "crv missing";
		return NULL;
	}
	for (i = 0; i < sizeof(curves) / sizeof(curves[0]); i++)
		if (strcmp(crv->s, curves[i].crv) == 0)
			break;
	if (i == sizeof(curves) / sizeof(curves[0])) {
		*why = NULL;	/* a curve we do not use: skipped */
		return NULL;
	}
	if ((x = member_bytes(jwk, "x", &xsz)) == NULL ||
	    (y = member_bytes(jwk, "y", &ysz)) == NULL ||
	    xsz != curves[i].len || ysz != curves[i].len) {
		*why = "x or y missing, not base64url or not the curve's size";
		goto out;
	}
	pt[0] = 0x04;
	memcpy(pt + 1, x, xsz);
	memcpy(pt + 1 + xsz, y, ysz);
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	    curves[i].crv, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
	    pt, 1 + xsz + ysz) ||
	    (pk = fromdata("EC", bld)) == NULL) {
		*why = "not a valid EC public key (point not on the curve?)";
		goto out;
	}
	k->algs = 1u << curves[i].alg;
	k->bits = EVP_PKEY_get_bits(pk);
out:
	OSSL_PARAM_BLD_free(bld);
	free(x);
	free(y);
	return pk;
}

/* An Ed25519 key (RFC 8037); Ed448 and X25519 are skipped. */
static EVP_PKEY *
okp_key(const struct json *jwk, struct key *k, const char **why)
{
	const struct json	*crv;
	unsigned char		*x;
	size_t			 xsz;
	EVP_PKEY		*pk;

	if ((crv = json_get(jwk, "crv")) == NULL || crv->type != JSON_STRING) {
		*why = "crv missing";
		return NULL;
	}
	if (strcmp(crv->s, "Ed25519") != 0) {
		*why = NULL;
		return NULL;
	}
	if ((x = member_bytes(jwk, "x", &xsz)) == NULL || xsz != 32) {
		free(x);
		*why = "x missing, not base64url or not 32 bytes";
		return NULL;
	}
	if ((pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, x,
	    xsz)) == NULL)
		*why = "not a valid Ed25519 public key";
	free(x);
	k->algs = 1u << ALG_EDDSA;
	k->bits = 256;
	return pk;
}

/*
 * Whether a JWK is meant for verifying signatures: "use" absent or
 * "sig", "key_ops" absent or naming "verify".
 */
static int
for_signatures(const struct json *jwk)
{
	const struct json	*use, *ops;
	size_t			 i;

	if ((use = json_get(jwk, "use")) != NULL &&
	    (use->type != JSON_STRING || strcmp(use->s, "sig") != 0))
		return 0;
	if ((ops = json_get(jwk, "key_ops")) != NULL) {
		if (ops->type != JSON_ARRAY)
			return 0;
		for (i = 0; i < ops->sz; i++)
			if (ops->v[i].type == JSON_STRING &&
			    strcmp(ops->v[i].s, "verify") == 0)
				return 1;
		return 0;
	}
	return 1;
}

static int	 key_contexts(struct key *);
static void	 key_free(struct key *);

/*
 * The JWK members read (RFC 7517 section 4, RFC 7518 section 6); the
 * rest, private members included, are checked, then skipped.
 */
static const struct json_keep jwk_keep[] = {
	{ "kty", NULL },
	{ "kid", NULL },
	{ "alg", NULL },
	{ "use", NULL },
	{ "key_ops", NULL },
	{ "crv", NULL },
	{ "n", NULL },
	{ "e", NULL },
	{ "x", NULL },
	{ "y", NULL },
	{ NULL, NULL }
};

static const struct json_keep jwks_keep[] = {
	{ "keys", jwk_keep },
	{ NULL, NULL }
};

struct keyset *
jwks_parse(const char *buf, size_t sz, const char *path, enum jwks_check chk,
    struct es_err *err)
{
	struct arena		 jar = { NULL };
	struct keyset		*ks = NULL;
	const struct json	*root, *list, *jwk, *kty, *kid, *alg;
	struct key		*k;
	char			 msg[128];
	const char		*why;
	size_t			 erroff, i, j;
	enum alg		 a;
	int			 rc = 0;

	if ((root = json_parse_keep(&jar, jwks_keep, buf, sz, &erroff, msg,
	    sizeof(msg))) == NULL) {
		err_set(err, path, line_of(buf, sz, erroff), "%s", msg);
		goto out;
	}
	if ((list = json_get(root, "keys")) == NULL ||
	    list->type != JSON_ARRAY) {
		err_set(err, path, line_of(buf, sz, root->off),
		    "$.keys: expected an array of keys (a JWK Set)");
		goto out;
	}
	if (list->sz > LIM_KEYS) {
		err_set(err, path, 0, "more than %d keys", LIM_KEYS);
		goto out;
	}
	if ((ks = calloc(1, sizeof(*ks))) == NULL ||
	    (ks->keys = calloc(list->sz + 1, sizeof(*ks->keys))) == NULL) {
		err_set(err, path, 0, "out of memory");
		goto out;
	}
	for (i = 0; i < list->sz; i++) {
		jwk = &list->v[i];
		k = &ks->keys[ks->n];
		why = NULL;
		if (jwk->type != JSON_OBJECT ||
		    (kty = json_get(jwk, "kty")) == NULL ||
		    kty->type != JSON_STRING) {
			err_set(err, path, line_of(buf, sz, jwk->off),
			    "$.keys[%zu]: not a JWK (no kty)", i);
			goto out;
		}
		kid = json_get(jwk, "kid");
		if (kid != NULL && (kid->type != JSON_STRING || kid->sz == 0)) {
			err_set(err, path, line_of(buf, sz, kid->off),
			    "$.keys[%zu].kid: not a non-empty string", i);
			goto out;
		}
		alg = json_get(jwk, "alg");
		if (alg != NULL && alg->type != JSON_STRING) {
			err_set(err, path, line_of(buf, sz, alg->off),
			    "$.keys[%zu].alg: not a string", i);
			goto out;
		}
		if (!for_signatures(jwk)) {
			ks->skipped++;
			continue;
		}
		if (strcmp(kty->s, "RSA") == 0) {
			k->kty = "RSA";
			k->pk = rsa_key(jwk, k, chk, &why);
		} else if (strcmp(kty->s, "EC") == 0) {
			k->kty = "EC";
			k->pk = ec_key(jwk, k, &why);
		} else if (strcmp(kty->s, "OKP") == 0) {
			k->kty = "OKP";
			k->pk = okp_key(jwk, k, &why);
		}
		if (k->pk == NULL && why != NULL) {
			ERR_clear_error();
			err_set(err, path, line_of(buf, sz, jwk->off),
			    "$.keys[%zu]: %s", i, why);
			goto out;
		}
		if (k->pk == NULL) {
			/* "oct", Ed448, secp256k1...: never for hints. */
			ks->skipped++;
			memset(k, 0, sizeof(*k));
			continue;
		}
		/* A key's own "alg" is the only one it verifies. */
		if (alg != NULL) {
			a = alg_find(alg->s, alg->sz);
			if (a == ALG__MAX || !(k->algs & (1u << a))) {
				key_free(k);
				if (strncmp(alg->s, "HS", 2) == 0 ||
				    strcmp(alg->s, "none") == 0 ||
				    a != ALG__MAX) {
					err_set(err, path, line_of(buf, sz,
					    alg->off), "$.keys[%zu].alg: \"%.16s\""
					    " does not fit this key", i, alg->s);
					goto out;
				}
				ks->skipped++;
				continue;
			}
			k->algs = 1u << a;
		}
		if (kid != NULL && (k->kid = strndup(kid->s, kid->sz)) == NULL) {
			key_free(k);
			err_set(err, path, 0, "out of memory");
			goto out;
		}
		ks->n++;
		if (!key_contexts(k)) {
			ERR_clear_error();
			err_set(err, path, line_of(buf, sz, jwk->off),
			    "$.keys[%zu]: cannot set up verification", i);
			goto out;
		}
		for (j = 0; kid != NULL && j + 1 < ks->n; j++)
			if (ks->keys[j].kid != NULL &&
			    strcmp(ks->keys[j].kid, k->kid) == 0) {
				err_set(err, path, line_of(buf, sz, kid->off),
				    "$.keys[%zu].kid: duplicate kid \"%.64s\"",
				    i, k->kid);
				goto out;
			}
	}
	if (ks->n == 0) {
		err_set(err, path, 0, "no key usable for verifying ID Tokens");
		goto out;
	}
	rc = 1;
out:
	arena_free(&jar);
	if (!rc) {
		jwks_free(ks);
		ks = NULL;
	}
	return ks;
}

struct keyset *
jwks_load(const char *path, enum jwks_check chk, struct es_err *err)
{
	struct keyset	*ks;
	char		*buf;
	size_t		 sz;

	if (!file_read(path, LIM_JWKS_SZ, &buf, &sz, err))
		return NULL;
	ks = jwks_parse(buf, sz, path, chk, err);
	free(buf);
	return ks;
}

void
jwks_free(struct keyset *ks)
{
	size_t	 i;

	if (ks == NULL)
		return;
	for (i = 0; i < ks->n; i++)
		key_free(&ks->keys[i]);
	free(ks->keys);
	free(ks);
}

const struct key *
jwks_pick(const struct keyset *ks, const char *kid, size_t kidsz,
    enum alg alg)
{
	const struct key	*k = NULL;
	size_t			 i;

	if (ks == NULL)
		return NULL;
	for (i = 0; i < ks->n; i++) {
		if (kid != NULL) {
			if (ks->keys[i].kid != NULL &&
			    strlen(ks->keys[i].kid) == kidsz &&
			    memcmp(ks->keys[i].kid, kid, kidsz) == 0)
				return &ks->keys[i];
			continue;
		}
		if (!(ks->keys[i].algs & (1u << alg)))
			continue;
		if (k != NULL)
			return NULL;	/* ambiguous */
		k = &ks->keys[i];
	}
	return k;
}

size_t
jwks_count(const struct keyset *ks)
{
	return ks->n;
}

size_t
jwks_skipped(const struct keyset *ks)
{
	return ks->skipped;
}

const struct key *
jwks_key(const struct keyset *ks, size_t i)
{
	return &ks->keys[i];
}

const char *
key_kid(const struct key *k)
{
	return k->kid;
}

int
key_allows(const struct key *k, enum alg alg)
{
	return alg < ALG__MAX && (k->algs & (1u << alg)) != 0;
}

void
jwks_describe(const struct keyset *ks, struct buf *b)
{
	size_t	 i, a;
	int	 first;

	for (i = 0; i < ks->n; i++) {
		buf_addf(b, "%s%s (%s %d:", i ? ", " : "",
		    ks->keys[i].kid ? ks->keys[i].kid : "(no kid)",
		    ks->keys[i].kty, ks->keys[i].bits);
		for (a = 0, first = 1; a < ALG__MAX; a++)
			if (ks->keys[i].algs & (1u << a)) {
				buf_addf(b, "%s%s", first ? " " : "/",
				    alg_names[a]);
				first = 0;
			}
		buf_addc(b, ')');
	}
}

const EVP_MD *
jose_md(enum alg a)
{
	switch (a) {
	case ALG_RS256:
	case ALG_PS256:
	case ALG_ES256:
		return EVP_sha256();
	case ALG_RS384:
	case ALG_PS384:
	case ALG_ES384:
		return EVP_sha384();
	case ALG_RS512:
	case ALG_PS512:
	case ALG_ES512:
		return EVP_sha512();
	default:
		return NULL;
	}
}

/*
 * JOSE carries ECDSA signatures as R||S, each the curve's size
 * (RFC 7518 3.4); OpenSSL wants DER.  The length is checked against the
 * algorithm here, which libjwt does not do (docs/libraries.md section 2).
 */
static int
ecdsa_der(enum alg a, const unsigned char *sig, size_t sigsz,
    unsigned char *der, size_t *dersz)
{
	size_t		 half = a == ALG_ES256 ? 32 : a == ALG_ES384 ? 48 : 66;
	ECDSA_SIG	*es;
	BIGNUM		*r, *s;
	unsigned char	*p = der;
	int		 n;

	if (sigsz != 2 * half)
		return 0;
	if ((es = ECDSA_SIG_new()) == NULL)
		return 0;
	r = BN_bin2bn(sig, (int)half, NULL);
	s = BN_bin2bn(sig + half, (int)half, NULL);
	if (r == NULL || s == NULL || !ECDSA_SIG_set0(es, r, s)) {
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(es);
		return 0;
	}
	n = i2d_ECDSA_SIG(es, &p);
	ECDSA_SIG_free(es);
	if (n <= 0)
		return 0;
	*dersz = (size_t)n;
	return 1;
}

int
jose_pss(EVP_PKEY_CTX *pctx, enum alg a)
{
	if (a < ALG_PS256 || a > ALG_PS512)
		return 1;
	return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) ==
	    1 && EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx,
	    RSA_PSS_SALTLEN_DIGEST) == 1 &&
	    EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, jose_md(a)) == 1;
}

/* Sets ctx up to verify alg with k's key. */
static int
verify_init(EVP_MD_CTX *ctx, const struct key *k, enum alg a)
{
	EVP_PKEY_CTX	*pctx = NULL;

	return EVP_DigestVerifyInit(ctx, &pctx, jose_md(a), NULL, k->pk) ==
	    1 && jose_pss(pctx, a);
}

/*
 * Sets up, at load, a verify context per algorithm the key allows; a
 * request copies one instead of fetching and initialising (about 3 us
 * per hint).  EdDSA contexts are one-shot and set up per use.
 */
static int
key_contexts(struct key *k)
{
	size_t	 a;

	for (a = 0; a < ALG__MAX; a++) {
		if (!(k->algs & (1u << a)) || a == ALG_EDDSA)
			continue;
		if ((k->vctx[a] = EVP_MD_CTX_new()) == NULL ||
		    !verify_init(k->vctx[a], k, (enum alg)a))
			return 0;
	}
	return 1;
}

static void
key_free(struct key *k)
{
	size_t	 a;

	for (a = 0; a < ALG__MAX; a++)
		EVP_MD_CTX_free(k->vctx[a]);
	EVP_PKEY_free(k->pk);
	free(k->kid);
	memset(k, 0, sizeof(*k));
}

int
jws_verify(const struct key *k, enum alg a, const unsigned char *data,
    size_t datasz, const unsigned char *sig, size_t sigsz)
{
	EVP_MD_CTX	*ctx;
	unsigned char	 der[160];
	size_t		 dersz;
	int		 ok = 0;

	if (a >= ALG__MAX || !(k->algs & (1u << a)))
		return 0;
	if (a >= ALG_ES256 && a <= ALG_ES512) {
		if (!ecdsa_der(a, sig, sigsz, der, &dersz))
			return 0;
		sig = der;
		sigsz = dersz;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return 0;
	if (k->vctx[a] != NULL ? EVP_MD_CTX_copy_ex(ctx, k->vctx[a]) == 1 :
	    verify_init(ctx, k, a))
		ok = EVP_DigestVerify(ctx, sig, sigsz, data, datasz) == 1;
	EVP_MD_CTX_free(ctx);
	/* A failed check leaves entries on the thread's error queue. */
	if (!ok)
		ERR_clear_error();
	return ok;
}
