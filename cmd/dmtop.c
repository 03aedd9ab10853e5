/*
 * dmtop.c - a live view of dynamic memory: the host pool and every VM's
 * assigned memory, demand and status, refreshed by a timer and at once on
 * libvirt domain events. "dmctl show" in a loop, but with one connection,
 * one snapshot per refresh and a curses screen; -b prints text or JSON.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <curses.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "cli.h"
#include "fields.h"
#include "hostconf.h"
#include "top.h"
#include "util.h"
#include "virt.h"
#include "vmstate.h"

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
	    "weight)", "column" },
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
/* Lines above the table: title, host, pool, VMs, message. */
#define HEAD_LINES 5

enum { PROMPT_NONE, PROMPT_DELAY, PROMPT_FILTER };
enum { PAIR_OK = 1, PAIR_LOW, PAIR_WARN, PAIR_MSG };

struct top {
	const char *uri;		/* NULL: libvirt's default */
	struct hostconf hc;
	virConnectPtr conn;
	int cb[4];			/* domain event callback ids */
	bool lost;			/* the close callback fired */
	struct snapshot snap;
	bool have_snap;
	const struct vm **rows;		/* sorted and filtered view of snap */
	size_t nrows;

	double delay;			/* seconds */
	enum top_col sort;
	bool reverse;
	char filter[128];
	long iterations, done;		/* 0: run until told to quit */

	bool paused, help, quit;
	int prompt;
	char input[128];
	size_t ninput;
	size_t top_row;			/* scrolling */
	char msg[512];
	bool msg_error;
	time_t msg_time;		/* notes go after a few seconds */

	int tick_timer, soon_timer, soon_pending;
	int key_watch, sig_watch;
};

static int sig_pipe[2] = { -1, -1 };

/* dmtop is a program of its own: a command without a name. */
static const struct cli_cmd top_cmd = {
	NULL, NULL, "A live view of dynamic memory: the host pool and each "
	"VM's assigned memory,\ndemand and status.", opts, DM_ARRAY_LEN(opts),
	NULL, NULL,
};

static void
usage(FILE *f)
{
	int c;

	cli_help(&top_cmd, f);
	fprintf(f, "\nkeys: ");
	for (c = 0; c < TOP_NCOLS; c++)
		if (top_columns[c].key)
			fprintf(f, "%c ", top_columns[c].key);
	fprintf(f, "sort, R reverse, < > sort column, / filter, d delay,\n"
	    "      p pause, space refresh, h or ? help, q quit; see "
	    "dmtop(1).\n");
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

static int
parse_delay(const char *s, double *out)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(d) || d < 0.1 ||
	    d > 86400)
		return -1;
	*out = d;
	return 0;
}

/* ---- what is shown, for both the screen and batch mode ---- */

static void
host_text(const struct host *h, enum host_id id, char *buf, size_t len)
{
	struct value v;

	memset(&v, 0, sizeof(v));
	host_fields[id].get(h, &v);
	value_text(&v, NULL, NULL, NULL, NULL, buf, len);
}

/* The three lines about the host, as both views print them. */
static void
head_lines(const struct snapshot *s, char lines[3][256])
{
	static const enum host_id line1[] = {
		HOST_TOTAL, HOST_RESERVE, HOST_POOL,
	};
	static const enum host_id line2[] = {
		HOST_ASSIGNED, HOST_FREE, HOST_STATIC, HOST_OVERHEAD,
	};
	char v[64];
	size_t i, n;

	n = (size_t)snprintf(lines[0], 256, "Host:");
	for (i = 0; i < DM_ARRAY_LEN(line1) && n < 256; i++) {
		host_text(&s->host, line1[i], v, sizeof(v));
		n += (size_t)snprintf(lines[0] + n, 256 - n, "%s %s %s",
		    i ? "," : "", host_fields[line1[i]].title, v);
	}
	n = (size_t)snprintf(lines[1], 256, "Pool:");
	for (i = 0; i < DM_ARRAY_LEN(line2) && n < 256; i++) {
		host_text(&s->host, line2[i], v, sizeof(v));
		n += (size_t)snprintf(lines[1] + n, 256 - n, "%s %s %s",
		    i ? "," : "", host_fields[line2[i]].title, v);
	}
	if (s->host.free < 0 && n < 256) {
		host_text(&s->host, HOST_OVERCOMMIT, v, sizeof(v));
		snprintf(lines[1] + n, 256 - n, ", OVERCOMMITTED by %s", v);
	}
	snprintf(lines[2], 256, "VMs: %u dynamic, %u static; last change: %s",
	    s->host.ndynamic, s->host.nstatic,
	    top_when(s->host.last_change, s->taken, v, sizeof(v)));
}

