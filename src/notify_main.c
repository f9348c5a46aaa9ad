/*
 * notify_main.c - endsession-notify: OpenID Connect Back-Channel Logout
 * 1.0 for the endpoint.  It follows the journal (the endpoint's sign-out
 * lines, the provider's login lines), works out who must be told, signs
 * one logout token per attempt and POSTs them, concurrently, retried,
 * guarded, logged.  The journal is the queue and SQLite the cursor:
 * each line's effects and the position past it commit together, each
 * attempt's outcome commits before its log line, so a crash loses and
 * repeats no line (an attempt in flight at the crash is made again).
 *
 *   endsession-notify [-c FILE]            run until SIGTERM/SIGINT
 *   endsession-notify --once [-c FILE]     one pass; 0 done, 2 pending
 *   endsession-notify --status [-c FILE]   counts, "name value" lines
 *   endsession-notify --check [-c FILE]    check configuration and key
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "endsession.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR	"/etc/endsession"
#endif
#define DEFAULT_CONF	SYSCONFDIR "/endsession.conf"
#define LINES_PER_TX	1000	/* journal lines per transaction */
#define URIS_PER_PASS	1024	/* websites looked at per pass */
/* A rotated journal is still read this long for a late writer. */
#define JOURNAL_SETTLE_MS 1000

/* An attempt in flight: what its log line needs. */
struct flight {
	int64_t		 id;
	char		*client_id, *sid, *uri;
	char		 jti[LTOKEN_JTI_SZ + 1];
	unsigned	 attempt;
	time_t		 time;		/* of the sign-out */
};

struct notifier {
	struct conf	 conf;
	struct registry	*reg;
	struct keyset	*keys;
	struct signer	*signer;
	struct nstate	*ns;
	struct jfollow	*jf;
	struct deliver	*dv;
	struct signq	*sq;		/* the signing thread */
	struct cidr	 allow[LIM_ALLOW];
	size_t		 nallow;
	int		 logfd;		/* notify_log, or 2 */
	struct buf	 logq;		/* this pass's log lines, after commit */
	int		 logq_kept;	/* the state keeps the last pass's */
	struct arena	 ar;
	struct flight	 fl[LIM_INFLIGHT];
	struct dv_result res[LIM_INFLIGHT];
	size_t		 nres;
	time_t		 now;
	int64_t		 now_ms;
	int64_t		 due_limit;	/* --once: attempts due by then */
	int		 once;
	int		 full;		/* a pass stopped at LIM_INFLIGHT */
	char		*cursor;	/* the URI the last pass ended at */
	int		 more;		/* the journal may have more lines */
	struct stat	 reg_st;	/* the clients file when loaded */
	/* Counters since start, for the metrics file. */
	unsigned long long lines, signouts, logins, bad_lines;
	unsigned long long attempts[NO__MAX];
};

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}


static void
clock_now(struct notifier *n)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	n->now = ts.tv_sec;
	n->now_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ----------------------------------------------------------- the log */

/*
 * One line of the delivery log (design.md section 10).  Never the token:
 * only its jti.  Lines wait in n->logq for the commit of the outcome they
 * tell (log_flush); a pass that fails leaves none of them.
 */
static void
delivery_log(struct notifier *n, const char *sid, const char *client_id,
    const char *uri, const char *jti, unsigned attempt, enum nout o,
    int status, const char *error)
{
	struct buf	*b = &n->logq;
	char		 ts[21];

	if (!jline_fmt_time(n->now, ts))
		return;
	buf_addf(b, "{\"time\":\"%s\"", ts);
#define STR(k, v) do { if ((v) != NULL) { buf_adds(b, ",\"" k "\":\""); \
	json_esc(b, (v), strlen(v)); buf_addc(b, '"'); } } while (0)
	STR("sid", sid);
	STR("client_id", client_id);
	STR("uri", uri);
	STR("jti", jti);
	buf_addf(b, ",\"attempt\":%u,\"outcome\":\"%s\",\"status\":%d",
	    attempt, nout_names[o], status);
	if (error != NULL && *error != '\0')
		STR("error", error);
#undef STR
	buf_adds(b, "}\n");
	n->attempts[o]++;
}

