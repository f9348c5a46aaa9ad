/*
 * ltoken.c - the logout token (OpenID Connect Back-Channel Logout 1.0
 * section 2.4, with its errata): a compact JWS whose header is typ
 * "logout+jwt" (section 2.4, RFC 8725 3.11), alg and kid of the signing
 * key; whose claims are iss, aud (the client_id, a string), iat,
 * exp = iat + LTOKEN_TTL, a fresh jti of 128 random bits, sub and sid as
 * the client's ID Tokens carry them, and events with exactly the one
 * back-channel logout member whose value is {}; never nonce.  The JSON
 * is written by hand with the journal's escaper.  Also the retry
 * schedule of the deliveries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "endsession.h"

static void
member(struct buf *b, const char *name, const char *v)
{
	buf_addf(b, ",\"%s\":\"", name);
	json_esc(b, v, strlen(v));
	buf_addc(b, '"');
}

/* Appends the base64url of sz bytes. */
static void
b64(struct buf *b, const void *p, size_t sz)
{
	char	*tmp;

	if ((tmp = malloc(b64url_encsz(sz) + 1)) == NULL) {
		b->oom = 1;
		return;
	}
	b64url_encode(p, sz, tmp);
	buf_add(b, tmp, b64url_encsz(sz));
	free(tmp);
}

int
ltoken_make(const struct skey *k, enum alg alg, const struct ltoken_in *in,
    char jti[LTOKEN_JTI_SZ + 1], struct buf *out)
{
	struct buf	 hdr = { NULL, 0, 0, 0 }, pay = { NULL, 0, 0, 0 };
	unsigned char	 rnd[16], *sig = NULL;
	size_t		 sigsz = 0, start = out->sz;
	int		 rc = 0;

	if ((in->sub == NULL && in->sid == NULL) || in->iss == NULL ||
	    in->aud == NULL || alg >= ALG__MAX)
		goto out;
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		goto out;
	b64url_encode(rnd, sizeof(rnd), jti);
	jti[LTOKEN_JTI_SZ] = '\0';

	buf_addf(&hdr, "{\"typ\":\"logout+jwt\",\"alg\":\"%s\"",
	    alg_names[alg]);
	if (skey_kid(k) != NULL)
		member(&hdr, "kid", skey_kid(k));
	buf_addc(&hdr, '}');

	buf_adds(&pay, "{\"iss\":\"");
	json_esc(&pay, in->iss, strlen(in->iss));
	buf_addc(&pay, '"');
	member(&pay, "aud", in->aud);
	buf_addf(&pay, ",\"iat\":%lld,\"exp\":%lld", (long long)in->iat,
	    (long long)in->iat + LTOKEN_TTL);
	member(&pay, "jti", jti);
	if (in->sub != NULL)
		member(&pay, "sub", in->sub);
	if (in->sid != NULL)
		member(&pay, "sid", in->sid);
	buf_adds(&pay, ",\"events\":{\"" LTOKEN_EVENT "\":{}}}");
	if (hdr.oom || pay.oom)
		goto out;

	b64(out, hdr.p, hdr.sz);
	buf_addc(out, '.');
	b64(out, pay.p, pay.sz);
	if (out->oom)
		goto out;
	if (!sign_data(k, alg, out->p + start, out->sz - start, &sig, &sigsz))
		goto out;
	buf_addc(out, '.');
	b64(out, sig, sigsz);
	rc = !out->oom;
out:
	if (!rc && !out->oom && out->p != NULL) {
		out->sz = start;
		out->p[start] = '\0';
	}
	free(sig);
	buf_free(&hdr);
	buf_free(&pay);
	return rc;
}

long long
notify_backoff(unsigned n, long long max)
{
	long long	 w = 1;

	/* 1, 2, 4, 8 ... seconds: the first retry within 2 s. */
	while (n > 1 && w < max) {
		w *= 2;
		n--;
	}
	return w < max ? w : max;
}
