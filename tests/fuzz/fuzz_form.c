/*
 * fuzz_form.c - form_parse over a query string or urlencoded body.
 * Checks that every decoded value is NUL-free, NUL-terminated and UTF-8,
 * and compares the result with a plain reference parser written from the
 * header's contract (every name decoded in full before it is matched).
 */
#include "fuzz.h"

static int
ref_hex(char c)
{
	static const char	 d[] = "0123456789abcdef0123456789ABCDEF";
	const char		*p;

	if (c == '\0' || (p = strchr(d, c)) == NULL)
		return -1;
	return (int)((p - d) % 16);
}

/* Decodes [s, s+sz) into a malloc'd buffer; 0 on a bad escape or %00. */
static int
ref_decode(const char *s, size_t sz, char **out, size_t *outsz)
{
	size_t	 i, o = 0;
	char	*b = malloc(sz + 1);
	int	 hi, lo;

	if (b == NULL)
		abort();
	for (i = 0; i < sz; i++) {
		if (s[i] == '%') {
			if (sz - i < 3 || (hi = ref_hex(s[i + 1])) < 0 ||
			    (lo = ref_hex(s[i + 2])) < 0 || (hi | lo) == 0) {
				free(b);
				return 0;
			}
			b[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else
			b[o++] = s[i] == '+' ? ' ' : s[i];
	}
	b[o] = '\0';
	if (!utf8_valid(b, o)) {
		free(b);
		return 0;
	}
	*out = b;
	*outsz = o;
	return 1;
}

/*
 * The reference: 1 with vals filled (malloc'd, caller frees) when the
 * input is acceptable, else 0.
 */
static int
ref_parse(const char *in, size_t sz, char *vals[P__MAX], size_t vsz[P__MAX])
{
	const char	*p = in, *end = in + sz, *amp, *eq;
	char		*n, *v;
	size_t		 nsz, vlen, pairs = 0, i;
	unsigned	 seen = 0;

	if (sz > LIM_QUERY_SZ || memchr(in, '\0', sz) != NULL)
		return 0;
	for (; p < end; p = amp + 1) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if (amp == p)
			continue;
		if (++pairs > LIM_PARAMS)
			return 0;
		if ((eq = memchr(p, '=', (size_t)(amp - p))) == NULL)
			eq = amp;
		if (!ref_decode(p, (size_t)(eq - p), &n, &nsz))
			return 0;
		if (!ref_decode(eq + (eq < amp), eq < amp ?
		    (size_t)(amp - eq - 1) : 0, &v, &vlen)) {
			free(n);
			return 0;
		}
		if (nsz > LIM_VALUE_SZ || vlen > LIM_VALUE_SZ) {
			free(n);
			free(v);
			return 0;
		}
		for (i = 0; i < P__MAX; i++)
			if (strlen(param_names[i]) == nsz &&
			    memcmp(param_names[i], n, nsz) == 0)
				break;
		free(n);
		if (i == P__MAX) {
			free(v);
			continue;
		}
		if (seen & (1u << i)) {
			free(v);
			return 0;
		}
		seen |= 1u << i;
		if (vlen > 0) {
			vals[i] = v;
			vsz[i] = vlen;
		} else
			free(v);
	}
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena	 ar = { NULL };
	struct val	 v[P__MAX];
	enum form_err	 e;
	char		*in = fuzz_dup(data, size);
	char		*rv[P__MAX];
	size_t		 i, rsz[P__MAX];
	int		 rok;

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

	memset(rv, 0, sizeof(rv));
	memset(rsz, 0, sizeof(rsz));
	rok = ref_parse(in, size, rv, rsz);
	if (getenv("FUZZ_FORM_DEBUG") != NULL)
		fprintf(stderr, "form_parse %d, reference %s\n", (int)e,
		    rok ? "accepts" : "refuses");
	FUZZ_ASSERT(rok == (e == FORM_OK));
	for (i = 0; rok && i < P__MAX; i++) {
		FUZZ_ASSERT((rv[i] == NULL) == (v[i].p == NULL));
		if (rv[i] != NULL)
			FUZZ_ASSERT(rsz[i] == v[i].sz &&
			    memcmp(rv[i], v[i].p, rsz[i]) == 0);
	}
	for (i = 0; i < P__MAX; i++)
		free(rv[i]);
	arena_free(&ar);
	free(in);
	return 0;
}
