/*
 * sign.c - the provider's private signing keys (signing_key: a JWK or a
 * JWK Set, RFC 7517/7518 section 6, RFC 8037), converted once into
 * OpenSSL keys, and JWS signing with them (RFC 7515, RFC 7518 section 3:
 * RSASSA-PKCS1-v1_5, RSASSA-PSS, ECDSA as raw R||S; RFC 8037 EdDSA).
 * The algorithm rules are those of the keys file: an RSA key signs
 * RS and PS, an EC key its curve's one algorithm, Ed25519 EdDSA, and a
 * JWK's own "alg" pins it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "keytypes.h"

#define RSA_ALGS	((1u << ALG_RS256) | (1u << ALG_RS384) | \
			 (1u << ALG_RS512) | (1u << ALG_PS256) | \
			 (1u << ALG_PS384) | (1u << ALG_PS512))

/* A base64url member, decoded into a malloc'd buffer; NULL if bad. */
static unsigned char *
member_bytes(const struct json *jwk, const char *name, size_t *sz)
{
	const struct json	*m;
	unsigned char		*p;

	if ((m = json_get(jwk, name)) == NULL || m->type != JSON_STRING ||
	    m->sz == 0 || m->sz > 4096)
		return NULL;
	if ((p = malloc(b64url_decsz(m->sz) + 1)) == NULL)
		return NULL;
	if (!b64url_decode(m->s, m->sz, p, b64url_decsz(m->sz) + 1, sz)) {
		free(p);
		return NULL;
	}
	return p;
}

/* Secret bytes are wiped before they are freed. */
static void
wipe_free(unsigned char *p, size_t sz)
{
	if (p == NULL)
		return;
	OPENSSL_cleanse(p, sz);
	free(p);
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
	    EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_KEYPAIR, params) <= 0)
		pk = NULL;
	OSSL_PARAM_free(params);
	EVP_PKEY_CTX_free(ctx);
	return pk;
}

/*
 * Whether the private and public halves belong together, every member:
 * a signature test would not do, since OpenSSL signs with the CRT members
 * and quietly recomputes with d when they are wrong, so a wrong d or qi
 * still signs.  The primality tests cost 33 ms per RSA-2048 key, once
 * at start.
 */
static int
pair_ok(EVP_PKEY *pk)
{
	EVP_PKEY_CTX	*ctx;
	int		 ok;

	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL)) == NULL)
		return 0;
	ok = EVP_PKEY_check(ctx) == 1;
	EVP_PKEY_CTX_free(ctx);
	return ok;
}

/* RSA with its CRT members (RFC 7518 6.3.2); at least 2048 bits. */
static EVP_PKEY *
rsa_key(const struct json *jwk, struct skey *k, const char **why)
{
	static const char *const names[8] = {
		"n", "e", "d", "p", "q", "dp", "dq", "qi"
	};
	static const char *const params[8] = {
		OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E,
		OSSL_PKEY_PARAM_RSA_D, OSSL_PKEY_PARAM_RSA_FACTOR1,
		OSSL_PKEY_PARAM_RSA_FACTOR2, OSSL_PKEY_PARAM_RSA_EXPONENT1,
		OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1
	};
	unsigned char	*b[8] = { NULL };
	size_t		 sz[8] = { 0 }, i;
	BIGNUM		*bn[8] = { NULL };
	OSSL_PARAM_BLD	*bld = NULL;
	EVP_PKEY	*pk = NULL;

	if (json_get(jwk, "oth") != NULL) {
		*why = "multi-prime RSA (\"oth\") is not supported";
		goto out;
	}
	for (i = 0; i < 8; i++)
		if ((b[i] = member_bytes(jwk, names[i], &sz[i])) == NULL) {
			*why = "an RSA private JWK needs n, e, d, p, q, dp, "
			    "dq and qi in base64url";
			goto out;
		}
	if (b[0][0] == 0 || sz[0] < 256 || sz[0] > 2048 || sz[1] > 8) {
		*why = "RSA modulus shorter than 2048 bits, too long, or with "
		    "leading zero bytes";
		goto out;
	}
	if ((bld = OSSL_PARAM_BLD_new()) == NULL)
		goto bad;
	for (i = 0; i < 8; i++) {
		if ((bn[i] = BN_secure_new()) == NULL ||
		    BN_bin2bn(b[i], (int)sz[i], bn[i]) == NULL ||
		    !OSSL_PARAM_BLD_push_BN(bld, params[i], bn[i]))
			goto bad;
	}
	if ((pk = fromdata("RSA", bld)) == NULL || !pair_ok(pk))
		goto bad;
	k->algs = RSA_ALGS;
	goto out;
bad:
	EVP_PKEY_free(pk);
	pk = NULL;
	*why = "not a valid RSA private key";
out:
	OSSL_PARAM_BLD_free(bld);
	for (i = 0; i < 8; i++) {
		BN_clear_free(bn[i]);
		wipe_free(b[i], sz[i]);
	}
	return pk;
}

