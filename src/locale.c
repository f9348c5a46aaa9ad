/*
 * locale.c - which language a page is shown in (docs/design.md section 7,
 * "Locales"): ui_locales first, then Accept-Language, else English.
 * Both inputs come from the browser, so this only scans: no allocation,
 * no recursion, one pass over each string.
 */
#include <stddef.h>

#include "endsession.h"

const char *const locale_names[LOC__MAX] = { "en", "sv" };

static int
is_alpha(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int
is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * The supported locale whose name equals, case-insensitively, the
 * primary subtag held in the sz bytes at p (BCP 47 section 2.1), or
 * LOC__MAX.  A primary subtag is 1 to 8 letters.
 */
static enum locale
primary_find(const char *p, size_t sz)
{
	const char	*n;
	size_t		 i, j;

	if (sz == 0 || sz > 8)
		return LOC__MAX;
	for (i = 0; i < LOC__MAX; i++) {
		n = locale_names[i];
		for (j = 0; j < sz; j++) {
			if (n[j] == '\0' || !is_alpha(p[j]) ||
			    (p[j] | 0x20) != n[j])
				break;
		}
		if (j == sz && n[j] == '\0')
			return (enum locale)i;
	}
	return LOC__MAX;
}

/*
 * The locale of a language tag or range spanning [p, end): its primary
 * subtag is what comes before the first '-'.  "sv-SE" and "SV" give
 * LOC_SV; "*", "svx" and "x-sv" give LOC__MAX.
 */
static enum locale
tag_find(const char *p, const char *end)
{
	const char	*q = p;

	while (q < end && *q != '-')
		q++;
	return primary_find(p, (size_t)(q - p));
}

/*
 * Parses the qvalue at [p, end) (RFC 9110 section 12.4.2): "0" or "1",
 * optionally followed by "." and up to three digits, and no more than 1.
 * Returns it in thousandths, or -1 if malformed.
 */
static int
qvalue(const char *p, const char *end)
{
	int	 q, n = 0, scale = 100;

	if (p == end || (*p != '0' && *p != '1'))
		return -1;
	q = (*p++ - '0') * 1000;
	if (p == end)
		return q;
	if (*p++ != '.')
		return -1;
	for (; p < end; p++, n++) {
		if (n == 3 || *p < '0' || *p > '9')
			return -1;
		q += (*p - '0') * scale;
		scale /= 10;
	}
	return q > 1000 ? -1 : q;
}

/*
 * Picks the page's locale.  ui_locales (OpenID Connect RP-Initiated
 * Logout 1.0 section 2, Core section 3.1.2.1) is a space-separated list
 * in order of preference: the first tag whose primary subtag we support
 * wins.  Otherwise Accept-Language (RFC 9110 section 12.5.4) decides: the
 * supported locale of highest weight, the earlier one on a tie; q=0 means
 * "not acceptable", "*" and malformed members are ignored.  Otherwise
 * English.  Either argument may be NULL.
 */
enum locale
locale_pick(const char *ui_locales, const char *accept_language)
{
	const char	*p, *s, *e, *semi, *t;
	enum locale	 loc, best = LOC__MAX;
	int		 q, bestq = 0;

	if ((p = ui_locales) != NULL) {
		while (*p != '\0') {
			while (*p == ' ')
				p++;
			for (s = p; *p != '\0' && *p != ' '; p++)
				continue;
			if (p > s && (loc = tag_find(s, p)) != LOC__MAX)
				return loc;
		}
	}

	if ((p = accept_language) == NULL)
		return LOC_EN;
	while (*p != '\0') {
		/* One member: [s, e), then trim OWS around it. */
		for (s = p; *p != '\0' && *p != ','; p++)
			continue;
		e = p;
		if (*p == ',')
			p++;
		while (s < e && is_ows(*s))
			s++;
		while (e > s && is_ows(e[-1]))
			e--;
		for (semi = s; semi < e && *semi != ';'; semi++)
			continue;
		t = semi;
		while (t > s && is_ows(t[-1]))
			t--;
		if ((loc = tag_find(s, t)) == LOC__MAX)
			continue;
		q = 1000;
		if (semi < e) {
			/* weight = OWS ";" OWS "q=" qvalue */
			for (t = semi + 1; t < e && is_ows(*t); t++)
				continue;
			if (e - t < 2 || (t[0] | 0x20) != 'q' || t[1] != '=')
				continue;
			if ((q = qvalue(t + 2, e)) < 0)
				continue;
		}
		if (q > bestq) {
			bestq = q;
			best = loc;
		}
	}
	return best == LOC__MAX ? LOC_EN : best;
}
