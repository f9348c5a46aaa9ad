/*
 * test_nstate.c - nstate.c on an in-memory SQLite database: who is
 * notified for a sign-out (design.md section 10: by session, by sid, by
 * client and sub; every client of the ended sessions with a
 * backchannel_logout_uri, each with its own sid and sub; nobody when no
 * session is found), one notification per sign-out and client, the
 * read position, and a notification's life: due, attempt, finish,
 * counts, prune.
 */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "keys.h"
#include "endsession.h"

static const char clients[] =
    "{\"clients\":["
    "{\"client_id\":\"a\",\"backchannel_logout_uri\":\"https://a/bcl\"},"
    "{\"client_id\":\"b\",\"backchannel_logout_uri\":\"https://b/bcl\"},"
    "{\"client_id\":\"c\",\"backchannel_logout_uri\":\"https://c/bcl\"},"
    "{\"client_id\":\"nobcl\"}]}";

struct fx {
	struct nstate	*ns;
	struct registry	*reg;
	struct arena	 ar;
};

static void
fx_open(struct fx *f)
{
	struct es_err	 e;

	memset(f, 0, sizeof(*f));
	memset(&e, 0, sizeof(e));
	f->ns = nstate_open(":memory:", &e);
	f->reg = clients_parse(clients, strlen(clients), "c.json", &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f->ns);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f->reg);
}

static void
fx_close(struct fx *f)
{
	nstate_close(f->ns);
	clients_free(f->reg);
	arena_free(&f->ar);
}

static void
login(struct fx *f, const char *session, const char *sid, const char *cid,
    const char *sub, time_t t)
{
	struct jline	 l;

	memset(&l, 0, sizeof(l));
	l.ev = JE_LOGIN;
	l.session = session;
	l.sid = sid;
	l.client_id = cid;
	l.sub = sub;
	CU_ASSERT_EQUAL(nstate_login(f->ns, &l, t), 1);
}

static int
logout(struct fx *f, const char *key, const char *session, const char *sid,
    const char *cid, const char *sub, const char **why)
{
	struct jline	 l;

	memset(&l, 0, sizeof(l));
	l.ev = JE_LOGOUT;
	l.session = session;
	l.sid = sid;
	l.client_id = cid;
	l.sub = sub;
	return nstate_logout(f->ns, &l, key, TK_NOW, f->reg, 3600, why);
}

/* The due notifications as "client_id/sid/sub" lines, sorted by id. */
struct collect {
	char	 s[1024];
	int64_t	 ids[16];
	size_t	 n;
};

static int
collect_fn(void *arg, const struct nrow *r)
{
	struct collect	*c = arg;
	size_t		 len = strlen(c->s);

	snprintf(c->s + len, sizeof(c->s) - len, "%s%s/%s/%s@%s",
	    len ? " " : "", r->client_id, r->sid ? r->sid : "-",
	    r->sub ? r->sub : "-", r->uri);
	if (c->n < 16)
		c->ids[c->n++] = r->id;
	return 1;
}

static void
due(struct fx *f, struct collect *c)
{
	memset(c, 0, sizeof(*c));
	CU_ASSERT(nstate_due(f->ns, (int64_t)TK_NOW * 1000, 100, NULL, &f->ar,
	    collect_fn, c) >= 0);
}