static void
select_rows(struct top *t)
{
	free(t->rows);
	t->rows = xcalloc(t->snap.n ? t->snap.n : 1, sizeof(*t->rows));
	t->nrows = top_select(&t->snap, t->filter, t->sort, t->reverse,
	    t->rows);
}

/* ---- batch mode ---- */

static const char *
uri_name(const struct top *t)
{
	const char *env = getenv("LIBVIRT_DEFAULT_URI");

	if (t->uri)
		return t->uri;
	return env && *env ? env : "the default hypervisor";
}

/* A row without the padding of its last column. */
static void
print_trimmed(char *row)
{
	size_t n = strlen(row);

	while (n && row[n - 1] == ' ')
		row[--n] = '\0';
	printf("%s\n", row);
}

static int
batch_print(struct top *t, bool json)
{
	struct top_layout l;
	char lines[3][256], when[64], *row;
	size_t i, len;
	struct tm tm;

	if (json) {
		/* Filtered and sorted like the text, so one copy of the
		 * snapshot holds the rows in view order. */
		struct snapshot view = t->snap;
		struct vm *vms = xcalloc(t->nrows ? t->nrows : 1,
		    sizeof(*vms));

		for (i = 0; i < t->nrows; i++)
			vms[i] = *t->rows[i];
		view.vms = vms;
		view.n = t->nrows;
		fields_print_json(stdout, &view, json_cols,
		    DM_ARRAY_LEN(json_cols));
		free(vms);
		return dm_flush_stdout();
	}
	localtime_r(&t->snap.taken, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	head_lines(&t->snap, lines);
	printf("dmtop %s, %s\n%s\n%s\n%s\n\n", when, t->uri ? t->uri :
	    (getenv("LIBVIRT_DEFAULT_URI") ? getenv("LIBVIRT_DEFAULT_URI") :
	    "default"), lines[0], lines[1], lines[2]);
	top_layout(&l, t->rows, t->nrows, 0, BATCH_BAR);
	len = (size_t)l.total * 4 + 1;
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
				dm_warn("connected again to %s", uri_name(t));
			down = false;
		}
		if (snapshot_take(t->conn, NULL, 0, &t->hc, &t->snap) < 0) {
			rc = 1;
			if (virConnectIsAlive(t->conn) != 1)
				down = true;
			continue;
		}
		t->have_snap = true;
		select_rows(t);
		if (printed && !json)
			putchar('\n');
		printed = true;
		if (batch_print(t, json) != 0)
			return 1;
	}
	return rc;
}

/* ---- the live view ---- */

static void set_msg(struct top *t, bool error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
set_msg(struct top *t, bool error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->msg, sizeof(t->msg), fmt, ap);
	va_end(ap);
	t->msg_error = error;
	t->msg_time = time(NULL);
}

static void
put_line(int y, const char *s)
{
	if (y >= LINES)
		return;
	mvaddnstr(y, 0, s, COLS);
}

static void
draw_help(struct top *t)
{
	static const char *const text[] = {
		"dmtop - keys",
		"",
		"  N S A D P B V T I M W   sort by name, state, assigned, demand,",
		"                          pressure, buffer wanted, buffer available,",
		"                          status, minimum, maximum, weight",
		"  R                       reverse the sort order",
		"  < >                     sort by the column to the left / right",
		"  /                       filter by name (empty: show all)",
		"  d                       change the refresh delay (seconds)",
		"  p                       pause / resume refreshing",
		"  space                   refresh now",
		"  Up Down PgUp PgDn       scroll",
		"  h ?                     this help",
		"  q                       quit",
		"",
		"  MEMORY bar: # demand, = assigned above demand, ! demand not",
		"  assigned, blank up to the maximum.",
		"  STATUS: OK has demand and buffer, Low lacks some buffer,",
		"  Warning has less than demand.",
		"",
		"Press any key to return.",
	};
	size_t i;

	(void)t;
	erase();
	for (i = 0; i < DM_ARRAY_LEN(text); i++)
		put_line((int)i, text[i]);
	refresh();
}

