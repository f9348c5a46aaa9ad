/*
 * test_jwks.c - jwks.c: which JWKs load and with which algorithms, which
 * are skipped, which make the file invalid; and jws_verify for every
 * algorithm with good and bad signatures.  Keys are generated at run
 * time (keys.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "endsession.h"
#include "keytypes.h"
#include "keys.h"

#define RSA_ALL	((1u << ALG_RS256) | (1u << ALG_RS384) | (1u << ALG_RS512) | \
		 (1u << ALG_PS256) | (1u << ALG_PS384) | (1u << ALG_PS512))

struct load_case {
	enum tk_kind	 kind;
	const char	*extra;		/* extra JWK members, or NULL */
	int		 ok;		/* 1 loads, 0 error, 2 skipped */
	unsigned	 algs;		/* when it loads */
};

static const struct load_case lcases[] = {
	{ TK_RSA, NULL, 1, RSA_ALL },
	{ TK_RSA, "\"use\":\"sig\"", 1, RSA_ALL },
	{ TK_RSA, "\"alg\":\"PS256\"", 1, 1u << ALG_PS256 },
	{ TK_RSA, "\"alg\":\"RS512\"", 1, 1u << ALG_RS512 },
	{ TK_RSA, "\"key_ops\":[\"verify\"]", 1, RSA_ALL },
	{ TK_RSA1024, NULL, 0, 0 },
	{ TK_P256, NULL, 1, 1u << ALG_ES256 },
	{ TK_P384, NULL, 1, 1u << ALG_ES384 },
	{ TK_P521, NULL, 1, 1u << ALG_ES512 },
	{ TK_P256, "\"alg\":\"ES256\"", 1, 1u << ALG_ES256 },
	{ TK_P256, "\"alg\":\"ES384\"", 0, 0 },
	{ TK_P521, "\"alg\":\"ES256\"", 0, 0 },
	{ TK_P256, "\"alg\":\"RS256\"", 0, 0 },
	{ TK_ED25519, NULL, 1, 1u << ALG_EDDSA },
	{ TK_ED25519, "\"alg\":\"EdDSA\"", 1, 1u << ALG_EDDSA },
	{ TK_ED25519, "\"alg\":\"ES256\"", 0, 0 },
	{ TK_RSA, "\"alg\":\"HS256\"", 0, 0 },
	{ TK_RSA, "\"alg\":\"none\"", 0, 0 },
	{ TK_P256, "\"alg\":\"HS512\"", 0, 0 },
	{ TK_RSA, "\"alg\":\"rs256\"", 2, 0 },		/* not ours: skipped */
	{ TK_RSA, "\"use\":\"enc\"", 2, 0 },
	{ TK_RSA, "\"key_ops\":[\"encrypt\"]", 2, 0 },
	{ TK_P256, "\"use\":\"enc\"", 2, 0 },
};

/* One JWK next to an Ed25519 key (so that a skip still loads a set). */
static void
test_load(void)
{
	struct keyset	*ks;
	struct es_err	 e;
	char		*j, *other;
	size_t		 i;

	other = tk_jwk(TK_ED25519, "other", NULL);
	for (i = 0; i < sizeof(lcases) / sizeof(lcases[0]); i++) {
		j = tk_jwk(lcases[i].kind, "k", lcases[i].extra);
		ks = tk_keyset(&e, other, j, (char *)NULL);
		switch (lcases[i].ok) {
		case 1:
			CU_ASSERT_PTR_NOT_NULL(ks);
			if (ks == NULL) {
				fprintf(stderr, "jwks case %zu: %s\n", i, e.msg);
				break;
			}
			CU_ASSERT_EQUAL(ks->n, 2);
			CU_ASSERT_EQUAL(ks->skipped, 0);
			if (ks->n == 2) {
				CU_ASSERT_STRING_EQUAL(ks->keys[1].kid, "k");
				CU_ASSERT_EQUAL(ks->keys[1].algs,
				    lcases[i].algs);
			}
			break;
		case 0:
			CU_ASSERT_PTR_NULL(ks);
			if (ks != NULL)
				fprintf(stderr, "jwks case %zu accepted\n", i);
			else
				CU_ASSERT_PTR_NOT_NULL(strstr(e.msg,
				    "$.keys[1]"));
			break;
		case 2:
			CU_ASSERT_PTR_NOT_NULL(ks);
			if (ks != NULL) {
				CU_ASSERT_EQUAL(ks->n, 1);
				CU_ASSERT_EQUAL(ks->skipped, 1);
			}
			break;
		}
		jwks_free(ks);
		free(j);
	}
	free(other);
}

