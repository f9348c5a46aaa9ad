/*
 * test_json.c - json.c: what yajl accepts and we refuse (libraries.md
 * section 5), the tree we build, offsets, and size and depth extremes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "unit.h"
#include "endsession.h"

struct json_case {
	const char	*in;
	size_t		 sz;		/* 0: strlen(in) */
	const char	*err;		/* NULL: valid; else in errmsg */
};

static const struct json_case cases[] = {
	/* Valid. */
	{ "{}", 0, NULL },
	{ "[]", 0, NULL },
	{ " \t\r\n{ } \n", 0, NULL },
	{ "{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"e\"}}", 0, NULL },
	{ "\"top-level string\"", 0, NULL },
	{ "42", 0, NULL },
	{ "-0.5e-3", 0, NULL },
	{ "true", 0, NULL },
	{ "null", 0, NULL },
	{ "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"", 0, NULL },
	{ "{\"\":0}", 0, NULL },			/* empty key */
	{ "{\"a\":1,\"A\":2,\"a \":3}", 0, NULL },
	{ "{\"a\":{\"a\":{\"a\":1}}}", 0, NULL },	/* same key, other objects */
	{ "[{\"a\":1},{\"a\":2}]", 0, NULL },
	{ "\"\\u00e9\\\"\\\\\\/\\b\\f\\n\\r\\t\"", 0, NULL },
	{ "\"\xf4\x8f\xbf\xbf\"", 0, NULL },		/* U+10FFFF */
	/* Syntax yajl refuses itself. */
	{ "", 0, "" },
	{ "   ", 0, "" },
	{ "{", 0, "" },
	{ "[1,]", 0, "" },
	{ "{\"a\":1,}", 0, "" },
	{ "{\"a\"}", 0, "" },
	{ "{a:1}", 0, "" },
	{ "[01]", 0, "" },
	{ "[NaN]", 0, "" },
	{ "[1.]", 0, "" },
	{ "['x']", 0, "" },
	{ "\"a\tb\"", 0, "" },				/* raw control char */
	{ "\"a\nb\"", 0, "" },
	{ "\"\\x41\"", 0, "" },
	{ "\"\\u12\"", 0, "" },
	{ "\"abc", 0, "" },
	{ "\"a\0b\"", 5, "" },				/* raw NUL */
	{ "\"\xff\"", 0, "" },				/* yajl's UTF-8 check */
	{ "\"\xc3\"", 0, "" },
	/* Trailing garbage and multiple values. */
	{ "{} x", 0, "" },
	{ "{}{}", 0, "" },
	{ "1 2", 0, "" },
	{ "{}\0", 3, "" },
	{ "[] ]", 0, "" },
	/* Comments (the tree API would allow them). */
	{ "/* c */ {}", 0, "" },
	{ "{} // c", 0, "" },
	{ "[1, /* c */ 2]", 0, "" },
	{ "{\"a\":1 # c\n}", 0, "" },
	/* NUL through an escape, in a value and in a key. */
	{ "\"ab\\u0000cd\"", 0, "NUL in string" },
	{ "[\"\\u0000\"]", 0, "NUL in string" },
	{ "{\"a\\u0000x\":1}", 0, "NUL in string" },
	{ "{\"a\":1,\"a\\u0000x\":2}", 0, "NUL in string" },
	/* Strict UTF-8 that yajl lets through. */
	{ "\"\xc0\xaf\"", 0, "invalid UTF-8" },	/* overlong */
	{ "\"\xe0\x80\xaf\"", 0, "invalid UTF-8" },
	{ "\"\xed\xa0\x80\"", 0, "invalid UTF-8" },	/* surrogate */
	{ "\"\xf4\x90\x80\x80\"", 0, "invalid UTF-8" },	/* > U+10FFFF */
	{ "{\"\xc0\xaf\":1}", 0, "invalid UTF-8" },	/* in a key */
	{ "[\"ok\",\"\xed\xbf\xbf\"]", 0, "invalid UTF-8" },
	/* Escaped surrogates yajl would decode to '?' or a wrong char. */
	{ "\"\\ud800\"", 0, "surrogate" },
	{ "\"\\ud800x\"", 0, "surrogate" },
	{ "\"\\udbff\\u0041\"", 0, "surrogate" },
	{ "\"\\ud800\\ud800\"", 0, "surrogate" },
	{ "\"\\udc00\"", 0, "surrogate" },
	{ "\"\\ude00\\ud83d\"", 0, "surrogate" },
	{ "{\"\\ud800\":1}", 0, "surrogate" },
	{ "\"\\\\ud800\"", 0, NULL },		/* escaped backslash */
	{ "\"\\ud83d\\ude00\\ud83d\\ude00\"", 0, NULL },
	{ "\"\\uDBFF\\uDFFF\"", 0, NULL },	/* U+10FFFF */
	/* Duplicate keys. */
	{ "{\"a\":1,\"a\":2}", 0, "duplicate key" },
	{ "{\"a\":1,\"b\":2,\"a\":1}", 0, "duplicate key" },
	{ "{\"a\":1,\"\\u0061\":2}", 0, "duplicate key" },	/* escaped */
	{ "{\"b\":{\"x\":1,\"x\":1}}", 0, "duplicate key" },
	{ "[{\"a\":{}},{\"k\":[],\"k\":[]}]", 0, "duplicate key" },
	{ "{\"\":1,\"\":2}", 0, "duplicate key" },
	{ "{\"1\":0,\"2\":0,\"3\":0,\"4\":0,\"5\":0,\"6\":0,\"7\":0,"
	  "\"8\":0,\"9\":0,\"10\":0,\"3\":0}", 0, "duplicate key" },
};

static struct json *
parse(struct arena *ar, const char *s, size_t sz, size_t *off, char *msg,
    size_t msgsz)
{
	return json_parse(ar, s, sz, off, msg, msgsz);
}

static void
test_json_table(void)
{
	struct arena	 ar = { NULL };
	struct json	*j;
	char		 msg[128];
	size_t		 i, sz, off;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sz = cases[i].sz ? cases[i].sz : strlen(cases[i].in);
		off = SIZE_MAX;
		msg[0] = '\0';
		j = parse(&ar, cases[i].in, sz, &off, msg, sizeof(msg));
		if ((j != NULL) != (cases[i].err == NULL) ||
		    (j == NULL && strstr(msg, cases[i].err) == NULL))
			fprintf(stderr, "json case %zu: %s\n", i, msg);
		if (cases[i].err == NULL) {
			CU_ASSERT_PTR_NOT_NULL(j);
		} else {
			CU_ASSERT_PTR_NULL(j);
			CU_ASSERT_PTR_NOT_NULL(strstr(msg, cases[i].err));
			CU_ASSERT(msg[0] != '\0');
			CU_ASSERT_PTR_NULL(strchr(msg, '\n'));
			CU_ASSERT(off <= sz);
		}
		arena_reset(&ar);
	}
	arena_free(&ar);
}

