/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_log.c - stderr taken for the journal only when it is the stream
 * JOURNAL_STREAM names, and then every line with its level.
 */
#include "log.h"
#include "unit.h"
#include "util.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

/* Run what with stderr in a new file, JOURNAL_STREAM set to journal
 * (NULL: that file's own device and inode); return what it wrote. */
static char *
stderr_of(const char *journal, void (*what)(void))
{
	FILE *f = tmpfile();
	int saved = dup(STDERR_FILENO);
	struct stat st;
	char env[64], *buf;
	long n;

	fflush(stderr);
	dup2(fileno(f), STDERR_FILENO);
	fstat(STDERR_FILENO, &st);
	snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)st.st_dev,
	    (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", journal ? journal : env, 1);
	log_open("dmctl-test");
	what();
	log_close();
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	n = ftell(f);
	buf = xcalloc(1, (size_t)n + 1);
	rewind(f);
	n = (long)fread(buf, 1, (size_t)n, f);
	buf[n > 0 ? n : 0] = '\0';
	fclose(f);
	return buf;
}

static void
change_and_error(void)
{
	log_record(LOG_NOTICE, "VM '%s': memory 1.0G -> 1.3G", "web1");
	log_say(LOG_WARNING, "VM 'web1': invalid settings");
	dm_error("cannot connect");
	dm_warn("connected again");
}

static void
warn_only(void)
{
	dm_warn("connected again");
}

int
main(void)
{
	char *s;

	s = stderr_of(NULL, change_and_error);
	CHECK_STR(s, "<5>VM 'web1': memory 1.0G -> 1.3G\n"
	    "<4>VM 'web1': invalid settings\n"
	    "<3>cannot connect\n"
	    "<4>connected again\n",
	    "stderr is the journal: each line with its level, once");
	free(s);
	/* A shell started by a unit that sent stderr elsewhere. */
	s = stderr_of("1:1", warn_only);
	CHECK_STR(s, "dmctl: connected again\n",
	    "stderr is not the stream named: not the journal");
	free(s);
	s = stderr_of("junk", warn_only);
	CHECK_STR(s, "dmctl: connected again\n", "a JOURNAL_STREAM not "
	    "device:inode is not the journal");
	free(s);
	/* DMCTL_LOG decides instead. */
	setenv("DMCTL_LOG", "journal", 1);
	s = stderr_of("1:1", warn_only);
	CHECK_STR(s, "<4>connected again\n", "DMCTL_LOG=journal: the journal");
	free(s);
	setenv("DMCTL_LOG", "stderr", 1);
	s = stderr_of(NULL, change_and_error);
	CHECK_STR(s, "dmctl: no syslog at /dev/log and not under systemd: "
	    "balancer changes are printed here\n"
	    "dmctl: VM 'web1': memory 1.0G -> 1.3G\n"
	    "dmctl: VM 'web1': invalid settings\n"
	    "dmctl: cannot connect\n"
	    "dmctl: connected again\n",
	    "DMCTL_LOG=stderr: not the journal, changes after one warning");
	free(s);
	return unit_done();
}
