/*
 * fuzz_decide.c - the whole path of one request: bytes -> req_parse ->
 * decide -> render (-> journal_line), with the fixed world of FUZZ_DATA
 * (configuration, clients, keys, secret, the real templates) at FUZZ_NOW.
 * The request bytes are encoded as fuzz.h says.  Invariants, each an
 * abort():
 *   - every response starts with "Status: ";
 *   - no CR, LF or NUL inside a header line (the head is everything
 *     before the first "\r\n\r\n");
 *   - a Location header only when d.out is OUT_REDIRECT, and its value
 *     starts, byte for byte, with a registered redirect URI;
 *   - d.signout only with OUT_REDIRECT or OUT_SIGNED_OUT, and only when
 *     the hint is valid (checked again here) or the confirm token passes
 *     token_check (checked again here).
 */
#include "fuzz.h"

static const struct world	*w;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	w = fuzz_world();
	return 0;
}

/*
 * A field as the form means it: NAME, or NAME_b64 decoded (here, apart
 * from decide's own decoding, so that the check below stays independent).
 */
static struct val
plain(const struct req *r, enum param name, enum param b64,
    struct arena *ar)
{
	struct val	 v = r->p[name];
	const struct val *e = &r->p[b64];
	char		*p;
	size_t		 sz;

	if (e->p != NULL && v.p == NULL &&
	    (p = arena_alloc(ar, b64url_decsz(e->sz) + 1)) != NULL &&
	    b64url_decode(e->p, e->sz, (unsigned char *)p,
	    b64url_decsz(e->sz), &sz)) {
		p[sz] = '\0';
		v.p = p;
		v.sz = sz;
	}
	return v;
}

/* Whether the sz bytes at v start with some registered URI. */
static int
registered_prefix(const char *v, size_t sz)
{
	const struct client	*c;
	size_t			 i, k;

	for (i = 0; i < clients_count(w->reg); i++) {
		c = clients_at(w->reg, i);
		for (k = 0; k < c->urisz; k++)
			if (c->uris[k].sz <= sz &&
			    memcmp(c->uris[k].uri, v, c->uris[k].sz) == 0)
				return 1;
	}
	return 0;
}

/* The response checks; returns whether a Location header was seen. */
static int
check_response(const struct buf *b, const struct decision *d, int rendered)
{
	const char	*p, *end, *head_end, *eol;
	size_t		 i;
	int		 loc = 0;

	FUZZ_ASSERT(b->p != NULL && b->sz >= 8);
	FUZZ_ASSERT(memcmp(b->p, "Status: ", 8) == 0);
	end = b->p + b->sz;
	for (head_end = NULL, p = b->p; p + 4 <= end; p++)
		if (memcmp(p, "\r\n\r\n", 4) == 0) {
			head_end = p;
			break;
		}
	FUZZ_ASSERT(head_end != NULL);
	for (p = b->p; p < head_end; p = eol + 2) {
		for (eol = p; eol < head_end && !(eol[0] == '\r' &&
		    eol + 1 < end && eol[1] == '\n'); eol++)
			continue;
		for (i = 0; i < (size_t)(eol - p); i++)
			FUZZ_ASSERT(p[i] != '\r' && p[i] != '\n' &&
			    p[i] != '\0');
		FUZZ_ASSERT(eol - p > 0 && memchr(p, ':', (size_t)(eol - p))
		    != NULL);
		if ((size_t)(eol - p) >= 10 &&
		    strncasecmp(p, "Location: ", 10) == 0) {
			loc = 1;
			FUZZ_ASSERT(rendered && d->out == OUT_REDIRECT);
			FUZZ_ASSERT(registered_prefix(p + 10,
			    (size_t)(eol - p) - 10));
		}
	}
	return loc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in		 fi;
	struct req		 r;
	struct decision		 d;
	struct buf		 out = { NULL, 0, 0, 0 };
	struct buf		 line = { NULL, 0, 0, 0 };
	struct hint_ctx		 hc;
	struct hint		 h;
	struct token_fields	 f;
	struct arena		 ar = { NULL };
	int			 ok, loc, hint_ok = 0, token_ok = 0;

	if (!fuzz_in_make(&fi, data, size))
		return 0;
	if (!req_parse(&r, &fi.in, w->conf.sid_cookie)) {
		req_free(&r);
		fuzz_in_free(&fi);
		return 0;
	}
	decide(w, &r, FUZZ_NOW, &r.ar, &d);
	FUZZ_ASSERT((unsigned)d.out < OUT__MAX && (unsigned)d.why < WHY__MAX);
	ok = render(w, &r, &d, &out);
	if (!ok)
		render_500(&out);
	loc = check_response(&out, &d, ok);
	if (ok && d.out == OUT_REDIRECT)
		FUZZ_ASSERT(loc);

	if (d.signout) {
		FUZZ_ASSERT(d.out == OUT_REDIRECT || d.out == OUT_SIGNED_OUT);
		/* Ask the checkers again, independently of decide. */
		if (r.p[P_ID_TOKEN_HINT].p != NULL) {
			hc.keys = w->keys;
			hc.reg = w->reg;
			hc.issuer = w->conf.issuer;
			hc.clock_skew = w->conf.clock_skew;
			hc.max_age = w->conf.hint_max_age;
			hint_ok = hint_check(&hc, r.p[P_ID_TOKEN_HINT].p,
			    r.p[P_ID_TOKEN_HINT].sz, FUZZ_NOW, &ar, &h) ==
			    HINT_VALID;
		}
		if (r.p[P_CONFIRM].p != NULL) {
			f.client_id = plain(&r, P_CLIENT_ID, P_CLIENT_ID_B64,
			    &ar);
			f.plru = r.p[P_LOGOUT_URI];
			f.state = plain(&r, P_STATE, P_STATE_B64, &ar);
			f.ui_locales = plain(&r, P_UI_LOCALES,
			    P_UI_LOCALES_B64, &ar);
			f.browser_sid.p = r.browser_sid;
			f.browser_sid.sz = r.browser_sidsz;
			f.cookie.p = r.confirm_cookie;
			f.cookie.sz = r.confirm_cookie == NULL ? 0 :
			    NONCE_B64SZ;
			token_ok = token_check(w->tkey, &f, r.p[P_CONFIRM].p,
			    r.p[P_CONFIRM].sz, FUZZ_NOW) == TOKEN_OK;
		}
		FUZZ_ASSERT(hint_ok || token_ok);
		FUZZ_ASSERT(journal_line(&r, &d, FUZZ_NOW, &line));
		FUZZ_ASSERT(line.sz > 0 && line.p[line.sz - 1] == '\n' &&
		    memchr(line.p, '\n', line.sz) == line.p + line.sz - 1);
	} else
		FUZZ_ASSERT(!loc);
	arena_free(&ar);
	buf_free(&line);
	buf_free(&out);
	req_free(&r);
	fuzz_in_free(&fi);
	return 0;
}
