/*
 * test_jline.c - jline.c: the journal lines the notifier reads (the
 * endpoint's sign-out lines, the provider's login lines), the ones it
 * skips, and the RFC 3339 UTC times in them.
 */
#include <string.h>

#include "unit.h"
#include "endsession.h"

static enum jevent
parse(struct arena *ar, const char *s, struct jline *l)
{
	const char	*why = NULL;
	enum jevent	 ev;

	ev = jline_parse(ar, s, strlen(s), l, &why);
	if (ev == JE_BAD)
		CU_ASSERT_PTR_NOT_NULL(why);
	return ev;
}

static void
test_lines(void)
{
	struct arena	 ar = { NULL };
	struct jline	 l;

	/* The endpoint's line, as render.c writes it. */
	CU_ASSERT_EQUAL(parse(&ar, "{\"time\":\"2026-11-24T12:00:00Z\","
	    "\"event\":\"logout\",\"client_id\":\"c\\u00e9\",\"sub\":\"u\","
	    "\"sid\":\"s\",\"session\":\"P\",\"via\":\"id_token_hint\","
	    "\"remote_addr\":\"192.0.2.1\"}", &l), JE_LOGOUT);
	CU_ASSERT_EQUAL(l.time, 1795521600);
	CU_ASSERT_STRING_EQUAL(l.client_id, "c\xc3\xa9");
	CU_ASSERT_STRING_EQUAL(l.sub, "u");
	CU_ASSERT_STRING_EQUAL(l.sid, "s");
	CU_ASSERT_STRING_EQUAL(l.session, "P");
	/* Members without a value are left out, or empty: absent. */
	CU_ASSERT_EQUAL(parse(&ar, "{\"event\":\"logout\",\"sid\":\"\"}", &l),
	    JE_LOGOUT);
	CU_ASSERT_EQUAL(l.time, -1);
	CU_ASSERT_PTR_NULL(l.sid);
	CU_ASSERT_PTR_NULL(l.client_id);
	/* The provider's login line. */
	CU_ASSERT_EQUAL(parse(&ar, "{\"time\":\"2026-11-24T12:00:00Z\","
	    "\"event\":\"login\",\"session\":\"P\",\"sid\":\"S\","
	    "\"client_id\":\"C\",\"sub\":\"U\"}", &l), JE_LOGIN);
	CU_ASSERT_STRING_EQUAL(l.session, "P");
	CU_ASSERT_STRING_EQUAL(l.sid, "S");
	/* session may be left out; sid and client_id may not. */
	CU_ASSERT_EQUAL(parse(&ar, "{\"event\":\"login\",\"sid\":\"S\","
	    "\"client_id\":\"C\"}", &l), JE_LOGIN);
	CU_ASSERT_PTR_NULL(l.session);
	CU_ASSERT_EQUAL(parse(&ar, "{\"event\":\"login\",\"client_id\":\"C\"}",
	    &l), JE_BAD);
	CU_ASSERT_EQUAL(parse(&ar, "{\"event\":\"login\",\"sid\":\"S\"}", &l),
	    JE_BAD);
	/* Other events are skipped, not errors. */
	CU_ASSERT_EQUAL(parse(&ar, "{\"event\":\"refresh\"}", &l), JE_OTHER);
	arena_free(&ar);
}

static void
test_bad(void)
{
	static const char *const bad[] = {
		"", "{", "[]", "\"logout\"", "{}", "{\"event\":1}",
		"{\"event\":\"logout\",\"sub\":1}",
		"{\"event\":\"logout\",\"sid\":null}",
		"{\"event\":\"logout\",\"time\":1795521600}",
		"{\"event\":\"logout\",\"time\":\"2026-11-24 12:00:00Z\"}",
		"{\"event\":\"logout\"} trailing",
		"{\"event\":\"logout\",\"event\":\"login\"}",
		"{\"event\":\"logout\",\"sid\":\"a\\u0000b\"}",
		"{\"event\":\"logout\",\"sid\":\"\xff\"}",
	};
	struct arena	 ar = { NULL };
	struct jline	 l;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(parse(&ar, bad[i], &l), JE_BAD);
	arena_free(&ar);
}

static void
test_time(void)
{
	char	 ts[21];

	CU_ASSERT_EQUAL(jline_time("1970-01-01T00:00:00Z", 20), 0);
	CU_ASSERT_EQUAL(jline_time("2000-02-29T23:59:59Z", 20), 951868799);
	CU_ASSERT_EQUAL(jline_time("2027-01-15T08:00:00Z", 20), 1800000000);
	CU_ASSERT_EQUAL(jline_time("2100-02-29T00:00:00Z", 20), -1);
	CU_ASSERT_EQUAL(jline_time("2026-13-01T00:00:00Z", 20), -1);
	CU_ASSERT_EQUAL(jline_time("2026-04-31T00:00:00Z", 20), -1);
	CU_ASSERT_EQUAL(jline_time("2026-01-01T24:00:00Z", 20), -1);
	CU_ASSERT_EQUAL(jline_time("2026-01-01T00:00:00+", 20), -1);
	CU_ASSERT_EQUAL(jline_time("2026-01-01T00:00:00.5Z", 22), -1);
	CU_ASSERT_EQUAL(jline_time("1969-12-31T23:59:59Z", 20), -1);
	CU_ASSERT_EQUAL(jline_fmt_time(1800000000, ts), 1);
	CU_ASSERT_STRING_EQUAL(ts, "2027-01-15T08:00:00Z");
}

UNIT_SUITE("jline",
	{ "sign-out and login lines", test_lines },
	{ "lines that are skipped", test_bad },
	{ "times", test_time },
)
