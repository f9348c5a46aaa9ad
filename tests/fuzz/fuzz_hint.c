/*
 * fuzz_hint.c - hint_check over an id_token_hint (compact JWS: header,
 * claims, signature) against the fixed keys and clients of FUZZ_DATA, at
 * FUZZ_NOW.  The seeds are real tokens minted by mkcorpus.sh.
 */
#include "fuzz.h"

static const struct world	*w;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	w = fuzz_world();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hint_ctx	 hc;
	struct hint	 h;
	struct arena	 ar = { NULL };
	enum hint_res	 res;
	char		*tok = fuzz_dup(data, size);
	size_t		 i;

	hc.keys = w->keys;
	hc.reg = w->reg;
	hc.issuer = w->conf.issuer;
	hc.clock_skew = w->conf.clock_skew;
	hc.max_age = w->conf.hint_max_age;
	res = hint_check(&hc, tok, size, FUZZ_NOW, &ar, &h);
	FUZZ_ASSERT((unsigned)res < HINT__MAX);
	if (res == HINT_VALID) {
		FUZZ_ASSERT(h.audsz > 0 && h.aud != NULL);
		for (i = 0; i < h.audsz; i++)
			FUZZ_ASSERT(h.aud[i] != NULL);
		if (h.client != NULL)
			FUZZ_ASSERT(clients_find(w->reg, h.client->id,
			    h.client->idsz) == h.client);
		if (h.sub != NULL)
			(void)strlen(h.sub);
		if (h.sid != NULL)
			(void)strlen(h.sid);
	} else
		FUZZ_ASSERT(h.client == NULL && h.sub == NULL);
	arena_free(&ar);
	free(tok);
	return 0;
}
