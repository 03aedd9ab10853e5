/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * traces.c - the trace sets: their random numbers, growth, and VM i of a
 * set, generated on demand or a time-shifted copy of a loaded one.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "density.h"
#include "util.h"

const char *const shape_names[] = {
	"steady", "daily", "bursty", "batch", "database", "ci", "vdi", "leak",
	"jvm", "csv",
};

uint64_t
splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

double
uni(uint64_t *s, double lo, double hi)
{
	return lo + (hi - lo) * (double)(splitmix(s) >> 11) / 9007199254740992.0;
}

/* Box-Muller. */
double
gauss(uint64_t *s)
{
	double u = uni(s, 1e-12, 1), v = uni(s, 0, 1);

	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

float
quant(double mib)
{
	return (float)(floor(mib * 16 + 0.5) / 16);
}

float
bounded(double mib, double max)
{
	double top = floor(0.95 * max * 16) / 16;

	return fmin(quant(fmax(mib, 64)), (float)top);
}

void
trace_start(struct trace *tr, size_t i, double max, size_t len)
{
	tr->max = max;
	tr->min = max / 4;
	tr->len = len;
	snprintf(tr->name, sizeof(tr->name), "vm%zu-%s", i,
	    shape_names[tr->shape]);
	tr->d = xcalloc(len, sizeof(*tr->d));
}

void
trace_peak(struct trace *tr)
{
	size_t t;

	tr->peak = 0;
	for (t = 0; t < tr->len; t++)
		if (tr->d[t] > tr->peak)
			tr->peak = tr->d[t];
}

struct trace *
traces_add(struct traceset *ts)
{
	if (ts->n == ts->cap) {
		struct trace *v;

		ts->cap = ts->cap ? ts->cap * 2 : 64;
		v = xcalloc(ts->cap, sizeof(*v));
		if (ts->n)
			memcpy(v, ts->v, ts->n * sizeof(*v));
		free(ts->v);
		ts->v = v;
	}
	return &ts->v[ts->n++];
}

void
traces_need(struct traceset *ts, size_t n)
{
	while (!ts->csv && ts->n < n) {
		size_t i = ts->n;
		struct trace *tr = traces_add(ts);

		if (ts->kind == TS_HARD)
			gen_hard_vm(tr, ts->seed, i, ts->len);
		else
			gen_vm(tr, ts->seed, i, ts->len);
		trace_peak(tr);
	}
}

const struct trace *
trace_of(const struct traceset *ts, size_t i, size_t *shift)
{
	uint64_t s = ts->seed + i;

	if (!ts->csv || i < ts->n) {
		*shift = 0;
		return &ts->v[i];
	}
	*shift = (size_t)(splitmix(&s) % ts->len);
	return &ts->v[i % ts->n];
}

void
traces_free(struct traceset *ts)
{
	size_t i;

	for (i = 0; i < ts->n; i++)
		free(ts->v[i].d);
	free(ts->v);
	ts->v = NULL;
	ts->n = ts->cap = 0;
}
