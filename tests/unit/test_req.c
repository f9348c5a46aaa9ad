/*
 * test_req.c - req.c: methods, POST content types, the session cookie,
 * the form action and Sec-Fetch-Site, table-driven.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "endsession.h"

#if defined(__SANITIZE_ADDRESS__)
#define T_ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define T_ASAN	1
#endif
#endif
#ifdef T_ASAN
#include <sanitizer/asan_interface.h>
#endif

#define FORM_CT	"application/x-www-form-urlencoded"

struct method_case {
	const char	*method;
	const char	*ct;		/* POST Content-Type */
	const char	*body;
	int		 body_bad;
	enum method	 m;
	enum req_err	 err;
	const char	*client_id;	/* expected, NULL: absent */
};

static const struct method_case mcases[] = {
	{ "GET", NULL, NULL, 0, M_GET, REQ_OK, "q" },
	{ "POST", FORM_CT, "client_id=b", 0, M_POST, REQ_OK, "b" },
	{ "POST", FORM_CT "; charset=utf-8", "client_id=b", 0, M_POST, REQ_OK,
	  "b" },
	{ "POST", FORM_CT ";charset=UTF-8", "client_id=b", 0, M_POST, REQ_OK,
	  "b" },
	{ "POST", "Application/X-WWW-Form-Urlencoded", "client_id=b", 0,
	  M_POST, REQ_OK, "b" },
	{ "POST", FORM_CT "; charset=iso-8859-1", "client_id=b", 0, M_POST,
	  REQ_CONTENT_TYPE, NULL },
	{ "POST", FORM_CT "; boundary=x", "client_id=b", 0, M_POST,
	  REQ_CONTENT_TYPE, NULL },
	{ "POST", FORM_CT "x", "client_id=b", 0, M_POST, REQ_CONTENT_TYPE,
	  NULL },
	{ "POST", "text/plain", "client_id=b", 0, M_POST, REQ_CONTENT_TYPE,
	  NULL },
	{ "POST", "multipart/form-data; boundary=x", "client_id=b", 0, M_POST,
	  REQ_CONTENT_TYPE, NULL },
	{ "POST", NULL, "client_id=b", 0, M_POST, REQ_CONTENT_TYPE, NULL },
	{ "POST", FORM_CT, "client_id=b", 1, M_POST, REQ_BODY, NULL },
	{ "POST", FORM_CT, "client_id=b&client_id=c", 0, M_POST, REQ_FORM,
	  NULL },
	{ "POST", FORM_CT, NULL, 0, M_POST, REQ_OK, NULL },
	{ "PUT", FORM_CT, "client_id=b", 0, M_OTHER, REQ_OK, NULL },
	{ "DELETE", NULL, NULL, 0, M_OTHER, REQ_OK, NULL },
	{ "get", NULL, NULL, 0, M_OTHER, REQ_OK, NULL },
	{ NULL, NULL, NULL, 0, M_GET, REQ_OK, "q" },	/* a shell sets none */
};

static void
test_methods(void)
{
	struct http_in	 in;
	struct req	 r;
	size_t		 i;

	for (i = 0; i < sizeof(mcases) / sizeof(mcases[0]); i++) {
		memset(&in, 0, sizeof(in));
		in.method = mcases[i].method;
		in.query = "client_id=q";	/* a POST ignores it */
		in.content_type = mcases[i].ct;
		in.body = mcases[i].body;
		in.body_sz = in.body ? strlen(in.body) : 0;
		in.body_bad = mcases[i].body_bad;
		CU_ASSERT_EQUAL_FATAL(req_parse(&r, &in, NULL), 1);
		if (r.method != mcases[i].m || r.err != mcases[i].err)
			fprintf(stderr, "case %zu: method %d err %d\n", i,
			    (int)r.method, (int)r.err);
		CU_ASSERT_EQUAL(r.method, mcases[i].m);
		CU_ASSERT_EQUAL(r.err, mcases[i].err);
		if (mcases[i].client_id != NULL) {
			CU_ASSERT_PTR_NOT_NULL(r.p[P_CLIENT_ID].p);
			if (r.p[P_CLIENT_ID].p != NULL) {
				CU_ASSERT_STRING_EQUAL(r.p[P_CLIENT_ID].p,
				    mcases[i].client_id);
			}
		} else if (r.err == REQ_OK) {
			CU_ASSERT_PTR_NULL(r.p[P_CLIENT_ID].p);
		}
		req_free(&r);
	}
}

