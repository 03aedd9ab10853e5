/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_top.c - dmtop's layout, sorting, filtering, bar and times, and the
 * host summary it shares with "dmctl show".
 */
#include <stdlib.h>

#include "hostline.h"
#include "size.h"
#include "top.h"
#include "unit.h"

/* A running dynamic VM with the figures given in MiB (demand < 0:
 * unknown). */
static struct vm
mkvm(const char *name, long assigned, long demand, long max, int weight)
{
	struct vm v;

	memset(&v, 0, sizeof(v));
	v.name = (char *)name;
	v.state = 1;	/* VIR_DOMAIN_RUNNING */
	v.active = true;
	v.conf_found = 1;
	v.conf.enabled = true;
	v.conf.startup = 256 * MIB;
	v.conf.minimum = 256 * MIB;
	v.conf.maximum = (uint64_t)max * MIB;
	v.conf.buffer = 20;
	v.conf.weight = weight;
	v.memory = (uint64_t)max * MIB;
	v.assigned = (uint64_t)assigned * MIB;
	v.has_demand = demand >= 0;
	v.demand = demand >= 0 ? (uint64_t)demand * MIB : 0;
	v.status = !v.has_demand ? VM_STATUS_UNKNOWN :
	    vm_status_of(v.assigned, v.demand, v.conf.buffer);
	return v;
}

/* The host summary in both forms, overcommitted or not. */
static void
check_hostline(void)
{
	struct host h;
	struct hostline hl;

	memset(&h, 0, sizeof(h));
	h.total = 8 * GIB;
	h.reserve = 1 * GIB;
	h.statics = 2 * GIB;
	h.overhead = 192 * MIB;
	h.pool = h.total - h.reserve - h.statics - h.overhead;
	h.assigned = 3 * GIB;
	h.free = (int64_t)(h.pool - h.assigned);
	h.ndynamic = 2;
	h.nstatic = 1;
	h.last_change = -1;
	hostline(&h, 1000, HOSTLINE_ONE, &hl);
	CHECK(hl.n == 1, "show's summary is one line");
	CHECK_STR(hl.line[0], "Host: total 8.0G, reserve 1.0G, static 2.0G, "
	    "overhead 192M, pool 4.8G, assigned 3.0G, free 1.8G (2 dynamic, "
	    "1 static VMs)", "show's summary");
	hostline(&h, 1000, HOSTLINE_THREE, &hl);
	CHECK(hl.n == 3, "dmtop's summary is three lines");
	CHECK_STR(hl.line[0], "Host: total 8.0G, reserve 1.0G, static 2.0G, "
	    "overhead 192M, pool 4.8G", "dmtop's host line");
	CHECK_STR(hl.line[1], "Pool: assigned 3.0G, free 1.8G",
	    "dmtop's pool line");
	CHECK_STR(hl.line[2], "VMs: 2 dynamic, 1 static; last change: never",
	    "dmtop's VM line");
	h.assigned = 6 * GIB;
	h.free = (int64_t)h.pool - (int64_t)h.assigned;
	hostline(&h, 1000, HOSTLINE_ONE, &hl);
	CHECK(strstr(hl.line[0], ", free -1.2G, OVERCOMMITTED by 1.2G (2 "
	    "dynamic") != NULL, "overcommitted, one line: %s", hl.line[0]);
	hostline(&h, 1000, HOSTLINE_THREE, &hl);
	CHECK_STR(hl.line[1], "Pool: assigned 6.0G, free -1.2G, OVERCOMMITTED "
	    "by 1.2G", "overcommitted, dmtop's pool line");
}

static const char *
order(const struct vm **rows, size_t n)
{
	static char buf[256];
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		strcat(buf, rows[i]->name);
		if (i + 1 < n)
			strcat(buf, " ");
	}
	return buf;
}

/* The VMs the checks below share, one of each status. */
static struct vm vms[4];
static struct snapshot s;

static void
setup_vms(void)
{
	vms[0] = mkvm("web", 1024, 900, 2048, 70);	/* Low */
	vms[1] = mkvm("db", 512, 700, 1024, 90);	/* Warning */
	vms[2] = mkvm("cache", 2048, 100, 4096, 10);	/* OK */
	vms[3] = mkvm("batch-with-a-long-name", 256, -1, 1024, 50);
	memset(&s, 0, sizeof(s));
	s.vms = vms;
	s.n = 4;
}

static void
check_columns(void)
{
	int c;

	/* Column names for -s. */
	CHECK(top_col_find("assigned") == TOP_ASSIGNED, "-s assigned");
	CHECK(top_col_find("ASSIGNED") == TOP_ASSIGNED, "-s by title");
	CHECK(top_col_find("buffer_wanted") == TOP_BUF_WANT,
	    "-s by JSON key");
	CHECK(top_col_find("d") == TOP_DEMAND, "-s by key letter");
	CHECK(top_col_find("bar") < 0, "the bar is not a sort column");
	CHECK(top_col_find("bogus") < 0, "unknown column refused");
	CHECK(top_col_by_key('W') == TOP_WEIGHT, "W sorts by weight");
	CHECK(top_col_by_key('q') < 0, "q is no sort key");
	for (c = 0; c < TOP_NCOLS; c++)
		CHECK(top_columns[c].key == 0 ||
		    top_col_by_key(top_columns[c].key) == c,
		    "sort key of %s is unique", top_columns[c].name);
}

