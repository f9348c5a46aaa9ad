/*
 * test_decide.c - decide.c: every row of docs/design.md section 7 (R, S, C, E)
 * and the confirmation round trip, from a struct http_in through
 * req_parse to a decision, with a hand-built state and a fixed clock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "endsession.h"
#include "keys.h"

#define NOW	TK_NOW
#define ISS	"https://op.example"
#define URI1	"https://rp1.example/cb"
#define URI1E	"https%3A%2F%2Frp1.example%2Fcb"

static const char clients_json[] =
    "{\"clients\":["
    "{\"client_id\":\"rp1\",\"client_name\":\"RP One\","
    "\"post_logout_redirect_uris\":[\"" URI1 "\",\"https://rp1.example/cb?x=1\"]},"
    "{\"client_id\":\"rp2\",\"post_logout_redirect_uris\":[\"https://rp2.example/\"]}"
    "]}";

static struct world	 st;
static int		 st_ok;

static const struct world *
state(void)
{
	if (!st_ok) {
		if (!tk_world(&st, clients_json, "op_sid", "SESSION", NULL,
		    NULL))
			abort();
		st_ok = 1;
	}
	return &st;
}

/* A hint signed by rsa1 with these claims (aud rp1 by default). */
static char *
hint(const char *claims)
{
	return tk_jws(TK_RSA, ALG_RS256, "{\"alg\":\"RS256\",\"kid\":\"rsa1\"}",
	    claims);
}

#define CLAIMS_SID	"{\"iss\":\"" ISS "\",\"sub\":\"alice\",\"aud\":\"rp1\"," \
			"\"sid\":\"s-1\",\"iat\":1799996400}"
#define CLAIMS_NOSID	"{\"iss\":\"" ISS "\",\"sub\":\"alice\",\"aud\":\"rp1\"," \
			"\"iat\":1799996400}"

struct rq {
	const char	*method;
	const char	*params;	/* query or body; "%H" is the hint */
	const char	*cookie;
	const char	*sfs;
	const char	*origin;
};

/* Every request's fresh random bytes, and their base64url. */
static const unsigned char nonce[NONCE_SZ] = "0123456789abcdef";
#define NONCE64	"MDEyMzQ1Njc4OWFiY2RlZg"
#define CK	CONFIRM_COOKIE "=" NONCE64

/* Replaces every "%H" in s with h. */
static char *
subst(const char *s, const char *h)
{
	struct buf	 b = { NULL, 0, 0, 0 };
	const char	*p;

	for (p = s; *p != '\0'; p++)
		if (p[0] == '%' && p[1] == 'H') {
			buf_adds(&b, h);
			p++;
		} else
			buf_addc(&b, *p);
	buf_addc(&b, '\0');
	return b.p;
}

static void
run(const struct rq *q, const char *h, struct req *r, struct decision *d,
    time_t now, char **keep)
{
	struct http_in	 in;

	memset(&in, 0, sizeof(in));
	*keep = subst(q->params, h != NULL ? h : "");
	in.method = q->method;
	in.cookie = q->cookie;
	in.sec_fetch_site = q->sfs;
	in.origin = q->origin;
	in.host = "op.example";
	in.https = "on";
	in.nonce = nonce;
	in.script_name = "/oauth/end_session";
	if (q->method != NULL && strcmp(q->method, "POST") == 0) {
		in.content_type = "application/x-www-form-urlencoded";
		in.body = *keep;
		in.body_sz = strlen(*keep);
	} else
		in.query = *keep;
	CU_ASSERT_EQUAL_FATAL(req_parse(r, &in, state()->conf.sid_cookie), 1);
	decide(state(), r, now, &r->ar, d);
}

enum hk {
	H_NONE,		/* "%H" left empty */
	H_SID,		/* valid, sid s-1 */
	H_NOSID,	/* valid, no sid */
	H_BAD,		/* bad signature */
	H_AUD2,		/* valid, aud rp2 */
	H_MULTI,	/* valid, aud [rp1, rp2], no azp */
};

struct row {
	const char	*name;
	struct rq	 q;
	enum hk		 h;
	enum outcome	 out;
	enum reason	 why;
	const char	*client;	/* expected d->client id, NULL: none */
	const char	*redir;		/* expected d->redir uri, NULL: none */
	int		 form_plru;	/* C: form carries the URI */
};

