/*
 * req.c - turns the raw CGI variables of one request into a struct req:
 * the method, the decoded parameters, the session cookie, and the few
 * headers the pages use.  Pure: the caller gathered the bytes.
 */
#include <ctype.h>
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
 * separated by "; ").  A cookie sent twice with different values (two
 * paths, or an injected duplicate) is flagged, so the caller can refuse
 * to treat the session as known.
 */
static int
cookie_find(struct req *r, const char *hdr, const char *name)
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
		if (r->browser_sid != NULL) {
			if (r->browser_sidsz != (size_t)(ve - vs) ||
			    memcmp(r->browser_sid, vs, r->browser_sidsz) != 0)
				r->browser_sid_many = 1;
			continue;
		}
		/* A value we cannot read is no proof of the session. */
		if (!utf8_valid(vs, (size_t)(ve - vs))) {
			r->browser_sid_many = 1;
			vs = ve;
		}
		if ((r->browser_sid = arena_strndup(&r->ar, vs,
		    (size_t)(ve - vs))) == NULL)
			return -1;
		r->browser_sidsz = (size_t)(ve - vs);
	}
	return 1;
}

/* A copy of a header that is printable ASCII and within the limit. */
static const char *
header_copy(struct req *r, const char *v, int *bad)
{
	size_t	 i, sz;

	if (v == NULL)
		return NULL;
	if ((sz = strlen(v)) > LIM_HEADER_SZ) {
		*bad = 1;
		return NULL;
	}
	for (i = 0; i < sz; i++)
		if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] > 0x7e) {
			*bad = 1;
			return NULL;
		}
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
	int	 bad = 0, c;

	memset(r, 0, sizeof(*r));
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

	r->accept_language = header_copy(r, in->accept_language, &bad);
	r->remote_addr = header_copy(r, in->remote_addr, &bad);
	if (bad) {
		r->err = REQ_HEADER;
		return 1;
	}
	if (sid_cookie != NULL && in->cookie != NULL) {
		if (strlen(in->cookie) > LIM_HEADER_SZ) {
			r->err = REQ_HEADER;
			return 1;
		}
		if ((c = cookie_find(r, in->cookie, sid_cookie)) < 0)
			return 0;
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