/* Writes the pass's log lines, in one write when the kernel takes it. */
static void
log_flush(struct notifier *n)
{
	struct buf	*b = &n->logq;
	size_t		 off = 0;
	ssize_t		 w;

	if (b->oom)
		log_warnx("delivery log: out of memory, lines lost");
	while (!b->oom && off < b->sz) {
		if ((w = write(n->logfd, b->p + off, b->sz - off)) == -1 &&
		    errno == EINTR)
			continue;
		if (w <= 0) {
			log_warnx("delivery log: cannot write: %s",
			    w == -1 ? strerror(errno) : "short write");
			break;
		}
		off += (size_t)w;
	}
	buf_reset(b);
}

/*
 * Length of the longest start of p[0..sz) that the log already ends
 * with, beginning at one of its lines: all of it when the crash came
 * after the write, a part when it cut the write short, 0 when before.
 */
static size_t
log_has(const char *path, int logfd, const char *p, size_t sz)
{
	struct stat	 sb, lb;
	char		*tail = NULL;
	size_t		 size, want, j, got = 0;
	int		 fd;

	/* logfd is write-only: the same file, opened again to read. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		log_warnx("%s: %s", path, strerror(errno));
		return 0;
	}
	if (fstat(fd, &sb) == -1 || fstat(logfd, &lb) == -1 ||
	    sb.st_dev != lb.st_dev || sb.st_ino != lb.st_ino ||
	    !S_ISREG(sb.st_mode) || sb.st_size <= 0)
		goto out;
	size = (size_t)sb.st_size;
	/* One byte more than p when there is one: the newline before. */
	want = size < sz + 1 ? size : sz + 1;
	if ((tail = malloc(want)) == NULL)
		goto out;
	if (pread(fd, tail, want, (off_t)(size - want)) == (ssize_t)want)
		for (j = want < sz ? want : sz; j > 0 && got == 0; j--) {
			/* Only where a line of the log starts. */
			if (j < size && tail[want - j - 1] != '\n')
				continue;
			if (memcmp(tail + (want - j), p, j) == 0)
				got = j;
		}
out:
	free(tail);
	close(fd);
	return got;
}

/*
 * At a start: the log lines the state kept from the last pass (its
 * commit came, its write may not have) are written unless the log
 * already has them, then forgotten.  A log renamed away meanwhile gets
 * them again in the new file.  0 on a state error.
 */
static int
log_recover(struct notifier *n)
{
	struct buf	 kept;
	size_t		 has = 0;

	memset(&kept, 0, sizeof(kept));
	if (!nstate_logq_get(n->ns, &kept)) {
		buf_free(&kept);
		log_warnx("state: %s", nstate_errmsg(n->ns));
		return 0;
	}
	if (kept.sz > 0) {
		if (n->logfd != 2)
			has = log_has(n->conf.notify_log, n->logfd, kept.p,
			    kept.sz);
		buf_add(&n->logq, kept.p + has, kept.sz - has);
		log_flush(n);
	}
	buf_free(&kept);
	n->logq_kept = 1;
	return 1;
}

/* ------------------------------------------------------- the journal */

static int
on_line(void *arg, const char *line, size_t sz, const struct jpos *after)
{
	struct notifier	*n = arg;
	struct jline	 l;
	const char	*why = NULL;
	char		 key[80];
	time_t		 t;
	int		 got;

	n->lines++;
	arena_reset(&n->ar);
	if (line == NULL) {
		n->bad_lines++;
		log_warnx("journal line before offset %lld: longer than %d bytes,"
		    " skipped", (long long)after->off, LIM_JLINE_SZ);
		return 1;
	}
	switch (jline_parse(&n->ar, line, sz, &l, &why)) {
	case JE_BAD:
		n->bad_lines++;
		log_warnx("journal line before offset %lld: %s; skipped",
		    (long long)after->off, why);
		return 1;
	case JE_OTHER:
		return 1;
	case JE_LOGIN:
		n->logins++;
		t = l.time != -1 ? l.time : n->now;
		/* A login older than hint_max_age is already forgotten. */
		if (t < n->now - n->conf.hint_max_age)
			return 1;
		if (!nstate_login(n->ns, &l, t)) {
			log_warnx("state: %s", nstate_errmsg(n->ns));
			return 0;
		}
		return 1;
	case JE_LOGOUT:
		break;
	}
	n->signouts++;
	t = l.time != -1 ? l.time : n->now;
	/* The sign-out's name: where its line ends, unique in the journal. */
	snprintf(key, sizeof(key), "%llu:%llu:%lld",
	    (unsigned long long)after->dev, (unsigned long long)after->ino,
	    (long long)after->off);
	if ((got = nstate_logout(n->ns, &l, key, t, n->reg,
	    n->conf.hint_max_age, &why)) == -1) {
		log_warnx("state: %s", nstate_errmsg(n->ns));
		return 0;
	}
	if (got == 0)
		log_warnx("sign-out (sid %.64s, session %.64s, client %.64s): "
		    "nobody to notify: %s", l.sid ? l.sid : "-",
		    l.session ? l.session : "-",
		    l.client_id ? l.client_id : "-", why);
	return 1;
}