static const struct row rows[] = {
	/* R */
	{ "R: hint + uri", { "GET", "id_token_hint=%H&post_logout_redirect_uri="
	  URI1 "&state=xyz", NULL, NULL, NULL }, H_SID, OUT_REDIRECT, WHY_NONE,
	  "rp1", URI1, 0 },
	{ "R: hint + client_id + uri", { "GET", "id_token_hint=%H&client_id=rp1"
	  "&post_logout_redirect_uri=" URI1E, NULL, NULL, NULL }, H_SID,
	  OUT_REDIRECT, WHY_NONE, "rp1", URI1, 0 },
	{ "R: hint + uri, matching sid cookie", { "GET", "id_token_hint=%H&"
	  "post_logout_redirect_uri=" URI1, "a=b; op_sid=s-1", NULL, NULL }, H_SID,
	  OUT_REDIRECT, WHY_NONE, "rp1", URI1, 0 },
	{ "R: POST", { "POST", "id_token_hint=%H&post_logout_redirect_uri="
	  URI1E, NULL, NULL, NULL }, H_SID, OUT_REDIRECT, WHY_NONE, "rp1", URI1, 0 },
	{ "R: hint without sid, no cookie", { "GET", "id_token_hint=%H&"
	  "post_logout_redirect_uri=" URI1, "other=1", NULL, NULL }, H_NOSID,
	  OUT_REDIRECT, WHY_NONE, "rp1", URI1, 0 },
	{ "R: hint aud rp2", { "GET", "id_token_hint=%H&"
	  "post_logout_redirect_uri=https://rp2.example/", NULL, NULL, NULL },
	  H_AUD2, OUT_REDIRECT, WHY_NONE, "rp2", "https://rp2.example/", 0 },
	{ "R: multi-aud hint + client_id", { "GET", "id_token_hint=%H&"
	  "client_id=rp2&post_logout_redirect_uri=https://rp2.example/", NULL,
	  NULL, NULL }, H_MULTI, OUT_REDIRECT, WHY_NONE, "rp2",
	  "https://rp2.example/", 0 },
	/* S */
	{ "S: hint only", { "GET", "id_token_hint=%H", NULL, NULL, NULL }, H_SID,
	  OUT_SIGNED_OUT, WHY_NONE, "rp1", NULL, 0 },
	{ "S: hint + client_id + state", { "GET", "id_token_hint=%H&"
	  "client_id=rp1&state=s", NULL, NULL, NULL }, H_SID, OUT_SIGNED_OUT,
	  WHY_NONE, "rp1", NULL, 0 },
	{ "S: hint + logout_hint", { "GET", "id_token_hint=%H&"
	  "logout_hint=alice", NULL, NULL, NULL }, H_SID, OUT_SIGNED_OUT, WHY_NONE,
	  "rp1", NULL, 0 },
	{ "S: multi-aud hint, no azp", { "GET", "id_token_hint=%H", NULL,
	  NULL, NULL }, H_MULTI, OUT_SIGNED_OUT, WHY_NONE, NULL, NULL, 0 },
	/* C */
	{ "C: nothing", { "GET", "", NULL, NULL, NULL }, H_NONE, OUT_CONFIRM,
	  WHY_NONE, NULL, NULL, 0 },
	{ "C: client_id + uri, no hint", { "GET", "client_id=rp1&"
	  "post_logout_redirect_uri=" URI1 "&state=q", NULL, NULL, NULL }, H_NONE,
	  OUT_CONFIRM, WHY_NONE, "rp1", URI1, 1 },
	{ "C: logout_hint alone", { "GET", "logout_hint=alice", NULL, NULL, NULL },
	  H_NONE, OUT_CONFIRM, WHY_NONE, NULL, NULL, 0 },
	{ "C: invalid hint", { "GET", "id_token_hint=%H", NULL, NULL, NULL }, H_BAD,
	  OUT_CONFIRM, WHY_NONE, NULL, NULL, 0 },
	{ "C: garbage hint", { "GET", "id_token_hint=garbage", NULL, NULL, NULL },
	  H_NONE, OUT_CONFIRM, WHY_NONE, NULL, NULL, 0 },
	{ "C: invalid hint + client_id + uri", { "GET", "id_token_hint=%H&"
	  "client_id=rp1&post_logout_redirect_uri=" URI1 "&state=q", NULL,
	  NULL, NULL }, H_BAD, OUT_CONFIRM, WHY_NONE, "rp1", NULL, 0 },
	{ "C: valid hint, sid cookie differs", { "GET", "id_token_hint=%H&"
	  "post_logout_redirect_uri=" URI1, "op_sid=s-2", NULL, NULL }, H_SID,
	  OUT_CONFIRM, WHY_NONE, "rp1", URI1, 1 },
	{ "C: valid hint without sid, cookie present", { "GET",
	  "id_token_hint=%H&post_logout_redirect_uri=" URI1, "op_sid=s-1",
	  NULL, NULL }, H_NOSID, OUT_CONFIRM, WHY_NONE, "rp1", URI1, 1 },
	{ "C: sid cookie twice, differing", { "GET", "id_token_hint=%H",
	  "op_sid=s-1; op_sid=s-2", NULL, NULL }, H_SID, OUT_CONFIRM, WHY_NONE,
	  "rp1", NULL, 0 },
	/* E */
	{ "E: malformed", { "GET", "id_token_hint=%H&state=%zz", NULL, NULL, NULL },
	  H_SID, OUT_ERROR, WHY_MALFORMED, NULL, NULL, 0 },
	{ "E: duplicate parameter", { "GET", "id_token_hint=%H&state=1&"
	  "state=2", NULL, NULL, NULL }, H_SID, OUT_ERROR, WHY_MALFORMED, NULL, NULL,
	  0 },
	{ "E: duplicate client_id", { "GET",
	  "client_id=rp1&client_id=rp1", NULL, NULL, NULL }, H_NONE, OUT_ERROR,
	  WHY_MALFORMED, NULL, NULL, 0 },
	{ "E: unknown client_id", { "GET", "id_token_hint=%H&client_id=rp9",
	  NULL, NULL, NULL }, H_SID, OUT_ERROR, WHY_CLIENT_UNKNOWN, NULL, NULL, 0 },
	{ "E: unknown client_id, no hint", { "GET", "client_id=rp9", NULL,
	  NULL, NULL }, H_NONE, OUT_ERROR, WHY_CLIENT_UNKNOWN, NULL, NULL, 0 },
	{ "E: client_id not in aud", { "GET", "id_token_hint=%H&client_id=rp2",
	  NULL, NULL, NULL }, H_SID, OUT_ERROR, WHY_CLIENT_NOT_AUD, NULL, NULL, 0 },
	{ "E: uri not registered (hint)", { "GET", "id_token_hint=%H&"
	  "post_logout_redirect_uri=https://evil.example/", NULL, NULL, NULL },
	  H_SID, OUT_ERROR, WHY_URI_NOT_REGISTERED, NULL, NULL, 0 },
	{ "E: uri of another client", { "GET", "id_token_hint=%H&"
	  "post_logout_redirect_uri=https://rp2.example/", NULL, NULL, NULL },
	  H_SID, OUT_ERROR, WHY_URI_NOT_REGISTERED, NULL, NULL, 0 },
	{ "E: uri not registered (client_id)", { "GET", "client_id=rp1&"
	  "post_logout_redirect_uri=" URI1 "/", NULL, NULL, NULL }, H_NONE,
	  OUT_ERROR, WHY_URI_NOT_REGISTERED, NULL, NULL, 0 },
	{ "E: uri with no client", { "GET", "post_logout_redirect_uri=" URI1,
	  NULL, NULL, NULL }, H_NONE, OUT_ERROR, WHY_URI_NO_CLIENT, NULL, NULL, 0 },
	{ "E: uri, invalid hint, no client_id", { "GET", "id_token_hint=%H&"
	  "post_logout_redirect_uri=" URI1, NULL, NULL, NULL }, H_BAD, OUT_ERROR,
	  WHY_URI_NO_CLIENT, NULL, NULL, 0 },
	{ "E: uri, multi-aud hint without azp", { "GET", "id_token_hint=%H&"
	  "post_logout_redirect_uri=" URI1, NULL, NULL, NULL }, H_MULTI, OUT_ERROR,
	  WHY_URI_NO_CLIENT, NULL, NULL, 0 },
	{ "E: confirm by GET", { "GET", "confirm=AAAA", NULL, NULL, NULL }, H_NONE,
	  OUT_ERROR, WHY_CONFIRM_GET, NULL, NULL, 0 },
	{ "E: hint in a confirmation", { "POST", "id_token_hint=%H&"
	  "confirm=AAAA", NULL, NULL, NULL }, H_SID, OUT_ERROR, WHY_HINT_IN_CONFIRM,
	  NULL, NULL, 0 },
	{ "E: forged token", { "POST", "confirm=AAAA", CK, NULL, NULL }, H_NONE,
	  OUT_ERROR, WHY_TOKEN_BAD, NULL, NULL, 0 },
	{ "E: token without the confirm cookie", { "POST", "confirm=AAAA",
	  NULL, NULL, NULL }, H_NONE, OUT_ERROR, WHY_NO_COOKIE, NULL, NULL, 0 },
	{ "E: token from another origin", { "POST", "confirm=AAAA", CK, NULL,
	  "https://evil.example" }, H_NONE, OUT_ERROR, WHY_FOREIGN_ORIGIN,
	  NULL, NULL, 0 },
	/* Others */
	{ "stay signed in", { "GET", "id_token_hint=%H&op=cancel", NULL,
	  NULL, NULL }, H_SID, OUT_STAYED, WHY_NONE, NULL, NULL, 0 },
	{ "stay signed in, POST with token", { "POST", "op=cancel&"
	  "confirm=AAAA", NULL, NULL, NULL }, H_NONE, OUT_STAYED, WHY_NONE, NULL,
	  NULL, 0 },
	{ "PUT", { "PUT", "id_token_hint=%H", NULL, NULL, NULL }, H_SID, OUT_METHOD,
	  WHY_NONE, NULL, NULL, 0 },
};

