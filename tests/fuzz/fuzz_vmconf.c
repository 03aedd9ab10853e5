/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_vmconf.c - the settings element parser (dmctl-metadata(5)): never
 * crash, bounded work, and what it accepts formats and parses back to the
 * same settings. */
#include "fuzz.h"

#include "vmconf.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_text(data, size), err[512], *again, *third;
	struct vmconf c, d;

	if (vmconf_parse(s, &c, err, sizeof(err)) == 0) {
		/* Sizes are written in KiB, rounded up: what is written reads
		 * back as the same settings and writes the same again. */
		again = vmconf_format(&c, false);
		FUZZ_ASSERT(vmconf_parse(again, &d, err, sizeof(err)) == 0);
		FUZZ_ASSERT(d.enabled == c.enabled && d.buffer == c.buffer &&
		    d.weight == c.weight && d.maximum >= c.maximum &&
		    d.maximum - c.maximum < 1024 && d.minimum >= c.minimum &&
		    d.minimum - c.minimum < 1024 && d.startup >= c.startup &&
		    d.startup - c.startup < 1024);
		third = vmconf_format(&d, false);
		FUZZ_ASSERT(strcmp(again, third) == 0);
		free(third);
		free(again);
	} else
		FUZZ_ASSERT(err[0] != '\0' && !strchr(err, '\n'));
	free(s);
	return 0;
}
