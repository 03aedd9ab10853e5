/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_distconf.c - dist/dmctl.conf, the commented default file make install
 * puts in /etc: with its settings uncommented it must parse and change
 * nothing, so that every default it shows is the default. (That it lists
 * every key of lib/hostconf.c's table, tests/cmd/install.bats checks.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostconf.h"
#include "unit.h"
#include "util.h"

/* Keys whose default is no value: their lines are examples. */
static const char *const examples[] = { "uri", "lock-file", "ledger-file" };

static int
is_example(const char *line)
{
	size_t i, n;

	for (i = 0; i < DM_ARRAY_LEN(examples); i++) {
		n = strlen(examples[i]);
		if (strncmp(line, examples[i], n) == 0 && line[n] == ' ')
			return 1;
	}
	return 0;
}

/*
 * Copy the "#key = value" lines of src, uncommented, to a new file whose
 * name is left in out; the number of lines copied is returned.
 */
static int
uncomment(const char *src, char *out)
{
	char line[1024];
	FILE *in, *f;
	int fd, n = 0;

	if (!(in = fopen(src, "r")) || (fd = mkstemp(out)) < 0 ||
	    !(f = fdopen(fd, "w"))) {
		perror(src);
		exit(1);
	}
	while (fgets(line, sizeof(line), in))
		if (line[0] == '#' && line[1] >= 'a' && line[1] <= 'z' &&
		    strstr(line, " = ") && !is_example(line + 1)) {
			fputs(line + 1, f);
			n++;
		}
	fclose(in);
	if (fclose(f) != 0) {
		perror(out);
		exit(1);
	}
	return n;
}

int
main(void)
{
	char path[] = "/tmp/test_distconf.XXXXXX";
	struct hostconf hc, def;
	int n, rc;

	n = uncomment("dist/dmctl.conf", path);
	CHECK(n >= 11, "dist/dmctl.conf: %d settings with a value", n);
	rc = hostconf_load(&hc, path);
	unlink(path);
	CHECK(rc == 0, "dist/dmctl.conf uncommented parses");
	hostconf_default(&def);
	CHECK(hc.reserve == def.reserve && hc.reserve_percent ==
	    def.reserve_percent && hc.overhead == def.overhead,
	    "its reserve, reserve-percent and overhead are the defaults");
	CHECK(hc.reclaim_delay == def.reclaim_delay &&
	    hc.min_step == def.min_step && hc.grace == def.grace &&
	    hc.stats_period == def.stats_period &&
	    hc.lock_wait == def.lock_wait,
	    "its reclaim-delay, min-step, grace, stats-period and lock-wait "
	    "are the defaults");
	CHECK(hc.hook_max_age == def.hook_max_age &&
	    hc.hook_refuse == def.hook_refuse &&
	    hc.lend_idle == def.lend_idle,
	    "its hook-max-age, hook-refuse-undecided and lend-idle are the "
	    "defaults");
	CHECK(!hc.uri && !hc.lock_file && !hc.ledger_file,
	    "uri, lock-file and ledger-file stay unset");
	hostconf_free(&hc);
	hostconf_free(&def);
	return unit_done();
}
