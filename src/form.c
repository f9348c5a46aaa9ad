/*
 * form.c - application/x-www-form-urlencoded, for the query string and
 * the POST body alike (OpenID Connect RP-Initiated Logout 1.0 section 2
 * allows both).  Modelled on kcgi's parse_pairs_urlenc: every pair is
 * decoded and checked, known names are kept, a bad escape, %00, invalid
 * UTF-8 or a known name given twice makes the whole request malformed.
 */
#include <string.h>

#include "endsession.h"

const char *const param_names[P__MAX] = {
	"id_token_hint",		/* P_ID_TOKEN_HINT */
	"client_id",			/* P_CLIENT_ID */
	"post_logout_redirect_uri",	/* P_LOGOUT_URI */
	"state",			/* P_STATE */
	"ui_locales",			/* P_UI_LOCALES */
	"logout_hint",			/* P_LOGOUT_HINT */
	"confirm",			/* P_CONFIRM */
	"op",				/* P_OP */
	"client_id_b64",		/* P_CLIENT_ID_B64 */
	"state_b64",			/* P_STATE_B64 */
	"ui_locales_b64",		/* P_UI_LOCALES_B64 */
};

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decodes sz bytes of one name or value into out (at least sz bytes).
 * Returns FORM_OK with *outsz set, or why not.
 */
static enum form_err
decode(const char *in, size_t sz, char *out, size_t *outsz)
{
	const char	*pct, *plus, *stop;
	size_t		 i = 0, o = 0, run;
	int		 hi, lo;

	/*
	 * Runs without '%' or '+' are copied whole (a hint is 900 such
	 * bytes); memchr finds the next of each.
	 */
	pct = memchr(in, '%', sz);
	plus = memchr(in, '+', sz);
	while (i < sz) {
		stop = in + sz;
		if (pct != NULL && pct < stop)
			stop = pct;
		if (plus != NULL && plus < stop)
			stop = plus;
		run = (size_t)(stop - (in + i));
		memcpy(out + o, in + i, run);
		o += run;
		i += run;
		if (i == sz)
			break;
		if (in[i] == '+') {
			out[o++] = ' ';
			i++;
			plus = memchr(in + i, '+', sz - i);
			continue;
		}
		if (sz - i < 3 ||
		    (hi = hexval((unsigned char)in[i + 1])) < 0 ||
		    (lo = hexval((unsigned char)in[i + 2])) < 0)
			return FORM_BAD_ESCAPE;
		if (hi == 0 && lo == 0)
			return FORM_NUL;
		out[o++] = (char)(hi << 4 | lo);
		i += 3;
		pct = memchr(in + i, '%', sz - i);
	}
	if (!utf8_valid(out, o))
		return memchr(out, '\0', o) != NULL ? FORM_NUL : FORM_BAD_UTF8;
	*outsz = o;
	return FORM_OK;
}

enum form_err
form_parse(struct arena *ar, const char *in, size_t insz, size_t max,
    struct val vals[P__MAX])
{
	char		 name[32];
	char		*v, *nm;
	const char	*p, *end, *amp, *eq;
	size_t		 namesz, vsz, pairs = 0, i;
	unsigned	 seen = 0;
	enum form_err	 e;

	for (i = 0; i < P__MAX; i++) {
		vals[i].p = NULL;
		vals[i].sz = 0;
	}
	if (insz > max)
		return FORM_TOO_LARGE;
	if (in == NULL)
		return FORM_OK;
	if (memchr(in, '\0', insz) != NULL)
		return FORM_NUL;

	for (p = in, end = in + insz; p < end; p = amp + 1) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		/* Empty pairs ("a=1&&b=2", a trailing '&') carry nothing. */
		if (amp == p)
			continue;
		if (++pairs > LIM_PARAMS)
			return FORM_TOO_MANY;
		if ((eq = memchr(p, '=', (size_t)(amp - p))) == NULL)
			eq = amp;

		/*
		 * Names short when encoded are decoded on the stack; others
		 * into the arena.  Either way the decoded name is compared:
		 * "%69%64..." is id_token_hint as much as "id_token_hint".
		 */
		if ((size_t)(eq - p) < sizeof(name))
			nm = name;
		else if ((nm = arena_alloc(ar, (size_t)(eq - p))) == NULL)
			return FORM_NOMEM;
		if ((e = decode(p, (size_t)(eq - p), nm, &namesz)) != FORM_OK)
			return e;

		vsz = eq < amp ? (size_t)(amp - eq - 1) : 0;
		if ((v = arena_alloc(ar, vsz + 1)) == NULL)
			return FORM_NOMEM;
		if ((e = decode(eq + (eq < amp), vsz, v, &vsz)) != FORM_OK)
			return e;
		v[vsz] = '\0';

		for (i = 0; i < P__MAX; i++)
			if (namesz == strlen(param_names[i]) &&
			    memcmp(nm, param_names[i], namesz) == 0)
				break;
		/*
		 * The limits count decoded bytes (endsession.h); a field
		 * carried base64url may hold LIM_VALUE_SZ bytes once decoded.
		 */
		if (namesz > LIM_VALUE_SZ || vsz > (i < P__MAX &&
		    i >= P_CLIENT_ID_B64 ? LIM_VALUE_B64_SZ : LIM_VALUE_SZ))
			return FORM_VALUE_TOO_LONG;
		if (i == P__MAX)
			continue;
		if (seen & (1u << i))
			return FORM_DUPLICATE;
		seen |= 1u << i;
		/* An empty value counts as absent (design.md 6). */
		if (vsz > 0) {
			vals[i].p = v;
			vals[i].sz = vsz;
		}
	}
	return FORM_OK;
}