/* The error text never quotes input: plant a marker near each error. */
static void
test_json_errmsg(void)
{
	static const char *const bad[] = {
		"{\"MARKER\":MARKER}",
		"[\"MARKER\" MARKER]",
		"\"MARKER\\qMARKER\"",
		"{\"MARKER\":1,\"MARKER\":2}",
		"[\"MARKER\xc0\xafMARKER\"]",
		"{\"MARKER\":1} MARKER",
		"/*MARKER*/1",
		"[[[[[[[[[[[[[[[[[\"MARKER\"]]]]]]]]]]]]]]]]]",
		"\"MARKER\xffMARKER\"",
	};
	struct arena	 ar = { NULL };
	char		 msg[256];
	size_t		 i, off;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT_PTR_NULL(parse(&ar, bad[i], strlen(bad[i]), &off,
		    msg, sizeof(msg)));
		CU_ASSERT_PTR_NULL(strstr(msg, "MARKER"));
		CU_ASSERT_PTR_NULL(strchr(msg, '\n'));
		CU_ASSERT(off <= strlen(bad[i]));
	}
	/* A tiny errmsg buffer is truncated, not overrun; NULLs are fine. */
	CU_ASSERT_PTR_NULL(parse(&ar, "{", 1, &off, msg, 4));
	CU_ASSERT(strlen(msg) <= 3);
	CU_ASSERT_PTR_NULL(parse(&ar, "{", 1, NULL, NULL, 0));
	arena_free(&ar);
}

static char *
nested(size_t depth, int obj)
{
	char	*s;
	size_t	 i, n = 0;

	/* Objects: {"a":{"a":...1...}} */
	if ((s = malloc(depth * 6 + 2)) == NULL)
		return NULL;
	for (i = 0; i < depth; i++) {
		if (obj) {
			memcpy(s + n, "{\"a\":", 5);
			n += 5;
		} else
			s[n++] = '[';
	}
	s[n++] = '1';
	for (i = 0; i < depth; i++)
		s[n++] = obj ? '}' : ']';
	s[n] = '\0';
	return s;
}

