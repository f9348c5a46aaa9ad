/*
 * test_tmpl.c - the templates: the shipped set loads and renders in every
 * locale, values are escaped, sections show and hide, and broken
 * templates fail the load with the file and line at fault.
 *
 * The shipped templates are read from $ES_TEMPLATES, else "templates"
 * (the tests run from the top of the source tree).
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "endsession.h"
#include "unit.h"

static const char *const pages[PAGE__MAX] = {
	"confirm", "signed-out", "error", "stayed"
};

static const char *
tdir(void)
{
	const char	*d = getenv("ES_TEMPLATES");

	return d != NULL && *d != '\0' ? d : "templates";
}

static void
setv(struct tval v[TV__MAX], enum tvar i, const char *s, int html)
{
	v[i].p = s;
	v[i].sz = s == NULL ? 0 : strlen(s);
	v[i].html = html;
}

/* Renders one page into a fresh buffer; the caller frees it. */
static int
render1(const struct tmplset *ts, enum locale l, enum page p,
    const struct tval v[TV__MAX], struct buf *b)
{
	memset(b, 0, sizeof(*b));
	return tmpl_render(ts, l, p, v, b);
}

static void
test_load_shipped(void)
{
	struct es_err	 err;
	struct tmplset	*ts;

	memset(&err, 0, sizeof(err));
	ts = tmpl_load(tdir(), &err);
	if (ts == NULL)
		err_print(&err);
	CU_ASSERT_PTR_NOT_NULL(ts);
	tmpl_free(ts);
	tmpl_free(NULL);
}

static void
test_render_all(void)
{
	struct es_err	 err;
	struct tmplset	*ts;
	struct tval	 v[TV__MAX];
	struct buf	 b;
	char		 want[64];
	size_t		 l, p;

	ts = tmpl_load(tdir(), &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ts);
	for (l = 0; l < LOC__MAX; l++)
		for (p = 0; p < PAGE__MAX; p++) {
			memset(v, 0, sizeof(v));
			setv(v, TV_LANG, locale_names[l], 0);
			setv(v, TV_ACTION, "/oauth/end_session", 0);
			setv(v, TV_CONFIRM_FIELDS,
			    "<input type=\"hidden\" name=\"confirm\" "
			    "value=\"TOK\">", 1);
			setv(v, TV_CANCEL_FIELDS,
			    "<input type=\"hidden\" name=\"op\" "
			    "value=\"cancel\">", 1);
			setv(v, TV_CLIENT_NAME, "Example Publication", 0);
			setv(v, TV_MESSAGE, "The client is unknown.", 0);
			CU_ASSERT_FATAL(render1(ts, (enum locale)l,
			    (enum page)p, v, &b));
			snprintf(want, sizeof(want),
			    "<!DOCTYPE html><html lang=\"%s\">",
			    locale_names[l]);
			CU_ASSERT(strncmp(b.p, want, strlen(want)) == 0);
			CU_ASSERT(strlen(b.p) == b.sz);
			CU_ASSERT(strstr(b.p, "{{") == NULL);
			CU_ASSERT(strstr(b.p, "<script") == NULL);
			CU_ASSERT(strstr(b.p, "http:") == NULL);
			CU_ASSERT(strstr(b.p, "https:") == NULL);
			CU_ASSERT(strstr(b.p, "name=\"viewport\"") != NULL);
			CU_ASSERT(strstr(b.p, "<strong>Example Publication"
			    "</strong>") != NULL || p == PAGE_ERROR);
			if (p == PAGE_CONFIRM) {
				CU_ASSERT(strstr(b.p, "<form id=\"logout-confirm\" "
				    "method=\"post\" action=\"/oauth/end_session\">"
				    "<input type=\"hidden\" name=\"confirm\" "
				    "value=\"TOK\"><button type=\"submit\">")
				    != NULL);
				CU_ASSERT(strstr(b.p, "<form id=\"logout-cancel\" "
				    "method=\"post\" action=\"/oauth/end_session\">"
				    "<input type=\"hidden\" name=\"op\" "
				    "value=\"cancel\"><button type=\"submit\">")
				    != NULL);
			}
			if (p == PAGE_ERROR) {
				CU_ASSERT(strstr(b.p, "The client is unknown.")
				    != NULL);
				CU_ASSERT(strstr(b.p,
				    "<a class=\"button\" href=\"/oauth/end_session\">")
				    != NULL);
			}
			buf_free(&b);
		}

	/* The language shows: Swedish words on the Swedish page. */
	memset(v, 0, sizeof(v));
	CU_ASSERT(render1(ts, LOC_SV, PAGE_CONFIRM, v, &b));
	CU_ASSERT(strstr(b.p, "Vill du logga ut?") != NULL);
	CU_ASSERT(strstr(b.p, "Förbli inloggad") != NULL);
	buf_free(&b);
	CU_ASSERT(render1(ts, LOC_EN, PAGE_SIGNED_OUT, v, &b));
	CU_ASSERT(strstr(b.p, "You have been signed out") != NULL);
	buf_free(&b);
	tmpl_free(ts);
}

