/*
 * test_jfollow.c - jfollow.c: complete lines only, batches, an over-long
 * line, truncation, rotation (seen while following, with a late writer,
 * and found as PATH.1 after a restart), and a writer that rotates the
 * journal as fast as it can in another process while we follow it:
 * every line exactly once, in order.
 */
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "unit.h"
#include "endsession.h"

struct got {
	char	 lines[16][64];
	size_t	 n;
	size_t	 skipped;
};

static int
collect(void *arg, const char *line, size_t sz, const struct jpos *after)
{
	struct got	*g = arg;

	(void)after;
	if (line == NULL) {
		g->skipped++;
		return 1;
	}
	if (g->n < 16)
		snprintf(g->lines[g->n], sizeof(g->lines[0]), "%.*s",
		    (int)sz, line);
	g->n++;
	return 1;
}

struct dir {
	char	 dir[64];
	char	 path[96];
	char	 old[100];
};

static void
dir_make(struct dir *d)
{
	snprintf(d->dir, sizeof(d->dir), "/tmp/es-jf-XXXXXX");
	CU_ASSERT_FATAL(mkdtemp(d->dir) != NULL);
	snprintf(d->path, sizeof(d->path), "%s/journal.log", d->dir);
	snprintf(d->old, sizeof(d->old), "%s.1", d->path);
}

static void
dir_rm(struct dir *d)
{
	unlink(d->path);
	unlink(d->old);
	rmdir(d->dir);
}

static void
append(const char *path, const char *s)
{
	int	 fd;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0600);
	CU_ASSERT_FATAL(fd != -1);
	CU_ASSERT_FATAL(write(fd, s, strlen(s)) == (ssize_t)strlen(s));
	close(fd);
}

