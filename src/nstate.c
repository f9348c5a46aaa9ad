/*
 * nstate.c - the notifier's state, in SQLite with a write-ahead log:
 * the journal read position, the logins (who signed in where), and the
 * notifications.  Every journal line is acted on exactly once because
 * its effects and the read position past it commit together; every
 * attempt's outcome commits with its delivery log lines (table logq),
 * which are written to the log after the commit and forgotten in the
 * next one, so a crash between the two cannot lose a line: the next
 * start writes what the log lacks (nstate_logq_get).  synchronous=FULL: a
 * committed outcome survives a power cut, not only a crash.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "endsession.h"

const char *const nout_names[NO__MAX] = {
	"pending", "delivered", "failed", "blocked", "expired", "retry",
};

enum stmt {
	S_BEGIN,
	S_COMMIT,
	S_ROLLBACK,
	S_POS_GET,
	S_POS_SET,
	S_LOGIN,
	S_SESS_BY_SID,
	S_SESS_BY_SUB,
	S_LOGINS_OF,
	S_NOTIF_ADD,
	S_FORGET,
	S_DUE,
	S_DUE_URI,
	S_NEXT_URI,
	S_NEXT_DUE,
	S_ATTEMPT,
	S_FINISH,
	S_COUNT,
	S_OLDEST,
	S_NLOGINS,
	S_PRUNE_N,
	S_PRUNE_L,
	S_LOGQ_PUT,
	S_LOGQ_GET,
	S_LOGQ_CLEAR,
	S__MAX
};

static const char *const sql[S__MAX] = {
	"BEGIN IMMEDIATE",
	"COMMIT",
	"ROLLBACK",
	"SELECT dev, ino, off FROM pos WHERE id = 1",
	"INSERT OR REPLACE INTO pos (id, dev, ino, off) VALUES (1, ?, ?, ?)",
	"INSERT OR REPLACE INTO login (session, client_id, sid, sub, time) "
	    "VALUES (?, ?, ?, ?, ?)",
	"SELECT DISTINCT session FROM login WHERE (session = ?1 OR sid = ?1) "
	    "AND time >= ?2",
	"SELECT DISTINCT session FROM login WHERE client_id = ? AND sub = ? "
	    "AND time >= ?",
	"SELECT client_id, sid, sub FROM login WHERE session = ? AND "
	    "time >= ? ORDER BY client_id",
	"INSERT OR IGNORE INTO notif (signout, client_id, sid, sub, uri, time,"
	    " state, attempts, due) VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?)",
	"DELETE FROM login WHERE session = ?",
	"SELECT id, client_id, sid, sub, uri, time, attempts FROM notif "
	    "WHERE state = 0 AND due <= ?1 ORDER BY due, id LIMIT ?2",
	"SELECT id, client_id, sid, sub, uri, time, attempts FROM notif "
	    "WHERE state = 0 AND uri = ?3 AND due <= ?1 ORDER BY due, id "
	    "LIMIT ?2",
	/* One seek in notif_uri: no row of a skipped URI is read. */
	"SELECT min(uri) FROM notif WHERE state = 0 AND uri > ?",
	"SELECT min(due) FROM notif WHERE state = 0",
	"UPDATE notif SET attempts = attempts + 1, due = ? WHERE id = ?",
	"UPDATE notif SET state = ?, status = ?, due = ?, done = ? "
	    "WHERE id = ?",
	"SELECT state, count(*) FROM notif GROUP BY state",
	"SELECT min(time) FROM notif WHERE state = 0",
	"SELECT count(*) FROM login",
	"DELETE FROM notif WHERE state != 0 AND done < ?",
	"DELETE FROM login WHERE time < ?",
	"INSERT INTO logq (lines) VALUES (?)",
	"SELECT lines FROM logq ORDER BY id",
	"DELETE FROM logq",
};

static const char schema[] =
	"PRAGMA journal_mode = WAL;"
	"PRAGMA synchronous = FULL;"
	"CREATE TABLE IF NOT EXISTS pos (id INTEGER PRIMARY KEY,"
	"  dev INTEGER NOT NULL, ino INTEGER NOT NULL, off INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS login (session TEXT NOT NULL,"
	"  client_id TEXT NOT NULL, sid TEXT NOT NULL, sub TEXT,"
	"  time INTEGER NOT NULL, PRIMARY KEY (session, client_id));"
	"CREATE INDEX IF NOT EXISTS login_sid ON login (sid);"
	"CREATE INDEX IF NOT EXISTS login_sub ON login (client_id, sub);"
	"CREATE INDEX IF NOT EXISTS login_time ON login (time);"
	"CREATE TABLE IF NOT EXISTS notif (id INTEGER PRIMARY KEY,"
	"  signout TEXT NOT NULL, client_id TEXT NOT NULL, sid TEXT,"
	"  sub TEXT, uri TEXT NOT NULL, time INTEGER NOT NULL,"
	"  state INTEGER NOT NULL, attempts INTEGER NOT NULL,"
	"  due INTEGER NOT NULL, status INTEGER, done INTEGER,"
	"  UNIQUE (signout, client_id, sid));"
	"CREATE INDEX IF NOT EXISTS notif_due ON notif (state, due);"
	"CREATE INDEX IF NOT EXISTS notif_uri ON notif (state, uri, due);"
	"CREATE INDEX IF NOT EXISTS notif_done ON notif (state, done);"
	"CREATE TABLE IF NOT EXISTS logq (id INTEGER PRIMARY KEY,"
	"  lines TEXT NOT NULL);";

