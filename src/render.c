/*
 * render.c - a decision becomes a CGI response: Status, headers, body
 * (docs/design.md section 7), and a sign-out becomes a journal line (section
 * 8).  All output is built in one buffer, so the caller sends it with one
 * write.  Every header goes through put_header(), which refuses CR, LF, NUL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "endsession.h"

/* The error page's message, in plain words, per locale. */
static const char *const messages[LOC__MAX][WHY__MAX] = {
	[LOC_EN] = {
		[WHY_NONE] = "Something went wrong.",
		[WHY_MALFORMED] = "The sign-out request was malformed, so we "
		    "could not act on it.",
		[WHY_TOO_LARGE] = "The sign-out request was too large.",
		[WHY_CLIENT_UNKNOWN] = "The site that sent you here is not "
		    "known to us.",
		[WHY_CLIENT_NOT_AUD] = "The site that sent you here does not "
		    "match the sign-in it refers to.",
		[WHY_URI_NOT_REGISTERED] = "The address to return to after "
		    "signing out is not registered for the site that sent you "
		    "here.",
		[WHY_URI_NO_CLIENT] = "The request asked to return to an "
		    "address, but did not say which site it came from.",
		[WHY_TOKEN_BAD] = "The sign-out form was not valid. Please "
		    "start again.",
		[WHY_TOKEN_EXPIRED] = "The sign-out form has expired. Please "
		    "start again.",
		[WHY_CROSS_SITE] = "The sign-out form was sent from another "
		    "site. Please start again.",
		[WHY_HINT_IN_CONFIRM] = "The sign-out form was not valid. "
		    "Please start again.",
		[WHY_CONFIRM_GET] = "The sign-out form was not valid. Please "
		    "start again.",
		[WHY_FOREIGN_ORIGIN] = "The sign-out form was sent from "
		    "another site. Please start again.",
		[WHY_NO_COOKIE] = "Your browser did not send back the cookie "
		    "that goes with the sign-out form. Please allow cookies "
		    "for this site and start again.",
		[WHY_UNRECORDED] = "The sign-out could not be recorded, so "
		    "nobody was signed out. Please try again in a moment.",
	},
	[LOC_SV] = {
		[WHY_NONE] = "Något gick fel.",
		[WHY_MALFORMED] = "Begäran om utloggning var felaktig, så vi "
		    "kunde inte utföra den.",
		[WHY_TOO_LARGE] = "Begäran om utloggning var för stor.",
		[WHY_CLIENT_UNKNOWN] = "Webbplatsen som skickade dig hit är "
		    "okänd för oss.",
		[WHY_CLIENT_NOT_AUD] = "Webbplatsen som skickade dig hit "
		    "stämmer inte med inloggningen den hänvisar till.",
		[WHY_URI_NOT_REGISTERED] = "Adressen att återvända till efter "
		    "utloggningen är inte registrerad för webbplatsen som "
		    "skickade dig hit.",
		[WHY_URI_NO_CLIENT] = "Begäran bad om att få återvända till en "
		    "adress men angav inte vilken webbplats den kom från.",
		[WHY_TOKEN_BAD] = "Utloggningsformuläret var ogiltigt. Börja "
		    "om från början.",
		[WHY_TOKEN_EXPIRED] = "Utloggningsformuläret har gått ut. "
		    "Börja om från början.",
		[WHY_CROSS_SITE] = "Utloggningsformuläret skickades från en "
		    "annan webbplats. Börja om från början.",
		[WHY_HINT_IN_CONFIRM] = "Utloggningsformuläret var ogiltigt. "
		    "Börja om från början.",
		[WHY_CONFIRM_GET] = "Utloggningsformuläret var ogiltigt. "
		    "Börja om från början.",
		[WHY_FOREIGN_ORIGIN] = "Utloggningsformuläret skickades från "
		    "en annan webbplats. Börja om från början.",
		[WHY_NO_COOKIE] = "Din webbläsare skickade inte tillbaka "
		    "kakan som hör till utloggningsformuläret. Tillåt kakor "
		    "för den här webbplatsen och börja om från början.",
		[WHY_UNRECORDED] = "Utloggningen kunde inte registreras, så "
		    "ingen loggades ut. Försök igen om en liten stund.",
	},
};

const char *
render_message(enum locale loc, enum reason why)
{
	if ((unsigned)loc >= LOC__MAX || (unsigned)why >= WHY__MAX ||
	    messages[loc][why] == NULL)
		return "";
	return messages[loc][why];
}

