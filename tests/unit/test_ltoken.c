/*
 * test_ltoken.c - sign.c and ltoken.c: private JWKs of every kind we
 * sign with (minted at run time), refused private JWKs, the key picked
 * for a client's algorithm, and the logout token to the letter
 * (Back-Channel Logout 1.0 section 2.4): header typ/alg/kid, claims
 * exactly iss, aud (a string), iat, exp = iat + 120, jti (128 random
 * bits, new each time), sub, sid, events with one member {}; no nonce;
 * a signature our own jws_verify accepts.  Also the retry schedule.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "unit.h"
#include "keys.h"
#include "endsession.h"
#include "keytypes.h"

static char *
bn_member(EVP_PKEY *pk, const char *param, size_t pad)
{
	BIGNUM		*bn = NULL;
	unsigned char	 buf[1024];
	size_t		 n;
	char		*s;

	if (!EVP_PKEY_get_bn_param(pk, param, &bn))
		abort();
	if (pad == 0)
		n = (size_t)BN_bn2bin(bn, buf);
	else if (BN_bn2binpad(bn, buf, (int)pad) < 0)
		abort();
	else
		n = pad;
	s = tk_b64(buf, n);
	BN_free(bn);
	return s;
}

/*
 * The private JWK of a test key: its public JWK (keys.c) with the
 * private members added.  extra as for tk_jwk.
 */
static char *
priv_jwk(enum tk_kind k, const char *kid, const char *extra)
{
	EVP_PKEY	*pk = tk_key(k);
	char		*pub, *priv, *m[6];
	unsigned char	 raw[64];
	size_t		 rawsz = sizeof(raw), half, i;

	pub = tk_jwk(k, kid, extra);
	pub[strlen(pub) - 1] = '\0';	/* drop the closing brace */
	memset(m, 0, sizeof(m));
	switch (k) {
	case TK_RSA:
	case TK_RSA_B:
	case TK_RSA1024:
		m[0] = bn_member(pk, OSSL_PKEY_PARAM_RSA_D, 0);
		m[1] = bn_member(pk, OSSL_PKEY_PARAM_RSA_FACTOR1, 0);
		m[2] = bn_member(pk, OSSL_PKEY_PARAM_RSA_FACTOR2, 0);
		m[3] = bn_member(pk, OSSL_PKEY_PARAM_RSA_EXPONENT1, 0);
		m[4] = bn_member(pk, OSSL_PKEY_PARAM_RSA_EXPONENT2, 0);
		m[5] = bn_member(pk, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, 0);
		priv = tk_fmt("%s,\"d\":\"%s\",\"p\":\"%s\",\"q\":\"%s\","
		    "\"dp\":\"%s\",\"dq\":\"%s\",\"qi\":\"%s\"}", pub, m[0],
		    m[1], m[2], m[3], m[4], m[5]);
		break;
	case TK_ED25519:
		if (!EVP_PKEY_get_raw_private_key(pk, raw, &rawsz))
			abort();
		m[0] = tk_b64(raw, rawsz);
		priv = tk_fmt("%s,\"d\":\"%s\"}", pub, m[0]);
		break;
	default:
		half = k == TK_P384 ? 48 : k == TK_P521 ? 66 : 32;
		m[0] = bn_member(pk, OSSL_PKEY_PARAM_PRIV_KEY, half);
		priv = tk_fmt("%s,\"d\":\"%s\"}", pub, m[0]);
		break;
	}
	for (i = 0; i < 6; i++)
		free(m[i]);
	free(pub);
	return priv;
}

/* to with the value of its member name taken from from (both JWKs). */
static char *
swap_member(const char *to, const char *from, const char *name)
{
	char		 key[16];
	const char	*a, *ae, *b, *be;

	snprintf(key, sizeof(key), "\"%s\":\"", name);
	if ((a = strstr(to, key)) == NULL || (b = strstr(from, key)) == NULL)
		abort();
	a += strlen(key);
	b += strlen(key);
	ae = strchr(a, '"');
	be = strchr(b, '"');
	return tk_fmt("%.*s%.*s%s", (int)(a - to), to, (int)(be - b), b, ae);
}

