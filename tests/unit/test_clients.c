/*
 * test_clients.c - clients.c: a valid file, lookups, exact redirect URI
 * matching, every kind of invalid file with its JSON path and line,
 * 100000 clients, and the CSP source of each URI.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "endsession.h"

static const char valid[] =
    "{\"clients\": [\n"
    " {\"client_id\": \"example-client-id\",\n"
    "  \"client_name\": \"Example Publication\",\n"
    "  \"post_logout_redirect_uris\": [\"https://example.com\",\n"
    "    \"https://example.com/after?x=1\"]},\n"
    " {\"client_id\": \"app\", \"unknown\": {\"nested\": [1, 2]},\n"
    "  \"post_logout_redirect_uris\": [\"com.example.app:/cb\"]},\n"
    " {\"client_id\": \"bare\"},\n"
    " {\"client_id\": \"caf\\u00e9\", \"client_name\": \"\"}\n"
    "], \"other\": true}\n";

static struct registry *
parse(const char *s, struct es_err *e)
{
	memset(e, 0, sizeof(*e));
	return clients_parse(s, strlen(s), "clients.json", e);
}

static void
test_valid(void)
{
	struct registry		*reg;
	struct es_err		 e;
	const struct client	*c;

	reg = parse(valid, &e);
	if (reg == NULL)
		err_print(&e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(reg);
	CU_ASSERT_EQUAL(clients_count(reg), 4);
	c = clients_find(reg, "example-client-id", 17);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(c->name, "Example Publication");
	CU_ASSERT_EQUAL(c->urisz, 2);
	CU_ASSERT_STRING_EQUAL(c->uris[0].uri, "https://example.com");
	c = clients_find(reg, "app", 3);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_PTR_NULL(c->name);
	CU_ASSERT_EQUAL(c->urisz, 1);
	c = clients_find(reg, "bare", 4);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->urisz, 0);
	CU_ASSERT_PTR_NULL(client_redir(c, "https://example.com", 19));
	c = clients_find(reg, "caf\xc3\xa9", 5);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_PTR_NULL(c->name);		/* "" counts as none */
	clients_free(reg);
	clients_free(NULL);
}

struct find_case {
	const char	*id;
	int		 found;
};

static const struct find_case fcases[] = {
	{ "example-client-id", 1 },
	{ "app", 1 },
	{ "bare", 1 },
	{ "example-client", 0 },		/* a prefix */
	{ "example-client-id ", 0 },
	{ "Example-client-id", 0 },
	{ "ap", 0 },
	{ "appx", 0 },
	{ "", 0 },
	{ "nobody", 0 },
};