/* "Name: value\r\n", or 0 if the value holds CR, LF or NUL. */
static int
put_header(struct buf *b, const char *name, const char *v, size_t sz)
{
	size_t	 i;

	for (i = 0; i < sz; i++)
		if (v[i] == '\r' || v[i] == '\n' || v[i] == '\0')
			return 0;
	buf_adds(b, name);
	buf_add(b, ": ", 2);
	buf_add(b, v, sz);
	buf_add(b, "\r\n", 2);
	return 1;
}

static int
headers(struct buf *b, const char *name, const char *v)
{
	return put_header(b, name, v, strlen(v));
}

/*
 * A header whose value is built in place (no buffer of its own): begin
 * writes "Name: " and says where the value starts; end checks the value
 * as put_header does, then ends the line, or takes the header back.
 */
static size_t
header_begin(struct buf *b, const char *name)
{
	buf_adds(b, name);
	buf_add(b, ": ", 2);
	return b->sz;
}

static int
header_end(struct buf *b, size_t vstart, size_t start)
{
	size_t	 i;

	if (b->oom)
		return 0;
	for (i = vstart; i < b->sz; i++)
		if (b->p[i] == '\r' || b->p[i] == '\n' || b->p[i] == '\0') {
			b->sz = start;
			b->p[start] = '\0';
			return 0;
		}
	buf_add(b, "\r\n", 2);
	return !b->oom;
}

/* Expires each configured session cookie (RFC 6265 section 4.1.2). */
static int
expiring_cookies(const struct conf *c, struct buf *b)
{
	size_t	 i, start, v;
	int	 host, ok = 1;

	for (i = 0; ok && i < c->session_cookiesz; i++) {
		start = b->sz;
		v = header_begin(b, "Set-Cookie");
		/* __Host- cookies: Path=/ and no Domain (RFC 6265bis 4.1.3.2). */
		host = strncmp(c->session_cookies[i], "__Host-", 7) == 0;
		buf_adds(b, c->session_cookies[i]);
		buf_adds(b, "=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 "
		    "GMT; Path=");
		buf_adds(b, host ? "/" : c->cookie_path);
		if (!host && c->cookie_domain != NULL) {
			buf_adds(b, "; Domain=");
			buf_adds(b, c->cookie_domain);
		}
		buf_adds(b, "; Secure; HttpOnly; SameSite=Lax");
		ok = header_end(b, v, start);
	}
	return ok;
}

/*
 * The Location of outcome R: the URI exactly as registered, plus
 * state percent-encoded so that decoding gives back the bytes sent.
 */
static int
location(const struct val *state, const struct redir *rd, struct buf *b)
{
	size_t	 start = b->sz, v;
	char	 last;

	v = header_begin(b, "Location");
	buf_add(b, rd->uri, rd->sz);
	if (state->p != NULL) {
		last = rd->uri[rd->sz - 1];
		if (memchr(rd->uri, '?', rd->sz) == NULL)
			buf_addc(b, '?');
		else if (last != '?' && last != '&')
			buf_addc(b, '&');
		buf_adds(b, "state=");
		url_esc(b, state->p, state->sz);
	}
	return header_end(b, v, start);
}

/*
 * A hidden input.  A value holding CR or LF goes base64url-encoded under
 * NAME_b64: a browser turns every line break of a submitted value into
 * CRLF (HTML, "constructing the entry list"), and the HTML parser a lone
 * CR into LF, so the value would not come back as the token bound it.
 */
static void
hidden(struct buf *b, const char *name, const struct val *v)
{
	char	*e;

	if (v->p == NULL || v->sz == 0)
		return;
	buf_adds(b, "<input type=\"hidden\" name=\"");
	buf_adds(b, name);
	if (memchr(v->p, '\r', v->sz) == NULL &&
	    memchr(v->p, '\n', v->sz) == NULL) {
		buf_adds(b, "\" value=\"");
		html_esc(b, v->p, v->sz);
	} else if ((e = malloc(b64url_encsz(v->sz) + 1)) == NULL)
		b->oom = 1;
	else {
		b64url_encode((const unsigned char *)v->p, v->sz, e);
		buf_adds(b, "_b64\" value=\"");
		buf_adds(b, e);
		free(e);
	}
	buf_adds(b, "\">");
}

/*
 * The confirm cookie (RFC 6265bis section 4.1.3.2, the __Host- prefix):
 * only this host sets or gets it, never over a cross-site request, gone
 * with the token's lifetime.
 */
