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
 *
 * A caller may pass the members it reads (struct json_keep); every other
 * member is checked as strictly but skipped, not stored: only a 64-bit
 * hash and an offset per member of each open object are held, for the
 * duplicate check, and they go when the object closes.  Nothing on this
 * path calls into libc beyond memory and string functions: it runs
 * inside the seccomp sandbox, where glibc's qsort (which asks sysinfo()
 * for the machine's memory) is killed.
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
	int		 skip;		/* a skipped value: nothing kept */
	const struct json_keep *keep;	/* members kept of its objects */
	size_t		 vbase;		/* its first child on the value stack */
	size_t		 kbase;		/* its first key on the key stack */
	size_t		 hbase;		/* its first key on the hash stack */
	size_t		 off;
};

/* A heap stack: its elements, capacity and high-water mark. */
struct stack {
	void		*p;
	size_t		 cap;
	size_t		 hw;
};

/* A key of an open object, kept or skipped, for the duplicate check. */
struct khash {
	uint64_t	 h;
	size_t		 off;
};

/* The list of a kept member without one: its objects keep no member. */
static const struct json_keep keep_none[] = { { NULL, NULL } };

/*
 * Scratch memory for one parse: what yajl allocates (its handle, lexer,
 * buffers) and the heap stacks below come from here first, and from
 * malloc only once it is used up.  A hint's two small parses then make
 * no malloc at all, where yajl alone made about 20 (malloc, realloc and
 * free) per request.  Every block starts with its size, for realloc.
 */
#define SCRATCH_SZ	(8 * 1024)
#define SCRATCH_HDR	16

/*
 * Under AddressSanitizer what is not handed out is poisoned: a block's
 * header, the rest of the scratch, a freed block and a block realloc
 * moved away from.  So an overflow from one block into the next is
 * still found as it would be between malloc'd blocks.
 */
#if defined(__SANITIZE_ADDRESS__)
#define SC_ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SC_ASAN	1
#endif
#endif
#ifdef SC_ASAN
#include <sanitizer/asan_interface.h>
#define SC_POISON(p, n)		ASAN_POISON_MEMORY_REGION((p), (n))
#define SC_UNPOISON(p, n)	ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define SC_POISON(p, n)		((void)(p), (void)(n))
#define SC_UNPOISON(p, n)	((void)(p), (void)(n))
#endif

struct scratch {
	_Alignas(16) unsigned char b[SCRATCH_SZ];
	size_t		 used;
};

static int
sc_owns(const struct scratch *sc, const void *p)
{
	uintptr_t	 u = (uintptr_t)p, lo = (uintptr_t)sc->b;

	return u >= lo && u < lo + sizeof(sc->b);
}

static void *
sc_malloc(void *ctx, size_t sz)
{
	struct scratch	*sc = ctx;
	size_t		 need;
	unsigned char	*p;

	if (sz <= sizeof(sc->b) - SCRATCH_HDR) {
		need = SCRATCH_HDR + ((sz + 15) & ~(size_t)15);
		if (need <= sizeof(sc->b) - sc->used) {
			p = sc->b + sc->used;
			SC_UNPOISON(p, sizeof(sz));
			memcpy(p, &sz, sizeof(sz));
			SC_POISON(p, sizeof(sz));
			sc->used += need;
			SC_UNPOISON(p + SCRATCH_HDR, sz);
			return p + SCRATCH_HDR;
		}
	}
	return malloc(sz);
}

/* The size sc_malloc put before a block of the scratch. */
static size_t
sc_size(const void *p)
{
	const unsigned char	*h = (const unsigned char *)p - SCRATCH_HDR;
	size_t			 sz;

	SC_UNPOISON(h, sizeof(sz));
	memcpy(&sz, h, sizeof(sz));
	SC_POISON(h, sizeof(sz));
	return sz;
}

static void
sc_free(void *ctx, void *p)
{
	if (p == NULL)
		return;
	if (!sc_owns(ctx, p))
		free(p);
	else
		SC_POISON(p, sc_size(p));
}

