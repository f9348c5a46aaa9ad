/*
 * test_state.c - state_journal_moved: a FastCGI child that follows its
 * files with inotify learns from the same inotify queue when the
 * journal's name was renamed away, removed or created, so that it stats
 * the journal only then (and once a second), not before every line.
 *
 * Each case loads a real configuration from a temporary folder (keys
 * minted at run time, the shipped templates: run from the top folder).
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "endsession.h"
#include "keys.h"
#include "unit.h"

struct fix {
	char	 dir[64];
	char	 conf[96];
	char	 journal[96];	/* where the journal is configured */
	char	 old[100];	/* where a rotation renames it */
	char	 cwd[4096];
};

static void
put(const char *dir, const char *name, const char *s)
{
	char	 p[160];
	FILE	*f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f = fopen(p, "w"));
	CU_ASSERT_FATAL(fputs(s, f) >= 0);
	CU_ASSERT_FATAL(fclose(f) == 0);
}

/* A configuration with a journal in jsub (a folder of its own, or ""). */
static struct state *
fix_make(struct fix *x, const char *jsub)
{
	struct es_err	 err = { 0 };
	struct state	*st;
	const char	*t = getenv("ES_TEMPLATES");
	char		*jwk, *s;

	memset(x, 0, sizeof(*x));
	CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(x->cwd, sizeof(x->cwd)));
	snprintf(x->dir, sizeof(x->dir), "/tmp/es-st-XXXXXX");
	CU_ASSERT_FATAL(mkdtemp(x->dir) != NULL);
	if (*jsub != '\0') {
		snprintf(x->journal, sizeof(x->journal), "%s/%s", x->dir, jsub);
		CU_ASSERT_FATAL(mkdir(x->journal, 0700) == 0);
		snprintf(x->journal, sizeof(x->journal), "%s/%s/journal.log",
		    x->dir, jsub);
	} else
		snprintf(x->journal, sizeof(x->journal), "%s/journal.log",
		    x->dir);
	snprintf(x->old, sizeof(x->old), "%s.1", x->journal);
	snprintf(x->conf, sizeof(x->conf), "%s/endsession.conf", x->dir);
	jwk = tk_jwk(TK_RSA, "rsa1", NULL);
	s = tk_fmt("{\"keys\":[%s]}\n", jwk);
	put(x->dir, "jwks.json", s);
	free(s);
	free(jwk);
	put(x->dir, "secret", "0123456789abcdef0123456789abcdef0123456789abcdef");
	put(x->dir, "clients.json", "{\"clients\":[{\"client_id\":\"demo-rp\","
	    "\"post_logout_redirect_uris\":[\"https://rp.example/out\"]}]}\n");
	s = tk_fmt("issuer = https://op.example\nclients = clients.json\n"
	    "jwks = jwks.json\nsecret = secret\ntemplates = %s/%s\n"
	    "journal = %s\n", x->cwd, t != NULL && *t != '\0' ? t : "templates",
	    x->journal);
	put(x->dir, "endsession.conf", s);
	free(s);
	st = state_load(x->conf, JWKS_FAST, &err);
	if (st == NULL)
		fprintf(stderr, "test_state: %s:%zu: %s\n", err.file, err.line,
		    err.msg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	return st;
}

static void
fix_rm(struct fix *x, struct state *st)
{
	static const char *const names[] = {
		"endsession.conf", "clients.json", "jwks.json", "secret"
	};
	char	 p[160];
	size_t	 i;

	state_free(st);
	unlink(x->journal);
	unlink(x->old);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", x->dir, names[i]);
		unlink(p);
	}
	if (strrchr(x->journal, '/') > x->journal + strlen(x->dir)) {
		*strrchr(x->journal, '/') = '\0';
		rmdir(x->journal);
	}
	rmdir(x->dir);
}

static void
touch(const char *path)
{
	int	 fd;

	CU_ASSERT_FATAL((fd = open(path, O_WRONLY | O_APPEND | O_CREAT,
	    0600)) != -1);
	CU_ASSERT(write(fd, "x\n", 2) == 2);
	close(fd);
}

/*
 * What a child sees: refresh (drains inotify) at each request's start,
 * then asks before its write.  The queue's SIGIO is raised to this very
 * process by the file operation; the kernel runs the handler before the
 * operation returns, but ThreadSanitizer and valgrind hold a signal back
 * until a blocking call, and a child always makes some (accept, read)
 * between a change and its next request: so does this, first.
 */
static int
moved(struct state *st, const struct fix *x, time_t now)
{
	usleep(1000);
	state_refresh(st);
	return state_journal_moved(st, x->journal, now);
}

