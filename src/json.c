/*
 * json.c - a strict JSON reader (RFC 8259) on yajl 2.1's callback parser.
 *
 * yajl alone is too lax for hostile input (libraries.md 5): it has no
 * depth limit, keeps duplicate keys, lets overlong and surrogate UTF-8
 * through, and its tree API allows comments, cuts strings at \u0000 and
 * frees recursively.  So we drive the callback parser ourselves and add
 * the checks: depth at most LIM_JSON_DEPTH, no duplicate keys, no NUL in
 * any string or key, strict UTF-8 (utf8.c), no comments, nothing after
 * the value.
 *
 * Children are collected on heap stacks while a container is open and
 * copied into the caller's arena in one piece when it closes, so an
 * array of n elements costs O(n), and nothing here recurses.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "endsession.h"

/* An open array or object. */
struct frame {
	enum json_type	 type;
	size_t		 vbase;		/* its first child on the value stack */
	size_t		 kbase;		/* its first key on the key stack */
	size_t		 off;
};

/* A key of an open object: arena copy, length, offset for errors. */
struct keyref {
	const char	*p;
	size_t		 sz;
	size_t		 off;
};

struct pctx {
	struct arena	*ar;
	const char	*buf;
	size_t		 sz;
	yajl_handle	 h;
	size_t		 base;		/* add to yajl_get_bytes_consumed */
	struct frame	 fr[LIM_JSON_DEPTH];
	size_t		 depth;
	struct json	*vals;		/* children of the open containers */
	size_t		 nvals;
	size_t		 capvals;
	struct keyref	*keys;		/* keys of the open objects */
	size_t		 nkeys;
	size_t		 capkeys;
	struct json	 root;
	int		 haveroot;
	const char	*err;		/* set when a callback stops the parse */
	size_t		 erroff;
};

/*
 * The offset just past the token yajl is reporting.  Inside a callback
 * yajl_get_bytes_consumed counts from the start of the chunk being
 * parsed; yajl_complete_parse parses a chunk of its own (" "), which is
 * where a top-level number is reported, hence base.
 */
static size_t
here(const struct pctx *c)
{
	size_t	 off = c->base + yajl_get_bytes_consumed(c->h);

	return off > c->sz ? c->sz : off;
}

/* Stands for "nesting deeper than LIM_JSON_DEPTH", formatted at the end. */
static const char msg_deep[] = "nesting too deep";

/* Stops the parse: msg is a constant and never quotes the input. */
static int
fail(struct pctx *c, const char *msg, size_t off)
{
	c->err = msg;
	c->erroff = off;
	return 0;
}

/* Grows a heap stack of elements of size elsz to hold one more. */
static int
grow(void **p, size_t *cap, size_t n, size_t elsz)
{
	size_t	 ncap;
	void	*np;

	if (n < *cap)
		return 1;
	ncap = *cap ? *cap : 64;
	while (ncap <= n) {
		if (ncap > SIZE_MAX / 2 / elsz)
			return 0;
		ncap *= 2;
	}
	if ((np = realloc(*p, ncap * elsz)) == NULL)
		return 0;
	*p = np;
	*cap = ncap;
	return 1;
}

/* Hands a finished value to its container, or makes it the root. */
static int
push(struct pctx *c, const struct json *v)
{
	if (c->depth == 0) {
		c->root = *v;
		c->haveroot = 1;
		return 1;
	}
	if (!grow((void **)&c->vals, &c->capvals, c->nvals, sizeof(*v)))
		return fail(c, "out of memory", v->off);
	c->vals[c->nvals++] = *v;
	return 1;
}

/*
 * Checks a string or key yajl has decoded (escapes resolved) and copies
 * it, NUL-terminated, into the arena.  yajl's own UTF-8 check is loose,
 * and it passes "\u0000" through as a NUL byte.
 */
static const char *
str_copy(struct pctx *c, const unsigned char *s, size_t sz, size_t off)
{
	const char	*p;

	if (memchr(s, '\0', sz) != NULL) {
		fail(c, "NUL in string", off);
		return NULL;
	}
	if (!utf8_valid((const char *)s, sz)) {
		fail(c, "invalid UTF-8", off);
		return NULL;
	}
	if ((p = arena_strndup(c->ar, (const char *)s, sz)) == NULL)
		fail(c, "out of memory", off);
	return p;
}

/*
 * Where the string ending (closing quote included) just before end
 * started: the nearest '"' before the closing one that is preceded by an
 * even number of backslashes.  Falls back to end for anything unexpected.
 */
