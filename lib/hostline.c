/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hostline.c - the host and pool summary of "dmctl show" and dmtop. */
#include "hostline.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "fields.h"
#include "top.h"
#include "util.h"

/*
 * The figures, in the order of the arithmetic: the pool is the total less
 * the reserve, the static VMs and the overhead, and is either assigned or
 * free. In three lines the pool's own figures get a line of their own.
 */
static const struct {
	enum host_id id;
	bool pool;
} shown[] = {
	{ HOST_TOTAL, false },
	{ HOST_RESERVE, false },
	{ HOST_STATIC, false },
	{ HOST_OVERHEAD, false },
	{ HOST_POOL, false },
	{ HOST_ASSIGNED, true },
	{ HOST_FREE, true },
};

static void append(char *buf, size_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Add to the line of HOSTLINE_LEN at *n; what does not fit is cut. */
static void
append(char *buf, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (*n >= HOSTLINE_LEN - 1)
		return;
	va_start(ap, fmt);
	r = vsnprintf(buf + *n, HOSTLINE_LEN - *n, fmt, ap);
	va_end(ap);
	if (r > 0)
		*n += (size_t)r < HOSTLINE_LEN - *n ? (size_t)r :
		    HOSTLINE_LEN - 1 - *n;
}

static const char *
host_text(const struct host *h, enum host_id id, char *buf, size_t len)
{
	struct value v;

	memset(&v, 0, sizeof(v));
	host_fields[id].get(h, &v);
	return value_text(&v, NULL, NULL, NULL, NULL, buf, len);
}

/* The figures whose pool flag is pool, each after a comma but the line's
 * first. */
static void
figures(const struct host *h, bool pool, bool first, char *buf, size_t *n)
{
	char v[64];
	size_t i;

	for (i = 0; i < DM_ARRAY_LEN(shown); i++) {
		if (shown[i].pool != pool)
			continue;
		append(buf, n, "%s %s %s", first ? "" : ",",
		    host_fields[shown[i].id].title,
		    host_text(h, shown[i].id, v, sizeof(v)));
		first = false;
		if (shown[i].id == HOST_FREE && h->free < 0)
			append(buf, n, ", OVERCOMMITTED by %s",
			    host_text(h, HOST_OVERCOMMIT, v, sizeof(v)));
	}
}

void
hostline(const struct host *h, time_t now, enum hostline_form form,
    struct hostline *out)
{
	char when[64];
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	append(out->line[0], &n, "Host:");
	figures(h, false, true, out->line[0], &n);
	if (form == HOSTLINE_ONE) {
		figures(h, true, false, out->line[0], &n);
		append(out->line[0], &n, " (%u dynamic, %u static VMs)",
		    h->ndynamic, h->nstatic);
		out->n = 1;
		return;
	}
	n = 0;
	append(out->line[1], &n, "Pool:");
	figures(h, true, true, out->line[1], &n);
	n = 0;
	append(out->line[2], &n, "VMs: %u dynamic, %u static; last change: %s",
	    h->ndynamic, h->nstatic,
	    top_when(h->last_change, now, when, sizeof(when)));
	out->n = 3;
}
