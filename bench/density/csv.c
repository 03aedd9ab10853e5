/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * csv.c - traces from and to CSV: a header naming the columns, in any
 * order, then one row a VM a second. Needed: vm, second, demand_mib,
 * maximum_mib; optional: minimum_mib (default a quarter of the maximum),
 * cache_mib_s (page cache fill rate, default 0). A VM's seconds must
 * increase; a gap holds the last value, and a VM shorter than the longest
 * holds its last value to the end.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "density.h"
#include "util.h"

enum { C_VM, C_SEC, C_DEM, C_MAX, C_MIN, C_IO, NCOL };

static const char *const cols[NCOL] = { "vm", "second", "demand_mib",
	"maximum_mib", "minimum_mib", "cache_mib_s" };

/* A file being read: its path, the line read last and where each column
 * is (-1: absent). */
struct csv {
	const char *path;
	long line;
	int idx[NCOL];
	size_t last;		/* the trace of the last row */
};

static int
csv_error(const struct csv *c, const char *msg)
{
	return dm_error("%s:%ld: %s", c->path, c->line, msg);
}

/* Split a CSV line in place; returns the number of fields. */
static int
csv_split(char *line, char **f, int max)
{
	int n = 0;
	char *p = line;

	line[strcspn(line, "\r\n")] = '\0';
	while (n < max) {
		f[n++] = p;
		p = strchr(p, ',');
		if (!p)
			break;
		*p++ = '\0';
	}
	return n;
}

static bool
csv_num(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return end != s && *end == '\0' && errno == 0 && isfinite(*out) &&
	    *out >= 0;
}

/*
 * Set second sec of a loading trace to mib. Seconds skipped since the last
 * one hold its value (before the first: this one); d grows by doubling.
 */
static void
trace_put(struct trace *tr, size_t sec, float mib)
{
	size_t t;

	if (sec >= tr->cap) {
		size_t cap = tr->cap ? tr->cap : 4096;
		float *d;

		while (cap <= sec)
			cap *= 2;
		d = xcalloc(cap, sizeof(*d));
		if (tr->len)
			memcpy(d, tr->d, tr->len * sizeof(*d));
		free(tr->d);
		tr->d = d;
		tr->cap = cap;
	}
	for (t = tr->len; t < sec; t++)
		tr->d[t] = tr->len ? tr->d[tr->len - 1] : mib;
	tr->d[sec] = mib;
	tr->len = sec + 1;
}

/* The header line: where each column is. */
static int
csv_header(struct csv *c, FILE *fp)
{
	char buf[1024], *f[16];
	int nf, k, i;

	for (i = 0; i < NCOL; i++)
		c->idx[i] = -1;
	c->line = 1;
	if (!fgets(buf, sizeof(buf), fp))
		return csv_error(c, "no header");
	nf = csv_split(buf, f, 16);
	for (k = 0; k < nf; k++)
		for (i = 0; i < NCOL; i++)
			if (strcmp(f[k], cols[i]) == 0)
				c->idx[i] = k;
	for (i = 0; i <= C_MAX; i++)
		if (c->idx[i] < 0) {
			snprintf(buf, sizeof(buf), "no column '%s'", cols[i]);
			return csv_error(c, buf);
		}
	return 0;
}

/* The trace of VM name, a new one (from the row's figures v) if none. */
static struct trace *
csv_trace(struct csv *c, struct traceset *ts, const char *name,
    const double *v)
{
	struct trace *tr = NULL;
	size_t i;

	/* Rows come a VM at a time: try the last row's VM first. */
	if (ts->n && strcmp(ts->v[c->last].name, name) == 0)
		tr = &ts->v[c->last];
	for (i = 0; !tr && i < ts->n; i++)
		if (strcmp(ts->v[i].name, name) == 0)
			tr = &ts->v[i];
	if (tr)
		return tr;
	tr = traces_add(ts);
	snprintf(tr->name, sizeof(tr->name), "%s", name);
	tr->shape = SH_CSV;
	tr->max = v[C_MAX];
	tr->min = c->idx[C_MIN] >= 0 ? v[C_MIN] : v[C_MAX] / 4;
	tr->io = v[C_IO];
	tr->len = 0;
	if (tr->max < 64 || tr->min > tr->max) {
		csv_error(c, "maximum_mib: below 64, or below minimum_mib");
		return NULL;
	}
	return tr;
}

/* One row: a VM's second. */
static int
csv_row(struct csv *c, struct traceset *ts, char *buf)
{
	double v[NCOL] = { 0 };
	struct trace *tr;
	char *f[16];
	int nf, i;
	size_t sec;

	nf = csv_split(buf, f, 16);
	for (i = 1; i < NCOL; i++) {
		if (c->idx[i] < 0)
			continue;
		if (c->idx[i] >= nf || !csv_num(f[c->idx[i]], &v[i])) {
			char msg[128];

			snprintf(msg, sizeof(msg), "%s: not a number of 0 or "
			    "more", cols[i]);
			return csv_error(c, msg);
		}
	}
	if (c->idx[C_VM] >= nf || !*f[c->idx[C_VM]])
		return csv_error(c, "vm: empty");
	if (!(tr = csv_trace(c, ts, f[c->idx[C_VM]], v)))
		return -1;
	c->last = (size_t)(tr - ts->v);
	sec = (size_t)v[C_SEC];
	if ((double)sec != v[C_SEC] || (tr->len && sec < tr->len) ||
	    sec > 10 * 86400 * 366)
		return csv_error(c, "second: not a whole number after the "
		    "VM's last");
	trace_put(tr, sec, (float)v[C_DEM]);
	return 0;
}

/* Every trace as long as the longest, holding its last value. */
static void
csv_even(struct traceset *ts)
{
	size_t i;

	ts->len = 0;
	for (i = 0; i < ts->n; i++)
		if (ts->v[i].len > ts->len)
			ts->len = ts->v[i].len;
	for (i = 0; i < ts->n; i++) {
		struct trace *tr = &ts->v[i];

		if (tr->len < ts->len)
			trace_put(tr, ts->len - 1, tr->d[tr->len - 1]);
		trace_peak(tr);
	}
}

int
traces_load(struct traceset *ts, const char *path)
{
	struct csv c = { path, 0, { 0 }, 0 };
	char buf[1024];
	FILE *fp = fopen(path, "r");
	int rc;

	if (!fp)
		return dm_error("%s: %s", path, strerror(errno));
	ts->csv = true;
	rc = csv_header(&c, fp);
	while (rc == 0 && fgets(buf, sizeof(buf), fp)) {
		c.line++;
		if (buf[0] != '\n' && buf[0] != '#')
			rc = csv_row(&c, ts, buf);
	}
	fclose(fp);
	if (rc < 0)
		return rc;
	if (ts->n == 0)
		return dm_error("%s: no traces", path);
	csv_even(ts);
	return 0;
}

int
traces_dump(const struct traceset *ts, size_t n, const char *path)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
	size_t i, t;

	if (!fp)
		return dm_error("%s: %s", path, strerror(errno));
	fprintf(fp, "vm,second,demand_mib,maximum_mib,minimum_mib,"
	    "cache_mib_s\n");
	for (i = 0; i < n; i++) {
		const struct trace *tr = &ts->v[i];

		for (t = 0; t < tr->len; t++)
			fprintf(fp, "%s,%zu,%.4f,%.0f,%.0f,%g\n", tr->name, t,
			    (double)tr->d[t], tr->max, tr->min, tr->io);
	}
	if (fp != stdout ? fclose(fp) != 0 : fflush(fp) != 0)
		return dm_error("%s: %s", path, strerror(errno));
	return 0;
}