static size_t
str_start(const struct pctx *c, size_t end)
{
	size_t	 i, bs;

	if (end < 2 || c->buf[end - 1] != '"')
		return end;
	for (i = end - 1; i-- > 0; ) {
		if (c->buf[i] != '"')
			continue;
		for (bs = 0; bs < i && c->buf[i - 1 - bs] == '\\'; bs++)
			continue;
		if (bs % 2 == 0)
			return i;
	}
	return end;
}

static unsigned
hex4(const char *p)
{
	unsigned	 v = 0;
	int		 i;
	char		 ch;

	for (i = 0; i < 4; i++) {
		ch = p[i];
		v <<= 4;
		if (ch >= '0' && ch <= '9')
			v |= (unsigned)(ch - '0');
		else if (ch >= 'a' && ch <= 'f')
			v |= (unsigned)(ch - 'a' + 10);
		else if (ch >= 'A' && ch <= 'F')
			v |= (unsigned)(ch - 'A' + 10);
	}
	return v;
}

/*
 * Checks the \u escapes of the raw string [start, end) (quotes included)
 * for surrogates (RFC 8259 section 7): a high one must be followed by
 * an escaped low one, and a low one must not stand alone.  yajl turns a
 * lone high surrogate into '?' and pairs a high one with whatever \u
 * follows, silently changing the text, so we look before it decodes.
 * yajl has checked the escapes' syntax: each \u has four hex digits.
 */
static int
esc_check(const struct pctx *c, size_t start, size_t end)
{
	const char	*p, *e;
	unsigned	 u, lo;

	/* str_start found no opening quote: nothing to look at. */
	if (end - start < 2)
		return 1;
	p = c->buf + start + 1;
	e = c->buf + end - 1;
	while ((p = memchr(p, '\\', (size_t)(e - p))) != NULL) {
		if (e - p < 2)
			return 0;
		if (p[1] != 'u') {
			p += 2;
			continue;
		}
		if (e - p < 6)
			return 0;
		u = hex4(p + 2);
		p += 6;
		if (u >= 0xdc00 && u <= 0xdfff)
			return 0;
		if (u < 0xd800 || u > 0xdbff)
			continue;
		if (e - p < 6 || p[0] != '\\' || p[1] != 'u')
			return 0;
		lo = hex4(p + 2);
		if (lo < 0xdc00 || lo > 0xdfff)
			return 0;
		p += 6;
	}
	return 1;
}

static int
cb_literal(struct pctx *c, enum json_type type, size_t len)
{
	struct json	 v;
	size_t		 end = here(c);

	memset(&v, 0, sizeof(v));
	v.type = type;
	v.off = end >= len ? end - len : 0;
	return push(c, &v);
}

static int
cb_null(void *ctx)
{
	return cb_literal(ctx, JSON_NULL, 4);
}

static int
cb_boolean(void *ctx, int b)
{
	return cb_literal(ctx, b ? JSON_TRUE : JSON_FALSE, b ? 4 : 5);
}

/*
 * An integer literal (optional '-', then digits only) that fits int64:
 * returns 1 and its value.  yajl has checked the grammar already.
 */
static int
num_int(const char *s, size_t sz, int64_t *out)
{
	size_t		 i = 0;
	uint64_t	 v = 0, lim, d;
	int		 neg = 0;

	if (sz > 0 && s[0] == '-') {
		neg = 1;
		i = 1;
	}
	if (i == sz)
		return 0;
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < sz; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		d = (uint64_t)(s[i] - '0');
		if (v > (lim - d) / 10)
			return 0;
		v = v * 10 + d;
	}
	if (!neg)
		*out = (int64_t)v;
	else if (v == (uint64_t)INT64_MAX + 1)
		*out = INT64_MIN;
	else
		*out = -(int64_t)v;
	return 1;
}

/*
 * Numbers arrive as their literal text (yajl_number set, so yajl never
 * converts them and never fails on overflow); we keep the text and the
 * value when it is an int64.
 */
static int
cb_number(void *ctx, const char *s, size_t sz)
{
	struct pctx	*c = ctx;
	struct json	 v;
	size_t		 end = here(c);

	memset(&v, 0, sizeof(v));
	v.type = JSON_NUMBER;
	v.off = end >= sz ? end - sz : 0;
	if ((v.s = arena_strndup(c->ar, s, sz)) == NULL)
		return fail(c, "out of memory", v.off);
	v.sz = sz;
	v.isint = num_int(s, sz, &v.i);
	return push(c, &v);
}

