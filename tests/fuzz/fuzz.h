/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz.h - shared by the libFuzzer harnesses: a NUL-terminated copy of
 * the input, and an assertion that aborts (libFuzzer reports it). */
#ifndef DM_FUZZ_H
#define DM_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(c) do { if (!(c)) { fprintf(stderr, "%s:%d: %s\n", \
	__FILE__, __LINE__, #c); abort(); } } while (0)

static inline char *
fuzz_text(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