static void
test_by_session(void)
{
	struct fx	 f;
	struct collect	 c;
	const char	*why;

	fx_open(&f);
	/* node-oidc-provider: one session P, a sid and sub per client. */
	login(&f, "P", "sa", "a", "ua", TK_NOW - 10);
	login(&f, "P", "sb", "b", "ub", TK_NOW - 5);
	login(&f, "P", "sn", "nobcl", "un", TK_NOW - 5);
	login(&f, "P", "sx", "unknown", "ux", TK_NOW - 5);
	login(&f, "Q", "sq", "c", "uq", TK_NOW - 5);
	CU_ASSERT_EQUAL(logout(&f, "k1", "P", "sa", "a", "ua", &why), 2);
	due(&f, &c);
	CU_ASSERT_STRING_EQUAL(c.s, "a/sa/ua@https://a/bcl "
	    "b/sb/ub@https://b/bcl");
	/* The same line again adds nothing; P is over. */
	CU_ASSERT_EQUAL(logout(&f, "k1", "P", "sa", "a", "ua", &why), 0);
	CU_ASSERT_EQUAL(logout(&f, "k2", "P", NULL, NULL, NULL, &why), 0);
	CU_ASSERT_PTR_NOT_NULL(why);
	/* Q untouched. */
	CU_ASSERT_EQUAL(logout(&f, "k3", NULL, "sq", NULL, NULL, &why), 1);
	fx_close(&f);
}

static void
test_by_sid(void)
{
	struct fx	 f;
	struct collect	 c;
	const char	*why;

	fx_open(&f);
	/* A provider with one sid everywhere: session left out. */
	login(&f, NULL, "S1", "a", "u", TK_NOW - 10);
	login(&f, NULL, "S1", "c", "u", TK_NOW - 10);
	login(&f, NULL, "S2", "b", "u", TK_NOW - 10);
	CU_ASSERT_EQUAL(logout(&f, "k1", NULL, "S1", "a", "u", &why), 2);
	due(&f, &c);
	CU_ASSERT_STRING_EQUAL(c.s, "a/S1/u@https://a/bcl "
	    "c/S1/u@https://c/bcl");
	/* A per-client sid finds its session too. */
	login(&f, "P", "pa", "a", "u", TK_NOW - 10);
	login(&f, "P", "pb", "b", "v", TK_NOW - 10);
	CU_ASSERT_EQUAL(logout(&f, "k2", NULL, "pb", NULL, NULL, &why), 2);
	fx_close(&f);
}

static void
test_by_sub(void)
{
	struct fx	 f;
	const char	*why;

	fx_open(&f);
	login(&f, "P1", "s1", "a", "u", TK_NOW - 10);
	login(&f, "P1", "s2", "b", "u", TK_NOW - 10);
	login(&f, "P2", "s3", "a", "u", TK_NOW - 10);
	login(&f, "P2", "s4", "c", "u", TK_NOW - 10);
	login(&f, "P3", "s5", "a", "other", TK_NOW - 10);
	/* client a with sub u: both of u's sessions end. */
	CU_ASSERT_EQUAL(logout(&f, "k1", NULL, NULL, "a", "u", &why), 4);
	/* Neither session nor sid nor client and sub: nobody, and why. */
	why = NULL;
	CU_ASSERT_EQUAL(logout(&f, "k2", NULL, NULL, "a", NULL, &why), 0);
	CU_ASSERT_PTR_NOT_NULL(why);
	fx_close(&f);
}

static void
test_nobody(void)
{
	struct fx	 f;
	const char	*why;

	fx_open(&f);
	why = NULL;
	CU_ASSERT_EQUAL(logout(&f, "k1", "P", NULL, NULL, NULL, &why), 0);
	CU_ASSERT_PTR_NOT_NULL(why);
	/* A login older than the limit is forgotten. */
	login(&f, "P", "s", "a", "u", TK_NOW - 3601);
	why = NULL;
	CU_ASSERT_EQUAL(logout(&f, "k2", NULL, "s", NULL, NULL, &why), 0);
	CU_ASSERT_PTR_NOT_NULL(why);
	/* Only clients without a logout URI: nobody, and why. */
	login(&f, "R", "s", "nobcl", "u", TK_NOW);
	why = NULL;
	CU_ASSERT_EQUAL(logout(&f, "k3", "R", NULL, NULL, NULL, &why), 0);
	CU_ASSERT_PTR_NOT_NULL(why);
	fx_close(&f);
}

