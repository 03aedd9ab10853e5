/* SPDX-License-Identifier: GPL-2.0-or-later */
/* log.c - the system log of the balancer: journal, syslog or stderr. */
#include "log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "util.h"

enum sink { SINK_NONE, SINK_JOURNAL, SINK_SYSLOG, SINK_STDERR };

static enum sink sink = SINK_NONE;
static bool warned;

/*
 * systemd sets JOURNAL_STREAM to the device and inode of the stream it
 * connects stderr to (systemd.exec(5)); stderr redirected since, as by a
 * shell started from a unit, is no longer the journal.
 */
static bool
stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	char end;

	if (!e || sscanf(e, "%llu:%llu%c", &dev, &ino, &end) != 2)
		return false;
	return fstat(STDERR_FILENO, &st) == 0 &&
	    (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino;
}

/* Whether a syslog daemon listens on /dev/log: a socket left behind by
 * one that is gone refuses the connection. A datagram socket as a rule,
 * a stream one for some daemons (syslog(3) tries both). */
static bool
syslog_listens(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	static const int types[] = { SOCK_DGRAM, SOCK_STREAM };
	bool ok = false;

	strcpy(sa.sun_path, "/dev/log");
	for (size_t i = 0; i < DM_ARRAY_LEN(types) && !ok; i++) {
		int fd = socket(AF_UNIX, types[i] | SOCK_CLOEXEC, 0);

		if (fd < 0)
			continue;
		ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
		close(fd);
	}
	return ok;
}

/*
 * DMCTL_LOG names the log to use, for a host where it cannot be told
 * (a syslog daemon that starts later, a supervisor that reads "<N>"
 * prefixes); unset or "auto", it is found as log.h says.
 */
static enum sink
sink_named(void)
{
	static const char *const names[] = {
		[SINK_JOURNAL] = "journal",
		[SINK_SYSLOG] = "syslog",
		[SINK_STDERR] = "stderr",
	};
	const char *e = getenv("DMCTL_LOG");

	if (!e || !*e || strcmp(e, "auto") == 0)
		return SINK_NONE;
	for (size_t i = SINK_JOURNAL; i <= SINK_STDERR; i++)
		if (strcmp(e, names[i]) == 0)
			return (enum sink)i;
	dm_warn("DMCTL_LOG: '%s' is not auto, journal, syslog or stderr: "
	    "taken as auto", e);
	return SINK_NONE;
}

void
log_open(const char *ident)
{
	sink = sink_named();
	if (sink == SINK_NONE)
		sink = stderr_is_journal() ? SINK_JOURNAL :
		    syslog_listens() ? SINK_SYSLOG : SINK_STDERR;
	/* Under the journal dm_error and dm_warn say their level too. */
	if (sink == SINK_JOURNAL)
		dm_report_journal(true);
	if (sink == SINK_SYSLOG)
		openlog(ident, LOG_PID, LOG_DAEMON);
}

void
log_close(void)
{
	if (sink == SINK_SYSLOG)
		closelog();
	if (sink == SINK_JOURNAL)
		dm_report_journal(false);
	sink = SINK_NONE;
}

/* msg to its sink; on stderr too if say. */
static void
emit(int prio, const char *msg, bool say)
{
	/* A command that did not open the log ("dmctl start") logs as
	 * itself. */
	if (sink == SINK_NONE)
		log_open(dm_progname);
	switch (sink) {
	case SINK_JOURNAL:
		/* The journal reads the level from an sd-daemon(3) "<N>"
		 * prefix (dm_report writes it) and names the program
		 * itself. */
		dm_report(prio, "%s", msg);
		return;
	case SINK_SYSLOG:
		syslog(prio, "%s", msg);
		break;
	case SINK_STDERR:
	case SINK_NONE:
		if (say)
			break;
		if (!warned)
			dm_warn("no syslog at /dev/log and not under systemd: "
			    "balancer changes are printed here");
		warned = true;
		say = true;
		break;
	}
	if (say)
		dm_warn("%s", msg);
}

void
log_print(int prio, bool say, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg)
		return;
	emit(prio, msg, say);
	free(msg);
}