/*
 * Reads up to LINES_PER_TX complete new lines; they and the position
 * past them commit together.  n->more says a full batch was read (more
 * may wait): the loop comes back without sleeping, after a pass, so
 * that a long journal's first deliveries are signed and sent while the
 * rest is read.  0 on a state or read error (fatal: a restart goes on
 * from the last commit).
 */
static int
read_journal(struct notifier *n)
{
	struct jpos	 pos;
	int		 got;

	n->more = 0;
	if (!nstate_begin(n->ns))
		goto fail;
	if ((got = jf_read(n->jf, LINES_PER_TX, on_line, n, &pos)) == -1) {
		nstate_rollback(n->ns);
		return 0;
	}
	if (!nstate_pos_set(n->ns, &pos) || !nstate_commit(n->ns)) {
		nstate_rollback(n->ns);
		goto fail;
	}
	n->more = got == LINES_PER_TX;
	return 1;
fail:
	log_warnx("state: %s", nstate_errmsg(n->ns));
	return 0;
}

/* ------------------------------------------------------ the deliveries */

static struct flight *
flight_of(struct notifier *n, int64_t id)
{
	size_t	 i;

	for (i = 0; i < LIM_INFLIGHT; i++)
		if (n->fl[i].id == id)
			return &n->fl[i];
	return NULL;
}

static void
flight_free(struct flight *f)
{
	free(f->client_id);
	free(f->sid);
	free(f->uri);
	memset(f, 0, sizeof(*f));
}

/*
 * One due notification: given up when too old, refused when its URI is
 * not allowed, else signed and started.  Inside the pass's transaction.
 */
static int
on_due(void *arg, const struct nrow *r)
{
	struct notifier		*n = arg;
	const struct client	*c;
	const struct skey	*k;
	struct ltoken_in	 in;
	struct flight		*f;
	const char		*why;
	enum alg		 use;
	int			 alg;

	if (dv_inflight(n->dv) >= LIM_INFLIGHT) {
		n->full = 1;
		return 0;
	}
	if (n->now >= r->time + n->conf.notify_max_age) {
		if (!nstate_finish(n->ns, r->id, NO_EXPIRED, 0, 0, n->now))
			return 0;
		delivery_log(n, r->sid, r->client_id, r->uri, NULL,
		    r->attempts, NO_EXPIRED, 0, "notify_max_age passed");
		return 1;
	}
	if (!bcl_uri_ok(r->uri, n->allow, n->nallow, &why)) {
		if (!nstate_finish(n->ns, r->id, NO_BLOCKED, 0, 0, n->now))
			return 0;
		delivery_log(n, r->sid, r->client_id, r->uri, NULL,
		    r->attempts, NO_BLOCKED, 0, why);
		return 1;
	}
	c = clients_find(n->reg, r->client_id, strlen(r->client_id));
	alg = c != NULL ? c->id_alg : ALG_RS256;
	if ((k = sign_pick(n->signer, n->conf.signing_kid, (enum alg)alg,
	    &use)) == NULL) {
		if (!nstate_finish(n->ns, r->id, NO_FAILED, 0, 0, n->now))
			return 0;
		delivery_log(n, r->sid, r->client_id, r->uri, NULL,
		    r->attempts, NO_FAILED, 0, "no signing key for the "
		    "client's id_token_signed_response_alg");
		return 1;
	}
	if (r->sub == NULL && r->sid == NULL) {
		if (!nstate_finish(n->ns, r->id, NO_FAILED, 0, 0, n->now))
			return 0;
		delivery_log(n, r->sid, r->client_id, r->uri, NULL,
		    r->attempts, NO_FAILED, 0, "cannot make the logout token "
		    "(no sub and no sid)");
		return 1;
	}
	if ((f = flight_of(n, 0)) == NULL)
		return 0;
	/*
	 * Counted before it leaves; not due again before it must be over
	 * (the signing queue is at most LIM_INFLIGHT tokens deep, well
	 * inside the second of slack).
	 */
	if (!nstate_attempt(n->ns, r->id, n->now_ms +
	    n->conf.notify_timeout * 1000 + 1000))
		return 0;
	f->id = r->id;
	f->attempt = r->attempts + 1;
	f->time = r->time;
	in.iss = n->conf.issuer;
	in.aud = r->client_id;
	in.sub = r->sub;
	in.sid = r->sid;
	in.iat = n->now;
	if ((f->client_id = strdup(r->client_id)) == NULL ||
	    (r->sid != NULL && (f->sid = strdup(r->sid)) == NULL) ||
	    (f->uri = strdup(r->uri)) == NULL)
		goto fail;
	/* Its place is taken now; the POST starts when the token is back. */
	if (!dv_add(n->dv, r->id, r->uri))
		goto fail;
	if (!sq_put(n->sq, r->id, k, use, &in)) {
		dv_drop(n->dv, r->id);
		goto fail;
	}
	return 1;
fail:
	flight_free(f);
	return 0;
}