/* EC on P-256, P-384 or P-521 (RFC 7518 6.2.2). */
static EVP_PKEY *
ec_key(const struct json *jwk, struct skey *k, const char **why)
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
	unsigned char		*x = NULL, *y = NULL, *d = NULL;
	unsigned char		 pt[1 + 2 * 66];
	size_t			 xsz = 0, ysz = 0, dsz = 0, i;
	OSSL_PARAM_BLD		*bld = NULL;
	BIGNUM			*bd = NULL;
	EVP_PKEY		*pk = NULL;

	if ((crv = json_get(jwk, "crv")) == NULL || crv->type != JSON_STRING) {
		*why = "crv missing";
		return NULL;
	}
	for (i = 0; i < sizeof(curves) / sizeof(curves[0]); i++)
		if (strcmp(crv->s, curves[i].crv) == 0)
			break;
	if (i == sizeof(curves) / sizeof(curves[0])) {
		*why = "an EC curve other than P-256, P-384, P-521";
		return NULL;
	}
	if ((x = member_bytes(jwk, "x", &xsz)) == NULL ||
	    (y = member_bytes(jwk, "y", &ysz)) == NULL ||
	    (d = member_bytes(jwk, "d", &dsz)) == NULL ||
	    xsz != curves[i].len || ysz != curves[i].len ||
	    dsz != curves[i].len) {
		*why = "x, y or d missing, not base64url or not the curve's "
		    "size";
		goto out;
	}
	pt[0] = 0x04;
	memcpy(pt + 1, x, xsz);
	memcpy(pt + 1 + xsz, y, ysz);
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    (bd = BN_secure_new()) == NULL ||
	    BN_bin2bn(d, (int)dsz, bd) == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	    curves[i].crv, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
	    pt, 1 + xsz + ysz) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, bd) ||
	    (pk = fromdata("EC", bld)) == NULL || !pair_ok(pk)) {
		EVP_PKEY_free(pk);
		pk = NULL;
		*why = "not a valid EC private key (d does not match x, y?)";
		goto out;
	}
	k->algs = 1u << curves[i].alg;
out:
	OSSL_PARAM_BLD_free(bld);
	BN_clear_free(bd);
	free(x);
	free(y);
	wipe_free(d, dsz);
	return pk;
}