static void
test_escape_and_sections(void)
{
	struct es_err	 err;
	struct tmplset	*ts;
	struct tval	 v[TV__MAX];
	struct buf	 b;
	size_t		 l;

	ts = tmpl_load(tdir(), &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ts);
	for (l = 0; l < LOC__MAX; l++) {
		memset(v, 0, sizeof(v));
		setv(v, TV_LANG, locale_names[l], 0);
		setv(v, TV_ACTION, "/e?x=\"1\"&y=<2>", 0);
		setv(v, TV_CLIENT_NAME, "<script>\"'&", 0);
		setv(v, TV_MESSAGE, "<b>bad</b>", 0);
		CU_ASSERT_FATAL(render1(ts, (enum locale)l, PAGE_CONFIRM, v,
		    &b));
		CU_ASSERT(strstr(b.p, "<script") == NULL);
		CU_ASSERT(strstr(b.p, "&lt;script&gt;&quot;&#39;&amp;") != NULL ||
		    strstr(b.p, "&lt;script&gt;&quot;&#x27;&amp;") != NULL ||
		    strstr(b.p, "&lt;script&gt;&#34;&#39;&amp;") != NULL);
		CU_ASSERT(strstr(b.p, "action=\"/e?x=&quot;1&quot;&amp;y=&lt;2&gt;\"")
		    != NULL || strstr(b.p, "action=\"/e?x=&#34;1&#34;&amp;"
		    "y=&lt;2&gt;\"") != NULL);
		buf_free(&b);

		CU_ASSERT_FATAL(render1(ts, (enum locale)l, PAGE_ERROR, v, &b));
		CU_ASSERT(strstr(b.p, "<b>bad") == NULL);
		CU_ASSERT(strstr(b.p, "&lt;b&gt;bad&lt;/b&gt;") != NULL);
		buf_free(&b);

		/* No client name: the section and its <strong> vanish. */
		setv(v, TV_CLIENT_NAME, NULL, 0);
		CU_ASSERT_FATAL(render1(ts, (enum locale)l, PAGE_SIGNED_OUT, v,
		    &b));
		CU_ASSERT(strstr(b.p, "<strong>") == NULL);
		buf_free(&b);
		setv(v, TV_CLIENT_NAME, "", 0);
		CU_ASSERT_FATAL(render1(ts, (enum locale)l, PAGE_CONFIRM, v,
		    &b));
		CU_ASSERT(strstr(b.p, "<strong>") == NULL);
		buf_free(&b);
	}
	tmpl_free(ts);
}

/* ------------------------------------------------- templates of our own */

/*
 * A temporary template tree: every page of every locale holds body,
 * except that page "bad" of locale "en" holds badbody (NULL: missing).
 */
struct tree {
	char	 dir[64];
};

static int
write_file(const char *path, const char *s)
{
	FILE	*f;
	int	 ok;

	if ((f = fopen(path, "w")) == NULL)
		return 0;
	ok = fputs(s, f) >= 0;
	return fclose(f) == 0 && ok;
}

static int
tree_make(struct tree *t, const char *body, const char *bad,
    const char *badbody)
{
	char	 path[256];
	size_t	 l, p;

	snprintf(t->dir, sizeof(t->dir), "/tmp/es-tmpl-XXXXXX");
	if (mkdtemp(t->dir) == NULL)
		return 0;
	for (l = 0; l < LOC__MAX; l++) {
		snprintf(path, sizeof(path), "%s/%s", t->dir, locale_names[l]);
		if (mkdir(path, 0700) == -1)
			return 0;
		for (p = 0; p < PAGE__MAX; p++) {
			snprintf(path, sizeof(path), "%s/%s/%s.html", t->dir,
			    locale_names[l], pages[p]);
			if (l == LOC_EN && bad != NULL &&
			    strcmp(pages[p], bad) == 0) {
				if (badbody == NULL)
					continue;
				if (!write_file(path, badbody))
					return 0;
			} else if (!write_file(path, body))
				return 0;
		}
	}
	return 1;
}