static void *
sc_realloc(void *ctx, void *p, size_t sz)
{
	struct scratch	*sc = ctx;
	size_t		 old;
	void		*np;

	if (p == NULL)
		return sc_malloc(ctx, sz);
	if (!sc_owns(sc, p))
		return realloc(p, sz);
	old = sc_size(p);
	if (sz <= old)
		return p;
	if ((np = sc_malloc(ctx, sz)) != NULL) {
		memcpy(np, p, old);
		SC_POISON(p, old);
	}
	return np;
}

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
	struct stack	 vst;		/* vals: children of open containers */
	struct json	*vals;
	size_t		 nvals;
	struct stack	 kst;		/* keys: kept keys of open objects */
	struct keyref	*keys;
	size_t		 nkeys;
	struct stack	 hst;		/* hs: every key of the open objects */
	struct khash	*hs;
	size_t		 nhs;
	const struct json_keep *rootkeep; /* NULL: keep everything */
	size_t		 budget;	/* bytes of memory we may take */
	size_t		 spent;		/* arena bytes and stack capacity */
	int		 pskip;		/* the value after the last key: */
	const struct json_keep *pkeep;	/* skipped?  what it keeps */
	struct json	 root;
	int		 haveroot;
	const char	*err;		/* set when a callback stops the parse */
	size_t		 erroff;
	struct scratch	*sc;		/* yajl's memory and the stacks */
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

/* Stands for "over the memory budget", formatted at the end. */
static const char msg_dense[] = "too dense";

/*
 * Counts n more bytes of memory against the budget of JSON_MEM_PER_BYTE
 * per input byte plus JSON_MEM_SLACK; stops the parse when they do not
 * fit.
 */
static int
charge(struct pctx *c, size_t n, size_t off)
{
	if (n > c->budget - c->spent)
		return fail(c, msg_dense, off);
	c->spent += n;
	return 1;
}

/* arena_alloc, counted (rounded as the arena rounds) against the budget. */
static void *
ar_alloc(struct pctx *c, size_t sz, size_t off)
{
	void	*p;

	if (sz > SIZE_MAX - 15 || !charge(c, (sz + 15) & ~(size_t)15, off))
		return NULL;
	if ((p = arena_alloc(c->ar, sz)) == NULL)
		fail(c, "out of memory", off);
	return p;
}

/*
 * Makes room on a heap stack s of elements of size elsz for its element
 * n.  What the stack ever held (its high-water mark) counts against the
 * budget; the doubling beyond it is address space that is never touched.
 */
static int
grow(struct pctx *c, struct stack *s, size_t n, size_t elsz, size_t off)
{
	size_t	 ncap;
	void	*np;

	if (n >= s->hw) {
		if (!charge(c, (n + 1 - s->hw) * elsz, off))
			return 0;
		s->hw = n + 1;
	}
	if (n < s->cap)
		return 1;
	ncap = s->cap ? s->cap : 16;
	while (ncap <= n) {
		if (ncap > SIZE_MAX / 2 / elsz)
			return fail(c, "out of memory", off);
		ncap *= 2;
	}
	if ((np = sc_realloc(c->sc, s->p, ncap * elsz)) == NULL)
		return fail(c, "out of memory", off);
	s->p = np;
	s->cap = ncap;
	return 1;
}

/*
 * Whether the value about to start is skipped, and what the objects in
 * it keep (NULL: everything).  In an object that was decided by its key.
 */
static void
value_ctx(const struct pctx *c, int *skip, const struct json_keep **keep)
{
	const struct frame	*f;

	if (c->depth == 0) {
		*skip = 0;
		*keep = c->rootkeep;
		return;
	}
	f = &c->fr[c->depth - 1];
	if (f->type == JSON_OBJECT) {
		*skip = c->pskip;
		*keep = c->pkeep;
	} else {
		*skip = f->skip;
		*keep = f->keep;
	}
}

static int
skipping(const struct pctx *c)
{
	const struct json_keep	*keep;
	int			 skip;

	value_ctx(c, &skip, &keep);
	return skip;
}

/*
 * Hands a finished kept value to its container, or makes it the root.
 * Callers drop a skipped value instead (scalars: skipping, asked before
 * the value's keys can change it; containers: their frame's skip).
 */
static int
push(struct pctx *c, const struct json *v)
{
	if (c->depth == 0) {
		c->root = *v;
		c->haveroot = 1;
		return 1;
	}
	if (!grow(c, &c->vst, c->nvals, sizeof(*v), v->off))
		return 0;
	c->vals = c->vst.p;
	c->vals[c->nvals++] = *v;
	return 1;
}

/*
 * Checks a string or key yajl has decoded (escapes resolved): yajl's own
 * UTF-8 check is loose, and it passes "\u0000" through as a NUL byte.
 */
