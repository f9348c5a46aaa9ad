/*
 * state.c - loading the configuration and every file it names, and
 * reloading what changed (docs/design.md section 9).  A new copy replaces the
 * old only once it has loaded in full; a broken one is logged once and
 * the last good copy keeps serving.
 *
 * How a change is noticed: by stat (device, inode, size, mtime, ctime) of
 * each file.  A FastCGI process that follows its files (state_follow)
 * asks inotify first, so that a request with nothing changed costs no
 * system call instead of a stat per file: the queue raises SIGIO when an
 * event comes (O_ASYNC) and only then is it read; any event for a
 * watched name, and once a second regardless, it stats as before.
 */
#include <sys/inotify.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "endsession.h"

/* What a file looked like when last loaded (stat), to notice changes. */
struct stamp {
	uint64_t	 dev;
	uint64_t	 ino;
	int64_t		 size;
	int64_t		 mtime_ns;
	int64_t		 ctime_ns;
};

/* How one watched file stands. */
struct watch {
	struct stamp	 good;		/* the copy in use */
	struct stamp	 bad;		/* the last copy refused */
	int		 gone;		/* unreadable, and said so */
};

enum watched { W_CONF, W_CLIENTS, W_JWKS, W_SECRET, W__MAX };

/*
 * Following the files with inotify: the folder of each watched file (and
 * of its target, when it is a symbolic link), and the names in them that
 * matter.  Events carry the name within the folder; a folder that holds a
 * watched symbolic link counts every name (a link swapped further up,
 * as Kubernetes does with ..data, names something else).
 */
#define FOLLOW_MAX	(2 * (W__MAX + 1))
struct follow {
	int		 fd;		/* -1: stat on every request */
	int		 dirty;		/* a watched name changed: stat */
	int		 async;		/* SIGIO says when to read fd */
	int		 lost;		/* a watched folder is gone */
	time_t		 swept;		/* the last stat of every file */
	char		*paths[W__MAX];	/* the paths followed */
	struct {
		int	 wd;
		char	*name;		/* NULL: any name in that folder */
		int	 journal;	/* names the journal, not a file read */
	}		 in[FOLLOW_MAX];
	size_t		 n;
	/*
	 * The journal's name, watched so that the writer need not stat it
	 * before each line to notice a rotation (NULL: not watched).
	 */
	char		*jpath;
	int		 jmoved;	/* an event named it since last asked */
	time_t		 jswept;	/* the second it was last said stale */
};

struct state {
	struct world	 world;		/* what decide and render read */
	struct watch	 w[W__MAX];
	char		*bad_dep_path;	/* a new config waits for it */
	struct stamp	 bad_dep;
	struct follow	 fol;		/* kept across a reload */
};

static int
stamp_of(const char *path, struct stamp *s)
{
	struct stat	 sb;

	memset(s, 0, sizeof(*s));
	if (stat(path, &sb) == -1)
		return 0;
	s->dev = (uint64_t)sb.st_dev;
	s->ino = (uint64_t)sb.st_ino;
	s->size = (int64_t)sb.st_size;
	s->mtime_ns = (int64_t)sb.st_mtim.tv_sec * 1000000000 +
	    sb.st_mtim.tv_nsec;
	s->ctime_ns = (int64_t)sb.st_ctim.tv_sec * 1000000000 +
	    sb.st_ctim.tv_nsec;
	return 1;
}

