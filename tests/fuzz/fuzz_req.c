/*
 * fuzz_req.c - req_parse over a whole request (see fuzz.h for how the
 * bytes become a struct http_in), with "op_sid" as the session cookie.
 */
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in	 fi;
	struct req	 r;
	size_t		 i;

	if (!fuzz_in_make(&fi, data, size))
		return 0;
	if (req_parse(&r, &fi.in, (size & 1) ? "op_sid" : NULL)) {
		FUZZ_ASSERT((unsigned)r.err < REQ__MAX);
		FUZZ_ASSERT(r.action != NULL && r.action[0] != '\0');
		if (r.err == REQ_OK)
			for (i = 0; i < P__MAX; i++)
				if (r.p[i].p != NULL)
					FUZZ_ASSERT(strlen(r.p[i].p) ==
					    r.p[i].sz);
		if (r.browser_sid != NULL)
			FUZZ_ASSERT(strlen(r.browser_sid) == r.browser_sidsz);
	}
	req_free(&r);
	fuzz_in_free(&fi);
	return 0;
}