static void
on_result(void *arg, const struct dv_result *r)
{
	struct notifier	*n = arg;

	if (n->nres < LIM_INFLIGHT)
		n->res[n->nres++] = *r;
}

/*
 * A token back from the signing thread: its POST starts, or, when it
 * could not be made, the attempt ends as a retry like any other.
 */
static void
on_signed(void *arg, int64_t id, int ok, const char *jti, const char *body,
    size_t bodysz)
{
	struct notifier		*n = arg;
	struct dv_result	 r;
	struct flight		*f;

	if ((f = flight_of(n, id)) == NULL) {
		dv_drop(n->dv, id);
		return;
	}
	memcpy(f->jti, jti, sizeof(f->jti));
	if (ok && dv_send(n->dv, id, body, bodysz))
		return;
	if (ok)
		log_warnx("out of memory starting a delivery");
	else
		dv_drop(n->dv, id);
	memset(&r, 0, sizeof(r));
	r.id = id;
	r.out = NO_RETRY;
	snprintf(r.error, sizeof(r.error), "%s", ok ? "out of memory" :
	    "cannot sign the logout token");
	on_result(n, &r);
}

/* The state an attempt leaves: a retry past notify_max_age expires. */
static enum nout
outcome_of(const struct notifier *n, const struct dv_result *r,
    const struct flight *f)
{
	if (r->out == NO_RETRY && n->now >= f->time + n->conf.notify_max_age)
		return NO_EXPIRED;
	return r->out;
}

/*
 * Starts what is due, website by website: a slow website gets its share
 * of connections (LIM_INFLIGHT_URI), never all of them, and while its
 * share is taken its notifications are not even read (one index seek
 * passes over the URI), so that thousands of them to a dead website
 * neither hide another website's nor slow a pass down.  The walk goes
 * round from where the last pass stopped, so every website gets its
 * turn.  0 on a state error.
 */
static int
start_due(struct notifier *n)
{
	const char	*u, *from = "";
	size_t		 k, busy, room;
	int		 rc, wrapped;
	char		*c;

	/* The walk moves the cursor: start from a copy of it. */
	if (n->cursor != NULL &&
	    (from = arena_strndup(&n->ar, n->cursor, strlen(n->cursor))) == NULL)
		return 0;
	wrapped = *from == '\0';
	u = from;
	for (k = 0; k < URIS_PER_PASS && !n->full; k++) {
		if ((rc = nstate_next_uri(n->ns, u, &n->ar, &u)) == -1)
			return 0;
		if (rc == 0) {
			if (wrapped)
				break;
			wrapped = 1;
			u = "";
			continue;
		}
		/* Round once: the URI we started after comes last. */
		if (wrapped && *from != '\0' && strcmp(u, from) > 0)
			break;
		if (dv_inflight(n->dv) >= LIM_INFLIGHT) {
			n->full = 1;
			break;
		}
		if ((busy = dv_inflight_uri(n->dv, u)) >= LIM_INFLIGHT_URI)
			continue;
		room = LIM_INFLIGHT_URI - busy;
		if (room > LIM_INFLIGHT - dv_inflight(n->dv))
			room = LIM_INFLIGHT - dv_inflight(n->dv);
		if (nstate_due(n->ns, n->once ? n->due_limit : n->now_ms,
		    room, u, &n->ar, on_due, n) == -1)
			return 0;
		if ((c = strdup(u)) == NULL)
			return 0;
		free(n->cursor);
		n->cursor = c;
	}
	return 1;
}