static int
stamp_eq(const struct stamp *a, const struct stamp *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	    a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

static struct token_key *
secret_load(const char *path, struct es_err *err)
{
	struct token_key	*tk = NULL;
	char			*buf;
	size_t			 sz;

	if (!file_read(path, LIM_SECRET_SZ, &buf, &sz, err))
		return NULL;
	if (sz < SECRET_MIN)
		err_set(err, path, 0, "holds %zu bytes; at least %d random "
		    "bytes are needed", sz, SECRET_MIN);
	else if ((tk = token_key_new((unsigned char *)buf, sz)) == NULL)
		err_set(err, path, 0, "cannot key HMAC-SHA256 with it");
	OPENSSL_cleanse(buf, sz);
	free(buf);
	return tk;
}

/* Each swaps a freshly loaded file in, and says so; 0 when it fails. */
static int
swap_clients(struct state *st, const char *path, struct es_err *err)
{
	struct registry	*reg;

	if ((reg = clients_load(path, err)) == NULL)
		return 0;
	clients_free(st->world.reg);
	st->world.reg = reg;
	log_warnx("%s: reloaded, %zu clients", path, clients_count(reg));
	return 1;
}

static int
swap_jwks(struct state *st, const char *path, struct es_err *err)
{
	struct keyset	*keys;

	if ((keys = jwks_load(path, JWKS_FAST, err)) == NULL)
		return 0;
	jwks_free(st->world.keys);
	st->world.keys = keys;
	log_warnx("%s: reloaded, %zu keys", path, jwks_count(keys));
	return 1;
}

static int
swap_secret(struct state *st, const char *path, struct es_err *err)
{
	struct token_key	*tk;

	if ((tk = secret_load(path, err)) == NULL)
		return 0;
	token_key_free(st->world.tkey);
	st->world.tkey = tk;
	log_warnx("%s: reloaded", path);
	return 1;
}

/*
 * The files that reload on their own, each when it changes.  (The
 * configuration reloads as a whole, with every file it names: see
 * state_refresh.)  A new such file is one line here.
 */
static const struct watched_file {
	enum watched	 w;
	size_t		 path;	/* offset of its path in struct conf */
	int		 (*swap)(struct state *, const char *, struct es_err *);
} files[] = {
	{ W_CLIENTS, offsetof(struct conf, clients), swap_clients },
	{ W_JWKS, offsetof(struct conf, jwks), swap_jwks },
	{ W_SECRET, offsetof(struct conf, secret), swap_secret },
};

static const char *
file_path(const struct conf *c, const struct watched_file *f)
{
	return *(char *const *)(const void *)((const char *)c + f->path);
}

struct state *
state_load(const char *confpath, enum jwks_check chk, struct es_err *err)
{
	struct state	*st;
	struct world	*w;
	size_t		 i;

	if ((st = calloc(1, sizeof(*st))) == NULL) {
		err_set(err, confpath, 0, "out of memory");
		return NULL;
	}
	w = &st->world;
	st->fol.fd = -1;
	stamp_of(confpath, &st->w[W_CONF].good);
	if (!conf_load(confpath, &w->conf, err)) {
		free(st);
		return NULL;
	}
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		stamp_of(file_path(&w->conf, &files[i]),
		    &st->w[files[i].w].good);
	if ((w->reg = clients_load(w->conf.clients, err)) == NULL ||
	    (w->keys = jwks_load(w->conf.jwks, chk, err)) == NULL ||
	    (w->tkey = secret_load(w->conf.secret, err)) == NULL ||
	    (w->tmpl = tmpl_load(w->conf.templates, err)) == NULL) {
		state_free(st);
		return NULL;
	}
	return st;
}

const struct world *
state_world(const struct state *st)
{
	return &st->world;
}

/* The world and the watcher's bookkeeping, in one place. */
static void
state_clear(struct state *st)
{
	free(st->bad_dep_path);
	conf_free(&st->world.conf);
	clients_free(st->world.reg);
	jwks_free(st->world.keys);
	token_key_free(st->world.tkey);
	tmpl_free(st->world.tmpl);
	memset(st, 0, sizeof(*st));
}

/* Stops following: from now on every request stats the files. */
static void
follow_stop(struct follow *f)
{
	size_t	 i;

	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	for (i = 0; i < f->n; i++)
		free(f->in[i].name);
	for (i = 0; i < W__MAX; i++) {
		free(f->paths[i]);
		f->paths[i] = NULL;
	}
	free(f->jpath);
	f->jpath = NULL;
	f->n = 0;
	f->dirty = f->lost = f->jmoved = f->async = 0;
}

void
state_free(struct state *st)
{
	if (st == NULL)
		return;
	follow_stop(&st->fol);
	state_clear(st);
	free(st);
}

/* The path of watched file i (enum watched) in the configuration c. */
static const char *
watched_path(const struct conf *c, size_t i)
{
	size_t	 k;

	if (i == W_CONF)
		return c->path;
	for (k = 0; k < sizeof(files) / sizeof(files[0]); k++)
		if (files[k].w == (enum watched)i)
			return file_path(c, &files[k]);
	return NULL;
}

/*
 * Set by SIGIO when inotify queued an event (and at the start, and when
 * a read left events behind): the queue is read only then.  Cleared
 * before the read, so that an event queued during it raises it again.
 * An event merged into one still queued raises no signal, but is read
 * with it.
 */
static volatile sig_atomic_t	 follow_kick = 1;

static void
follow_sigio(int sig)
{
	(void)sig;
	follow_kick = 1;
}

/*
 * Makes inotify raise SIGIO at each event.  SA_RESTART, as the FastCGI
 * receive timeout's SIGALRM: the accept, reads and writes it lands in go
 * on (no socket has a receive timeout, which would turn them into EINTR).
 * Returns 0 when it cannot; the queue is then read on every request.
 */
static int
follow_async(int fd)
{
	struct sigaction	 sa;
	int			 fl;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = follow_sigio;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	follow_kick = 1;
	return sigaction(SIGIO, &sa, NULL) == 0 &&
	    fcntl(fd, F_SETOWN, getpid()) == 0 &&
	    (fl = fcntl(fd, F_GETFL)) != -1 &&
	    fcntl(fd, F_SETFL, fl | O_ASYNC) == 0;
}

/*
 * Watches the folder of path for changes to its last component (any
 * name when any is set).  Returns 0 when it cannot.
 */
static int
follow_add(struct follow *f, const char *path, int any, int journal)
{
	/*
	 * Not IN_MODIFY: a writer is done when it closes (and the journal,
	 * often in the same folder, is kept open: its writes raise nothing).
	 */
	const uint32_t	 mask = IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM |
	    IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_DELETE_SELF |
	    IN_MOVE_SELF | IN_ONLYDIR;
	const char	*slash = strrchr(path, '/');
	const char	*name = slash == NULL ? path : slash + 1;
	char		*dir;
	int		 wd;

	if (f->n == FOLLOW_MAX || *name == '\0')
		return 0;
	if ((dir = slash == NULL ? strdup(".") : strndup(path,
	    slash == path ? 1 : (size_t)(slash - path))) == NULL)
		return 0;
	wd = inotify_add_watch(f->fd, dir, mask);
	free(dir);
	if (wd == -1)
		return 0;
	f->in[f->n].wd = wd;
	f->in[f->n].name = NULL;
	f->in[f->n].journal = journal;
	if (!any && (f->in[f->n].name = strdup(name)) == NULL)
		return 0;
	f->n++;
	return 1;
}

/*
 * Watches the journal's name too (its folder, and its target's when it
 * is a symbolic link).  Not being able to is no failure: the writer then
 * stats the journal before each line, as without inotify.
 */
static void
follow_journal(struct follow *f, const char *path)
{
	struct stat	 sb;
	char		*real;
	size_t		 n0 = f->n, i;
	int		 link, ok;

	if (path == NULL)
		return;
	link = lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode);
	ok = follow_add(f, path, link, 1);
	if (ok && link) {
		real = realpath(path, NULL);
		ok = real != NULL && follow_add(f, real, 0, 1);
		free(real);
	}
	if (ok && (f->jpath = strdup(path)) != NULL) {
		f->jmoved = 1;
		return;
	}
	/*
	 * Undo what was added (a watch on a folder also watched for another
	 * file stays: inotify_rm_watch would end that one too).
	 */
	for (i = n0; i < f->n; i++)
		free(f->in[i].name);
	f->n = n0;
}