static void
test_find(void)
{
	struct registry	*reg;
	struct es_err	 e;
	size_t		 i;

	reg = parse(valid, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(reg);
	for (i = 0; i < sizeof(fcases) / sizeof(fcases[0]); i++)
		CU_ASSERT_EQUAL(clients_find(reg, fcases[i].id,
		    strlen(fcases[i].id)) != NULL, fcases[i].found);
	/* Length counts: "app" within "apple". */
	CU_ASSERT_PTR_NOT_NULL(clients_find(reg, "apple", 3));
	CU_ASSERT_PTR_NULL(clients_find(NULL, "app", 3));
	clients_free(reg);
}

struct redir_case {
	const char	*uri;
	int		 index;		/* -1: not found */
};

static const struct redir_case rcases[] = {
	{ "https://example.com", 0 },
	{ "https://example.com/after?x=1", 1 },
	{ "https://example.com/", -1 },		/* trailing slash */
	{ "https://Example.com", -1 },		/* case */
	{ "HTTPS://example.com", -1 },
	{ "https://example.com?x=1", -1 },	/* added query */
	{ "https://example.com/after?x=1&y=2", -1 },
	{ "https://example.com/after?x=2", -1 },
	{ "https://example.com/after", -1 },
	{ "https://example.co", -1 },
	{ "https://example.com#f", -1 },
	{ "https://example.com:443", -1 },
	{ "https://example.com%2F", -1 },
	{ "", -1 },
};

static void
test_redir(void)
{
	struct registry		*reg;
	struct es_err		 e;
	const struct client	*c;
	const struct redir	*r;
	size_t			 i;

	reg = parse(valid, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(reg);
	c = clients_find(reg, "example-client-id", 17);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	for (i = 0; i < sizeof(rcases) / sizeof(rcases[0]); i++) {
		r = client_redir(c, rcases[i].uri, strlen(rcases[i].uri));
		if (rcases[i].index < 0) {
			CU_ASSERT_PTR_NULL(r);
		} else {
			CU_ASSERT_PTR_EQUAL(r, &c->uris[rcases[i].index]);
		}
	}
	CU_ASSERT_PTR_NULL(client_redir(NULL, "https://example.com", 19));
	clients_free(reg);
}

struct bad_case {
	const char	*json;
	size_t		 line;
	const char	*msg;		/* a substring of err.msg */
};

static const struct bad_case bcases[] = {
	{ "{\"clients\":[\n{\"client_id\":\"a\"},\n{\"client_id\":\"a\"}]}", 3,
	  "$.clients[1].client_id: duplicate" },
	{ "{\"clients\":[\n{\"client_id\":\"a\"},\n\n{\"client_name\":\"x\"}]}",
	  4, "$.clients[1].client_id" },
	{ "{\"clients\":[{\"client_id\":\"\"}]}", 1, "$.clients[0].client_id" },
	{ "{\"clients\":[{\"client_id\":7}]}", 1, "$.clients[0].client_id" },
	{ "{\"clients\":[{\"client_id\":\"a\",\n\"post_logout_redirect_uris\":"
	  "[\n\"/relative\"]}]}", 3,
	  "$.clients[0].post_logout_redirect_uris[0]" },
	{ "{\"clients\":[{\"client_id\":\"a\",\"post_logout_redirect_uris\":"
	  "[\"https://ok.example\",\n\"//evil.example/x\"]}]}", 2,
	  "$.clients[0].post_logout_redirect_uris[1]" },
	{ "{\"clients\":[{\"client_id\":\"a\"},\n{\"client_id\":\"b\","
	  "\"post_logout_redirect_uris\":[\"https://x.example/#frag\"]}]}", 2,
	  "$.clients[1].post_logout_redirect_uris[0]: holds a fragment" },
	{ "{\"clients\":[{\"client_id\":\"a\",\"post_logout_redirect_uris\":"
	  "[\"https://x.example/#\"]}]}", 1, "fragment" },
	{ "{\"clients\":[{\"client_id\":\"a\",\"post_logout_redirect_uris\":"
	  "[\"javascript:alert(1)\"]}]}", 1, "javascript" },
	{ "{\"clients\":[{\"client_id\":\"a\",\"post_logout_redirect_uris\":"
	  "[\"JavaScript:alert(1)\"]}]}", 1, "javascript" },
	{ "{\"clients\":[{\"client_id\":\"a\",\"post_logout_redirect_uris\":"
	  "[\"data:text/html,x\"]}]}", 1, "data:" },
	{ "{\"clients\":[{\"client_id\":\"a\",\"post_logout_redirect_uris\":"
	  "[42]}]}", 1, "post_logout_redirect_uris[0]: not a string" },
	{ "{\"clients\":[{\"client_id\":\"a\",\"post_logout_redirect_uris\":"
	  "\"https://x.example\"}]}", 1, "not an array" },
	{ "{\"clients\":[{\"client_id\":\"a\",\"post_logout_redirect_uris\":"
	  "[\"https://x.example/a b\"]}]}", 1, "space" },
	{ "{\"clients\":[{\"client_id\":\"a\",\"post_logout_redirect_uris\":"
	  "[\"https://x.example/\\r\\nX: y\"]}]}", 1, "control" },
	{ "{\"clients\":[{\"client_id\":\"a\",\"post_logout_redirect_uris\":"
	  "[\"https:///nohost\"]}]}", 1, "without a host" },
	{ "{\"clients\":[{\"client_id\":\"a\",\"post_logout_redirect_uris\":"
	  "[\"\"]}]}", 1, "empty" },
	{ "{\"clients\":[{\"client_id\":\"a\",\"client_name\":5}]}", 1,
	  "$.clients[0].client_name" },
	{ "{\"clients\":[\n\n\"a\"]}", 3, "$.clients[0]: expected an object" },
	{ "{\"clients\":{}}", 1, "$.clients" },
	{ "{\"client\":[]}", 1, "$.clients" },
	{ "[]", 1, "$.clients" },
	{ "{\"clients\":[\n{\"client_id\":\"a\",\"client_id\":\"b\"}]}", 2,
	  "duplicate key" },
	{ "{\"clients\":[\n{\"client_id\":\"a\"},\n]}", 3, "" },
};

static void
test_bad(void)
{
	struct registry	*reg;
	struct es_err	 e;
	size_t		 i;

	for (i = 0; i < sizeof(bcases) / sizeof(bcases[0]); i++) {
		reg = parse(bcases[i].json, &e);
		CU_ASSERT_PTR_NULL(reg);
		if (reg != NULL) {
			fprintf(stderr, "clients case %zu accepted\n", i);
			clients_free(reg);
			continue;
		}
		if (e.line != bcases[i].line ||
		    strstr(e.msg, bcases[i].msg) == NULL)
			fprintf(stderr, "clients case %zu: line %zu \"%s\"\n",
			    i, e.line, e.msg);
		CU_ASSERT_EQUAL(e.line, bcases[i].line);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, bcases[i].msg));
		CU_ASSERT_STRING_EQUAL(e.file, "clients.json");
	}
}