static struct signer *
signer_of(const char *priv, const struct keyset *pub, struct es_err *e)
{
	memset(e, 0, sizeof(*e));
	return sign_parse(priv, strlen(priv), "signing.jwk", pub, e);
}

/* Decodes one base64url segment and parses it; NULL if either fails. */
static const struct json *
segment(struct arena *ar, const char *s, size_t sz)
{
	unsigned char	*p;
	size_t		 psz, off;
	char		 msg[64];

	if ((p = arena_alloc(ar, b64url_decsz(sz) + 1)) == NULL ||
	    !b64url_decode(s, sz, p, b64url_decsz(sz) + 1, &psz))
		return NULL;
	return json_parse(ar, (const char *)p, psz, &off, msg, sizeof(msg));
}

/* Checks one token to the letter. */
static void
check_token(const char *tok, const struct key *pubk, enum alg alg,
    const char *kid, const char *jti)
{
	struct arena		 ar = { NULL };
	const struct json	*h, *c, *m, *ev;
	const char		*d1, *d2;
	unsigned char		*sig;
	size_t			 sigsz;

	d1 = strchr(tok, '.');
	CU_ASSERT_PTR_NOT_NULL_FATAL(d1);
	d2 = strchr(d1 + 1, '.');
	CU_ASSERT_PTR_NOT_NULL_FATAL(d2);
	CU_ASSERT_PTR_NULL(strchr(d2 + 1, '.'));
	h = segment(&ar, tok, (size_t)(d1 - tok));
	c = segment(&ar, d1 + 1, (size_t)(d2 - d1 - 1));
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);

	/* Header: exactly typ, alg, kid. */
	CU_ASSERT_EQUAL(h->type, JSON_OBJECT);
	CU_ASSERT_EQUAL(h->sz, 3);
	m = json_get(h, "typ");
	CU_ASSERT(m != NULL && strcmp(m->s, "logout+jwt") == 0);
	m = json_get(h, "alg");
	CU_ASSERT(m != NULL && strcmp(m->s, alg_names[alg]) == 0);
	m = json_get(h, "kid");
	CU_ASSERT(m != NULL && strcmp(m->s, kid) == 0);

	/* Claims: exactly these eight. */
	CU_ASSERT_EQUAL(c->type, JSON_OBJECT);
	CU_ASSERT_EQUAL(c->sz, 8);
	m = json_get(c, "iss");
	CU_ASSERT(m != NULL && m->type == JSON_STRING &&
	    strcmp(m->s, "https://op.example") == 0);
	m = json_get(c, "aud");
	CU_ASSERT(m != NULL && m->type == JSON_STRING &&
	    strcmp(m->s, "client \"one\"") == 0);
	m = json_get(c, "iat");
	CU_ASSERT(m != NULL && m->isint && m->i == TK_NOW);
	m = json_get(c, "exp");
	CU_ASSERT(m != NULL && m->isint && m->i == TK_NOW + 120);
	m = json_get(c, "jti");
	CU_ASSERT(m != NULL && m->type == JSON_STRING && m->sz == 22 &&
	    strcmp(m->s, jti) == 0);
	m = json_get(c, "sub");
	CU_ASSERT(m != NULL && strcmp(m->s, "user\n1") == 0);
	m = json_get(c, "sid");
	CU_ASSERT(m != NULL && strcmp(m->s, "sid-1") == 0);
	CU_ASSERT_PTR_NULL(json_get(c, "nonce"));
	ev = json_get(c, "events");
	CU_ASSERT_FATAL(ev != NULL && ev->type == JSON_OBJECT);
	CU_ASSERT_EQUAL(ev->sz, 1);
	m = json_get(ev, LTOKEN_EVENT);
	CU_ASSERT(m != NULL && m->type == JSON_OBJECT && m->sz == 0);

	/* The signature verifies with the public key; a changed one not. */
	sigsz = b64url_decsz(strlen(d2 + 1));
	sig = malloc(sigsz + 1);
	CU_ASSERT_FATAL(b64url_decode(d2 + 1, strlen(d2 + 1), sig, sigsz + 1,
	    &sigsz));
	CU_ASSERT_EQUAL(jws_verify(pubk, alg, (const unsigned char *)tok,
	    (size_t)(d2 - tok), sig, sigsz), 1);
	sig[sigsz / 2] ^= 1;
	CU_ASSERT_EQUAL(jws_verify(pubk, alg, (const unsigned char *)tok,
	    (size_t)(d2 - tok), sig, sigsz), 0);
	sig[sigsz / 2] ^= 1;
	CU_ASSERT_EQUAL(jws_verify(pubk, alg, (const unsigned char *)tok,
	    (size_t)(d2 - tok) - 1, sig, sigsz), 0);
	free(sig);
	arena_free(&ar);
}