static void
cases(const char *jsub)
{
	struct fix	 x;
	struct state	*st = fix_make(&x, jsub);
	const time_t	 t = TK_NOW;
	int		 fd;

	/* Not following (CGI, or inotify refused): always look. */
	CU_ASSERT_EQUAL(moved(st, &x, t), 1);
	CU_ASSERT_EQUAL(moved(st, &x, t), 1);

	CU_ASSERT_EQUAL_FATAL(state_follow(st), 1);
	/* The first time, and once a second: look. */
	CU_ASSERT_EQUAL(moved(st, &x, t), 1);
	CU_ASSERT_EQUAL(moved(st, &x, t), 0);
	CU_ASSERT_EQUAL(moved(st, &x, t + 1), 1);
	CU_ASSERT_EQUAL(moved(st, &x, t + 1), 0);

	/* Created (by the other child): look, once. */
	touch(x.journal);
	CU_ASSERT_EQUAL(moved(st, &x, t + 1), 1);
	CU_ASSERT_EQUAL(moved(st, &x, t + 1), 0);

	/* Appended to while held open (our own writes): nothing to see. */
	CU_ASSERT_FATAL((fd = open(x.journal, O_WRONLY | O_APPEND)) != -1);
	CU_ASSERT(write(fd, "y\n", 2) == 2);
	CU_ASSERT_EQUAL(moved(st, &x, t + 1), 0);

	/* Renamed away (logrotate): look. */
	CU_ASSERT_FATAL(rename(x.journal, x.old) == 0);
	CU_ASSERT_EQUAL(moved(st, &x, t + 1), 1);
	CU_ASSERT_EQUAL(moved(st, &x, t + 1), 0);
	/* Writes into the renamed file raise nothing either. */
	CU_ASSERT(write(fd, "z\n", 2) == 2);
	close(fd);
	CU_ASSERT_EQUAL(moved(st, &x, t + 1), 0);

	/* Created again, then removed: look each time. */
	touch(x.journal);
	CU_ASSERT_EQUAL(moved(st, &x, t + 1), 1);
	CU_ASSERT_FATAL(unlink(x.journal) == 0);
	CU_ASSERT_EQUAL(moved(st, &x, t + 1), 1);
	CU_ASSERT_EQUAL(moved(st, &x, t + 1), 0);

	/* Replaced by a rename onto the name: look. */
	touch(x.old);
	CU_ASSERT_FATAL(rename(x.old, x.journal) == 0);
	CU_ASSERT_EQUAL(moved(st, &x, t + 1), 1);
	CU_ASSERT_EQUAL(moved(st, &x, t + 1), 0);

	/* Another name in its folder is none of the journal's business. */
	touch(x.old);
	CU_ASSERT_EQUAL(moved(st, &x, t + 1), 0);

	/* Asked about another path (a reload named another journal). */
	CU_ASSERT_EQUAL(state_journal_moved(st, x.old, t + 1), 1);
	CU_ASSERT_EQUAL(state_journal_moved(st, x.old, t + 1), 1);
	CU_ASSERT_EQUAL(state_journal_moved(st, NULL, t + 1), 1);

	fix_rm(&x, st);
}

/* The journal beside the configuration (one watch for both). */
static void
test_same_folder(void)
{
	cases("");
}

/* The journal in a folder of its own (a watch of its own). */
static void
test_own_folder(void)
{
	cases("j");
}

/* A configuration change does not make the journal look every time. */
static void
test_reload(void)
{
	struct fix	 x;
	struct state	*st = fix_make(&x, "");
	int		 i;

	CU_ASSERT_EQUAL_FATAL(state_follow(st), 1);
	CU_ASSERT_EQUAL(moved(st, &x, TK_NOW), 1);
	CU_ASSERT_EQUAL(moved(st, &x, TK_NOW), 0);
	/* Registrations rewritten: reloaded, the journal not looked at. */
	put(x.dir, "clients.json", "{\"clients\":[{\"client_id\":\"demo-rp\","
	    "\"post_logout_redirect_uris\":[\"https://rp.example/x\"]}]}\n");
	usleep(1000);	/* see moved() */
	CU_ASSERT_EQUAL(state_refresh(st), 1);
	CU_ASSERT_EQUAL(state_journal_moved(st, x.journal, TK_NOW), 0);
	for (i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(moved(st, &x, TK_NOW), 0);
	fix_rm(&x, st);
}

UNIT_SUITE("state",
    { "journal beside the configuration", test_same_folder },
    { "journal in a folder of its own", test_own_folder },
    { "a reload leaves the journal alone", test_reload });
