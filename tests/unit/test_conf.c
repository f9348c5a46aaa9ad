/*
 * test_conf.c - conf.c: a full file, the defaults, relative paths, and
 * every error with its exact line number.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "endsession.h"

#define REQ	"issuer = https://op.example\n" \
		"clients = clients.json\n" \
		"jwks = jwks.json\n" \
		"secret = secret\n"

static int
parse(const char *text, const char *path, struct conf *c, struct es_err *e)
{
	memset(e, 0, sizeof(*e));
	return conf_parse(text, strlen(text), path, c, e);
}

static void
test_full(void)
{
	static const char text[] =
	    "# endsession configuration\n"
	    "\n"
	    "issuer = https://op.example/realm\n"
	    "clients=/var/lib/endsession/clients.json\n"
	    "  jwks\t=\tkeys/jwks.json  \n"
	    "secret = secret.bin\r\n"
	    "templates = /usr/share/endsession/templates\n"
	    "session_cookies = SESSION __Host-op  remember-me\n"
	    "sid_cookie = op_sid\n"
	    "cookie_domain = .op.example\n"
	    "cookie_path = /auth\n"
	    "hint_max_age = 86400\n"
	    "clock_skew = 0\n"
	    "journal = log/journal.log\n"
	    "clients_url = https://op.example/clients\n"
	    "jwks_uri = https://op.example/jwks\n"
	    "   # indented comment\n";
	struct conf	 c;
	struct es_err	 e;

	CU_ASSERT_EQUAL_FATAL(parse(text, "/etc/es/endsession.conf", &c, &e),
	    1);
	CU_ASSERT_STRING_EQUAL(c.path, "/etc/es/endsession.conf");
	CU_ASSERT_STRING_EQUAL(c.issuer, "https://op.example/realm");
	CU_ASSERT_STRING_EQUAL(c.clients, "/var/lib/endsession/clients.json");
	CU_ASSERT_STRING_EQUAL(c.jwks, "/etc/es/keys/jwks.json");
	CU_ASSERT_STRING_EQUAL(c.secret, "/etc/es/secret.bin");
	CU_ASSERT_STRING_EQUAL(c.templates, "/usr/share/endsession/templates");
	CU_ASSERT_EQUAL_FATAL(c.session_cookiesz, 3);
	CU_ASSERT_STRING_EQUAL(c.session_cookies[0], "SESSION");
	CU_ASSERT_STRING_EQUAL(c.session_cookies[1], "__Host-op");
	CU_ASSERT_STRING_EQUAL(c.session_cookies[2], "remember-me");
	CU_ASSERT_STRING_EQUAL(c.sid_cookie, "op_sid");
	CU_ASSERT_STRING_EQUAL(c.cookie_domain, ".op.example");
	CU_ASSERT_STRING_EQUAL(c.cookie_path, "/auth");
	CU_ASSERT_EQUAL(c.hint_max_age, 86400);
	CU_ASSERT_EQUAL(c.clock_skew, 0);
	CU_ASSERT_STRING_EQUAL(c.journal, "/etc/es/log/journal.log");
	CU_ASSERT_STRING_EQUAL(c.clients_url, "https://op.example/clients");
	CU_ASSERT_STRING_EQUAL(c.jwks_uri, "https://op.example/jwks");
	conf_free(&c);
}

static void
test_defaults(void)
{
	struct conf	 c;
	struct es_err	 e;

	CU_ASSERT_EQUAL_FATAL(parse(REQ, "/etc/es/endsession.conf", &c, &e),
	    1);
	CU_ASSERT_EQUAL(c.hint_max_age, 2592000);
	CU_ASSERT_EQUAL(c.clock_skew, 60);
	CU_ASSERT_STRING_EQUAL(c.cookie_path, "/");
	CU_ASSERT_PTR_NULL(c.cookie_domain);
	CU_ASSERT_PTR_NULL(c.sid_cookie);
	CU_ASSERT_PTR_NULL(c.journal);
	CU_ASSERT_EQUAL(c.session_cookiesz, 0);
	CU_ASSERT_PTR_NOT_NULL(c.templates);
	conf_free(&c);
}

struct path_case {
	const char	*conf;
	const char	*clients;	/* expected resolution of clients.json */
};

static const struct path_case pcases[] = {
	{ "/etc/es/endsession.conf", "/etc/es/clients.json" },
	{ "conf/endsession.conf", "conf/clients.json" },
	{ "endsession.conf", "clients.json" },
	{ "./endsession.conf", "./clients.json" },
	{ "/endsession.conf", "/clients.json" },
};

static void
test_relative(void)
{
	struct conf	 c;
	struct es_err	 e;
	size_t		 i;

	for (i = 0; i < sizeof(pcases) / sizeof(pcases[0]); i++) {
		CU_ASSERT_EQUAL_FATAL(parse(REQ, pcases[i].conf, &c, &e), 1);
		if (strcmp(c.clients, pcases[i].clients) != 0)
			fprintf(stderr, "conf %s: clients %s\n", pcases[i].conf,
			    c.clients);
		CU_ASSERT_STRING_EQUAL(c.clients, pcases[i].clients);
		conf_free(&c);
	}
}

struct err_case {
	const char	*text;
	size_t		 line;
	const char	*msg;		/* a substring of err.msg */
};

