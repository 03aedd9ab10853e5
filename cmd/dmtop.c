/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dmtop.c - a live view of dynamic memory: the host pool and every VM's
 * assigned memory, demand and status, refreshed by a timer and at once on
 * libvirt domain events. "dmctl show" in a loop, but with one connection,
 * one snapshot per refresh and a curses screen; -b prints text or JSON.
 * This file is the program: its options and batch mode.
 */
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "dmtop.h"
#include "fields.h"
#include "hostline.h"
#include "util.h"
#include "virt.h"

/* What the options ask for; -c and -C land in struct cli_args. */
struct top_opts {
	double delay;
	enum top_col sort;
	bool reverse, batch, json;
	const char *filter;
	long iterations;	/* 0: not given */
};

#define OFF(f) offsetof(struct top_opts, f)

static const char *
parse_sort(const char *arg, void *dst)
{
	int c = top_col_find(arg);

	if (c < 0)
		return "is not a column";
	*(enum top_col *)dst = (enum top_col)c;
	return NULL;
}

static const struct cli_opt opts[] = {
	{ .lng = "delay", .shrt = 'd', .type = CLI_DURATION, .off = OFF(delay),
	    .min = DMTOP_DELAY_MIN, .max = DMTOP_DELAY_MAX,
	    .help = "refresh every SECONDS (default 1, fractions allowed)" },
	{ .lng = "sort", .shrt = 's', .arg = "COLUMN", .type = CLI_STRING,
	    .off = OFF(sort), .parse = parse_sort, .complete = "column",
	    .help = "sort by COLUMN (name, state, assigned, demand, pressure, "
	    "buffer_wanted, buffer_available, status, minimum, maximum, "
	    "weight, grows, plugged)" },
	{ .lng = "reverse", .shrt = 'r', .type = CLI_FLAG, .off = OFF(reverse),
	    .help = "reverse the sort order" },
	{ .lng = "filter", .shrt = 'f', .arg = "TEXT", .type = CLI_STRING,
	    .off = OFF(filter),
	    .help = "show only VMs whose name contains TEXT" },
	{ .lng = "batch", .shrt = 'b', .type = CLI_FLAG, .off = OFF(batch),
	    .help = "print text instead of a live view (for logs and "
	    "scripts)" },
	{ .lng = "iterations", .shrt = 'n', .type = CLI_NUMBER,
	    .off = OFF(iterations), .lo = 1, .hi = LONG_MAX,
	    .help = "stop after N refreshes (default: 1 with -b, else never)" },
	{ .lng = "json", .type = CLI_FLAG, .off = OFF(json),
	    .help = "with -b: one JSON document a line" },
};

/* dmtop is a program of its own: a command without a name. */
static const struct cli_cmd top_cmd = {
	.summary = "A live view of dynamic memory: the host pool and each "
	    "VM's assigned memory,\ndemand and status.",
	CLI_OPTS(opts), .common = CLI_COMMON | CLI_VERSION_OPT,
	.help_more = dmtop_keys_usage,
};

/* The same keys as "dmctl show --json", plus the buffer figures. */
static const enum col_id json_cols[] = {
	COL_NAME, COL_UUID, COL_STATE, COL_MODE, COL_GROWS, COL_STARTUP,
	COL_MINIMUM, COL_MAXIMUM, COL_BUFFER, COL_WEIGHT, COL_ASSIGNED,
	COL_PLUGGED, COL_DEMAND, COL_PRESSURE, COL_STATUS, COL_BUF_WANT,
	COL_BUF_AVAIL, COL_LOAN, COL_SETTLING,
};

/* Batch mode's bar width: there is no terminal to fit. */
#define BATCH_BAR 22

/*
 * "dmtop --complete REQUEST ...": the shell completions' questions. Those
 * about the options are cli_complete's; "columns" lists the sort columns.
 */
static int
complete(int argc, char **argv)
{
	int c, rc;

	if (argc >= 1 && strcmp(argv[0], "columns") == 0) {
		for (c = 0; c < TOP_NCOLS; c++)
			if (top_columns[c].key)
				printf("%s\n", top_columns[c].name);
		return 0;
	}
	if (argc >= 1 && (rc = cli_complete(&top_cmd, argv[0], argc - 1,
	    argv + 1)) != CLI_RUN)
		return rc;
	return cli_usage_error(NULL, "--complete: say options, argument OPT "
	    "or columns");
}

void
dmtop_select(struct top *t)
{
	free(t->rows);
	t->rows = xcalloc(t->snap.n ? t->snap.n : 1, sizeof(*t->rows));
	t->nrows = top_select(&t->snap, t->filter, t->sort, t->reverse,
	    t->rows);
}

/* ---- batch mode ---- */

/* A row without the padding of its last column. */
static void
print_trimmed(char *row)
{
	size_t n = strlen(row);

	while (n && row[n - 1] == ' ')
		row[--n] = '\0';
	printf("%s\n", row);
}

/* Filtered and sorted like the text, so one copy of the snapshot holds
 * the rows in view order. */
