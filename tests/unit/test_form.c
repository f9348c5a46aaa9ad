/*
 * test_form.c - form.c: percent-decoding, '+', empty values, duplicates,
 * bad escapes, NUL, strict UTF-8 and every limit, table-driven.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "endsession.h"

struct form_case {
	const char	*in;
	enum form_err	 err;
	const char	*client_id;	/* expected value, NULL: absent */
	const char	*state;
};

static const struct form_case cases[] = {
	{ "", FORM_OK, NULL, NULL },
	{ "client_id=abc", FORM_OK, "abc", NULL },
	{ "client_id=a%20b&state=x", FORM_OK, "a b", "x" },
	{ "client_id=a+b+c", FORM_OK, "a b c", NULL },
	{ "state=%2B%26%3D%25", FORM_OK, NULL, "+&=%" },
	{ "state=%c3%a9", FORM_OK, NULL, "\xc3\xa9" },	/* lower-case hex */
	{ "state=%C3%A9", FORM_OK, NULL, "\xc3\xa9" },
	{ "cl%69ent_id=x", FORM_OK, "x", NULL },	/* encoded name */
	{ "client_id=x&state=", FORM_OK, "x", NULL },	/* empty = absent */
	{ "client_id=&state=s", FORM_OK, NULL, "s" },
	{ "client_id", FORM_OK, NULL, NULL },		/* no '=' */
	{ "&&client_id=x&&", FORM_OK, "x", NULL },	/* empty pairs */
	{ "&", FORM_OK, NULL, NULL },
	{ "client_id=a=b", FORM_OK, "a=b", NULL },
	{ "foo=1&foo=2&client_id=x", FORM_OK, "x", NULL }, /* dup unknown */
	{ "Client_ID=x", FORM_OK, NULL, NULL },		/* names are exact */
	{ "client_id=x&client_id=x", FORM_DUPLICATE, NULL, NULL },
	{ "client_id=x&client_id=y", FORM_DUPLICATE, NULL, NULL },
	{ "state=&state=", FORM_DUPLICATE, NULL, NULL },  /* given twice */
	{ "client_id=x&cl%69ent_id=y", FORM_DUPLICATE, NULL, NULL },
	{ "state=%", FORM_BAD_ESCAPE, NULL, NULL },
	{ "state=%4", FORM_BAD_ESCAPE, NULL, NULL },
	{ "state=%zz", FORM_BAD_ESCAPE, NULL, NULL },
	{ "state=%4g", FORM_BAD_ESCAPE, NULL, NULL },
	{ "state=a%", FORM_BAD_ESCAPE, NULL, NULL },
	{ "foo=%zz", FORM_BAD_ESCAPE, NULL, NULL },	/* unknown checked */
	{ "f%zo=1", FORM_BAD_ESCAPE, NULL, NULL },	/* in a name */
	{ "state=%00", FORM_NUL, NULL, NULL },
	{ "state=a%00b", FORM_NUL, NULL, NULL },
	{ "x%00=1", FORM_NUL, NULL, NULL },
	{ "state=%C3%28", FORM_BAD_UTF8, NULL, NULL },
	{ "state=%C0%AF", FORM_BAD_UTF8, NULL, NULL },	/* overlong '/' */
	{ "state=%ED%A0%80", FORM_BAD_UTF8, NULL, NULL }, /* surrogate */
	{ "state=%F4%90%80%80", FORM_BAD_UTF8, NULL, NULL },
	{ "state=%FF", FORM_BAD_UTF8, NULL, NULL },
	{ "state=%C3", FORM_BAD_UTF8, NULL, NULL },	/* truncated */
	{ "foo=%C0%AF", FORM_BAD_UTF8, NULL, NULL },
	{ "state=\xc3\x28", FORM_BAD_UTF8, NULL, NULL },	/* raw byte */
};

