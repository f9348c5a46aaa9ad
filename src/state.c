/*
 * state.c - loading the configuration and every file it names, and
 * reloading what changed (docs/design.md section 9).  A new copy replaces the
 * old only once it has loaded in full; a broken one is logged once and
 * the last good copy keeps serving.
 */
#include <sys/stat.h>

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

struct state {
	struct world	 world;		/* what decide and render read */
	struct watch	 w[W__MAX];
	char		*bad_dep_path;	/* a new config waits for it */
	struct stamp	 bad_dep;
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

void
state_free(struct state *st)
{
	if (st == NULL)
		return;
	state_clear(st);
	free(st);
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
	struct stamp			 now;
	struct es_err			 err;
	struct watch			*w;
	const char			*path;
	char				*conf;
	size_t				 i;
	int				 count = 0;

	if (st->world.conf.path == NULL)
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
			state_clear(st);
			*st = *n;
			free(n);
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
