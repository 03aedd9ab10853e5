/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_hostconf.c - the host settings file: defaults, keys, strict errors. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "hostconf.h"
#include "size.h"
#include "unit.h"
#include "util.h"

static char path[64];
static char err[2048];

/* Write text to a fresh temporary file, whose name is left in path. */
static void
write_file(const char *text)
{
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "/tmp/test_hostconf.XXXXXX");
	if ((fd = mkstemp(path)) < 0 || !(f = fdopen(fd, "w"))) {
		perror("mkstemp");
		exit(1);
	}
	fputs(text, f);
	if (fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

/*
 * hostconf_load(hc, file) with its messages on stderr caught in err, so
 * that a test can check what the admin would read.
 */
static int
load_from(struct hostconf *hc, const char *file)
{
	char errpath[] = "/tmp/test_hostconf_err.XXXXXX";
	int fd, saved, rc;
	ssize_t n;

	if ((fd = mkstemp(errpath)) < 0 || (saved = dup(2)) < 0) {
		perror("mkstemp");
		exit(1);
	}
	fflush(stderr);
	dup2(fd, 2);
	rc = hostconf_load(hc, file);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(fd, err, sizeof(err) - 1, 0);
	err[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(errpath);
	return rc;
}

/* Load text as a file; the file is removed again. */
static int
load(struct hostconf *hc, const char *text)
{
	int rc;

	write_file(text);
	rc = load_from(hc, path);
	unlink(path);
	return rc;
}

/*
 * text must be refused with one message that names the file, the line
 * and want (the key, the value), and leave hc with the defaults.
 */
static void
refused(const char *text, unsigned line, const char *want)
{
	struct hostconf hc, def;
	char where[128];
	int rc;

	write_file(text);
	rc = load_from(&hc, path);
	snprintf(where, sizeof(where), "dmctl: %s:%u: ", path, line);
	unlink(path);
	hostconf_default(&def);
	CHECK(rc == -1 && strncmp(err, where, strlen(where)) == 0 &&
	    strstr(err, want) && strchr(err, '\n') == err + strlen(err) - 1 &&
	    hc.reserve == def.reserve && hc.grace == def.grace && !hc.uri,
	    "refused at line %u, naming \"%s\": %.*s", line, want,
	    (int)strcspn(err, "\n"), err);
	hostconf_free(&hc);
}

/* key = value sets *field to want; checked by the caller's expression. */
#define SETS(text, cond, what)                                              \
	do {                                                                \
		struct hostconf hc_;                                        \
		int rc_ = load(&hc_, text);                                 \
		CHECK(rc_ == 0 && (cond), "%s", what);                      \
		if (rc_ != 0)                                               \
			printf("#   %s", err);                          \
		hostconf_free(&hc_);                                        \
	} while (0)

static void
check_defaults(void)
{
	struct hostconf hc;

	hostconf_default(&hc);
	CHECK(hc.reserve == GIB && hc.reserve_percent == 5 &&
	    hc.overhead == 64 * MIB, "defaults: reserve 1G or 5%%, "
	    "overhead 64M");
	CHECK(hc.reclaim_delay == 300 && hc.min_step == 8 * MIB &&
	    hc.grace == 10 && hc.stats_period == 1 && hc.lock_wait == 10,
	    "defaults: reclaim 5m, step 8M, grace 10s, stats 1s, lock 10s");
	CHECK(!hc.uri && !hc.lock_file, "defaults: no URI, no lock file");
}

static void
check_every_key(void)
{
	struct hostconf hc;

	/* Every key, with comments, blank lines and stray whitespace. */
	CHECK(load(&hc, "# dmctl.conf\n"
	    "\n"
	    "reserve = 2G\n"
	    "  reserve-percent=10  \n"
	    "\toverhead =\t100M # per VM\n"
	    "reclaim-delay = 2m\n"
	    "min-step = 16MiB\n"
	    "grace = 30s\n"
	    "stats-period = 5\n"
	    "lock-wait = 1h\n"
	    "uri = qemu:///system\n"
	    "lock-file = /run/dmctl/lock\n"
	    "   # indented comment\n") == 0 && !err[0],
	    "a file with every key loads, silently");
	CHECK(hc.reserve == 2 * GIB && hc.reserve_percent == 10 &&
	    hc.overhead == 100 * MIB, "reserve, reserve-percent, overhead");
	CHECK(hc.reclaim_delay == 120 && hc.min_step == 16 * MIB &&
	    hc.grace == 30 && hc.stats_period == 5 && hc.lock_wait == 3600,
	    "reclaim-delay, min-step, grace, stats-period, lock-wait");
	CHECK_STR(hc.uri, "qemu:///system", "uri");
	CHECK_STR(hc.lock_file, "/run/dmctl/lock", "lock-file");
	hostconf_free(&hc);
	CHECK(!hc.uri && !hc.lock_file, "free clears the strings");
}

/* What each kind of value reads as. */
static void
check_values(void)
{
	/* Keys not given keep their defaults. */
	SETS("grace = 0\n", hc_.grace == 0 && hc_.reserve == GIB &&
	    hc_.reclaim_delay == 300 && !hc_.uri, "unset keys keep defaults");
	SETS("", hc_.reserve == GIB, "an empty file is the defaults");
	SETS("reserve = 1G", hc_.reserve == GIB, "no newline at the end");
	SETS("reserve = 1G\r\n", hc_.reserve == GIB, "CRLF line end");

	/* Units. */
	SETS("reserve = 1073741824\n", hc_.reserve == GIB,
	    "a bare size is bytes");
	SETS("reserve = 512KiB\n", hc_.reserve == 512 * KIB, "KiB");
	SETS("reserve = 1GB\n", hc_.reserve == 1000000000, "GB is 10^9");
	SETS("reserve = 0\n", hc_.reserve == 0, "reserve 0: none fixed");
	SETS("reserve = 0M\n", hc_.reserve == 0, "reserve 0M is 0 too");
	SETS("overhead = 0\n", hc_.overhead == 0, "overhead 0");
	SETS("reserve-percent = 0\n", hc_.reserve_percent == 0,
	    "reserve-percent 0");
	SETS("reserve-percent = 90\n", hc_.reserve_percent == 90,
	    "reserve-percent 90");
	SETS("min-step = 1M\n", hc_.min_step == MIB, "min-step 1M");
	SETS("reclaim-delay = 300\n", hc_.reclaim_delay == 300,
	    "a bare duration is seconds");
	SETS("reclaim-delay = 300s\n", hc_.reclaim_delay == 300, "300s");
	SETS("reclaim-delay = 5m\n", hc_.reclaim_delay == 300, "5m");
	SETS("reclaim-delay = 0\n", hc_.reclaim_delay == 0,
	    "reclaim-delay 0");
	SETS("reclaim-delay = 24h\n", hc_.reclaim_delay == 86400,
	    "24h, the longest");
	SETS("stats-period = 1h\n", hc_.stats_period == 3600,
	    "stats-period 1h, its longest");
	SETS("uri = qemu+ssh://root@h/system?keyfile=/k#x\n",
	    hc_.uri && strcmp(hc_.uri, "qemu+ssh://root@h/system?keyfile=/k#x")
	    == 0, "a '#' inside a value is kept");
	SETS("uri = test:///default # the test driver\n",
	    hc_.uri && strcmp(hc_.uri, "test:///default") == 0,
	    "a '#' after whitespace starts a comment");
	SETS("uri = a b\n", hc_.uri && strcmp(hc_.uri, "a b") == 0,
	    "inner whitespace of a value is kept");
}

/* Lines that are no key = value, and values of the wrong kind. */
static void
check_refused_lines(void)
{
	/* Each error names the file, the line and the key or value. */
	refused("colour = red\n", 1, "unknown key 'colour'");
	refused("# x\n\nReserve = 1G\n", 3, "unknown key 'Reserve'");
	refused("colour red\n", 1, "unknown key 'colour'");
	refused("reserve 1G\n", 1, "reserve: missing '='");
	refused("reserve\n", 1, "reserve: missing '='");
	refused("= 1G\n", 1, "missing key");
	refused("reserve =\n", 1, "reserve: missing value");
	refused("reserve = # none\n", 1, "reserve: missing value");
	refused("grace = 1\nreserve = 1G\nreserve = 2G\n", 3,
	    "reserve: given twice (first on line 2)");
	refused("reserve = 12Q\n", 1, "reserve: '12Q' is not a size");
	refused("reserve = -1G\n", 1, "reserve: '-1G' must not be negative");
	refused("reserve = 1.5G\n", 1, "reserve: '1.5G' is not a size");
	refused("reserve = 99999999999999999999\n", 1, "too large");
	refused("overhead = lots\n", 1, "overhead: 'lots' is not a size");
	refused("reserve-percent = 91\n", 1,
	    "reserve-percent: '91' must be between 0 and 90");
	refused("reserve-percent = 5%\n", 1,
	    "reserve-percent: '5%' is not a whole number");
	refused("reserve-percent = -1\n", 1, "must not be negative");
	refused("reserve-percent = +5\n", 1, "is not a whole number");
	refused("min-step = 512K\n", 1, "min-step: '512K' must be from 1M to 1.0T");
	refused("min-step = 0\n", 1, "min-step: '0' must be from 1M to 1.0T");
}

/* Control characters, and sizes and durations out of range. */
static void
check_refused_values(void)
{
	/* Control characters are named by column, never echoed: the
	 * message goes to a terminal. */
	refused("reserve = 1G\nuri = \033[31mred\n", 2,
	    "column 7: control character 0x1b");
	refused("lock-file = /tmp/a\bb\n", 1, "control character 0x08");
	CHECK(!strchr(err, '\b'), "the byte is not in the message");
	/* Sizes nobody can mean, that sums over them would overflow. */
	refused("reserve = 18446744073709551615\n", 1,
	    "reserve: '18446744073709551615' must be from 0K to 1024.0T");
	refused("reserve = 2048T\n", 1, "reserve: '2048T' must be from");
	refused("overhead = 6148914691236517206\n", 1,
	    "overhead: '6148914691236517206' must be from 0K to 1.0T");
	refused("min-step = 2T\n", 1, "min-step: '2T' must be from 1M to 1.0T");
	refused("reclaim-delay = 5 m\n", 1,
	    "reclaim-delay: '5 m' is not a duration");
	refused("reclaim-delay = 5M\n", 1, "'5M' is not a duration");
	refused("reclaim-delay = 1d\n", 1, "'1d' is not a duration");
	refused("reclaim-delay = 5ms\n", 1, "'5ms' is not a duration");
	refused("reclaim-delay = m\n", 1, "'m' is not a duration");
	refused("reclaim-delay = 25h\n", 1,
	    "reclaim-delay: '25h' must be between 0 and 86400 seconds");
	refused("reclaim-delay = 99999999999999999999h\n", 1,
	    "must be between 0 and 86400 seconds");
	refused("grace = soon\n", 1, "grace: 'soon' is not a duration");
	refused("lock-wait = -5\n", 1, "lock-wait: '-5' must not be negative");
	refused("stats-period = 0\n", 1,
	    "stats-period: '0' must be between 1 and 3600 seconds");
	refused("stats-period = 61m\n", 1, "stats-period: '61m' must be");
	refused("lock-file = run/dmctl.lock\n", 1,
	    "lock-file: 'run/dmctl.lock' is not an absolute path");
	refused("uri = \n", 1, "uri: missing value");
}

static void
check_line_limits(void)
{
	struct hostconf hc;
	char *big;
	FILE *f;

	/* Lines up to 1024 characters are read, longer ones refused. */
	big = xmalloc(2100);
	memset(big, ' ', 2100);
	memcpy(big + 1024 - 12, "grace = 1   \n", 14);
	SETS(big, hc_.grace == 1, "a line of 1024 characters");
	memcpy(big + 1024 - 11, "grace = 1   \n", 14);
	refused(big, 1, "line longer than 1024 characters");
	free(big);
	/* A NUL byte would hide the rest of its line. */
	write_file("");
	if (!(f = fopen(path, "w")) || fwrite("grace = 1\0 2\n", 1, 13, f) !=
	    13 || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
	CHECK(load_from(&hc, path) < 0 && strstr(err, ":1: line holds a NUL "
	    "byte"), "a NUL byte in a line is refused");
	unlink(path);
}

static void
check_files(void)
{
	struct hostconf hc;

	/* A file named must be there; the default one may be missing. */
	CHECK(load_from(&hc, "/nonexistent/dmctl.conf") == -1 &&
	    strcmp(err, "dmctl: cannot open '/nonexistent/dmctl.conf': "
	    "No such file or directory\n") == 0,
	    "a missing explicit file is an error: %.*s",
	    (int)strcspn(err, "\n"), err);
	CHECK(load_from(&hc, "/") == -1 && strstr(err, "cannot read '/'"),
	    "a directory is an error: %.*s", (int)strcspn(err, "\n"), err);
	CHECK(strcmp(err, "dmctl: cannot read '/': a directory\n") == 0,
	    "and says so: %.*s", (int)strcspn(err, "\n"), err);
	CHECK(load_from(&hc, "/dev/zero") == -1 && strcmp(err, "dmctl: "
	    "cannot read '/dev/zero': not a regular file\n") == 0,
	    "a device is not read: %.*s", (int)strcspn(err, "\n"), err);
	CHECK(load_from(&hc, "/dev/null") == 0 && !err[0] &&
	    hc.reserve == GIB && !hc.uri, "/dev/null: the defaults");
	if (access(HOSTCONF_PATH, F_OK) < 0 && errno == ENOENT)
		CHECK(load_from(&hc, NULL) == 0 && !err[0] &&
		    hc.reserve == GIB && !hc.uri,
		    "no " HOSTCONF_PATH ": the defaults, silently");
	else
		printf("ok %d - # SKIP " HOSTCONF_PATH " exists\n", ++unit_n);
	hostconf_free(&hc);
}

static void
check_failed_load(void)
{
	struct hostconf hc;

	/* A failed load leaves the defaults, not half the file. */
	write_file("uri = test:///default\nreserve = 2G\nbogus = 1\n");
	CHECK(load_from(&hc, path) < 0 && !hc.uri && hc.reserve == GIB,
	    "after an error hc holds the defaults");
	unlink(path);
	hostconf_free(&hc);
}

int
main(void)
{
	check_defaults();
	check_every_key();
	check_values();
	check_refused_lines();
	check_refused_values();
	check_line_limits();
	check_files();
	check_failed_load();
	return unit_done();
}
