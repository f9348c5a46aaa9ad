/*
 * state.c - loading the configuration and every file it names, and
 * reloading what changed (docs/design.md section 9).  A new copy replaces the
 * old only once it has loaded in full; a broken one is logged once and
 * the last good copy keeps serving.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "endsession.h"

static int
stamp_of(const char *path, struct stamp *s)
{
	struct stat	 st;

	memset(s, 0, sizeof(*s));
	if (stat(path, &st) == -1)
		return 0;
	s->dev = (uint64_t)st.st_dev;
	s->ino = (uint64_t)st.st_ino;
	s->size = (int64_t)st.st_size;
	s->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 +
	    st.st_mtim.tv_nsec;
	s->ctime_ns = (int64_t)st.st_ctim.tv_sec * 1000000000 +
	    st.st_ctim.tv_nsec;
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

int
state_load(const char *confpath, enum jwks_check chk, struct state *st,
    struct es_err *err)
{
	struct state	 n;

	memset(&n, 0, sizeof(n));
	stamp_of(confpath, &n.st_conf);
	if (!conf_load(confpath, &n.conf, err))
		return 0;
	stamp_of(n.conf.clients, &n.st_clients);
	stamp_of(n.conf.jwks, &n.st_jwks);
	stamp_of(n.conf.secret, &n.st_secret);
	if ((n.reg = clients_load(n.conf.clients, err)) == NULL ||
	    (n.keys = jwks_load(n.conf.jwks, chk, err)) == NULL ||
	    (n.tkey = secret_load(n.conf.secret, err)) == NULL ||
	    (n.tmpl = tmpl_load(n.conf.templates, err)) == NULL) {
		state_free(&n);
		return 0;
	}
	*st = n;
	return 1;
}

void
state_free(struct state *st)
{
	free(st->bad_dep_path);
	conf_free(&st->conf);
	clients_free(st->reg);
	jwks_free(st->keys);
	token_key_free(st->tkey);
	tmpl_free(st->tmpl);
	memset(st, 0, sizeof(*st));
}

static void
keeping(const struct es_err *err, log_fn log, void *arg)
{
	char	 msg[2048];

	if (err->line > 0)
		snprintf(msg, sizeof(msg), "%s:%zu: %s; keeping the last "
		    "good copy", err->file, err->line, err->msg);
	else
		snprintf(msg, sizeof(msg), "%s: %s; keeping the last good "
		    "copy", err->file, err->msg);
	log(arg, msg);
}

static void
reloaded(const char *path, const char *what, size_t n, log_fn log, void *arg)
{
	char	 msg[1200];

	snprintf(msg, sizeof(msg), "%s: reloaded%s%zu%s", path,
	    what != NULL ? ", " : "", n, what != NULL ? what : "");
	if (what == NULL)	/* no count to report */
		snprintf(msg, sizeof(msg), "%s: reloaded", path);
	log(arg, msg);
}

/*
 * Looks at one file: 1 when it changed since it was loaded and since
 * it last failed, so it is worth loading again.
 */
static int
changed(const char *path, const struct stamp *good, struct stamp *bad,
    struct stamp *now, log_fn log, void *arg)
{
	struct es_err	 err;

	if (!stamp_of(path, now)) {
		/* Vanished: say so once, keep serving. */
		if (bad->ino != UINT64_MAX) {
			err_set(&err, path, 0, "cannot be read");
			keeping(&err, log, arg);
			memset(bad, 0, sizeof(*bad));
			bad->ino = UINT64_MAX;
		}
		return 0;
	}
	return !stamp_eq(now, good) && !stamp_eq(now, bad);
}

int
state_refresh(struct state *st, log_fn log, void *arg)
{
	struct state		 n;
	struct stamp		 now;
	struct es_err		 err;
	struct registry		*reg;
	struct keyset		*keys;
	struct token_key	*tk;
	char			 msg[2048];
	int			 count = 0;

	if (st->conf.path == NULL)
		return 0;
	/*
	 * A new configuration, or one that waits for a file it names and
	 * that file changed: everything it names is loaded anew.
	 */
	if (st->bad_dep_path != NULL) {
		stamp_of(st->bad_dep_path, &now);	/* zeroes when gone */
		if (!stamp_eq(&now, &st->bad_dep))
			memset(&st->bad_conf, 0, sizeof(st->bad_conf));
	}
	if (changed(st->conf.path, &st->st_conf, &st->bad_conf, &now, log,
	    arg)) {
		char *path = strdup(st->conf.path);

		if (path != NULL && state_load(path, JWKS_FAST, &n, &err)) {
			state_free(st);
			*st = n;
			reloaded(path, NULL, 0, log, arg);
			free(path);
			return 1;
		}
		if (path == NULL)
			err_set(&err, st->conf.path, 0, "out of memory");
		st->bad_conf = now;
		free(st->bad_dep_path);
		st->bad_dep_path = NULL;
		if (strcmp(err.file, st->conf.path) == 0)
			/* The file itself is bad: wait for its next change. */
			keeping(&err, log, arg);
		else {
			/*
			 * A file it names is missing or bad for now: try
			 * again as soon as that file changes.
			 */
			snprintf(msg, sizeof(msg), "%s: not reloaded until "
			    "this is mended: %s:%zu: %s", st->conf.path,
			    err.file, err.line, err.msg);
			log(arg, msg);
			if ((st->bad_dep_path = strdup(err.file)) != NULL)
				stamp_of(st->bad_dep_path, &st->bad_dep);
		}
		free(path);
	}
	if (changed(st->conf.clients, &st->st_clients, &st->bad_clients,
	    &now, log, arg)) {
		if ((reg = clients_load(st->conf.clients, &err)) != NULL) {
			clients_free(st->reg);
			st->reg = reg;
			st->st_clients = now;
			memset(&st->bad_clients, 0, sizeof(st->bad_clients));
			count++;
			reloaded(st->conf.clients, " clients", reg->n, log,
			    arg);
		} else {
			keeping(&err, log, arg);
			st->bad_clients = now;
		}
	}
	if (changed(st->conf.jwks, &st->st_jwks, &st->bad_jwks, &now, log,
	    arg)) {
		if ((keys = jwks_load(st->conf.jwks, JWKS_FAST, &err)) != NULL) {
			jwks_free(st->keys);
			st->keys = keys;
			st->st_jwks = now;
			memset(&st->bad_jwks, 0, sizeof(st->bad_jwks));
			count++;
			reloaded(st->conf.jwks, " keys", keys->n, log, arg);
		} else {
			keeping(&err, log, arg);
			st->bad_jwks = now;
		}
	}
	if (changed(st->conf.secret, &st->st_secret, &st->bad_secret, &now,
	    log, arg)) {
		if ((tk = secret_load(st->conf.secret, &err)) != NULL) {
			token_key_free(st->tkey);
			st->tkey = tk;
			st->st_secret = now;
			memset(&st->bad_secret, 0, sizeof(st->bad_secret));
			count++;
			reloaded(st->conf.secret, NULL, 0, log, arg);
		} else {
			keeping(&err, log, arg);
			st->bad_secret = now;
		}
	}
	return count;
}
