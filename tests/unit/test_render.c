/*
 * test_render.c - render.c: the Location of R (state added and encoded),
 * 302/303, the Set-Cookie lines of a sign-out, the security headers of
 * every HTML page, headers free of CR/LF, and the journal line.  Uses
 * the shipped templates (run from the repository's top folder).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "unit.h"
#include "endsession.h"
#include "keys.h"

#define NOW	TK_NOW
#define ISS	"https://op.example"
#define URI1	"https://rp1.example/cb"
#define URI2	"https://rp1.example/cb?x=1"

static const char clients_json[] =
    "{\"clients\":["
    "{\"client_id\":\"rp1\",\"client_name\":\"RP <One> & \\\"Co\\\"\","
    "\"post_logout_redirect_uris\":[\"" URI1 "\",\"" URI2 "\","
    "\"https://rp1.example/cb?\"]}"
    "]}";

#define CLAIMS	"{\"iss\":\"" ISS "\",\"sub\":\"alice\",\"aud\":\"rp1\"," \
		"\"sid\":\"s-1\",\"iat\":1799996400}"

/* The fresh random bytes of every request here, and their base64url. */
static const unsigned char nonce[NONCE_SZ] = "0123456789abcdef";
#define NONCE64	"MDEyMzQ1Njc4OWFiY2RlZg"
#define CONFIRM_SET_COOKIE "Set-Cookie: " CONFIRM_COOKIE "=" NONCE64 \
			"; Max-Age=600; Path=/; Secure; HttpOnly; SameSite=Strict"

static struct world	 st_plain;	/* no cookie_domain */
static struct world	 st_dom;	/* cookie_domain, cookie_path /auth */
static char		*hint_tok;
static int		 ready;

static void
setup(void)
{
	if (ready)
		return;
	if (!tk_world(&st_plain, clients_json, "op_sid", "SESSION __Host-op",
	    NULL, "templates") ||
	    !tk_world(&st_dom, clients_json, "op_sid", "SESSION __Host-op",
	    ".op.example", "templates"))
		abort();
	free(st_dom.conf.cookie_path);
	st_dom.conf.cookie_path = strdup("/auth");
	hint_tok = tk_jws(TK_RSA, ALG_RS256,
	    "{\"alg\":\"RS256\",\"kid\":\"rsa1\"}", CLAIMS);
	ready = 1;
}

/*
 * Decides and renders one request; params may hold "%H" for the hint.
 * Returns render's result; out holds the response.
 */
static int
respond(const struct world *st, const char *method, const char *params,
    struct req *r, struct decision *d, struct buf *out)
{
	struct buf	 p = { NULL, 0, 0, 0 };
	struct http_in	 in;
	const char	*s;

	for (s = params; *s != '\0'; s++)
		if (s[0] == '%' && s[1] == 'H') {
			buf_adds(&p, hint_tok);
			s++;
		} else
			buf_addc(&p, *s);
	buf_addc(&p, '\0');
	memset(&in, 0, sizeof(in));
	in.method = method;
	in.script_name = "/oauth/end_session";
	in.remote_addr = "192.0.2.7";
	in.nonce = nonce;
	if (strcmp(method, "POST") == 0) {
		in.content_type = "application/x-www-form-urlencoded";
		in.body = p.p;
		in.body_sz = p.sz - 1;
	} else
		in.query = p.p;
	memset(out, 0, sizeof(*out));
	CU_ASSERT_EQUAL_FATAL(req_parse(r, &in, st->conf.sid_cookie), 1);
	decide(st, r, NOW, &r->ar, d);
	buf_free(&p);	/* r holds its own copies */
	return render(st, r, d, out);
}

/* The header block, NUL-terminated, malloc'd; body at *body. */
static char *
head_of(const struct buf *b, const char **body)
{
	const char	*e;
	char		*h;

	for (e = b->p; e + 4 <= b->p + b->sz; e++)
		if (memcmp(e, "\r\n\r\n", 4) == 0)
			break;
	if (b->p == NULL || e + 4 > b->p + b->sz)
		return NULL;
	h = strndup(b->p, (size_t)(e - b->p) + 2);
	if (body != NULL)
		*body = e + 4;
	return h;
}