static const char *
prompt_text(const struct top *t)
{
	return t->prompt == PROMPT_DELAY ? "Delay in seconds: " :
	    "Filter by name: ";
}

static int
status_pair(enum vm_status st)
{
	switch (st) {
	case VM_STATUS_OK:
		return PAIR_OK;
	case VM_STATUS_LOW:
		return PAIR_LOW;
	case VM_STATUS_WARNING:
	case VM_STATUS_INVALID:
		return PAIR_WARN;
	default:
		return 0;
	}
}

static void
draw(struct top *t)
{
	struct top_layout l;
	char lines[3][256], title[512], when[16], *row;
	size_t i, len;
	int y, rows_room;
	struct tm tm;
	time_t now = time(NULL);

	if (t->help) {
		draw_help(t);
		return;
	}
	erase();
	localtime_r(t->have_snap ? &t->snap.taken : &now, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	snprintf(title, sizeof(title), "dmtop %s  every %gs  sort %s %s%s%s%s",
	    when, t->delay, top_col_title(t->sort),
	    (top_columns[t->sort].desc != t->reverse) ? "desc" : "asc",
	    t->filter[0] ? "  filter '" : "", t->filter,
	    t->filter[0] ? "'" : "");
	attron(A_BOLD);
	put_line(0, title);
	attroff(A_BOLD);
	if (t->paused) {
		int x = (int)strlen(title) + 2;

		if (x + 8 <= COLS) {
			attron(A_REVERSE);
			mvaddstr(0, x, "PAUSED");
			attroff(A_REVERSE);
		}
	}
	if (t->have_snap) {
		head_lines(&t->snap, lines);
		put_line(1, lines[0]);
		put_line(2, lines[1]);
		put_line(3, lines[2]);
	}
	if (t->prompt) {
		snprintf(title, sizeof(title), "%s%.*s", prompt_text(t),
		    (int)t->ninput, t->input);
		put_line(4, title);
		curs_set(1);
	} else {
		curs_set(0);
		if (!t->msg_error && now - t->msg_time > 5)
			t->msg[0] = '\0';
		if (t->msg[0]) {
			int a = A_BOLD | (t->msg_error && has_colors() ?
			    COLOR_PAIR(PAIR_MSG) : 0);

			attron(a);
			put_line(4, t->msg);
			attroff(a);
		}
	}
	top_layout(&l, t->rows, t->nrows, COLS, 0);
	len = (size_t)l.total * 4 + 1;
	row = xmalloc(len);
	attron(A_REVERSE);
	mvhline(HEAD_LINES, 0, ' ', COLS);
	put_line(HEAD_LINES, top_format_row(&l, NULL, row, len));
	if (l.x[t->sort] >= 0)
		mvchgat(HEAD_LINES, l.x[t->sort], l.width[t->sort],
		    A_REVERSE | A_BOLD | A_UNDERLINE, 0, NULL);
	attroff(A_REVERSE);
	rows_room = LINES - HEAD_LINES - 1;
	if (rows_room < 1)
		rows_room = 0;
	if (t->top_row + (size_t)rows_room > t->nrows)
		t->top_row = t->nrows > (size_t)rows_room ?
		    t->nrows - (size_t)rows_room : 0;
	y = HEAD_LINES + 1;
	for (i = t->top_row; i < t->nrows && y < LINES; i++, y++) {
		const struct vm *vm = t->rows[i];
		int pair = status_pair(vm->status);

		put_line(y, top_format_row(&l, vm, row, len));
		if (l.x[TOP_STATUS] >= 0 && l.x[TOP_STATUS] < COLS &&
		    (pair || vm->status == VM_STATUS_WARNING))
			mvchgat(y, l.x[TOP_STATUS], l.width[TOP_STATUS],
			    A_BOLD, has_colors() ? (short)pair : 0, NULL);
	}
	if (t->have_snap && !t->nrows && y < LINES)
		put_line(y, t->filter[0] ? "(no VM matches the filter)" :
		    "(no VMs)");
	free(row);
	if (t->prompt)
		move(4, (int)strlen(prompt_text(t)) + (int)t->ninput);
	refresh();
}

static void on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event,
    int detail, void *opaque);
