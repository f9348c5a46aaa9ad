/*
 * test_html.c - the three escapers of html.c, one table each.
 */
#include <stdio.h>
#include <string.h>

#include "unit.h"
#include "endsession.h"

struct esc_case {
	const char	*in;
	size_t		 sz;		/* 0: strlen(in) */
	const char	*out;
	size_t		 outsz;		/* 0: strlen(out) */
};

static const struct esc_case html_cases[] = {
	{ "", 0, "", 0 },
	{ "plain text", 0, "plain text", 0 },
	{ "a&b", 0, "a&amp;b", 0 },
	{ "<script>", 0, "&lt;script&gt;", 0 },
	{ "\"'", 0, "&quot;&#39;", 0 },
	{ "x=\"1\" onload='y'", 0,
	  "x=&quot;1&quot; onload=&#39;y&#39;", 0 },
	{ "&amp;", 0, "&amp;amp;", 0 },
	{ "caf\xc3\xa9 <b>", 0, "caf\xc3\xa9 &lt;b&gt;", 0 },
	{ "&", 0, "&amp;", 0 },
	{ "a\0<", 3, "a\0&lt;", 6 },
};

static const struct esc_case url_cases[] = {
	{ "", 0, "", 0 },
	{ "AZaz09-._~", 0, "AZaz09-._~", 0 },
	{ "a b", 0, "a%20b", 0 },
	{ "a+b", 0, "a%2Bb", 0 },
	{ "a\0b", 3, "a%00b", 0 },
	{ "\r\n", 0, "%0D%0A", 0 },
	{ "https://rp.example/cb?x=1&y=2#f", 0,
	  "https%3A%2F%2Frp.example%2Fcb%3Fx%3D1%26y%3D2%23f", 0 },
	{ "%41", 0, "%2541", 0 },
	{ "\xc3\xa9\xff", 0, "%C3%A9%FF", 0 },
	{ "!*'();@$,[]", 0, "%21%2A%27%28%29%3B%40%24%2C%5B%5D", 0 },
	{ "\"<>\\^`{|}", 0, "%22%3C%3E%5C%5E%60%7B%7C%7D", 0 },
	{ "\x7f", 0, "%7F", 0 },
};

static const struct esc_case json_cases[] = {
	{ "", 0, "", 0 },
	{ "plain", 0, "plain", 0 },
	{ "a\"b", 0, "a\\\"b", 0 },
	{ "a\\b", 0, "a\\\\b", 0 },
	{ "\n\r\t\b\f", 0, "\\n\\r\\t\\b\\f", 0 },
	{ "\x01\x1f", 0, "\\u0001\\u001F", 0 },
	{ "\0", 1, "\\u0000", 0 },
	{ "\x7f", 0, "\\u007F", 0 },
	{ "/", 0, "/", 0 },
	/* Pure ASCII out: every other character as \uXXXX. */
	{ "caf\xc3\xa9", 0, "caf\\u00E9", 0 },
	{ "a\xe2\x80\xa8" "b\xe2\x80\xa9", 0, "a\\u2028b\\u2029", 0 },
	{ "\xc2\x85", 0, "\\u0085", 0 },		/* NEL */
	{ "\xc2\x80\xc2\x9f", 0, "\\u0080\\u009F", 0 },
	{ "\xe2\x80\xa7\xe2\x82\xac", 0, "\\u2027\\u20AC", 0 },
	{ "\xef\xbb\xbf\xef\xbf\xbf", 0, "\\uFEFF\\uFFFF", 0 },
	/* Above U+FFFF: a surrogate pair (RFC 8259 section 7). */
	{ "\xf0\x9f\x98\x80", 0, "\\uD83D\\uDE00", 0 },
	{ "\xf0\x90\x80\x80", 0, "\\uD800\\uDC00", 0 },
	{ "\xf4\x8f\xbf\xbf", 0, "\\uDBFF\\uDFFF", 0 },
	{ "</script>", 0, "</script>", 0 },
	/* Bytes that start no valid sequence: U+FFFD each. */
	{ "x\xe2\x80", 0, "x\\uFFFD\\uFFFD", 0 },
	{ "\xff\xc0\xaf", 0, "\\uFFFD\\uFFFD\\uFFFD", 0 },
	{ "\xed\xa0\x80", 0, "\\uFFFD\\uFFFD\\uFFFD", 0 },
};

static const struct esc_case log_cases[] = {
	{ "", 0, "", 0 },
	{ "plain ASCII ~!@#$%^&*()_+{}|:\"<>?`-=[];',./", 0,
	  "plain ASCII ~!@#$%^&*()_+{}|:\"<>?`-=[];',./", 0 },
	{ "a\\b", 0, "a\\\\b", 0 },
	{ "\n\r\t\x1b[2J\x7f", 0, "\\x0A\\x0D\\x09\\x1B[2J\\x7F", 0 },
	{ "\0", 1, "\\x00", 0 },
	{ "kid\xe2\x80\xa8x", 0, "kid\\u2028x", 0 },
	{ "\xc2\x85\xc2\x9b", 0, "\\u0085\\u009B", 0 },
	{ "caf\xc3\xa9", 0, "caf\\u00E9", 0 },
	{ "\xd0\xb0", 0, "\\u0430", 0 },		/* Cyrillic a */
	{ "\xe2\x80\xae", 0, "\\u202E", 0 },	/* right-to-left override */
	{ "\xf0\x9f\x98\x80", 0, "\\U0001F600", 0 },
	{ "\xff\xc3", 0, "\\xFF\\xC3", 0 },
	{ "\xed\xa0\x80", 0, "\\xED\\xA0\\x80", 0 },
	{ "\xc0\xaf", 0, "\\xC0\\xAF", 0 },
};