static void
one_alg(enum tk_kind kind, enum alg alg, const char *kid)
{
	struct es_err		 e;
	struct keyset		*pub;
	struct signer		*sg;
	const struct skey	*k;
	struct ltoken_in	 in = { "https://op.example", "client \"one\"",
				    "user\n1", "sid-1", TK_NOW };
	struct buf		 b = { NULL, 0, 0, 0 }, b2 = { NULL, 0, 0, 0 };
	char			*pj, *priv, jti[LTOKEN_JTI_SZ + 1];
	char			 jti2[LTOKEN_JTI_SZ + 1];
	enum alg		 use = ALG__MAX;

	pj = tk_jwk(kind, kid, NULL);
	pub = tk_keyset(&e, pj, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pub);
	priv = priv_jwk(kind, NULL, NULL);	/* kid from the keys file */
	sg = signer_of(priv, pub, &e);
	if (sg == NULL)
		fprintf(stderr, "%s\n", e.msg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sg);
	k = sign_pick(sg, NULL, alg, &use);
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	CU_ASSERT_EQUAL(use, alg);
	CU_ASSERT_STRING_EQUAL(k->kid, kid);
	CU_ASSERT_EQUAL(ltoken_make(k, use, &in, jti, &b), 1);
	check_token(b.p, &pub->keys[0], alg, kid, jti);
	/*
	 * A new jti for every token, and the key's sign context (set up
	 * once, copied per signature) still signs after a first use.
	 */
	CU_ASSERT_EQUAL(ltoken_make(k, use, &in, jti2, &b2), 1);
	CU_ASSERT(strcmp(jti, jti2) != 0);
	check_token(b2.p, &pub->keys[0], alg, kid, jti2);
	buf_free(&b);
	buf_free(&b2);
	sign_free(sg);
	jwks_free(pub);
	free(priv);
	free(pj);
}

static void
test_rs256(void)
{
	one_alg(TK_RSA, ALG_RS256, "rsa1");
}

static void
test_ps256(void)
{
	one_alg(TK_RSA, ALG_PS256, "rsa1");
}

static void
test_es256(void)
{
	one_alg(TK_P256, ALG_ES256, "ec1");
}

static void
test_es384(void)
{
	one_alg(TK_P384, ALG_ES384, "ec384");
}

static void
test_es512(void)
{
	one_alg(TK_P521, ALG_ES512, "ec521");
}

static void
test_eddsa(void)
{
	one_alg(TK_ED25519, ALG_EDDSA, "ed1");
}