static void
test_json_depth(void)
{
	struct arena	 ar = { NULL };
	const struct json *j;
	char		 msg[128], *s;
	size_t		 off, d;
	int		 obj;

	for (obj = 0; obj <= 1; obj++) {
		CU_ASSERT_FATAL((s = nested(LIM_JSON_DEPTH, obj)) != NULL);
		j = parse(&ar, s, strlen(s), &off, msg, sizeof(msg));
		CU_ASSERT_PTR_NOT_NULL_FATAL(j);
		for (d = 0; d < LIM_JSON_DEPTH; d++) {
			CU_ASSERT_EQUAL_FATAL(j->type,
			    obj ? JSON_OBJECT : JSON_ARRAY);
			CU_ASSERT_EQUAL_FATAL(j->sz, 1);
			j = &j->v[0];
		}
		CU_ASSERT_EQUAL(j->type, JSON_NUMBER);
		CU_ASSERT_EQUAL(j->i, 1);
		free(s);

		CU_ASSERT_FATAL((s = nested(LIM_JSON_DEPTH + 1, obj)) != NULL);
		CU_ASSERT_PTR_NULL(parse(&ar, s, strlen(s), &off, msg,
		    sizeof(msg)));
		CU_ASSERT_STRING_EQUAL(msg, "nesting deeper than 16");
		/* The 17th opening bracket. */
		CU_ASSERT_EQUAL(off, LIM_JSON_DEPTH * (obj ? 5 : 1));
		free(s);
	}
	arena_free(&ar);
}

/* 300 000 '[' stop at the 17th, fast and with little memory. */
static void
test_json_deep_flood(void)
{
	struct arena	 ar = { NULL };
	size_t		 n = 300000, off;
	char		*s, msg[128];
	clock_t		 t0;

	CU_ASSERT_FATAL((s = malloc(n)) != NULL);
	memset(s, '[', n);
	t0 = clock();
	CU_ASSERT_PTR_NULL(parse(&ar, s, n, &off, msg, sizeof(msg)));
	CU_ASSERT((double)(clock() - t0) / CLOCKS_PER_SEC < 0.1);
	CU_ASSERT_STRING_EQUAL(msg, "nesting deeper than 16");
	CU_ASSERT_EQUAL(off, 16);
	/* Closed too. */
	s = realloc(s, 2 * n);
	CU_ASSERT_FATAL(s != NULL);
	memset(s + n, ']', n);
	CU_ASSERT_PTR_NULL(parse(&ar, s, 2 * n, &off, msg, sizeof(msg)));
	CU_ASSERT_EQUAL(off, 16);
	free(s);
	arena_free(&ar);
}

struct num_case {
	const char	*in;
	int		 isint;
	int64_t		 i;
};

static const struct num_case nums[] = {
	{ "0", 1, 0 },
	{ "-0", 1, 0 },
	{ "7", 1, 7 },
	{ "-42", 1, -42 },
	{ "1234567890123", 1, 1234567890123LL },
	{ "9223372036854775807", 1, INT64_MAX },
	{ "-9223372036854775808", 1, INT64_MIN },
	{ "9223372036854775808", 0, 0 },	/* 2^63 */
	{ "-9223372036854775809", 0, 0 },
	{ "18446744073709551616", 0, 0 },
	{ "99999999999999999999999999", 0, 0 },
	{ "1.5", 0, 0 },
	{ "1.0", 0, 0 },
	{ "1e3", 0, 0 },
	{ "1E3", 0, 0 },
	{ "-2e-1", 0, 0 },
	{ "1e400", 0, 0 },
};

static void
test_json_numbers(void)
{
	struct arena	 ar = { NULL };
	struct json	*j;
	char		 doc[64], msg[128];
	size_t		 i, off;

	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		/* At the top level (reported by complete_parse) and inside. */
		j = parse(&ar, nums[i].in, strlen(nums[i].in), &off, msg,
		    sizeof(msg));
		CU_ASSERT_PTR_NOT_NULL_FATAL(j);
		CU_ASSERT_EQUAL(j->type, JSON_NUMBER);
		CU_ASSERT_STRING_EQUAL(j->s, nums[i].in);
		CU_ASSERT_EQUAL(j->sz, strlen(nums[i].in));
		CU_ASSERT_EQUAL(j->off, 0);
		if (j->isint != nums[i].isint)
			fprintf(stderr, "number case %zu\n", i);
		CU_ASSERT_EQUAL(j->isint, nums[i].isint);
		if (nums[i].isint)
			CU_ASSERT_EQUAL(j->i, nums[i].i);

		snprintf(doc, sizeof(doc), "[ %s ]", nums[i].in);
		j = parse(&ar, doc, strlen(doc), &off, msg, sizeof(msg));
		CU_ASSERT_PTR_NOT_NULL_FATAL(j);
		CU_ASSERT_EQUAL_FATAL(j->sz, 1);
		CU_ASSERT_STRING_EQUAL(j->v[0].s, nums[i].in);
		CU_ASSERT_EQUAL(j->v[0].off, 2);
		CU_ASSERT_EQUAL(j->v[0].isint, nums[i].isint);
		if (nums[i].isint)
			CU_ASSERT_EQUAL(j->v[0].i, nums[i].i);
		arena_reset(&ar);
	}
	arena_free(&ar);
}