struct nstate {
	sqlite3		*db;
	sqlite3_stmt	*st[S__MAX];
};

const char *
nstate_errmsg(struct nstate *ns)
{
	return sqlite3_errmsg(ns->db);
}

struct nstate *
nstate_open(const char *path, struct es_err *err)
{
	struct nstate	*ns;
	size_t		 i;
	int		 rc = 0;

	if ((ns = calloc(1, sizeof(*ns))) == NULL) {
		err_set(err, path, 0, "out of memory");
		return NULL;
	}
	if (sqlite3_open_v2(path, &ns->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    sqlite3_busy_timeout(ns->db, 5000) != SQLITE_OK ||
	    sqlite3_exec(ns->db, schema, NULL, NULL, NULL) != SQLITE_OK) {
		err_set(err, path, 0, "state database: %s",
		    ns->db != NULL ? sqlite3_errmsg(ns->db) : "out of memory");
		goto out;
	}
	for (i = 0; i < S__MAX; i++)
		if (sqlite3_prepare_v3(ns->db, sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &ns->st[i], NULL) != SQLITE_OK) {
			err_set(err, path, 0, "state database: %s",
			    sqlite3_errmsg(ns->db));
			goto out;
		}
	rc = 1;
out:
	if (!rc) {
		nstate_close(ns);
		ns = NULL;
	}
	return ns;
}

void
nstate_close(struct nstate *ns)
{
	size_t	 i;

	if (ns == NULL)
		return;
	for (i = 0; i < S__MAX; i++)
		sqlite3_finalize(ns->st[i]);
	sqlite3_close(ns->db);
	free(ns);
}

/* Runs a statement that returns no rows; then resets it. */
static int
run(struct nstate *ns, enum stmt s)
{
	int	 rc;

	rc = sqlite3_step(ns->st[s]);
	sqlite3_reset(ns->st[s]);
	sqlite3_clear_bindings(ns->st[s]);
	return rc == SQLITE_DONE;
}

static int
bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL)
		return sqlite3_bind_null(st, i) == SQLITE_OK;
	return sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC) == SQLITE_OK;
}

int
nstate_begin(struct nstate *ns)
{
	return run(ns, S_BEGIN);
}

int
nstate_commit(struct nstate *ns)
{
	return run(ns, S_COMMIT);
}

void
nstate_rollback(struct nstate *ns)
{
	(void)run(ns, S_ROLLBACK);
}

int
nstate_pos_get(struct nstate *ns, struct jpos *p)
{
	sqlite3_stmt	*st = ns->st[S_POS_GET];
	int		 rc = 0;

	memset(p, 0, sizeof(*p));
	if (sqlite3_step(st) == SQLITE_ROW) {
		p->dev = (uint64_t)sqlite3_column_int64(st, 0);
		p->ino = (uint64_t)sqlite3_column_int64(st, 1);
		p->off = sqlite3_column_int64(st, 2);
		rc = 1;
	}
	sqlite3_reset(st);
	return rc;
}

int
nstate_pos_set(struct nstate *ns, const struct jpos *p)
{
	sqlite3_stmt	*st = ns->st[S_POS_SET];

	if (sqlite3_bind_int64(st, 1, (sqlite3_int64)p->dev) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, (sqlite3_int64)p->ino) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, p->off) != SQLITE_OK)
		return 0;
	return run(ns, S_POS_SET);
}

int
nstate_login(struct nstate *ns, const struct jline *l, time_t t)
{
	sqlite3_stmt	*st = ns->st[S_LOGIN];

	/* Without "session", the provider puts one sid in every ID Token. */
	if (!bind_text(st, 1, l->session != NULL ? l->session : l->sid) ||
	    !bind_text(st, 2, l->client_id) || !bind_text(st, 3, l->sid) ||
	    !bind_text(st, 4, l->sub) ||
	    sqlite3_bind_int64(st, 5, (sqlite3_int64)t) != SQLITE_OK)
		return 0;
	return run(ns, S_LOGIN);
}

/* A list of provider sessions, copied out of SQLite. */
struct sessions {
	char	**v;
	size_t	  n;
};