static int
cb_string(void *ctx, const unsigned char *s, size_t sz)
{
	struct pctx	*c = ctx;
	struct json	 v;
	size_t		 end;

	memset(&v, 0, sizeof(v));
	v.type = JSON_STRING;
	end = here(c);
	v.off = str_start(c, end);
	if (!esc_check(c, v.off, end))
		return fail(c, "invalid surrogate escape", v.off);
	if ((v.s = str_copy(c, s, sz, v.off)) == NULL)
		return 0;
	v.sz = sz;
	return push(c, &v);
}

static int
cb_map_key(void *ctx, const unsigned char *s, size_t sz)
{
	struct pctx	*c = ctx;
	struct keyref	*k;
	size_t		 end = here(c), off = str_start(c, end);

	if (!esc_check(c, off, end))
		return fail(c, "invalid surrogate escape", off);
	if (!grow((void **)&c->keys, &c->capkeys, c->nkeys, sizeof(*k)))
		return fail(c, "out of memory", off);
	k = &c->keys[c->nkeys];
	if ((k->p = str_copy(c, s, sz, off)) == NULL)
		return 0;
	k->sz = sz;
	k->off = off;
	c->nkeys++;
	return 1;
}

/*
 * Opens a container.  Refusing here, before yajl pushes another level on
 * its own (unbounded, heap) stack, keeps a file of a million '[' cheap.
 */
static int
open_container(struct pctx *c, enum json_type type)
{
	struct frame	*f;
	size_t		 off = here(c) - 1;

	if (c->depth == LIM_JSON_DEPTH)
		return fail(c, msg_deep, off);
	f = &c->fr[c->depth++];
	f->type = type;
	f->vbase = c->nvals;
	f->kbase = c->nkeys;
	f->off = off;
	return 1;
}

static int
cb_start_map(void *ctx)
{
	return open_container(ctx, JSON_OBJECT);
}

static int
cb_start_array(void *ctx)
{
	return open_container(ctx, JSON_ARRAY);
}

static int
keycmp(const void *a, const void *b)
{
	const struct keyref	*ka = a, *kb = b;
	size_t			 n = ka->sz < kb->sz ? ka->sz : kb->sz;
	int			 r;

	if ((r = memcmp(ka->p, kb->p, n)) != 0)
		return r;
	return (ka->sz > kb->sz) - (ka->sz < kb->sz);
}

/*
 * Refuses an object with two equal keys.  Small objects compare every
 * pair; larger ones sort the keys (their stack slice, which is dropped
 * afterwards) and compare neighbours, O(n log n) for 100 000 members.
 * The error points at the later of the two.
 */
static int
dup_check(struct pctx *c, struct keyref *k, size_t n)
{
	size_t	 i, j;

	if (n <= 8) {
		for (i = 0; i < n; i++)
			for (j = i + 1; j < n; j++)
				if (keycmp(&k[i], &k[j]) == 0)
					return fail(c, "duplicate key",
					    k[j].off);
		return 1;
	}
	qsort(k, n, sizeof(*k), keycmp);
	for (i = 1; i < n; i++)
		if (keycmp(&k[i - 1], &k[i]) == 0)
			return fail(c, "duplicate key",
			    k[i].off > k[i - 1].off ? k[i].off : k[i - 1].off);
	return 1;
}

/*
 * Closes the innermost container: its children (and keys) move from the
 * stacks into the arena in one copy, and it becomes a child itself.
 */
static int
close_container(struct pctx *c)
{
	struct frame	*f = &c->fr[--c->depth];
	struct json	 v;
	size_t		 n = c->nvals - f->vbase, i;

	memset(&v, 0, sizeof(v));
	v.type = f->type;
	v.off = f->off;
	v.sz = n;
	if (f->type == JSON_OBJECT && c->nkeys - f->kbase != n)
		return fail(c, "internal error", f->off);
	if (n > 0) {
		/* n elements already fit on the heap stack: no overflow. */
		if ((v.v = arena_alloc(c->ar, n * sizeof(*v.v))) == NULL)
			return fail(c, "out of memory", f->off);
		memcpy(v.v, c->vals + f->vbase, n * sizeof(*v.v));
	}
	if (f->type == JSON_OBJECT && n > 0) {
		if ((v.k = arena_alloc(c->ar, n * sizeof(*v.k))) == NULL)
			return fail(c, "out of memory", f->off);
		for (i = 0; i < n; i++)
			v.k[i] = c->keys[f->kbase + i].p;
		if (!dup_check(c, c->keys + f->kbase, n))
			return 0;
	}
	c->nvals = f->vbase;
	c->nkeys = f->kbase;
	return push(c, &v);
}

static int
cb_end(void *ctx)
{
	return close_container(ctx);
}