/* The tree: types, counts, keys in order, offsets of value starts. */
static void
test_json_tree(void)
{
	static const char doc[] =
	    "{\"s\": \"x\\\"y\", \"n\": -3, \"a\": [true, false, null, {}],"
	    " \"o\": {\"k\": []}}";
	struct arena	 ar = { NULL };
	const struct json *j, *v;
	char		 msg[128];
	size_t		 off;

	j = parse(&ar, doc, strlen(doc), &off, msg, sizeof(msg));
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(j->type, JSON_OBJECT);
	CU_ASSERT_EQUAL(j->off, 0);
	CU_ASSERT_EQUAL_FATAL(j->sz, 4);
	CU_ASSERT_STRING_EQUAL(j->k[0], "s");
	CU_ASSERT_STRING_EQUAL(j->k[1], "n");
	CU_ASSERT_STRING_EQUAL(j->k[2], "a");
	CU_ASSERT_STRING_EQUAL(j->k[3], "o");

	CU_ASSERT_PTR_NOT_NULL_FATAL(v = json_get(j, "s"));
	CU_ASSERT_EQUAL(v->type, JSON_STRING);
	CU_ASSERT_STRING_EQUAL(v->s, "x\"y");
	CU_ASSERT_EQUAL(v->sz, 3);
	CU_ASSERT_EQUAL(v->off, (size_t)(strstr(doc, "\"x") - doc));

	CU_ASSERT_PTR_NOT_NULL_FATAL(v = json_get(j, "n"));
	CU_ASSERT_EQUAL(v->type, JSON_NUMBER);
	CU_ASSERT_EQUAL(v->off, (size_t)(strstr(doc, "-3") - doc));

	CU_ASSERT_PTR_NOT_NULL_FATAL(v = json_get(j, "a"));
	CU_ASSERT_EQUAL(v->type, JSON_ARRAY);
	CU_ASSERT_EQUAL(v->off, (size_t)(strchr(doc, '[') - doc));
	CU_ASSERT_EQUAL_FATAL(v->sz, 4);
	CU_ASSERT_PTR_NULL(v->k);
	CU_ASSERT_EQUAL(v->v[0].type, JSON_TRUE);
	CU_ASSERT_EQUAL(v->v[0].off, (size_t)(strstr(doc, "true") - doc));
	CU_ASSERT_EQUAL(v->v[1].type, JSON_FALSE);
	CU_ASSERT_EQUAL(v->v[1].off, (size_t)(strstr(doc, "false") - doc));
	CU_ASSERT_EQUAL(v->v[2].type, JSON_NULL);
	CU_ASSERT_EQUAL(v->v[2].off, (size_t)(strstr(doc, "null") - doc));
	CU_ASSERT_EQUAL(v->v[3].type, JSON_OBJECT);
	CU_ASSERT_EQUAL(v->v[3].sz, 0);
	CU_ASSERT_EQUAL(v->v[3].off, (size_t)(strstr(doc, "{}") - doc));

	CU_ASSERT_PTR_NOT_NULL_FATAL(v = json_get(j, "o"));
	CU_ASSERT_EQUAL(v->type, JSON_OBJECT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v = json_get(v, "k"));
	CU_ASSERT_EQUAL(v->type, JSON_ARRAY);
	CU_ASSERT_EQUAL(v->sz, 0);

	/* Missing keys and non-objects. */
	CU_ASSERT_PTR_NULL(json_get(j, "missing"));
	CU_ASSERT_PTR_NULL(json_get(j, ""));
	CU_ASSERT_PTR_NULL(json_get(j, "S"));
	CU_ASSERT_PTR_NULL(json_get(json_get(j, "a"), "s"));
	CU_ASSERT_PTR_NULL(json_get(json_get(j, "s"), "s"));
	CU_ASSERT_PTR_NULL(json_get(NULL, "s"));
	CU_ASSERT_PTR_NULL(json_get(&json_get(j, "a")->v[3], "s"));
	arena_free(&ar);
}

struct str_case {
	const char	*in;
	const char	*out;
	size_t		 outsz;
};

static const struct str_case strs[] = {
	{ "\"\"", "", 0 },
	{ "\"\\u00e9\"", "\xc3\xa9", 2 },
	{ "\"\\u20AC\"", "\xe2\x82\xac", 3 },
	{ "\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80", 4 },
	{ "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t", 8 },
	{ "\"\\u0041\\u0062\"", "Ab", 2 },
	{ "\"\\u001f\"", "\x1f", 1 },
	{ "\"a\\\\\"", "a\\", 2 },
};

