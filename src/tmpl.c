/*
 * tmpl.c - the HTML pages: templates/LOCALE/PAGE.html, read and split
 * into segments once at load, rendered per request without allocating
 * anything but the output buffer.
 *
 * The language is a small subset of Mustache: {{name}} substitutes a
 * value (HTML-escaped unless the caller marks it as HTML),
 * {{#name}}...{{/name}} shows its body only when the value is non-empty
 * and {{^name}}...{{/name}} only when it is empty.  Every name must be
 * one of tvar_names; anything else fails the load, with file and line,
 * so that "endsession --check" catches a broken template (design.md section 2).
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endsession.h"

const char *const tvar_names[TV__MAX] = {
	"lang",			/* TV_LANG */
	"action",		/* TV_ACTION */
	"confirm_fields",	/* TV_CONFIRM_FIELDS */
	"cancel_fields",	/* TV_CANCEL_FIELDS */
	"client_name",		/* TV_CLIENT_NAME */
	"message",		/* TV_MESSAGE */
	"style",		/* TV_STYLE */
};

/* File names, without ".html", indexed by enum page. */
static const char *const page_files[PAGE__MAX] = {
	"confirm",		/* PAGE_CONFIRM */
	"signed-out",		/* PAGE_SIGNED_OUT */
	"error",		/* PAGE_ERROR */
	"stayed",		/* PAGE_STAYED */
};

/*
 * Variables that carry HTML rather than text.  A section may only test a
 * text variable: the hidden-field blocks are never meant to be absent.
 */
static const int tvar_is_html[TV__MAX] = {
	[TV_CONFIRM_FIELDS] = 1,
	[TV_CANCEL_FIELDS] = 1,
	[TV_STYLE] = 1,
};

/*
 * Placeholders each page must hold, so that an edited template cannot
 * silently lose its <html lang>, the forms or the error text (design.md
 * section 7).  A bit (1u << tvar) per required variable.
 */
#define TV_BIT(v)	(1u << (v))
static const unsigned page_required[PAGE__MAX] = {
	[PAGE_CONFIRM] = TV_BIT(TV_LANG) | TV_BIT(TV_ACTION) |
	    TV_BIT(TV_CONFIRM_FIELDS) | TV_BIT(TV_CANCEL_FIELDS),
	[PAGE_SIGNED_OUT] = TV_BIT(TV_LANG),
	[PAGE_ERROR] = TV_BIT(TV_LANG) | TV_BIT(TV_ACTION) |
	    TV_BIT(TV_MESSAGE),
	[PAGE_STAYED] = TV_BIT(TV_LANG),
};

#define TMPL_DEPTH	8	/* nested sections */
#define TMPL_NAME_MAX	64	/* longest placeholder name quoted in errors */

enum seg_kind {
	SEG_TEXT,		/* literal bytes */
	SEG_VAR,		/* {{name}} */
	SEG_OPEN,		/* {{#name}} */
	SEG_INVERT,		/* {{^name}} */
	SEG_CLOSE,		/* {{/name}} */
};

struct seg {
	enum seg_kind	 kind;
	enum tvar	 var;	/* all but SEG_TEXT */
	const char	*p;	/* SEG_TEXT: into the page's source */
	size_t		 sz;
	size_t		 close;	/* SEG_OPEN, SEG_INVERT: its SEG_CLOSE */
};

struct page_tmpl {
	char		*src;	/* the file, NUL-terminated */
	size_t		 srcsz;
	struct seg	*segs;
	size_t		 n;
};

struct tmplset {
	struct page_tmpl	 pages[LOC__MAX][PAGE__MAX];
	char			*style;		/* style.css, or NULL */
	size_t			 stylesz;
};

/*
 * The variable named exactly by the sz bytes at s, or TV__MAX.
 */
static enum tvar
tvar_find(const char *s, size_t sz)
{
	size_t	 i;

	for (i = 0; i < TV__MAX; i++)
		if (strlen(tvar_names[i]) == sz &&
		    memcmp(tvar_names[i], s, sz) == 0)
			return (enum tvar)i;
	return TV__MAX;
}

/*
 * Whether the sz bytes at s are safe to quote in an error message: short
 * and printable ASCII.  Anything else is described, not quoted.
 */
