/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_hostconf.c - the dmctl.conf(5) reader: never crash; a file it
 * refuses leaves the defaults; one it takes stays within the bounds. */
#include "fuzz.h"

#include <sys/mman.h>
#include <unistd.h>

#include "hostconf.h"
#include "util.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hostconf hc, def;
	char path[64];
	int fd = memfd_create("dmctl.conf", 0);

	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	/* Messages go to stderr; keep the run quiet. */
	dm_progname = "fuzz";
	hostconf_default(&def);
	if (hostconf_load(&hc, path) < 0)
		FUZZ_ASSERT(hc.reserve == def.reserve && hc.grace == def.grace &&
		    !hc.uri);
	else
		FUZZ_ASSERT(hc.reserve <= HOSTCONF_RESERVE_MAX &&
		    hc.overhead <= HOSTCONF_PER_VM_MAX &&
		    hc.min_step <= HOSTCONF_PER_VM_MAX &&
		    hc.reserve_percent <= 90);
	hostconf_free(&hc);
	close(fd);
	return 0;
}