/* Whether the header block holds exactly this line. */
static int
has_line(const char *head, const char *line)
{
	const char	*p = head;
	size_t		 sz = strlen(line);

	for (;;) {
		if (strncmp(p, line, sz) == 0 && p[sz] == '\r' &&
		    p[sz + 1] == '\n')
			return 1;
		if ((p = strstr(p, "\r\n")) == NULL)
			return 0;
		p += 2;
		if (*p == '\0')
			return 0;
	}
}

/* The value of the first header name, malloc'd, or NULL. */
static char *
header_val(const char *head, const char *name)
{
	const char	*p = head, *e;
	size_t		 sz = strlen(name);

	while (p != NULL && *p != '\0') {
		if (strncasecmp(p, name, sz) == 0 && p[sz] == ':' &&
		    p[sz + 1] == ' ') {
			e = strstr(p, "\r\n");
			return strndup(p + sz + 2, (size_t)(e - p - sz - 2));
		}
		if ((p = strstr(p, "\r\n")) != NULL)
			p += 2;
	}
	return NULL;
}

static size_t
count_lines(const char *head, const char *prefix)
{
	const char	*p = head;
	size_t		 n = 0;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, prefix, strlen(prefix)) == 0)
			n++;
		if ((p = strstr(p, "\r\n")) != NULL)
			p += 2;
	}
	return n;
}

/*
 * Whether the answer in b says its body's length: exactly one
 * Content-Length, equal to the bytes after the blank line (nginx sends
 * a page without it chunked, at a cost).
 */
static int
length_ok(const struct buf *b)
{
	const char	*body = NULL;
	char		*head, want[48];
	int		 ok;

	if ((head = head_of(b, &body)) == NULL)
		return 0;
	snprintf(want, sizeof(want), "Content-Length: %zu",
	    (size_t)(b->p + b->sz - body));
	ok = count_lines(head, "Content-Length:") == 1 && has_line(head, want);
	if (!ok)
		fprintf(stderr, "want %s in:\n%s\n", want, head);
	free(head);
	return ok;
}

/* Every header line ends in CRLF and holds no other CR or LF. */
static int
clean_headers(const char *head)
{
	const char	*p;

	for (p = head; *p != '\0'; p++) {
		if (*p == '\r' && p[1] != '\n')
			return 0;
		if (*p == '\n' && (p == head || p[-1] != '\r'))
			return 0;
	}
	return 1;
}

