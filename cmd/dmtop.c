/*
 * dmtop.c - a live view of dynamic memory: the host pool and every VM's
 * assigned memory, demand and status, refreshed by a timer and at once on
 * libvirt domain events. "dmctl show" in a loop, but with one connection,
 * one snapshot per refresh and a curses screen; -b prints text or JSON.
 * This file is the program: its options and batch mode.
 */
#include <errno.h>
#include <locale.h>
#include <math.h>
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

#ifndef DM_VERSION
#define DM_VERSION "unknown"
#endif

enum {
	O_DELAY = 1, O_SORT, O_REVERSE, O_BATCH, O_ITERATIONS, O_JSON,
	O_FILTER, O_CONFIG_FILE, O_VERSION
};

static const struct cli_opt opts[] = {
	{ O_DELAY, "delay", 'd', "SECONDS",
	    "refresh every SECONDS (default 1, fractions allowed)", "number" },
	{ O_SORT, "sort", 's', "COLUMN",
	    "sort by COLUMN (name, state, assigned, demand, pressure, "
	    "buffer_wanted, buffer_available, status, minimum, maximum, "
	    "weight, grows, plugged)", "column" },
	{ O_REVERSE, "reverse", 'r', NULL, "reverse the sort order", NULL },
	{ O_FILTER, "filter", 'f', "TEXT",
	    "show only VMs whose name contains TEXT", NULL },
	{ O_BATCH, "batch", 'b', NULL,
	    "print text instead of a live view (for logs and scripts)", NULL },
	{ O_ITERATIONS, "iterations", 'n', "N",
	    "stop after N refreshes (default: 1 with -b, else never)",
	    "number" },
	{ O_JSON, "json", 0, NULL, "with -b: one JSON document a line", NULL },
	{ O_CONFIG_FILE, "config-file", 'C', "FILE",
	    "host settings file (default /etc/dmctl.conf)", "file" },
	{ O_VERSION, "version", 'V', NULL, "print the version and exit", NULL },
	CLI_COMMON_OPTS,
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

/* dmtop is a program of its own: a command without a name. */
static const struct cli_cmd top_cmd = {
	NULL, NULL, "A live view of dynamic memory: the host pool and each "
	"VM's assigned memory,\ndemand and status.", opts, DM_ARRAY_LEN(opts),
	NULL, NULL,
};

/* What the options ask for besides the view's own settings. */
struct args {
	const char *conffile;
	bool batch, json;
};

static void
usage(FILE *f)
{
	cli_help(&top_cmd, f);
	fputc('\n', f);
	dmtop_keys_usage(f);
}

/*
 * "dmtop --complete options | argument OPT | columns": answers for the
 * shell completions, from the same table that parses the options.
 */
static int
complete(int argc, char **argv)
{
	int c;

	if (argc >= 3 && strcmp(argv[2], "options") == 0) {
		cli_list_options(&top_cmd, stdout);
		return 0;
	}
	if (argc >= 3 && strcmp(argv[2], "columns") == 0) {
		for (c = 0; c < TOP_NCOLS; c++)
			if (top_columns[c].key)
				printf("%s\n", top_columns[c].name);
		return 0;
	}
	if (argc >= 4 && strcmp(argv[2], "argument") == 0) {
		const struct cli_opt *o = cli_find(&top_cmd, argv[3]);

		if (!o)
			return 1;
		printf("%s\n", cli_argument_kind(o));
		return 0;
	}
	return cli_usage_error(NULL, "--complete: say options, argument OPT "
	    "or columns");
}

int
dmtop_parse_delay(const char *s, double *out)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(d) ||
	    d < DMTOP_DELAY_MIN || d > DMTOP_DELAY_MAX)
		return -1;
	*out = d;
	return 0;
}

void
dmtop_select(struct top *t)
{
	free(t->rows);
	t->rows = xcalloc(t->snap.n ? t->snap.n : 1, sizeof(*t->rows));
	t->nrows = top_select(&t->snap, t->filter, t->sort, t->reverse,
	    t->rows);
}