static void
test_life(void)
{
	struct fx	 f;
	struct collect	 c;
	struct ncounts	 n;
	struct jpos	 p = { 7, 42, 1234 }, q;
	const char	*why, *u;
	int64_t		 now = (int64_t)TK_NOW * 1000;

	fx_open(&f);
	CU_ASSERT_EQUAL(nstate_pos_get(f.ns, &q), 0);
	CU_ASSERT_EQUAL(nstate_begin(f.ns), 1);
	CU_ASSERT_EQUAL(nstate_pos_set(f.ns, &p), 1);
	CU_ASSERT_EQUAL(nstate_commit(f.ns), 1);
	CU_ASSERT_EQUAL(nstate_pos_get(f.ns, &q), 1);
	CU_ASSERT(q.dev == 7 && q.ino == 42 && q.off == 1234);
	/* A rolled-back line leaves no trace. */
	CU_ASSERT_EQUAL(nstate_begin(f.ns), 1);
	login(&f, "P", "sa", "a", "ua", TK_NOW);
	p.off = 2000;
	CU_ASSERT_EQUAL(nstate_pos_set(f.ns, &p), 1);
	nstate_rollback(f.ns);
	CU_ASSERT_EQUAL(nstate_pos_get(f.ns, &q), 1);
	CU_ASSERT_EQUAL(q.off, 1234);
	CU_ASSERT_EQUAL(logout(&f, "k0", "P", NULL, NULL, NULL, &why), 0);

	login(&f, "P", "sa", "a", "ua", TK_NOW);
	login(&f, "P", "sb", "b", "ub", TK_NOW);
	login(&f, "P", "sc", "c", "uc", TK_NOW);
	CU_ASSERT_EQUAL(logout(&f, "k1", "P", NULL, NULL, NULL, &why), 3);
	CU_ASSERT_EQUAL(nstate_next_due(f.ns), 0);
	/* One website's notifications alone. */
	memset(&c, 0, sizeof(c));
	CU_ASSERT_EQUAL(nstate_due(f.ns, now, 100, "https://b/bcl", &f.ar,
	    collect_fn, &c), 1);
	CU_ASSERT_STRING_EQUAL(c.s, "b/sb/ub@https://b/bcl");
	memset(&c, 0, sizeof(c));
	CU_ASSERT_EQUAL(nstate_due(f.ns, now, 100, "https://x", &f.ar,
	    collect_fn, &c), 0);
	/* The websites with something pending, one seek each, in order. */
	CU_ASSERT_EQUAL(nstate_next_uri(f.ns, "", &f.ar, &u), 1);
	CU_ASSERT_STRING_EQUAL(u, "https://a/bcl");
	CU_ASSERT_EQUAL(nstate_next_uri(f.ns, u, &f.ar, &u), 1);
	CU_ASSERT_STRING_EQUAL(u, "https://b/bcl");
	CU_ASSERT_EQUAL(nstate_next_uri(f.ns, u, &f.ar, &u), 1);
	CU_ASSERT_STRING_EQUAL(u, "https://c/bcl");
	CU_ASSERT_EQUAL(nstate_next_uri(f.ns, u, &f.ar, &u), 0);
	CU_ASSERT_PTR_NULL(u);
	due(&f, &c);
	CU_ASSERT_EQUAL_FATAL(c.n, 3);
	/* In flight: not due again before its deadline. */
	CU_ASSERT_EQUAL(nstate_attempt(f.ns, c.ids[0], now + 6000), 1);
	CU_ASSERT_EQUAL(nstate_finish(f.ns, c.ids[1], NO_DELIVERED, 204, 0,
	    TK_NOW), 1);
	CU_ASSERT_EQUAL(nstate_finish(f.ns, c.ids[2], NO_RETRY, 503,
	    now + 1000, TK_NOW), 1);
	due(&f, &c);
	CU_ASSERT_EQUAL(c.n, 0);
	CU_ASSERT_EQUAL(nstate_next_due(f.ns), now + 1000);
	CU_ASSERT_EQUAL(nstate_counts(f.ns, TK_NOW + 30, &n), 1);
	CU_ASSERT_EQUAL(n.n[NO_PENDING], 2);
	CU_ASSERT_EQUAL(n.n[NO_DELIVERED], 1);
	CU_ASSERT_EQUAL(n.n[NO_FAILED], 0);
	CU_ASSERT_EQUAL(n.oldest_pending, 30);
	CU_ASSERT_EQUAL(n.logins, 0);
	/* Finished ones are kept NOTIFY_KEEP, pending ones always. */
	CU_ASSERT_EQUAL(nstate_prune(f.ns, TK_NOW + NOTIFY_KEEP - 1, 3600), 1);
	CU_ASSERT_EQUAL(nstate_counts(f.ns, TK_NOW, &n), 1);
	CU_ASSERT_EQUAL(n.n[NO_DELIVERED], 1);
	CU_ASSERT_EQUAL(nstate_prune(f.ns, TK_NOW + NOTIFY_KEEP + 1, 3600), 1);
	CU_ASSERT_EQUAL(nstate_counts(f.ns, TK_NOW, &n), 1);
	CU_ASSERT_EQUAL(n.n[NO_DELIVERED], 0);
	CU_ASSERT_EQUAL(n.n[NO_PENDING], 2);
	fx_close(&f);
}