/*
 * One pass over the state, in one transaction (one fsync): record the
 * attempts that finished, start those that are due, and keep the log
 * lines of what ended (finished attempts, and those expired, blocked or
 * failed while starting) with them; after the commit, write those lines
 * in one write.  The previous pass's lines, written by then, are
 * forgotten in this transaction.  0 on a state error.
 */
static int
pass(struct notifier *n)
{
	struct dv_result	*r;
	struct flight		*f;
	enum nout		 o;
	int64_t			 due;
	size_t			 i;

	n->full = 0;
	arena_reset(&n->ar);
	if (!nstate_begin(n->ns))
		goto fail;
	if (n->logq_kept && !nstate_logq_clear(n->ns))
		goto rollback;
	for (i = 0; i < n->nres; i++) {
		r = &n->res[i];
		if ((f = flight_of(n, r->id)) == NULL)
			continue;
		o = outcome_of(n, r, f);
		due = o == NO_RETRY ? n->now_ms + notify_backoff(f->attempt,
		    n->conf.notify_retry_max) * 1000 : 0;
		if (!nstate_finish(n->ns, r->id, o, r->status, due, n->now))
			goto rollback;
		delivery_log(n, f->sid, f->client_id, f->uri,
		    f->jti[0] != '\0' ? f->jti : NULL, f->attempt, o,
		    r->status, r->error);
	}
	if (!start_due(n))
		goto rollback;
	if (!n->logq.oom &&
	    !nstate_logq_put(n->ns, n->logq.p, n->logq.sz))
		goto rollback;
	if (!nstate_commit(n->ns))
		goto rollback;
	n->logq_kept = !n->logq.oom && n->logq.sz > 0;
	for (i = 0; i < n->nres; i++)
		if ((f = flight_of(n, n->res[i].id)) != NULL)
			flight_free(f);
	n->nres = 0;
	log_flush(n);
	return 1;
rollback:
	nstate_rollback(n->ns);
fail:
	buf_reset(&n->logq);	/* outcomes not recorded: not logged */
	log_warnx("state: %s", nstate_errmsg(n->ns));
	return 0;
}

/*
 * The refresh script replaces the clients file atomically (a new inode):
 * a changed file is loaded, and a bad one leaves the last good copy.
 */
static void
refresh_clients(struct notifier *n)
{
	struct stat	 st;
	struct registry	*reg;
	struct es_err	 err;

	if (stat(n->conf.clients, &st) == -1 ||
	    (st.st_ino == n->reg_st.st_ino && st.st_dev == n->reg_st.st_dev &&
	    st.st_size == n->reg_st.st_size &&
	    st.st_mtim.tv_sec == n->reg_st.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == n->reg_st.st_mtim.tv_nsec))
		return;
	n->reg_st = st;
	memset(&err, 0, sizeof(err));
	if ((reg = clients_load(n->conf.clients, &err)) == NULL) {
		log_warnx("%s: %s; keeping the last good copy", err.file,
		    err.msg);
		return;
	}
	clients_free(n->reg);
	n->reg = reg;
	log_warnx("%s: reloaded, %zu clients", n->conf.clients,
	    clients_count(reg));
}

/* ----------------------------------------------------------- metrics */

/*
 * The Prometheus text format (what node_exporter's textfile collector
 * reads), replaced atomically: a temporary file, then rename.
 */