static void on_balloon(virConnectPtr conn, virDomainPtr dom,
    unsigned long long actual, void *opaque);
static void on_metadata(virConnectPtr conn, virDomainPtr dom, int type,
    const char *nsuri, void *opaque);
static void on_memdev(virConnectPtr conn, virDomainPtr dom,
    const char *alias, unsigned long long size, void *opaque);
static void on_close(virConnectPtr conn, int reason, void *opaque);

/* What makes the view rescan at once; a virtio-mem device that plugged
 * or unplugged is a change of assigned memory, like a balloon's. */
static const struct {
	int id;
	virConnectDomainEventGenericCallback cb;
} domain_events[] = {
	{ VIR_DOMAIN_EVENT_ID_LIFECYCLE,
	    VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle) },
	{ VIR_DOMAIN_EVENT_ID_BALLOON_CHANGE,
	    VIR_DOMAIN_EVENT_CALLBACK(on_balloon) },
	{ VIR_DOMAIN_EVENT_ID_METADATA_CHANGE,
	    VIR_DOMAIN_EVENT_CALLBACK(on_metadata) },
	{ VIR_DOMAIN_EVENT_ID_MEMORY_DEVICE_SIZE_CHANGE,
	    VIR_DOMAIN_EVENT_CALLBACK(on_memdev) },
};
#define NEVENTS DM_ARRAY_LEN(domain_events)
_Static_assert(sizeof(((struct top *)0)->cb) / sizeof(int) == NEVENTS,
    "one callback id per event");

static void
drop_conn(struct top *t)
{
	size_t i;

	if (!t->conn)
		return;
	for (i = 0; i < NEVENTS; i++)
		if (t->cb[i] >= 0)
			virConnectDomainEventDeregisterAny(t->conn, t->cb[i]);
	virConnectUnregisterCloseCallback(t->conn, on_close);
	virConnectClose(t->conn);
	t->conn = NULL;
	t->lost = false;
}

/* Watch the connection: events make us rescan at once, a close tells us
 * to reconnect. Events are a help, not a need: the timer still runs. */
static void
watch_conn(struct top *t)
{
	size_t i;

	for (i = 0; i < NEVENTS; i++)
		t->cb[i] = virConnectDomainEventRegisterAny(t->conn, NULL,
		    domain_events[i].id, domain_events[i].cb, t, NULL);
	virConnectRegisterCloseCallback(t->conn, on_close, t, NULL);
	/* A daemon that hangs rather than exits is noticed too. */
	virConnectSetKeepAlive(t->conn, 5, 3);
}

/* One refresh: reconnect if needed, one snapshot, then the screen. */
static void
rescan(struct top *t)
{
	struct snapshot s;

	if (t->conn && (t->lost || virConnectIsAlive(t->conn) != 1)) {
		drop_conn(t);
		set_msg(t, true, "connection to %s lost; reconnecting every "
		    "%gs", uri_name(t), t->delay);
	}
	if (!t->conn) {
		if (!(t->conn = virt_open(t->uri, true, false))) {
			set_msg(t, true, "no connection (retrying every %gs): "
			    "%s", t->delay, virt_errmsg());
			return;
		}
		watch_conn(t);
		set_msg(t, false, "reconnected to %s", uri_name(t));
	}
	if (snapshot_take(t->conn, NULL, 0, &t->hc, &s) < 0) {
		if (virConnectIsAlive(t->conn) != 1) {
			drop_conn(t);
			set_msg(t, true, "connection to %s lost; reconnecting "
			    "every %gs", uri_name(t), t->delay);
		} else
			set_msg(t, true, "cannot read VMs: %s", virt_errmsg());
		return;
	}
	if (t->msg_error)
		t->msg[0] = '\0';
	if (t->have_snap)
		snapshot_free(&t->snap);
	t->snap = s;
	t->have_snap = true;
	select_rows(t);
	if (t->iterations && ++t->done >= t->iterations)
		t->quit = true;
}