static void
test_json_strings(void)
{
	struct arena	 ar = { NULL };
	struct json	*j;
	char		 msg[128];
	size_t		 i, off;

	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		j = parse(&ar, strs[i].in, strlen(strs[i].in), &off, msg,
		    sizeof(msg));
		CU_ASSERT_PTR_NOT_NULL_FATAL(j);
		CU_ASSERT_EQUAL(j->type, JSON_STRING);
		CU_ASSERT_EQUAL(j->off, 0);
		CU_ASSERT_EQUAL(j->sz, strs[i].outsz);
		CU_ASSERT(memcmp(j->s, strs[i].out, strs[i].outsz) == 0);
		CU_ASSERT_EQUAL(j->s[j->sz], '\0');
	}
	arena_free(&ar);
}

/* An array of 200 000 elements and an object of 100 000 members. */
static void
test_json_large(void)
{
	struct arena	 ar = { NULL };
	struct buf	 b;
	struct json	*j;
	const struct json *v;
	char		 msg[128], key[32];
	size_t		 i, n = 200000, off;

	memset(&b, 0, sizeof(b));
	buf_addc(&b, '[');
	for (i = 0; i < n; i++)
		buf_addf(&b, "%s%zu", i ? "," : "", i);
	buf_addc(&b, ']');
	CU_ASSERT_FALSE_FATAL(b.oom);
	j = parse(&ar, b.p, b.sz, &off, msg, sizeof(msg));
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(j->type, JSON_ARRAY);
	CU_ASSERT_EQUAL_FATAL(j->sz, n);
	for (i = 0; i < n; i++)
		if (!j->v[i].isint || j->v[i].i != (int64_t)i)
			break;
	CU_ASSERT_EQUAL(i, n);

	/*
	 * A string whose decoding outgrows the parse's 8 KiB scratch:
	 * yajl's buffer moves from it to the heap mid-string.
	 */
	arena_reset(&ar);
	buf_reset(&b);
	buf_adds(&b, "[\"");
	for (i = 0; i < 20000; i++)
		buf_adds(&b, i % 2 ? "\\u00e9" : "a\\n");
	buf_adds(&b, "\"]");
	CU_ASSERT_FALSE_FATAL(b.oom);
	j = parse(&ar, b.p, b.sz, &off, msg, sizeof(msg));
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL_FATAL(j->sz, 1);
	CU_ASSERT_EQUAL(j->v[0].sz, 10000 * 2 + 10000 * 2);
	CU_ASSERT_EQUAL(memcmp(j->v[0].s + 39996, "a\n\xc3\xa9", 4), 0);

	/* 100 000 distinct keys, then the same with one repeated. */
	arena_reset(&ar);
	buf_reset(&b);
	n = 100000;
	buf_addc(&b, '{');
	for (i = 0; i < n; i++)
		buf_addf(&b, "%s\"k%zu\":%zu", i ? "," : "", i * 7919 % n, i);
	buf_addc(&b, '}');
	CU_ASSERT_FALSE_FATAL(b.oom);
	j = parse(&ar, b.p, b.sz, &off, msg, sizeof(msg));
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(j->sz, n);
	snprintf(key, sizeof(key), "k%zu", (size_t)12345 * 7919 % n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v = json_get(j, key));
	CU_ASSERT_EQUAL(v->i, 12345);
	/* Keys keep document order. */
	CU_ASSERT_STRING_EQUAL(j->k[1], "k7919");

	b.sz--;
	buf_adds(&b, ",\"k4242\":0}");
	CU_ASSERT_PTR_NULL(parse(&ar, b.p, b.sz, &off, msg, sizeof(msg)));
	CU_ASSERT_STRING_EQUAL(msg, "duplicate key");
	/* The later of the two. */
	CU_ASSERT_EQUAL(off, b.sz - 10);
	buf_free(&b);
	arena_free(&ar);
}

/*
 * A clients file of 100 000 registrations (about 10 MB).  Timing is
 * printed, not asserted: sanitizer and valgrind builds are far slower.
 */