static const struct err_case ecases[] = {
	{ REQ "bogus = 1\n", 5, "unknown key" },
	{ "# c\n\n" REQ "Issuer = x\n", 7, "unknown key" },
	{ REQ "\nissuer = https://other\n", 6, "twice" },
	{ REQ "clock_skew = 1\nclock_skew = 1\n", 6, "twice" },
	{ "issuer https://op.example\n", 1, "key = value" },
	{ REQ "# ok\njust words\n", 6, "key = value" },
	{ REQ "journal =\n", 5, "no value" },
	{ "clients = c\njwks = j\nsecret = s\n", 0, "issuer" },
	{ "issuer = i\njwks = j\nsecret = s\n", 0, "clients" },
	{ "issuer = i\nclients = c\nsecret = s\n", 0, "jwks" },
	{ "issuer = i\nclients = c\njwks = j\n", 0, "secret" },
	{ "", 0, "missing" },
	{ REQ "hint_max_age = -1\n", 5, "hint_max_age" },
	{ REQ "hint_max_age = 1d\n", 5, "hint_max_age" },
	{ REQ "hint_max_age = 0x10\n", 5, "hint_max_age" },
	{ REQ "hint_max_age = +5\n", 5, "hint_max_age" },
	{ REQ "hint_max_age = 99999999999999999999999\n", 5, "hint_max_age" },
	{ REQ "hint_max_age = 316224001\n", 5, "hint_max_age" },
	{ REQ "clock_skew = 3601\n", 5, "clock_skew" },
	{ REQ "clock_skew = 1.5\n", 5, "clock_skew" },
	{ REQ "clock_skew = sixty\n", 5, "clock_skew" },
	{ REQ "session_cookies = a;b\n", 5, "session_cookies" },
	{ REQ "session_cookies = ok bad,name\n", 5, "session_cookies" },
	{ REQ "session_cookies = a=b\n", 5, "session_cookies" },
	{ REQ "session_cookies = \xc3\xa9t\xc3\xa9\n", 5, "session_cookies" },
	{ REQ "session_cookies = a b c d e f g h i j k l m n o p q\n", 5,
	  "session_cookies" },
	{ REQ "sid_cookie = a b\n", 5, "sid_cookie" },
	{ REQ "sid_cookie = a\"b\n", 5, "sid_cookie" },
	{ REQ "sid_cookie = (sid)\n", 5, "sid_cookie" },
	{ REQ "cookie_path = auth\n", 5, "cookie_path" },
	{ REQ "cookie_path = /a;b\n", 5, "cookie_path" },
	{ REQ "cookie_path = /a b\n", 5, "cookie_path" },
	{ REQ "cookie_path = /\xc3\xa9\n", 5, "cookie_path" },
	{ REQ "cookie_domain = op.example;x\n", 5, "cookie_domain" },
	{ REQ "cookie_domain = op example\n", 5, "cookie_domain" },
	{ REQ "cookie_domain = op_example.com\n", 5, "cookie_domain" },
	{ REQ "cookie_domain = op.example/\n", 5, "cookie_domain" },
	{ REQ "issuer2 = x\n", 5, "unknown key" },
	{ "issuer = a b\nclients = c\njwks = j\nsecret = s\n", 1, "issuer" },
	{ REQ "journal = a\x01" "b\n", 5, "control" },
};

static void
test_errors(void)
{
	struct conf	 c;
	struct es_err	 e;
	size_t		 i;

	for (i = 0; i < sizeof(ecases) / sizeof(ecases[0]); i++) {
		memset(&c, 0xa5, sizeof(c));
		if (parse(ecases[i].text, "/etc/es/endsession.conf", &c, &e)) {
			fprintf(stderr, "conf case %zu: accepted\n", i);
			CU_FAIL("bad configuration accepted");
			conf_free(&c);
			continue;
		}
		if (e.line != ecases[i].line ||
		    strstr(e.msg, ecases[i].msg) == NULL)
			fprintf(stderr, "conf case %zu: line %zu \"%s\"\n", i,
			    e.line, e.msg);
		CU_ASSERT_EQUAL(e.line, ecases[i].line);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, ecases[i].msg));
		CU_ASSERT_STRING_EQUAL(e.file, "/etc/es/endsession.conf");
		/* A failed parse leaves nothing behind. */
		CU_ASSERT_PTR_NULL(c.issuer);
		CU_ASSERT_PTR_NULL(c.session_cookies);
	}
}

/* Limits at the edge: accepted. */
static void
test_edges(void)
{
	struct conf	 c;
	struct es_err	 e;

	CU_ASSERT_EQUAL_FATAL(parse(REQ "hint_max_age = 316224000\n"
	    "clock_skew = 3600\n"
	    "session_cookies = a b c d e f g h i j k l m n o p\n",
	    "/x/y.conf", &c, &e), 1);
	CU_ASSERT_EQUAL(c.hint_max_age, 316224000);
	CU_ASSERT_EQUAL(c.clock_skew, 3600);
	CU_ASSERT_EQUAL(c.session_cookiesz, 16);
	conf_free(&c);
	/* No trailing newline. */
	CU_ASSERT_EQUAL_FATAL(parse("issuer = i\nclients = c\njwks = j\n"
	    "secret = s", "/x/y.conf", &c, &e), 1);
	CU_ASSERT_STRING_EQUAL(c.secret, "/x/s");
	conf_free(&c);
}

UNIT_SUITE("conf",
	{ "full file", test_full },
	{ "defaults", test_defaults },
	{ "relative paths", test_relative },
	{ "errors and their lines", test_errors },
	{ "edges", test_edges },
)
