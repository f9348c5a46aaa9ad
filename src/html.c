/*
 * html.c - one escaper per output context (docs/design.md section 7):
 * HTML text and attribute values, a URL query component, the contents of
 * a JSON string for the journal, and text for a terminal or a log line.
 * Each copies runs of bytes
 * that need nothing with a single buf_add, so plain text costs one
 * table look-up per byte.
 */
#include <stddef.h>
#include <stdint.h>

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
 * The code point of the strict UTF-8 sequence (RFC 3629 section 4) at
 * s[0..sz), in *cp; returns its length, or 0 when s does not start with
 * one (overlong, surrogate, past U+10FFFF, truncated).
 */
static size_t
utf8_one(const unsigned char *s, size_t sz, uint32_t *cp)
{
	size_t		 n, i;
	uint32_t	 c, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		c = s[0] & 0x1f;
		min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		c = s[0] & 0x0f;
		min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		c = s[0] & 0x07;
		min = 0x10000;
	} else
		return 0;
	if (sz < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* "\uXXXX" for a code point of the BMP. */
static void
u4(struct buf *b, uint32_t c)
{
	char	 u[6];

	u[0] = '\\';
	u[1] = 'u';
	u[2] = hex[c >> 12 & 15];
	u[3] = hex[c >> 8 & 15];
	u[4] = hex[c >> 4 & 15];
	u[5] = hex[c & 15];
	buf_add(b, u, sizeof(u));
}

/*
 * Appends s (sz bytes, UTF-8) to b as the contents of a JSON string (RFC
 * 8259 section 7), without the quotes, in pure ASCII: " and \ escaped,
 * control characters in their short forms where JSON has them, every
 * other character outside printable ASCII as \uXXXX, above U+FFFF as a
 * UTF-16 surrogate pair (section 7).  A journal line then holds no byte
 * that any reader could take for a line break or a control: U+0085,
 * U+2028 and U+2029 split lines for some readers, and DEL or C1
 * controls reach terminals.  A byte that starts no valid UTF-8 sequence
 * becomes U+FFFD; callers pass checked text.
 */
void
json_esc(struct buf *b, const char *s, size_t sz)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i, run = 0, n;
	uint32_t		 c;
	const char		*e;

	for (i = 0; i < sz; i += n) {
		n = 1;
		if (u[i] >= 0x20 && u[i] < 0x7f && u[i] != '"' && u[i] != '\\')
			continue;
		if (i > run)
			buf_add(b, s + run, i - run);
		e = NULL;
		switch (u[i]) {
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
		if (e != NULL)
			buf_adds(b, e);
		else if ((n = utf8_one(u + i, sz - i, &c)) == 0) {
			n = 1;
			u4(b, 0xfffd);
		} else if (c > 0xffff) {
			c -= 0x10000;
			u4(b, 0xd800 | c >> 10);
			u4(b, 0xdc00 | (c & 0x3ff));
		} else
			u4(b, c);
		run = i + n;
	}
	if (sz > run)
		buf_add(b, s + run, sz - run);
}

/*
 * Appends s (sz bytes) to b as text safe for a terminal or a log line:
 * printable ASCII as is but '\', which is doubled so that the output
 * reads back unambiguously; a valid UTF-8 character outside ASCII as
 * \uXXXX (\UXXXXXXXX above U+FFFF); a control character, DEL or a byte
 * that starts no valid UTF-8 sequence as \xHH.  A key id, a path or any
 * string from a file then cannot move the cursor, clear a screen, forge
 * a log line or hide behind a lookalike character.
 */
void
log_esc(struct buf *b, const char *s, size_t sz)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i, run = 0, n;
	uint32_t		 c;
	char			 x[4];

	for (i = 0; i < sz; i += n) {
		n = 1;
		if (u[i] >= 0x20 && u[i] < 0x7f && u[i] != '\\')
			continue;
		if (i > run)
			buf_add(b, s + run, i - run);
		if (u[i] == '\\')
			buf_add(b, "\\\\", 2);
		else if (u[i] < 0x80 || (n = utf8_one(u + i, sz - i, &c)) == 0) {
			n = 1;
			x[0] = '\\';
			x[1] = 'x';
			x[2] = hex[u[i] >> 4];
			x[3] = hex[u[i] & 15];
			buf_add(b, x, sizeof(x));
		} else if (c > 0xffff)
			buf_addf(b, "\\U%08X", (unsigned)c);
		else
			u4(b, c);
		run = i + n;
	}
	if (sz > run)
		buf_add(b, s + run, sz - run);
}