int
state_follow(struct state *st)
{
	struct follow	*f = &st->fol;
	struct stat	 sb;
	const char	*path;
	char		*real;
	size_t		 i;
	int		 link, ok;

	follow_stop(f);
	if ((f->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1)
		return 0;
	f->async = follow_async(f->fd);
	for (i = 0; i < W__MAX; i++) {
		if ((path = watched_path(&st->world.conf, i)) == NULL ||
		    (f->paths[i] = strdup(path)) == NULL)
			goto fail;
		link = lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode);
		if (!follow_add(f, path, link, 0))
			goto fail;
		if (link) {
			real = realpath(path, NULL);
			ok = real != NULL && follow_add(f, real, 0, 0);
			free(real);
			if (!ok)
				goto fail;
		}
	}
	follow_journal(f, st->world.conf.journal);
	/* Whatever changed since the files were loaded is looked at now. */
	f->dirty = 1;
	return 1;
fail:
	follow_stop(f);
	return 0;
}

/*
 * Reads what inotify has queued: dirty when a watched name changed.  A
 * watched folder gone (or moved, or unmounted) ends the following.
 */
static void
follow_drain(struct follow *f)
{
	union {
		struct inotify_event	 ev;
		char			 b[4096];
	}			 u;
	const struct inotify_event *ev;
	ssize_t			 n;
	size_t			 off, i;
	int			 reads = 0, last;

	if (f->async) {
		if (!follow_kick)
			return;
		follow_kick = 0;
	}
	/* A folder that never rests must not hold the request: look. */
	while ((n = read(f->fd, u.b, sizeof(u.b))) > 0) {
		if (++reads > 8) {
			f->dirty = f->jmoved = 1;
			follow_kick = 1;	/* more to read next time */
			return;
		}
		last = (size_t)n < sizeof(u.b) - sizeof(*ev) - NAME_MAX - 1;
		for (off = 0; off + sizeof(*ev) <= (size_t)n;
		    off += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)(const void *)
			    (u.b + off);
			if (ev->mask & (IN_IGNORED | IN_DELETE_SELF |
			    IN_MOVE_SELF | IN_UNMOUNT)) {
				f->lost = 1;
				continue;
			}
			if (ev->mask & IN_Q_OVERFLOW)
				f->dirty = f->jmoved = 1;
			for (i = 0; i < f->n; i++)
				if (f->in[i].wd == ev->wd &&
				    (f->in[i].name == NULL || (ev->len > 0 &&
				    strcmp(ev->name, f->in[i].name) == 0))) {
					if (f->in[i].journal)
						f->jmoved = 1;
					else
						f->dirty = 1;
				}
		}
		/* Room was left: the queue was empty then; no second read. */
		if (last)
			return;
	}
	if (n == -1 && errno == EINTR)
		follow_kick = 1;
	else if (n == -1 && errno != EAGAIN)
		f->lost = 1;
}