static const yajl_callbacks callbacks = {
	cb_null,
	cb_boolean,
	NULL,		/* integer: yajl_number takes precedence */
	NULL,		/* double: likewise */
	cb_number,
	cb_string,
	cb_start_map,
	cb_map_key,
	cb_end,
	cb_start_array,
	cb_end,
};

/*
 * Copies yajl's short error text ("lexical error: invalid char in json
 * text.") without its trailing newline.  The short form names the error
 * only; the verbose one quotes the input, which must never reach a page
 * or a log unescaped.
 */
static void
yajl_msg(yajl_handle h, char *errmsg, size_t errmsgsz)
{
	unsigned char	*e;
	size_t		 n;

	if ((e = yajl_get_error(h, 0, NULL, 0)) == NULL) {
		snprintf(errmsg, errmsgsz, "syntax error");
		return;
	}
	n = strcspn((char *)e, "\r\n");
	snprintf(errmsg, errmsgsz, "%.*s", (int)(n > 200 ? 200 : n),
	    (char *)e);
	yajl_free_error(h, e);
}

/*
 * Parses the sz bytes at buf as one JSON value (RFC 8259; a scalar at the
 * top level is allowed).  Returns the root, with every node, string and
 * key array in ar; strings are NUL-terminated and hold no NUL.  Each
 * node's off is the byte offset where the value starts.  On failure
 * returns NULL with *erroff and errmsg (one line that never quotes the
 * input) set; whatever was allocated in ar stays there for the caller's
 * arena_reset or arena_free.
 */
struct json *
json_parse(struct arena *ar, const char *buf, size_t sz, size_t *erroff,
    char *errmsg, size_t errmsgsz)
{
	struct pctx	 c;
	struct json	*res = NULL;
	yajl_status	 st;
	char		 msg[256];
	size_t		 off = 0;

	memset(&c, 0, sizeof(c));
	c.ar = ar;
	c.buf = buf;
	c.sz = sz;
	msg[0] = '\0';

	if ((c.h = yajl_alloc(&callbacks, NULL, &c)) == NULL) {
		snprintf(msg, sizeof(msg), "out of memory");
		goto out;
	}
	/* The defaults, spelled out: these are what makes it strict. */
	yajl_config(c.h, yajl_allow_comments, 0);
	yajl_config(c.h, yajl_dont_validate_strings, 0);
	yajl_config(c.h, yajl_allow_trailing_garbage, 0);
	yajl_config(c.h, yajl_allow_multiple_values, 0);
	yajl_config(c.h, yajl_allow_partial_values, 0);

	st = yajl_parse(c.h, (const unsigned char *)buf, sz);
	if (st == yajl_status_ok) {
		c.base = sz;
		st = yajl_complete_parse(c.h);
		off = sz;
	} else
		off = yajl_get_bytes_consumed(c.h);
	if (st == yajl_status_client_canceled || c.err != NULL) {
		if (c.err == msg_deep)
			snprintf(msg, sizeof(msg), "nesting deeper than %d",
			    LIM_JSON_DEPTH);
		else
			snprintf(msg, sizeof(msg), "%s",
			    c.err != NULL ? c.err : "syntax error");
		off = c.err != NULL ? c.erroff : off;
		goto out;
	}
	if (st != yajl_status_ok) {
		yajl_msg(c.h, msg, sizeof(msg));
		goto out;
	}
	if (!c.haveroot || c.depth != 0) {
		snprintf(msg, sizeof(msg), "premature end of input");
		goto out;
	}
	if ((res = arena_alloc(ar, sizeof(*res))) == NULL) {
		snprintf(msg, sizeof(msg), "out of memory");
		goto out;
	}
	*res = c.root;
out:
	if (c.h != NULL)
		yajl_free(c.h);
	free(c.vals);
	free(c.keys);
	if (res == NULL) {
		if (erroff != NULL)
			*erroff = off > sz ? sz : off;
		if (errmsg != NULL && errmsgsz > 0)
			snprintf(errmsg, errmsgsz, "%s", msg);
	}
	return res;
}

/*
 * The value of member key in obj, or NULL when obj is NULL, not an
 * object, or has no such member.  Keys are unique and NUL-free
 * (json_parse), so the first match by strcmp is the only one.  Linear:
 * callers look up a handful of known members.
 */
const struct json *
json_get(const struct json *obj, const char *key)
{
	size_t	 i;

	if (obj == NULL || key == NULL || obj->type != JSON_OBJECT)
		return NULL;
	for (i = 0; i < obj->sz; i++)
		if (strcmp(obj->k[i], key) == 0)
			return &obj->v[i];
	return NULL;
}