/* Ed25519 (RFC 8037 2): d is the 32-byte seed, x must be its public key. */
static EVP_PKEY *
okp_key(const struct json *jwk, struct skey *k, const char **why)
{
	const struct json	*crv;
	unsigned char		*x = NULL, *d = NULL, pub[32];
	size_t			 xsz = 0, dsz = 0, pubsz = sizeof(pub);
	EVP_PKEY		*pk = NULL;

	if ((crv = json_get(jwk, "crv")) == NULL || crv->type != JSON_STRING ||
	    strcmp(crv->s, "Ed25519") != 0) {
		*why = "an OKP key other than Ed25519";
		return NULL;
	}
	if ((x = member_bytes(jwk, "x", &xsz)) == NULL || xsz != 32 ||
	    (d = member_bytes(jwk, "d", &dsz)) == NULL || dsz != 32) {
		*why = "x or d missing, not base64url or not 32 bytes";
		goto out;
	}
	if ((pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, d,
	    dsz)) == NULL ||
	    EVP_PKEY_get_raw_public_key(pk, pub, &pubsz) != 1 ||
	    pubsz != 32 || memcmp(pub, x, 32) != 0) {
		EVP_PKEY_free(pk);
		pk = NULL;
		*why = "not a valid Ed25519 private key (d does not match x)";
		goto out;
	}
	k->algs = 1u << ALG_EDDSA;
out:
	free(x);
	wipe_free(d, dsz);
	return pk;
}

/* One private JWK into k; 0 with why set. */
/*
 * The context for one signature: fetching the digest and the signature
 * implementation and initialising them costs about a fifth of an
 * RSA-2048 signature in OpenSSL 3.0, so it is done once per key and
 * algorithm at load and copied per use, as the verify side does.
 */
static int
sign_init(EVP_MD_CTX *ctx, const struct skey *k, enum alg a)
{
	EVP_PKEY_CTX	*pctx = NULL;

	return EVP_DigestSignInit(ctx, &pctx, jose_md(a), NULL, k->pk) == 1 &&
	    jose_pss(pctx, a);
}

/* EdDSA contexts are one-shot: set up per use. */
static int
sign_contexts(struct skey *k)
{
	size_t	 a;

	for (a = 0; a < ALG__MAX; a++) {
		if (!(k->algs & (1u << a)) || a == ALG_EDDSA)
			continue;
		if ((k->sctx[a] = EVP_MD_CTX_new()) == NULL ||
		    !sign_init(k->sctx[a], k, (enum alg)a))
			return 0;
	}
	return 1;
}

static int
one_key(const struct json *jwk, const struct keyset *pub, struct skey *k,
    const char **why)
{
	const struct json	*kty, *kid, *alg, *use;
	const struct key	*pk = NULL;
	enum alg		 a;
	size_t			 i;

	if (jwk->type != JSON_OBJECT || (kty = json_get(jwk, "kty")) == NULL ||
	    kty->type != JSON_STRING) {
		*why = "not a JWK (no kty)";
		return 0;
	}
	if ((use = json_get(jwk, "use")) != NULL &&
	    (use->type != JSON_STRING || strcmp(use->s, "sig") != 0)) {
		*why = "\"use\" is not \"sig\"";
		return 0;
	}
	if ((kid = json_get(jwk, "kid")) != NULL &&
	    (kid->type != JSON_STRING || kid->sz == 0)) {
		*why = "kid: not a non-empty string";
		return 0;
	}
	if ((alg = json_get(jwk, "alg")) != NULL && alg->type != JSON_STRING) {
		*why = "alg: not a string";
		return 0;
	}
	if (strcmp(kty->s, "RSA") == 0) {
		k->kty = "RSA";
		k->pk = rsa_key(jwk, k, why);
	} else if (strcmp(kty->s, "EC") == 0) {
		k->kty = "EC";
		k->pk = ec_key(jwk, k, why);
	} else if (strcmp(kty->s, "OKP") == 0) {
		k->kty = "OKP";
		k->pk = okp_key(jwk, k, why);
	} else
		*why = "kty is not RSA, EC or OKP";
	if (k->pk == NULL) {
		ERR_clear_error();
		return 0;
	}
	if (alg != NULL) {
		if ((a = alg_find(alg->s, alg->sz)) == ALG__MAX ||
		    !(k->algs & (1u << a))) {
			*why = "alg does not fit this key";
			return 0;
		}
		k->algs = 1u << a;
	}
	/* Its public half must be one the websites already fetch. */
	if (pub != NULL) {
		for (i = 0; i < pub->n; i++) {
			if (EVP_PKEY_eq(pub->keys[i].pk, k->pk) != 1)
				continue;
			if (kid != NULL && pub->keys[i].kid != NULL &&
			    strcmp(pub->keys[i].kid, kid->s) != 0)
				continue;
			pk = &pub->keys[i];
			break;
		}
		ERR_clear_error();
		if (pk == NULL) {
			*why = "its public key is not in the keys file (with "
			    "the same kid)";
			return 0;
		}
		k->algs &= pk->algs;
		if (k->algs == 0) {
			*why = "the keys file allows it no algorithm it signs";
			return 0;
		}
	}
	if (kid != NULL)
		k->kid = strndup(kid->s, kid->sz);
	else if (pk != NULL && pk->kid != NULL)
		k->kid = strdup(pk->kid);
	if ((kid != NULL || (pk != NULL && pk->kid != NULL)) && k->kid == NULL) {
		*why = "out of memory";
		return 0;
	}
	if (!sign_contexts(k)) {
		ERR_clear_error();
		*why = "OpenSSL cannot sign with it";
		return 0;
	}
	return 1;
}