static char	*hints[6];

static const char *
hint_of(enum hk k)
{
	char	*t;

	if (hints[H_SID] == NULL) {
		hints[H_SID] = hint(CLAIMS_SID);
		hints[H_NOSID] = hint(CLAIMS_NOSID);
		t = strdup(hints[H_SID]);
		/* One signature character changed. */
		t[strlen(t) - 10] = t[strlen(t) - 10] == 'A' ? 'B' : 'A';
		hints[H_BAD] = t;
		hints[H_AUD2] = hint("{\"iss\":\"" ISS "\",\"sub\":\"bob\","
		    "\"aud\":\"rp2\",\"sid\":\"s-1\",\"iat\":1799996400}");
		hints[H_MULTI] = hint("{\"iss\":\"" ISS "\",\"sub\":\"bob\","
		    "\"aud\":[\"rp1\",\"rp2\"],\"sid\":\"s-1\","
		    "\"iat\":1799996400}");
	}
	return k == H_NONE ? NULL : hints[k];
}

static void
test_rows(void)
{
	struct req	 r;
	struct decision	 d;
	char		*keep;
	size_t		 i;
	int		 ok;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		run(&rows[i].q, hint_of(rows[i].h), &r, &d, NOW, &keep);
		ok = d.out == rows[i].out && d.why == rows[i].why;
		if (!ok)
			fprintf(stderr, "decide \"%s\": out %d why %s\n",
			    rows[i].name, (int)d.out, reason_names[d.why]);
		CU_ASSERT_EQUAL(d.out, rows[i].out);
		CU_ASSERT_EQUAL(d.why, rows[i].why);
		/* Only R and S sign out. */
		CU_ASSERT_EQUAL(d.signout, rows[i].out == OUT_REDIRECT ||
		    rows[i].out == OUT_SIGNED_OUT);
		if (rows[i].out == OUT_REDIRECT || rows[i].out == OUT_SIGNED_OUT)
			CU_ASSERT_EQUAL(d.via, VIA_HINT);
		if (rows[i].out == OUT_ERROR || rows[i].out == OUT_STAYED ||
		    rows[i].out == OUT_METHOD) {
			CU_ASSERT_PTR_NULL(d.redir);
		} else {
			if (rows[i].client == NULL) {
				CU_ASSERT_PTR_NULL(d.client);
			} else if (d.client == NULL) {
				CU_FAIL("no client");
			} else {
				CU_ASSERT_STRING_EQUAL(d.client->id,
				    rows[i].client);
			}
			if (rows[i].redir == NULL) {
				CU_ASSERT_PTR_NULL(d.redir);
			} else if (d.redir == NULL) {
				CU_FAIL("no redir");
			} else {
				CU_ASSERT_STRING_EQUAL(d.redir->uri,
				    rows[i].redir);
			}
		}
		if (rows[i].out == OUT_CONFIRM) {
			CU_ASSERT_EQUAL(strlen(d.token), TOKEN_SZ);
			CU_ASSERT_EQUAL(d.form.plru.p != NULL,
			    rows[i].form_plru);
			if (!rows[i].form_plru) {
				CU_ASSERT_PTR_NULL(d.form.state.p);
			}
		}
		req_free(&r);
		free(keep);
	}
}