/* The log lines kept with a pass's commit, read back at a start. */
static void
test_logq(void)
{
	struct fx	 f;
	struct buf	 b;

	fx_open(&f);
	memset(&b, 0, sizeof(b));
	CU_ASSERT_EQUAL(nstate_logq_get(f.ns, &b), 1);
	CU_ASSERT_EQUAL(b.sz, 0);
	CU_ASSERT_EQUAL(nstate_begin(f.ns), 1);
	CU_ASSERT_EQUAL(nstate_logq_put(f.ns, "{\"a\":1}\n", 8), 1);
	CU_ASSERT_EQUAL(nstate_logq_put(f.ns, "", 0), 1);
	CU_ASSERT_EQUAL(nstate_commit(f.ns), 1);
	/* A rolled-back pass keeps none of its lines. */
	CU_ASSERT_EQUAL(nstate_begin(f.ns), 1);
	CU_ASSERT_EQUAL(nstate_logq_put(f.ns, "{\"b\":2}\n", 8), 1);
	nstate_rollback(f.ns);
	CU_ASSERT_EQUAL(nstate_logq_get(f.ns, &b), 1);
	CU_ASSERT_EQUAL(b.sz, 8);
	CU_ASSERT_NSTRING_EQUAL(b.p, "{\"a\":1}\n", 8);
	/* The next pass forgets them and keeps its own. */
	CU_ASSERT_EQUAL(nstate_begin(f.ns), 1);
	CU_ASSERT_EQUAL(nstate_logq_clear(f.ns), 1);
	CU_ASSERT_EQUAL(nstate_logq_put(f.ns, "{\"c\":3}\n", 8), 1);
	CU_ASSERT_EQUAL(nstate_commit(f.ns), 1);
	buf_reset(&b);
	CU_ASSERT_EQUAL(nstate_logq_get(f.ns, &b), 1);
	CU_ASSERT_EQUAL(b.sz, 8);
	CU_ASSERT_NSTRING_EQUAL(b.p, "{\"c\":3}\n", 8);
	buf_free(&b);
	fx_close(&f);
}

UNIT_SUITE("nstate",
	{ "who is notified: by session", test_by_session },
	{ "who is notified: by sid", test_by_sid },
	{ "who is notified: by client and sub", test_by_sub },
	{ "who is notified: nobody", test_nobody },
	{ "position and a notification's life", test_life },
	{ "the log lines kept with a commit", test_logq },
)