static int
batch_json(struct top *t)
{
	struct snapshot view = t->snap;
	struct vm *vms = xcalloc(t->nrows ? t->nrows : 1, sizeof(*vms));
	size_t i;

	for (i = 0; i < t->nrows; i++)
		vms[i] = *t->rows[i];
	view.vms = vms;
	view.n = t->nrows;
	fields_print_json(stdout, &view, json_cols, DM_ARRAY_LEN(json_cols));
	free(vms);
	return dm_flush_stdout();
}

static int
batch_print(struct top *t, bool json)
{
	struct top_layout l;
	struct hostline hl;
	char when[64], *row;
	size_t i, len;
	struct tm tm;

	if (json)
		return batch_json(t);
	localtime_r(&t->snap.taken, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	hostline(&t->snap.host, t->snap.taken, HOSTLINE_THREE, &hl);
	printf("dmtop %s, %s\n", when, virt_uri_name(t->uri));
	for (i = 0; i < hl.n; i++)
		printf("%s\n", hl.line[i]);
	putchar('\n');
	top_layout(&l, t->rows, t->nrows, 0, BATCH_BAR);
	len = top_row_size(&l);
	row = xmalloc(len);
	print_trimmed(top_format_row(&l, NULL, row, len));
	for (i = 0; i < t->nrows; i++)
		print_trimmed(top_format_row(&l, t->rows[i], row, len));
	free(row);
	return dm_flush_stdout();
}

static void
sleep_seconds(double s)
{
	struct timespec ts;

	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * Each refresh prints a snapshot. When the daemon goes away, the outage is
 * reported once, the refreshes that follow try to connect afresh and
 * print nothing, and "connected again" says when they print again; the
 * exit status is then 1.
 */
static int
run_batch(struct top *t, bool json)
{
	long i;
	int rc = 0;
	bool printed = false, down = false;

	for (i = 0; !t->iterations || i < t->iterations; i++) {
		if (i)
			sleep_seconds(t->delay);
		if (t->have_snap)
			snapshot_free(&t->snap);
		t->have_snap = false;
		if (t->conn && virConnectIsAlive(t->conn) != 1) {
			virConnectClose(t->conn);
			t->conn = NULL;
		}
		if (!t->conn) {
			if (!(t->conn = virt_open(t->uri, true, !down))) {
				down = true;
				rc = 1;
				continue;
			}
			if (down)
				dm_warn("connected again to %s",
				    virt_uri_name(t->uri));
			down = false;
		}
		if (snapshot_take(t->conn, NULL, 0, &t->hc, &t->snap) < 0) {
			rc = 1;
			if (virConnectIsAlive(t->conn) != 1)
				down = true;
			continue;
		}
		t->have_snap = true;
		dmtop_select(t);
		if (printed && !json)
			putchar('\n');
		printed = true;
		if (batch_print(t, json) != 0)
			return 1;
	}
	return rc;
}

/* ---- the program ---- */

/*
 * The options into t and o: CLI_RUN to go on, else the exit status (after
 * -h, -V or a usage error). What one option cannot check is here.
 */
static int
parse_args(struct top *t, struct top_opts *o, struct cli_args *a, int argc,
    char **argv)
{
	int rc;

	if ((rc = cli_parse(&top_cmd, argc, argv, o, a)) != CLI_RUN)
		return rc ? rc : dm_flush_stdout() < 0;
	if (o->json && !o->batch)
		return cli_usage_error(NULL, "--json needs -b");
	t->uri = a->uri;
	t->delay = o->delay;
	t->sort = o->sort;
	t->reverse = o->reverse;
	snprintf(t->filter, sizeof(t->filter), "%s", o->filter);
	t->iterations = o->iterations ? o->iterations : o->batch;
	return CLI_RUN;
}

int
main(int argc, char **argv)
{
	struct top_opts o = { .delay = 1, .sort = TOP_NAME, .filter = "" };
	struct cli_args a = { .uri = NULL };
	struct top t;
	int rc;

	dm_progname = "dmtop";
	dm_ignore_sigpipe();
	setlocale(LC_ALL, "");
	memset(&t, 0, sizeof(t));
	for (size_t i = 0; i < DM_ARRAY_LEN(t.cb); i++)
		t.cb[i] = -1;
	if (argc >= 2 && strcmp(argv[1], "--complete") == 0)
		return complete(argc - 2, argv + 2);
	if ((rc = parse_args(&t, &o, &a, argc, argv)) != CLI_RUN)
		return rc;
	if (hostconf_load(&t.hc, a.conffile) < 0)
		return 1;
	t.uri = hostconf_uri(&t.hc, t.uri);
	/* Before connecting, so that the connection delivers events. */
	if (!o.batch && virEventRegisterDefaultImpl() < 0) {
		dm_error("cannot start the libvirt event loop: %s",
		    virt_errmsg());
		hostconf_free(&t.hc);
		return 1;
	}
	if (!(t.conn = virt_open(t.uri, true, true))) {
		hostconf_free(&t.hc);
		return 1;
	}
	rc = o.batch ? run_batch(&t, o.json) : dmtop_live(&t);
	dmtop_disconnect(&t);
	if (t.have_snap)
		snapshot_free(&t.snap);
	free(t.rows);
	hostconf_free(&t.hc);
	if (o.batch && dm_flush_stdout() < 0)
		rc = 1;
	return rc;
}