/* The hint's verdict and claims land in d. */
static void
test_hint_details(void)
{
	static const struct rq	 q1 = { "GET", "id_token_hint=%H", NULL,
	    NULL, NULL };
	struct req		 r;
	struct decision		 d;
	char			*keep;

	run(&q1, hint_of(H_SID), &r, &d, NOW, &keep);
	CU_ASSERT_EQUAL(d.hint, HINT_VALID);
	CU_ASSERT_EQUAL(d.hint_given, 1);
	CU_ASSERT_STRING_EQUAL(d.sub, "alice");
	CU_ASSERT_STRING_EQUAL(d.sid, "s-1");
	req_free(&r);
	free(keep);
	run(&q1, hint_of(H_BAD), &r, &d, NOW, &keep);
	CU_ASSERT_EQUAL(d.hint, HINT_SIG);
	CU_ASSERT_PTR_NULL(d.sub);
	req_free(&r);
	free(keep);
	/* A hint too old by the clock is no longer valid: C. */
	run(&q1, hint_of(H_SID), &r, &d, NOW + 2592000 + 3601, &keep);
	CU_ASSERT_EQUAL(d.hint, HINT_IAT_OLD);
	CU_ASSERT_EQUAL(d.out, OUT_CONFIRM);
	CU_ASSERT_EQUAL(d.signout, 0);
	req_free(&r);
	free(keep);
}

