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

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "endsession.h"

/*
 * HMAC-SHA256 (RFC 2104) keyed once: the hash states after the key's
 * inner and outer pad blocks are kept, and each tag starts from copies of
 * them.  (EVP_MAC_CTX_dup costs about 0.7 us a tag in OpenSSL 3's
 * dispatch; these copies about 0.4 us: bench/hmacpath.c.)
 */
struct token_key {
	EVP_MD_CTX	*inner;		/* SHA-256 after K0 ^ ipad */
	EVP_MD_CTX	*outer;		/* SHA-256 after K0 ^ opad */
};

#define HMAC_BLOCK	64		/* SHA-256's block size */

struct token_key *
token_key_new(const unsigned char *secret, size_t sz)
{
	struct token_key	*tk;
	unsigned char		 k0[HMAC_BLOCK], pad[HMAC_BLOCK];
	unsigned int		 hsz;
	size_t			 i;
	int			 ok = 0;

	if (sz < SECRET_MIN || (tk = calloc(1, sizeof(*tk))) == NULL)
		return NULL;
	memset(k0, 0, sizeof(k0));
	if (sz > HMAC_BLOCK) {
		/* A key longer than a block is its hash (RFC 2104 2). */
		if (EVP_Digest(secret, sz, k0, &hsz, EVP_sha256(), NULL) != 1)
			goto out;
	} else
		memcpy(k0, secret, sz);
	if ((tk->inner = EVP_MD_CTX_new()) == NULL ||
	    (tk->outer = EVP_MD_CTX_new()) == NULL)
		goto out;
	for (i = 0; i < HMAC_BLOCK; i++)
		pad[i] = k0[i] ^ 0x36;
	if (EVP_DigestInit_ex(tk->inner, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(tk->inner, pad, HMAC_BLOCK) != 1)
		goto out;
	for (i = 0; i < HMAC_BLOCK; i++)
		pad[i] = k0[i] ^ 0x5c;
	if (EVP_DigestInit_ex(tk->outer, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(tk->outer, pad, HMAC_BLOCK) != 1)
		goto out;
	ok = 1;
out:
	OPENSSL_cleanse(k0, sizeof(k0));
	OPENSSL_cleanse(pad, sizeof(pad));
	if (!ok) {
		token_key_free(tk);
		tk = NULL;
	}
	return tk;
}

void
token_key_free(struct token_key *tk)
{
	if (tk == NULL)
		return;
	EVP_MD_CTX_free(tk->inner);
	EVP_MD_CTX_free(tk->outer);
	free(tk);
}

/* Each field goes in with its length first, so no two sets collide. */
static int
field(EVP_MD_CTX *ctx, const struct val *v)
{
	unsigned char	 len[8];
	uint64_t	 sz = v->p == NULL ? 0 : v->sz;
	int		 i;

	for (i = 0; i < 8; i++)
		len[i] = (unsigned char)(sz >> (56 - 8 * i));
	return EVP_DigestUpdate(ctx, len, 8) == 1 &&
	    (sz == 0 || EVP_DigestUpdate(ctx, v->p, sz) == 1);
}

static int
tag(const struct token_key *tk, const struct token_fields *f,
    const unsigned char exp[8], unsigned char out[32])
{
	static const unsigned char	 label[] = "endsession confirm v2";
	EVP_MD_CTX			*ctx;
	unsigned char			 ih[32];
	unsigned int			 isz = 0, osz = 0;
	int				 ok;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return 0;
	ok = EVP_MD_CTX_copy_ex(ctx, tk->inner) == 1 &&
	    EVP_DigestUpdate(ctx, label, sizeof(label)) == 1 &&
	    EVP_DigestUpdate(ctx, exp, 8) == 1 &&
	    field(ctx, &f->client_id) && field(ctx, &f->plru) &&
	    field(ctx, &f->state) && field(ctx, &f->ui_locales) &&
	    field(ctx, &f->browser_sid) && field(ctx, &f->cookie) &&
	    EVP_DigestFinal_ex(ctx, ih, &isz) == 1 && isz == 32 &&
	    EVP_MD_CTX_copy_ex(ctx, tk->outer) == 1 &&
	    EVP_DigestUpdate(ctx, ih, sizeof(ih)) == 1 &&
	    EVP_DigestFinal_ex(ctx, out, &osz) == 1 && osz == 32;
	EVP_MD_CTX_free(ctx);
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