static int
str_check(struct pctx *c, const unsigned char *s, size_t sz, size_t off)
{
	if (memchr(s, '\0', sz) != NULL)
		return fail(c, "NUL in string", off);
	if (!utf8_valid((const char *)s, sz))
		return fail(c, "invalid UTF-8", off);
	return 1;
}

/* Copies a checked string, NUL-terminated, into the arena. */
static const char *
str_copy(struct pctx *c, const unsigned char *s, size_t sz, size_t off)
{
	char	*p;

	if (sz == SIZE_MAX || (p = ar_alloc(c, sz + 1, off)) == NULL)
		return NULL;
	memcpy(p, s, sz);
	p[sz] = '\0';
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

	if (skipping(c))
		return 1;
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

	if (skipping(c))
		return 1;
	memset(&v, 0, sizeof(v));
	v.type = JSON_NUMBER;
	v.off = end >= sz ? end - sz : 0;
	if ((v.s = str_copy(c, (const unsigned char *)s, sz, v.off)) == NULL)
		return 0;
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
	if (!str_check(c, s, sz, v.off))
		return 0;
	if (skipping(c))
		return 1;
	if ((v.s = str_copy(c, s, sz, v.off)) == NULL)
		return 0;
	v.sz = sz;
	return push(c, &v);
}