static void
write_metrics(struct notifier *n)
{
	struct ncounts	 c;
	struct buf	 b = { NULL, 0, 0, 0 };
	char		 tmp[PATH_MAX];
	size_t		 i;
	int		 fd = -1;

	if (n->conf.notify_metrics == NULL)
		return;
	if (!nstate_counts(n->ns, n->now, &c)) {
		log_warnx("state: %s", nstate_errmsg(n->ns));
		return;
	}
	buf_adds(&b, "# HELP endsession_notify_notifications Sign-out "
	    "notifications kept, by state.\n"
	    "# TYPE endsession_notify_notifications gauge\n");
	for (i = 0; i < NO_RETRY; i++)
		buf_addf(&b, "endsession_notify_notifications{state=\"%s\"} "
		    "%lld\n", nout_names[i], c.n[i]);
	buf_addf(&b, "# HELP endsession_notify_oldest_pending_seconds Age of "
	    "the oldest pending notification's sign-out.\n"
	    "# TYPE endsession_notify_oldest_pending_seconds gauge\n"
	    "endsession_notify_oldest_pending_seconds %lld\n"
	    "# HELP endsession_notify_inflight Attempts in flight.\n"
	    "# TYPE endsession_notify_inflight gauge\n"
	    "endsession_notify_inflight %zu\n"
	    "# HELP endsession_notify_logins Logins remembered.\n"
	    "# TYPE endsession_notify_logins gauge\n"
	    "endsession_notify_logins %lld\n",
	    c.oldest_pending, dv_inflight(n->dv), c.logins);
	buf_adds(&b, "# HELP endsession_notify_attempts_total Delivery "
	    "attempts since the notifier started, by outcome.\n"
	    "# TYPE endsession_notify_attempts_total counter\n");
	for (i = NO_DELIVERED; i < NO__MAX; i++)
		buf_addf(&b, "endsession_notify_attempts_total{outcome=\"%s\"}"
		    " %llu\n", nout_names[i], n->attempts[i]);
	buf_addf(&b, "# HELP endsession_notify_journal_lines_total Journal "
	    "lines read since the notifier started, by kind.\n"
	    "# TYPE endsession_notify_journal_lines_total counter\n"
	    "endsession_notify_journal_lines_total{kind=\"logout\"} %llu\n"
	    "endsession_notify_journal_lines_total{kind=\"login\"} %llu\n"
	    "endsession_notify_journal_lines_total{kind=\"bad\"} %llu\n"
	    "endsession_notify_journal_lines_total{kind=\"any\"} %llu\n"
	    "# HELP endsession_notify_last_pass_timestamp_seconds When this "
	    "file was written.\n"
	    "# TYPE endsession_notify_last_pass_timestamp_seconds gauge\n"
	    "endsession_notify_last_pass_timestamp_seconds %lld\n",
	    n->signouts, n->logins, n->bad_lines, n->lines,
	    (long long)n->now);
	if (b.oom || snprintf(tmp, sizeof(tmp), "%s.tmp",
	    n->conf.notify_metrics) >= (int)sizeof(tmp))
		goto out;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1 || write(fd, b.p, b.sz) != (ssize_t)b.sz ||
	    close(fd) == -1 || rename(tmp, n->conf.notify_metrics) == -1) {
		log_warnx("metrics %s: %s", n->conf.notify_metrics,
		    strerror(errno));
		fd = -1;
		unlink(tmp);
		goto out;
	}
	fd = -1;
out:
	if (fd != -1)
		close(fd);
	buf_free(&b);
}

/* ------------------------------------------------------------ set-up */

static int
load(struct notifier *n, const char *path, enum jwks_check chk,
    int need_key)
{
	struct es_err	 err;
	const char	*bad;

	memset(&err, 0, sizeof(err));
	if (!conf_load(path, &n->conf, &err) ||
	    (n->reg = clients_load(n->conf.clients, &err)) == NULL ||
	    (n->keys = jwks_load(n->conf.jwks, chk, &err)) == NULL) {
		err_print(&err);
		return 0;
	}
	if (stat(n->conf.clients, &n->reg_st) == -1)
		memset(&n->reg_st, 0, sizeof(n->reg_st));
	if (n->conf.notify_allow != NULL && !addr_parse_list(
	    n->conf.notify_allow, n->allow, &n->nallow, &bad)) {
		fprintf(stderr, "%s: notify_allow: bad address\n", path);
		return 0;
	}
	if (!need_key)
		return 1;
	if (n->conf.signing_key == NULL) {
		fprintf(stderr, "%s: notifications are off: no signing_key\n",
		    path);
		return 0;
	}
	if ((n->signer = sign_load(n->conf.signing_key, n->keys, &err)) ==
	    NULL) {
		err_print(&err);
		return 0;
	}
	return 1;
}

static void
unload(struct notifier *n)
{
	size_t	 i;

	/* The thread first: it reads the signer's keys. */
	sq_free(n->sq);
	for (i = 0; i < LIM_INFLIGHT; i++)
		flight_free(&n->fl[i]);
	dv_free(n->dv);
	jf_close(n->jf);
	nstate_close(n->ns);
	sign_free(n->signer);
	jwks_free(n->keys);
	clients_free(n->reg);
	conf_free(&n->conf);
	arena_free(&n->ar);
	free(n->cursor);
	if (n->logfd > 2)
		close(n->logfd);
	buf_free(&n->logq);
}