static void
refresh_now(struct top *t)
{
	rescan(t);
	draw(t);
}

static void
on_tick(int timer, void *opaque)
{
	struct top *t = opaque;

	(void)timer;
	if (t->paused)
		return;
	refresh_now(t);
}

static void
on_soon(int timer, void *opaque)
{
	struct top *t = opaque;

	virEventUpdateTimeout(timer, -1);
	t->soon_pending = 0;
	if (!t->paused)
		refresh_now(t);
}

/* Rescan shortly: a burst of events (a balancer pass moving many
 * balloons) gives one snapshot, not one per event. */
static void
rescan_soon(struct top *t)
{
	if (t->soon_pending)
		return;
	t->soon_pending = 1;
	virEventUpdateTimeout(t->soon_timer, 100);
}

/* Each event has its own callback type; all of them mean "rescan". */
static void
on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail,
    void *opaque)
{
	(void)conn;
	(void)dom;
	(void)event;
	(void)detail;
	rescan_soon(opaque);
}

static void
on_balloon(virConnectPtr conn, virDomainPtr dom, unsigned long long actual,
    void *opaque)
{
	(void)conn;
	(void)dom;
	(void)actual;
	rescan_soon(opaque);
}

static void
on_memdev(virConnectPtr conn, virDomainPtr dom, const char *alias,
    unsigned long long size, void *opaque)
{
	(void)conn;
	(void)dom;
	(void)alias;
	(void)size;
	rescan_soon(opaque);
}

static void
on_metadata(virConnectPtr conn, virDomainPtr dom, int type,
    const char *nsuri, void *opaque)
{
	(void)conn;
	(void)dom;
	(void)type;
	(void)nsuri;
	rescan_soon(opaque);
}

static void
on_close(virConnectPtr conn, int reason, void *opaque)
{
	struct top *t = opaque;

	(void)conn;
	(void)reason;
	t->lost = true;
	rescan_soon(t);
}

static void
set_delay(struct top *t, double d)
{
	t->delay = d;
	virEventUpdateTimeout(t->tick_timer, (int)(d * 1000 + 0.5));
}

static void
move_sort(struct top *t, int dir)
{
	int c = (int)t->sort;

	do
		c = (c + dir + TOP_NCOLS) % TOP_NCOLS;
	while (!top_columns[c].key);
	t->sort = (enum top_col)c;
}

static void
prompt_key(struct top *t, int ch)
{
	if (ch == 27) {
		t->prompt = PROMPT_NONE;
		return;
	}
	if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
		if (t->ninput)
			t->ninput--;
		return;
	}
	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
		t->input[t->ninput] = '\0';
		if (t->prompt == PROMPT_DELAY) {
			double d;

			if (parse_delay(t->input, &d) < 0)
				set_msg(t, false, "not a delay: '%s' (seconds, "
				    "0.1 to 86400)", t->input);
			else {
				set_delay(t, d);
				t->msg[0] = '\0';
			}
		} else {
			snprintf(t->filter, sizeof(t->filter), "%s", t->input);
			t->top_row = 0;
		}
		t->prompt = PROMPT_NONE;
		if (t->have_snap)
			select_rows(t);
		return;
	}
	if (ch >= 32 && ch < 256 && t->ninput + 1 < sizeof(t->input))
		t->input[t->ninput++] = (char)ch;
}

