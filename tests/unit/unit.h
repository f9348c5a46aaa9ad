/*
 * unit.h - how a test file registers its suite without a shared list:
 * UNIT_SUITE("name", tests...) runs at load time (a constructor) and
 * main.c hands every registered suite to CUnit.
 */
#ifndef UNIT_H
#define UNIT_H

#include <CUnit/CUnit.h>

struct unit_test {
	const char	*name;
	CU_TestFunc	 fn;
};

void	 unit_register(const char *suite, const struct unit_test *, size_t);

#define UNIT_SUITE(name, ...)						\
	static const struct unit_test unit_tests_[] = { __VA_ARGS__ };	\
	__attribute__((constructor)) static void			\
	unit_reg_(void)							\
	{								\
		unit_register((name), unit_tests_,			\
		    sizeof(unit_tests_) / sizeof(unit_tests_[0]));	\
	}

#endif
