/* SPDX-License-Identifier: GPL-2.0-or-later */
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
#include <time.h>
#include <unistd.h>

#include "balance.h"
#include "commands.h"
#include "hostconf.h"
#include "lock.h"
#include "log.h"
#include "size.h"
#include "util.h"
#include "virt.h"

struct rebalance_opts {
	bool dry_run;
	int output;		/* enum balance_output */
	long every;
	const char *textfile;
};

#define REB_OFF(field) offsetof(struct rebalance_opts, field)

static const struct cli_opt opts[] = {
	{ .lng = "dry-run", .shrt = 'n', .type = CLI_FLAG,
	    .off = REB_OFF(dry_run), .help = "print the plan, change nothing" },
	{ .lng = "json", .type = CLI_SET, .off = REB_OFF(output),
	    .value = BAL_JSON, .help = "print the plan and result as JSON" },
	{ .lng = "quiet", .shrt = 'q', .type = CLI_SET, .off = REB_OFF(output),
	    .value = BAL_QUIET, .help = "print only errors (for cron)" },
	{ .lng = "every", .type = CLI_NUMBER, .arg = "SECONDS",
	    .off = REB_OFF(every), .lo = 1, .hi = 86400,
	    .help = "run a pass every SECONDS until SIGINT or SIGTERM" },
	{ .lng = "textfile", .type = CLI_PATH, .arg = "DIR",
	    .off = REB_OFF(textfile),
	    .help = "write DIR/" PROM_TEXTFILE " after each pass (needs "
	    "--every)" },
};

static int run(const struct cli_cmd *cmd, int argc, char **argv);

const struct cli_cmd cmd_rebalance = {
	.name = "rebalance",
	.summary = "Move memory between running dynamic VMs: one pass, or one "
	    "every few seconds.",
	CLI_OPTS(opts),
	.common = CLI_COMMON,
	.run = run,
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

/* Between passes: the connection, kept while it lives, and the lock. */
struct loop {
	const char *uri;
	struct hostconf hc;
	struct balance_opts bo;
	virConnectPtr conn;
	char *lock;
	bool said_down;
	const char *textfile;	/* --textfile DIR, or NULL */
	struct prom_tally tally;
	bool said_textfile;
};

/* One pass: 0, or 1 when it failed or some VM could not be set. */
static int
pass(struct loop *l)
{
	int fd, r;

	/* While the daemon is down, --every says so once, not each
	 * second. */
	if (!l->conn && !(l->conn = virt_open(l->uri, false, !l->said_down))) {
		l->said_down = true;
		l->tally.errors++;
		return 1;
	}
	if (l->said_down)
		dm_warn("rebalance: connected again");
	l->said_down = false;
	free(l->lock);
	l->lock = lock_path(l->conn, &l->hc);
	if ((fd = lock_take(l->lock, l->hc.lock_wait, "rebalance", &stop)) < 0) {
		l->tally.errors++;
		return 1;
	}
	r = balance_pass(l->conn, &l->hc, &l->bo, time(NULL), stdout);
	close(fd);
	if (r < 0)
		l->tally.errors++;
	/* A dead connection is opened afresh next time, so --every
	 * outlives a daemon restart. */
	if (r < 0 && virConnectIsAlive(l->conn) != 1) {
		virConnectClose(l->conn);
		l->conn = NULL;
	}
	return r != 0;
}

/* The figures after a pass and the loop's counters, for node_exporter; only
 * the counters while the daemon cannot be read. A file that cannot be
 * written is said once, until it can be again. */
static void
write_textfile(struct loop *l, const struct timespec *start)
{
	struct timespec end;
	struct snapshot s;
	char err[1024];
	bool have;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &end);
	l->tally.passes++;
	l->tally.pass_seconds = (double)(end.tv_sec - start->tv_sec) +
	    (double)(end.tv_nsec - start->tv_nsec) / 1e9;
	if (!l->textfile)
		return;
	have = l->conn && snapshot_take(l->conn, NULL, 0, &l->hc, &s) == 0;
	r = prom_write_textfile(l->textfile, have ? &s : NULL, &l->tally, err,
	    sizeof(err));
	if (have)
		snapshot_free(&s);
	if (r < 0 && !l->said_textfile)
		dm_warn("rebalance: %s", err);
	l->said_textfile = r < 0;
}

static int
run(const struct cli_cmd *cmd, int argc, char **argv)
{
	struct rebalance_opts o = { .output = BAL_TEXT };
	struct cli_args a = { .uri = dmctl_uri };
	struct loop l = { .conn = NULL };
	struct sigaction sa;
	int rc;

	if ((rc = cli_parse(cmd, argc, argv, &o, &a)) != CLI_RUN)
		return rc;
	/* --every is at least 1 when given. */
	if (o.textfile && !o.every)
		return cli_usage_error(cmd, "--textfile needs --every");
	if (hostconf_load(&l.hc, a.conffile) < 0) {
		hostconf_free(&l.hc);
		return 1;
	}
	l.uri = hostconf_uri(&l.hc, a.uri);
	l.bo.dry_run = o.dry_run;
	l.bo.output = (enum balance_output)o.output;
	l.bo.every = (unsigned)o.every;
	l.bo.tally = &l.tally;
	l.textfile = o.textfile;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	log_open("dmctl");
	do {
		struct timespec start;

		clock_gettime(CLOCK_MONOTONIC, &start);
		rc = pass(&l);
		write_textfile(&l, &start);
		/* Each pass's plan is out before the next: a reader that
		 * went away ends the loop (quietly, as by SIGPIPE). */
		if (o.every && dm_flush_stdout() < 0) {
			rc = 1;
			break;
		}
		if (o.every)
			wait_tick(&start, (unsigned)o.every);
	} while (o.every && !stop);

	if (l.conn)
		virConnectClose(l.conn);
	free(l.lock);
	hostconf_free(&l.hc);
	log_close();
	/* Stopped by a signal, --every has done its job. */
	return o.every && stop ? 0 : rc;
}
