/*
 * fuzz_token.c - token_check of the confirmation form's token.  The input
 * is five NUL-separated fields (client_id, post_logout_redirect_uri,
 * state, ui_locales, browser sid) and then the token.  Checks
 * that nothing but the token minted for exactly these fields passes, and
 * that a freshly minted one does.  The key is FUZZ_DATA's secret, so the
 * seeds (made by seedtool from real confirmation pages) carry real tokens.
 */
#include "fuzz.h"

static const struct token_key	*tk;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	tk = fuzz_world()->tkey;	/* the secret of FUZZ_DATA, as the seeds */
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct token_fields	 f;
	struct val		*v[5];
	char			*copy[5], *tok, minted[TOKEN_SZ + 1];
	const uint8_t		*p = data, *end = data + size, *nul;
	size_t			 i, toksz;
	enum token_res		 res;

	memset(&f, 0, sizeof(f));
	memset(copy, 0, sizeof(copy));
	v[0] = &f.client_id;
	v[1] = &f.plru;
	v[2] = &f.state;
	v[3] = &f.ui_locales;
	v[4] = &f.browser_sid;
	for (i = 0; i < 5; i++) {
		if ((nul = memchr(p, '\0', (size_t)(end - p))) == NULL)
			break;
		if (nul > p) {
			copy[i] = fuzz_strndup(p, (size_t)(nul - p));
			v[i]->p = copy[i];
			v[i]->sz = (size_t)(nul - p);
		}
		p = nul + 1;
	}
	toksz = (size_t)(end - p);
	tok = fuzz_dup(p, toksz);
	res = token_check(tk, &f, toksz == 0 ? NULL : tok, toksz, FUZZ_NOW);
	FUZZ_ASSERT((unsigned)res < TOKEN__MAX);
	if (res == TOKEN_OK || res == TOKEN_EXPIRED)
		FUZZ_ASSERT(toksz == TOKEN_SZ);

	/* A token minted for these fields passes; changed by a bit, it fails. */
	FUZZ_ASSERT(token_mint(tk, &f, FUZZ_NOW + TOKEN_TTL, minted));
	FUZZ_ASSERT(strlen(minted) == TOKEN_SZ);
	FUZZ_ASSERT(token_check(tk, &f, minted, TOKEN_SZ, FUZZ_NOW) ==
	    TOKEN_OK);
	FUZZ_ASSERT(token_check(tk, &f, minted, TOKEN_SZ, FUZZ_NOW +
	    TOKEN_TTL + 1) == TOKEN_EXPIRED);
	if (res == TOKEN_OK)
		FUZZ_ASSERT(toksz == TOKEN_SZ);
	minted[size % (TOKEN_SZ - 1)] ^= 1;
	FUZZ_ASSERT(token_check(tk, &f, minted, TOKEN_SZ, FUZZ_NOW) !=
	    TOKEN_OK);
	for (i = 0; i < 5; i++)
		free(copy[i]);
	free(tok);
	return 0;
}