static void
test_bits(void)
{
	struct keyset	*ks;
	struct es_err	 e;
	char		*a, *b, *c;

	a = tk_jwk(TK_RSA, "r", NULL);
	b = tk_jwk(TK_P384, "p", NULL);
	c = tk_jwk(TK_ED25519, NULL, NULL);
	ks = tk_keyset(&e, a, b, c, (char *)NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ks);
	CU_ASSERT_EQUAL(ks->n, 3);
	CU_ASSERT_EQUAL(ks->keys[0].bits, 2048);
	CU_ASSERT_STRING_EQUAL(ks->keys[0].kty, "RSA");
	CU_ASSERT_EQUAL(ks->keys[1].bits, 384);
	CU_ASSERT_STRING_EQUAL(ks->keys[1].kty, "EC");
	CU_ASSERT_PTR_NULL(ks->keys[2].kid);
	CU_ASSERT_STRING_EQUAL(ks->keys[2].kty, "OKP");
	jwks_free(ks);
	free(a);
	free(b);
	free(c);
}

/* JWK Sets that are invalid as a whole. */
static void
test_bad_sets(void)
{
	struct keyset	*ks;
	struct es_err	 e;
	char		*a, *b, *t;
	const char	*raw[] = {
		"{\"keys\":[]}",
		"{\"keys\":{}}",
		"{}",
		"[]",
		"{\"keys\":[{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}]}",
		"{\"keys\":[{\"kty\":\"oct\",\"k\":\"c2VjcmV0\",\"alg\":\"HS256\"}]}",
		"{\"keys\":[{\"n\":\"AQAB\",\"e\":\"AQAB\"}]}",
		"{\"keys\":[{\"kty\":\"RSA\",\"e\":\"AQAB\"}]}",
		"{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\"}]}",
		"{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"AQAB\"}]}",
		"{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"\",\"n\":\"x\"}]}",
	};
	size_t		 i;

	for (i = 0; i < sizeof(raw) / sizeof(raw[0]); i++) {
		memset(&e, 0, sizeof(e));
		ks = jwks_parse(raw[i], strlen(raw[i]), "k.json", JWKS_FULL, &e);
		if (ks != NULL)
			fprintf(stderr, "jwks set %zu accepted\n", i);
		CU_ASSERT_PTR_NULL(ks);
		CU_ASSERT_NOT_EQUAL(e.msg[0], '\0');
		jwks_free(ks);
	}
	/* Duplicate kid. */
	a = tk_jwk(TK_RSA, "same", NULL);
	b = tk_jwk(TK_P256, "same", NULL);
	ks = tk_keyset(&e, a, b, (char *)NULL);
	CU_ASSERT_PTR_NULL(ks);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "duplicate kid"));
	jwks_free(ks);
	free(b);
	/* Only an oct key and an enc key: nothing usable. */
	b = tk_jwk(TK_RSA, "e", "\"use\":\"enc\"");
	ks = tk_keyset(&e, "{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}", b,
	    (char *)NULL);
	CU_ASSERT_PTR_NULL(ks);
	jwks_free(ks);
	/* An oct key next to a good one is skipped. */
	ks = tk_keyset(&e, "{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}", a,
	    (char *)NULL);
	CU_ASSERT_PTR_NOT_NULL(ks);
	if (ks != NULL) {
		CU_ASSERT_EQUAL(ks->n, 1);
		CU_ASSERT_EQUAL(ks->skipped, 1);
	}
	jwks_free(ks);
	free(a);
	free(b);

	/* An EC point off the curve: y + 1. */
	a = tk_jwk(TK_P256, "p", NULL);
	t = strstr(a, "\"y\":\"") + 5;
	t[0] = t[0] == 'A' ? 'B' : 'A';
	ks = tk_keyset(&e, a, (char *)NULL);
	CU_ASSERT_PTR_NULL(ks);
	jwks_free(ks);
	free(a);
	/* x one byte short (P-256 x of 31 bytes). */
	a = tk_fmt("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"%s\","
	    "\"y\":\"%s\"}", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	ks = tk_keyset(&e, a, (char *)NULL);
	CU_ASSERT_PTR_NULL(ks);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "size"));
	jwks_free(ks);
	free(a);
	/* A P-384 x/y on a P-256 crv: wrong length. */
	a = tk_jwk(TK_P384, "p", NULL);
	t = strstr(a, "P-384");
	memcpy(t, "P-256", 5);
	ks = tk_keyset(&e, a, (char *)NULL);
	CU_ASSERT_PTR_NULL(ks);
	jwks_free(ks);
	free(a);
}

