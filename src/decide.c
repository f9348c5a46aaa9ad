/*
 * decide.c - the outcome of a request (docs/design.md section 7): R, S, C or E.
 * No I/O, no clock, no globals: the request, the loaded world and "now"
 * come in, a struct decision goes out, so that every row of the table
 * is a unit test.
 */
#include <string.h>

#include "endsession.h"

const char *const reason_names[WHY__MAX] = {
	"none",				/* WHY_NONE */
	"malformed request",		/* WHY_MALFORMED */
	"request too large",		/* WHY_TOO_LARGE */
	"unknown client_id",		/* WHY_CLIENT_UNKNOWN */
	"client_id not an audience of the hint", /* WHY_CLIENT_NOT_AUD */
	"post_logout_redirect_uri not registered", /* WHY_URI_NOT_REGISTERED */
	"post_logout_redirect_uri without a client", /* WHY_URI_NO_CLIENT */
	"confirmation token invalid",	/* WHY_TOKEN_BAD */
	"confirmation token expired",	/* WHY_TOKEN_EXPIRED */
	"cross-site confirmation",	/* WHY_CROSS_SITE */
	"id_token_hint in a confirmation", /* WHY_HINT_IN_CONFIRM */
	"confirmation by GET",		/* WHY_CONFIRM_GET */
	"confirmation from another origin", /* WHY_FOREIGN_ORIGIN */
	"confirmation without its cookie", /* WHY_NO_COOKIE */
	"journal not written, sign-out not performed", /* WHY_UNRECORDED */
};

static void
refuse(struct decision *d, enum reason why)
{
	d->out = OUT_ERROR;
	d->why = why;
	d->signout = 0;
	d->redir = NULL;
}

/* The fields the confirmation form carries, as the token binds them. */
static void
fields_of(const struct req *r, struct token_fields *f)
{
	f->client_id = r->p[P_CLIENT_ID];
	f->plru = r->p[P_LOGOUT_URI];
	f->state = r->p[P_STATE];
	f->ui_locales = r->p[P_UI_LOCALES];
	f->browser_sid.p = r->browser_sid;
	f->browser_sid.sz = r->browser_sidsz;
	f->cookie.p = r->confirm_cookie;
	f->cookie.sz = r->confirm_cookie == NULL ? 0 : NONCE_B64SZ;
}

/*
 * A field the form carried base64url-encoded (it holds a line break,
 * which the browser would have turned into CRLF) takes its plain name's
 * place in f, decoded into ar.  Both names given, or a value that is not
 * strict base64url of valid UTF-8 without NUL, is malformed: 0.
 */
static int
unwrap(const struct req *r, struct arena *ar, struct token_fields *f)
{
	const struct {
		enum param	 plain, b64;
		struct val	*to;
	} pairs[] = {
		{ P_CLIENT_ID, P_CLIENT_ID_B64, &f->client_id },
		{ P_STATE, P_STATE_B64, &f->state },
		{ P_UI_LOCALES, P_UI_LOCALES_B64, &f->ui_locales },
	};
	const struct val	*e;
	char			*p;
	size_t			 i, sz;

	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		e = &r->p[pairs[i].b64];
		if (e->p == NULL)
			continue;
		if (r->p[pairs[i].plain].p != NULL)
			return 0;
		if ((p = arena_alloc(ar, b64url_decsz(e->sz) + 1)) == NULL ||
		    !b64url_decode(e->p, e->sz, (unsigned char *)p,
		    b64url_decsz(e->sz), &sz) || sz == 0 ||
		    sz > LIM_VALUE_SZ || !utf8_valid(p, sz))
			return 0;
		p[sz] = '\0';
		pairs[i].to->p = p;
		pairs[i].to->sz = sz;
	}
	return 1;
}

/*
 * The POST of the confirmation form: the token must be ours, fresh,
 * and minted for exactly these fields, this browser's session and the
 * confirm cookie the page set in this browser.
 */