/* Too many URIs for one client. */
static void
test_too_many_uris(void)
{
	struct buf	 b = { NULL, 0, 0, 0 };
	struct registry	*reg;
	struct es_err	 e;
	int		 i, n;

	for (n = LIM_URIS; n <= LIM_URIS + 1; n++) {
		buf_reset(&b);
		buf_adds(&b, "{\"clients\":[{\"client_id\":\"a\","
		    "\"post_logout_redirect_uris\":[");
		for (i = 0; i < n; i++)
			buf_addf(&b, "%s\"https://x.example/%d\"", i ? "," : "",
			    i);
		buf_adds(&b, "]}]}");
		memset(&e, 0, sizeof(e));
		reg = clients_parse(b.p, b.sz, "c.json", &e);
		if (n == LIM_URIS)
			CU_ASSERT_PTR_NOT_NULL(reg);
		if (n > LIM_URIS)
			CU_ASSERT_PTR_NULL(reg);
		clients_free(reg);
	}
	buf_free(&b);
}

static void
test_many(void)
{
	struct buf		 b = { NULL, 0, 0, 0 };
	struct registry		*reg;
	struct es_err		 e;
	const struct client	*c;
	char			 id[32], uri[64];
	size_t			 i, n = 100000, bad = 0;
	int			 idsz, urisz;

	buf_adds(&b, "{\"clients\":[\n");
	for (i = 0; i < n; i++)
		buf_addf(&b, "%s{\"client_id\":\"client-%zu\","
		    "\"post_logout_redirect_uris\":[\"https://rp%zu.example/cb"
		    "\"]}\n", i ? "," : "", i, i);
	buf_adds(&b, "]}");
	CU_ASSERT_FALSE_FATAL(b.oom);
	memset(&e, 0, sizeof(e));
	reg = clients_parse(b.p, b.sz, "big.json", &e);
	if (reg == NULL)
		err_print(&e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(reg);
	CU_ASSERT_EQUAL(clients_count(reg), n);
	for (i = 0; i < n; i++) {
		idsz = snprintf(id, sizeof(id), "client-%zu", i);
		urisz = snprintf(uri, sizeof(uri), "https://rp%zu.example/cb",
		    i);
		c = clients_find(reg, id, (size_t)idsz);
		if (c == NULL || c->idsz != (size_t)idsz ||
		    memcmp(c->id, id, (size_t)idsz) != 0 ||
		    client_redir(c, uri, (size_t)urisz) == NULL)
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_PTR_NULL(clients_find(reg, "client-100000", 13));
	CU_ASSERT_PTR_NULL(clients_find(reg, "client-", 7));
	/* The same id twice, far apart, is still a duplicate. */
	clients_free(reg);
	b.sz -= 2;
	buf_adds(&b, ",{\"client_id\":\"client-5\"}]}");
	reg = clients_parse(b.p, b.sz, "big.json", &e);
	CU_ASSERT_PTR_NULL(reg);
	CU_ASSERT_EQUAL(e.line, n + 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "duplicate"));
	clients_free(reg);
	buf_free(&b);
}

struct csp_case {
	const char	*uri;
	const char	*csp;
};

static const struct csp_case ccases[] = {
	{ "https://rp.example:8443/cb", "https://rp.example:8443" },
	{ "https://rp.example/cb?x=1", "https://rp.example" },
	{ "https://rp.example", "https://rp.example" },
	{ "http://127.0.0.1:8080/", "http://127.0.0.1:8080" },
	{ "com.example.app:/cb", "com.example.app:" },
	{ "urn:ietf:wg:oauth:2.0:oob", "urn:" },
	{ "https://user@rp.example/cb", "https:" },
	{ "https://[2001:db8::1]/cb", "https://[2001:db8::1]" },
	{ "https://[2001:db8::1]:8443/cb", "https://[2001:db8::1]:8443" },
	/*
	 * Regression (clients.c, csp_source, fixed in 9256621): with an
	 * IPv6 host and a port, end was moved one past the port for a ']'
	 * that is not there: "/cb" gave "https://[...]:8443/", "?q" fell
	 * back to the whole scheme "https:".
	 */
	{ "https://[2001:db8::1]:8443?q", "https://[2001:db8::1]:8443" },
	{ "https://[2001:db8::1]:8443", "https://[2001:db8::1]:8443" },
	/*
	 * Regression (found by fuzz_clients once the arena poisoned what it
	 * had not handed out): an empty host points into uriparser's own
	 * constants, and the check of the host's characters read from the
	 * URI on towards them, past the string's end.
	 */
	{ "app:///cb", "app:" },
	{ "htthttps:///", "htthttps:" },
};

static void
test_csp(void)
{
	struct buf		 b = { NULL, 0, 0, 0 };
	struct registry		*reg;
	struct es_err		 e;
	const struct client	*c;
	size_t			 i, n = sizeof(ccases) / sizeof(ccases[0]);

	buf_adds(&b, "{\"clients\":[{\"client_id\":\"a\","
	    "\"post_logout_redirect_uris\":[");
	for (i = 0; i < n; i++)
		buf_addf(&b, "%s\"%s\"", i ? "," : "", ccases[i].uri);
	buf_adds(&b, "]}]}");
	memset(&e, 0, sizeof(e));
	reg = clients_parse(b.p, b.sz, "c.json", &e);
	if (reg == NULL)
		err_print(&e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(reg);
	c = clients_find(reg, "a", 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL_FATAL(c->urisz, n);
	for (i = 0; i < n; i++) {
		if (strcmp(c->uris[i].csp, ccases[i].csp) != 0)
			fprintf(stderr, "csp of %s: %s\n", ccases[i].uri,
			    c->uris[i].csp);
		CU_ASSERT_STRING_EQUAL(c->uris[i].csp, ccases[i].csp);
	}
	clients_free(reg);
	buf_free(&b);
}

UNIT_SUITE("clients",
	{ "valid file", test_valid },
	{ "lookups", test_find },
	{ "exact redirect URI", test_redir },
	{ "invalid files: path and line", test_bad },
	{ "LIM_URIS", test_too_many_uris },
	{ "100000 clients", test_many },
	{ "CSP sources", test_csp },
)
