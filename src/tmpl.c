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
 * One split of a page's source (below): two passes over it, the first
 * only counting segments (and finding every error), the second, with
 * the array allocated once, filling them in.
 */
struct splitter {
	struct page_tmpl *t;
	const char	*path;		/* for errors */
	struct es_err	*err;
	int		 fill;		/* the second pass */
	size_t		 nsegs;		/* counted by the first */
	struct {
		enum tvar	 var;
		size_t		 off;	/* of its "{{" in the source */
		size_t		 idx;	/* of its segment (filling pass) */
	}		 stack[TMPL_DEPTH];	/* open sections */
	size_t		 depth;
	unsigned	 seen;		/* TV_BIT per placeholder met */
};

/* Counts a segment, or (filling) appends it. */
static void
add_seg(struct splitter *sp, enum seg_kind kind, enum tvar v, const char *p,
    size_t sz)
{
	struct seg	*sg;

	if (!sp->fill) {
		sp->nsegs++;
		return;
	}
	sg = &sp->t->segs[sp->t->n++];
	sg->kind = kind;
	sg->var = v;
	sg->p = p;
	sg->sz = sz;
}

/*
 * The tag "{{...}}" from open (at offset at) to end (its "}}"): its kind
 * and variable.  Returns 0 with err set when the name is unknown, or a
 * section tests a variable that holds HTML.
 */
static int
read_tag(struct splitter *sp, const char *open, size_t at, const char *end,
    enum seg_kind *kind, enum tvar *v)
{
	const char	*s = sp->t->src, *name = open + 2;
	size_t		 sz = sp->t->srcsz, namesz = (size_t)(end - name);

	*kind = SEG_VAR;
	if (namesz > 0 && (*name == '#' || *name == '^' || *name == '/')) {
		*kind = *name == '#' ? SEG_OPEN : *name == '^' ? SEG_INVERT :
		    SEG_CLOSE;
		name++;
		namesz--;
	}
	if ((*v = tvar_find(name, namesz)) == TV__MAX) {
		if (quotable(open, (size_t)(end + 2 - open)))
			err_set(sp->err, sp->path, line_of(s, sz, at),
			    "unknown placeholder %.*s",
			    (int)(end + 2 - open), open);
		else
			err_set(sp->err, sp->path, line_of(s, sz, at),
			    "unknown placeholder");
		return 0;
	}
	sp->seen |= TV_BIT(*v);
	if (*kind != SEG_VAR && tvar_is_html[*v]) {
		err_set(sp->err, sp->path, line_of(s, sz, at),
		    "section on {{%s}}, which is not text", tvar_names[*v]);
		return 0;
	}
	return 1;
}

/*
 * Keeps sections balanced: an opening tag is pushed, a closing one must
 * close the innermost (and, filling, links the opening to it).  Returns
 * 0 with err set.
 */
static int
nest(struct splitter *sp, enum seg_kind kind, enum tvar v, size_t at)
{
	const char	*s = sp->t->src;
	size_t		 sz = sp->t->srcsz, top;

	if (kind == SEG_OPEN || kind == SEG_INVERT) {
		if (sp->depth == TMPL_DEPTH) {
			err_set(sp->err, sp->path, line_of(s, sz, at),
			    "sections nested deeper than %d", TMPL_DEPTH);
			return 0;
		}
		sp->stack[sp->depth].var = v;
		sp->stack[sp->depth].off = at;
		sp->stack[sp->depth].idx = sp->t->n;
		sp->depth++;
	} else if (kind == SEG_CLOSE) {
		if (sp->depth == 0) {
			err_set(sp->err, sp->path, line_of(s, sz, at),
			    "{{/%s}} without an open section", tvar_names[v]);
			return 0;
		}
		top = --sp->depth;
		if (sp->stack[top].var != v) {
			err_set(sp->err, sp->path, line_of(s, sz, at),
			    "{{/%s}} closes {{%c%s}} of line %zu",
			    tvar_names[v], s[sp->stack[top].off + 2],
			    tvar_names[sp->stack[top].var],
			    line_of(s, sz, sp->stack[top].off));
			return 0;
		}
		if (sp->fill)
			sp->t->segs[sp->stack[top].idx].close = sp->t->n;
	}
	return 1;
}

/* One pass over the source: text and tags in turn.  Returns 0 on error. */
static int
split_pass(struct splitter *sp)
{
	const char	*s = sp->t->src, *open, *end;
	size_t		 sz = sp->t->srcsz, off = 0, at, top;
	enum seg_kind	 kind;
	enum tvar	 v;

	sp->depth = 0;
	while (off < sz) {
		if ((open = find2(s + off, sz - off, '{')) == NULL)
			open = s + sz;
		if (open > s + off)
			add_seg(sp, SEG_TEXT, TV__MAX, s + off,
			    (size_t)(open - (s + off)));
		if (open == s + sz)
			break;
		at = (size_t)(open - s);
		if ((end = find2(open + 2, sz - at - 2, '}')) == NULL) {
			err_set(sp->err, sp->path, line_of(s, sz, at),
			    "\"{{\" without a closing \"}}\"");
			return 0;
		}
		if (!read_tag(sp, open, at, end, &kind, &v) ||
		    !nest(sp, kind, v, at))
			return 0;
		add_seg(sp, kind, v, NULL, 0);
		off = (size_t)(end + 2 - s);
	}
	if (sp->depth > 0) {
		top = sp->depth - 1;
		err_set(sp->err, sp->path, line_of(s, sz, sp->stack[top].off),
		    "{{%c%s}} not closed by the end of the file",
		    s[sp->stack[top].off + 2], tvar_names[sp->stack[top].var]);
		return 0;
	}
	return 1;
}

/*
 * Splits t->src into segments (struct splitter's two passes) and checks
 * that the page holds every placeholder it must.  Returns 1, or 0 with
 * err set (path and line of the fault).
 */
static int
split(struct page_tmpl *t, enum page pg, const char *path, struct es_err *err)
{
	struct splitter	 sp;
	size_t		 i;

	memset(&sp, 0, sizeof(sp));
	sp.t = t;
	sp.path = path;
	sp.err = err;
	t->n = 0;
	if (!split_pass(&sp))
		return 0;
	if (sp.nsegs > 0) {
		if ((t->segs = calloc(sp.nsegs, sizeof(*t->segs))) == NULL) {
			err_set(err, path, 0, "out of memory");
			return 0;
		}
		sp.fill = 1;
		if (!split_pass(&sp))
			return 0;
	}
	for (i = 0; i < TV__MAX; i++)
		if ((page_required[pg] & TV_BIT(i)) && !(sp.seen & TV_BIT(i))) {
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