/* A bad form sets REQ_FORM and form_err. */
static void
test_form_errors(void)
{
	struct http_in	 in;
	struct req	 r;

	memset(&in, 0, sizeof(in));
	in.method = "GET";
	in.query = "state=%zz";
	CU_ASSERT_EQUAL(req_parse(&r, &in, NULL), 1);
	CU_ASSERT_EQUAL(r.err, REQ_FORM);
	CU_ASSERT_EQUAL(r.form_err, FORM_BAD_ESCAPE);
	req_free(&r);
	in.query = "state=%C0%AF";
	CU_ASSERT_EQUAL(req_parse(&r, &in, NULL), 1);
	CU_ASSERT_EQUAL(r.err, REQ_FORM);
	CU_ASSERT_EQUAL(r.form_err, FORM_BAD_UTF8);
	req_free(&r);
	req_free(&r);
}

/*
 * An optional header that cannot be read (control bytes, over its limit)
 * is ignored, never a malformed request.
 */
static void
test_headers_ignored(void)
{
	struct http_in	 in;
	struct req	 r;
	char		*big;
	const char	*al[] = { "en\r\nX: y", "sv\x01", "sv\x7f", NULL };
	size_t		 i;

	memset(&in, 0, sizeof(in));
	in.method = "GET";
	in.query = "client_id=x";
	for (i = 0; al[i] != NULL; i++) {
		in.accept_language = al[i];
		CU_ASSERT_EQUAL_FATAL(req_parse(&r, &in, "sid"), 1);
		CU_ASSERT_EQUAL(r.err, REQ_OK);
		CU_ASSERT_PTR_NULL(r.accept_language);
		CU_ASSERT_PTR_NOT_NULL(r.p[P_CLIENT_ID].p);
		req_free(&r);
	}
	in.accept_language = NULL;
	/* A Cookie with a control byte: neither cookie is read. */
	in.cookie = "sid=abc; " CONFIRM_COOKIE "=AAAAAAAAAAAAAAAAAAAAAA; x=\x01";
	CU_ASSERT_EQUAL_FATAL(req_parse(&r, &in, "sid"), 1);
	CU_ASSERT_EQUAL(r.err, REQ_OK);
	CU_ASSERT_PTR_NULL(r.browser_sid);
	CU_ASSERT_PTR_NULL(r.confirm_cookie);
	req_free(&r);
	/* A tab is no control byte there (RFC 9110 section 5.5). */
	in.cookie = "sid=abc;\tx=1";
	CU_ASSERT_EQUAL_FATAL(req_parse(&r, &in, "sid"), 1);
	CU_ASSERT_PTR_NOT_NULL(r.browser_sid);
	req_free(&r);
	/* Over the limit: ignored; at the limit: read. */
	big = calloc(1, LIM_HEADER_SZ + 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	memcpy(big, "sid=abc; a=", 11);
	memset(big + 11, 'x', LIM_HEADER_SZ - 11);
	in.cookie = big;
	in.accept_language = big;
	CU_ASSERT_EQUAL_FATAL(req_parse(&r, &in, "sid"), 1);
	CU_ASSERT_EQUAL(r.err, REQ_OK);
	CU_ASSERT_PTR_NOT_NULL(r.browser_sid);
	req_free(&r);
	big[LIM_HEADER_SZ] = 'x';
	CU_ASSERT_EQUAL_FATAL(req_parse(&r, &in, "sid"), 1);
	CU_ASSERT_EQUAL(r.err, REQ_OK);
	CU_ASSERT_PTR_NULL(r.browser_sid);
	CU_ASSERT_PTR_NULL(r.accept_language);
	req_free(&r);
	free(big);
	/* REMOTE_ADDR that cannot be read: left out. */
	in.cookie = NULL;
	in.accept_language = NULL;
	in.remote_addr = "192.0.2.1\n";
	CU_ASSERT_EQUAL_FATAL(req_parse(&r, &in, "sid"), 1);
	CU_ASSERT_EQUAL(r.err, REQ_OK);
	CU_ASSERT_PTR_NULL(r.remote_addr);
	req_free(&r);
}

struct ck_case {
	const char	*cookie;
	int		 found;
};

#define CK	CONFIRM_COOKIE "="
#define V22	"abcdefghijklmnopqrst-_"

static const struct ck_case ckcases[] = {
	{ NULL, 0 },
	{ CK V22, 1 },
	{ "a=1; " CK V22 "; b=2", 1 },
	{ CK V22 "; " CK V22, 1 },			/* same value twice */
	{ CK V22 "; " CK "abcdefghijklmnopqrst-A", 0 },	/* two values */
	{ CK "abcdefghijklmnopqrst-", 0 },		/* too short */
	{ CK V22 "x", 0 },				/* too long */
	{ CK "abcdefghijklmnopqrst+/", 0 },		/* not base64url */
	{ "__host-endsession-confirm=" V22, 0 },	/* not its name */
};

static void
test_confirm_cookie(void)
{
	struct http_in	 in;
	struct req	 r;
	size_t		 i;

	for (i = 0; i < sizeof(ckcases) / sizeof(ckcases[0]); i++) {
		memset(&in, 0, sizeof(in));
		in.method = "POST";
		in.content_type = FORM_CT;
		in.cookie = ckcases[i].cookie;
		/* Read whether or not sid_cookie is configured. */
		CU_ASSERT_EQUAL_FATAL(req_parse(&r, &in, i & 1 ? "sid" : NULL),
		    1);
		if ((r.confirm_cookie != NULL) != ckcases[i].found)
			fprintf(stderr, "confirm cookie case %zu\n", i);
		CU_ASSERT_EQUAL(r.confirm_cookie != NULL, ckcases[i].found);
		if (r.confirm_cookie != NULL)
			CU_ASSERT_STRING_EQUAL(r.confirm_cookie, V22);
		req_free(&r);
	}
}

/* The fresh nonce comes out base64url, NONCE_B64SZ characters. */
static void
test_nonce(void)
{
	static const unsigned char	 n[NONCE_SZ] = { 0xfb, 0xff, 1, 2, 3,
	    4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 0xff };
	struct http_in			 in;
	struct req			 r;

	memset(&in, 0, sizeof(in));
	in.method = "GET";
	CU_ASSERT_EQUAL_FATAL(req_parse(&r, &in, NULL), 1);
	CU_ASSERT_STRING_EQUAL(r.nonce, "");
	req_free(&r);
	in.nonce = n;
	CU_ASSERT_EQUAL_FATAL(req_parse(&r, &in, NULL), 1);
	CU_ASSERT_STRING_EQUAL(r.nonce, "-_8BAgMEBQYHCAkKCwwN_w");
	req_free(&r);
}

struct origin_case {
	const char	*origin, *host, *https, *scheme, *name, *port;
	int		 foreign;
};

static const struct origin_case ocases[] = {
	/* Nothing to compare: the cookie decides. */
	{ NULL, "op.example", "on", NULL, NULL, NULL, 0 },
	{ "null", "op.example", "on", NULL, NULL, NULL, 0 },
	{ "https://evil.example", NULL, NULL, NULL, NULL, NULL, 0 },
	/* Same origin, spelled as browsers and servers do. */
	{ "https://op.example", "op.example", "on", NULL, NULL, NULL, 0 },
	{ "https://op.example", "op.example:443", "on", NULL, NULL, NULL, 0 },
	{ "https://op.example:443", "OP.example", "ON", NULL, NULL, NULL, 0 },
	{ "https://op.example", "op.example", NULL, "https", NULL, NULL, 0 },
	{ "http://127.0.0.1:8080", "127.0.0.1:8080", NULL, "http", NULL,
	  NULL, 0 },
	{ "http://127.0.0.1:8080", "127.0.0.1:8080", NULL, NULL, NULL, NULL,
	  0 },
	{ "https://op.example", NULL, "on", NULL, "op.example", "443", 0 },
	{ "http://[::1]:8080", "[::1]:8080", NULL, "http", NULL, NULL, 0 },
	/* Another site, port or scheme. */
	{ "https://evil.example", "op.example", "on", NULL, NULL, NULL, 1 },
	{ "https://op.example.evil", "op.example", "on", NULL, NULL, NULL, 1 },
	{ "https://op.example:8443", "op.example", "on", NULL, NULL, NULL, 1 },
	{ "http://op.example", "op.example", "on", NULL, NULL, NULL, 1 },
	{ "https://op.example", "op.example", "off", "http", NULL, NULL, 1 },
	{ "http://127.0.0.1:9", "127.0.0.1:8080", NULL, "http", NULL, NULL,
	  1 },
	{ "http://127.0.0.2:8080", "127.0.0.1:8080", NULL, "http", NULL,
	  NULL, 1 },
	{ "https://evil.example", NULL, "on", NULL, "op.example", "443", 1 },
	/* Not an origin a browser sends: not ours. */
	{ "https://op.example/", "op.example", "on", NULL, NULL, NULL, 1 },
	{ "op.example", "op.example", "on", NULL, NULL, NULL, 1 },
	{ "https://op.example\x01", "op.example", "on", NULL, NULL, NULL, 1 },
	{ "https://op.example:99999", "op.example", "on", NULL, NULL, NULL, 1 },
	{ "https://", "op.example", "on", NULL, NULL, NULL, 1 },
	/* Our own origin unreadable: cannot tell. */
	{ "https://evil.example", "op.example\x01", "on", NULL, NULL, NULL,
	  0 },
	{ "https://evil.example", "op example", "on", NULL, NULL, NULL, 0 },
};

static void
test_origin(void)
{
	struct http_in	 in;
	struct req	 r;
	size_t		 i;

	for (i = 0; i < sizeof(ocases) / sizeof(ocases[0]); i++) {
		memset(&in, 0, sizeof(in));
		in.method = "POST";
		in.content_type = FORM_CT;
		in.origin = ocases[i].origin;
		in.host = ocases[i].host;
		in.https = ocases[i].https;
		in.scheme = ocases[i].scheme;
		in.server_name = ocases[i].name;
		in.server_port = ocases[i].port;
		CU_ASSERT_EQUAL_FATAL(req_parse(&r, &in, NULL), 1);
		if (r.foreign_origin != ocases[i].foreign)
			fprintf(stderr, "origin case %zu: %s\n", i,
			    ocases[i].origin);
		CU_ASSERT_EQUAL(r.foreign_origin, ocases[i].foreign);
		CU_ASSERT_EQUAL(r.err, REQ_OK);
		req_free(&r);
	}
}

static void
test_ok_headers(void)
{
	struct http_in	 in;
	struct req	 r;

	memset(&in, 0, sizeof(in));
	in.method = "GET";
	in.query = "";
	in.accept_language = "sv";
	in.remote_addr = "192.0.2.1";
	CU_ASSERT_EQUAL(req_parse(&r, &in, NULL), 1);
	CU_ASSERT_EQUAL(r.err, REQ_OK);
	CU_ASSERT_STRING_EQUAL(r.accept_language, "sv");
	CU_ASSERT_STRING_EQUAL(r.remote_addr, "192.0.2.1");
	req_free(&r);
}

struct cookie_case {
	const char	*cookie;
	const char	*sid;		/* expected browser_sid, NULL: none */
	int		 many;
};

static const struct cookie_case ccases[] = {
	{ NULL, NULL, 0 },
	{ "", NULL, 0 },
	{ "other=1", NULL, 0 },
	{ "sid=abc", "abc", 0 },
	{ "a=1; sid=abc; b=2", "abc", 0 },
	{ "a=1;sid=abc;b=2", "abc", 0 },
	{ "xsid=1; sidx=2; sid=abc", "abc", 0 },
	{ "SID=nope; sid=abc", "abc", 0 },
	{ "sid=\"abc\"", "abc", 0 },
	{ "sid=abc; sid=abc", "abc", 0 },		/* same value twice */
	{ "sid=abc; sid=xyz", "abc", 1 },
	{ "sid=abc; a=1; sid=\"abd\"", "abc", 1 },
	{ "sid=a=b", "a=b", 0 },
	{ "noequals; sid=v", "v", 0 },
};

static void
test_cookies(void)
{
	struct http_in	 in;
	struct req	 r;
	size_t		 i;

	for (i = 0; i < sizeof(ccases) / sizeof(ccases[0]); i++) {
		memset(&in, 0, sizeof(in));
		in.method = "GET";
		in.cookie = ccases[i].cookie;
		CU_ASSERT_EQUAL_FATAL(req_parse(&r, &in, "sid"), 1);
		CU_ASSERT_EQUAL(r.err, REQ_OK);
		if (ccases[i].sid == NULL) {
			CU_ASSERT_PTR_NULL(r.browser_sid);
		} else {
			CU_ASSERT_PTR_NOT_NULL(r.browser_sid);
			if (r.browser_sid != NULL) {
				CU_ASSERT_STRING_EQUAL(r.browser_sid,
				    ccases[i].sid);
				CU_ASSERT_EQUAL(r.browser_sidsz,
				    strlen(ccases[i].sid));
			}
		}
		if (r.browser_sid_many != ccases[i].many)
			fprintf(stderr, "cookie case %zu: many %d\n", i,
			    r.browser_sid_many);
		CU_ASSERT_EQUAL(r.browser_sid_many, ccases[i].many);
		req_free(&r);
	}
	/* Without sid_cookie configured, the cookie is not read. */
	memset(&in, 0, sizeof(in));
	in.method = "GET";
	in.cookie = "sid=abc";
	CU_ASSERT_EQUAL(req_parse(&r, &in, NULL), 1);
	CU_ASSERT_PTR_NULL(r.browser_sid);
	req_free(&r);
}

struct action_case {
	const char	*script_name;
	const char	*action;
};

static const struct action_case acases[] = {
	{ "/oauth/end_session", "/oauth/end_session" },
	{ "/end-session.cgi", "/end-session.cgi" },
	{ "//evil.com/x", "?" },
	{ "/a b", "?" },
	{ "/a\"b", "?" },
	{ "/a<b", "?" },
	{ "/\\evil.com", "?" },
	{ "relative", "?" },
	{ "", "?" },
	{ NULL, "?" },
	{ "/x?y", "?" },
};

static void
test_action(void)
{
	struct http_in	 in;
	struct req	 r;
	size_t		 i;

	for (i = 0; i < sizeof(acases) / sizeof(acases[0]); i++) {
		memset(&in, 0, sizeof(in));
		in.method = "GET";
		in.script_name = acases[i].script_name;
		CU_ASSERT_EQUAL_FATAL(req_parse(&r, &in, NULL), 1);
		CU_ASSERT_STRING_EQUAL(r.action, acases[i].action);
		req_free(&r);
	}
}

struct site_case {
	const char	*sfs;
	int		 cross;
};

static const struct site_case scases[] = {
	{ NULL, 0 },
	{ "same-origin", 0 },
	{ "none", 0 },
	{ "cross-site", 1 },
	{ "same-site", 1 },
};

static void
test_sec_fetch_site(void)
{
	struct http_in	 in;
	struct req	 r;
	size_t		 i;

	for (i = 0; i < sizeof(scases) / sizeof(scases[0]); i++) {
		memset(&in, 0, sizeof(in));
		in.method = "POST";
		in.content_type = FORM_CT;
		in.sec_fetch_site = scases[i].sfs;
		CU_ASSERT_EQUAL_FATAL(req_parse(&r, &in, NULL), 1);
		CU_ASSERT_EQUAL(r.cross_site, scases[i].cross);
		req_free(&r);
	}
}

/*
 * A FastCGI process parses request after request into one struct req:
 * each request sees only its own values, the arena keeps one chunk
 * (the same memory, no malloc), and under AddressSanitizer what the
 * previous request held is poisoned.
 */
static void
test_reuse(void)
{
	static const char *const q[] = {
		"client_id=a&state=one&ui_locales=sv",
		"post_logout_redirect_uri=https%3A%2F%2Frp.example%2Fx",
		"state=%zz",
		"client_id=b",
	};
	struct http_in	 in;
	struct req	 r;
	struct arena_chunk *first = NULL;
	const char	*was = NULL;
	size_t		 i, sz = 0;

	memset(&r, 0, sizeof(r));
	for (i = 0; i < 2 * sizeof(q) / sizeof(q[0]); i++) {
		memset(&in, 0, sizeof(in));
		in.method = "GET";
		in.query = q[i % 4];
		in.remote_addr = "192.0.2.1";
		CU_ASSERT_EQUAL_FATAL(req_parse_next(&r, &in, NULL), 1);
		switch (i % 4) {
		case 0:
			CU_ASSERT_STRING_EQUAL(r.p[P_CLIENT_ID].p, "a");
			CU_ASSERT_STRING_EQUAL(r.p[P_STATE].p, "one");
			CU_ASSERT_EQUAL(r.err, REQ_OK);
			break;
		case 1:
			CU_ASSERT_PTR_NULL(r.p[P_CLIENT_ID].p);
			CU_ASSERT_PTR_NULL(r.p[P_STATE].p);
			CU_ASSERT_STRING_EQUAL(r.p[P_LOGOUT_URI].p,
			    "https://rp.example/x");
			break;
		case 2:
			CU_ASSERT_EQUAL(r.err, REQ_FORM);
			CU_ASSERT_PTR_NULL(r.p[P_LOGOUT_URI].p);
			break;
		case 3:
			CU_ASSERT_EQUAL(r.err, REQ_OK);
			CU_ASSERT_EQUAL(r.form_err, FORM_OK);
			CU_ASSERT_STRING_EQUAL(r.p[P_CLIENT_ID].p, "b");
			break;
		}
		CU_ASSERT_STRING_EQUAL(r.remote_addr, "192.0.2.1");
		if (first == NULL) {
			first = r.ar.head;
			sz = arena_size(&r.ar);
		}
		/* The same chunk every time: nothing allocated. */
		CU_ASSERT_PTR_EQUAL(r.ar.head, first);
		CU_ASSERT_EQUAL(arena_size(&r.ar), sz);
		was = r.remote_addr;
		req_reset(&r);
		CU_ASSERT_PTR_NULL(r.p[P_CLIENT_ID].p);
		CU_ASSERT_PTR_NULL(r.remote_addr);
#ifdef T_ASAN
		CU_ASSERT(__asan_address_is_poisoned(was));
#else
		(void)was;
#endif
	}
	/* A request that needed more than a chunk gives the rest back. */
	memset(&in, 0, sizeof(in));
	in.method = "GET";
	in.query = q[0];
	CU_ASSERT_EQUAL_FATAL(req_parse_next(&r, &in, NULL), 1);
	CU_ASSERT_PTR_NOT_NULL(arena_alloc(&r.ar, 40000));
	CU_ASSERT(arena_size(&r.ar) > sz);
	req_reset(&r);
	CU_ASSERT_PTR_EQUAL(r.ar.head, first);
	CU_ASSERT_EQUAL(arena_size(&r.ar), sz);
	req_free(&r);
	CU_ASSERT_PTR_NULL(r.ar.head);
}

UNIT_SUITE("req",
	{ "methods and content types", test_methods },
	{ "form errors", test_form_errors },
	{ "headers that cannot be read are ignored", test_headers_ignored },
	{ "headers read", test_ok_headers },
	{ "confirm cookie", test_confirm_cookie },
	{ "fresh nonce", test_nonce },
	{ "Origin against our own origin", test_origin },
	{ "sid cookie", test_cookies },
	{ "form action", test_action },
	{ "Sec-Fetch-Site", test_sec_fetch_site },
	{ "one struct req for request after request", test_reuse },
)