static void
tree_rm(struct tree *t)
{
	char	 path[256];
	size_t	 l, p;

	for (l = 0; l < LOC__MAX; l++) {
		for (p = 0; p < PAGE__MAX; p++) {
			snprintf(path, sizeof(path), "%s/%s/%s.html", t->dir,
			    locale_names[l], pages[p]);
			unlink(path);
		}
		snprintf(path, sizeof(path), "%s/%s", t->dir, locale_names[l]);
		rmdir(path);
	}
	rmdir(t->dir);
}

/* Every placeholder a page must hold, so the good tree loads. */
#define GOOD \
	"<!DOCTYPE html><html lang=\"{{lang}}\">\n" \
	"<form action=\"{{action}}\">{{confirm_fields}}</form>\n" \
	"<form action=\"{{action}}\">{{cancel_fields}}</form>\n" \
	"<p>{{message}}</p>\n"

static const struct {
	const char	*name;
	const char	*page;		/* of locale en */
	const char	*body;		/* NULL: the file is missing */
	size_t		 line;
	const char	*msg;		/* a substring of the message */
} bad_cases[] = {
	{ "unknown", "error", GOOD "x\n<p>{{foo}}</p>\n", 6,
	    "unknown placeholder {{foo}}" },
	{ "unknown spaced", "confirm", GOOD "{{ lang }}", 5,
	    "unknown placeholder {{ lang }}" },
	{ "unknown section", "stayed", GOOD "\n\n{{#nope}}{{/nope}}", 7,
	    "unknown placeholder {{#nope}}" },
	{ "empty", "stayed", "{{}}" GOOD, 1, "unknown placeholder {{}}" },
	{ "unclosed brace", "confirm", GOOD "\n{{lang\n</p>\n", 6,
	    "without a closing" },
	{ "unclosed brace end", "confirm", GOOD "{{", 5, "without a closing" },
	{ "unclosed section", "signed-out",
	    GOOD "{{#client_name}}\n<p>x</p>\n", 5, "not closed" },
	{ "close without open", "signed-out",
	    GOOD "<p>x</p>\n{{/client_name}}", 6, "without an open" },
	{ "mismatched", "signed-out",
	    GOOD "{{#client_name}}\n{{^message}}\n{{/client_name}}\n"
	    "{{/message}}", 7, "closes {{^message}} of line 6" },
	{ "section on html", "confirm",
	    GOOD "{{#confirm_fields}}{{/confirm_fields}}", 5, "not text" },
	{ "bad utf8", "error", GOOD "\n<p>\xc3\x28</p>\n", 6, "UTF-8" },
	{ "overlong utf8", "error", GOOD "<p>\xc0\xaf</p>\n", 5, "UTF-8" },
	{ "missing", "stayed", NULL, 0, "stayed.html" },
	{ "lacks fields", "confirm",
	    "<html lang=\"{{lang}}\">{{action}}{{confirm_fields}}", 0,
	    "{{cancel_fields}}" },
};