static void
check_val(const struct val *v, const char *want, size_t i)
{
	if (want == NULL) {
		if (v->p != NULL)
			fprintf(stderr, "case %zu: want absent, got \"%s\"\n",
			    i, v->p);
		CU_ASSERT_PTR_NULL(v->p);
		CU_ASSERT_EQUAL(v->sz, 0);
		return;
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(v->p);
	CU_ASSERT_EQUAL(v->sz, strlen(want));
	CU_ASSERT_STRING_EQUAL(v->p, want);
}

static void
test_table(void)
{
	struct arena	 ar = { NULL };
	struct val	 v[P__MAX];
	enum form_err	 e;
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		e = form_parse(&ar, cases[i].in, strlen(cases[i].in),
		    LIM_QUERY_SZ, v);
		if (e != cases[i].err)
			fprintf(stderr, "case %zu \"%s\": got %d want %d\n", i,
			    cases[i].in, (int)e, (int)cases[i].err);
		CU_ASSERT_EQUAL(e, cases[i].err);
		if (e == FORM_OK && cases[i].err == FORM_OK) {
			check_val(&v[P_CLIENT_ID], cases[i].client_id, i);
			check_val(&v[P_STATE], cases[i].state, i);
		}
		arena_reset(&ar);
	}
	arena_free(&ar);
}

/* Every known name lands in its slot. */
static void
test_all_names(void)
{
	struct arena	 ar = { NULL };
	struct val	 v[P__MAX];
	struct buf	 b = { NULL, 0, 0, 0 };
	char		 want[16];
	size_t		 i;

	for (i = 0; i < P__MAX; i++)
		buf_addf(&b, "%s%s=v%zu", i ? "&" : "", param_names[i], i);
	CU_ASSERT_EQUAL_FATAL(form_parse(&ar, b.p, b.sz, LIM_QUERY_SZ, v),
	    FORM_OK);
	for (i = 0; i < P__MAX; i++) {
		snprintf(want, sizeof(want), "v%zu", i);
		CU_ASSERT_PTR_NOT_NULL_FATAL(v[i].p);
		CU_ASSERT_STRING_EQUAL(v[i].p, want);
	}
	buf_free(&b);
	arena_free(&ar);
}

/* NULL input and a raw NUL byte. */
static void
test_null_and_nul(void)
{
	struct arena	 ar = { NULL };
	struct val	 v[P__MAX];

	CU_ASSERT_EQUAL(form_parse(&ar, NULL, 0, LIM_QUERY_SZ, v), FORM_OK);
	CU_ASSERT_PTR_NULL(v[P_STATE].p);
	CU_ASSERT_EQUAL(form_parse(&ar, "state=a\0b", 9, LIM_QUERY_SZ, v),
	    FORM_NUL);
	arena_free(&ar);
}

/* n pairs "pK=1", with one known pair first when known. */
static char *
pairs(size_t n, int known)
{
	struct buf	 b = { NULL, 0, 0, 0 };
	size_t		 i;

	for (i = 0; i < n; i++) {
		if (i == 0 && known)
			buf_adds(&b, "client_id=c");
		else
			buf_addf(&b, "%sp%zu=1", i ? "&" : "", i);
		if (i == 0 && known)
			continue;
	}
	buf_addc(&b, '\0');
	return b.p;
}

static void
test_limits_params(void)
{
	struct arena	 ar = { NULL };
	struct val	 v[P__MAX];
	char		*s, *t;

	s = pairs(LIM_PARAMS, 1);
	CU_ASSERT_EQUAL(form_parse(&ar, s, strlen(s), LIM_QUERY_SZ, v),
	    FORM_OK);
	CU_ASSERT_PTR_NOT_NULL(v[P_CLIENT_ID].p);
	free(s);
	s = pairs(LIM_PARAMS + 1, 1);
	CU_ASSERT_EQUAL(form_parse(&ar, s, strlen(s), LIM_QUERY_SZ, v),
	    FORM_TOO_MANY);
	free(s);
	/* Empty pairs do not count. */
	s = pairs(LIM_PARAMS, 0);
	t = malloc(strlen(s) + 64);
	sprintf(t, "&&&&%s&&&&&&&&&&&&&&&&", s);
	CU_ASSERT_EQUAL(form_parse(&ar, t, strlen(t), LIM_QUERY_SZ, v),
	    FORM_OK);
	free(s);
	free(t);
	arena_free(&ar);
}