/* One key; says whether to rescan (true) or only to redraw. */
static bool
key(struct top *t, int ch)
{
	int c;

	if (t->prompt) {
		prompt_key(t, ch);
		return false;
	}
	if (t->help && ch != 'q') {
		t->help = false;
		return false;
	}
	switch (ch) {
	case 'q':
		t->quit = true;
		return false;
	case 'h':
	case '?':
		t->help = true;
		return false;
	case 'R':
	case 'r':
		t->reverse = !t->reverse;
		break;
	case '<':
		move_sort(t, -1);
		break;
	case '>':
		move_sort(t, 1);
		break;
	case 'p':
		t->paused = !t->paused;
		return !t->paused;
	case ' ':
		return true;
	case 'd':
	case '/':
		t->prompt = ch == 'd' ? PROMPT_DELAY : PROMPT_FILTER;
		t->ninput = 0;
		if (ch == '/') {
			t->ninput = strlen(t->filter);
			memcpy(t->input, t->filter, t->ninput);
		}
		return false;
	case KEY_UP:
		if (t->top_row)
			t->top_row--;
		return false;
	case KEY_DOWN:
		t->top_row++;
		return false;
	case KEY_PPAGE:
		t->top_row -= t->top_row < (size_t)(LINES / 2) ? t->top_row :
		    (size_t)(LINES / 2);
		return false;
	case KEY_NPAGE:
		t->top_row += (size_t)(LINES / 2);
		return false;
	case KEY_HOME:
		t->top_row = 0;
		return false;
	case KEY_END:
		t->top_row = t->nrows;
		return false;
	case 12:	/* ^L */
		clearok(curscr, TRUE);
		return false;
	default:
		if ((c = top_col_by_key(ch)) < 0)
			return false;
		t->sort = (enum top_col)c;
		break;
	}
	/* The sort changed: the snapshot we have is enough. */
	if (t->have_snap)
		select_rows(t);
	return false;
}

static void
on_key(int watch, int fd, int events, void *opaque)
{
	struct top *t = opaque;
	bool scan = false;
	int ch;

	(void)watch;
	(void)fd;
	if (events & (VIR_EVENT_HANDLE_HANGUP | VIR_EVENT_HANDLE_ERROR)) {
		/* The terminal went away. */
		t->quit = true;
		return;
	}
	while (!t->quit && (ch = getch()) != ERR) {
		if (ch == KEY_RESIZE)
			continue;
		scan |= key(t, ch);
	}
	if (t->quit)
		return;
	if (scan)
		rescan(t);
	draw(t);
}

static void
on_signal_number(int sig)
{
	unsigned char c = (unsigned char)sig;
	int saved = errno;

	if (write(sig_pipe[1], &c, 1) < 0) {
		/* Full pipe: a resize is already on its way. */
	}
	errno = saved;
}

static void
on_signal(int watch, int fd, int events, void *opaque)
{
	struct top *t = opaque;
	unsigned char buf[64];
	struct winsize ws;
	ssize_t n, i;
	bool resize = false;

	(void)watch;
	(void)events;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (i = 0; i < n; i++) {
			if (buf[i] == SIGWINCH)
				resize = true;
			else
				t->quit = true;
		}
	if (t->quit)
		return;
	if (resize && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
	    ws.ws_row && ws.ws_col) {
		resizeterm(ws.ws_row, ws.ws_col);
		clearok(curscr, TRUE);
		draw(t);
	}
}

