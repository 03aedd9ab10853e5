/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * unit.h - a tiny TAP producer for the C unit tests: each check prints
 * "ok N - what" or "not ok N - what (file:line)", and main returns the
 * verdict, so make and prove can both read it.
 */
#ifndef DM_UNIT_H
#define DM_UNIT_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int unit_n, unit_failed;

#define CHECK(cond, ...)                                                    \
	do {                                                                \
		int ok_ = !!(cond);                                         \
		printf("%sok %d - ", ok_ ? "" : "not ", ++unit_n);          \
		printf(__VA_ARGS__);                                        \
		if (!ok_) {                                                 \
			printf(" (%s:%d: %s)", __FILE__, __LINE__, #cond);  \
			unit_failed++;                                      \
		}                                                           \
		putchar('\n');                                              \
	} while (0)

#define CHECK_STR(got, want, what)                                          \
	do {                                                                \
		const char *g_ = (got), *w_ = (want);                       \
		CHECK(g_ && strcmp(g_, w_) == 0, "%s", what);               \
		if (!g_ || strcmp(g_, w_) != 0)                             \
			printf("#   got:  '%s'\n#   want: '%s'\n",          \
			    g_ ? g_ : "(null)", w_);                        \
	} while (0)

/* Run stmt with f a stream into out, a string for the caller to free. */
#define UNIT_CAPTURE(out, stmt)                                             \
	do {                                                                \
		size_t len_ = 0;                                            \
		FILE *f = open_memstream(&(out), &len_);                    \
		stmt;                                                       \
		fclose(f);                                                  \
	} while (0)

static inline int
unit_done(void)
{
	printf("1..%d\n", unit_n);
	return unit_failed ? 1 : 0;
}

#endif
