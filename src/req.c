/*
 * req.c - turns the raw CGI variables of one request into a struct req:
 * the method, the decoded parameters, the session cookie, and the few
 * headers the pages use.  Pure: the caller gathered the bytes.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "endsession.h"

/*
 * Whether the Content-Type is application/x-www-form-urlencoded, with
 * at most a charset parameter that says UTF-8.
 */
static int
form_type(const char *ct)
{
	static const char	 t[] = "application/x-www-form-urlencoded";
	const char		*p;

	if (ct == NULL || strncasecmp(ct, t, sizeof(t) - 1) != 0)
		return 0;
	p = ct + sizeof(t) - 1;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0')
		return 1;
	if (*p++ != ';')
		return 0;
	while (*p == ' ' || *p == '\t')
		p++;
	if (strncasecmp(p, "charset=", 8) != 0)
		return 0;
	p += 8;
	if (strcasecmp(p, "utf-8") == 0 || strcasecmp(p, "\"utf-8\"") == 0)
		return 1;
	return 0;
}

/*
 * Finds cookie name in a Cookie header (RFC 6265 section 5.4: pairs
 * separated by "; ").  Its value goes in *v and *vsz (arena copy, NUL
 * terminated).  A cookie sent twice with different values (two paths,
 * or an injected duplicate) sets *many, so the caller can refuse to
 * trust it; so does a value that is not valid UTF-8.  Returns 0 when
 * out of memory.
 */