/*
 * Whether the files need a look: always when not following, or while a
 * new configuration waits for a file; else after an event for a watched
 * name, and once a second regardless (a file system without inotify
 * events, such as NFS, or a change through a hard link elsewhere).
 */
static int
follow_due(struct state *st)
{
	struct follow	*f = &st->fol;
	time_t		 now;

	if (f->fd < 0)
		return 1;
	follow_drain(f);
	if (f->lost) {
		log_warnx("a watched folder is gone: looking at every file on "
		    "every request from now on");
		follow_stop(f);
		return 1;
	}
	now = time(NULL);
	if (!f->dirty && now == f->swept && st->bad_dep_path == NULL)
		return 0;
	f->dirty = 0;
	f->swept = now;
	return 1;
}

int
state_journal_moved(struct state *st, const char *path, time_t now)
{
	struct follow	*f = &st->fol;

	if (f->fd < 0 || f->jpath == NULL || path == NULL ||
	    strcmp(path, f->jpath) != 0 || f->jmoved || now != f->jswept) {
		f->jmoved = 0;
		f->jswept = now;
		return 1;
	}
	return 0;
}

/* After a reload: a configuration that names other files stops following. */
static void
follow_check(struct state *st)
{
	const char	*path;
	size_t		 i;

	if (st->fol.fd < 0)
		return;
	for (i = 0; i < W__MAX; i++)
		if ((path = watched_path(&st->world.conf, i)) == NULL ||
		    strcmp(path, st->fol.paths[i]) != 0) {
			log_warnx("%s: names other files: looking at every "
			    "file on every request from now on",
			    st->world.conf.path);
			follow_stop(&st->fol);
			return;
		}
}