static const enum alg rsa_algs[] = {
	ALG_RS256, ALG_RS384, ALG_RS512, ALG_PS256, ALG_PS384, ALG_PS512,
};

struct verify_case {
	enum tk_kind	 kind;
	enum alg	 alg;
};

static const struct verify_case vcases[] = {
	{ TK_RSA, ALG_RS256 }, { TK_RSA, ALG_RS384 }, { TK_RSA, ALG_RS512 },
	{ TK_RSA, ALG_PS256 }, { TK_RSA, ALG_PS384 }, { TK_RSA, ALG_PS512 },
	{ TK_P256, ALG_ES256 }, { TK_P384, ALG_ES384 }, { TK_P521, ALG_ES512 },
	{ TK_ED25519, ALG_EDDSA },
};

static struct keyset *
one_key(enum tk_kind k)
{
	struct es_err	 e;
	struct keyset	*ks;
	char		*j = tk_jwk(k, "k", NULL);

	ks = tk_keyset(&e, j, (char *)NULL);
	free(j);
	return ks;
}

static void
test_verify(void)
{
	static const char	 data[] = "eyJhbGciOiJ4In0.eyJzdWIiOiJ4In0";
	struct keyset		*ks;
	unsigned char		*sig;
	size_t			 sigsz, i, j;

	for (i = 0; i < sizeof(vcases) / sizeof(vcases[0]); i++) {
		ks = one_key(vcases[i].kind);
		CU_ASSERT_PTR_NOT_NULL_FATAL(ks);
		tk_sign(tk_key(vcases[i].kind), vcases[i].alg, data,
		    sizeof(data) - 1, &sig, &sigsz);
		CU_ASSERT_EQUAL(jws_verify(&ks->keys[0], vcases[i].alg,
		    (const unsigned char *)data, sizeof(data) - 1, sig, sigsz),
		    1);
		/* Other data. */
		CU_ASSERT_EQUAL(jws_verify(&ks->keys[0], vcases[i].alg,
		    (const unsigned char *)data, sizeof(data) - 2, sig, sigsz),
		    0);
		/* A flipped bit in the signature, first and last byte. */
		sig[0] ^= 1;
		CU_ASSERT_EQUAL(jws_verify(&ks->keys[0], vcases[i].alg,
		    (const unsigned char *)data, sizeof(data) - 1, sig, sigsz),
		    0);
		sig[0] ^= 1;
		sig[sigsz - 1] ^= 0x80;
		CU_ASSERT_EQUAL(jws_verify(&ks->keys[0], vcases[i].alg,
		    (const unsigned char *)data, sizeof(data) - 1, sig, sigsz),
		    0);
		sig[sigsz - 1] ^= 0x80;
		/* One byte short, and empty. */
		CU_ASSERT_EQUAL(jws_verify(&ks->keys[0], vcases[i].alg,
		    (const unsigned char *)data, sizeof(data) - 1, sig,
		    sigsz - 1), 0);
		CU_ASSERT_EQUAL(jws_verify(&ks->keys[0], vcases[i].alg,
		    (const unsigned char *)data, sizeof(data) - 1, sig, 0), 0);
		/* Another algorithm the key does not allow. */
		for (j = 0; j < ALG__MAX; j++)
			if (!(ks->keys[0].algs & (1u << j)))
				CU_ASSERT_EQUAL(jws_verify(&ks->keys[0],
				    (enum alg)j, (const unsigned char *)data,
				    sizeof(data) - 1, sig, sigsz), 0);
		CU_ASSERT_EQUAL(jws_verify(&ks->keys[0], ALG__MAX,
		    (const unsigned char *)data, sizeof(data) - 1, sig, sigsz),
		    0);
		free(sig);
		jwks_free(ks);
	}
	/* An RS256 signature is not a PS256 one, and the reverse. */
	ks = one_key(TK_RSA);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ks);
	for (i = 0; i < 6; i++) {
		tk_sign(tk_key(TK_RSA), rsa_algs[i], data, sizeof(data) - 1,
		    &sig, &sigsz);
		for (j = 0; j < 6; j++)
			CU_ASSERT_EQUAL(jws_verify(&ks->keys[0], rsa_algs[j],
			    (const unsigned char *)data, sizeof(data) - 1, sig,
			    sigsz), i == j);
		free(sig);
	}
	jwks_free(ks);
	/* Another key of the same kind. */
	ks = one_key(TK_P256_B);
	tk_sign(tk_key(TK_P256), ALG_ES256, data, sizeof(data) - 1, &sig,
	    &sigsz);
	CU_ASSERT_EQUAL(jws_verify(&ks->keys[0], ALG_ES256,
	    (const unsigned char *)data, sizeof(data) - 1, sig, sigsz), 0);
	free(sig);
	jwks_free(ks);
}

