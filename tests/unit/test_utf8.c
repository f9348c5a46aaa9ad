/*
 * test_utf8.c - utf8_valid against RFC 3629 section 4 and the cases
 * yajl lets through (docs/libraries.md section 5).
 */
#include <stdio.h>
#include <string.h>

#include "unit.h"
#include "endsession.h"

struct utf8_case {
	const char	*in;
	size_t		 sz;		/* 0: strlen(in) */
	int		 ok;
};

static const struct utf8_case cases[] = {
	{ "", 0, 1 },
	{ "plain ascii", 0, 1 },
	{ "\x7f", 0, 1 },
	{ "caf\xc3\xa9", 0, 1 },			/* U+00E9 */
	{ "\xc2\x80", 0, 1 },				/* U+0080, lowest 2-byte */
	{ "\xdf\xbf", 0, 1 },				/* U+07FF */
	{ "\xe0\xa0\x80", 0, 1 },			/* U+0800 */
	{ "\xe2\x80\xa8", 0, 1 },			/* U+2028 */
	{ "\xed\x9f\xbf", 0, 1 },			/* U+D7FF */
	{ "\xee\x80\x80", 0, 1 },			/* U+E000 */
	{ "\xef\xbf\xbf", 0, 1 },			/* U+FFFF */
	{ "\xf0\x90\x80\x80", 0, 1 },			/* U+10000 */
	{ "\xf0\x9f\x98\x80", 0, 1 },			/* U+1F600 */
	{ "\xf4\x8f\xbf\xbf", 0, 1 },			/* U+10FFFF */
	{ "a\0b", 3, 0 },				/* NUL */
	{ "\0", 1, 0 },
	{ "\x80", 0, 0 },				/* lone continuation */
	{ "\xbf", 0, 0 },
	{ "\xc0\xaf", 0, 0 },				/* overlong '/' */
	{ "\xc1\xbf", 0, 0 },				/* overlong */
	{ "\xc0\x80", 0, 0 },				/* overlong NUL */
	{ "\xe0\x80\xaf", 0, 0 },			/* overlong 3-byte */
	{ "\xe0\x9f\xbf", 0, 0 },			/* overlong U+07FF */
	{ "\xf0\x80\x80\xaf", 0, 0 },			/* overlong 4-byte */
	{ "\xf0\x8f\xbf\xbf", 0, 0 },			/* overlong U+FFFF */
	{ "\xed\xa0\x80", 0, 0 },			/* U+D800 */
	{ "\xed\xbf\xbf", 0, 0 },			/* U+DFFF */
	{ "\xed\xa0\xbd\xed\xb8\x80", 0, 0 },		/* CESU-8 pair */
	{ "\xf4\x90\x80\x80", 0, 0 },			/* U+110000 */
	{ "\xf5\x80\x80\x80", 0, 0 },
	{ "\xf8\x88\x80\x80\x80", 0, 0 },		/* 5 bytes */
	{ "\xfe", 0, 0 },
	{ "\xff", 0, 0 },
	{ "\xc3", 0, 0 },				/* truncated */
	{ "caf\xc3", 0, 0 },
	{ "\xe2\x82", 0, 0 },
	{ "\xf0\x9f\x98", 0, 0 },
	{ "\xc3\x28", 0, 0 },				/* bad continuation */
	{ "\xe2\x28\xa1", 0, 0 },
	{ "\xe2\x82\x28", 0, 0 },
	{ "\xf0\x9f\x28\x80", 0, 0 },
	{ "\xf0\x9f\x98\x28", 0, 0 },
	{ "\xc3\xa9\xc3", 0, 0 },
};

static void
test_utf8_table(void)
{
	size_t	 i, sz;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sz = cases[i].sz ? cases[i].sz : strlen(cases[i].in);
		if (utf8_valid(cases[i].in, sz) != cases[i].ok)
			fprintf(stderr, "utf8 case %zu\n", i);
		CU_ASSERT_EQUAL(utf8_valid(cases[i].in, sz), cases[i].ok);
	}
}

/* A valid string cut anywhere inside a sequence is invalid. */
static void
test_utf8_truncate(void)
{
	const char	*s = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
	size_t		 sz = strlen(s), i;
	int		 boundary;

	CU_ASSERT_EQUAL(utf8_valid(s, sz), 1);
	for (i = 0; i < sz; i++) {
		/* Cuts at 0, 1, 3 and 6 fall on boundaries. */
		boundary = i == 0 || i == 1 || i == 3 || i == 6;
		CU_ASSERT_EQUAL(utf8_valid(s, i), boundary);
	}
}

/* All 65536 two-byte strings: ASCII pairs and C2..DF 80..BF only. */
static void
test_utf8_exhaustive2(void)
{
	char	 s[2];
	int	 a, b, want, bad = 0;

	for (a = 0; a < 256; a++)
		for (b = 0; b < 256; b++) {
			s[0] = (char)a;
			s[1] = (char)b;
			want = (a >= 1 && a < 0x80 && b >= 1 && b < 0x80) ||
			    (a >= 0xc2 && a <= 0xdf && b >= 0x80 && b <= 0xbf);
			if (utf8_valid(s, 2) != want)
				bad++;
		}
	CU_ASSERT_EQUAL(bad, 0);
}

/*
 * The eight-bytes-at-a-time ASCII path: any byte at any offset of ASCII
 * around it, and every case of the table at every offset from a word
 * boundary with ASCII on both sides, decide as the byte loop does.
 */
static void
test_utf8_offsets(void)
{
	char	 s[64];
	size_t	 i, pos, pad, tail, sz;
	int	 b, bad = 0;

	for (pos = 0; pos < 24; pos++)
		for (b = 0; b < 256; b++) {
			memset(s, 'a', 24);
			s[pos] = (char)b;
			if (utf8_valid(s, 24) != (b >= 1 && b < 0x80))
				bad++;
		}
	CU_ASSERT_EQUAL(bad, 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sz = cases[i].sz ? cases[i].sz : strlen(cases[i].in);
		for (pad = 0; pad < 16; pad++)
			for (tail = 0; tail < 10; tail += 9) {
				memset(s, 'x', sizeof(s));
				memcpy(s + pad, cases[i].in, sz);
				if (utf8_valid(s, pad + sz + tail) !=
				    cases[i].ok) {
					fprintf(stderr, "utf8 case %zu at %zu+%zu\n",
					    i, pad, tail);
					bad++;
				}
			}
	}
	CU_ASSERT_EQUAL(bad, 0);
}

UNIT_SUITE("utf8",
    { "table", test_utf8_table },
    { "truncate", test_utf8_truncate },
    { "exhaustive2", test_utf8_exhaustive2 },
    { "offsets", test_utf8_offsets })