static int
hexv(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Percent-decodes s (no '+' rule: a URI query as browsers read it). */
static char *
pct_decode(const char *s)
{
	char	*o = malloc(strlen(s) + 1), *q = o;

	for (; *s != '\0'; s++)
		if (*s == '%' && hexv(s[1]) >= 0 && hexv(s[2]) >= 0) {
			*q++ = (char)(hexv(s[1]) << 4 | hexv(s[2]));
			s += 2;
		} else
			*q++ = *s;
	*q = '\0';
	return o;
}

struct loc_case {
	const char	*method;
	const char	*params;
	const char	*status;
	const char	*location;
};

static const struct loc_case lcases[] = {
	{ "GET", "id_token_hint=%H&post_logout_redirect_uri=" URI1,
	  "Status: 302 Found", URI1 },
	{ "GET", "id_token_hint=%H&post_logout_redirect_uri=" URI1 "&state=abc",
	  "Status: 302 Found", URI1 "?state=abc" },
	{ "GET", "id_token_hint=%H&post_logout_redirect_uri="
	  "https%3A%2F%2Frp1.example%2Fcb%3Fx%3D1&state=abc",
	  "Status: 302 Found", URI2 "&state=abc" },
	{ "GET", "id_token_hint=%H&post_logout_redirect_uri="
	  "https%3A%2F%2Frp1.example%2Fcb%3F&state=abc",
	  "Status: 302 Found", "https://rp1.example/cb?state=abc" },
	{ "GET", "id_token_hint=%H&post_logout_redirect_uri=" URI1
	  "&state=a+b%26c%3Dd%2F", "Status: 302 Found",
	  URI1 "?state=a%20b%26c%3Dd%2F" },
	{ "GET", "id_token_hint=%H&post_logout_redirect_uri=" URI1
	  "&state=%0D%0ASet-Cookie:%20x=y", "Status: 302 Found",
	  URI1 "?state=%0D%0ASet-Cookie%3A%20x%3Dy" },
	{ "POST", "id_token_hint=%H&post_logout_redirect_uri=" URI1
	  "&state=%C3%A9", "Status: 303 See Other", URI1 "?state=%C3%A9" },
};

static void
test_location(void)
{
	struct req	 r;
	struct decision	 d;
	struct buf	 out;
	char		*head, *loc;
	size_t		 i;

	setup();
	for (i = 0; i < sizeof(lcases) / sizeof(lcases[0]); i++) {
		CU_ASSERT_EQUAL(respond(&st_plain, lcases[i].method,
		    lcases[i].params, &r, &d, &out), 1);
		CU_ASSERT_EQUAL(d.out, OUT_REDIRECT);
		head = head_of(&out, NULL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(head);
		CU_ASSERT_EQUAL(strncmp(head, lcases[i].status,
		    strlen(lcases[i].status)), 0);
		loc = header_val(head, "Location");
		CU_ASSERT_PTR_NOT_NULL(loc);
		if (loc != NULL && strcmp(loc, lcases[i].location) != 0)
			fprintf(stderr, "location %zu: %s\n", i, loc);
		if (loc != NULL)
			CU_ASSERT_STRING_EQUAL(loc, lcases[i].location);
		CU_ASSERT_EQUAL(count_lines(head, "Location:"), 1);
		CU_ASSERT(length_ok(&out));
		CU_ASSERT(clean_headers(head));
		CU_ASSERT(has_line(head, "Cache-Control: no-store"));
		CU_ASSERT_FALSE(has_line(head, "Set-Cookie: x=y"));
		free(loc);
		free(head);
		buf_free(&out);
		req_free(&r);
	}
}

/* 90 characters of punctuation come back byte for byte. */
static void
test_state_roundtrip(void)
{
	static const char	 punct[] = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
	struct buf		 q = { NULL, 0, 0, 0 };
	struct req		 r;
	struct decision		 d;
	struct buf		 out;
	char			 state[91], *head, *loc, *dec;
	size_t			 i;

	setup();
	for (i = 0; i < 90; i++)
		state[i] = punct[i % (sizeof(punct) - 1)];
	state[90] = '\0';
	buf_adds(&q, "id_token_hint=%H&post_logout_redirect_uri=" URI1
	    "&state=");
	url_esc(&q, state, 90);
	buf_addc(&q, '\0');
	CU_ASSERT_EQUAL(respond(&st_plain, "GET", q.p, &r, &d, &out), 1);
	CU_ASSERT_EQUAL_FATAL(d.out, OUT_REDIRECT);
	head = head_of(&out, NULL);
	loc = header_val(head, "Location");
	CU_ASSERT_PTR_NOT_NULL_FATAL(loc);
	CU_ASSERT_EQUAL_FATAL(strncmp(loc, URI1 "?state=", strlen(URI1) + 7),
	    0);
	/* Nothing in the value a URI parser could split on. */
	CU_ASSERT_PTR_NULL(strpbrk(loc + strlen(URI1) + 7, "&#?+ =\"'<>"));
	dec = pct_decode(loc + strlen(URI1) + 7);
	CU_ASSERT_STRING_EQUAL(dec, state);
	free(dec);
	free(loc);
	free(head);
	buf_free(&out);
	buf_free(&q);
	req_free(&r);
}

static void
test_cookies(void)
{
	struct req	 r;
	struct decision	 d;
	struct buf	 out;
	char		*head;

	setup();
	/* Without cookie_domain. */
	CU_ASSERT_EQUAL(respond(&st_plain, "GET", "id_token_hint=%H&"
	    "post_logout_redirect_uri=" URI1, &r, &d, &out), 1);
	head = head_of(&out, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(head);
	CU_ASSERT(has_line(head, "Set-Cookie: SESSION=; Max-Age=0; "
	    "Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; Secure; HttpOnly; "
	    "SameSite=Lax"));
	CU_ASSERT(has_line(head, "Set-Cookie: __Host-op=; Max-Age=0; "
	    "Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; Secure; HttpOnly; "
	    "SameSite=Lax"));
	CU_ASSERT_EQUAL(count_lines(head, "Set-Cookie:"), 2);
	CU_ASSERT_PTR_NULL(strstr(head, "Domain="));
	free(head);
	buf_free(&out);
	req_free(&r);
	/* With cookie_domain and cookie_path; S this time. */
	CU_ASSERT_EQUAL(respond(&st_dom, "GET", "id_token_hint=%H", &r, &d,
	    &out), 1);
	CU_ASSERT_EQUAL(d.out, OUT_SIGNED_OUT);
	head = head_of(&out, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(head);
	CU_ASSERT(has_line(head, "Set-Cookie: SESSION=; Max-Age=0; "
	    "Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/auth; "
	    "Domain=.op.example; Secure; HttpOnly; SameSite=Lax"));
	CU_ASSERT(has_line(head, "Set-Cookie: __Host-op=; Max-Age=0; "
	    "Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; Secure; HttpOnly; "
	    "SameSite=Lax"));
	CU_ASSERT_EQUAL(count_lines(head, "Set-Cookie:"), 2);
	free(head);
	buf_free(&out);
	req_free(&r);
}

/*
 * A header value is checked where it is built: a line break in what
 * configuration gives (conf.c refuses it; render does not rely on that)
 * fails the response instead of adding a header, for the first cookie
 * and for a later one, with or without a Location before it.
 */
static void
test_header_break(void)
{
	static const char *const bad[] = {
		"/a\r\nX-Evil: 1", "/a\nX-Evil: 1", "/a\rX-Evil: 1"
	};
	struct req	 r;
	struct decision	 d;
	struct buf	 out;
	char		*keep;
	size_t		 i;
	int		 plru;

	setup();
	keep = st_dom.conf.cookie_path;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		for (plru = 0; plru < 2; plru++) {
			st_dom.conf.cookie_path = (char *)bad[i];
			CU_ASSERT_EQUAL(respond(&st_dom, "GET", !plru ?
			    "id_token_hint=%H" : "id_token_hint=%H&"
			    "post_logout_redirect_uri=" URI1, &r, &d, &out), 0);
			CU_ASSERT_PTR_NULL(strstr(out.p != NULL ? out.p : "",
			    "X-Evil"));
			buf_free(&out);
			req_free(&r);
		}
	st_dom.conf.cookie_path = keep;
	/* And the same world renders again once mended. */
	CU_ASSERT_EQUAL(respond(&st_dom, "GET", "id_token_hint=%H", &r, &d,
	    &out), 1);
	buf_free(&out);
	req_free(&r);
}

struct page_case {
	const char	*method;
	const char	*params;
	enum outcome	 out;
	const char	*status;
	int		 cookies;	/* Set-Cookie lines expected */
};

static const struct page_case pcases[] = {
	{ "GET", "id_token_hint=%H", OUT_SIGNED_OUT, "Status: 200 OK", 2 },
	{ "GET", "client_id=rp1&post_logout_redirect_uri=" URI1,
	  OUT_CONFIRM, "Status: 200 OK", 1 },
	{ "GET", "", OUT_CONFIRM, "Status: 200 OK", 1 },
	{ "GET", "client_id=nope", OUT_ERROR, "Status: 400 Bad Request", 0 },
	{ "GET", "state=%zz", OUT_ERROR, "Status: 400 Bad Request", 0 },
	{ "GET", "post_logout_redirect_uri=" URI1, OUT_ERROR,
	  "Status: 400 Bad Request", 0 },
	{ "POST", "confirm=AAAA", OUT_ERROR, "Status: 400 Bad Request", 0 },
	{ "GET", "op=cancel&ui_locales=sv", OUT_STAYED, "Status: 200 OK", 0 },
};

static void
test_pages(void)
{
	struct req	 r;
	struct decision	 d;
	struct buf	 out;
	const char	*body = "";
	char		*head, *csp;
	size_t		 i;

	setup();
	for (i = 0; i < sizeof(pcases) / sizeof(pcases[0]); i++) {
		CU_ASSERT_EQUAL(respond(&st_plain, pcases[i].method,
		    pcases[i].params, &r, &d, &out), 1);
		CU_ASSERT_EQUAL(d.out, pcases[i].out);
		head = head_of(&out, &body);
		CU_ASSERT_PTR_NOT_NULL_FATAL(head);
		CU_ASSERT_EQUAL(strncmp(head, pcases[i].status,
		    strlen(pcases[i].status)), 0);
		CU_ASSERT(has_line(head, "Cache-Control: no-store"));
		CU_ASSERT(has_line(head,
		    "Content-Type: text/html; charset=utf-8"));
		CU_ASSERT(has_line(head, "X-Frame-Options: DENY"));
		CU_ASSERT(has_line(head, "Referrer-Policy: no-referrer"));
		CU_ASSERT(has_line(head, "X-Content-Type-Options: nosniff"));
		csp = header_val(head, "Content-Security-Policy");
		CU_ASSERT_PTR_NOT_NULL(csp);
		if (csp != NULL)
			CU_ASSERT_PTR_NOT_NULL(strstr(csp,
			    "frame-ancestors 'none'"));
		CU_ASSERT_EQUAL(count_lines(head, "Set-Cookie:"),
		    (size_t)pcases[i].cookies);
		CU_ASSERT_EQUAL(count_lines(head, "Location:"), 0);
		CU_ASSERT(clean_headers(head));
		CU_ASSERT(length_ok(&out));
		CU_ASSERT_PTR_NOT_NULL(strstr(body, "<html lang=\""));
		if (d.out == OUT_CONFIRM) {
			CU_ASSERT_PTR_NOT_NULL(strstr(body,
			    "<form id=\"logout-confirm\" method=\"post\""));
			CU_ASSERT_PTR_NOT_NULL(strstr(body,
			    "action=\"/oauth/end_session\""));
			CU_ASSERT_PTR_NOT_NULL(strstr(body, d.token));
			/* The confirm cookie, and nothing expired. */
			CU_ASSERT(has_line(head, CONFIRM_SET_COOKIE));
		}
		/* The client's name is escaped wherever it shows. */
		CU_ASSERT_PTR_NULL(strstr(body, "<One>"));
		free(csp);
		free(head);
		buf_free(&out);
		req_free(&r);
	}
}

/* The confirmation page lets its form reach the registered URI. */
static void
test_confirm_page(void)
{
	struct req	 r;
	struct decision	 d;
	struct buf	 out;
	const char	*body = "";
	char		*head, *csp;

	setup();
	CU_ASSERT_EQUAL(respond(&st_plain, "GET", "client_id=rp1&"
	    "post_logout_redirect_uri=" URI1 "&state=%22%3E%3Cx", &r, &d,
	    &out), 1);
	CU_ASSERT_EQUAL_FATAL(d.out, OUT_CONFIRM);
	head = head_of(&out, &body);
	CU_ASSERT_PTR_NOT_NULL_FATAL(head);
	csp = header_val(head, "Content-Security-Policy");
	CU_ASSERT_PTR_NOT_NULL_FATAL(csp);
	CU_ASSERT_PTR_NOT_NULL(strstr(csp, "form-action 'self' "
	    "https://rp1.example"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "name=\"state\" value=\"&quot;"
	    "&gt;&lt;x\""));
	CU_ASSERT_PTR_NULL(strstr(body, "\"><x"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "RP &lt;One&gt; &amp; "));
	CU_ASSERT(has_line(head, CONFIRM_SET_COOKIE));
	CU_ASSERT_EQUAL(count_lines(head, "Set-Cookie:"), 1);
	free(csp);
	free(head);
	buf_free(&out);
	req_free(&r);
}

struct b64_case {
	const char	*params;
	const char	*want;		/* in the page */
	const char	*not;		/* not in the page */
};

/*
 * A field holding CR or LF goes base64url-encoded under NAME_b64; others
 * go as they are.
 */
static const struct b64_case bcases[] = {
	{ "client_id=rp1&post_logout_redirect_uri=" URI1 "&state=a%0Ab",
	  "name=\"state_b64\" value=\"YQpi\"", "name=\"state\"" },
	{ "client_id=rp1&post_logout_redirect_uri=" URI1 "&state=a%0D%0Ab",
	  "name=\"state_b64\" value=\"YQ0KYg\"", "name=\"state\"" },
	{ "client_id=rp1&post_logout_redirect_uri=" URI1 "&state=a%0Db",
	  "name=\"state_b64\" value=\"YQ1i\"", "name=\"state\"" },
	{ "client_id=rp1&post_logout_redirect_uri=" URI1 "&state=a%09b",
	  "name=\"state\" value=\"a\tb\"", "state_b64" },
	{ "ui_locales=sv%0Aen", "name=\"ui_locales_b64\" value=\"c3YKZW4\"",
	  "name=\"ui_locales\"" },
};

static void
test_confirm_b64(void)
{
	struct req	 r;
	struct decision	 d;
	struct buf	 out;
	const char	*body = "";
	char		*head;
	size_t		 i;

	setup();
	for (i = 0; i < sizeof(bcases) / sizeof(bcases[0]); i++) {
		CU_ASSERT_EQUAL(respond(&st_plain, "GET", bcases[i].params, &r,
		    &d, &out), 1);
		CU_ASSERT_EQUAL(d.out, OUT_CONFIRM);
		head = head_of(&out, &body);
		CU_ASSERT_PTR_NOT_NULL_FATAL(head);
		if (strstr(body, bcases[i].want) == NULL ||
		    strstr(body, bcases[i].not) != NULL)
			fprintf(stderr, "b64 case %zu\n", i);
		CU_ASSERT_PTR_NOT_NULL(strstr(body, bcases[i].want));
		CU_ASSERT_PTR_NULL(strstr(body, bcases[i].not));
		free(head);
		buf_free(&out);
		req_free(&r);
	}
}

/*
 * Every reason has a name for the log and a non-empty message in every
 * locale, and each error page renders.
 */
static void
test_reasons(void)
{
	struct req	 r;
	struct decision	 d;
	struct buf	 out = { NULL, 0, 0, 0 };
	const char	*body = "";
	char		*head;
	size_t		 why, loc;

	setup();
	for (why = 0; why < WHY__MAX; why++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(reason_names[why]);
		CU_ASSERT(reason_names[why][0] != '\0');
		for (loc = 0; loc < LOC__MAX; loc++) {
			if (render_message(loc, why)[0] == '\0')
				fprintf(stderr, "no message for %s in %s\n",
				    reason_names[why], locale_names[loc]);
			CU_ASSERT(render_message(loc, why)[0] != '\0');
			memset(&r, 0, sizeof(r));
			r.action = "/e";
			r.p[P_UI_LOCALES].p = locale_names[loc];
			r.p[P_UI_LOCALES].sz = strlen(locale_names[loc]);
			memset(&d, 0, sizeof(d));
			d.ui_locales = r.p[P_UI_LOCALES];
			d.out = OUT_ERROR;
			d.why = why;
			buf_reset(&out);
			CU_ASSERT_EQUAL(render(&st_plain, &r, &d, &out), 1);
			head = head_of(&out, &body);
			CU_ASSERT_PTR_NOT_NULL_FATAL(head);
			/* A sign-out the journal could not record: 503. */
			CU_ASSERT_EQUAL(strncmp(head, why == WHY_UNRECORDED ?
			    "Status: 503 " : "Status: 400 ", 12), 0);
			CU_ASSERT((strstr(head, "Set-Cookie") == NULL));
			CU_ASSERT(length_ok(&out));
			free(head);
		}
	}
	/* Out of range: an empty message, not a crash. */
	CU_ASSERT_STRING_EQUAL(render_message(LOC__MAX, WHY_NONE), "");
	CU_ASSERT_STRING_EQUAL(render_message(LOC_EN, WHY__MAX), "");
	buf_free(&out);
}

static void
test_method(void)
{
	struct req	 r;
	struct decision	 d;
	struct buf	 out;
	char		*head;

	setup();
	CU_ASSERT_EQUAL(respond(&st_plain, "DELETE", "", &r, &d, &out), 1);
	head = head_of(&out, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(head);
	CU_ASSERT_EQUAL(strncmp(head, "Status: 405 ", 12), 0);
	CU_ASSERT(has_line(head, "Allow: GET, POST"));
	CU_ASSERT(has_line(head, "Cache-Control: no-store"));
	CU_ASSERT(length_ok(&out));
	free(head);
	buf_free(&out);
	req_free(&r);
	memset(&out, 0, sizeof(out));
	render_500(&out);
	head = head_of(&out, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(head);
	CU_ASSERT_EQUAL(strncmp(head, "Status: 500 ", 12), 0);
	CU_ASSERT(has_line(head, "Cache-Control: no-store"));
	CU_ASSERT(length_ok(&out));
	free(head);
	buf_free(&out);
}

static void
test_journal(void)
{
	struct arena		 ar = { NULL };
	struct req		 r;
	struct decision		 d;
	struct buf		 out = { NULL, 0, 0, 0 };
	const struct json	*j, *m;
	char			 msg[128];
	size_t			 off;
	static const char	 nasty[] = "a\"b\\c\n\x01\x1f</script>\xe2\x80\xa8"
	    "\xe2\x80\xa9\xc2\x85\x7f\xc3\xa9\xf0\x9f\x98\x80";
	size_t			 k;

	setup();
	memset(&r, 0, sizeof(r));
	r.remote_addr = "192.0.2.7";
	memset(&d, 0, sizeof(d));
	d.out = OUT_SIGNED_OUT;
	d.signout = 1;
	d.via = VIA_HINT;
	d.client = clients_find(st_plain.reg, "rp1", 3);
	d.sub = nasty;
	d.sid = NULL;
	CU_ASSERT_EQUAL_FATAL(journal_line(&r, &d, NOW, &out), 1);
	CU_ASSERT_EQUAL_FATAL(out.p[out.sz - 1], '\n');
	CU_ASSERT_PTR_NULL(memchr(out.p, '\n', out.sz - 1));
	/* Pure printable ASCII: no reader can split or colour the line. */
	for (k = 0; k + 1 < out.sz; k++)
		CU_ASSERT((unsigned char)out.p[k] >= 0x20 &&
		    (unsigned char)out.p[k] < 0x7f);
	CU_ASSERT_PTR_NOT_NULL(strstr(out.p, "\\u2028\\u2029\\u0085"
	    "\\u007F\\u00E9\\uD83D\\uDE00\""));
	j = json_parse(&ar, out.p, out.sz - 1, &off, msg, sizeof(msg));
	if (j == NULL)
		fprintf(stderr, "journal: %s: %.*s\n", msg, (int)out.sz, out.p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(j->type, JSON_OBJECT);
	m = json_get(j, "time");
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_STRING_EQUAL(m->s, "2027-01-15T08:00:00Z");
	m = json_get(j, "event");
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_STRING_EQUAL(m->s, "logout");
	m = json_get(j, "client_id");
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_STRING_EQUAL(m->s, "rp1");
	m = json_get(j, "sub");
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(m->sz, sizeof(nasty) - 1);
	CU_ASSERT_EQUAL(memcmp(m->s, nasty, sizeof(nasty) - 1), 0);
	CU_ASSERT_PTR_NULL(json_get(j, "sid"));		/* no value: left out */
	m = json_get(j, "via");
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_STRING_EQUAL(m->s, "id_token_hint");
	m = json_get(j, "remote_addr");
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_STRING_EQUAL(m->s, "192.0.2.7");
	CU_ASSERT_EQUAL(j->sz, 6);

	/* Via confirmation, no client, no address. */
	buf_reset(&out);
	arena_reset(&ar);
	d.via = VIA_CONFIRMATION;
	d.client = NULL;
	d.sub = NULL;
	d.sid = "s-1";
	r.remote_addr = NULL;
	CU_ASSERT_EQUAL_FATAL(journal_line(&r, &d, NOW, &out), 1);
	j = json_parse(&ar, out.p, out.sz - 1, &off, msg, sizeof(msg));
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(j->sz, 4);
	CU_ASSERT_PTR_NULL(json_get(j, "client_id"));
	CU_ASSERT_PTR_NULL(json_get(j, "remote_addr"));
	m = json_get(j, "via");
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_STRING_EQUAL(m->s, "confirmation");
	CU_ASSERT_PTR_NULL(json_get(j, "session"));	/* no cookie sent */

	/* The browser's sid_cookie is its OP session, whatever the sid. */
	buf_reset(&out);
	arena_reset(&ar);
	r.browser_sid = "op-7";
	r.browser_sidsz = 4;
	CU_ASSERT_EQUAL_FATAL(journal_line(&r, &d, NOW, &out), 1);
	j = json_parse(&ar, out.p, out.sz - 1, &off, msg, sizeof(msg));
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	m = json_get(j, "session");
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_STRING_EQUAL(m->s, "op-7");
	/* Sent twice with differing values: not one session to name. */
	buf_reset(&out);
	arena_reset(&ar);
	r.browser_sid_many = 1;
	CU_ASSERT_EQUAL_FATAL(journal_line(&r, &d, NOW, &out), 1);
	j = json_parse(&ar, out.p, out.sz - 1, &off, msg, sizeof(msg));
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_PTR_NULL(json_get(j, "session"));
	/* The time's text is kept for its second only, back or forth. */
	{
		static const time_t	 at[] = { 0, 1, 1, 0, 86400 };
		static const char *const want[] = {
		    "2027-01-15T08:00:00Z", "2027-01-15T08:00:01Z",
		    "2027-01-15T08:00:01Z", "2027-01-15T08:00:00Z",
		    "2027-01-16T08:00:00Z" };
		char	 head[48];

		for (k = 0; k < sizeof(at) / sizeof(at[0]); k++) {
			buf_reset(&out);
			CU_ASSERT_EQUAL_FATAL(journal_line(&r, &d,
			    NOW + at[k], &out), 1);
			snprintf(head, sizeof(head), "{\"time\":\"%s\",",
			    want[k]);
			CU_ASSERT_EQUAL(strncmp(out.p, head, strlen(head)), 0);
		}
	}
	buf_free(&out);
	arena_free(&ar);
}

static void
test_cleanup(void)
{
	if (!ready)
		return;
	tk_world_free(&st_plain);
	tk_world_free(&st_dom);
	free(hint_tok);
	hint_tok = NULL;
	ready = 0;
}

UNIT_SUITE("render",
	{ "Location and status of R", test_location },
	{ "90 punctuation characters of state", test_state_roundtrip },
	{ "Set-Cookie lines", test_cookies },
	{ "a line break in a header value", test_header_break },
	{ "HTML pages: security headers", test_pages },
	{ "confirmation page", test_confirm_page },
	{ "line breaks in fields: NAME_b64", test_confirm_b64 },
	{ "every reason has a name and messages", test_reasons },
	{ "405 and 500", test_method },
	{ "journal line", test_journal },
	{ "cleanup", test_cleanup },
)