const char *
dmtop_uri_name(const struct top *t)
{
	const char *env = getenv("LIBVIRT_DEFAULT_URI");

	if (t->uri)
		return t->uri;
	return env && *env ? env : "the default hypervisor";
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
	printf("dmtop %s, %s\n", when, t->uri ? t->uri :
	    (getenv("LIBVIRT_DEFAULT_URI") ? getenv("LIBVIRT_DEFAULT_URI") :
	    "default"));
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
				    dmtop_uri_name(t));
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
 * The options into t and a: -1 to go on, else the exit status (after -h,
 * -V or a usage error). All of the option parsing is here.
 */
static int
parse_args(struct top *t, struct args *a, int argc, char **argv)
{
	const char *arg;
	bool iter_given = false;
	char *end;
	int c;

	while ((c = cli_next(&top_cmd, argc, argv, &arg)) != CLI_END) {
		switch (c) {
		case O_DELAY:
			if (dmtop_parse_delay(arg, &t->delay) < 0)
				return cli_usage_error(NULL, "-d: '%s' is not "
				    "a delay in seconds (%g to %g)", arg,
				    DMTOP_DELAY_MIN, DMTOP_DELAY_MAX);
			break;
		case O_SORT:
			if ((c = top_col_find(arg)) < 0)
				return cli_usage_error(NULL, "-s: unknown "
				    "column '%s'", arg);
			t->sort = (enum top_col)c;
			break;
		case O_REVERSE:
			t->reverse = true;
			break;
		case O_FILTER:
			snprintf(t->filter, sizeof(t->filter), "%s", arg);
			break;
		case O_BATCH:
			a->batch = true;
			break;
		case O_ITERATIONS:
			errno = 0;
			t->iterations = strtol(arg, &end, 10);
			if (errno || end == arg || *end || t->iterations < 1)
				return cli_usage_error(NULL, "-n: '%s' is not "
				    "a positive number", arg);
			iter_given = true;
			break;
		case O_JSON:
			a->json = true;
			break;
		case O_CONFIG_FILE:
			a->conffile = arg;
			break;
		case OPT_CONNECT:
			t->uri = arg;
			break;
		case OPT_HELP:
			usage(stdout);
			return dm_flush_stdout() < 0;
		case O_VERSION:
			printf("dmtop %s\n", DM_VERSION);
			return dm_flush_stdout() < 0;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return cli_usage_error(NULL, "unexpected argument '%s'",
		    argv[optind]);
	if (a->json && !a->batch)
		return cli_usage_error(NULL, "--json needs -b");
	if (a->batch && !iter_given)
		t->iterations = 1;
	return -1;
}

int
main(int argc, char **argv)
{
	struct top t;
	struct args a = { NULL, false, false };
	int rc;

	dm_progname = "dmtop";
	dm_ignore_sigpipe();
	setlocale(LC_ALL, "");
	memset(&t, 0, sizeof(t));
	t.delay = 1;
	t.sort = TOP_NAME;
	t.saved_err = -1;
	for (size_t i = 0; i < DM_ARRAY_LEN(t.cb); i++)
		t.cb[i] = -1;
	if (argc >= 2 && strcmp(argv[1], "--complete") == 0)
		return complete(argc, argv);
	if ((rc = parse_args(&t, &a, argc, argv)) >= 0)
		return rc;
	if (hostconf_load(&t.hc, a.conffile) < 0)
		return 1;
	t.uri = hostconf_uri(&t.hc, t.uri);
	/* Before connecting, so that the connection delivers events. */
	if (!a.batch && virEventRegisterDefaultImpl() < 0) {
		dm_error("cannot start the libvirt event loop: %s",
		    virt_errmsg());
		hostconf_free(&t.hc);
		return 1;
	}
	if (!(t.conn = virt_open(t.uri, true, true))) {
		hostconf_free(&t.hc);
		return 1;
	}
	rc = a.batch ? run_batch(&t, a.json) : dmtop_live(&t);
	dmtop_disconnect(&t);
	if (t.have_snap)
		snapshot_free(&t.snap);
	free(t.rows);
	hostconf_free(&t.hc);
	if (a.batch && dm_flush_stdout() < 0)
		rc = 1;
	return rc;
}