/* A POST that is not form-encoded is malformed: E. */
static void
test_post_ct(void)
{
	struct http_in	 in;
	struct req	 r;
	struct decision	 d;

	memset(&in, 0, sizeof(in));
	in.method = "POST";
	in.content_type = "text/plain";
	in.body = "client_id=rp1";
	in.body_sz = strlen(in.body);
	CU_ASSERT_EQUAL_FATAL(req_parse(&r, &in, "op_sid"), 1);
	decide(state(), &r, NOW, &r.ar, &d);
	CU_ASSERT_EQUAL(d.out, OUT_ERROR);
	CU_ASSERT_EQUAL(d.why, WHY_MALFORMED);
	CU_ASSERT_EQUAL(d.signout, 0);
	req_free(&r);
	/* Too many parameters: E, too large. */
	memset(&in, 0, sizeof(in));
	in.method = "GET";
	in.query = "a=1&b=1&c=1&d=1&e=1&f=1&g=1&h=1&i=1&j=1&k=1&l=1&m=1&n=1&"
	    "o=1&p=1&q=1&r=1&s=1&t=1&u=1&v=1&w=1&x=1&y=1&z=1&A=1&B=1&C=1&D=1&"
	    "E=1&F=1&G=1";
	CU_ASSERT_EQUAL_FATAL(req_parse(&r, &in, "op_sid"), 1);
	decide(state(), &r, NOW, &r.ar, &d);
	CU_ASSERT_EQUAL(d.out, OUT_ERROR);
	CU_ASSERT_EQUAL(d.why, WHY_TOO_LARGE);
	req_free(&r);
}

/* The body a browser posts from the confirmation form of d. */
static char *
form_body(const struct decision *d)
{
	struct buf	 b = { NULL, 0, 0, 0 };

	char		 e[LIM_VALUE_B64_SZ + 1];

	/* As the page carries them: with a line break, base64url. */
#define F(name, v) do { \
	if ((v).p != NULL && (v).sz > 0) { \
		if (memchr((v).p, '\r', (v).sz) == NULL && \
		    memchr((v).p, '\n', (v).sz) == NULL) { \
			buf_adds(&b, name "="); \
			url_esc(&b, (v).p, (v).sz); \
		} else { \
			b64url_encode((const unsigned char *)(v).p, (v).sz, \
			    e); \
			buf_addf(&b, name "_b64=%s", e); \
		} \
		buf_addc(&b, '&'); \
	} } while (0)
	F("client_id", d->form.client_id);
	F("post_logout_redirect_uri", d->form.plru);
	F("state", d->form.state);
	F("ui_locales", d->form.ui_locales);
#undef F
	buf_addf(&b, "confirm=%s", d->token);
	buf_addc(&b, '\0');
	return b.p;
}

struct confirm_case {
	const char	*name;
	struct rq	 get;		/* the first request */
	enum hk		 h;
	const char	*post_cookie;	/* cookie sent with the POST */
	const char	*post_sfs;
	const char	*post_origin;
	int		 ck;		/* 0: the page's cookie; 1: none; 2: other */
	const char	*extra;		/* appended to the POST body */
	time_t		 later;		/* seconds between GET and POST */
	enum outcome	 out;
	enum reason	 why;
	const char	*redir;
};