static int
cookie_find(struct req *r, const char *hdr, const char *name,
    const char **v, size_t *vsz, int *many)
{
	const char	*p, *semi, *eq, *vs, *ve;
	size_t		 namesz = strlen(name);

	for (p = hdr; *p != '\0'; p = semi + (*semi != '\0')) {
		while (*p == ' ' || *p == '\t')
			p++;
		if ((semi = strchr(p, ';')) == NULL)
			semi = p + strlen(p);
		if ((eq = memchr(p, '=', (size_t)(semi - p))) == NULL)
			continue;
		if ((size_t)(eq - p) != namesz || memcmp(p, name, namesz) != 0)
			continue;
		vs = eq + 1;
		ve = semi;
		while (ve > vs && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		/* A quoted cookie-value (RFC 6265 section 4.1.1). */
		if (ve - vs >= 2 && *vs == '"' && ve[-1] == '"') {
			vs++;
			ve--;
		}
		if (*v != NULL) {
			if (*vsz != (size_t)(ve - vs) ||
			    memcmp(*v, vs, *vsz) != 0)
				*many = 1;
			continue;
		}
		/* A value we cannot read is no proof of the session. */
		if (!utf8_valid(vs, (size_t)(ve - vs))) {
			*many = 1;
			vs = ve;
		}
		if ((*v = arena_strndup(&r->ar, vs, (size_t)(ve - vs))) == NULL)
			return 0;
		*vsz = (size_t)(ve - vs);
	}
	return 1;
}

/*
 * Whether an optional header can be read: within LIM_HEADER_SZ and free
 * of control bytes (HTAB allowed, RFC 9110 section 5.5).  One that
 * cannot is ignored, not refused: nobody should be kept from signing
 * out by a header the endpoint can do without.
 */
static int
header_ok(const char *v)
{
	size_t	 i;

	for (i = 0; v[i] != '\0'; i++)
		if (i >= LIM_HEADER_SZ || ((unsigned char)v[i] < 0x20 &&
		    v[i] != '\t') || (unsigned char)v[i] == 0x7f)
			return 0;
	return 1;
}

/* The default port of an http or https scheme, else 0. */
static long
default_port(const char *scheme, size_t sz)
{
	if (sz == 4 && strncasecmp(scheme, "http", 4) == 0)
		return 80;
	if (sz == 5 && strncasecmp(scheme, "https", 5) == 0)
		return 443;
	return 0;
}

/*
 * Splits an authority "host[:port]" or "[v6]:port" (RFC 3986 section
 * 3.2) of sz bytes: the host is [*h, *h + *hsz), the port *port, or dflt
 * when none is given.  Returns 0 when it is not one.
 */
static int
authority(const char *a, size_t sz, long dflt, const char **h, size_t *hsz,
    long *port)
{
	const char	*e = a + sz, *c;
	size_t		 i;

	if (sz == 0)
		return 0;
	if (a[0] == '[') {
		if ((c = memchr(a, ']', sz)) == NULL)
			return 0;
		c++;
	} else
		for (c = a; c < e && *c != ':'; c++)
			continue;
	*h = a;
	*hsz = (size_t)(c - a);
	for (i = 0; i < *hsz; i++)
		if (!isalnum((unsigned char)a[i]) &&
		    strchr("-._~[]:", a[i]) == NULL)
			return 0;
	if (*hsz == 0)
		return 0;
	if (c == e) {
		*port = dflt;
		return dflt != 0;
	}
	if (*c++ != ':' || c == e || e - c > 5)
		return 0;
	for (*port = 0; c < e; c++) {
		if (*c < '0' || *c > '9')
			return 0;
		*port = *port * 10 + (*c - '0');
	}
	return *port > 0 && *port < 65536;
}

/*
 * Whether the Origin header (RFC 6454 section 7) names an origin other
 * than the endpoint's own: scheme from HTTPS (or REQUEST_SCHEME), host
 * and port from Host (else SERVER_NAME and SERVER_PORT).  "null", which
 * browsers send from a page with "Referrer-Policy: no-referrer" such as
 * ours, names none: the confirm cookie decides then.  When the
 * endpoint's own origin cannot be told, neither can a foreign one.
 */
static int
foreign_origin(const struct http_in *in)
{
	const char	*o = in->origin, *scheme, *sep, *h, *oh;
	size_t		 hsz, ohsz;
	long		 port, oport;
	int		 secure;

	if (o == NULL || strcmp(o, "null") == 0)
		return 0;
	/* One a browser would not send: not ours. */
	if (!header_ok(o) || (sep = strstr(o, "://")) == NULL ||
	    !authority(sep + 3, strlen(sep + 3),
	    default_port(o, (size_t)(sep - o)), &oh, &ohsz, &oport))
		return 1;
	if (in->https != NULL && *in->https != '\0')
		secure = strcasecmp(in->https, "on") == 0 ||
		    strcmp(in->https, "1") == 0;
	else
		secure = in->scheme != NULL &&
		    strcasecmp(in->scheme, "https") == 0;
	scheme = secure ? "https" : "http";
	if (in->host != NULL && header_ok(in->host)) {
		if (!authority(in->host, strlen(in->host), secure ? 443 : 80,
		    &h, &hsz, &port))
			return 0;
	} else if (in->server_name != NULL && header_ok(in->server_name)) {
		h = in->server_name;
		hsz = strlen(h);
		port = secure ? 443 : 80;
		if (in->server_port != NULL && (port = strtol(in->server_port,
		    NULL, 10)) <= 0)
			return 0;
	} else
		return 0;
	return (size_t)(sep - o) != strlen(scheme) ||
	    strncasecmp(o, scheme, strlen(scheme)) != 0 ||
	    ohsz != hsz || strncasecmp(oh, h, hsz) != 0 || oport != port;
}

/* A copy of a header that is printable ASCII and within the limit. */
static const char *
header_copy(struct req *r, const char *v)
{
	size_t	 i, sz;

	if (v == NULL || (sz = strlen(v)) > LIM_HEADER_SZ)
		return NULL;
	for (i = 0; i < sz; i++)
		if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] > 0x7e)
			return NULL;
	return arena_strndup(&r->ar, v, sz);
}

/*
 * The path to post the form to: SCRIPT_NAME when it is a plain absolute
 * path ("//host" or a backslash would leave the origin), else "?" (this
 * very path, without a query).
 */