static char *
value_of(const char *name, size_t n, char c)
{
	size_t	 nsz = strlen(name);
	char	*s = malloc(nsz + 1 + n + 1);

	memcpy(s, name, nsz);
	s[nsz] = '=';
	memset(s + nsz + 1, c, n);
	s[nsz + 1 + n] = '\0';
	return s;
}

static void
test_limits_size(void)
{
	struct arena	 ar = { NULL };
	struct val	 v[P__MAX];
	char		*s;
	size_t		 sz;

	/* A value of LIM_VALUE_SZ bytes is fine, one more is not. */
	s = value_of("state", LIM_VALUE_SZ, 'a');
	CU_ASSERT_EQUAL(form_parse(&ar, s, strlen(s), LIM_QUERY_SZ, v),
	    FORM_OK);
	CU_ASSERT_EQUAL(v[P_STATE].sz, LIM_VALUE_SZ);
	free(s);
	s = value_of("state", LIM_VALUE_SZ + 1, 'a');
	CU_ASSERT_EQUAL(form_parse(&ar, s, strlen(s), LIM_QUERY_SZ, v),
	    FORM_VALUE_TOO_LONG);
	free(s);
	/* Unknown names are held to the limit too. */
	s = value_of("zzz", LIM_VALUE_SZ + 1, 'a');
	CU_ASSERT_EQUAL(form_parse(&ar, s, strlen(s), LIM_QUERY_SZ, v),
	    FORM_VALUE_TOO_LONG);
	free(s);
	/* A name over the limit. */
	s = value_of("", LIM_VALUE_SZ + 1, 'n');
	memmove(s, s + 1, strlen(s));	/* "nnn...n" then '=' at the end */
	s[LIM_VALUE_SZ + 1] = '=';
	s[LIM_VALUE_SZ + 2] = '\0';
	CU_ASSERT_EQUAL(form_parse(&ar, s, strlen(s), LIM_QUERY_SZ, v),
	    FORM_VALUE_TOO_LONG);
	free(s);
	/* A long unknown name within limits decodes and is dropped. */
	s = value_of("", 100, 'n');
	memmove(s, s + 1, strlen(s));
	s[100] = '=';
	s[101] = '\0';
	CU_ASSERT_EQUAL(form_parse(&ar, s, strlen(s), LIM_QUERY_SZ, v),
	    FORM_OK);
	free(s);

	/* Input size: max is fine, max + 1 is too large. */
	s = value_of("foo", 4000, 'b');
	sz = strlen(s);
	CU_ASSERT_EQUAL(form_parse(&ar, s, sz, sz, v), FORM_OK);
	CU_ASSERT_EQUAL(form_parse(&ar, s, sz, sz - 1, v), FORM_TOO_LARGE);
	free(s);
	s = value_of("foo", LIM_QUERY_SZ - 4 + 1, 'b');
	CU_ASSERT_EQUAL(strlen(s), LIM_QUERY_SZ + 1);
	CU_ASSERT_EQUAL(form_parse(&ar, s, strlen(s), LIM_QUERY_SZ, v),
	    FORM_TOO_LARGE);
	free(s);
	arena_free(&ar);
}

/*
 * Regression (form.c, form_parse, fixed in fe3e786): LIM_VALUE_SZ is
 * "one parameter value, decoded" (endsession.h); the check once compared
 * the *encoded* length, so a state of 3000 "%2F" (3000 bytes decoded)
 * was refused as FORM_VALUE_TOO_LONG.
 */
static void
test_value_limit_is_decoded(void)
{
	struct arena	 ar = { NULL };
	struct val	 v[P__MAX];
	struct buf	 b = { NULL, 0, 0, 0 };
	size_t		 i;

	buf_adds(&b, "state=");
	for (i = 0; i < 3000; i++)
		buf_adds(&b, "%2F");
	CU_ASSERT_EQUAL(form_parse(&ar, b.p, b.sz, LIM_QUERY_SZ, v), FORM_OK);
	CU_ASSERT_EQUAL(v[P_STATE].sz, 3000);
	buf_free(&b);
	arena_free(&ar);
}

/*
 * A known name spelled in 32 or more encoded bytes is still that name
 * (found by the form fuzz target): it counts, and twice is a duplicate.
 */