static void
run(void (*fn)(struct buf *, const char *, size_t),
    const struct esc_case *c, size_t n, const char *name)
{
	struct buf	 b;
	size_t		 i, sz, outsz;

	memset(&b, 0, sizeof(b));
	for (i = 0; i < n; i++) {
		buf_reset(&b);
		sz = c[i].sz ? c[i].sz : strlen(c[i].in);
		outsz = c[i].outsz ? c[i].outsz : strlen(c[i].out);
		fn(&b, c[i].in, sz);
		CU_ASSERT_FALSE(b.oom);
		if (b.sz != outsz || (outsz > 0 &&
		    memcmp(b.p, c[i].out, outsz) != 0)) {
			fprintf(stderr, "%s case %zu\n", name, i);
			CU_FAIL("escape mismatch");
		}
	}
	buf_free(&b);
}

static void
test_html_esc(void)
{
	run(html_esc, html_cases, sizeof(html_cases) / sizeof(html_cases[0]),
	    "html");
}

static void
test_url_esc(void)
{
	run(url_esc, url_cases, sizeof(url_cases) / sizeof(url_cases[0]),
	    "url");
}

static void
test_json_esc(void)
{
	run(json_esc, json_cases, sizeof(json_cases) / sizeof(json_cases[0]),
	    "json");
}

static void
test_log_esc(void)
{
	struct buf	 b;
	char		 in[256];
	size_t		 i;

	run(log_esc, log_cases, sizeof(log_cases) / sizeof(log_cases[0]),
	    "log");
	/* All 256 bytes: only printable ASCII comes out. */
	for (i = 0; i < sizeof(in); i++)
		in[i] = (char)i;
	memset(&b, 0, sizeof(b));
	log_esc(&b, in, sizeof(in));
	CU_ASSERT_FALSE_FATAL(b.oom);
	for (i = 0; i < b.sz; i++)
		CU_ASSERT(b.p[i] >= 0x20 && b.p[i] < 0x7f);
	/* 94 kept, '\\' doubled, 161 as \xHH. */
	CU_ASSERT_EQUAL(b.sz, 94 + 2 + 161 * 4);
	buf_reset(&b);
	json_esc(&b, in, sizeof(in));
	for (i = 0; i < b.sz; i++)
		CU_ASSERT(b.p[i] >= 0x20 && b.p[i] < 0x7f);
	buf_free(&b);
}

/* Decoding url_esc's output gives back every one of the 256 bytes. */
static void
test_url_roundtrip(void)
{
	struct buf	 b;
	char		 in[256], out[256];
	size_t		 i, o = 0;
	unsigned	 v;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (char)i;
	memset(&b, 0, sizeof(b));
	url_esc(&b, in, sizeof(in));
	CU_ASSERT_FALSE_FATAL(b.oom);
	for (i = 0; i < b.sz && o < sizeof(out); i++) {
		if (b.p[i] == '%') {
			CU_ASSERT_FATAL(i + 2 < b.sz);
			CU_ASSERT_FATAL(sscanf(b.p + i + 1, "%2X", &v) == 1);
			/* Upper-case hex only. */
			CU_ASSERT(strchr("0123456789ABCDEF", b.p[i + 1]) != NULL);
			CU_ASSERT(strchr("0123456789ABCDEF", b.p[i + 2]) != NULL);
			out[o++] = (char)v;
			i += 2;
		} else
			out[o++] = b.p[i];
	}
	CU_ASSERT_EQUAL(o, sizeof(in));
	CU_ASSERT(memcmp(in, out, sizeof(in)) == 0);
	/* 66 unreserved bytes stay, 190 take three characters. */
	CU_ASSERT_EQUAL(b.sz, 66 + 190 * 3);
	buf_free(&b);
}

/* Appends to what is already in the buffer. */
static void
test_esc_append(void)
{
	struct buf	 b;

	memset(&b, 0, sizeof(b));
	buf_adds(&b, "x=");
	html_esc(&b, "<", 1);
	url_esc(&b, " ", 1);
	json_esc(&b, "\"", 1);
	CU_ASSERT_STRING_EQUAL(b.p, "x=&lt;%20\\\"");
	buf_free(&b);
}

UNIT_SUITE("html",
    { "html_esc", test_html_esc },
    { "url_esc", test_url_esc },
    { "json_esc", test_json_esc },
    { "log_esc", test_log_esc },
    { "url_roundtrip", test_url_roundtrip },
    { "append", test_esc_append })
