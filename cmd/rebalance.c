/*
 * rebalance.c - "dmctl rebalance": one balancing pass (for cron), or a
 * pass every few seconds until SIGINT or SIGTERM. A lock keeps two
 * passes on one daemon from interleaving.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "balance.h"
#include "commands.h"
#include "hostconf.h"
#include "lock.h"
#include "size.h"
#include "util.h"
#include "virt.h"

enum { O_DRY_RUN = 1, O_JSON, O_QUIET, O_EVERY, O_CONFIG_FILE };

static const struct cli_opt opts[] = {
	{ O_DRY_RUN, "dry-run", 'n', NULL, "print the plan, change nothing",
	    NULL },
	{ O_JSON, "json", 0, NULL, "print the plan and result as JSON", NULL },
	{ O_QUIET, "quiet", 'q', NULL, "print only errors (for cron)", NULL },
	{ O_EVERY, "every", 0, "SECONDS",
	    "run a pass every SECONDS until SIGINT or SIGTERM", "number" },
	{ O_CONFIG_FILE, "config-file", 'C', "FILE",
	    "host settings file (default /etc/dmctl.conf)", "file" },
	CLI_COMMON_OPTS,
};

static int run(const struct cli_cmd *cmd, int argc, char **argv);

const struct cli_cmd cmd_rebalance = {
	"rebalance", NULL, "Move memory between running dynamic VMs: one pass, "
	"or one every few seconds.", opts, DM_ARRAY_LEN(opts), run, NULL,
};

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Sleep until start + every, waking early for a signal. */
static void
wait_tick(const struct timespec *start, unsigned every)
{
	struct timespec now, tick = { 0, 50 * 1000 * 1000 };
	long long end = (long long)(start->tv_sec + (time_t)every) *
	    1000000000LL + start->tv_nsec;

	while (!stop) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((long long)now.tv_sec * 1000000000LL + now.tv_nsec >= end)
			break;
		nanosleep(&tick, NULL);
	}
}

static int
run(const struct cli_cmd *cmd, int argc, char **argv)
{
	const char *uri = dmctl_uri, *conffile = NULL, *arg;
	struct balance_opts bo = { false, BAL_TEXT, 0, 0 };
	struct sigaction sa;
	struct hostconf hc;
	virConnectPtr conn = NULL;
	long every = 0;
	const char *why;
	int c, rc = 0, fd, said_down = 0;
	char *lock = NULL;

	while ((c = cli_next(cmd, argc, argv, &arg)) != CLI_END) {
		switch (c) {
		case O_DRY_RUN:
			bo.dry_run = true;
			break;
		case O_JSON:
			bo.output = BAL_JSON;
			break;
		case O_QUIET:
			bo.output = BAL_QUIET;
			break;
		case O_EVERY:
			if (number_parse(arg, 1, 86400, &every, &why) < 0)
				return cli_usage_error(cmd, "--every: '%s' is "
				    "%s (1 to 86400)", arg, why);
			bo.every = (unsigned)every;
			break;
		case O_CONFIG_FILE:
			conffile = arg;
			break;
		case OPT_CONNECT:
			uri = arg;
			break;
		case OPT_HELP:
			cli_help(cmd, stdout);
			return 0;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return cli_usage_error(cmd, "unexpected argument '%s'",
		    argv[optind]);
	if (hostconf_load(&hc, conffile) < 0) {
		hostconf_free(&hc);
		return 1;
	}
	uri = hostconf_uri(&hc, uri);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	openlog("dmctl", LOG_PID, LOG_DAEMON);

	do {
		struct timespec start;

		clock_gettime(CLOCK_MONOTONIC, &start);
		/* While the daemon is down, --every says so once, not each
		 * second. */
		if (!conn && !(conn = virt_open(uri, false, !said_down))) {
			rc = 1;
			said_down = 1;
		} else {
			if (said_down)
				dm_warn("rebalance: connected again");
			said_down = 0;
			free(lock);
			lock = lock_path(conn, &hc);
			if ((fd = lock_take(lock, hc.lock_wait, "rebalance", &stop)) < 0)
				rc = 1;
			else {
				int r = balance_pass(conn, &hc, &bo,
				    time(NULL), stdout);

				close(fd);
				rc = r != 0;
				/* A dead connection is opened afresh next
				 * time, so --every outlives a daemon
				 * restart. */
				if (r < 0 && virConnectIsAlive(conn) != 1) {
					virConnectClose(conn);
					conn = NULL;
				}
			}
		}
		/* Each pass's plan is out before the next: a reader that
		 * went away ends the loop (quietly, as by SIGPIPE). */
		if (every && dm_flush_stdout() < 0) {
			rc = 1;
			break;
		}
		if (every)
			wait_tick(&start, (unsigned)every);
	} while (every && !stop);

	if (conn)
		virConnectClose(conn);
	free(lock);
	hostconf_free(&hc);
	closelog();
	/* Stopped by a signal, --every has done its job. */
	return every && stop ? 0 : rc;
}
