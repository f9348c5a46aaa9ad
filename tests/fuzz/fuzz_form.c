/*
 * fuzz_form.c - form_parse over a query string or urlencoded body.
 * Checks that every decoded value is NUL-free, NUL-terminated and UTF-8.
 */
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena	 ar = { NULL };
	struct val	 v[P__MAX];
	enum form_err	 e;
	char		*in = fuzz_dup(data, size);
	size_t		 i;

	memset(v, 0, sizeof(v));
	e = form_parse(&ar, in, size, LIM_QUERY_SZ, v);
	FUZZ_ASSERT((unsigned)e < FORM__MAX);
	if (e == FORM_OK)
		for (i = 0; i < P__MAX; i++) {
			if (v[i].p == NULL)
				continue;
			FUZZ_ASSERT(v[i].sz > 0 && v[i].sz <= LIM_VALUE_SZ);
			FUZZ_ASSERT(strlen(v[i].p) == v[i].sz);
			FUZZ_ASSERT(utf8_valid(v[i].p, v[i].sz));
		}
	if (size > LIM_QUERY_SZ)
		FUZZ_ASSERT(e == FORM_TOO_LARGE);
	arena_free(&ar);
	free(in);
	return 0;
}