static void
test_json_clients(void)
{
	struct arena	 ar = { NULL };
	struct buf	 b;
	struct json	*j;
	char		 msg[128];
	size_t		 i, n = 100000, off;
	struct timespec	 t0, t1;

	memset(&b, 0, sizeof(b));
	buf_adds(&b, "{\"clients\": [\n");
	for (i = 0; i < n; i++)
		buf_addf(&b, "%s {\"client_id\": \"client-%06zu\", "
		    "\"client_name\": \"RP %zu caf\\u00e9\", "
		    "\"post_logout_redirect_uris\": "
		    "[\"https://rp%zu.example.com/bye\"]}",
		    i ? ",\n" : "", i, i, i);
	buf_adds(&b, "\n]}\n");
	CU_ASSERT_FALSE_FATAL(b.oom);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	j = parse(&ar, b.p, b.sz, &off, msg, sizeof(msg));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_PTR_NOT_NULL_FATAL(json_get(j, "clients"));
	CU_ASSERT_EQUAL(json_get(j, "clients")->sz, n);
	fprintf(stderr, "(%zu bytes in %.0f ms) ", b.sz,
	    (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
	buf_free(&b);
	arena_free(&ar);
}

/*
 * Objects of more members than the old small-object path (8) and than
 * the count (43) from which glibc's qsort called sysinfo(), which the
 * sandbox kills: each parses, and a duplicate anywhere in it is refused
 * at the offset of its second occurrence, kept or skipped.
 */
static void
test_json_wide(void)
{
	static const size_t		 ns[] = { 9, 42, 43, 120, 400, 100000 };
	static const struct json_keep	 keep[] = {
		{ "m3", NULL },
		{ NULL, NULL }
	};
	struct arena	 ar = { NULL };
	struct buf	 b;
	struct json	*j;
	char		 msg[128];
	size_t		 i, k, n, off, dupoff;

	memset(&b, 0, sizeof(b));
	for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		n = ns[i];
		buf_reset(&b);
		buf_addc(&b, '{');
		for (k = 0; k < n; k++)
			buf_addf(&b, "%s\"m%zu\":%zu", k ? "," : "", k, k);
		buf_addc(&b, '}');
		CU_ASSERT_FALSE_FATAL(b.oom);
		j = parse(&ar, b.p, b.sz, &off, msg, sizeof(msg));
		CU_ASSERT_PTR_NOT_NULL_FATAL(j);
		CU_ASSERT_EQUAL(j->sz, n);
		j = json_parse_keep(&ar, keep, b.p, b.sz, &off, msg,
		    sizeof(msg));
		CU_ASSERT_PTR_NOT_NULL_FATAL(j);
		CU_ASSERT_EQUAL(j->sz, 1);
		CU_ASSERT_EQUAL(json_get(j, "m3")->i, 3);

		/* m1 again, last: a skipped key repeated. */
		b.sz--;
		dupoff = b.sz + 1;
		buf_adds(&b, ",\"m1\":0}");
		CU_ASSERT_PTR_NULL(parse(&ar, b.p, b.sz, &off, msg,
		    sizeof(msg)));
		CU_ASSERT_STRING_EQUAL(msg, "duplicate key");
		CU_ASSERT_EQUAL(off, dupoff);
		CU_ASSERT_PTR_NULL(json_parse_keep(&ar, keep, b.p, b.sz, &off,
		    msg, sizeof(msg)));
		CU_ASSERT_STRING_EQUAL(msg, "duplicate key");
		CU_ASSERT_EQUAL(off, dupoff);
		/* The same, one level down in a skipped member's array. */
		buf_reset(&b);
		buf_adds(&b, "{\"m3\":1,\"x\":[{");
		for (k = 0; k < n; k++)
			buf_addf(&b, "\"m%zu\":0,", k);
		dupoff = b.sz;
		buf_adds(&b, "\"m0\":0}]}");
		CU_ASSERT_PTR_NULL(json_parse_keep(&ar, keep, b.p, b.sz, &off,
		    msg, sizeof(msg)));
		CU_ASSERT_STRING_EQUAL(msg, "duplicate key");
		CU_ASSERT_EQUAL(off, dupoff);
		arena_reset(&ar);
	}
	buf_free(&b);
	arena_free(&ar);
}

/* What json_parse_keep keeps, and that skipping relaxes no check. */
static const struct json_keep kk_sub[] = {
	{ "d", NULL },
	{ NULL, NULL }
};

static const struct json_keep kk[] = {
	{ "a", NULL },
	{ "c", kk_sub },
	{ "o", NULL },
	{ NULL, NULL }
};

static const struct json_case keep_cases[] = {
	/* Each error is the one json_parse gives, at the same offset. */
	{ "{\"x\":\"\\ud800\"}", 0, "invalid surrogate escape" },
	{ "{\"x\":\"a\\u0000b\"}", 0, "NUL in string" },
	{ "{\"x\\u0000\":1}", 0, "NUL in string" },
	{ "{\"x\":\"\xc0\xaf\"}", 0, "invalid UTF-8" },
	{ "{\"x\":\"\xed\xa0\x80\"}", 0, "invalid UTF-8" },
	{ "{\"\xf4\x90\x80\x80\":1}", 0, "invalid UTF-8" },
	{ "{\"x\":[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]}", 0, "nesting deeper" },
	{ "{\"x\":1,\"x\":2}", 0, "duplicate key" },
	{ "{\"a\":1,\"x\":2,\"a\":3}", 0, "duplicate key" },
	{ "{\"x\":1,\"a\":2,\"x\":3}", 0, "duplicate key" },
	{ "{\"a\":1,\"x\":{\"y\":1,\"y\":2}}", 0, "duplicate key" },
	{ "{\"x\":[{\"y\":1},{\"z\":[{\"y\":1,\"y\":2}]}]}", 0,
	  "duplicate key" },
	{ "{\"c\":{\"d\":1,\"e\":2,\"e\":3}}", 0, "duplicate key" },
	{ "{\"o\":{\"k\":1,\"k\":2}}", 0, "duplicate key" },
	{ "{\"x\":[1,]}", 0, "" },
	{ "{\"x\":01}", 0, "" },
	{ "{\"x\":1} x", 0, "" },
	{ "{\"x\":1 /* c */}", 0, "" },
	{ "{\"x\":1", 0, "" },
	/* Valid, however much is skipped. */
	{ "{\"x\":{\"y\":[1,{\"z\":\"\\u00e9\"}]},\"a\":[1,2]}", 0, NULL },
};

static void
test_json_keep(void)
{
	struct arena		 ar = { NULL };
	struct json		*j, *all;
	const struct json	*v;
	char			 msg[128], amsg[128];
	size_t			 i, off, aoff;
	const char		*in;

	in = "{\"x\":[{\"a\":1}],\"a\":[1,{\"a\":2,\"b\":3},[{\"c\":4}]],"
	    "\"b\":\"skip\",\"c\":{\"d\":true,\"e\":{\"d\":0}},"
	    "\"o\":{\"a\":1,\"c\":2},\"p\":null}";
	j = json_parse_keep(&ar, kk, in, strlen(in), &off, msg, sizeof(msg));
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(j->sz, 3);
	CU_ASSERT_STRING_EQUAL(j->k[0], "a");
	CU_ASSERT_STRING_EQUAL(j->k[1], "c");
	CU_ASSERT_STRING_EQUAL(j->k[2], "o");
	CU_ASSERT_PTR_NULL(json_get(j, "x"));
	CU_ASSERT_PTR_NULL(json_get(j, "b"));
	/* An array under a kept member is kept whole... */
	CU_ASSERT_PTR_NOT_NULL_FATAL(v = json_get(j, "a"));
	CU_ASSERT_EQUAL_FATAL(v->sz, 3);
	CU_ASSERT_EQUAL(v->v[0].i, 1);
	/* ...but its objects keep what the member's sub list names. */
	CU_ASSERT_EQUAL(v->v[1].type, JSON_OBJECT);
	CU_ASSERT_EQUAL(v->v[1].sz, 0);
	CU_ASSERT_EQUAL(v->v[2].type, JSON_ARRAY);
	CU_ASSERT_EQUAL(v->v[2].v[0].sz, 0);
	CU_ASSERT_EQUAL(v->off, (size_t)(strstr(in, "[1,") - in));
	CU_ASSERT_PTR_NOT_NULL_FATAL(v = json_get(j, "c"));
	CU_ASSERT_EQUAL(v->sz, 1);
	CU_ASSERT_EQUAL(json_get(v, "d")->type, JSON_TRUE);
	CU_ASSERT_PTR_NULL(json_get(v, "e"));
	/* A kept member without a list: its object keeps no member. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(v = json_get(j, "o"));
	CU_ASSERT_EQUAL(v->type, JSON_OBJECT);
	CU_ASSERT_EQUAL(v->sz, 0);

	/* A root array: each object in it keeps what keep names. */
	in = "[{\"a\":1,\"z\":2},{\"z\":3},4]";
	j = json_parse_keep(&ar, kk, in, strlen(in), &off, msg, sizeof(msg));
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL_FATAL(j->sz, 3);
	CU_ASSERT_EQUAL(j->v[0].sz, 1);
	CU_ASSERT_EQUAL(j->v[1].sz, 0);
	CU_ASSERT_EQUAL(j->v[2].i, 4);

	for (i = 0; i < sizeof(keep_cases) / sizeof(keep_cases[0]); i++) {
		in = keep_cases[i].in;
		all = parse(&ar, in, strlen(in), &aoff, amsg, sizeof(amsg));
		j = json_parse_keep(&ar, kk, in, strlen(in), &off, msg,
		    sizeof(msg));
		if (keep_cases[i].err == NULL) {
			CU_ASSERT_PTR_NOT_NULL(all);
			CU_ASSERT_PTR_NOT_NULL(j);
			continue;
		}
		CU_ASSERT_PTR_NULL(all);
		CU_ASSERT_PTR_NULL(j);
		if (j != NULL || all != NULL) {
			fprintf(stderr, "case %zu: %s\n", i, in);
			continue;
		}
		CU_ASSERT_PTR_NOT_NULL(strstr(msg, keep_cases[i].err));
		CU_ASSERT_STRING_EQUAL(msg, amsg);
		CU_ASSERT_EQUAL(off, aoff);
	}
	arena_free(&ar);
}

/*
 * Memory per input byte, counted as the bytes the arena took from malloc
 * (deterministic).  A registrations file of wide clients, 60 members of
 * short values each, keeps under JSON_MEM_SKIPPED bytes per input byte
 * when read as clients.c reads it (the README's figure); keeping all of
 * it stays under JSON_MEM_PER_BYTE; input that would need more than that
 * is refused, and even then the arena stays within the budget.
 */
#define JSON_MEM_SKIPPED	1

static void
test_json_memory(void)
{
	static const struct json_keep	 client[] = {
		{ "client_id", NULL },
		{ "client_name", NULL },
		{ "post_logout_redirect_uris", NULL },
		{ NULL, NULL }
	};
	static const struct json_keep	 file[] = {
		{ "clients", client },
		{ NULL, NULL }
	};
	static const char *const	 vals[] = {
		"true", "1", "\"a\"", "[0,1]", "null", "{\"k\":0}",
	};
	struct arena	 ar = { NULL };
	struct buf	 b;
	struct json	*j;
	char		 msg[128];
	size_t		 i, k, n = 5000, off, kept, all;

	memset(&b, 0, sizeof(b));
	buf_adds(&b, "{\"clients\":[");
	for (i = 0; i < n; i++) {
		buf_addf(&b, "%s{\"client_id\":\"rp%zu\",\"client_name\":"
		    "\"RP %zu\",\"post_logout_redirect_uris\":"
		    "[\"https://rp%zu.example/bye\"]", i ? "," : "", i, i, i);
		for (k = 3; k < 60; k++)
			buf_addf(&b, ",\"x%zu\":%s", k, vals[k % 6]);
		buf_addc(&b, '}');
	}
	buf_adds(&b, "]}");
	CU_ASSERT_FALSE_FATAL(b.oom);

	j = json_parse_keep(&ar, file, b.p, b.sz, &off, msg, sizeof(msg));
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(json_get(j, "clients")->sz, n);
	CU_ASSERT_EQUAL(json_get(j, "clients")->v[n - 1].sz, 3);
	kept = arena_size(&ar);
	CU_ASSERT(kept <= JSON_MEM_SKIPPED * b.sz);
	arena_free(&ar);

	j = parse(&ar, b.p, b.sz, &off, msg, sizeof(msg));
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(json_get(j, "clients")->v[n - 1].sz, 60);
	all = arena_size(&ar);
	CU_ASSERT(all <= JSON_MEM_PER_BYTE * b.sz + JSON_MEM_SLACK);
	/* Skipping is what makes the difference. */
	CU_ASSERT(kept * 8 < all);
	fprintf(stderr, "(%zu bytes: arena %.2f B/B kept, %.2f all) ", b.sz,
	    (double)kept / b.sz, (double)all / b.sz);
	arena_free(&ar);

	/* 200 000 one-digit numbers: 80 bytes of tree per 2 of input. */
	buf_reset(&b);
	buf_addc(&b, '[');
	for (i = 0; i < 200000; i++)
		buf_adds(&b, i ? ",0" : "0");
	buf_addc(&b, ']');
	CU_ASSERT_FALSE_FATAL(b.oom);
	CU_ASSERT_PTR_NULL(parse(&ar, b.p, b.sz, &off, msg, sizeof(msg)));
	snprintf(msg + 100, 28, "%d", JSON_MEM_PER_BYTE);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "needs more than"));
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, msg + 100));
	CU_ASSERT(arena_size(&ar) <= JSON_MEM_PER_BYTE * b.sz +
	    JSON_MEM_SLACK);
	/* The same under a skipped member costs nothing. */
	buf_reset(&b);
	buf_adds(&b, "{\"x\":[");
	for (i = 0; i < 200000; i++)
		buf_adds(&b, i ? ",0" : "0");
	buf_adds(&b, "]}");
	arena_free(&ar);
	CU_ASSERT_PTR_NOT_NULL(json_parse_keep(&ar, file, b.p, b.sz, &off,
	    msg, sizeof(msg)));
	CU_ASSERT(arena_size(&ar) <= 16 * 1024 + 64);
	buf_free(&b);
	arena_free(&ar);
}

UNIT_SUITE("json",
    { "table", test_json_table },
    { "errmsg", test_json_errmsg },
    { "depth", test_json_depth },
    { "deep_flood", test_json_deep_flood },
    { "numbers", test_json_numbers },
    { "tree", test_json_tree },
    { "strings", test_json_strings },
    { "large", test_json_large },
    { "clients", test_json_clients },
    { "wide objects", test_json_wide },
    { "keep", test_json_keep },
    { "memory per input byte", test_json_memory })