struct signer *
sign_parse(const char *buf, size_t sz, const char *path,
    const struct keyset *pub, struct es_err *err)
{
	struct arena		 jar = { NULL };
	struct signer		*s = NULL;
	const struct json	*root, *list;
	char			 msg[128];
	const char		*why = "out of memory";
	size_t			 erroff, i, n, j;
	int			 rc = 0;

	if ((root = json_parse(&jar, buf, sz, &erroff, msg,
	    sizeof(msg))) == NULL) {
		err_set(err, path, line_of(buf, sz, erroff), "%s", msg);
		goto out;
	}
	if (root->type != JSON_OBJECT) {
		err_set(err, path, 1, "expected a JWK or a JWK Set");
		goto out;
	}
	list = json_get(root, "keys");
	if (list != NULL && list->type != JSON_ARRAY) {
		err_set(err, path, line_of(buf, sz, list->off),
		    "$.keys: expected an array of keys");
		goto out;
	}
	n = list != NULL ? list->sz : 1;
	if (n == 0 || n > LIM_KEYS) {
		err_set(err, path, 0, "expected 1 to %d keys", LIM_KEYS);
		goto out;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->keys = calloc(n, sizeof(*s->keys))) == NULL) {
		err_set(err, path, 0, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		s->n++;
		if (!one_key(list != NULL ? &list->v[i] : root, pub,
		    &s->keys[i], &why)) {
			err_set(err, path, line_of(buf, sz, list != NULL ?
			    list->v[i].off : root->off), "%s%zu: %s",
			    list != NULL ? "$.keys[" : "key ", i, why);
			goto out;
		}
		for (j = 0; j < i && s->keys[i].kid != NULL; j++)
			if (s->keys[j].kid != NULL &&
			    strcmp(s->keys[j].kid, s->keys[i].kid) == 0) {
				err_set(err, path, line_of(buf, sz,
				    list->v[i].off), "$.keys[%zu]: duplicate "
				    "kid", i);
				goto out;
			}
	}
	rc = 1;
out:
	arena_free(&jar);
	if (!rc) {
		sign_free(s);
		s = NULL;
	}
	return s;
}

struct signer *
sign_load(const char *path, const struct keyset *pub, struct es_err *err)
{
	struct signer	*s;
	char		*buf;
	size_t		 sz;

	if (!file_read(path, LIM_SIGNING_SZ, &buf, &sz, err))
		return NULL;
	s = sign_parse(buf, sz, path, pub, err);
	OPENSSL_cleanse(buf, sz);
	free(buf);
	return s;
}

size_t
sign_count(const struct signer *s)
{
	return s->n;
}

const struct skey *
sign_key(const struct signer *s, size_t i)
{
	return &s->keys[i];
}

const char *
skey_kid(const struct skey *k)
{
	return k->kid;
}

