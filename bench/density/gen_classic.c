/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gen_classic.c - the classic generated trace set, unchanged since the
 * first figures (a test checks its checksum). Sizes: maximum 1, 2, 4, 8
 * or 16 GiB (15/30/30/20/5 %). Shapes (25/25/20/15/15 %):
 *   steady    a level of 25-50 % of the maximum with a slow swell
 *   daily     15-30 % at night, 20-45 % more in a 12-hour bump around a
 *             peak between 9:00 and 15:00
 *   bursty    15-30 %, bursts of 20-55 % more every 20-90 min on average,
 *             rising in 5-60 s, lasting 1-15 min, falling in 30 s
 *   batch     10-20 %, a job every 4-8 h that grows to 50-80 % over
 *             10-30 min, holds 10-60 min and releases in a minute
 *   database  20-30 % at start, warming toward 60-85 % over 2-12 h, and
 *             never giving any back
 * plus noise of about 1 % of the maximum; demand stays within 64 MiB and
 * 95 % of the maximum.
 */
#include <math.h>

#include "density.h"

/* A shape's parameters p, drawn from s before its first second. */
static void
shape_params(enum shape shape, uint64_t *s, double *p)
{
	switch (shape) {
	case SH_STEADY:
		p[0] = uni(s, .25, .5);			/* level */
		p[1] = uni(s, .02, .06);		/* swell */
		p[2] = uni(s, 2, 6) * 3600;		/* its period */
		p[3] = uni(s, 0, 2 * M_PI);
		break;
	case SH_DAILY:
		p[0] = uni(s, .15, .3);
		p[1] = uni(s, .2, .45);
		p[2] = uni(s, 9, 15) * 3600;		/* peak time */
		break;
	case SH_BURSTY:
		p[0] = uni(s, .15, .3);
		p[1] = uni(s, 20, 90) * 60;		/* mean gap */
		p[2] = -p[1] * log(uni(s, 1e-9, 1));	/* next start */
		p[3] = 0;				/* height */
		p[4] = p[5] = p[6] = 0;			/* rise, hold, end */
		break;
	case SH_BATCH:
		p[0] = uni(s, .1, .2);
		p[1] = uni(s, 4, 8) * 3600;		/* period */
		p[2] = uni(s, 0, p[1]);			/* next start */
		p[3] = p[4] = p[5] = 0;			/* peak, grow, hold */
		break;
	case SH_DATABASE:
		p[0] = uni(s, .2, .3);
		p[1] = uni(s, .6, .85);
		p[2] = uni(s, 2, 12) * 3600;		/* warm-up */
		break;
	default:
		break;
	}
}

static double
daily_at(const double *p, double ts)
{
	double dt = fmod(fabs(fmod(ts, 86400) - p[2]), 86400);

	if (dt > 43200)
		dt = 86400 - dt;
	return p[0] + (dt < 21600 ? p[1] * 0.5 *
	    (1 + cos(M_PI * dt / 21600)) : 0);
}

static double
bursty_at(double *p, double ts, uint64_t *s)
{
	double x;

	if (ts >= p[6] + 30 && ts >= p[2]) {
		/* A new burst starts now. */
		p[3] = uni(s, .2, .55);
		p[4] = uni(s, 5, 60);
		p[5] = uni(s, 60, 900);
		p[6] = ts + p[4] + p[5];	/* fall starts */
		p[7] = ts;
		p[2] = p[6] + 30 - p[1] * log(uni(s, 1e-9, 1));
	}
	x = p[0];
	if (p[3] > 0 && ts < p[6] + 30) {
		double k = ts < p[7] + p[4] ? (ts - p[7]) / p[4] :
		    ts < p[6] ? 1 : 1 - (ts - p[6]) / 30;

		x += p[3] * k;
	}
	return x;
}

static double
batch_at(double *p, double ts, uint64_t *s)
{
	double x;

	if (ts >= p[2]) {
		p[3] = uni(s, .5, .8);
		p[4] = uni(s, 600, 1800);
		p[5] = uni(s, 600, 3600);
		p[6] = ts;
		p[2] += p[1];
	}
	x = p[0];
	if (p[3] > 0) {
		double e = ts - p[6];

		if (e < p[4])
			x += (p[3] - p[0]) * e / p[4];
		else if (e < p[4] + p[5])
			x = p[3];
		else if (e < p[4] + p[5] + 60)
			x = p[3] - (p[3] - p[0]) * (e - p[4] - p[5]) / 60;
	}
	return x;
}

/* The shape's demand at second ts, as a fraction of the maximum, before
 * noise; bursts and jobs draw from s as they start. */
static double
shape_at(enum shape shape, double *p, double ts, uint64_t *s)
{
	switch (shape) {
	case SH_STEADY:
		return p[0] + p[1] * sin(2 * M_PI * ts / p[2] + p[3]);
	case SH_DAILY:
		return daily_at(p, ts);
	case SH_BURSTY:
		return bursty_at(p, ts, s);
	case SH_BATCH:
		return batch_at(p, ts, s);
	case SH_DATABASE:
		return p[1] - (p[1] - p[0]) * exp(-3 * ts / p[2]);
	default:
		return 0;
	}
}

void
gen_vm(struct trace *tr, uint64_t seed, size_t i, size_t len)
{
	static const double io[] = { 0.2, 0.5, 0.1, 1.0, 1.0 };
	uint64_t s = seed * 0x2545f4914f6cdd1dULL + i * 0x9e3779b97f4a7c15ULL;
	double r = uni(&s, 0, 1), max, x, noise = 0, level = 0, dbmax = 0;
	double p[8] = { 0 };
	size_t t;

	max = r < .15 ? 1024 : r < .45 ? 2048 : r < .75 ? 4096 :
	    r < .95 ? 8192 : 16384;
	r = uni(&s, 0, 1);
	tr->shape = r < .25 ? SH_STEADY : r < .50 ? SH_DAILY :
	    r < .70 ? SH_BURSTY : r < .85 ? SH_BATCH : SH_DATABASE;
	tr->io = io[tr->shape];
	trace_start(tr, i, max, len);
	shape_params(tr->shape, &s, p);

	for (t = 0; t < len; t++) {
		noise = 0.95 * noise + 0.003 * gauss(&s);
		x = shape_at(tr->shape, p, (double)t, &s);
		x = (x + noise) * max;
		if (tr->shape == SH_DATABASE) {
			/* Grabbed memory is never given back. */
			if (x < dbmax)
				x = dbmax;
			dbmax = x;
			level = x;
		} else
			level = x;
		if (level < 64)
			level = 64;
		if (level > 0.95 * max)
			level = 0.95 * max;
		tr->d[t] = quant(level);
	}
}