static int
confirm_cookie(const struct decision *d, struct buf *b)
{
	char	 v[sizeof(CONFIRM_COOKIE) + NONCE_B64SZ + 80];
	int	 n;

	n = snprintf(v, sizeof(v), "%s=%s; Max-Age=%d; Path=/; Secure; "
	    "HttpOnly; SameSite=Strict", CONFIRM_COOKIE, d->cookie, TOKEN_TTL);
	return n > 0 && (size_t)n < sizeof(v) && d->cookie[0] != '\0' &&
	    put_header(b, "Set-Cookie", v, (size_t)n);
}

/*
 * Ends the headers of a page whose body was rendered from start to the
 * end of b: puts "Content-Length" and the blank line before the body.
 * Without a length nginx sends the page chunked and ends it in a write
 * of its own when the FastCGI request ends: about 10 µs of server CPU a
 * page (bench/README.md).
 */
static int
body_length(struct buf *b, size_t start)
{
	char	 h[48];
	size_t	 blen = b->sz - start;
	int	 n;

	n = snprintf(h, sizeof(h), "Content-Length: %zu\r\n\r\n", blen);
	if (n <= 0 || (size_t)n >= sizeof(h))
		return 0;
	buf_add(b, h, (size_t)n);	/* room; overwritten below */
	if (b->oom)
		return 0;
	memmove(b->p + start + (size_t)n, b->p + start, blen);
	memcpy(b->p + start, h, (size_t)n);
	return 1;
}

/* Appends a fixed text body after the headers, with its length. */
static int
text_body(struct buf *b, const char *body)
{
	size_t	 start = b->sz;

	buf_adds(b, body);
	return !b->oom && body_length(b, start);
}

static int
page(const struct world *w, const struct req *r, const struct decision *d,
    enum page pg, struct buf *b)
{
	struct tval	 tv[TV__MAX];
	struct buf	 cf = { NULL, 0, 0, 0 }, cc = { NULL, 0, 0, 0 };
	struct buf	 csp = { NULL, 0, 0, 0 };
	struct val	 tok;
	enum locale	 loc;
	size_t		 start;
	int		 ok = 0;

	loc = locale_pick(d->ui_locales.p, r->accept_language);
	memset(tv, 0, sizeof(tv));
	tv[TV_LANG].p = locale_names[loc];
	tv[TV_LANG].sz = strlen(locale_names[loc]);
	tv[TV_ACTION].p = r->action;
	tv[TV_ACTION].sz = strlen(r->action);
	if (d->client != NULL) {
		tv[TV_CLIENT_NAME].p = d->client->name != NULL ?
		    d->client->name : d->client->id;
		tv[TV_CLIENT_NAME].sz = strlen(tv[TV_CLIENT_NAME].p);
	}
	if (pg == PAGE_ERROR) {
		tv[TV_MESSAGE].p = render_message(loc, d->why);
		tv[TV_MESSAGE].sz = strlen(tv[TV_MESSAGE].p);
	}

	buf_adds(&csp, "default-src 'none'; style-src 'unsafe-inline'; "
	    "img-src data:; base-uri 'none'; frame-ancestors 'none'; "
	    "form-action 'self'");
	if (pg == PAGE_CONFIRM) {
		if (d->token[0] == '\0')
			goto out;
		hidden(&cf, "client_id", &d->form.client_id);
		hidden(&cf, "post_logout_redirect_uri", &d->form.plru);
		hidden(&cf, "state", &d->form.state);
		hidden(&cf, "ui_locales", &d->form.ui_locales);
		tok.p = d->token;
		tok.sz = strlen(d->token);
		hidden(&cf, "confirm", &tok);
		buf_adds(&cc, "<input type=\"hidden\" name=\"op\" "
		    "value=\"cancel\">");
		hidden(&cc, "ui_locales", &d->form.ui_locales);
		tv[TV_CONFIRM_FIELDS] = (struct tval){ cf.p, cf.sz, 1 };
		tv[TV_CANCEL_FIELDS] = (struct tval){ cc.p, cc.sz, 1 };
		/* Browsers apply form-action to the 303 that follows. */
		if (d->redir != NULL) {
			buf_addc(&csp, ' ');
			buf_adds(&csp, d->redir->csp);
		}
	}
	if (cf.oom || cc.oom || csp.oom)
		goto out;

	if (!headers(b, "Content-Type", "text/html; charset=utf-8") ||
	    !put_header(b, "Content-Security-Policy", csp.p, csp.sz) ||
	    !headers(b, "X-Frame-Options", "DENY") ||
	    !headers(b, "Referrer-Policy", "no-referrer") ||
	    !headers(b, "X-Content-Type-Options", "nosniff") ||
	    !headers(b, "Content-Language", locale_names[loc]))
		goto out;
	start = b->sz;
	if (!tmpl_render(w->tmpl, loc, pg, tv, b) || b->sz == start ||
	    !body_length(b, start))
		goto out;
	ok = 1;
out:
	buf_free(&cf);
	buf_free(&cc);
	buf_free(&csp);
	return ok;
}

