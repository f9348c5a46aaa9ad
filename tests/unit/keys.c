/*
 * keys.c - see keys.h.  Keys come from EVP_PKEY_Q_keygen / EVP_RSA_gen
 * once per run; nothing here reads files but the templates.  Signing and
 * JWK export are tests/tools/jose.c, which the token tool shares.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "endsession.h"
#include "jose.h"
#include "keys.h"

static EVP_PKEY	*cache[TK__MAX];

EVP_PKEY *
tk_key(enum tk_kind k)
{
	if (cache[k] != NULL)
		return cache[k];
	switch (k) {
	case TK_RSA:
	case TK_RSA_B:
		cache[k] = EVP_RSA_gen(2048);
		break;
	case TK_RSA1024:
		cache[k] = EVP_RSA_gen(1024);
		break;
	case TK_P256:
	case TK_P256_B:
		cache[k] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		break;
	case TK_P384:
		cache[k] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
		break;
	case TK_P521:
		cache[k] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521");
		break;
	case TK_ED25519:
		cache[k] = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		break;
	default:
		break;
	}
	if (cache[k] == NULL) {
		fprintf(stderr, "keys: cannot generate key %d\n", (int)k);
		abort();
	}
	return cache[k];
}

char *
tk_fmt(const char *fmt, ...)
{
	va_list	 ap;
	char	*p;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (p = malloc((size_t)n + 1)) == NULL)
		abort();
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

char *
tk_b64(const void *p, size_t sz)
{
	char	*out;

	if ((out = malloc(b64url_encsz(sz) + 1)) == NULL)
		abort();
	b64url_encode(p, sz, out);
	out[b64url_encsz(sz)] = '\0';
	return out;
}

char *
tk_b64s(const char *s)
{
	return tk_b64(s, strlen(s));
}

char *
tk_jwk(enum tk_kind k, const char *kid, const char *extra)
{
	struct buf	 b = { NULL, 0, 0, 0 };
	char		*out;

	buf_addc(&b, '{');
	if (jose_jwk(&b, tk_key(k)) != 1)
		abort();
	if (kid != NULL)
		buf_addf(&b, ",\"kid\":\"%s\"", kid);
	if (extra != NULL)
		buf_addf(&b, ",%s", extra);
	buf_addc(&b, '}');
	if (b.oom)
		abort();
	out = tk_fmt("%.*s", (int)b.sz, b.p);
	buf_free(&b);
	return out;
}

struct keyset *
tk_keyset(struct es_err *err, ...)
{
	struct buf	 b = { NULL, 0, 0, 0 };
	struct keyset	*ks;
	va_list		 ap;
	const char	*j;
	int		 first = 1;

	buf_adds(&b, "{\"keys\":[");
	va_start(ap, err);
	while ((j = va_arg(ap, const char *)) != NULL) {
		if (!first)
			buf_addc(&b, ',');
		buf_adds(&b, j);
		first = 0;
	}
	va_end(ap);
	buf_adds(&b, "]}");
	memset(err, 0, sizeof(*err));
	ks = jwks_parse(b.p, b.sz, "test.jwks", JWKS_FULL, err);
	buf_free(&b);
	return ks;
}

int
tk_sign(EVP_PKEY *pk, enum alg a, const void *data, size_t sz,
    unsigned char **sig, size_t *sigsz)
{
	if (!jose_sign(alg_names[a], pk, NULL, 0, data, sz, sig, sigsz))
		abort();
	return 1;
}

char *
tk_jws_raw(const char *hdr, const char *pay, const void *sig, size_t sigsz)
{
	char	*h = tk_b64s(hdr), *p = tk_b64s(pay), *s = tk_b64(sig, sigsz);
	char	*out = tk_fmt("%s.%s.%s", h, p, s);

	free(h);
	free(p);
	free(s);
	return out;
}

char *
tk_jws(enum tk_kind k, enum alg a, const char *hdr, const char *pay)
{
	char		*h = tk_b64s(hdr), *p = tk_b64s(pay), *in, *s, *out;
	unsigned char	*sig;
	size_t		 sigsz;

	in = tk_fmt("%s.%s", h, p);
	tk_sign(tk_key(k), a, in, strlen(in), &sig, &sigsz);
	s = tk_b64(sig, sigsz);
	out = tk_fmt("%s.%s", in, s);
	free(h);
	free(p);
	free(in);
	free(s);
	free(sig);
	return out;
}

char *
tk_jws_hs256(const char *hdr, const char *pay, const void *secret,
    size_t secretsz)
{
	char		*h = tk_b64s(hdr), *p = tk_b64s(pay), *in, *s, *out;
	unsigned char	*mac;
	size_t		 macsz;

	in = tk_fmt("%s.%s", h, p);
	if (!jose_sign("HS256", NULL, secret, secretsz, in, strlen(in), &mac,
	    &macsz))
		abort();
	s = tk_b64(mac, macsz);
	out = tk_fmt("%s.%s", in, s);
	free(h);
	free(p);
	free(in);
	free(s);
	free(mac);
	return out;
}

char *
tk_pem(enum tk_kind k)
{
	BIO	*bio;
	char	*data, *out;
	long	 n;

	if ((bio = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio_PUBKEY(bio, tk_key(k)) != 1)
		abort();
	n = BIO_get_mem_data(bio, &data);
	out = tk_fmt("%.*s", (int)n, data);
	BIO_free(bio);
	return out;
}

int
tk_world(struct world *st, const char *clients, const char *sid_cookie,
    const char *cookies, const char *cookie_domain, const char *templates)
{
	static const unsigned char secret[32] =
	    "0123456789abcdef0123456789abcdef";
	struct es_err	 err;
	char		*j1, *j2, *copy, *p, *save;

	memset(st, 0, sizeof(*st));
	memset(&err, 0, sizeof(err));
	st->conf.issuer = strdup("https://op.example");
	st->conf.hint_max_age = 2592000;
	st->conf.clock_skew = 60;
	st->conf.cookie_path = strdup("/");
	st->conf.sid_cookie = sid_cookie ? strdup(sid_cookie) : NULL;
	st->conf.cookie_domain = cookie_domain ? strdup(cookie_domain) : NULL;
	st->conf.session_cookies = calloc(16, sizeof(char *));
	if (cookies != NULL) {
		copy = strdup(cookies);
		for (p = strtok_r(copy, " ", &save); p != NULL;
		    p = strtok_r(NULL, " ", &save))
			st->conf.session_cookies[st->conf.session_cookiesz++] =
			    strdup(p);
		free(copy);
	}
	if ((st->reg = clients_parse(clients, strlen(clients), "clients.json",
	    &err)) == NULL) {
		err_print(&err);
		return 0;
	}
	j1 = tk_jwk(TK_RSA, "rsa1", NULL);
	j2 = tk_jwk(TK_P256, "ec1", NULL);
	st->keys = tk_keyset(&err, j1, j2, (char *)NULL);
	free(j1);
	free(j2);
	if (st->keys == NULL) {
		err_print(&err);
		return 0;
	}
	if ((st->tkey = token_key_new(secret, sizeof(secret))) == NULL)
		return 0;
	if (templates != NULL &&
	    (st->tmpl = tmpl_load(templates, &err)) == NULL) {
		err_print(&err);
		return 0;
	}
	return 1;
}

void
tk_world_free(struct world *st)
{
	clients_free(st->reg);
	jwks_free(st->keys);
	token_key_free(st->tkey);
	tmpl_free(st->tmpl);
	conf_free(&st->conf);
	memset(st, 0, sizeof(*st));
}