static void
check_sorting(void)
{
	const struct vm *rows[4];
	size_t n;

	/* Sorting. */
	n = top_select(&s, NULL, TOP_NAME, false, rows);
	CHECK_STR(order(rows, n), "batch-with-a-long-name cache db web",
	    "by name, A to Z");
	n = top_select(&s, NULL, TOP_NAME, true, rows);
	CHECK_STR(order(rows, n), "web db cache batch-with-a-long-name",
	    "by name, reversed");
	n = top_select(&s, NULL, TOP_ASSIGNED, false, rows);
	CHECK_STR(order(rows, n), "cache web db batch-with-a-long-name",
	    "by assigned, largest first");
	n = top_select(&s, NULL, TOP_DEMAND, false, rows);
	CHECK_STR(order(rows, n), "web db cache batch-with-a-long-name",
	    "by demand, unknown last");
	n = top_select(&s, NULL, TOP_DEMAND, true, rows);
	CHECK_STR(order(rows, n), "cache db web batch-with-a-long-name",
	    "by demand reversed, unknown still last");
	n = top_select(&s, NULL, TOP_STATUS, false, rows);
	CHECK_STR(order(rows, n), "db web cache batch-with-a-long-name",
	    "by status, worst first");
	n = top_select(&s, NULL, TOP_WEIGHT, false, rows);
	CHECK_STR(order(rows, n), "db web batch-with-a-long-name cache",
	    "by weight");
}

static void
check_filtering(void)
{
	const struct vm *rows[4];
	size_t n;

	/* Filtering. */
	n = top_select(&s, "A", TOP_NAME, false, rows);
	CHECK_STR(order(rows, n), "batch-with-a-long-name cache",
	    "filter is a case-insensitive substring");
	n = top_select(&s, "", TOP_NAME, false, rows);
	CHECK(n == 4, "empty filter matches all");
	n = top_select(&s, "zzz", TOP_NAME, false, rows);
	CHECK(n == 0, "filter matching nothing");
}

static void
check_bar(void)
{
	char buf[512];

	/* The bar. */
	{
		struct vm half = mkvm("half", 1024, 512, 2048, 50);

		CHECK_STR(top_bar(&half, 10, buf, sizeof(buf)), "[##==    ]",
		    "demand #, assigned =, up to maximum");
	}
	CHECK_STR(top_bar(&vms[1], 10, buf, sizeof(buf)), "[####!   ]",
	    "demand beyond assigned is !");
	CHECK_STR(top_bar(&vms[3], 10, buf, sizeof(buf)), "[==      ]",
	    "unknown demand: assigned only");
	vms[3].active = false;
	CHECK_STR(top_bar(&vms[3], 6, buf, sizeof(buf)), "[    ]",
	    "not running: empty");
	vms[3].active = true;
	CHECK_STR(top_bar(&vms[0], 2, buf, sizeof(buf)), "",
	    "too narrow for a bar");
}

static void
check_layout(void)
{
	const struct vm *rows[4];
	struct top_layout l;
	char buf[512];
	size_t n;
	int c;

	/* Layout: everything at full width, low priority first to go. */
	n = top_select(&s, NULL, TOP_NAME, false, rows);
	top_layout(&l, rows, n, 0, 12);
	CHECK(l.n == TOP_NCOLS, "no width limit: every column");
	CHECK(l.width[TOP_NAME] == 22, "name as wide as the longest");
	CHECK(l.width[TOP_BAR] == 12, "bar width as asked");
	top_layout(&l, rows, n, 200, 0);
	CHECK(l.n == TOP_NCOLS && l.total <= 200, "200 columns fit all");
	CHECK(l.width[TOP_BAR] == TOP_BAR_MAX, "bar grows to its maximum");
	for (c = 120; c >= 10; c -= 5) {
		top_layout(&l, rows, n, c, 0);
		CHECK(l.total <= c && l.x[TOP_NAME] == 0, "width %d: fits "
		    "(%d), name first", c, l.total);
		if (c >= 50)
			CHECK(l.x[TOP_STATUS] >= 0 && l.x[TOP_ASSIGNED] >= 0 &&
			    l.x[TOP_DEMAND] >= 0, "width %d: assigned, demand "
			    "and status kept", c);
	}
	top_layout(&l, rows, n, 60, 0);
	CHECK(l.x[TOP_BAR] < 0 && l.x[TOP_MINIMUM] < 0 &&
	    l.x[TOP_DEMAND] >= 0, "60 columns: bar and min dropped, demand "
	    "kept");
	top_format_row(&l, NULL, buf, sizeof(buf));
	CHECK((int)strlen(buf) == l.total, "heading as wide as the layout");
	CHECK(top_row_size(&l) > (size_t)l.total, "room for a row and its end");
	top_format_row(&l, &vms[1], buf, sizeof(buf));
	CHECK(strncmp(buf, "db ", 3) == 0 && strstr(buf, "Warning"),
	    "row: '%s'", buf);
	top_layout(&l, rows, n, 10, 0);
	CHECK(l.n == 1 && l.width[TOP_NAME] == 10,
	    "very narrow: the name alone, cut");
	top_format_row(&l, &vms[3], buf, sizeof(buf));
	CHECK_STR(buf, "batch-with", "cut name");
}

static void
check_times(void)
{
	char buf[512];

	/* Times. */
	CHECK_STR(top_when(-1, 1000, buf, sizeof(buf)), "never",
	    "no change yet");
	top_when(1000, 1008, buf, sizeof(buf));
	CHECK(strstr(buf, "(8s ago)") != NULL, "seconds ago: %s", buf);
	top_when(1000, 1000 + 600, buf, sizeof(buf));
	CHECK(strstr(buf, "(10m ago)") != NULL, "minutes ago: %s", buf);
}

int
main(void)
{
	setup_vms();
	check_columns();
	check_sorting();
	check_filtering();
	check_bar();
	check_layout();
	check_times();
	check_hostline();
	return unit_done();
}