int
render(const struct world *w, const struct req *r, const struct decision *d,
    struct buf *b)
{
	int	 ok = 0;

	switch (d->out) {
	case OUT_METHOD:
		buf_adds(b, "Status: 405 Method Not Allowed\r\n"
		    "Allow: GET, POST\r\n"
		    "Cache-Control: no-store\r\n"
		    "Content-Type: text/plain; charset=utf-8\r\n"
		    "X-Content-Type-Options: nosniff\r\n");
		return text_body(b, "Method not allowed: use GET or POST.\n") &&
		    !b->oom;
	case OUT_REDIRECT:
		buf_adds(b, r->method == M_POST ? "Status: 303 See Other\r\n" :
		    "Status: 302 Found\r\n");
		ok = location(&d->state, d->redir, b) &&
		    expiring_cookies(&w->conf, b) &&
		    headers(b, "Cache-Control", "no-store") &&
		    headers(b, "Referrer-Policy", "no-referrer") &&
		    headers(b, "Content-Length", "0");
		buf_add(b, "\r\n", 2);
		break;
	case OUT_SIGNED_OUT:
		buf_adds(b, "Status: 200 OK\r\n");
		ok = expiring_cookies(&w->conf, b) &&
		    headers(b, "Cache-Control", "no-store") &&
		    page(w, r, d, PAGE_SIGNED_OUT, b);
		break;
	case OUT_CONFIRM:
	case OUT_STAYED:
		buf_adds(b, "Status: 200 OK\r\nCache-Control: no-store\r\n");
		ok = (d->out != OUT_CONFIRM || confirm_cookie(d, b)) &&
		    page(w, r, d, d->out == OUT_CONFIRM ? PAGE_CONFIRM :
		    PAGE_STAYED, b);
		break;
	case OUT_ERROR:
		/* 503: the sign-out could not be queued; try again. */
		buf_adds(b, d->why == WHY_UNRECORDED ?
		    "Status: 503 Service Unavailable\r\nRetry-After: 5\r\n" :
		    "Status: 400 Bad Request\r\n");
		buf_adds(b, "Cache-Control: no-store\r\n");
		ok = page(w, r, d, PAGE_ERROR, b);
		break;
	default:
		break;
	}
	return ok && !b->oom;
}

void
render_500(struct buf *b)
{
	buf_reset(b);
	buf_adds(b, "Status: 500 Internal Server Error\r\n"
	    "Cache-Control: no-store\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "X-Content-Type-Options: nosniff\r\n");
	text_body(b, "The sign-out service is not working right now. Nobody "
	    "was signed out.\n");
}

static void
member(struct buf *b, const char *name, const char *v)
{
	if (v == NULL || *v == '\0')
		return;
	buf_add(b, ",\"", 2);
	buf_adds(b, name);
	buf_add(b, "\":\"", 3);
	json_esc(b, v, strlen(v));
	buf_addc(b, '"');
}

int
journal_line(const struct req *r, const struct decision *d, time_t now,
    struct buf *b)
{
	/* The time's text, made once a second (per thread). */
	static _Thread_local struct {
		time_t	 t;
		char	 ts[32];
	}		 tc = { -1, "" };
	struct tm	 tm;

	if (tc.t != now || now == -1) {
		if (gmtime_r(&now, &tm) == NULL ||
		    strftime(tc.ts, sizeof(tc.ts), "%Y-%m-%dT%H:%M:%SZ",
		    &tm) == 0) {
			tc.t = -1;
			return 0;
		}
		tc.t = now;
	}
	/* Appends, not a format: this runs on every sign-out. */
	buf_adds(b, "{\"time\":\"");
	buf_adds(b, tc.ts);
	buf_adds(b, "\",\"event\":\"logout\"");
	member(b, "client_id", d->client != NULL ? d->client->id : NULL);
	member(b, "sub", d->sub);
	member(b, "sid", d->sid);
	/* The browser's OP session, whenever it sent sid_cookie. */
	if (!r->browser_sid_many)
		member(b, "session", r->browser_sid);
	member(b, "via", d->via == VIA_HINT ? "id_token_hint" : "confirmation");
	member(b, "remote_addr", r->remote_addr);
	buf_adds(b, "}\n");
	return !b->oom;
}