static void
test_load_errors(void)
{
	struct tree	 t;
	struct es_err	 err;
	struct tmplset	*ts;
	size_t		 i;

	/* First, the good tree loads. */
	CU_ASSERT_FATAL(tree_make(&t, GOOD, NULL, NULL));
	ts = tmpl_load(t.dir, &err);
	CU_ASSERT_PTR_NOT_NULL(ts);
	tmpl_free(ts);
	tree_rm(&t);

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		CU_ASSERT_FATAL(tree_make(&t, GOOD, bad_cases[i].page,
		    bad_cases[i].body));
		memset(&err, 0, sizeof(err));
		ts = tmpl_load(t.dir, &err);
		CU_ASSERT_PTR_NULL(ts);
		tmpl_free(ts);
		if (bad_cases[i].line != 0 && err.line != bad_cases[i].line)
			fprintf(stderr, "%s: line %zu, want %zu\n",
			    bad_cases[i].name, err.line, bad_cases[i].line);
		if (bad_cases[i].line != 0)
			CU_ASSERT_EQUAL(err.line, bad_cases[i].line);
		CU_ASSERT(strstr(err.file, "/en/") != NULL);
		CU_ASSERT(strstr(err.file, bad_cases[i].page) != NULL);
		if (bad_cases[i].msg != NULL &&
		    strstr(err.msg, bad_cases[i].msg) == NULL &&
		    strstr(err.file, bad_cases[i].msg) == NULL) {
			fprintf(stderr, "%s: message \"%s\"\n",
			    bad_cases[i].name, err.msg);
			CU_FAIL("message");
		}
		tree_rm(&t);
	}

	/* A folder that is not there at all. */
	memset(&err, 0, sizeof(err));
	CU_ASSERT_PTR_NULL(tmpl_load("/nonexistent/es-templates", &err));
	CU_ASSERT(strstr(err.file, "/nonexistent/es-templates/en/") != NULL);
}

/* Sections, inverted sections, nesting and values, on a template of ours. */
static void
test_render_sections(void)
{
	static const char *const body =
	    "<!DOCTYPE html><html lang=\"{{lang}}\">"
	    "[{{#client_name}}A{{client_name}}{{#message}}M{{message}}"
	    "{{/message}}{{/client_name}}]"
	    "[{{^client_name}}none{{/client_name}}]"
	    "[{{^message}}nomsg{{#client_name}}+{{client_name}}"
	    "{{/client_name}}{{/message}}]"
	    "{{action}}{{confirm_fields}}{{cancel_fields}}";
	static const struct {
		const char	*name, *msg, *want;
	} cases[] = {
		{ NULL, NULL, "[][none][nomsg]" },
		{ "", "", "[][none][nomsg]" },
		{ "c", NULL, "[Ac][][nomsg+c]" },
		{ "c", "m", "[AcMm][][]" },
		{ NULL, "m", "[][none][]" },
		{ "<&>", NULL, "[A&lt;&amp;&gt;][][nomsg+&lt;&amp;&gt;]" },
	};
	struct tree	 t;
	struct es_err	 err;
	struct tmplset	*ts;
	struct tval	 v[TV__MAX];
	struct buf	 b;
	char		 want[256];
	size_t		 i;

	CU_ASSERT_FATAL(tree_make(&t, body, NULL, NULL));
	ts = tmpl_load(t.dir, &err);
	tree_rm(&t);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ts);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(v, 0, sizeof(v));
		setv(v, TV_LANG, "sv", 0);
		setv(v, TV_CLIENT_NAME, cases[i].name, 0);
		setv(v, TV_MESSAGE, cases[i].msg, 0);
		setv(v, TV_CONFIRM_FIELDS, "<i>", 1);
		CU_ASSERT_FATAL(render1(ts, LOC_SV, PAGE_STAYED, v, &b));
		snprintf(want, sizeof(want),
		    "<!DOCTYPE html><html lang=\"sv\">%s<i>", cases[i].want);
		if (strcmp(b.p, want) != 0)
			fprintf(stderr, "case %zu: got %s\n", i, b.p);
		CU_ASSERT_STRING_EQUAL(b.p, want);
		buf_free(&b);
	}

	/* Appends to what the buffer holds; NULL vals render empty. */
	memset(&b, 0, sizeof(b));
	buf_adds(&b, "X");
	CU_ASSERT(tmpl_render(ts, LOC_EN, PAGE_ERROR, NULL, &b));
	CU_ASSERT_STRING_EQUAL(b.p,
	    "X<!DOCTYPE html><html lang=\"\">[][none][nomsg]");
	buf_free(&b);

	/* A buffer already out of memory stays so. */
	memset(&b, 0, sizeof(b));
	b.oom = 1;
	CU_ASSERT(!tmpl_render(ts, LOC_EN, PAGE_ERROR, NULL, &b));
	buf_free(&b);
	tmpl_free(ts);
}

UNIT_SUITE("tmpl",
	{ "load shipped templates", test_load_shipped },
	{ "render every page", test_render_all },
	{ "escaping and sections", test_escape_and_sections },
	{ "load errors", test_load_errors },
	{ "render sections", test_render_sections },
)
