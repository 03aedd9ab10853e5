/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gen_hard.c - the hard generated trace set (--traces hard), its shapes
 * chosen before any policy was run on them (25 % each), maximums as
 * fractions:
 *   ci    a CI runner (8, 16 or 32 GiB): 5-10 % idle; builds every
 *         20-120 min on average ramp demand at 0.8-1.5 GiB/s to 60-90 %,
 *         hold 2-15 min and drop within 10 s
 *   vdi   a desktop (2 or 4 GiB): logins within the same 15 minutes
 *         (from 8:00-9:00, one time per seed for every VM) ramp to 50-70 %
 *         in 2-5 min; a lunch dip to 35-45 % from 12:00 to 13:00; logout
 *         between 17:00 and 18:00 back to 10 %
 *   leak  a service that leaks (2-16 GiB): 20-30 % growing 2-10 % an
 *         hour until a restart every 4-24 h drops it back within 30 s
 *   jvm   a JVM service (4-32 GiB): its heap grows to 50-80 % in 5-30
 *         min and stays; a GC sawtooth rises 2-5 % over 1-5 min, then
 *         falls back at once
 * with the classic noise (about 1 % of the maximum).
 */
#include <math.h>

#include "density.h"

/* The shape's maximum (from r), page cache rate and parameters p, drawn
 * from s; login is the seed's shared login time. Returns the maximum. */
static double
hard_params(struct trace *tr, double r, double login, uint64_t *s,
    double *p)
{
	switch (tr->shape) {
	case SH_CI:
		tr->io = 2;
		p[0] = uni(s, .05, .1);
		p[1] = uni(s, 20, 120) * 60;		/* mean gap */
		p[2] = -p[1] * log(uni(s, 1e-9, 1));	/* next build */
		p[6] = -1;				/* drop start */
		return r < .4 ? 8192 : r < .8 ? 16384 : 32768;
	case SH_VDI:
		tr->io = 0.5;
		p[0] = login + uni(s, 0, 900);
		p[1] = uni(s, 120, 300);		/* login ramp */
		p[2] = uni(s, .5, .7);
		p[3] = uni(s, .35, .45);
		p[4] = uni(s, 17, 18) * 3600;		/* logout */
		return r < .5 ? 2048 : 4096;
	case SH_LEAK:
		tr->io = 0.2;
		p[0] = uni(s, .2, .3);
		p[1] = uni(s, .02, .1) / 3600;		/* growth a second */
		p[2] = uni(s, 4, 24) * 3600;		/* restart period */
		p[3] = uni(s, 0, p[2]);			/* its phase */
		return r < .25 ? 2048 : r < .5 ? 4096 : r < .75 ? 8192 : 16384;
	default:
		tr->io = 0.5;
		p[0] = uni(s, .5, .8);
		p[1] = uni(s, 300, 1800);		/* heap growth */
		p[2] = uni(s, .02, .05);		/* sawtooth */
		p[3] = uni(s, 60, 300);			/* its period */
		return r < .25 ? 4096 : r < .5 ? 8192 : r < .75 ? 16384 :
		    32768;
	}
}

/* A CI runner at second ts: a build ramps, holds and drops; the next one
 * is drawn from s when it has. */
static double
ci_at(double *p, double ts, double max, uint64_t *s)
{
	double x;

	if (p[6] < 0 && ts >= p[2]) {
		/* A build: ramp rate, peak, hold. */
		p[3] = uni(s, 800, 1536) / max;
		p[4] = uni(s, .6, .9);
		p[5] = ts + (p[4] - p[0]) / p[3] + uni(s, 120, 900);
		p[6] = ts;
	}
	x = p[0];
	if (p[6] >= 0) {
		double up = p[0] + p[3] * (ts - p[6]);

		x = fmin(up, p[4]);
		if (ts >= p[5]) {
			x = p[4] - (p[4] - p[0]) * (ts - p[5]) / 10;
			if (ts >= p[5] + 10) {
				x = p[0];
				p[6] = -1;
				p[2] = ts - p[1] * log(uni(s, 1e-9, 1));
			}
		}
	}
	return x;
}

static double
vdi_at(const double *p, double day)
{
	double x = 0.1;

	if (day >= p[0] && day < p[4])
		x = 0.1 + (p[2] - 0.1) * fmin((day - p[0]) / p[1], 1);
	if (day >= 12 * 3600 && day < 13 * 3600 && day >= p[0])
		x = p[3];
	return x;
}

/* The shape's demand at second ts as a fraction of the maximum, before
 * noise. */
static double
hard_at(enum shape shape, double *p, double ts, double max, uint64_t *s)
{
	switch (shape) {
	case SH_CI:
		return ci_at(p, ts, max, s);
	case SH_VDI:
		return vdi_at(p, fmod(ts, 86400));
	case SH_LEAK:
		return p[0] + p[1] * fmod(ts + p[3], p[2]);
	default:
		return p[0] * fmin(ts / p[1], 1) + 0.1 *
		    (1 - fmin(ts / p[1], 1)) + p[2] * fmod(ts, p[3]) / p[3];
	}
}

void
gen_hard_vm(struct trace *tr, uint64_t seed, size_t i, size_t len)
{
	uint64_t s = (seed ^ 0x68617264ULL) * 0x2545f4914f6cdd1dULL +
	    i * 0x9e3779b97f4a7c15ULL;
	uint64_t ss = seed ^ 0x76646931ULL;
	double login = uni(&ss, 8, 9) * 3600;	/* shared by every VM */
	double r = uni(&s, 0, 1), max, x, noise = 0, p[8] = { 0 };
	size_t t;

	tr->shape = r < .25 ? SH_CI : r < .5 ? SH_VDI : r < .75 ? SH_LEAK :
	    SH_JVM;
	r = uni(&s, 0, 1);
	max = hard_params(tr, r, login, &s, p);
	trace_start(tr, i, max, len);

	for (t = 0; t < len; t++) {
		noise = 0.95 * noise + 0.003 * gauss(&s);
		x = hard_at(tr->shape, p, (double)t, max, &s);
		tr->d[t] = bounded((x + noise) * max, max);
	}
}
