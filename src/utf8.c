/*
 * utf8.c - strict UTF-8 (RFC 3629 section 4).  yajl's own check lets
 * overlong forms, surrogates and code points above U+10FFFF through
 * (libraries.md 5), so every string that reaches us is checked here
 * again.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "endsession.h"

/*
 * Returns 1 if the sz bytes at s are well-formed UTF-8 in the sense of
 * RFC 3629 section 4 (the "UTF8-octets" grammar) and hold no NUL byte,
 * else 0.  The grammar's second-byte ranges rule out overlong forms
 * (E0 80..9F, F0 80..8F), surrogates (ED A0..BF) and anything above
 * U+10FFFF (F4 90..BF, F5..FF); C0 and C1 can only start overlong forms.
 */
int
utf8_valid(const char *s, size_t sz)
{
	const unsigned char	*p = (const unsigned char *)s;
	const unsigned char	*end = p + sz;
	unsigned char		 c, lo, hi;
	size_t			 n, i;

	while (p < end) {
		/*
		 * Eight ASCII bytes at a time (no high bit, no NUL): a hint
		 * and its query are base64url, a few KiB per request.
		 */
		while (end - p >= 8) {
			uint64_t	 x;

			memcpy(&x, p, sizeof(x));
			if (((x | ((x - 0x0101010101010101ULL) & ~x)) &
			    0x8080808080808080ULL) != 0)
				break;
			p += 8;
		}
		if (p == end)
			break;
		c = *p;
		if (c >= 0x01 && c <= 0x7f) {
			p++;
			continue;
		}
		lo = 0x80;
		hi = 0xbf;
		if (c >= 0xc2 && c <= 0xdf)
			n = 1;
		else if (c == 0xe0) {
			n = 2;
			lo = 0xa0;
		} else if (c == 0xed) {
			n = 2;
			hi = 0x9f;
		} else if (c >= 0xe1 && c <= 0xef)
			n = 2;
		else if (c == 0xf0) {
			n = 3;
			lo = 0x90;
		} else if (c == 0xf4) {
			n = 3;
			hi = 0x8f;
		} else if (c >= 0xf1 && c <= 0xf3)
			n = 3;
		else
			return 0;	/* NUL, 80..C1, F5..FF */
		if ((size_t)(end - p) <= n)
			return 0;	/* truncated */
		if (p[1] < lo || p[1] > hi)
			return 0;
		for (i = 2; i <= n; i++)
			if (p[i] < 0x80 || p[i] > 0xbf)
				return 0;
		p += n + 1;
	}
	return 1;
}
