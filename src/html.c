/*
 * html.c - one escaper per output context (docs/design.md section 7):
 * HTML text and attribute values, a URL query component, and the
 * contents of a JSON string for the journal.  Each copies runs of bytes
 * that need nothing with a single buf_add, so plain text costs one
 * table look-up per byte.
 */
#include <stddef.h>

#include "endsession.h"

static const char hex[] = "0123456789ABCDEF";

/*
 * Appends s (sz bytes) to b as HTML text or a double- or single-quoted
 * attribute value (HTML 5 section 13.1.2.3 and 13.1.4): & < > " ' become
 * &amp; &lt; &gt; &quot; &#39;.  Escaping all five everywhere means the
 * caller cannot pick the wrong function for a context.  Other bytes,
 * including invalid UTF-8, are copied; callers pass checked text.
 */
void
html_esc(struct buf *b, const char *s, size_t sz)
{
	size_t	 i, run = 0;
	const char *ent;

	for (i = 0; i < sz; i++) {
		switch (s[i]) {
		case '&':
			ent = "&amp;";
			break;
		case '<':
			ent = "&lt;";
			break;
		case '>':
			ent = "&gt;";
			break;
		case '"':
			ent = "&quot;";
			break;
		case '\'':
			ent = "&#39;";
			break;
		default:
			continue;
		}
		if (i > run)
			buf_add(b, s + run, i - run);
		buf_adds(b, ent);
		run = i + 1;
	}
	if (sz > run)
		buf_add(b, s + run, sz - run);
}

/* RFC 3986 section 2.3 unreserved: ALPHA DIGIT - . _ ~ */
static int
unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

/*
 * Appends s (sz bytes) to b percent-encoded for a URL query component
 * (RFC 3986 section 2.1): every byte but the unreserved ones becomes %XX
 * with upper-case hex, so any decoder, form-style or not, gets back
 * exactly the input bytes: a space is %20 (never '+'), '+' is %2B, and
 * NUL, CR and LF are encoded rather than dropped.
 */
void
url_esc(struct buf *b, const char *s, size_t sz)
{
	size_t		 i, run = 0;
	unsigned char	 c;
	char		 pct[3];

	for (i = 0; i < sz; i++) {
		c = (unsigned char)s[i];
		if (unreserved(c))
			continue;
		if (i > run)
			buf_add(b, s + run, i - run);
		pct[0] = '%';
		pct[1] = hex[c >> 4];
		pct[2] = hex[c & 15];
		buf_add(b, pct, sizeof(pct));
		run = i + 1;
	}
	if (sz > run)
		buf_add(b, s + run, sz - run);
}

/*
 * Appends s (sz bytes of valid UTF-8) to b as the contents of a JSON
 * string (RFC 8259 section 7), without the quotes.  " and \ are escaped,
 * control characters use the short forms where JSON has them and \u00XX
 * otherwise.  DEL (0x7f) and U+2028/U+2029 are escaped too although JSON
 * allows them raw: a journal line may be read by tools (terminals,
 * JavaScript before ES2019) that treat them as control or line breaks.
 */
void
json_esc(struct buf *b, const char *s, size_t sz)
{
	size_t		 i, run = 0, skip;
	unsigned char	 c;
	char		 u[6];
	const char	*e;

	for (i = 0; i < sz; i++) {
		c = (unsigned char)s[i];
		e = NULL;
		skip = 1;
		if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f) {
			/* U+2028 is E2 80 A8, U+2029 is E2 80 A9. */
			if (c != 0xe2 || sz - i < 3 ||
			    (unsigned char)s[i + 1] != 0x80 ||
			    ((unsigned char)s[i + 2] != 0xa8 &&
			    (unsigned char)s[i + 2] != 0xa9))
				continue;
			e = (unsigned char)s[i + 2] == 0xa8 ?
			    "\\u2028" : "\\u2029";
			skip = 3;
		}
		if (i > run)
			buf_add(b, s + run, i - run);
		if (e == NULL) {
			switch (c) {
			case '"':
				e = "\\\"";
				break;
			case '\\':
				e = "\\\\";
				break;
			case '\n':
				e = "\\n";
				break;
			case '\r':
				e = "\\r";
				break;
			case '\t':
				e = "\\t";
				break;
			case '\b':
				e = "\\b";
				break;
			case '\f':
				e = "\\f";
				break;
			default:
				break;
			}
		}
		if (e != NULL)
			buf_adds(b, e);
		else {
			u[0] = '\\';
			u[1] = 'u';
			u[2] = '0';
			u[3] = '0';
			u[4] = hex[c >> 4];
			u[5] = hex[c & 15];
			buf_add(b, u, sizeof(u));
		}
		i += skip - 1;
		run = i + 1;
	}
	if (sz > run)
		buf_add(b, s + run, sz - run);
}
