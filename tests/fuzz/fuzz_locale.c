/*
 * fuzz_locale.c - locale_pick over ui_locales and Accept-Language.  The
 * input is flags (bit 0: no ui_locales, bit 1: no Accept-Language), then
 * ui_locales, a NUL, then Accept-Language.
 */
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t	*nul;
	char		*ui, *al;
	size_t		 uisz;
	enum locale	 loc;

	if (size < 1)
		return 0;
	if ((nul = memchr(data + 1, '\0', size - 1)) == NULL)
		nul = data + size;
	uisz = (size_t)(nul - (data + 1));
	ui = fuzz_strndup(data + 1, uisz);
	al = nul < data + size ? fuzz_strndup(nul + 1,
	    (size_t)(data + size - nul - 1)) : fuzz_strndup(data, 0);
	loc = locale_pick((data[0] & 1) ? NULL : ui,
	    (data[0] & 2) ? NULL : al);
	FUZZ_ASSERT((unsigned)loc < LOC__MAX);
	if ((data[0] & 3) == 3)
		FUZZ_ASSERT(loc == LOC_EN);
	free(ui);
	free(al);
	return 0;
}