static void
confirmed(const struct world *w, const struct req *r, time_t now,
    struct arena *ar, struct decision *d)
{
	struct token_fields	 f;
	const struct val	*plru = &r->p[P_LOGOUT_URI];

	if (r->method != M_POST) {
		refuse(d, WHY_CONFIRM_GET);
		return;
	}
	if (r->p[P_ID_TOKEN_HINT].p != NULL) {
		refuse(d, WHY_HINT_IN_CONFIRM);
		return;
	}
	/* Our own page posts same-origin; anything else is forged. */
	if (r->cross_site) {
		refuse(d, WHY_CROSS_SITE);
		return;
	}
	if (r->foreign_origin) {
		refuse(d, WHY_FOREIGN_ORIGIN);
		return;
	}
	/*
	 * The cookie is what binds the form to this browser when it says
	 * nothing of where the POST came from (no Sec-Fetch-Site, Origin
	 * absent or "null"): a cross-site POST does not carry it
	 * (SameSite=Strict), and a form loaded elsewhere names another.
	 */
	if (r->confirm_cookie == NULL) {
		refuse(d, WHY_NO_COOKIE);
		return;
	}
	fields_of(r, &f);
	if (!unwrap(r, ar, &f)) {
		refuse(d, WHY_MALFORMED);
		return;
	}
	d->state = f.state;
	d->ui_locales = f.ui_locales;
	switch (token_check(w->tkey, &f, r->p[P_CONFIRM].p,
	    r->p[P_CONFIRM].sz, now)) {
	case TOKEN_OK:
		break;
	case TOKEN_EXPIRED:
		refuse(d, WHY_TOKEN_EXPIRED);
		return;
	default:
		refuse(d, WHY_TOKEN_BAD);
		return;
	}
	/* The registry may have changed since the page was shown. */
	if (f.client_id.p != NULL && (d->client = clients_find(w->reg,
	    f.client_id.p, f.client_id.sz)) == NULL) {
		refuse(d, WHY_CLIENT_UNKNOWN);
		return;
	}
	if (plru->p != NULL && (d->redir = client_redir(d->client, plru->p,
	    plru->sz)) == NULL) {
		refuse(d, WHY_URI_NOT_REGISTERED);
		return;
	}
	d->out = d->redir != NULL ? OUT_REDIRECT : OUT_SIGNED_OUT;
	d->signout = 1;
	d->via = VIA_CONFIRMATION;
	/*
	 * The session that ends is this browser's: its sid cookie when it
	 * has one, never the sid of a hint that named another session.
	 */
	if (r->browser_sid != NULL && !r->browser_sid_many &&
	    r->browser_sidsz > 0)
		d->sid = r->browser_sid;
}

/*
 * A valid hint belongs to this browser's session unless sid_cookie is
 * configured, the browser sent that cookie, and the hint's sid is
 * missing or differs (docs/design.md section 7).
 */
static int
belongs(const struct world *w, const struct req *r, const struct hint *h)
{
	if (w->conf.sid_cookie == NULL || r->browser_sid == NULL)
		return 1;
	if (r->browser_sid_many || h->sid == NULL)
		return 0;
	return strlen(h->sid) == r->browser_sidsz &&
	    memcmp(h->sid, r->browser_sid, r->browser_sidsz) == 0;
}

void
decide(const struct world *w, const struct req *r, time_t now,
    struct arena *ar, struct decision *d)
{
	struct hint_ctx		 hc;
	struct hint		 h;
	const struct val	*hint = &r->p[P_ID_TOKEN_HINT];
	const struct val	*cid = &r->p[P_CLIENT_ID];
	const struct val	*plru = &r->p[P_LOGOUT_URI];
	int			 valid = 0;
	size_t			 i;