static void
keeping(const struct es_err *err)
{
	if (err->line > 0)
		log_warnx("%s:%zu: %s; keeping the last good copy", err->file,
		    err->line, err->msg);
	else
		log_warnx("%s: %s; keeping the last good copy", err->file,
		    err->msg);
}

/*
 * Looks at one file: 1 when it changed since it was loaded and since
 * it last failed, so it is worth loading again.
 */
static int
changed(const char *path, struct watch *w, struct stamp *now)
{
	struct es_err	 err;

	if (!stamp_of(path, now)) {
		/* Vanished: say so once, keep serving. */
		if (!w->gone) {
			err_set(&err, path, 0, "cannot be read");
			keeping(&err);
			memset(&w->bad, 0, sizeof(w->bad));
			w->gone = 1;
		}
		return 0;
	}
	w->gone = 0;
	return !stamp_eq(now, &w->good) && !stamp_eq(now, &w->bad);
}

int
state_refresh(struct state *st)
{
	const struct watched_file	*f;
	struct state			*n;
	struct follow			 fol;
	struct stamp			 now;
	struct es_err			 err;
	struct watch			*w;
	const char			*path;
	char				*conf;
	size_t				 i;
	int				 count = 0;

	if (st->world.conf.path == NULL || !follow_due(st))
		return 0;
	/*
	 * A new configuration, or one that waits for a file it names and
	 * that file changed: everything it names is loaded anew.
	 */
	w = &st->w[W_CONF];
	if (st->bad_dep_path != NULL) {
		stamp_of(st->bad_dep_path, &now);	/* zeroes when gone */
		if (!stamp_eq(&now, &st->bad_dep))
			memset(&w->bad, 0, sizeof(w->bad));
	}
	if (changed(st->world.conf.path, w, &now)) {
		if ((conf = strdup(st->world.conf.path)) != NULL &&
		    (n = state_load(conf, JWKS_FAST, &err)) != NULL) {
			/* The new copy takes the old one's place. */
			fol = st->fol;
			state_clear(st);
			*st = *n;
			st->fol = fol;
			free(n);
			follow_check(st);
			log_warnx("%s: reloaded", conf);
			free(conf);
			return 1;
		}
		if (conf == NULL)
			err_set(&err, st->world.conf.path, 0, "out of memory");
		w->bad = now;
		free(st->bad_dep_path);
		st->bad_dep_path = NULL;
		if (strcmp(err.file, st->world.conf.path) == 0)
			/* The file itself is bad: wait for its next change. */
			keeping(&err);
		else {
			/*
			 * A file it names is missing or bad for now: try
			 * again as soon as that file changes.
			 */
			log_warnx("%s: not reloaded until this is mended: "
			    "%s:%zu: %s", st->world.conf.path, err.file, err.line,
			    err.msg);
			if ((st->bad_dep_path = strdup(err.file)) != NULL)
				stamp_of(st->bad_dep_path, &st->bad_dep);
		}
		free(conf);
	}
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		f = &files[i];
		w = &st->w[f->w];
		path = file_path(&st->world.conf, f);
		if (!changed(path, w, &now))
			continue;
		if (f->swap(st, path, &err)) {
			w->good = now;
			memset(&w->bad, 0, sizeof(w->bad));
			count++;
		} else {
			keeping(&err);
			w->bad = now;
		}
	}
	return count;
}