static const struct confirm_case ccases[] = {
	{ "no hint, client_id + uri -> R", { "GET", "client_id=rp1&"
	  "post_logout_redirect_uri=" URI1 "&state=a%20b&ui_locales=sv",
	  NULL, NULL, NULL }, H_NONE, NULL, NULL, NULL, 0, "", 5, OUT_REDIRECT, WHY_NONE,
	  URI1 },
	{ "nothing -> S", { "GET", "", NULL, NULL, NULL }, H_NONE, NULL, NULL, NULL, 0, "",
	  5, OUT_SIGNED_OUT, WHY_NONE, NULL },
	{ "client_id only -> S", { "GET", "client_id=rp2", NULL, NULL, NULL },
	  H_NONE, NULL, NULL, NULL, 0, "", 5, OUT_SIGNED_OUT, WHY_NONE, NULL },
	{ "valid hint of another session -> R", { "GET", "id_token_hint=%H&"
	  "post_logout_redirect_uri=" URI1, "op_sid=s-2", NULL, NULL }, H_SID,
	  "op_sid=s-2", "same-origin", NULL, 0, "", 5, OUT_REDIRECT, WHY_NONE, URI1 },
	{ "invalid hint + client_id + uri -> S", { "GET", "id_token_hint=%H&"
	  "client_id=rp1&post_logout_redirect_uri=" URI1, NULL, NULL, NULL }, H_BAD,
	  NULL, NULL, NULL, 0, "", 5, OUT_SIGNED_OUT, WHY_NONE, NULL },
	{ "invalid hint, uri added later -> E", { "GET", "id_token_hint=%H&"
	  "client_id=rp1&post_logout_redirect_uri=" URI1, NULL, NULL, NULL }, H_BAD,
	  NULL, NULL, NULL, 0, "&post_logout_redirect_uri=" URI1E, 5,
	  OUT_ERROR,
	  WHY_TOKEN_BAD, NULL },
	{ "state changed -> E", { "GET", "client_id=rp1&"
	  "post_logout_redirect_uri=" URI1 "&state=a", NULL, NULL, NULL }, H_NONE,
	  NULL, NULL, NULL, 0, "&ui_locales=en", 5, OUT_ERROR, WHY_TOKEN_BAD, NULL },
	{ "unknown field added, ignored -> S", { "GET", "client_id=rp1", NULL,
	  NULL, NULL }, H_NONE, NULL, NULL, NULL, 0, "&sub=mallory", 5, OUT_SIGNED_OUT,
	  WHY_NONE, NULL },
	{ "another browser session -> E", { "GET", "id_token_hint=%H",
	  "op_sid=s-2", NULL, NULL }, H_SID, "op_sid=s-3", NULL, NULL, 0, "", 5, OUT_ERROR,
	  WHY_TOKEN_BAD, NULL },
	{ "cookie dropped -> E", { "GET", "id_token_hint=%H", "op_sid=s-2",
	  NULL, NULL }, H_SID, NULL, NULL, NULL, 0, "", 5, OUT_ERROR, WHY_TOKEN_BAD, NULL },
	{ "cross-site -> E", { "GET", "client_id=rp1", NULL, NULL, NULL }, H_NONE,
	  NULL, "cross-site", NULL, 0, "", 5, OUT_ERROR, WHY_CROSS_SITE, NULL },
	{ "expired -> E", { "GET", "client_id=rp1", NULL, NULL, NULL }, H_NONE,
	  NULL, NULL, NULL, 0, "", TOKEN_TTL + 1, OUT_ERROR, WHY_TOKEN_EXPIRED, NULL },
	{ "cancel wins -> stayed", { "GET", "client_id=rp1", NULL, NULL, NULL },
	  H_NONE, NULL, NULL, NULL, 0, "&op=cancel", 5, OUT_STAYED, WHY_NONE, NULL },
	{ "no confirm cookie, nothing said of the origin -> E", { "GET",
	  "client_id=rp1&post_logout_redirect_uri=" URI1, NULL, NULL, NULL },
	  H_NONE, NULL, NULL, NULL, 1, "", 5, OUT_ERROR, WHY_NO_COOKIE, NULL },
	{ "the confirm cookie of another page -> E", { "GET",
	  "client_id=rp1&post_logout_redirect_uri=" URI1, NULL, NULL, NULL },
	  H_NONE, NULL, NULL, NULL, 2, "", 5, OUT_ERROR, WHY_TOKEN_BAD, NULL },
	{ "Origin null + cookie -> R", { "GET", "client_id=rp1&"
	  "post_logout_redirect_uri=" URI1, NULL, NULL, NULL }, H_NONE, NULL,
	  NULL, "null", 0, "", 5, OUT_REDIRECT, WHY_NONE, URI1 },
	{ "our own Origin + cookie -> R", { "GET", "client_id=rp1&"
	  "post_logout_redirect_uri=" URI1, NULL, NULL, NULL }, H_NONE, NULL,
	  "same-origin", "https://op.example", 0, "", 5, OUT_REDIRECT,
	  WHY_NONE, URI1 },
	{ "another site's Origin + cookie -> E", { "GET", "client_id=rp1&"
	  "post_logout_redirect_uri=" URI1, NULL, NULL, NULL }, H_NONE, NULL,
	  NULL, "https://evil.example", 0, "", 5, OUT_ERROR,
	  WHY_FOREIGN_ORIGIN, NULL },
	{ "another site's Origin, no cookie -> E", { "GET", "client_id=rp1"
	  "&post_logout_redirect_uri=" URI1, NULL, NULL, NULL }, H_NONE, NULL,
	  NULL, "https://evil.example", 1, "", 5, OUT_ERROR,
	  WHY_FOREIGN_ORIGIN, NULL },
	{ "state and state_b64 both -> E", { "GET", "client_id=rp1&"
	  "post_logout_redirect_uri=" URI1 "&state=a%0Ab", NULL, NULL, NULL },
	  H_NONE, NULL, NULL, NULL, 0, "&state=a", 5, OUT_ERROR,
	  WHY_MALFORMED, NULL },
	{ "state_b64 not base64url -> E", { "GET", "client_id=rp1&"
	  "post_logout_redirect_uri=" URI1, NULL, NULL, NULL }, H_NONE, NULL,
	  NULL, NULL, 0, "&state_b64=a%2Bb", 5, OUT_ERROR, WHY_MALFORMED,
	  NULL },
	{ "state_b64 of invalid UTF-8 -> E", { "GET", "client_id=rp1&"
	  "post_logout_redirect_uri=" URI1, NULL, NULL, NULL }, H_NONE, NULL,
	  NULL, NULL, 0, "&state_b64=_w", 5, OUT_ERROR, WHY_MALFORMED, NULL },
	{ "state_b64 added to a form without state -> E", { "GET",
	  "client_id=rp1&post_logout_redirect_uri=" URI1, NULL, NULL, NULL },
	  H_NONE, NULL, NULL, NULL, 0, "&state_b64=YQpi", 5, OUT_ERROR,
	  WHY_TOKEN_BAD, NULL },
};