static void
sessions_free(struct sessions *s)
{
	size_t	 i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

static int
sessions_add(struct sessions *s, const char *v)
{
	char	**nv;

	if ((nv = reallocarray(s->v, s->n + 1, sizeof(*nv))) == NULL)
		return 0;
	s->v = nv;
	if ((s->v[s->n] = strdup(v)) == NULL)
		return 0;
	s->n++;
	return 1;
}

/* Collects the first column of st's rows (bound by the caller). */
static int
sessions_of(sqlite3_stmt *st, struct sessions *s)
{
	int	 rc, ok = 1;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (!sessions_add(s, (const char *)sqlite3_column_text(st, 0)))
			ok = 0;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return ok && rc == SQLITE_DONE;
}

int
nstate_logout(struct nstate *ns, const struct jline *l, const char *key,
    time_t t, const struct registry *reg, long long max_login_age,
    const char **why)
{
	struct sessions		 ss = { NULL, 0 };
	sqlite3_stmt		*st, *add = ns->st[S_NOTIF_ADD];
	const struct client	*c;
	const char		*cid;
	sqlite3_int64		 since = (sqlite3_int64)t - max_login_age;
	size_t			 i;
	int			 n = -1, rc, total = 0, clients = 0;

	*why = NULL;
	/* First the provider session(s) the sign-out ended. */
	if (l->session != NULL) {
		if (!sessions_add(&ss, l->session))
			goto out;
	} else if (l->sid != NULL) {
		st = ns->st[S_SESS_BY_SID];
		if (!bind_text(st, 1, l->sid) ||
		    sqlite3_bind_int64(st, 2, since) != SQLITE_OK ||
		    !sessions_of(st, &ss))
			goto out;
	} else if (l->client_id != NULL && l->sub != NULL) {
		st = ns->st[S_SESS_BY_SUB];
		if (!bind_text(st, 1, l->client_id) ||
		    !bind_text(st, 2, l->sub) ||
		    sqlite3_bind_int64(st, 3, since) != SQLITE_OK ||
		    !sessions_of(st, &ss))
			goto out;
	} else {
		*why = "the sign-out names no session, sid, or client and sub";
		n = 0;
		goto out;
	}

	/* Then every client that logged in to them. */
	st = ns->st[S_LOGINS_OF];
	for (i = 0; i < ss.n; i++) {
		if (!bind_text(st, 1, ss.v[i]) ||
		    sqlite3_bind_int64(st, 2, since) != SQLITE_OK)
			goto out;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			clients++;
			cid = (const char *)sqlite3_column_text(st, 0);
			c = clients_find(reg, cid, strlen(cid));
			if (c == NULL || c->bcl_uri == NULL)
				continue;
			if (!bind_text(add, 1, key) || !bind_text(add, 2, cid) ||
			    sqlite3_bind_value(add, 3,
			    sqlite3_column_value(st, 1)) != SQLITE_OK ||
			    sqlite3_bind_value(add, 4,
			    sqlite3_column_value(st, 2)) != SQLITE_OK ||
			    !bind_text(add, 5, c->bcl_uri) ||
			    sqlite3_bind_int64(add, 6, (sqlite3_int64)t) !=
			    SQLITE_OK ||
			    sqlite3_bind_int64(add, 7, 0) != SQLITE_OK ||
			    !run(ns, S_NOTIF_ADD)) {
				sqlite3_reset(st);
				goto out;
			}
			total += sqlite3_changes(ns->db);
		}
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		if (rc != SQLITE_DONE)
			goto out;
	}
	/* The ended sessions are over: a later sign-out tells nobody again. */
	for (i = 0; i < ss.n; i++)
		if (!bind_text(ns->st[S_FORGET], 1, ss.v[i]) ||
		    !run(ns, S_FORGET))
			goto out;
	if (ss.n == 0)
		*why = "no provider session found for this sign-out";
	else if (clients == 0)
		*why = "nobody signed in to the ended session";
	else if (total == 0)
		*why = "no client of the ended session has a "
		    "backchannel_logout_uri";
	n = total;
out:
	sessions_free(&ss);
	return n;
}

int
nstate_due(struct nstate *ns, int64_t now_ms, size_t max, const char *uri,
    struct arena *ar, nrow_fn fn, void *arg)
{
	sqlite3_stmt	*st = ns->st[uri != NULL ? S_DUE_URI : S_DUE];
	struct nrow	 r;
	const char	*s[4];
	size_t		 i;
	int		 rc, n = 0;