static struct jfollow *
follow(const char *path, const struct jpos *start, int settle)
{
	static const struct jpos	 none;
	struct es_err			 err = { 0 };
	struct jfollow			*jf;

	jf = jf_open(path, start != NULL ? start : &none, settle, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(jf);
	return jf;
}

static int
readn(struct jfollow *jf, size_t max, struct got *g, struct jpos *pos)
{
	memset(g, 0, sizeof(*g));
	return jf_read(jf, max, collect, g, pos);
}

static void
test_lines(void)
{
	struct dir	 d;
	struct jfollow	*jf;
	struct jpos	 pos;
	struct got	 g;

	dir_make(&d);
	/* Not there yet: nothing, no error. */
	jf = follow(d.path, NULL, 0);
	CU_ASSERT_EQUAL(readn(jf, 10, &g, &pos), 0);
	append(d.path, "one\ntwo\nthr");
	CU_ASSERT_EQUAL(readn(jf, 10, &g, &pos), 2);
	CU_ASSERT_STRING_EQUAL(g.lines[0], "one");
	CU_ASSERT_STRING_EQUAL(g.lines[1], "two");
	CU_ASSERT_EQUAL(pos.off, 8);
	/* The rest of a line without its newline waits for it. */
	CU_ASSERT_EQUAL(readn(jf, 10, &g, &pos), 0);
	CU_ASSERT_EQUAL(pos.off, 8);
	append(d.path, "ee\n\nfive\n");
	/* At most max at a time; an empty line is a line. */
	CU_ASSERT_EQUAL(readn(jf, 2, &g, &pos), 2);
	CU_ASSERT_STRING_EQUAL(g.lines[0], "three");
	CU_ASSERT_STRING_EQUAL(g.lines[1], "");
	CU_ASSERT_EQUAL(pos.off, 15);
	CU_ASSERT_EQUAL(readn(jf, 2, &g, &pos), 1);
	CU_ASSERT_STRING_EQUAL(g.lines[0], "five");
	CU_ASSERT_EQUAL(pos.off, 20);
	CU_ASSERT_EQUAL(jf_settle_left(jf), -1);
	jf_close(jf);
	/* Again from a saved position. */
	pos.off = 8;
	jf = follow(d.path, &pos, 0);
	CU_ASSERT_EQUAL(readn(jf, 10, &g, &pos), 3);
	CU_ASSERT_STRING_EQUAL(g.lines[0], "three");
	jf_close(jf);
	dir_rm(&d);
}

static void
test_long(void)
{
	struct dir	 d;
	struct jfollow	*jf;
	struct jpos	 pos;
	struct got	 g;
	char		*big;
	size_t		 sz = LIM_JLINE_SZ * 3;

	dir_make(&d);
	big = malloc(sz + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	memset(big, 'x', sz);
	big[sz] = '\0';
	append(d.path, "before\n");
	append(d.path, big);
	jf = follow(d.path, NULL, 0);
	CU_ASSERT_EQUAL(readn(jf, 10, &g, &pos), 1);
	append(d.path, "\nafter\n");
	/* The over-long line is handed out as skipped, then the next. */
	CU_ASSERT_EQUAL(readn(jf, 10, &g, &pos), 2);
	CU_ASSERT_EQUAL(g.skipped, 1);
	CU_ASSERT_STRING_EQUAL(g.lines[0], "after");
	CU_ASSERT_EQUAL(pos.off, (int64_t)(7 + sz + 1 + 6));
	jf_close(jf);
	free(big);
	dir_rm(&d);
}

static void
test_truncate(void)
{
	struct dir	 d;
	struct jfollow	*jf;
	struct jpos	 pos;
	struct got	 g;

	dir_make(&d);
	append(d.path, "a long first line\nsecond\n");
	jf = follow(d.path, NULL, 0);
	CU_ASSERT_EQUAL(readn(jf, 10, &g, &pos), 2);
	/* copytruncate: the same file, shorter: read from its start. */
	CU_ASSERT_FATAL(truncate(d.path, 0) == 0);
	append(d.path, "new\n");
	CU_ASSERT_EQUAL(readn(jf, 10, &g, &pos), 1);
	CU_ASSERT_STRING_EQUAL(g.lines[0], "new");
	CU_ASSERT_EQUAL(pos.off, 4);
	jf_close(jf);
	dir_rm(&d);
}

static void
test_rotate(void)
{
	struct dir	 d;
	struct jfollow	*jf;
	struct jpos	 pos, first;
	struct stat	 st;
	struct got	 g;

	dir_make(&d);
	append(d.path, "o1\n");
	jf = follow(d.path, NULL, 0);
	CU_ASSERT_EQUAL(readn(jf, 10, &g, &pos), 1);
	first = pos;
	/* Renamed, a last line in the old file, then the new file. */
	CU_ASSERT_FATAL(rename(d.path, d.old) == 0);
	append(d.old, "o2\n");
	append(d.path, "n1\n");
	CU_ASSERT_EQUAL(readn(jf, 10, &g, &pos), 2);
	CU_ASSERT_STRING_EQUAL(g.lines[0], "o2");
	CU_ASSERT_STRING_EQUAL(g.lines[1], "n1");
	CU_ASSERT_FATAL(stat(d.path, &st) == 0);
	CU_ASSERT_EQUAL(pos.ino, (uint64_t)st.st_ino);
	CU_ASSERT_EQUAL(pos.off, 3);
	CU_ASSERT_NOT_EQUAL(pos.ino, first.ino);
	jf_close(jf);
	dir_rm(&d);
}

/*
 * The worst moment for a rotation: after the read that found the end of
 * the file and before the stat that shows PATH is another file.  This
 * binary's stat() stands in for libc's (link-time interposition; every
 * other caller passes straight through) and, once armed, appends a last
 * line to the journal, renames it away and starts the new file first.
 */
static const char	*stat_hook_path;

int
stat(const char *path, struct stat *st)
{
	const char	*p = stat_hook_path;
	char		 old[128];

	if (p != NULL && strcmp(path, p) == 0) {
		stat_hook_path = NULL;
		snprintf(old, sizeof(old), "%s.1", p);
		append(p, "o2\n");
		CU_ASSERT(rename(p, old) == 0);
		append(p, "n1\n");
	}
	return fstatat(AT_FDCWD, path, st, 0);
}

static void
test_rotate_worst(void)
{
	struct dir	 d;
	struct jfollow	*jf;
	struct jpos	 pos;
	struct got	 g;

	dir_make(&d);
	append(d.path, "o1\n");
	jf = follow(d.path, NULL, 0);
	stat_hook_path = d.path;
	CU_ASSERT_EQUAL(readn(jf, 10, &g, &pos), 3);
	CU_ASSERT_PTR_NULL(stat_hook_path);	/* it did run */
	CU_ASSERT_STRING_EQUAL(g.lines[0], "o1");
	CU_ASSERT_STRING_EQUAL(g.lines[1], "o2");
	CU_ASSERT_STRING_EQUAL(g.lines[2], "n1");
	jf_close(jf);
	dir_rm(&d);
}

static void
test_settle(void)
{
	struct dir	 d;
	struct jfollow	*jf;
	struct jpos	 pos;
	struct got	 g;
	long		 left;

	dir_make(&d);
	append(d.path, "o1\n");
	jf = follow(d.path, NULL, 300);
	CU_ASSERT_EQUAL(readn(jf, 10, &g, &pos), 1);
	CU_ASSERT_FATAL(rename(d.path, d.old) == 0);
	append(d.path, "n1\n");
	/* The old file is still read while a late writer may add to it. */
	CU_ASSERT_EQUAL(readn(jf, 10, &g, &pos), 0);
	left = jf_settle_left(jf);
	CU_ASSERT(left > 0 && left <= 300);
	append(d.old, "late\n");
	CU_ASSERT_EQUAL(readn(jf, 10, &g, &pos), 1);
	CU_ASSERT_STRING_EQUAL(g.lines[0], "late");
	while ((left = jf_settle_left(jf)) > 0)
		usleep((useconds_t)left * 1000);
	CU_ASSERT_EQUAL(left, 0);
	CU_ASSERT_EQUAL(readn(jf, 10, &g, &pos), 1);
	CU_ASSERT_STRING_EQUAL(g.lines[0], "n1");
	CU_ASSERT_EQUAL(jf_settle_left(jf), -1);
	jf_close(jf);
	dir_rm(&d);
}

static void
test_restart(void)
{
	struct dir	 d;
	struct jfollow	*jf;
	struct jpos	 pos, saved;
	struct got	 g;

	dir_make(&d);
	append(d.path, "o1\n");
	jf = follow(d.path, NULL, 1000);
	CU_ASSERT_EQUAL(readn(jf, 10, &g, &pos), 1);
	saved = pos;
	jf_close(jf);
	/* Rotated while stopped: PATH.1 from the saved offset, then PATH,
	 * with no wait (no writer can still hold the old file). */
	append(d.path, "o2\n");
	CU_ASSERT_FATAL(rename(d.path, d.old) == 0);
	append(d.path, "n1\n");
	jf = follow(d.path, &saved, 1000);
	CU_ASSERT_EQUAL(readn(jf, 10, &g, &pos), 2);
	CU_ASSERT_STRING_EQUAL(g.lines[0], "o2");
	CU_ASSERT_STRING_EQUAL(g.lines[1], "n1");
	jf_close(jf);
	dir_rm(&d);
}

/*
 * A writer in another process appends numbered lines, one open, write
 * and close each (as the endpoint's first write after a rotation does),
 * and renames the journal away every ROT_EVERY lines; the reader must
 * see 0, 1, 2, ... with none missing or repeated.  The writer waits for
 * the reader to reach a file before renaming the next one away, since a
 * file renamed over before anyone read it is gone for good.
 */
#define RACE_LINES	6000
#define ROT_EVERY	3

struct race {
	atomic_long	 read;		/* lines the reader has seen */
	atomic_int	 bad;		/* first wrong line + 1 */
};

static int
race_line(void *arg, const char *line, size_t sz, const struct jpos *after)
{
	struct race	*r = arg;
	char		 want[32];

	(void)after;
	snprintf(want, sizeof(want), "%ld", atomic_load(&r->read));
	if (line == NULL || sz != strlen(want) || memcmp(line, want, sz)) {
		if (atomic_load(&r->bad) == 0)
			atomic_store(&r->bad, (int)atomic_load(&r->read) + 1);
		return 0;
	}
	atomic_fetch_add(&r->read, 1);
	return 1;
}

static void
race_writer(struct race *r, const struct dir *d)
{
	char	 s[32];
	long	 k, last = 0;
	int	 fd;

	for (k = 0; k < RACE_LINES && atomic_load(&r->bad) == 0; k++) {
		snprintf(s, sizeof(s), "%ld\n", k);
		if ((fd = open(d->path, O_WRONLY | O_APPEND | O_CREAT,
		    0600)) == -1 || write(fd, s, strlen(s)) !=
		    (ssize_t)strlen(s))
			_exit(1);
		close(fd);
		if ((k + 1) % ROT_EVERY != 0)
			continue;
		/* The reader holds the file before the one we rename. */
		while (atomic_load(&r->read) <= last &&
		    atomic_load(&r->bad) == 0)
			sched_yield();
		if (rename(d->path, d->old) == -1)
			_exit(1);
		last = k + 1;
	}
	_exit(0);
}

static void
test_race(void)
{
	struct dir	 d;
	struct race	*r;
	struct jfollow	*jf;
	struct jpos	 pos;
	struct timespec	 t0, t;
	pid_t		 pid;
	int		 status, got;

	dir_make(&d);
	r = mmap(NULL, sizeof(*r), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_FATAL(r != MAP_FAILED);
	atomic_init(&r->read, 0);
	atomic_init(&r->bad, 0);
	/* The writer forks first: it holds nothing of ours (valgrind
	 * checks a forked child's leaks too). */
	fflush(NULL);
	pid = fork();
	CU_ASSERT_FATAL(pid != -1);
	if (pid == 0)
		race_writer(r, &d);
	jf = follow(d.path, NULL, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (atomic_load(&r->read) < RACE_LINES) {
		if ((got = jf_read(jf, 64, race_line, r, &pos)) == -1)
			break;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec > 120)
			break;
		if (got == 0)
			sched_yield();
	}
	if (atomic_load(&r->bad) != 0)
		fprintf(stderr, "jfollow race: line %d wrong or missing\n",
		    atomic_load(&r->bad) - 1);
	else if (atomic_load(&r->read) < RACE_LINES)
		fprintf(stderr, "jfollow race: %ld of %d lines read\n",
		    atomic_load(&r->read), RACE_LINES);
	if (atomic_load(&r->read) < RACE_LINES && atomic_load(&r->bad) == 0)
		atomic_store(&r->bad, -1);	/* stops the writer */
	CU_ASSERT(waitpid(pid, &status, 0) == pid);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CU_ASSERT_EQUAL(atomic_load(&r->bad), 0);
	CU_ASSERT_EQUAL(atomic_load(&r->read), RACE_LINES);
	jf_close(jf);
	munmap(r, sizeof(*r));
	dir_rm(&d);
}

UNIT_SUITE("jfollow",
	{ "complete lines, batches, a saved position", test_lines },
	{ "an over-long line skipped", test_long },
	{ "truncated in place", test_truncate },
	{ "rotated: the old file to its end, then the new", test_rotate },
	{ "rotated between the last read and the stat", test_rotate_worst },
	{ "rotated: a late writer's line read while settling", test_settle },
	{ "rotated while stopped", test_restart },
	{ "a writer rotating as fast as it can", test_race },
)