	memset(d, 0, sizeof(*d));
	memset(&h, 0, sizeof(h));
	d->state = r->p[P_STATE];
	d->ui_locales = r->p[P_UI_LOCALES];
	if (r->method == M_OTHER) {
		d->out = OUT_METHOD;
		return;
	}
	if (r->err != REQ_OK) {
		refuse(d, r->err == REQ_FORM &&
		    (r->form_err == FORM_TOO_LARGE ||
		    r->form_err == FORM_TOO_MANY ||
		    r->form_err == FORM_VALUE_TOO_LONG) ? WHY_TOO_LARGE :
		    WHY_MALFORMED);
		return;
	}
	/* "Stay signed in" has no effect whatever comes with it. */
	if (r->p[P_OP].p != NULL && strcmp(r->p[P_OP].p, "cancel") == 0) {
		d->out = OUT_STAYED;
		return;
	}
	if (r->p[P_CONFIRM].p != NULL) {
		confirmed(w, r, now, ar, d);
		return;
	}

	if (cid->p != NULL &&
	    (d->client = clients_find(w->reg, cid->p, cid->sz)) == NULL) {
		refuse(d, WHY_CLIENT_UNKNOWN);
		return;
	}
	if (hint->p != NULL) {
		d->hint_given = 1;
		hc.keys = w->keys;
		hc.reg = w->reg;
		hc.issuer = w->conf.issuer;
		hc.clock_skew = w->conf.clock_skew;
		hc.max_age = w->conf.hint_max_age;
		d->hint = hint_check(&hc, hint->p, hint->sz, now, ar, &h);
		valid = d->hint == HINT_VALID;
	}
	if (valid) {
		if (d->client != NULL) {
			for (i = 0; i < h.audsz; i++)
				if (strlen(h.aud[i]) == d->client->idsz &&
				    memcmp(h.aud[i], d->client->id,
				    d->client->idsz) == 0)
					break;
			if (i == h.audsz) {
				refuse(d, WHY_CLIENT_NOT_AUD);
				return;
			}
		} else
			d->client = h.client;
		d->sub = h.sub;
		d->sid = h.sid;
	}
	if (plru->p != NULL) {
		if (d->client == NULL) {
			refuse(d, WHY_URI_NO_CLIENT);
			return;
		}
		if ((d->redir = client_redir(d->client, plru->p, plru->sz)) ==
		    NULL) {
			refuse(d, WHY_URI_NOT_REGISTERED);
			return;
		}
	}

	if (valid && belongs(w, r, &h)) {
		d->out = d->redir != NULL ? OUT_REDIRECT : OUT_SIGNED_OUT;
		d->signout = 1;
		d->via = VIA_HINT;
		return;
	}

	/*
	 * Confirmation.  After a hint that failed validation there is no
	 * redirect, not even once the user confirms (RP-Initiated Logout
	 * 1.0 section 3), so the form does not carry the URI.
	 */
	d->out = OUT_CONFIRM;
	if (d->hint_given && !valid)
		d->redir = NULL;
	if (d->client != NULL) {
		d->form.client_id.p = d->client->id;
		d->form.client_id.sz = d->client->idsz;
	}
	if (d->redir != NULL) {
		d->form.plru = *plru;
		d->form.state = r->p[P_STATE];
	}
	d->form.ui_locales = r->p[P_UI_LOCALES];
	/*
	 * A valid hint gets here only when it names another session: its
	 * sub and sid are not this browser's, so the form does not carry
	 * them and the journal will not claim them.
	 */
	d->form.browser_sid.p = r->browser_sid;
	d->form.browser_sid.sz = r->browser_sidsz;
	/*
	 * A fresh random value for the confirm cookie, bound by the token:
	 * without one there is no form to show (render fails: 500).
	 */
	if (r->nonce[0] == '\0')
		return;
	memcpy(d->cookie, r->nonce, sizeof(d->cookie));
	d->form.cookie.p = d->cookie;
	d->form.cookie.sz = NONCE_B64SZ;
	if (!token_mint(w->tkey, &d->form, now + TOKEN_TTL, d->token))
		d->token[0] = '\0';
}
