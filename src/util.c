/*
 * util.c - buffers, the arena, file reading and error reporting: the
 * small pieces every other module leans on.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "endsession.h"

#if defined(__SANITIZE_ADDRESS__)
#define AR_ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AR_ASAN	1
#endif
#endif
#ifdef AR_ASAN
#include <sanitizer/asan_interface.h>
#define AR_POISON(p, n)		ASAN_POISON_MEMORY_REGION((p), (n))
#define AR_UNPOISON(p, n)	ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define AR_POISON(p, n)		((void)(p), (void)(n))
#define AR_UNPOISON(p, n)	((void)(p), (void)(n))
#endif

/* ------------------------------------------------------------------ buf */

static int
buf_grow(struct buf *b, size_t more)
{
	size_t	 ncap;
	char	*np;

	if (b->oom)
		return 0;
	if (more > SIZE_MAX - b->sz - 1) {
		b->oom = 1;
		return 0;
	}
	if (b->sz + more + 1 <= b->cap)
		return 1;
	ncap = b->cap ? b->cap : 256;
	while (ncap < b->sz + more + 1) {
		if (ncap > SIZE_MAX / 2) {
			b->oom = 1;
			return 0;
		}
		ncap *= 2;
	}
	if ((np = realloc(b->p, ncap)) == NULL) {
		b->oom = 1;
		return 0;
	}
	b->p = np;
	b->cap = ncap;
	return 1;
}

/* Appends sz bytes; the buffer stays NUL-terminated after them. */
void
buf_add(struct buf *b, const void *p, size_t sz)
{
	if (!buf_grow(b, sz))
		return;
	if (sz > 0)
		memcpy(b->p + b->sz, p, sz);
	b->sz += sz;
	b->p[b->sz] = '\0';
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void
buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = 1;
		return;
	}
	if (!buf_grow(b, (size_t)n))
		return;
	va_start(ap, fmt);
	if (vsnprintf(b->p + b->sz, (size_t)n + 1, fmt, ap) != n)
		b->oom = 1;
	else
		b->sz += (size_t)n;
	va_end(ap);
}

/* Empties the buffer but keeps its memory for the next request. */
void
buf_reset(struct buf *b)
{
	b->sz = 0;
	b->oom = 0;
	if (b->p != NULL)
		b->p[0] = '\0';
}

void
buf_free(struct buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* ---------------------------------------------------------------- arena */

struct arena_chunk {
	struct arena_chunk	*next;
	size_t			 cap;
	size_t			 used;
	_Alignas(16) unsigned char data[];
};

#define ARENA_CHUNK	(16 * 1024)

void *
arena_alloc(struct arena *a, size_t sz)
{
	struct arena_chunk	*c = a->head;
	size_t			 need, cap;

	if (sz > SIZE_MAX - 15)
		return NULL;
	need = (sz + 15) & ~(size_t)15;
	if (need == 0)
		need = 16;
	if (c == NULL || c->cap - c->used < need) {
		cap = need > ARENA_CHUNK ? need : ARENA_CHUNK;
		if (cap > SIZE_MAX - sizeof(*c))
			return NULL;
		if ((c = malloc(sizeof(*c) + cap)) == NULL)
			return NULL;
		c->cap = cap;
		c->used = 0;
		c->next = a->head;
		a->head = c;
		AR_POISON(c->data, cap);
	}
	c->used += need;
	AR_UNPOISON(c->data + c->used - need, sz);
	return c->data + c->used - need;
}

/* Bytes the arena holds from malloc: its chunks, headers included. */
size_t
arena_size(const struct arena *a)
{
	const struct arena_chunk	*c;
	size_t				 n = 0;

	for (c = a->head; c != NULL; c = c->next)
		n += sizeof(*c) + c->cap;
	return n;
}

void *
arena_calloc(struct arena *a, size_t n, size_t sz)
{
	void	*p;

	if (sz != 0 && n > SIZE_MAX / sz)
		return NULL;
	if ((p = arena_alloc(a, n * sz)) != NULL)
		memset(p, 0, n * sz);
	return p;
}

/* A NUL-terminated copy of sz bytes. */
char *
arena_strndup(struct arena *a, const char *s, size_t sz)
{
	char	*p;

	if (sz == SIZE_MAX || (p = arena_alloc(a, sz + 1)) == NULL)
		return NULL;
	if (sz > 0)
		memcpy(p, s, sz);
	p[sz] = '\0';
	return p;
}

/*
 * Frees all but the oldest chunk, when it is a standard one, so that a
 * FastCGI process serves request after request without touching malloc.
 */
void
arena_reset(struct arena *a)
{
	struct arena_chunk	*c, *next, *keep = NULL;

	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		if (next == NULL && c->cap == ARENA_CHUNK)
			keep = c;
		else {
			AR_UNPOISON(c->data, c->cap);
			free(c);
		}
	}
	if (keep != NULL) {
		keep->used = 0;
		AR_POISON(keep->data, keep->cap);
	}
	a->head = keep;
}