static int
check(const char *path)
{
	struct notifier	 n;
	struct es_err	 err;
	struct buf	 b = { NULL, 0, 0, 0 };
	int		 rc = 1;

	memset(&n, 0, sizeof(n));
	memset(&err, 0, sizeof(err));
	if (!load(&n, path, JWKS_FULL, 0))
		goto out;
	if (n.conf.signing_key == NULL) {
		printf("%s: notifications are off (no signing_key)\n", path);
		rc = 0;
		goto out;
	}
	if (!notify_check(&n.conf, n.reg, n.keys, 1, &b, &err)) {
		err_print(&err);
		goto out;
	}
	printf("%s: issuer %s\n%s: journal\n%s: notification state\n%s",
	    n.conf.path, n.conf.issuer, n.conf.journal, n.conf.notify_state,
	    b.p != NULL ? b.p : "");
	rc = 0;
out:
	buf_free(&b);
	unload(&n);
	return rc;
}

static int
status(const char *path)
{
	struct notifier	 n;
	struct es_err	 err;
	struct ncounts	 c;
	int		 rc = 1;

	memset(&n, 0, sizeof(n));
	memset(&err, 0, sizeof(err));
	if (!conf_load(path, &n.conf, &err)) {
		err_print(&err);
		goto out;
	}
	if (n.conf.notify_state == NULL) {
		fprintf(stderr, "%s: no notify_state\n", path);
		goto out;
	}
	clock_now(&n);
	if ((n.ns = nstate_open(n.conf.notify_state, &err)) == NULL) {
		err_print(&err);
		goto out;
	}
	if (!nstate_counts(n.ns, n.now, &c)) {
		fprintf(stderr, "%s: %s\n", n.conf.notify_state,
		    nstate_errmsg(n.ns));
		goto out;
	}
	printf("pending %lld\ndelivered %lld\nfailed %lld\nblocked %lld\n"
	    "expired %lld\noldest_pending_seconds %lld\nlogins %lld\n",
	    c.n[NO_PENDING], c.n[NO_DELIVERED], c.n[NO_FAILED],
	    c.n[NO_BLOCKED], c.n[NO_EXPIRED], c.oldest_pending, c.logins);
	rc = 0;
out:
	nstate_close(n.ns);
	conf_free(&n.conf);
	return rc;
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: endsession-notify [-c FILE]            deliver until "
	    "SIGTERM\n"
	    "       endsession-notify --once [-c FILE]     one pass: exit 0 "
	    "when nothing is pending, 2 when retries are\n"
	    "       endsession-notify --status [-c FILE]   print the counts\n"
	    "       endsession-notify --check [-c FILE]    check the "
	    "configuration, the signing key and the logout URIs\n"
	    "       endsession-notify --version | --help\n"
	    "\n"
	    "  -c FILE   configuration file (default: $ENDSESSION_CONF, "
	    "else %s)\n"
	    "  ENDSESSION_SANDBOX=0   run without the seccomp filter "
	    "(debugging)\n"
	    "\n"
	    "OpenID Connect Back-Channel Logout 1.0 for endsession. "
	    "See endsession-notify(8).\n", DEFAULT_CONF);
}

/*
 * Signing threads: one per core, at most 4.  Signing is the floor of a
 * delivery; on a machine of one core the thread still overlaps waiting.
 */
static size_t
sign_threads(void)
{
	long	 n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 4 ? 4 : (size_t)n;
}

