/*
 * fuzz_hint.c - hint_check over an id_token_hint (compact JWS: header,
 * claims, signature) against the fixed keys and clients of FUZZ_DATA, at
 * FUZZ_NOW.  The seeds are real tokens minted by mkcorpus.sh.
 */
#include "fuzz.h"

static struct state	 st;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_state(&st);
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

	hc.keys = st.keys;
	hc.reg = st.reg;
	hc.issuer = st.conf.issuer;
	hc.clock_skew = st.conf.clock_skew;
	hc.max_age = st.conf.hint_max_age;
	res = hint_check(&hc, tok, size, FUZZ_NOW, &ar, &h);
	FUZZ_ASSERT((unsigned)res < HINT__MAX);
	if (res == HINT_VALID) {
		FUZZ_ASSERT(h.audsz > 0 && h.aud != NULL);
		for (i = 0; i < h.audsz; i++)
			FUZZ_ASSERT(h.aud[i] != NULL);
		if (h.client != NULL)
			FUZZ_ASSERT(clients_find(st.reg, h.client->id,
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
