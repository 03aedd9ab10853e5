/* fuzz_vmconf.c - the settings element parser (dmctl-metadata(5)): never
 * crash, bounded work, and what it accepts formats and parses back to the
 * same settings. */
#include "fuzz.h"

#include "vmconf.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_text(data, size), err[512], *again;
	struct vmconf c, d;

	if (vmconf_parse(s, &c, err, sizeof(err)) == 0) {
		again = vmconf_format(&c, false);
		FUZZ_ASSERT(vmconf_parse(again, &d, err, sizeof(err)) == 0);
		FUZZ_ASSERT(vmconf_equal(&c, &d) && c.buffer == d.buffer &&
		    c.weight == d.weight);
		free(again);
	} else
		FUZZ_ASSERT(err[0] != '\0' && !strchr(err, '\n'));
	free(s);
	return 0;
}
