/*
 * fuzz_jline.c - jline_parse over one journal line (the endpoint's
 * sign-out lines, the provider's login lines), then its time formatted
 * back and read again.
 */
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena	 ar = { NULL };
	struct jline	 l;
	const char	*why = NULL;
	char		*in = fuzz_dup(data, size), ts[21];
	enum jevent	 ev;

	ev = jline_parse(&ar, in, size, &l, &why);
	FUZZ_ASSERT(ev == l.ev);
	if (ev == JE_BAD)
		FUZZ_ASSERT(why != NULL);
	if (ev == JE_LOGIN)
		FUZZ_ASSERT(l.client_id != NULL && l.sid != NULL);
	if (ev != JE_BAD && l.time != -1) {
		FUZZ_ASSERT(jline_fmt_time(l.time, ts));
		/* "…:60Z" (a leap second) reads as the next minute. */
		FUZZ_ASSERT(jline_time(ts, 20) == l.time);
	}
	jline_time(in, size);
	arena_free(&ar);
	free(in);
	return 0;
}