static const char *
action_of(const char *sn)
{
	const char	*p;

	if (sn == NULL || sn[0] != '/' || sn[1] == '/' ||
	    strlen(sn) > 512)
		return "?";
	for (p = sn; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && strchr("/-._~", *p) == NULL)
			return "?";
	return sn;
}

int
req_parse(struct req *r, const struct http_in *in, const char *sid_cookie)
{
	memset(r, 0, sizeof(*r));
	return req_parse_next(r, in, sid_cookie);
}

/* Zeroes r but for its arena. */
static void
req_zero(struct req *r)
{
	struct arena	 ar = r->ar;

	memset(r, 0, sizeof(*r));
	r->ar = ar;
}

void
req_reset(struct req *r)
{
	arena_reset(&r->ar);
	req_zero(r);
}

int
req_parse_next(struct req *r, const struct http_in *in,
    const char *sid_cookie)
{
	const char	*cv = NULL;
	size_t		 cvsz = 0;
	int		 many = 0;

	req_zero(r);
	r->action = "?";
	/*
	 * A shell that only sets QUERY_STRING (design.md 1) sends no
	 * REQUEST_METHOD: that is a GET.  A web server always sends one.
	 */
	if (in->method == NULL || strcmp(in->method, "GET") == 0)
		r->method = M_GET;
	else if (in->method != NULL && strcmp(in->method, "POST") == 0)
		r->method = M_POST;
	else {
		r->method = M_OTHER;
		return 1;
	}

	r->action = action_of(in->script_name);
	if (in->sec_fetch_site != NULL &&
	    (strcmp(in->sec_fetch_site, "cross-site") == 0 ||
	     strcmp(in->sec_fetch_site, "same-site") == 0))
		r->cross_site = 1;

	r->foreign_origin = foreign_origin(in);
	if (in->nonce != NULL)
		b64url_encode(in->nonce, NONCE_SZ, r->nonce);

	/*
	 * An optional header that cannot be read is ignored: the page is
	 * then in the default language, and a Cookie header that cannot
	 * be read carries no session and no confirm cookie.
	 */
	r->accept_language = header_copy(r, in->accept_language);
	r->remote_addr = header_copy(r, in->remote_addr);
	if (in->cookie != NULL && header_ok(in->cookie)) {
		if (sid_cookie != NULL && !cookie_find(r, in->cookie,
		    sid_cookie, &r->browser_sid, &r->browser_sidsz,
		    &r->browser_sid_many))
			return 0;
		if (!cookie_find(r, in->cookie, CONFIRM_COOKIE, &cv, &cvsz,
		    &many))
			return 0;
		/* Ours is NONCE_B64SZ base64url characters, sent once. */
		if (cv != NULL && !many && cvsz == NONCE_B64SZ &&
		    strspn(cv, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
		    "vwxyz0123456789-_") == NONCE_B64SZ)
			r->confirm_cookie = cv;
	}

	if (r->method == M_GET) {
		r->form_err = form_parse(&r->ar, in->query,
		    in->query == NULL ? 0 : strlen(in->query), LIM_QUERY_SZ,
		    r->p);
	} else {
		/* A POST's parameters come from its body alone. */
		if (!form_type(in->content_type)) {
			r->err = REQ_CONTENT_TYPE;
			return 1;
		}
		if (in->body_bad) {
			r->err = REQ_BODY;
			return 1;
		}
		r->form_err = form_parse(&r->ar, in->body, in->body_sz,
		    LIM_BODY_SZ, r->p);
	}
	if (r->form_err == FORM_NOMEM)
		return 0;
	if (r->form_err != FORM_OK)
		r->err = REQ_FORM;
	return 1;
}

void
req_free(struct req *r)
{
	arena_free(&r->ar);
	memset(r, 0, sizeof(*r));
}
