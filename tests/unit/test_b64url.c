/*
 * test_b64url.c - b64url.c against the RFC 4648 section 10 vectors
 * (in the URL alphabet, without padding) and the spellings it must
 * refuse so that each byte string has exactly one encoding.
 */
#include <stdio.h>
#include <string.h>

#include "unit.h"
#include "endsession.h"

struct b64_case {
	const char	*enc;
	const char	*dec;		/* NULL: must be refused */
	size_t		 decsz;
};

static const struct b64_case cases[] = {
	/* RFC 4648 section 10. */
	{ "", "", 0 },
	{ "Zg", "f", 1 },
	{ "Zm8", "fo", 2 },
	{ "Zm9v", "foo", 3 },
	{ "Zm9vYg", "foob", 4 },
	{ "Zm9vYmE", "fooba", 5 },
	{ "Zm9vYmFy", "foobar", 6 },
	/* The two URL-alphabet characters. */
	{ "-_8", "\xfb\xff", 2 },
	{ "_-A", "\xff\xe0", 2 },
	{ "AAA", "\0\0", 2 },
	/* RFC 7515 appendix A.1 header. */
	{ "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9",
	  "{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}", 30 },
	/* Refused. */
	{ "Zg==", NULL, 0 },		/* padding */
	{ "Zm8=", NULL, 0 },
	{ "Zg=", NULL, 0 },
	{ "+_8", NULL, 0 },		/* standard alphabet */
	{ "-/8", NULL, 0 },
	{ "Zm9v Yg", NULL, 0 },		/* whitespace */
	{ "Zm9v\nYg", NULL, 0 },
	{ " Zg", NULL, 0 },
	{ "Zg ", NULL, 0 },
	{ "Z", NULL, 0 },		/* len % 4 == 1 */
	{ "Zm9vY", NULL, 0 },
	{ "Zh", NULL, 0 },		/* non-zero trailing bits */
	{ "Zm9", NULL, 0 },
	{ "Zm9vYmF", NULL, 0 },
	{ "Zm9v.g", NULL, 0 },
	{ "Zm\x80v", NULL, 0 },
};

static void
test_b64_decode(void)
{
	unsigned char	 out[64];
	size_t		 i, sz;
	int		 ok;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sz = 12345;
		ok = b64url_decode(cases[i].enc, strlen(cases[i].enc), out,
		    sizeof(out), &sz);
		if (ok != (cases[i].dec != NULL))
			fprintf(stderr, "b64url case %zu\n", i);
		CU_ASSERT_EQUAL(ok, cases[i].dec != NULL);
		if (cases[i].dec == NULL) {
			CU_ASSERT_EQUAL(sz, 0);
			continue;
		}
		CU_ASSERT_EQUAL(sz, cases[i].decsz);
		CU_ASSERT(memcmp(out, cases[i].dec, cases[i].decsz) == 0);
	}
}

static void
test_b64_encode(void)
{
	char	 out[64];
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cases[i].dec == NULL)
			continue;
		CU_ASSERT_EQUAL(b64url_encsz(cases[i].decsz),
		    strlen(cases[i].enc));
		b64url_encode((const unsigned char *)cases[i].dec,
		    cases[i].decsz, out);
		CU_ASSERT_STRING_EQUAL(out, cases[i].enc);
	}
}

/* decode(encode(x)) == x for every length up to 64, and outcap holds. */
static void
test_b64_roundtrip(void)
{
	unsigned char	 in[64], out[64];
	char		 enc[100];
	size_t		 n, i, sz;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 37 + 11);
	for (n = 0; n <= sizeof(in); n++) {
		b64url_encode(in, n, enc);
		CU_ASSERT_EQUAL(strlen(enc), b64url_encsz(n));
		CU_ASSERT_EQUAL(b64url_decsz(strlen(enc)), n);
		CU_ASSERT_EQUAL(b64url_decode(enc, strlen(enc), out, n, &sz),
		    1);
		CU_ASSERT_EQUAL(sz, n);
		CU_ASSERT(n == 0 || memcmp(in, out, n) == 0);
		if (n > 0)
			CU_ASSERT_EQUAL(b64url_decode(enc, strlen(enc), out,
			    n - 1, &sz), 0);
	}
}

/*
 * Any byte at any position of a 22-character string (five groups of
 * four and a tail of two): outside the alphabet it is refused, inside
 * it decodes as the byte-by-byte reading says.
 */
static void
test_b64_every_position(void)
{
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned char	 in[16], out[16];
	char		 enc[32], enc2[32], s[32];
	size_t		 pos, sz, i;
	int		 c, bad = 0, want;
	unsigned	 v;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 53 + 7);
	b64url_encode(in, sizeof(in), enc);
	CU_ASSERT_EQUAL_FATAL(strlen(enc), 22);
	for (pos = 0; pos < 22; pos++)
		for (c = 1; c < 256; c++) {
			memcpy(s, enc, 23);
			s[pos] = (char)c;
			want = strchr(alpha, c) != NULL;
			/* The last character's low 4 bits are not data. */
			if (want && pos == 21) {
				v = (unsigned)(strchr(alpha, c) - alpha);
				want = (v & 15) == 0;
			}
			if (b64url_decode(s, 22, out, sizeof(out), &sz) != want)
				bad++;
			else if (want) {
				/* One spelling: encoding gives s back. */
				b64url_encode(out, sz, enc2);
				if (sz != 16 || memcmp(enc2, s, 23) != 0)
					bad++;
			}
		}
	CU_ASSERT_EQUAL(bad, 0);
}

UNIT_SUITE("b64url",
    { "decode", test_b64_decode },
    { "encode", test_b64_encode },
    { "roundtrip", test_b64_roundtrip },
    { "every byte at every position", test_b64_every_position })