const char *
skey_kty(const struct skey *k)
{
	return k->kty;
}

void
sign_free(struct signer *s)
{
	size_t	 i, a;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++) {
		for (a = 0; a < ALG__MAX; a++)
			EVP_MD_CTX_free(s->keys[i].sctx[a]);
		EVP_PKEY_free(s->keys[i].pk);
		free(s->keys[i].kid);
	}
	free(s->keys);
	free(s);
}

const struct skey *
sign_pick(const struct signer *s, const char *kid, enum alg alg,
    enum alg *use)
{
	size_t	 i, a;

	for (i = 0; i < s->n; i++) {
		if (kid != NULL) {
			if (s->keys[i].kid == NULL ||
			    strcmp(s->keys[i].kid, kid) != 0)
				continue;
			if (alg < ALG__MAX && (s->keys[i].algs & (1u << alg))) {
				*use = alg;
				return &s->keys[i];
			}
			/* The key's own algorithm: RS256 before PS*. */
			for (a = 0; a < ALG__MAX; a++)
				if (s->keys[i].algs & (1u << a)) {
					*use = (enum alg)a;
					return &s->keys[i];
				}
			return NULL;
		}
		if (alg < ALG__MAX && (s->keys[i].algs & (1u << alg))) {
			*use = alg;
			return &s->keys[i];
		}
	}
	return NULL;
}

/* DER ECDSA-Sig-Value to JOSE R||S of 2 * half bytes (RFC 7518 3.4). */
static int
ecdsa_raw(const unsigned char *der, size_t dersz, size_t half,
    unsigned char *out)
{
	ECDSA_SIG	*es;
	const BIGNUM	*r, *s;
	int		 ok;

	if ((es = d2i_ECDSA_SIG(NULL, &der, (long)dersz)) == NULL)
		return 0;
	ECDSA_SIG_get0(es, &r, &s);
	ok = BN_bn2binpad(r, out, (int)half) == (int)half &&
	    BN_bn2binpad(s, out + half, (int)half) == (int)half;
	ECDSA_SIG_free(es);
	return ok;
}

int
sign_data(const struct skey *k, enum alg a, const void *data, size_t datasz,
    unsigned char **sig, size_t *sigsz)
{
	EVP_MD_CTX	*ctx = NULL;
	unsigned char	*der = NULL, *raw = NULL;
	size_t		 dersz = 0, half;
	int		 rc = 0, max;

	*sig = NULL;
	if (a >= ALG__MAX || !(k->algs & (1u << a)) ||
	    (max = EVP_PKEY_get_size(k->pk)) <= 0)
		goto out;
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		goto out;
	if (k->sctx[a] != NULL) {
		/*
		 * A copy of the template, finalised in place (no second
		 * copy inside EVP_DigestSignFinal).  Concurrent copies of
		 * one template are reads only: the notifier signs on its
		 * own thread.
		 */
		if (EVP_MD_CTX_copy_ex(ctx, k->sctx[a]) != 1)
			goto out;
		EVP_MD_CTX_set_flags(ctx, EVP_MD_CTX_FLAG_FINALISE);
	} else if (!sign_init(ctx, k, a))
		goto out;
	/* The largest signature the key makes: no sizing call. */
	dersz = (size_t)max;
	if ((der = malloc(dersz)) == NULL ||
	    EVP_DigestSign(ctx, der, &dersz, data, datasz) != 1)
		goto out;
	if (a >= ALG_ES256 && a <= ALG_ES512) {
		half = a == ALG_ES256 ? 32 : a == ALG_ES384 ? 48 : 66;
		if ((raw = malloc(2 * half)) == NULL ||
		    !ecdsa_raw(der, dersz, half, raw))
			goto out;
		*sig = raw;
		*sigsz = 2 * half;
		raw = NULL;
	} else {
		*sig = der;
		*sigsz = dersz;
		der = NULL;
	}
	rc = 1;
out:
	if (!rc)
		ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	free(der);
	free(raw);
	return rc;
}
