/*
 * test_nconf.c - the notifier's configuration keys (conf.c) and
 * registration members (clients.c): values, defaults, and every error
 * with its line number.
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
parse(const char *text, struct conf *c, struct es_err *e)
{
	memset(e, 0, sizeof(*e));
	return conf_parse(text, strlen(text), "/etc/es/endsession.conf", c, e);
}

static void
test_keys(void)
{
	struct conf	 c;
	struct es_err	 e;

	CU_ASSERT_EQUAL_FATAL(parse(REQ
	    "journal = /var/log/es/journal\n"
	    "signing_key = private/signing.jwk\n"
	    "signing_kid = k1\n"
	    "notify_state = /var/lib/es/notify.db\n"
	    "notify_log = deliveries.log\n"
	    "notify_timeout = 7\n"
	    "notify_retry_max = 60\n"
	    "notify_max_age = 3600\n"
	    "notify_allow = 127.0.0.0/8 ::1\n"
	    "notify_metrics = /var/lib/node_exporter/es.prom\n", &c, &e), 1);
	CU_ASSERT_STRING_EQUAL(c.signing_key, "/etc/es/private/signing.jwk");
	CU_ASSERT_STRING_EQUAL(c.signing_kid, "k1");
	CU_ASSERT_STRING_EQUAL(c.notify_state, "/var/lib/es/notify.db");
	CU_ASSERT_STRING_EQUAL(c.notify_log, "/etc/es/deliveries.log");
	CU_ASSERT_STRING_EQUAL(c.notify_metrics,
	    "/var/lib/node_exporter/es.prom");
	CU_ASSERT_STRING_EQUAL(c.notify_allow, "127.0.0.0/8 ::1");
	CU_ASSERT_EQUAL(c.notify_timeout, 7);
	CU_ASSERT_EQUAL(c.notify_retry_max, 60);
	CU_ASSERT_EQUAL(c.notify_max_age, 3600);
	conf_free(&c);
	/* Defaults; notifications off without signing_key. */
	CU_ASSERT_EQUAL_FATAL(parse(REQ, &c, &e), 1);
	CU_ASSERT_PTR_NULL(c.signing_key);
	CU_ASSERT_EQUAL(c.notify_timeout, 5);
	CU_ASSERT_EQUAL(c.notify_retry_max, 300);
	CU_ASSERT_EQUAL(c.notify_max_age, 86400);
	conf_free(&c);
}

static void
test_bad(void)
{
	static const struct {
		const char	*text;
		size_t		 line;
		const char	*msg;
	} t[] = {
		{ REQ "notify_timeout = 0\n", 5, "notify_timeout" },
		{ REQ "notify_timeout = 301\n", 5, "notify_timeout" },
		{ REQ "notify_timeout = 5s\n", 5, "notify_timeout" },
		{ REQ "\nnotify_retry_max = -1\n", 6, "notify_retry_max" },
		{ REQ "notify_retry_max = 86401\n", 5, "notify_retry_max" },
		{ REQ "notify_max_age = 0\n", 5, "notify_max_age" },
		{ REQ "notify_max_age = 99999999999\n", 5, "notify_max_age" },
		{ REQ "notify_allow = 127.0.0.1 localhost\n", 5, "localhost" },
		{ REQ "notify_allow = 10.0.0.1/8\n", 5, "notify_allow" },
		{ REQ "notify_allow = 1.2.3.4\nnotify_allow = ::1\n", 6,
		    "twice" },
		{ REQ "signing_key = k.jwk\n", 0, "journal" },
		{ REQ "signing_key = k.jwk\njournal = j\n", 0, "notify_state" },
		{ REQ "notify_log =\n", 5, "no value" },
	};
	struct conf	 c;
	struct es_err	 e;
	size_t		 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		CU_ASSERT_EQUAL(parse(t[i].text, &c, &e), 0);
		CU_ASSERT_EQUAL(e.line, t[i].line);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, t[i].msg));
		if (e.line != t[i].line || strstr(e.msg, t[i].msg) == NULL)
			fprintf(stderr, "case %zu: %zu: %s\n", i, e.line,
			    e.msg);
	}
}

static struct registry *
clients(const char *text, struct es_err *e)
{
	memset(e, 0, sizeof(*e));
	return clients_parse(text, strlen(text), "clients.json", e);
}

static void
test_members(void)
{
	struct registry		*reg;
	struct es_err		 e;
	const struct client	*c;

	reg = clients("{\"clients\":[\n"
	    "{\"client_id\":\"a\",\"backchannel_logout_uri\":"
	    "\"https://rp.example/bcl?x=1\",\"backchannel_logout_session_"
	    "required\":true,\"id_token_signed_response_alg\":\"ES256\"},\n"
	    "{\"client_id\":\"b\",\"post_logout_redirect_uris\":[\"https://b\"],"
	    "\"backchannel_logout_uri\":\"http://127.0.0.1:81/b\"},\n"
	    "{\"client_id\":\"c\"}]}", &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(reg);
	c = clients_find(reg, "a", 1);
	CU_ASSERT_FATAL(c != NULL);
	CU_ASSERT_STRING_EQUAL(c->bcl_uri, "https://rp.example/bcl?x=1");
	CU_ASSERT_EQUAL(c->bcl_session, 1);
	CU_ASSERT_EQUAL(c->id_alg, ALG_ES256);
	c = clients_find(reg, "b", 1);
	CU_ASSERT_FATAL(c != NULL);
	CU_ASSERT_STRING_EQUAL(c->bcl_uri, "http://127.0.0.1:81/b");
	CU_ASSERT_EQUAL(c->bcl_session, 0);
	CU_ASSERT_EQUAL(c->id_alg, ALG_RS256);
	CU_ASSERT_EQUAL(c->urisz, 1);
	c = clients_find(reg, "c", 1);
	CU_ASSERT_FATAL(c != NULL);
	CU_ASSERT_PTR_NULL(c->bcl_uri);
	clients_free(reg);
}

static void
test_bad_members(void)
{
	static const char *const bad[] = {
		"\"backchannel_logout_uri\":\"https://rp.example/b#frag\"",
		"\"backchannel_logout_uri\":\"/relative\"",
		"\"backchannel_logout_uri\":\"javascript:alert(1)\"",
		"\"backchannel_logout_uri\":\"ftp://rp.example/b\"",
		"\"backchannel_logout_uri\":\"https:///nohost\"",
		"\"backchannel_logout_uri\":\"https://rp.example/a b\"",
		"\"backchannel_logout_uri\":\"\"",
		"\"backchannel_logout_uri\":42",
		"\"backchannel_logout_session_required\":\"true\"",
		"\"backchannel_logout_session_required\":1",
		"\"id_token_signed_response_alg\":\"HS256\"",
		"\"id_token_signed_response_alg\":\"none\"",
		"\"id_token_signed_response_alg\":\"rs256\"",
		"\"id_token_signed_response_alg\":null",
	};
	struct registry	*reg;
	struct es_err	 e;
	char		 text[512];
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "{\"clients\":[\n"
		    "{\"client_id\":\"ok\"},\n{\"client_id\":\"x\",\n%s}]}",
		    bad[i]);
		reg = clients(text, &e);
		CU_ASSERT_PTR_NULL(reg);
		clients_free(reg);
		CU_ASSERT_EQUAL(e.line, 4);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "$.clients[1]."));
	}
}

UNIT_SUITE("nconf",
	{ "notification keys", test_keys },
	{ "bad notification keys", test_bad },
	{ "registration members", test_members },
	{ "bad registration members", test_bad_members },
)