static int
quotable(const char *s, size_t sz)
{
	size_t	 i;

	if (sz > TMPL_NAME_MAX)
		return 0;
	for (i = 0; i < sz; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return 0;
	return 1;
}

/*
 * Checks the file is strict UTF-8 without NUL, line by line so that an
 * error names the line.  A newline byte is never part of a multi-byte
 * sequence, so checking the lines is checking the whole.  Returns 1 if
 * valid, else 0 with err set.
 */
static int
check_utf8(const char *src, size_t sz, const char *path, struct es_err *err)
{
	const char	*nl;
	size_t		 off = 0, line = 1, len;

	while (off < sz) {
		nl = memchr(src + off, '\n', sz - off);
		len = nl == NULL ? sz - off : (size_t)(nl - (src + off));
		if (!utf8_valid(src + off, len)) {
			err_set(err, path, line,
			    "invalid UTF-8 or a NUL byte");
			return 0;
		}
		off += len + 1;
		line++;
	}
	return 1;
}

/*
 * The first occurrence of the two bytes c c in the sz bytes at s, or
 * NULL.  (memmem is a GNU extension.)
 */
static const char *
find2(const char *s, size_t sz, char c)
{
	const char	*p;

	while (sz >= 2 && (p = memchr(s, c, sz - 1)) != NULL) {
		if (p[1] == c)
			return p;
		sz -= (size_t)(p + 1 - s);
		s = p + 1;
	}
	return NULL;
}

/*
 * Splits t->src into segments.  The first pass only counts them (and
 * finds every error); the second, with the array allocated once, fills
 * them in and links each section's opening to its closing.  Returns 1,
 * or 0 with err set (path and line of the fault).
 */
static int
split(struct page_tmpl *t, enum page pg, const char *path, struct es_err *err)
{
	struct {
		enum tvar	 var;
		size_t		 off;	/* of its "{{" in the source */
		size_t		 idx;	/* of its segment (filling pass) */
	}		 stack[TMPL_DEPTH];
	const char	*s = t->src, *open, *end, *name;
	size_t		 sz = t->srcsz, off, at, nsegs = 0, namesz, depth, i;
	unsigned	 seen = 0;
	enum seg_kind	 kind;
	enum tvar	 v;
	struct seg	*sg;
	int		 fill;

	t->n = 0;
	for (fill = 0; fill <= 1; fill++) {
		if (fill) {
			if (nsegs == 0)
				break;
			t->segs = calloc(nsegs, sizeof(*t->segs));
			if (t->segs == NULL) {
				err_set(err, path, 0, "out of memory");
				return 0;
			}
		}
		off = 0;
		depth = 0;
		while (off < sz) {
			if ((open = find2(s + off, sz - off, '{')) == NULL)
				open = s + sz;
			if (open > s + off) {
				if (fill) {
					sg = &t->segs[t->n++];
					sg->kind = SEG_TEXT;
					sg->p = s + off;
					sg->sz = (size_t)(open - (s + off));
				} else
					nsegs++;
			}
			if (open == s + sz)
				break;
			at = (size_t)(open - s);
			end = find2(open + 2, sz - at - 2, '}');
			if (end == NULL) {
				err_set(err, path, line_of(s, sz, at),
				    "\"{{\" without a closing \"}}\"");
				return 0;
			}
			name = open + 2;
			namesz = (size_t)(end - name);
			kind = SEG_VAR;
			if (namesz > 0 && (*name == '#' || *name == '^' ||
			    *name == '/')) {
				kind = *name == '#' ? SEG_OPEN :
				    *name == '^' ? SEG_INVERT : SEG_CLOSE;
				name++;
				namesz--;
			}
			if ((v = tvar_find(name, namesz)) == TV__MAX) {
				if (quotable(open, (size_t)(end + 2 - open)))
					err_set(err, path, line_of(s, sz, at),
					    "unknown placeholder %.*s",
					    (int)(end + 2 - open), open);
				else
					err_set(err, path, line_of(s, sz, at),
					    "unknown placeholder");
				return 0;
			}
			seen |= TV_BIT(v);
			if (kind != SEG_VAR && tvar_is_html[v]) {
				err_set(err, path, line_of(s, sz, at),
				    "section on {{%s}}, which is not text",
				    tvar_names[v]);
				return 0;
			}
			if (kind == SEG_OPEN || kind == SEG_INVERT) {
				if (depth == TMPL_DEPTH) {
					err_set(err, path, line_of(s, sz, at),
					    "sections nested deeper than %d",
					    TMPL_DEPTH);
					return 0;
				}
				stack[depth].var = v;
				stack[depth].off = at;
				stack[depth].idx = t->n;
				depth++;
			} else if (kind == SEG_CLOSE) {
				if (depth == 0) {
					err_set(err, path, line_of(s, sz, at),
					    "{{/%s}} without an open section",
					    tvar_names[v]);
					return 0;
				}
				depth--;
				if (stack[depth].var != v) {
					err_set(err, path, line_of(s, sz, at),
					    "{{/%s}} closes {{%c%s}} of line "
					    "%zu", tvar_names[v],
					    s[stack[depth].off + 2],
					    tvar_names[stack[depth].var],
					    line_of(s, sz, stack[depth].off));
					return 0;
				}
				if (fill)
					t->segs[stack[depth].idx].close = t->n;
			}
			if (fill) {
				sg = &t->segs[t->n++];
				sg->kind = kind;
				sg->var = v;
			} else
				nsegs++;
			off = (size_t)(end + 2 - s);
		}
		if (depth > 0) {
			err_set(err, path,
			    line_of(s, sz, stack[depth - 1].off),
			    "{{%c%s}} not closed by the end of the file",
			    s[stack[depth - 1].off + 2],
			    tvar_names[stack[depth - 1].var]);
			return 0;
		}
	}
	for (i = 0; i < TV__MAX; i++)
		if ((page_required[pg] & TV_BIT(i)) && !(seen & TV_BIT(i))) {
			err_set(err, path, 0, "lacks the placeholder {{%s}}",
			    tvar_names[i]);
			return 0;
		}
	return 1;
}

/*
 * Reads and splits dir/LOCALE/PAGE.html for every locale and page.
 * Returns a set the caller frees with tmpl_free, or NULL with err set:
 * a missing or unreadable file, invalid UTF-8, an unknown placeholder,
 * an unbalanced section, an unclosed "{{", a required placeholder
 * missing.
 */
struct tmplset *
tmpl_load(const char *dir, struct es_err *err)
{
	struct tmplset		*ts;
	struct page_tmpl	*t;
	struct stat		 sb;
	char			 path[1024];
	size_t			 l, p;
	int			 n;

	if ((ts = calloc(1, sizeof(*ts))) == NULL) {
		err_set(err, dir, 0, "out of memory");
		return NULL;
	}
	/*
	 * The one stylesheet every page inlines as {{style}}: optional, and
	 * never able to close its <style> element.
	 */
	n = snprintf(path, sizeof(path), "%s/style.css", dir);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		err_set(err, dir, 0, "path too long");
		goto fail;
	}
	if (stat(path, &sb) == 0) {
		if (!file_read(path, LIM_TMPL_SZ, &ts->style, &ts->stylesz,
		    err) || !check_utf8(ts->style, ts->stylesz, path, err))
			goto fail;
		if (strchr(ts->style, '<') != NULL) {
			err_set(err, path, 0, "'<' is not allowed in the "
			    "stylesheet");
			goto fail;
		}
	}
	for (l = 0; l < LOC__MAX; l++)
		for (p = 0; p < PAGE__MAX; p++) {
			t = &ts->pages[l][p];
			n = snprintf(path, sizeof(path), "%s/%s/%s.html",
			    dir, locale_names[l], page_files[p]);
			if (n < 0 || (size_t)n >= sizeof(path)) {
				err_set(err, dir, 0, "path too long");
				goto fail;
			}
			if (!file_read(path, LIM_TMPL_SZ, &t->src, &t->srcsz,
			    err))
				goto fail;
			if (!check_utf8(t->src, t->srcsz, path, err))
				goto fail;
			if (!split(t, (enum page)p, path, err))
				goto fail;
		}
	return ts;
fail:
	tmpl_free(ts);
	return NULL;
}