/* The loop; in --once mode it ends when no attempt is left in flight. */
static int
run(struct notifier *n)
{
	struct ncounts	 c;
	int64_t		 next, last_metrics = 0, last_prune = 0;
	long long	 wait;
	long		 settle;
	int		 fds[2], woke = 1;

	clock_now(n);
	n->due_limit = n->now_ms;
	while (!stop) {
		clock_now(n);
		if ((woke || n->once || n->more ||
		    jf_settle_left(n->jf) == 0) && !read_journal(n))
			return 1;
		if (!pass(n))
			return 1;
		if (n->once && dv_inflight(n->dv) == 0 && !n->full &&
		    !n->more)
			break;
		/* Sleep until a due time, the journal or the network. */
		/*
		 * Something due but not started (its website already has
		 * its share of connections) waits for a transfer to end:
		 * curl's sockets wake us, no spinning.
		 */
		wait = n->more ? 0 : 1000;
		if ((next = nstate_next_due(n->ns)) != -1 && !n->once &&
		    next > n->now_ms && next - n->now_ms < wait)
			wait = next - n->now_ms;
		/* A rotated journal's new file, once the old one settled. */
		if ((settle = jf_settle_left(n->jf)) > 0 && settle < wait)
			wait = settle;
		fds[0] = jf_fd(n->jf);
		fds[1] = sq_fd(n->sq);
		if (!dv_wait(n->dv, fds, 2, (int)wait))
			return 1;
		woke = jf_drain(n->jf) || wait == 1000;
		clock_now(n);
		sq_take(n->sq, on_signed, n);
		if (!dv_run(n->dv, on_result, n))
			return 1;
		if (n->now_ms - last_metrics >= 1000) {
			refresh_clients(n);
			write_metrics(n);
			last_metrics = n->now_ms;
		}
		if (n->now_ms - last_prune >= 3600 * 1000) {
			if (!nstate_prune(n->ns, n->now, n->conf.hint_max_age))
				log_warnx("state: prune: %s",
				    nstate_errmsg(n->ns));
			last_prune = n->now_ms;
		}
	}
	clock_now(n);
	write_metrics(n);
	if (!n->once)
		return 0;
	if (!nstate_counts(n->ns, n->now, &c))
		return 1;
	return c.n[NO_PENDING] > 0 ? 2 : 0;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "check", no_argument, NULL, 'k' },
		{ "once", no_argument, NULL, '1' },
		{ "status", no_argument, NULL, 's' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ "config", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	struct notifier	*n = NULL;
	struct sigaction sa;
	struct es_err	 err;
	struct jpos	 pos;
	enum sandbox_res sb;
	const char	*conf, *why;
	int		 c, mode = 0, rc = 1;

	log_init("endsession-notify");
	if ((conf = getenv("ENDSESSION_CONF")) == NULL || *conf == '\0')
		conf = DEFAULT_CONF;
	while ((c = getopt_long(argc, argv, "c:hV", longopts, NULL)) != -1)
		switch (c) {
		case 'c':
			conf = optarg;
			break;
		case 'k':
		case '1':
		case 's':
			mode = c;
			break;
		case 'V':
			printf("endsession-notify %s\n", ES_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	if (optind != argc) {
		usage(stderr);
		return 1;
	}
	if (mode == 'k')
		return check(conf);
	if (mode == 's')
		return status(conf);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	memset(&err, 0, sizeof(err));
	if ((n = calloc(1, sizeof(*n))) == NULL)
		goto out;
	n->once = mode == '1';
	n->logfd = 2;
	if (!load(n, conf, JWKS_FAST, 1))
		goto out;
	if (n->conf.notify_log != NULL && (n->logfd = open(n->conf.notify_log,
	    O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640)) == -1) {
		log_warnx("%s: %s", n->conf.notify_log, strerror(errno));
		n->logfd = 2;
		goto out;
	}
	if ((n->ns = nstate_open(n->conf.notify_state, &err)) == NULL) {
		err_print(&err);
		goto out;
	}
	if (!log_recover(n))
		goto out;
	nstate_pos_get(n->ns, &pos);
	if ((n->jf = jf_open(n->conf.journal, &pos,
	    n->once ? 0 : JOURNAL_SETTLE_MS, &err)) == NULL) {
		err_print(&err);
		goto out;
	}
	if ((n->dv = dv_new(n->conf.notify_timeout, n->allow,
	    n->nallow)) == NULL) {
		log_warnx("cannot set up libcurl");
		goto out;
	}
	/* Before the threads, which inherit the filter. */
	sb = nsandbox_enter(&why);
	if (sb == SANDBOX_FAILED)
		log_warnx("no sandbox: %s", why);
	else if (sb == SANDBOX_OFF && getenv("ENDSESSION_SANDBOX") != NULL)
		log_warnx("sandbox off: %s", why);
	if ((n->sq = sq_new(sign_threads())) == NULL) {
		log_warnx("cannot start the signing thread");
		goto out;
	}
	rc = run(n);
out:
	if (n != NULL) {
		unload(n);
		free(n);
	}
	curl_global_cleanup();
	return rc;
}