/* ES256: only exactly 64 bytes R||S, never DER. */
static void
test_es_lengths(void)
{
	static const char	 data[] = "a.b";
	struct keyset		*ks;
	unsigned char		*sig, big[130];
	size_t			 sigsz;
	EVP_MD_CTX		*ctx;
	unsigned char		 der[80];
	size_t			 dersz = sizeof(der);

	ks = one_key(TK_P256);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ks);
	tk_sign(tk_key(TK_P256), ALG_ES256, data, 3, &sig, &sigsz);
	CU_ASSERT_EQUAL(sigsz, 64);
	CU_ASSERT_EQUAL(jws_verify(&ks->keys[0], ALG_ES256,
	    (const unsigned char *)data, 3, sig, 64), 1);
	CU_ASSERT_EQUAL(jws_verify(&ks->keys[0], ALG_ES256,
	    (const unsigned char *)data, 3, sig, 63), 0);
	memset(big, 0, sizeof(big));
	memcpy(big + 1, sig, 32);
	memcpy(big + 34, sig + 32, 32);
	/* R and S each with a leading zero byte: 66 bytes. */
	CU_ASSERT_EQUAL(jws_verify(&ks->keys[0], ALG_ES256,
	    (const unsigned char *)data, 3, big, 66), 0);
	/* The DER form of a good signature. */
	ctx = EVP_MD_CTX_new();
	CU_ASSERT_EQUAL_FATAL(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL,
	    tk_key(TK_P256)), 1);
	CU_ASSERT_EQUAL_FATAL(EVP_DigestSign(ctx, der, &dersz,
	    (const unsigned char *)data, 3), 1);
	EVP_MD_CTX_free(ctx);
	CU_ASSERT_EQUAL(jws_verify(&ks->keys[0], ALG_ES256,
	    (const unsigned char *)data, 3, der, dersz), 0);
	/* All zero R||S. */
	memset(big, 0, 64);
	CU_ASSERT_EQUAL(jws_verify(&ks->keys[0], ALG_ES256,
	    (const unsigned char *)data, 3, big, 64), 0);
	free(sig);
	jwks_free(ks);
}

static void
test_alg_find(void)
{
	size_t	 i;

	for (i = 0; i < ALG__MAX; i++)
		CU_ASSERT_EQUAL(alg_find(alg_names[i], strlen(alg_names[i])),
		    (enum alg)i);
	CU_ASSERT_EQUAL(alg_find("rs256", 5), ALG__MAX);
	CU_ASSERT_EQUAL(alg_find("EDDSA", 5), ALG__MAX);
	CU_ASSERT_EQUAL(alg_find("HS256", 5), ALG__MAX);
	CU_ASSERT_EQUAL(alg_find("none", 4), ALG__MAX);
	CU_ASSERT_EQUAL(alg_find("RS2560", 6), ALG__MAX);
	CU_ASSERT_EQUAL(alg_find("RS25", 4), ALG__MAX);
	CU_ASSERT_EQUAL(alg_find("", 0), ALG__MAX);
}

UNIT_SUITE("jwks",
	{ "which JWKs load, with which algs", test_load },
	{ "kty and bits", test_bits },
	{ "invalid sets", test_bad_sets },
	{ "jws_verify, every alg", test_verify },
	{ "ECDSA signature lengths", test_es_lengths },
	{ "alg_find", test_alg_find },
)