static void
test_confirm(void)
{
	struct req	 r, r2;
	struct decision	 d, d2;
	struct rq	 post;
	char		*keep, *body, *keep2, *keep3, *keep4;
	const char	*ck;
	size_t		 i;

	for (i = 0; i < sizeof(ccases) / sizeof(ccases[0]); i++) {
		run(&ccases[i].get, hint_of(ccases[i].h), &r, &d, NOW, &keep);
		CU_ASSERT_EQUAL_FATAL(d.out, OUT_CONFIRM);
		CU_ASSERT_EQUAL(d.signout, 0);
		body = form_body(&d);
		post.method = "POST";
		post.sfs = ccases[i].post_sfs;
		post.origin = ccases[i].post_origin;
		ck = ccases[i].ck == 0 ? CK : ccases[i].ck == 2 ?
		    CONFIRM_COOKIE "=MDEyMzQ1Njc4OWFiY2RlZw" : "x=1";
		keep4 = tk_fmt("%s%s%s", ccases[i].post_cookie != NULL ?
		    ccases[i].post_cookie : "", ccases[i].post_cookie != NULL ?
		    "; " : "", ck);
		post.cookie = keep4;
		keep2 = tk_fmt("%s%s", body, ccases[i].extra);
		post.params = keep2;
		run(&post, NULL, &r2, &d2, NOW + ccases[i].later, &keep3);
		if (d2.out != ccases[i].out || d2.why != ccases[i].why)
			fprintf(stderr, "confirm \"%s\": out %d why %s\n",
			    ccases[i].name, (int)d2.out, reason_names[d2.why]);
		CU_ASSERT_EQUAL(d2.out, ccases[i].out);
		CU_ASSERT_EQUAL(d2.why, ccases[i].why);
		CU_ASSERT_EQUAL(d2.signout, ccases[i].out == OUT_REDIRECT ||
		    ccases[i].out == OUT_SIGNED_OUT);
		if (d2.signout)
			CU_ASSERT_EQUAL(d2.via, VIA_CONFIRMATION);
		if (ccases[i].redir == NULL) {
			CU_ASSERT_PTR_NULL(d2.redir);
		} else if (d2.redir == NULL) {
			CU_FAIL("no redirect after confirmation");
		} else {
			CU_ASSERT_STRING_EQUAL(d2.redir->uri, ccases[i].redir);
		}
		req_free(&r2);
		req_free(&r);
		free(keep);
		free(keep2);
		free(keep3);
		free(keep4);
		free(body);
	}
}

/*
 * A state (or ui_locales) holding line breaks comes back exactly after
 * the form's round trip; the same bytes after a browser's CRLF
 * normalisation, posted as plain fields, do not fit the token.
 */