	if (sqlite3_bind_int64(st, 1, now_ms) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, (sqlite3_int64)max) != SQLITE_OK ||
	    (uri != NULL && !bind_text(st, 3, uri)))
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&r, 0, sizeof(r));
		r.id = sqlite3_column_int64(st, 0);
		for (i = 0; i < 4; i++) {
			s[i] = (const char *)sqlite3_column_text(st,
			    (int)i + 1);
			if (s[i] != NULL && (s[i] = arena_strndup(ar, s[i],
			    strlen(s[i]))) == NULL) {
				rc = SQLITE_NOMEM;
				goto out;
			}
		}
		r.client_id = s[0];
		r.sid = s[1];
		r.sub = s[2];
		r.uri = s[3];
		r.time = (time_t)sqlite3_column_int64(st, 5);
		r.attempts = (unsigned)sqlite3_column_int64(st, 6);
		n++;
		if (!fn(arg, &r)) {
			rc = SQLITE_DONE;
			break;
		}
	}
out:
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? n : -1;
}

int
nstate_next_uri(struct nstate *ns, const char *after, struct arena *ar,
    const char **uri)
{
	sqlite3_stmt	*st = ns->st[S_NEXT_URI];
	const char	*s;
	int		 rc = -1;

	*uri = NULL;
	if (!bind_text(st, 1, after))
		goto out;
	if (sqlite3_step(st) != SQLITE_ROW)
		goto out;
	if ((s = (const char *)sqlite3_column_text(st, 0)) == NULL)
		rc = 0;
	else if ((*uri = arena_strndup(ar, s, strlen(s))) != NULL)
		rc = 1;
out:
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

int64_t
nstate_next_due(struct nstate *ns)
{
	sqlite3_stmt	*st = ns->st[S_NEXT_DUE];
	int64_t		 v = -1;

	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return v;
}

int
nstate_attempt(struct nstate *ns, int64_t id, int64_t due_ms)
{
	sqlite3_stmt	*st = ns->st[S_ATTEMPT];

	if (sqlite3_bind_int64(st, 1, due_ms) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, id) != SQLITE_OK)
		return 0;
	return run(ns, S_ATTEMPT);
}

int
nstate_finish(struct nstate *ns, int64_t id, enum nout o, int status,
    int64_t due_ms, time_t now)
{
	sqlite3_stmt	*st = ns->st[S_FINISH];
	int		 pending = o == NO_RETRY || o == NO_PENDING;

	if (sqlite3_bind_int(st, 1, pending ? NO_PENDING : (int)o) !=
	    SQLITE_OK ||
	    sqlite3_bind_int(st, 2, status) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, due_ms) != SQLITE_OK ||
	    (pending ? sqlite3_bind_null(st, 4) :
	    sqlite3_bind_int64(st, 4, (sqlite3_int64)now)) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 5, id) != SQLITE_OK)
		return 0;
	return run(ns, S_FINISH);
}

int
nstate_counts(struct nstate *ns, time_t now, struct ncounts *c)
{
	sqlite3_stmt	*st = ns->st[S_COUNT];
	int		 s, rc;

	memset(c, 0, sizeof(*c));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		s = sqlite3_column_int(st, 0);
		if (s >= 0 && s < NO_RETRY)
			c->n[s] = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return 0;
	st = ns->st[S_OLDEST];
	if ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		c->oldest_pending = (long long)now -
		    sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (c->oldest_pending < 0)
		c->oldest_pending = 0;
	st = ns->st[S_NLOGINS];
	if (sqlite3_step(st) == SQLITE_ROW)
		c->logins = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE;
}

int
nstate_prune(struct nstate *ns, time_t now, long long login_age)
{
	if (sqlite3_bind_int64(ns->st[S_PRUNE_N], 1,
	    (sqlite3_int64)now - NOTIFY_KEEP) != SQLITE_OK ||
	    !run(ns, S_PRUNE_N))
		return 0;
	if (sqlite3_bind_int64(ns->st[S_PRUNE_L], 1,
	    (sqlite3_int64)now - login_age) != SQLITE_OK)
		return 0;
	return run(ns, S_PRUNE_L);
}

int
nstate_logq_put(struct nstate *ns, const char *p, size_t sz)
{
	sqlite3_stmt	*st = ns->st[S_LOGQ_PUT];

	if (sz == 0)
		return 1;
	if (sz > INT_MAX || sqlite3_bind_text(st, 1, p, (int)sz,
	    SQLITE_STATIC) != SQLITE_OK)
		return 0;
	return run(ns, S_LOGQ_PUT);
}

int
nstate_logq_clear(struct nstate *ns)
{
	return run(ns, S_LOGQ_CLEAR);
}

int
nstate_logq_get(struct nstate *ns, struct buf *b)
{
	sqlite3_stmt	*st = ns->st[S_LOGQ_GET];
	const char	*t;
	int		 rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((t = (const char *)sqlite3_column_text(st, 0)) != NULL)
			buf_add(b, t, (size_t)sqlite3_column_bytes(st, 0));
	sqlite3_reset(st);
	return rc == SQLITE_DONE && !b->oom;
}