/* Keys refused: not in the keys file, halves that do not match, ... */
static void
test_bad_keys(void)
{
	struct es_err	 e;
	struct keyset	*pub;
	char		*pj, *pe, *priv, *bad, *mixed;
	struct signer	*sg;
	size_t		 i;
	static const char *const junk[] = {
		"", "[]", "{}", "{\"keys\":[]}", "{\"keys\":{}}",
		"{\"kty\":\"oct\",\"k\":\"AAAA\"}",
		"{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AA\",\"y\":\"AA\","
		    "\"d\":\"AA\"}",
		"{\"kty\":\"OKP\",\"crv\":\"X25519\",\"x\":\"AA\",\"d\":\"AA\"}",
		"{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\"}",
	};

	pj = tk_jwk(TK_RSA, "rsa1", NULL);
	pe = tk_jwk(TK_P256, "ec1", NULL);
	pub = tk_keyset(&e, pj, pe, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pub);
	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		CU_ASSERT_PTR_NULL(signer_of(junk[i], pub, &e));
		CU_ASSERT(e.msg[0] != '\0');
	}
	/* A key whose public half is not in the keys file. */
	priv = priv_jwk(TK_P256_B, NULL, NULL);
	CU_ASSERT_PTR_NULL(signer_of(priv, pub, &e));
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "not in the keys file"));
	free(priv);
	/* The right public key under another kid. */
	priv = priv_jwk(TK_P256, "other", NULL);
	CU_ASSERT_PTR_NULL(signer_of(priv, pub, &e));
	free(priv);
	/* A public JWK only. */
	CU_ASSERT_PTR_NULL(signer_of(pe, pub, &e));
	/* d of another key: the halves do not match. */
	priv = priv_jwk(TK_P256, NULL, NULL);
	bad = priv_jwk(TK_P256_B, NULL, NULL);
	memcpy(strstr(priv, "\"d\":\""), strstr(bad, "\"d\":\""), 5 + 43);
	CU_ASSERT_PTR_NULL(signer_of(priv, pub, &e));
	free(priv);
	free(bad);
	/*
	 * RSA halves that do not match: d of another key, and a CRT
	 * member (qi) of another key, which only a signature shows.
	 */
	priv = priv_jwk(TK_RSA, NULL, NULL);
	bad = priv_jwk(TK_RSA_B, NULL, NULL);
	mixed = swap_member(priv, bad, "d");
	CU_ASSERT_PTR_NULL(signer_of(mixed, pub, &e));
	free(mixed);
	mixed = swap_member(priv, bad, "qi");
	CU_ASSERT_PTR_NULL(signer_of(mixed, pub, &e));
	free(mixed);
	/* ... and the key itself is taken. */
	sg = signer_of(priv, pub, &e);
	CU_ASSERT_PTR_NOT_NULL(sg);
	sign_free(sg);
	free(priv);
	free(bad);
	/* RSA without its CRT members. */
	priv = priv_jwk(TK_RSA, NULL, NULL);
	*strstr(priv, ",\"p\":") = '\0';
	bad = tk_fmt("%s}", priv);
	CU_ASSERT_PTR_NULL(signer_of(bad, pub, &e));
	free(priv);
	free(bad);
	/* An alg that does not fit the key, and use other than sig. */
	priv = priv_jwk(TK_P256, NULL, "\"alg\":\"ES384\"");
	CU_ASSERT_PTR_NULL(signer_of(priv, pub, &e));
	free(priv);
	priv = priv_jwk(TK_P256, NULL, "\"use\":\"enc\"");
	CU_ASSERT_PTR_NULL(signer_of(priv, pub, &e));
	free(priv);
	jwks_free(pub);
	free(pj);
	free(pe);
}

/* The key for a client's algorithm, or the one named by signing_kid. */
static void
test_pick(void)
{
	struct es_err		 e;
	struct keyset		*pub;
	struct signer		*sg;
	const struct skey	*k;
	char			*pj, *pe, *a, *b, *set;
	enum alg		 use;

	pj = tk_jwk(TK_RSA, "rsa1", NULL);
	pe = tk_jwk(TK_P256, "ec1", NULL);
	pub = tk_keyset(&e, pj, pe, NULL);
	a = priv_jwk(TK_RSA, NULL, NULL);
	b = priv_jwk(TK_P256, "ec1", NULL);
	set = tk_fmt("{\"keys\":[%s,%s]}", a, b);
	sg = signer_of(set, pub, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sg);
	CU_ASSERT_EQUAL(sg->n, 2);
	k = sign_pick(sg, NULL, ALG_RS256, &use);
	CU_ASSERT(k != NULL && strcmp(k->kid, "rsa1") == 0 &&
	    use == ALG_RS256);
	k = sign_pick(sg, NULL, ALG_ES256, &use);
	CU_ASSERT(k != NULL && strcmp(k->kid, "ec1") == 0 &&
	    use == ALG_ES256);
	CU_ASSERT_PTR_NULL(sign_pick(sg, NULL, ALG_ES384, &use));
	CU_ASSERT_PTR_NULL(sign_pick(sg, NULL, ALG_EDDSA, &use));
	/* signing_kid: that key, with its own algorithm when needed. */
	k = sign_pick(sg, "ec1", ALG_RS256, &use);
	CU_ASSERT(k != NULL && strcmp(k->kid, "ec1") == 0 &&
	    use == ALG_ES256);
	k = sign_pick(sg, "rsa1", ALG_PS384, &use);
	CU_ASSERT(k != NULL && use == ALG_PS384);
	CU_ASSERT_PTR_NULL(sign_pick(sg, "nope", ALG_RS256, &use));
	sign_free(sg);
	jwks_free(pub);
	free(pj);
	free(pe);
	free(a);
	free(b);
	free(set);
}