/*
 * Appends page pg of locale loc to out, with vals substituted (a NULL
 * vals renders every value empty).  Allocates nothing but out's growth.
 * Returns 1, or 0 when out is out of memory.
 */
int
tmpl_render(const struct tmplset *ts, enum locale loc, enum page pg,
    const struct tval vals[TV__MAX], struct buf *out)
{
	const struct page_tmpl	*t;
	const struct seg	*sg;
	const struct tval	*v;
	size_t			 i;
	int			 set;

	if (ts == NULL || (unsigned)loc >= LOC__MAX ||
	    (unsigned)pg >= PAGE__MAX) {
		out->oom = 1;
		return 0;
	}
	t = &ts->pages[loc][pg];
	for (i = 0; i < t->n && !out->oom; i++) {
		sg = &t->segs[i];
		if (sg->kind == SEG_TEXT) {
			buf_add(out, sg->p, sg->sz);
			continue;
		}
		if (sg->var == TV_STYLE) {
			if (ts->style != NULL)
				buf_add(out, ts->style, ts->stylesz);
			continue;
		}
		v = vals == NULL ? NULL : &vals[sg->var];
		set = v != NULL && v->p != NULL && v->sz > 0;
		switch (sg->kind) {
		case SEG_VAR:
			if (!set)
				break;
			if (v->html)
				buf_add(out, v->p, v->sz);
			else
				html_esc(out, v->p, v->sz);
			break;
		case SEG_OPEN:
			if (!set)
				i = sg->close;
			break;
		case SEG_INVERT:
			if (set)
				i = sg->close;
			break;
		default:
			break;
		}
	}
	return !out->oom;
}

void
tmpl_free(struct tmplset *ts)
{
	size_t	 l, p;

	if (ts == NULL)
		return;
	free(ts->style);
	for (l = 0; l < LOC__MAX; l++)
		for (p = 0; p < PAGE__MAX; p++) {
			free(ts->pages[l][p].src);
			free(ts->pages[l][p].segs);
		}
	free(ts);
}
