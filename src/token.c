/*
 * token.c - the confirmation form's token.  It binds every field the
 * form carries, the browser's session cookie, the random confirm cookie
 * the page set and an expiry with HMAC-SHA256 under the operator's
 * secret, so that any process or machine holding the secret can check it
 * and nobody can change a field (say, add a redirect URI) or post a page
 * they loaded themselves from another browser.
 * Stateless: nothing is stored between the GET and the POST.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "endsession.h"

struct token_key {
	EVP_MAC_CTX	*tmpl;		/* keyed once; duplicated per use */
};

struct token_key *
token_key_new(const unsigned char *secret, size_t sz)
{
	struct token_key	*tk;
	EVP_MAC			*mac;
	OSSL_PARAM		 params[2];

	if (sz < SECRET_MIN || (tk = calloc(1, sizeof(*tk))) == NULL)
		return NULL;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL) {
		free(tk);
		return NULL;
	}
	tk->tmpl = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac);
	if (tk->tmpl == NULL || EVP_MAC_init(tk->tmpl, secret, sz, params) != 1) {
		token_key_free(tk);
		return NULL;
	}
	return tk;
}

void
token_key_free(struct token_key *tk)
{
	if (tk == NULL)
		return;
	EVP_MAC_CTX_free(tk->tmpl);
	free(tk);
}

/* Each field goes in with its length first, so no two sets collide. */
static int
field(EVP_MAC_CTX *ctx, const struct val *v)
{
	unsigned char	 len[8];
	uint64_t	 sz = v->p == NULL ? 0 : v->sz;
	int		 i;

	for (i = 0; i < 8; i++)
		len[i] = (unsigned char)(sz >> (56 - 8 * i));
	return EVP_MAC_update(ctx, len, 8) == 1 &&
	    (sz == 0 || EVP_MAC_update(ctx, (const unsigned char *)v->p, sz) ==
	    1);
}

static int
tag(const struct token_key *tk, const struct token_fields *f,
    const unsigned char exp[8], unsigned char out[32])
{
	static const unsigned char	 label[] = "endsession confirm v2";
	EVP_MAC_CTX			*ctx;
	size_t				 outsz;
	int				 ok;

	if ((ctx = EVP_MAC_CTX_dup(tk->tmpl)) == NULL)
		return 0;
	ok = EVP_MAC_update(ctx, label, sizeof(label)) == 1 &&
	    EVP_MAC_update(ctx, exp, 8) == 1 &&
	    field(ctx, &f->client_id) && field(ctx, &f->plru) &&
	    field(ctx, &f->state) && field(ctx, &f->ui_locales) &&
	    field(ctx, &f->browser_sid) && field(ctx, &f->cookie) &&
	    EVP_MAC_final(ctx, out, &outsz, 32) == 1 && outsz == 32;
	EVP_MAC_CTX_free(ctx);
	return ok;
}

int
token_mint(const struct token_key *tk, const struct token_fields *f,
    time_t expiry, char out[TOKEN_SZ + 1])
{
	unsigned char	 raw[TOKEN_RAWSZ];
	uint64_t	 e = (uint64_t)expiry;
	int		 i;

	for (i = 0; i < 8; i++)
		raw[i] = (unsigned char)(e >> (56 - 8 * i));
	if (!tag(tk, f, raw, raw + 8))
		return 0;
	b64url_encode(raw, sizeof(raw), out);
	return 1;
}

enum token_res
token_check(const struct token_key *tk, const struct token_fields *f,
    const char *tok, size_t toksz, time_t now)
{
	unsigned char	 raw[TOKEN_RAWSZ + 3], want[32];
	size_t		 rawsz;
	uint64_t	 e = 0;
	int		 i;

	if (tok == NULL || toksz == 0)
		return TOKEN_MISSING;
	if (toksz != TOKEN_SZ ||
	    !b64url_decode(tok, toksz, raw, sizeof(raw), &rawsz) ||
	    rawsz != TOKEN_RAWSZ)
		return TOKEN_BAD;
	if (!tag(tk, f, raw, want))
		return TOKEN_BAD;
	if (CRYPTO_memcmp(want, raw + 8, 32) != 0)
		return TOKEN_BAD;
	/* Expiry is checked only once the tag shows it is ours. */
	for (i = 0; i < 8; i++)
		e = e << 8 | raw[i];
	if (now < 0 || e < (uint64_t)now || e > (uint64_t)now + 2 * TOKEN_TTL)
		return TOKEN_EXPIRED;
	return TOKEN_OK;
}