static void
test_no_subject(void)
{
	struct es_err		 e;
	struct keyset		*pub;
	struct signer		*sg;
	struct ltoken_in	 in = { "https://op.example", "c", NULL, NULL,
				    TK_NOW };
	struct buf		 b = { NULL, 0, 0, 0 };
	char			*pj, *priv, jti[LTOKEN_JTI_SZ + 1];
	enum alg		 use;

	pj = tk_jwk(TK_ED25519, "ed1", NULL);
	pub = tk_keyset(&e, pj, NULL);
	priv = priv_jwk(TK_ED25519, NULL, NULL);
	sg = signer_of(priv, pub, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sg);
	/* Neither sub nor sid: no token (section 2.4 needs one). */
	CU_ASSERT_EQUAL(ltoken_make(sign_pick(sg, NULL, ALG_EDDSA, &use),
	    ALG_EDDSA, &in, jti, &b), 0);
	CU_ASSERT_EQUAL(b.sz, 0);
	/* sid alone is enough, and then no sub member. */
	in.sid = "s";
	CU_ASSERT_EQUAL(ltoken_make(sign_pick(sg, NULL, ALG_EDDSA, &use),
	    ALG_EDDSA, &in, jti, &b), 1);
	CU_ASSERT_PTR_NULL(strstr(b.p, "sub"));
	buf_free(&b);
	sign_free(sg);
	jwks_free(pub);
	free(priv);
	free(pj);
}

/* What the signing thread hands back, in order. */
struct taken {
	size_t		 n, bad;
	int64_t		 ids[64];
	int		 ok[64];
	char		 jti[64][LTOKEN_JTI_SZ + 1];
	char		*body[64];
};

static void
take_fn(void *arg, int64_t id, int ok, const char *jti, const char *body,
    size_t bodysz)
{
	struct taken	*t = arg;

	if (t->n == 64 || strlen(body) != bodysz) {
		t->bad++;
		return;
	}
	t->ids[t->n] = id;
	t->ok[t->n] = ok;
	memcpy(t->jti[t->n], jti, LTOKEN_JTI_SZ + 1);
	t->body[t->n] = strdup(body);
	t->n++;
}

/* Takes back until want jobs came, waiting on the queue's fd. */
static void
take_all(struct signq *q, struct taken *t, size_t want)
{
	struct pollfd	 p;
	int		 spins = 0;

	while (t->n < want && spins++ < 200) {
		p.fd = sq_fd(q);
		p.events = POLLIN;
		if (poll(&p, 1, 100) == 1)
			sq_take(q, take_fn, t);
	}
}