/* FNV-1a, 64 bits: equal keys, equal hashes; see dup_check. */
static uint64_t
key_hash(const unsigned char *s, size_t sz)
{
	uint64_t	 h = 0xcbf29ce484222325ULL;
	size_t		 i;

	for (i = 0; i < sz; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/*
 * A member's key: checked, hashed for the duplicate check, then looked
 * up in the object's keep list, which decides whether its value is kept.
 */
static int
cb_map_key(void *ctx, const unsigned char *s, size_t sz)
{
	struct pctx		*c = ctx;
	struct frame		*f = &c->fr[c->depth - 1];
	const struct json_keep	*m = NULL;
	struct keyref		*k;
	size_t			 end = here(c), off = str_start(c, end);

	if (!esc_check(c, off, end))
		return fail(c, "invalid surrogate escape", off);
	if (!str_check(c, s, sz, off))
		return 0;
	if (!grow(c, &c->hst, c->nhs, sizeof(*c->hs), off))
		return 0;
	c->hs = c->hst.p;
	c->hs[c->nhs].h = key_hash(s, sz);
	c->hs[c->nhs].off = off;
	c->nhs++;

	c->pskip = 1;
	c->pkeep = keep_none;
	if (f->skip)
		return 1;
	if (f->keep != NULL) {
		for (m = f->keep; m->name != NULL; m++)
			if (strlen(m->name) == sz &&
			    memcmp(m->name, s, sz) == 0)
				break;
		if (m->name == NULL)
			return 1;
	}
	c->pskip = 0;
	c->pkeep = m == NULL ? NULL : m->sub != NULL ? m->sub : keep_none;

	if (!grow(c, &c->kst, c->nkeys, sizeof(*k), off))
		return 0;
	c->keys = c->kst.p;
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
	f = &c->fr[c->depth];
	value_ctx(c, &f->skip, &f->keep);
	c->depth++;
	f->type = type;
	f->vbase = c->nvals;
	f->kbase = c->nkeys;
	f->hbase = c->nhs;
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

/* Orders key hashes by value, then by offset. */
static int
kh_less(const struct khash *a, const struct khash *b)
{
	return a->h < b->h || (a->h == b->h && a->off < b->off);
}

static void
kh_sift(struct khash *k, size_t i, size_t n)
{
	struct khash	 t;
	size_t		 ch;

	while ((ch = 2 * i + 1) < n) {
		if (ch + 1 < n && kh_less(&k[ch], &k[ch + 1]))
			ch++;
		if (!kh_less(&k[i], &k[ch]))
			break;
		t = k[i];
		k[i] = k[ch];
		k[ch] = t;
		i = ch;
	}
}

/*
 * Heapsort: in place, O(n log n) in the worst case, no recursion, no
 * scratch, and no call into libc (glibc's qsort may call sysinfo()).
 */
static void
kh_sort(struct khash *k, size_t n)
{
	struct khash	 t;
	size_t		 i;

	if (n < 2)
		return;
	for (i = n / 2; i-- > 0; )
		kh_sift(k, i, n);
	for (i = n - 1; i > 0; i--) {
		t = k[0];
		k[0] = k[i];
		k[i] = t;
		kh_sift(k, 0, i);
	}
}

/*
 * Refuses an object with two equal keys (RFC 8259 section 4 leaves them
 * to the reader; we read them as an attack).  k holds the hash of each
 * of its n keys, kept or skipped; sorting them puts equal ones side by
 * side.  Two different keys with the same 64-bit hash are refused too:
 * a crafted collision can only get its own input refused.  The error
 * points at the earliest key that repeats one before it.
 */
static int
dup_check(struct pctx *c, struct khash *k, size_t n)
{
	size_t	 i, off = SIZE_MAX;

	kh_sort(k, n);
	for (i = 1; i < n; i++)
		if (k[i].h == k[i - 1].h && k[i].off < off)
			off = k[i].off;
	if (off != SIZE_MAX)
		return fail(c, "duplicate key", off);
	return 1;
}

/*
 * Closes the innermost container: after the duplicate check its kept
 * children (and keys) move from the stacks into the arena in one copy,
 * and it becomes a child itself, unless it is skipped.
 */
static int
close_container(struct pctx *c)
{
	struct frame	*f = &c->fr[--c->depth];
	struct json	 v;
	size_t		 n = c->nvals - f->vbase, i;

	/* An object without keys may come before the stack exists. */
	if (f->type == JSON_OBJECT && c->nhs > f->hbase &&
	    !dup_check(c, c->hs + f->hbase, c->nhs - f->hbase))
		return 0;
	c->nhs = f->hbase;
	if (f->skip)
		return 1;
	memset(&v, 0, sizeof(v));
	v.type = f->type;
	v.off = f->off;
	v.sz = n;
	if (f->type == JSON_OBJECT && c->nkeys - f->kbase != n)
		return fail(c, "internal error", f->off);
	if (n > 0) {
		/* n elements already fit on the heap stack: no overflow. */
		if ((v.v = ar_alloc(c, n * sizeof(*v.v), f->off)) == NULL)
			return 0;
		memcpy(v.v, c->vals + f->vbase, n * sizeof(*v.v));
	}
	if (f->type == JSON_OBJECT && n > 0) {
		if ((v.k = ar_alloc(c, n * sizeof(*v.k), f->off)) == NULL)
			return 0;
		for (i = 0; i < n; i++)
			v.k[i] = c->keys[f->kbase + i].p;
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
	return json_parse_keep(ar, NULL, buf, sz, erroff, errmsg, errmsgsz);
}

/*
 * json_parse, keeping of each object only the members named in keep (for
 * the root object, and for objects in arrays under it) and, below a kept
 * member, what its sub list names (none when NULL).  Arrays under a kept
 * member are kept whole.  Every skipped member is checked as strictly as
 * a kept one, and counts for the duplicate check.  keep NULL keeps all.
 */
struct json *
json_parse_keep(struct arena *ar, const struct json_keep *keep,
    const char *buf, size_t sz, size_t *erroff, char *errmsg,
    size_t errmsgsz)
{
	struct pctx	 c;
	struct scratch	 sc;	/* not zeroed: 8 KiB nobody reads first */
	yajl_alloc_funcs afs;
	struct json	*res = NULL;
	yajl_status	 st;
	char		 msg[256];
	size_t		 off = 0;

	memset(&c, 0, sizeof(c));
	sc.used = 0;
	SC_POISON(sc.b, sizeof(sc.b));
	c.sc = &sc;
	c.ar = ar;
	c.buf = buf;
	c.sz = sz;
	c.rootkeep = keep;
	c.budget = sz > (SIZE_MAX - JSON_MEM_SLACK) / JSON_MEM_PER_BYTE ?
	    SIZE_MAX : sz * JSON_MEM_PER_BYTE + JSON_MEM_SLACK;
	msg[0] = '\0';

	afs.malloc = sc_malloc;
	afs.realloc = sc_realloc;
	afs.free = sc_free;
	afs.ctx = &sc;
	if ((c.h = yajl_alloc(&callbacks, &afs, &c)) == NULL) {
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
		else if (c.err == msg_dense)
			snprintf(msg, sizeof(msg), "needs more than %d bytes "
			    "of memory per byte of input", JSON_MEM_PER_BYTE);
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
	sc_free(&sc, c.vst.p);
	sc_free(&sc, c.kst.p);
	sc_free(&sc, c.hst.p);
	SC_UNPOISON(sc.b, sizeof(sc.b));	/* stack memory again */
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
