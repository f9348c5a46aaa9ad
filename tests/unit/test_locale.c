/*
 * test_locale.c - locale_pick: ui_locales, then Accept-Language
 * (RFC 9110 section 12.5.4), then English.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "endsession.h"

struct loc_case {
	const char	*ui;
	const char	*al;
	enum locale	 want;
};

static const struct loc_case cases[] = {
	{ NULL, NULL, LOC_EN },
	{ "", "", LOC_EN },
	/* ui_locales: first supported tag wins. */
	{ "sv", NULL, LOC_SV },
	{ "en", "sv", LOC_EN },
	{ "sv-SE", NULL, LOC_SV },
	{ "SV", NULL, LOC_SV },
	{ "Sv-fi", NULL, LOC_SV },
	{ "fr de sv en", NULL, LOC_SV },
	{ "fr de en sv", NULL, LOC_EN },
	{ "  sv  ", NULL, LOC_SV },
	{ "fr-SV", NULL, LOC_EN },
	{ "svx", NULL, LOC_EN },
	{ "s", NULL, LOC_EN },
	{ "x-sv", NULL, LOC_EN },
	{ "*", NULL, LOC_EN },
	{ "fr", "sv", LOC_SV },		/* none supported: Accept-Language */
	{ "sv,en", NULL, LOC_EN },	/* not space-separated: one odd tag */
	/* Accept-Language. */
	{ NULL, "sv", LOC_SV },
	{ NULL, "sv-SE,sv;q=0.9,en;q=0.8", LOC_SV },
	{ NULL, "en;q=0.5, sv;q=0.6", LOC_SV },
	{ NULL, "en;q=0.6, sv;q=0.5", LOC_EN },
	{ NULL, "sv;q=0.5, en;q=0.5", LOC_SV },	/* tie: earlier */
	{ NULL, "en;q=0.5, sv;q=0.5", LOC_EN },
	{ NULL, "fr, de;q=0.9, sv;q=0.1", LOC_SV },
	{ NULL, "sv;q=0", LOC_EN },
	{ NULL, "sv;q=0.000", LOC_EN },
	{ NULL, "sv;q=0.001", LOC_SV },
	{ NULL, "en;q=0, sv;q=0.001", LOC_SV },
	{ NULL, "sv;q=1", LOC_SV },
	{ NULL, "sv;q=1.000, en", LOC_SV },
	{ NULL, "en;q=0.999, sv;q=1.0", LOC_SV },
	{ NULL, "sv;q=1.001", LOC_EN },		/* above 1: ignored */
	{ NULL, "sv;q=2", LOC_EN },
	{ NULL, "sv;q=0.0001", LOC_EN },	/* four decimals */
	{ NULL, "sv;q=.5", LOC_EN },
	{ NULL, "sv;q=", LOC_EN },
	{ NULL, "sv;q=0.5x", LOC_EN },
	{ NULL, "sv;level=1", LOC_EN },
	{ NULL, "sv ; Q=0.5", LOC_SV },
	{ NULL, " \tsv\t;\tq=0.7 , en;q=0.3", LOC_SV },
	{ NULL, "*", LOC_EN },
	{ NULL, "*;q=1, sv;q=0.1", LOC_SV },
	{ NULL, "SV-se", LOC_SV },
	{ NULL, ",,,", LOC_EN },
	{ NULL, ";;;q=1", LOC_EN },
	{ NULL, "sv;", LOC_EN },
	{ NULL, "svenska", LOC_EN },
	{ NULL, "sv_SE", LOC_EN },
	{ NULL, "fr-CA, fr;q=0.9", LOC_EN },
	{ NULL, "de, sv;q=0.3, en;q=0.2", LOC_SV },
};

static void
test_locale_table(void)
{
	size_t		 i;
	enum locale	 got;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = locale_pick(cases[i].ui, cases[i].al);
		if (got != cases[i].want)
			fprintf(stderr, "locale case %zu\n", i);
		CU_ASSERT_EQUAL(got, cases[i].want);
	}
}

static void
test_locale_names(void)
{
	CU_ASSERT_STRING_EQUAL(locale_names[LOC_EN], "en");
	CU_ASSERT_STRING_EQUAL(locale_names[LOC_SV], "sv");
}

/* Huge hostile headers: a megabyte of separators and half-tags. */
static void
test_locale_huge(void)
{
	size_t	 n = 1024 * 1024, i;
	char	*s;

	CU_ASSERT_FATAL((s = malloc(n + 1)) != NULL);
	for (i = 0; i < n; i++)
		s[i] = ";, -q=0."[i % 8];
	s[n] = '\0';
	CU_ASSERT_EQUAL(locale_pick(s, s), LOC_EN);
	memset(s, ' ', n);
	memcpy(s + n - 2, "sv", 2);
	CU_ASSERT_EQUAL(locale_pick(s, NULL), LOC_SV);
	memset(s, ',', n);
	memcpy(s + n - 8, "sv;q=0.1", 8);
	CU_ASSERT_EQUAL(locale_pick(NULL, s), LOC_SV);
	free(s);
}

UNIT_SUITE("locale",
    { "table", test_locale_table },
    { "names", test_locale_names },
    { "huge", test_locale_huge })
