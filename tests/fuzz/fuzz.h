/*
 * fuzz.h - shared by the fuzz targets (tests/fuzz/fuzz_*.c): the fixed
 * clock, the fixture folder, and the encoding of a whole request as fuzz
 * bytes.  Header-only, so that each target is one translation unit plus
 * the core; included once per target.
 *
 * A request input is:
 *   byte 0   flags: bit 0 body_bad, bit 1 a missing body is NULL (else ""),
 *   byte 1   bit i: field i, when empty, is "" (else NULL)
 *   then eight NUL-terminated fields, in order: method, query,
 *   content_type, cookie, accept_language, remote_addr, script_name,
 *   sec_fetch_site; a field cut short by the end of the input ends there,
 *   and the fields after it are missing (NULL);
 *   then the body: every byte left, NULs included.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "endsession.h"

#ifndef FUZZ_DATA
#define FUZZ_DATA	"tests/fuzz/data"
#endif

/* The fixed "now" of every target; the seed tokens are minted for it. */
#define FUZZ_NOW	((time_t)1700000000)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	LLVMFuzzerInitialize(int *, char ***);

/* The fixture folder: $FUZZ_DATA, else the one compiled in. */
static inline const char *
fuzz_data(void)
{
	const char	*d = getenv("FUZZ_DATA");

	return d != NULL && *d != '\0' ? d : FUZZ_DATA;
}

/* A malloc'd copy of exactly sz bytes (so ASan sees any overread). */
static inline char *
fuzz_dup(const uint8_t *p, size_t sz)
{
	char	*c = malloc(sz == 0 ? 1 : sz);

	if (c == NULL)
		abort();
	if (sz > 0)
		memcpy(c, p, sz);
	return c;
}

/* A malloc'd NUL-terminated copy. */
static inline char *
fuzz_strndup(const uint8_t *p, size_t sz)
{
	char	*c = malloc(sz + 1);

	if (c == NULL)
		abort();
	if (sz > 0)
		memcpy(c, p, sz);
	c[sz] = '\0';
	return c;
}

#define FUZZ_NFIELDS	8

/* The decoded request; free with fuzz_in_free. */
struct fuzz_in {
	struct http_in	 in;
	char		*f[FUZZ_NFIELDS];
	char		*body;
};

/* Splits fuzz bytes into a struct http_in.  0 if too short to use. */
static inline int
fuzz_in_make(struct fuzz_in *fi, const uint8_t *data, size_t size)
{
	const uint8_t	*p, *end = data + size, *nul;
	const char	**dst[FUZZ_NFIELDS];
	uint8_t		 flags, empty;
	size_t		 i;

	memset(fi, 0, sizeof(*fi));
	if (size < 2)
		return 0;
	flags = data[0];
	empty = data[1];
	p = data + 2;
	for (i = 0; i < FUZZ_NFIELDS && p < end; i++) {
		if ((nul = memchr(p, '\0', (size_t)(end - p))) == NULL)
			nul = end;
		if (nul > p || (empty & (1u << i)))
			fi->f[i] = fuzz_strndup(p, (size_t)(nul - p));
		p = nul < end ? nul + 1 : end;
	}
	if (i == FUZZ_NFIELDS && (p < end || !(flags & 2))) {
		fi->body = fuzz_dup(p, (size_t)(end - p));
		fi->in.body_sz = (size_t)(end - p);
	}
	dst[0] = &fi->in.method;
	dst[1] = &fi->in.query;
	dst[2] = &fi->in.content_type;
	dst[3] = &fi->in.cookie;
	dst[4] = &fi->in.accept_language;
	dst[5] = &fi->in.remote_addr;
	dst[6] = &fi->in.script_name;
	dst[7] = &fi->in.sec_fetch_site;
	for (i = 0; i < FUZZ_NFIELDS; i++)
		*dst[i] = fi->f[i];
	fi->in.body = fi->body;
	fi->in.body_bad = flags & 1;
	return 1;
}

static inline void
fuzz_in_free(struct fuzz_in *fi)
{
	size_t	 i;

	for (i = 0; i < FUZZ_NFIELDS; i++)
		free(fi->f[i]);
	free(fi->body);
	memset(fi, 0, sizeof(*fi));
}

/* Stops the run with a message: a broken invariant is a finding. */
#define FUZZ_ASSERT(c) do {						\
	if (!(c)) {							\
		fprintf(stderr, "%s:%d: invariant failed: %s\n",	\
		    __FILE__, __LINE__, #c);				\
		abort();						\
	}								\
} while (0)

/*
 * The world of FUZZ_DATA/endsession.conf, loaded on the first call (and
 * kept for the process), or aborts.
 */
static inline const struct world *
fuzz_world(void)
{
	static struct state	*st;
	struct es_err		 err;
	char			 path[1024];

	if (st != NULL)
		return state_world(st);
	snprintf(path, sizeof(path), "%s/endsession.conf", fuzz_data());
	memset(&err, 0, sizeof(err));
	if ((st = state_load(path, JWKS_FAST, &err)) == NULL) {
		fprintf(stderr, "fuzz: cannot load the fixtures: %s:%zu: %s\n",
		    err.file, err.line, err.msg);
		abort();
	}
	return state_world(st);
}

#endif /* !FUZZ_H */