static int
setup_signals(void)
{
	struct sigaction sa;
	int i;

	if (pipe(sig_pipe) < 0)
		return -1;
	for (i = 0; i < 2; i++) {
		fcntl(sig_pipe[i], F_SETFL, fcntl(sig_pipe[i], F_GETFL) |
		    O_NONBLOCK);
		fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal_number;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGWINCH, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	return 0;
}

static int
run_live(struct top *t)
{
	int saved_err, devnull;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		dm_error("not a terminal; use -b for text output");
		return 1;
	}
	if (setup_signals() < 0) {
		dm_error("cannot make a pipe: %s", strerror(errno));
		return 1;
	}
	if (!initscr()) {
		dm_error("cannot start the terminal");
		return 1;
	}
	/* Our handler, not curses', so that a resize wakes the event loop;
	 * installed again because initscr may have replaced it. */
	setup_signals();
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	if (has_colors()) {
		start_color();
		use_default_colors();
		init_pair(PAIR_OK, COLOR_GREEN, -1);
		init_pair(PAIR_LOW, COLOR_YELLOW, -1);
		init_pair(PAIR_WARN, COLOR_RED, -1);
		init_pair(PAIR_MSG, COLOR_RED, -1);
	}
	/* Library messages would scribble over the screen; the message line
	 * shows what went wrong instead. */
	fflush(stderr);
	saved_err = dup(STDERR_FILENO);
	if ((devnull = open("/dev/null", O_WRONLY)) >= 0) {
		dup2(devnull, STDERR_FILENO);
		close(devnull);
	}

	t->key_watch = virEventAddHandle(STDIN_FILENO,
	    VIR_EVENT_HANDLE_READABLE, on_key, t, NULL);
	t->sig_watch = virEventAddHandle(sig_pipe[0],
	    VIR_EVENT_HANDLE_READABLE, on_signal, t, NULL);
	t->tick_timer = virEventAddTimeout((int)(t->delay * 1000 + 0.5),
	    on_tick, t, NULL);
	t->soon_timer = virEventAddTimeout(-1, on_soon, t, NULL);
	watch_conn(t);
	refresh_now(t);
	while (!t->quit)
		if (virEventRunDefaultImpl() < 0)
			break;

	virEventRemoveTimeout(t->tick_timer);
	virEventRemoveTimeout(t->soon_timer);
	virEventRemoveHandle(t->key_watch);
	virEventRemoveHandle(t->sig_watch);
	endwin();
	if (saved_err >= 0) {
		dup2(saved_err, STDERR_FILENO);
		close(saved_err);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct top t;
	const char *conffile = NULL, *arg;
	bool batch = false, json = false, iter_given = false;
	int c, rc;

	dm_progname = "dmtop";
	dm_ignore_sigpipe();
	setlocale(LC_ALL, "");
	memset(&t, 0, sizeof(t));
	t.delay = 1;
	t.sort = TOP_NAME;
	for (size_t i = 0; i < DM_ARRAY_LEN(t.cb); i++)
		t.cb[i] = -1;
	if (argc >= 2 && strcmp(argv[1], "--complete") == 0)
		return complete(argc, argv);
	while ((c = cli_next(&top_cmd, argc, argv, &arg)) != CLI_END) {
		switch (c) {
		case O_DELAY:
			if (parse_delay(arg, &t.delay) < 0)
				return cli_usage_error(NULL, "-d: '%s' is not "
				    "a delay in seconds (0.1 to 86400)", arg);
			break;
		case O_SORT:
			if ((c = top_col_find(arg)) < 0)
				return cli_usage_error(NULL, "-s: unknown "
				    "column '%s'", arg);
			t.sort = (enum top_col)c;
			break;
		case O_REVERSE:
			t.reverse = true;
			break;
		case O_FILTER:
			snprintf(t.filter, sizeof(t.filter), "%s", arg);
			break;
		case O_BATCH:
			batch = true;
			break;
		case O_ITERATIONS: {
			char *end;

			errno = 0;
			t.iterations = strtol(arg, &end, 10);
			if (errno || end == arg || *end || t.iterations < 1)
				return cli_usage_error(NULL, "-n: '%s' is not "
				    "a positive number", arg);
			iter_given = true;
			break;
		}
		case O_JSON:
			json = true;
			break;
		case O_CONFIG_FILE:
			conffile = arg;
			break;
		case OPT_CONNECT:
			t.uri = arg;
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
	if (json && !batch)
		return cli_usage_error(NULL, "--json needs -b");
	if (batch && !iter_given)
		t.iterations = 1;
	if (hostconf_load(&t.hc, conffile) < 0)
		return 1;
	t.uri = hostconf_uri(&t.hc, t.uri);
	/* Before connecting, so that the connection delivers events. */
	if (!batch && virEventRegisterDefaultImpl() < 0) {
		dm_error("cannot start the libvirt event loop: %s",
		    virt_errmsg());
		hostconf_free(&t.hc);
		return 1;
	}
	if (!(t.conn = virt_open(t.uri, true, true))) {
		hostconf_free(&t.hc);
		return 1;
	}
	rc = batch ? run_batch(&t, json) : run_live(&t);
	drop_conn(&t);
	if (t.have_snap)
		snapshot_free(&t.snap);
	free(t.rows);
	hostconf_free(&t.hc);
	if (batch && dm_flush_stdout() < 0)
		rc = 1;
	return rc;
}
