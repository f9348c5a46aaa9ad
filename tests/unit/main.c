/*
 * The CUnit runner: every suite that registered itself (unit.h), run in
 * verbose mode, then one closing line "N passed, N failed".  The exit
 * status is 1 on any failure: CU_basic_run_tests returns 0 even when
 * tests fail, so the counters decide (docs/libraries.md section 7).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "unit.h"

#define MAX_SUITES 64

static struct {
	const char		*name;
	const struct unit_test	*tests;
	size_t			 n;
} suites[MAX_SUITES];
static size_t nsuites;

void
unit_register(const char *name, const struct unit_test *t, size_t n)
{
	if (nsuites == MAX_SUITES) {
		fprintf(stderr, "unit: too many suites\n");
		exit(2);
	}
	suites[nsuites].name = name;
	suites[nsuites].tests = t;
	suites[nsuites].n = n;
	nsuites++;
}

int
main(int argc, char *argv[])
{
	CU_pSuite	 s;
	unsigned	 run, failed, sfailed;
	size_t		 i, j;
	int		 rc;

	/* Unbuffered, so that a test's stderr lines land where they belong. */
	setvbuf(stdout, NULL, _IONBF, 0);
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	for (i = 0; i < nsuites; i++) {
		/* An argument picks one suite by name. */
		if (argc > 1 && strcmp(argv[1], suites[i].name) != 0)
			continue;
		if ((s = CU_add_suite(suites[i].name, NULL, NULL)) == NULL)
			return 2;
		for (j = 0; j < suites[i].n; j++)
			if (CU_add_test(s, suites[i].tests[j].name,
			    suites[i].tests[j].fn) == NULL)
				return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	rc = CU_basic_run_tests();
	run = CU_get_number_of_tests_run();
	failed = CU_get_number_of_tests_failed();
	sfailed = CU_get_number_of_suites_failed();
	printf("\nunit: %u passed, %u failed\n", run - failed, failed + sfailed);
	CU_cleanup_registry();
	if (run == 0)
		return 1;
	return (rc != CUE_SUCCESS || failed || sfailed) ? 1 : 0;
}