static void
test_long_encoded_name(void)
{
	static const char long_pl[] = "%70%6f%73%74%5f%6c%6f%67%6f%75%74%5f"
	    "%72%65%64%69%72%65%63%74%5f%75%72%69";
	struct arena	 ar = { NULL };
	struct val	 v[P__MAX];
	struct buf	 b = { NULL, 0, 0, 0 };

	buf_adds(&b, long_pl);
	buf_adds(&b, "=https://a/");
	CU_ASSERT_EQUAL(form_parse(&ar, b.p, b.sz, LIM_QUERY_SZ, v), FORM_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v[P_LOGOUT_URI].p);
	CU_ASSERT_STRING_EQUAL(v[P_LOGOUT_URI].p, "https://a/");
	buf_reset(&b);
	buf_adds(&b, "post_logout_redirect_uri=https://a/&");
	buf_adds(&b, long_pl);
	buf_adds(&b, "=https://b/");
	CU_ASSERT_EQUAL(form_parse(&ar, b.p, b.sz, LIM_QUERY_SZ, v),
	    FORM_DUPLICATE);
	buf_free(&b);
	arena_free(&ar);
}

/*
 * The reference: a byte at a time, as the decoder read before it copied
 * runs whole.  -1: refused (a bad escape, %00 or bad UTF-8).
 */
static int
ref_decode(const char *in, size_t sz, char *out, size_t *outsz)
{
	static const char	 hex[] = "0123456789abcdef0123456789ABCDEF";
	const char		*h, *l;
	size_t			 i, o = 0;

	for (i = 0; i < sz; i++) {
		if (in[i] == '+')
			out[o++] = ' ';
		else if (in[i] != '%')
			out[o++] = in[i];
		else {
			if (sz - i < 3 ||
			    (h = memchr(hex, in[i + 1], 32)) == NULL ||
			    (l = memchr(hex, in[i + 2], 32)) == NULL)
				return -1;
			out[o++] = (char)(((h - hex) % 16) << 4 |
			    ((l - hex) % 16));
			if (out[o - 1] == '\0')
				return -1;
			i += 2;
		}
	}
	*outsz = o;
	return utf8_valid(out, o) ? 0 : -1;
}

/*
 * 20 000 random values of '%', '+', hex digits, other ASCII and UTF-8
 * bytes, each decoded by form_parse and by the reference: the same
 * verdict, and the same bytes when accepted.
 */
static void
test_decode_random(void)
{
	static const char	 alpha[] = "%%%+++0aF2Bgz-_.~\xc3\xa9\x80";
	struct arena		 ar = { NULL };
	struct val		 v[P__MAX];
	char			 val[48], q[64], want[48];
	size_t			 n, k, wsz;
	unsigned		 seed = 12345;
	int			 r, bad = 0, i;
	enum form_err		 e;

	for (i = 0; i < 20000; i++) {
		seed = seed * 1103515245u + 12345u;
		n = (seed >> 16) % 40;
		for (k = 0; k < n; k++) {
			seed = seed * 1103515245u + 12345u;
			val[k] = alpha[(seed >> 16) % (sizeof(alpha) - 1)];
		}
		/* No '&' or '=' in alpha: one pair, the state. */
		memcpy(q, "state=", 6);
		memcpy(q + 6, val, n);
		r = ref_decode(val, n, want, &wsz);
		arena_reset(&ar);
		e = form_parse(&ar, q, 6 + n, LIM_QUERY_SZ, v);
		if (r != 0 ? e == FORM_OK : (e != FORM_OK ||
		    v[P_STATE].sz != wsz || (wsz > 0 &&
		    memcmp(v[P_STATE].p, want, wsz) != 0)))
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	arena_free(&ar);
}

UNIT_SUITE("form",
	{ "table", test_table },
	{ "all known names", test_all_names },
	{ "NULL input, raw NUL", test_null_and_nul },
	{ "LIM_PARAMS", test_limits_params },
	{ "value and input size limits", test_limits_size },
	{ "value limit counts decoded bytes", test_value_limit_is_decoded },
	{ "long encoded name", test_long_encoded_name },
	{ "decoding against a byte-at-a-time reference", test_decode_random },
)