void
arena_free(struct arena *a)
{
	struct arena_chunk	*c, *next;

	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		AR_UNPOISON(c->data, c->cap);
		free(c);
	}
	a->head = NULL;
}

/* --------------------------------------------------------------- errors */

void
err_set(struct es_err *e, const char *file, size_t line, const char *fmt, ...)
{
	va_list	 ap;

	if (e == NULL)
		return;
	if (file == NULL)
		file = "";
	if ((size_t)snprintf(e->file, sizeof(e->file), "%s", file) >=
	    sizeof(e->file))
		memcpy(e->file + sizeof(e->file) - 4, "...", 4);
	e->line = line;
	va_start(ap, fmt);
	if ((size_t)vsnprintf(e->msg, sizeof(e->msg), fmt, ap) >=
	    sizeof(e->msg))
		memcpy(e->msg + sizeof(e->msg) - 4, "...", 4);
	va_end(ap);
}

/* Paths and messages may quote a file: escaped for the terminal. */
void
err_print(const struct es_err *e)
{
	struct buf	 f = { NULL, 0, 0, 0 }, m = { NULL, 0, 0, 0 };

	log_esc(&f, e->file, strlen(e->file));
	buf_addc(&f, '\0');
	log_esc(&m, e->msg, strlen(e->msg));
	buf_addc(&m, '\0');
	if (f.oom || m.oom)
		fprintf(stderr, "(out of memory)\n");
	else if (e->line > 0)
		fprintf(stderr, "%s:%zu: %s\n", f.p, e->line, m.p);
	else
		fprintf(stderr, "%s: %s\n", f.p, m.p);
	buf_free(&f);
	buf_free(&m);
}

/* ----------------------------------------------------------------- files */

int
file_read(const char *path, size_t max, char **out, size_t *outsz,
    struct es_err *err)
{
	struct stat	 st;
	char		*p = NULL;
	size_t		 sz = 0;
	ssize_t		 n;
	int		 fd, rc = 0;

	*out = NULL;
	*outsz = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		err_set(err, path, 0, "cannot open: %s", strerror(errno));
		return 0;
	}
	if (fstat(fd, &st) == -1) {
		err_set(err, path, 0, "cannot stat: %s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		err_set(err, path, 0, "not a regular file");
		goto out;
	}
	if (st.st_size < 0 || (unsigned long long)st.st_size > max) {
		err_set(err, path, 0, "larger than the limit of %zu bytes",
		    max);
		goto out;
	}
	/* One byte more than the limit tells a file that grew meanwhile. */
	if ((p = malloc(max + 2 > (size_t)st.st_size + 2 ?
	    (size_t)st.st_size + 2 : max + 2)) == NULL) {
		err_set(err, path, 0, "out of memory");
		goto out;
	}
	for (;;) {
		n = read(fd, p + sz, (size_t)st.st_size + 1 - sz);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			err_set(err, path, 0, "cannot read: %s",
			    strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		sz += (size_t)n;
		if (sz > (size_t)st.st_size) {
			err_set(err, path, 0, "changed while being read");
			goto out;
		}
	}
	p[sz] = '\0';
	*out = p;
	*outsz = sz;
	p = NULL;
	rc = 1;
out:
	free(p);
	close(fd);
	return rc;
}

size_t
line_of(const char *buf, size_t sz, size_t off)
{
	size_t	 i, line = 1;

	for (i = 0; i < off && i < sz; i++)
		if (buf[i] == '\n')
			line++;
	return line;
}