static void
test_confirm_line_breaks(void)
{
	static const char *const states[] = { "a\nb", "a\r\nb", "a\rb", "\n",
	    "\r\n\r", "x\n\ny\r" };
	struct req	 r, r2;
	struct decision	 d, d2;
	struct rq	 get = { "GET", NULL, NULL, NULL, NULL };
	struct rq	 post = { "POST", NULL, CK, "same-origin", "null" };
	struct buf	 q = { NULL, 0, 0, 0 }, crlf = { NULL, 0, 0, 0 };
	char		*keep, *keep2, *body;
	const char	*s;
	size_t		 i;

	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		buf_reset(&q);
		buf_adds(&q, "client_id=rp1&post_logout_redirect_uri=" URI1E
		    "&ui_locales=sv%0Aen&state=");
		url_esc(&q, states[i], strlen(states[i]));
		buf_addc(&q, '\0');
		get.params = q.p;
		run(&get, NULL, &r, &d, NOW, &keep);
		CU_ASSERT_EQUAL_FATAL(d.out, OUT_CONFIRM);
		body = form_body(&d);
		CU_ASSERT_PTR_NOT_NULL(strstr(body, "&state_b64="));
		CU_ASSERT_PTR_NOT_NULL(strstr(body, "&ui_locales_b64="));
		post.params = body;
		run(&post, NULL, &r2, &d2, NOW + 1, &keep2);
		CU_ASSERT_EQUAL(d2.out, OUT_REDIRECT);
		/* Decoded for render; the request itself stays as sent. */
		CU_ASSERT_EQUAL(d2.state.sz, strlen(states[i]));
		CU_ASSERT(d2.state.p != NULL && strcmp(d2.state.p,
		    states[i]) == 0);
		CU_ASSERT(d2.ui_locales.p != NULL &&
		    strcmp(d2.ui_locales.p, "sv\nen") == 0);
		CU_ASSERT_PTR_NULL(r2.p[P_STATE].p);
		req_free(&r2);
		free(keep2);
		free(body);
		/* What a plain field would become: every break as CRLF. */
		buf_reset(&crlf);
		for (s = states[i]; *s != '\0'; s++)
			if (*s == '\n' || (*s == '\r' && s[1] != '\n'))
				buf_adds(&crlf, "\r\n");
			else if (*s != '\r')
				buf_addc(&crlf, *s);
		buf_addc(&crlf, '\0');
		buf_reset(&q);
		buf_adds(&q, "client_id=rp1&post_logout_redirect_uri=" URI1E
		    "&ui_locales=sv%0D%0Aen&state=");
		url_esc(&q, crlf.p, strlen(crlf.p));
		buf_addf(&q, "&confirm=%s", d.token);
		buf_addc(&q, '\0');
		post.params = q.p;
		run(&post, NULL, &r2, &d2, NOW + 1, &keep2);
		CU_ASSERT_EQUAL(d2.out, OUT_ERROR);
		CU_ASSERT_EQUAL(d2.why, WHY_TOKEN_BAD);
		req_free(&r2);
		free(keep2);
		req_free(&r);
		free(keep);
	}
	buf_free(&q);
	buf_free(&crlf);
}

/*
 * After a hint of another session, the confirmation's journal names this
 * browser's session, not the hint's.
 */
static void
test_confirm_journal_fields(void)
{
	static const struct rq	 q = { "GET", "id_token_hint=%H",
	    "op_sid=s-9", NULL, NULL };
	struct req		 r, r2;
	struct decision		 d, d2;
	struct rq		 post = { "POST", NULL, "op_sid=s-9; " CK, NULL,
	    NULL };
	char			*keep, *keep2, *body;

	run(&q, hint_of(H_SID), &r, &d, NOW, &keep);
	CU_ASSERT_EQUAL_FATAL(d.out, OUT_CONFIRM);
	body = form_body(&d);
	/* The hint names another session: the form does not carry it. */
	CU_ASSERT_PTR_NULL(strstr(body, "alice"));
	CU_ASSERT_PTR_NULL(strstr(body, "s-1"));
	post.params = body;
	run(&post, NULL, &r2, &d2, NOW + 1, &keep2);
	CU_ASSERT_EQUAL(d2.out, OUT_SIGNED_OUT);
	CU_ASSERT_EQUAL(d2.via, VIA_CONFIRMATION);
	/* The journal names the session that ended: this browser's. */
	CU_ASSERT_PTR_NULL(d2.sub);
	CU_ASSERT_PTR_NOT_NULL(d2.sid);
	if (d2.sid != NULL)
		CU_ASSERT_STRING_EQUAL(d2.sid, "s-9");
	CU_ASSERT_PTR_NOT_NULL(d2.client);
	req_free(&r);
	req_free(&r2);
	free(keep);
	free(keep2);
	free(body);
}

static void
test_cleanup(void)
{
	size_t	 i;

	for (i = 0; i < sizeof(hints) / sizeof(hints[0]); i++) {
		free(hints[i]);
		hints[i] = NULL;
	}
	if (st_ok)
		tk_world_free(&st);
	st_ok = 0;
}

UNIT_SUITE("decide",
	{ "outcomes table, row by row", test_rows },
	{ "hint verdict and claims", test_hint_details },
	{ "malformed POST, too many params", test_post_ct },
	{ "confirmation round trips", test_confirm },
	{ "line breaks survive the round trip", test_confirm_line_breaks },
	{ "confirmation journals this browser's session", test_confirm_journal_fields },
	{ "cleanup", test_cleanup },
)