static void
signq_with(size_t nthreads)
{
	struct es_err		 e;
	struct keyset		*pub;
	struct signer		*sg;
	struct signq		*q;
	const struct skey	*k;
	struct ltoken_in	 in = { "https://op.example", "client \"one\"",
				    "user\n1", "sid-1", TK_NOW };
	struct taken		 t;
	enum alg		 use;
	char			*pj, *priv;
	size_t			 i;
	unsigned long long	 seen = 0;

	memset(&t, 0, sizeof(t));
	pj = tk_jwk(TK_P256, "ec1", NULL);
	pub = tk_keyset(&e, pj, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pub);
	priv = priv_jwk(TK_P256, NULL, NULL);
	sg = signer_of(priv, pub, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sg);
	k = sign_pick(sg, NULL, ALG_ES256, &use);
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	CU_ASSERT_PTR_NULL(sq_new(0));
	CU_ASSERT_PTR_NULL(sq_new(SQ_MAX_THREADS + 1));
	q = sq_new(nthreads);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	/* Forty tokens, then one the key cannot make (RS256 with EC). */
	for (i = 0; i < 40; i++)
		CU_ASSERT_EQUAL(sq_put(q, 100 + (int64_t)i, k, use, &in), 1);
	CU_ASSERT_EQUAL(sq_put(q, 7, k, ALG_RS256, &in), 1);
	CU_ASSERT_EQUAL(sq_pending(q), 41);
	take_all(q, &t, 41);
	CU_ASSERT_EQUAL_FATAL(t.n, 41);
	CU_ASSERT_EQUAL(t.bad, 0);
	CU_ASSERT_EQUAL(sq_pending(q), 0);
	for (i = 0; i < 41; i++) {
		/* In queued order with one thread; each id once with more. */
		if (nthreads == 1)
			CU_ASSERT_EQUAL(t.ids[i], i < 40 ? 100 + (int64_t)i : 7);
		seen |= 1ull << (t.ids[i] == 7 ? 40 : t.ids[i] - 100);
		if (t.ids[i] == 7) {
			CU_ASSERT_EQUAL(t.ok[i], 0);
			continue;
		}
		CU_ASSERT_EQUAL_FATAL(t.ok[i], 1);
		CU_ASSERT_FATAL(strncmp(t.body[i], "logout_token=", 13) == 0);
		check_token(t.body[i] + 13, &pub->keys[0], ALG_ES256, "ec1",
		    t.jti[i]);
		CU_ASSERT(i == 0 || strcmp(t.jti[i], t.jti[i - 1]) != 0);
	}
	CU_ASSERT_EQUAL(seen, (1ull << 41) - 1);
	for (i = 0; i < t.n; i++)
		free(t.body[i]);
	/* Nothing finished waits: the fd is not readable. */
	CU_ASSERT_EQUAL(sq_take(q, take_fn, &t), 0);
	/* Freed with jobs queued and finished but not taken: no leak. */
	for (i = 0; i < 20; i++)
		CU_ASSERT_EQUAL(sq_put(q, 200 + (int64_t)i, k, use, &in), 1);
	sq_free(q);
	sign_free(sg);
	jwks_free(pub);
	free(priv);
	free(pj);
}

static void
test_signq(void)
{
	signq_with(1);
	signq_with(4);
}

static void
test_backoff(void)
{
	CU_ASSERT_EQUAL(notify_backoff(1, 300), 1);	/* within 2 s */
	CU_ASSERT_EQUAL(notify_backoff(2, 300), 2);
	CU_ASSERT_EQUAL(notify_backoff(3, 300), 4);
	CU_ASSERT_EQUAL(notify_backoff(9, 300), 256);
	CU_ASSERT_EQUAL(notify_backoff(10, 300), 300);
	CU_ASSERT_EQUAL(notify_backoff(4000000000u, 300), 300);
	CU_ASSERT_EQUAL(notify_backoff(5, 1), 1);
	CU_ASSERT_EQUAL(notify_backoff(0, 300), 1);
}

UNIT_SUITE("ltoken",
	{ "RS256 token to the letter", test_rs256 },
	{ "PS256 token", test_ps256 },
	{ "ES256 token", test_es256 },
	{ "ES384 token", test_es384 },
	{ "ES512 token", test_es512 },
	{ "EdDSA token", test_eddsa },
	{ "refused private keys", test_bad_keys },
	{ "key for the client's algorithm", test_pick },
	{ "sub or sid required", test_no_subject },
	{ "signing threads: each token verifies, failures said", test_signq },
	{ "retry schedule", test_backoff },
)
