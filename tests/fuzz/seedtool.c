/*
 * seedtool.c - helps mkcorpus.sh make real confirmation-form posts.
 * Reads one request in the fuzz encoding (fuzz.h) from the file named by
 * argv[1], decides it with the fixed state of FUZZ_DATA at FUZZ_NOW, and
 * when the outcome is the confirmation page writes, in the same encoding,
 * the POST that page's "Sign out" button sends (same cookie and headers,
 * the hidden fields and the token).  With argv[2] "cancel", the "Stay
 * signed in" POST instead; with "token", the input of fuzz_token (the
 * five bound fields, NUL-separated, then the token).  Exit 1 when there
 * is no form.
 * Built by mkcorpus.sh with cc against build/libcore.a; not a fuzz target.
 */
#include "fuzz.h"

static void
field(struct buf *b, const char *name, const struct val *v)
{
	if (v->p == NULL || v->sz == 0)
		return;
	if (b->sz > 0)
		buf_addc(b, '&');
	buf_adds(b, name);
	buf_addc(b, '=');
	url_esc(b, v->p, v->sz);
}

static void
str(FILE *f, const char *s)
{
	if (s != NULL)
		fputs(s, f);
	fputc('\0', f);
}

int
main(int argc, char *argv[])
{
	const struct world *w;
	struct fuzz_in	 fi;
	struct req	 r;
	struct decision	 d;
	struct buf	 body = { NULL, 0, 0, 0 }, in = { NULL, 0, 0, 0 };
	struct val	 tok;
	char		 chunk[4096];
	size_t		 n;
	FILE		*f;
	int		 cancel = argc > 2 && strcmp(argv[2], "cancel") == 0;
	int		 token = argc > 2 && strcmp(argv[2], "token") == 0;

	if (argc < 2 || (f = fopen(argv[1], "rb")) == NULL)
		return 2;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&in, chunk, n);
	fclose(f);
	w = fuzz_world();
	if (!fuzz_in_make(&fi, (const uint8_t *)in.p, in.sz) ||
	    !req_parse(&r, &fi.in, w->conf.sid_cookie))
		return 1;
	decide(w, &r, FUZZ_NOW, &r.ar, &d);
	if (d.out != OUT_CONFIRM || d.token[0] == '\0')
		return 1;
	if (token) {
		fwrite(d.form.client_id.p, 1, d.form.client_id.sz, stdout);
		putchar(0);
		fwrite(d.form.plru.p, 1, d.form.plru.sz, stdout);
		putchar(0);
		fwrite(d.form.state.p, 1, d.form.state.sz, stdout);
		putchar(0);
		fwrite(d.form.ui_locales.p, 1, d.form.ui_locales.sz, stdout);
		putchar(0);
		fwrite(d.form.browser_sid.p, 1, d.form.browser_sid.sz, stdout);
		putchar(0);
		fputs(d.token, stdout);
		goto done;
	}
	if (cancel) {
		buf_adds(&body, "op=cancel");
		field(&body, "ui_locales", &d.form.ui_locales);
	} else {
		field(&body, "client_id", &d.form.client_id);
		field(&body, "post_logout_redirect_uri", &d.form.plru);
		field(&body, "state", &d.form.state);
		field(&body, "ui_locales", &d.form.ui_locales);
		tok.p = d.token;
		tok.sz = strlen(d.token);
		field(&body, "confirm", &tok);
	}
	putchar(0);
	putchar(0);
	str(stdout, "POST");
	str(stdout, "");
	str(stdout, "application/x-www-form-urlencoded");
	str(stdout, fi.in.cookie);
	str(stdout, fi.in.accept_language);
	str(stdout, fi.in.remote_addr);
	str(stdout, fi.in.script_name);
	str(stdout, "same-origin");
	fwrite(body.p, 1, body.sz, stdout);
done:
	buf_free(&body);
	buf_free(&in);
	req_free(&r);
	fuzz_in_free(&fi);
	return 0;
}
