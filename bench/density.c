/*
 * density.c - how many more VMs a host fits with dmctl's balancer than with
 * static sizing, oVirt MoM's and Proxmox VE's ballooning, replaying
 * per-second memory-demand traces on a simulated host.
 *
 *   density [--host SIZE] [--hours H] [--seed N] [--csv FILE]
 *           [--rate-in MIB/S] [--rate-out MIB/S] [--interval S]
 *           [--hotadd [--rate-plug MIB/S] [--rate-unplug MIB/S]]
 *           [--policy NAME] [--vms N] [--dump-csv FILE] [--smoke]
 *
 * The model (see bench/README.md for the reasoning):
 *
 * - A host of --host memory keeps the reserve and the per-VM overhead of
 *   dmctl.conf's defaults for itself; the rest, the pool, is all the VMs'
 *   assigned memory may ever take: growing a VM needs free pool memory
 *   (the host does not swap), shrinking one gives it back.
 * - Each VM has a maximum (its static size today), a minimum of a quarter
 *   of it, and a per-second demand trace: the memory its guest cannot do
 *   without (balloon actual - usable, what dmctl measures). The guest's page
 *   cache fills free memory at a per-VM rate and is dropped as soon as
 *   demand or the balloon needs the room.
 * - A balloon moves toward its target at a finite rate, --rate-in MiB/s
 *   when it inflates (the VM shrinks) and --rate-out when it deflates; make
 *   bench measures both on the real test bed first (bench/balloon-rate.sh).
 * - With --hotadd every VM is a hot-add VM: it boots at the size a dynamic
 *   policy starts it at (its startup), memory above that is plugged and
 *   unplugged through virtio-mem at --rate-plug and --rate-unplug MiB/s,
 *   and only memory below it moves by balloon. Growing deflates first and
 *   then plugs, shrinking unplugs first, within one second between them.
 * - Unmet demand: VM-seconds in which a VM has less memory than its demand
 *   (its guest swaps or kills). A policy fits N VMs if the first N VMs of
 *   the trace set run a whole trace with unmet demand <= 0.1 %.
 * - Policies: static-max (every VM at its maximum), static-peak (every VM
 *   at the peak of its own trace, known in hindsight), mom (oVirt MoM's
 *   balloon rules), proxmox (Proxmox VE's AutoBalloon) and ours: the
 *   policy_plan() that "dmctl rebalance" calls, every --interval seconds.
 *   Every dynamic policy starts each VM at its first demand + 20 %.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostconf.h"
#include "policy.h"
#include "size.h"
#include "util.h"

#define UNMET_LIMIT 0.001	/* 0.1 % of VM-seconds */

/* How late ours sees a demand change, seconds: from a jump to the grown
 * assignment, bench/reaction.sh measured a median of 1.6-2.5 s for a
 * balloon VM on this machine (README.md), the balloon's move included;
 * the simulation moves the balloon itself, so 2 s is on the safe side. */
#define LATENCY 2.0

/* Of the reserve, what the host itself uses (kernel, libvirtd, QEMU's
 * own): MoM and Proxmox read the host's real free memory, so the rest of
 * the reserve is free to them, and a hard limit for every policy. */
#define HOST_USE 0.25

/* virtio-mem plug and unplug, MiB/s, measured on the TCG test bed by
 * bench/balloon-rate.sh; make bench measures again and passes its own. */
#define RATE_PLUG 2000
#define RATE_UNPLUG 400

/* ---- traces ---------------------------------------------------------- */

enum shape { SH_STEADY, SH_DAILY, SH_BURSTY, SH_BATCH, SH_DATABASE,
	SH_CI, SH_VDI, SH_LEAK, SH_JVM, SH_CSV };

static const char *const shape_names[] = {
	"steady", "daily", "bursty", "batch", "database", "ci", "vdi", "leak",
	"jvm", "csv",
};

/* Which generated set: the classic shapes, or the hard ones. */
enum traceset_kind { TS_CLASSIC, TS_HARD };

struct trace {
	char name[64];
	enum shape shape;
	double max, min;	/* MiB */
	double io;		/* page cache fill, MiB/s */
	double peak;		/* MiB, the trace's own peak */
	float *d;		/* demand per second, MiB */
	size_t len;
	size_t cap;		/* of d, while a CSV loads */
};

struct traceset {
	struct trace *v;
	size_t n, cap;
	size_t len;		/* seconds */
	uint64_t seed;
	enum traceset_kind kind;
	bool csv;		/* loaded: copies beyond n are time-shifted */
};

static uint64_t
splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [lo, hi). */
static double
uni(uint64_t *s, double lo, double hi)
{
	return lo + (hi - lo) * (double)(splitmix(s) >> 11) / 9007199254740992.0;
}

/* Standard normal (Box-Muller). */
static double
gauss(uint64_t *s)
{
	double u = uni(s, 1e-12, 1), v = uni(s, 0, 1);

	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

/* Quantize to 1/16 MiB, so that a trace written to CSV reads back equal. */
static float
quant(double mib)
{
	return (float)(floor(mib * 16 + 0.5) / 16);
}

/*
 * Generate VM i of the seeded set. Sizes: maximum 1, 2, 4, 8 or 16 GiB
 * (15/30/30/20/5 %). Shapes (25/25/20/15/15 %):
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
static void
gen_vm(struct trace *tr, uint64_t seed, size_t i, size_t len)
{
	uint64_t s = seed * 0x2545f4914f6cdd1dULL + i * 0x9e3779b97f4a7c15ULL;
	double r = uni(&s, 0, 1), max, x, noise = 0, level = 0, dbmax = 0;
	double p[8] = { 0 };
	size_t t;

	max = r < .15 ? 1024 : r < .45 ? 2048 : r < .75 ? 4096 :
	    r < .95 ? 8192 : 16384;
	r = uni(&s, 0, 1);
	tr->shape = r < .25 ? SH_STEADY : r < .50 ? SH_DAILY :
	    r < .70 ? SH_BURSTY : r < .85 ? SH_BATCH : SH_DATABASE;
	static const double io[] = { 0.2, 0.5, 0.1, 1.0, 1.0 };
	tr->io = io[tr->shape];
	tr->max = max;
	tr->min = max / 4;
	tr->len = len;
	snprintf(tr->name, sizeof(tr->name), "vm%zu-%s", i,
	    shape_names[tr->shape]);
	tr->d = xcalloc(len, sizeof(*tr->d));

	switch (tr->shape) {
	case SH_STEADY:
		p[0] = uni(&s, .25, .5);		/* level */
		p[1] = uni(&s, .02, .06);		/* swell */
		p[2] = uni(&s, 2, 6) * 3600;		/* its period */
		p[3] = uni(&s, 0, 2 * M_PI);
		break;
	case SH_DAILY:
		p[0] = uni(&s, .15, .3);
		p[1] = uni(&s, .2, .45);
		p[2] = uni(&s, 9, 15) * 3600;		/* peak time */
		break;
	case SH_BURSTY:
		p[0] = uni(&s, .15, .3);
		p[1] = uni(&s, 20, 90) * 60;		/* mean gap */
		p[2] = -p[1] * log(uni(&s, 1e-9, 1));	/* next start */
		p[3] = 0;				/* height */
		p[4] = p[5] = p[6] = 0;			/* rise, hold, end */
		break;
	case SH_BATCH:
		p[0] = uni(&s, .1, .2);
		p[1] = uni(&s, 4, 8) * 3600;		/* period */
		p[2] = uni(&s, 0, p[1]);		/* next start */
		p[3] = p[4] = p[5] = 0;			/* peak, grow, hold */
		break;
	case SH_DATABASE:
		p[0] = uni(&s, .2, .3);
		p[1] = uni(&s, .6, .85);
		p[2] = uni(&s, 2, 12) * 3600;		/* warm-up */
		break;
	default:
		break;
	}

	for (t = 0; t < len; t++) {
		double ts = (double)t;

		noise = 0.95 * noise + 0.003 * gauss(&s);
		switch (tr->shape) {
		case SH_STEADY:
			x = p[0] + p[1] * sin(2 * M_PI * ts / p[2] + p[3]);
			break;
		case SH_DAILY: {
			double dt = fmod(fabs(fmod(ts, 86400) - p[2]), 86400);

			if (dt > 43200)
				dt = 86400 - dt;
			x = p[0] + (dt < 21600 ? p[1] * 0.5 *
			    (1 + cos(M_PI * dt / 21600)) : 0);
			break;
		}
		case SH_BURSTY:
			if (ts >= p[6] + 30 && ts >= p[2]) {
				/* A new burst starts now. */
				p[3] = uni(&s, .2, .55);
				p[4] = uni(&s, 5, 60);
				p[5] = uni(&s, 60, 900);
				p[6] = ts + p[4] + p[5];	/* fall starts */
				p[7] = ts;
				p[2] = p[6] + 30 - p[1] * log(uni(&s, 1e-9, 1));
			}
			x = p[0];
			if (p[3] > 0 && ts < p[6] + 30) {
				double k = ts < p[7] + p[4] ?
				    (ts - p[7]) / p[4] : ts < p[6] ? 1 :
				    1 - (ts - p[6]) / 30;

				x += p[3] * k;
			}
			break;
		case SH_BATCH:
			if (ts >= p[2]) {
				p[3] = uni(&s, .5, .8);
				p[4] = uni(&s, 600, 1800);
				p[5] = uni(&s, 600, 3600);
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
					x = p[3] - (p[3] - p[0]) *
					    (e - p[4] - p[5]) / 60;
			}
			break;
		case SH_DATABASE:
			x = p[1] - (p[1] - p[0]) * exp(-3 * ts / p[2]);
			break;
		default:
			x = 0;
		}
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

/* Demand within 64 MiB and 95 % of the maximum, quantized. */
static float
bounded(double mib, double max)
{
	double top = floor(0.95 * max * 16) / 16;

	return fmin(quant(fmax(mib, 64)), (float)top);
}

/*
 * Generate VM i of the seeded hard set, shapes chosen before any policy
 * was run on them (25 % each), maximums as fractions:
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
static void
gen_hard_vm(struct trace *tr, uint64_t seed, size_t i, size_t len)
{
	uint64_t s = (seed ^ 0x68617264ULL) * 0x2545f4914f6cdd1dULL +
	    i * 0x9e3779b97f4a7c15ULL;
	uint64_t ss = seed ^ 0x76646931ULL;
	double login = uni(&ss, 8, 9) * 3600;	/* shared by every VM */
	double r = uni(&s, 0, 1), max, x = 0, noise = 0, p[8] = { 0 };
	size_t t;

	tr->shape = r < .25 ? SH_CI : r < .5 ? SH_VDI : r < .75 ? SH_LEAK :
	    SH_JVM;
	r = uni(&s, 0, 1);
	switch (tr->shape) {
	case SH_CI:
		max = r < .4 ? 8192 : r < .8 ? 16384 : 32768;
		tr->io = 2;
		p[0] = uni(&s, .05, .1);
		p[1] = uni(&s, 20, 120) * 60;		/* mean gap */
		p[2] = -p[1] * log(uni(&s, 1e-9, 1));	/* next build */
		p[6] = -1;				/* drop start */
		break;
	case SH_VDI:
		max = r < .5 ? 2048 : 4096;
		tr->io = 0.5;
		p[0] = login + uni(&s, 0, 900);
		p[1] = uni(&s, 120, 300);		/* login ramp */
		p[2] = uni(&s, .5, .7);
		p[3] = uni(&s, .35, .45);
		p[4] = uni(&s, 17, 18) * 3600;		/* logout */
		break;
	case SH_LEAK:
		max = r < .25 ? 2048 : r < .5 ? 4096 : r < .75 ? 8192 : 16384;
		tr->io = 0.2;
		p[0] = uni(&s, .2, .3);
		p[1] = uni(&s, .02, .1) / 3600;		/* growth a second */
		p[2] = uni(&s, 4, 24) * 3600;		/* restart period */
		p[3] = uni(&s, 0, p[2]);		/* its phase */
		break;
	default:
		max = r < .25 ? 4096 : r < .5 ? 8192 : r < .75 ? 16384 : 32768;
		tr->io = 0.5;
		p[0] = uni(&s, .5, .8);
		p[1] = uni(&s, 300, 1800);		/* heap growth */
		p[2] = uni(&s, .02, .05);		/* sawtooth */
		p[3] = uni(&s, 60, 300);		/* its period */
		break;
	}
	tr->max = max;
	tr->min = max / 4;
	tr->len = len;
	snprintf(tr->name, sizeof(tr->name), "vm%zu-%s", i,
	    shape_names[tr->shape]);
	tr->d = xcalloc(len, sizeof(*tr->d));

	for (t = 0; t < len; t++) {
		double ts = (double)t, day = fmod(ts, 86400);

		noise = 0.95 * noise + 0.003 * gauss(&s);
		switch (tr->shape) {
		case SH_CI:
			if (p[6] < 0 && ts >= p[2]) {
				/* A build: ramp rate, peak, hold. */
				p[3] = uni(&s, 800, 1536) / max;
				p[4] = uni(&s, .6, .9);
				p[5] = ts + (p[4] - p[0]) / p[3] +
				    uni(&s, 120, 900);
				p[6] = ts;
			}
			x = p[0];
			if (p[6] >= 0) {
				double up = p[0] + p[3] * (ts - p[6]);

				x = fmin(up, p[4]);
				if (ts >= p[5]) {
					x = p[4] - (p[4] - p[0]) *
					    (ts - p[5]) / 10;
					if (ts >= p[5] + 10) {
						x = p[0];
						p[6] = -1;
						p[2] = ts - p[1] *
						    log(uni(&s, 1e-9, 1));
					}
				}
			}
			break;
		case SH_VDI:
			x = 0.1;
			if (day >= p[0] && day < p[4])
				x = 0.1 + (p[2] - 0.1) *
				    fmin((day - p[0]) / p[1], 1);
			if (day >= 12 * 3600 && day < 13 * 3600 &&
			    day >= p[0])
				x = p[3];
			break;
		case SH_LEAK:
			x = p[0] + p[1] * fmod(ts + p[3], p[2]);
			break;
		default:
			x = p[0] * fmin(ts / p[1], 1) + 0.1 *
			    (1 - fmin(ts / p[1], 1)) +
			    p[2] * fmod(ts, p[3]) / p[3];
			break;
		}
		tr->d[t] = bounded((x + noise) * max, max);
	}
}

static void
trace_peak(struct trace *tr)
{
	size_t t;

	tr->peak = 0;
	for (t = 0; t < tr->len; t++)
		if (tr->d[t] > tr->peak)
			tr->peak = tr->d[t];
}

static struct trace *
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

/* Make sure the generator's first n VMs exist. */
static void
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

/* VM i: a trace, and a time shift for the copies of a loaded set. */
static const struct trace *
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

static int
csv_error(const char *path, long line, const char *msg)
{
	return dm_error("%s:%ld: %s", path, line, msg);
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

/*
 * Load traces: a header naming the columns, in any order, then one row a
 * VM a second. Needed: vm, second, demand_mib, maximum_mib; optional:
 * minimum_mib (default a quarter of the maximum), cache_mib_s (page cache
 * fill rate, default 0). A VM's seconds must increase; a gap holds the
 * last value, and a VM shorter than the longest holds its last value to
 * the end.
 */
static int
traces_load(struct traceset *ts, const char *path)
{
	enum { C_VM, C_SEC, C_DEM, C_MAX, C_MIN, C_IO, NCOL };
	static const char *const cols[NCOL] = { "vm", "second", "demand_mib",
		"maximum_mib", "minimum_mib", "cache_mib_s" };
	int idx[NCOL], nf, k, c;
	char buf[1024], *f[16];
	long line = 0;
	size_t i, last = 0;
	FILE *fp = fopen(path, "r");

	if (!fp)
		return dm_error("%s: %s", path, strerror(errno));
	ts->csv = true;
	for (c = 0; c < NCOL; c++)
		idx[c] = -1;
	if (!fgets(buf, sizeof(buf), fp)) {
		fclose(fp);
		return csv_error(path, 1, "no header");
	}
	line = 1;
	nf = csv_split(buf, f, 16);
	for (k = 0; k < nf; k++)
		for (c = 0; c < NCOL; c++)
			if (strcmp(f[k], cols[c]) == 0)
				idx[c] = k;
	for (c = 0; c <= C_MAX; c++)
		if (idx[c] < 0) {
			fclose(fp);
			snprintf(buf, sizeof(buf), "no column '%s'", cols[c]);
			return csv_error(path, 1, buf);
		}

	while (fgets(buf, sizeof(buf), fp)) {
		double v[NCOL] = { 0 };
		struct trace *tr = NULL;
		size_t sec;

		line++;
		if (buf[0] == '\n' || buf[0] == '#')
			continue;
		nf = csv_split(buf, f, 16);
		for (c = 1; c < NCOL; c++) {
			if (idx[c] < 0)
				continue;
			if (idx[c] >= nf || !csv_num(f[idx[c]], &v[c])) {
				char msg[128];

				snprintf(msg, sizeof(msg), "%s: not a number "
				    "of 0 or more", cols[c]);
				fclose(fp);
				return csv_error(path, line, msg);
			}
		}
		if (idx[C_VM] >= nf || !*f[idx[C_VM]]) {
			fclose(fp);
			return csv_error(path, line, "vm: empty");
		}
		/* Rows come a VM at a time: try the last row's VM first. */
		if (ts->n && strcmp(ts->v[last].name, f[idx[C_VM]]) == 0)
			tr = &ts->v[last];
		for (i = 0; !tr && i < ts->n; i++)
			if (strcmp(ts->v[i].name, f[idx[C_VM]]) == 0)
				tr = &ts->v[i];
		if (!tr) {
			tr = traces_add(ts);
			snprintf(tr->name, sizeof(tr->name), "%s",
			    f[idx[C_VM]]);
			tr->shape = SH_CSV;
			tr->max = v[C_MAX];
			tr->min = idx[C_MIN] >= 0 ? v[C_MIN] : v[C_MAX] / 4;
			tr->io = v[C_IO];
			tr->len = 0;
			if (tr->max < 64 || tr->min > tr->max) {
				fclose(fp);
				return csv_error(path, line, "maximum_mib: "
				    "below 64, or below minimum_mib");
			}
		}
		last = (size_t)(tr - ts->v);
		sec = (size_t)v[C_SEC];
		if ((double)sec != v[C_SEC] || (tr->len && sec < tr->len) ||
		    sec > 10 * 86400 * 366) {
			fclose(fp);
			return csv_error(path, line, "second: not a whole "
			    "number after the VM's last");
		}
		trace_put(tr, sec, (float)v[C_DEM]);
	}
	fclose(fp);
	if (ts->n == 0)
		return dm_error("%s: no traces", path);
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
	return 0;
}

static void
traces_free(struct traceset *ts)
{
	size_t i;

	for (i = 0; i < ts->n; i++)
		free(ts->v[i].d);
	free(ts->v);
	ts->v = NULL;
	ts->n = ts->cap = 0;
}

static int
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

/* ---- the simulated host ---------------------------------------------- */

struct host {
	double total, reserve, overhead;	/* MiB */
	double rate_in, rate_out;		/* MiB/s */
	bool hotadd;				/* VMs grow past startup by plug */
	double rate_plug, rate_unplug;		/* MiB/s */
	int interval;				/* ours, seconds */
	double latency;				/* ours sees demand this
						 * old, seconds */
	bool lend;				/* ours lends idle pool
						 * (lend-idle) */
	double host_use;			/* MiB the host itself
						 * uses of its reserve */
	struct hostconf hc;			/* dmctl.conf's defaults */
};

#define MOM_SAMPLES 10

struct svm {
	const struct trace *tr;
	size_t shift;
	double a;		/* assigned (balloon actual + plugged), MiB */
	double startup;		/* boot memory, MiB: hot-add above it */
	double target;		/* MiB */
	double cache;		/* guest page cache, MiB */
	double seen_d;		/* demand in the last stats report */
	double seen_free;	/* guest MemFree in the last report */
	/* ours */
	int64_t surplus_since;
	long last_change;
	struct policy_climb climb;
	struct policy_rise rise;
	uint64_t loan;
	/* mom: the last samples, every 5 s */
	double mom_cur[MOM_SAMPLES], mom_unused[MOM_SAMPLES];
};

struct sim {
	const struct host *h;
	struct svm *v;
	size_t n;
	size_t t;
	double pool;		/* MiB dmctl's pool: what ours plans in */
	double phys;		/* MiB the VMs can have before the host
				 * runs out: total - its own use -
				 * overhead; every policy's hard limit */
	double mom_hostfree[MOM_SAMPLES];
	int mom_k;		/* samples taken */
	/* results */
	double moved;		/* MiB */
	double moved_hot;	/* MiB of it plugged or unplugged */
	long changes;
	long unmet;		/* VM-seconds short of demand */
	double short_mibs;	/* MiB x seconds short */
	long vmsec;
	bool infeasible;	/* the start does not fit */
	/* ours, reused every pass */
	struct policy_vm *pin;
	struct policy_out *pout;
};

struct policy {
	const char *name;
	bool dynamic;
	/* where a VM starts, given its first demand */
	double (*start)(const struct trace *tr, double d0);
	void (*decide)(struct sim *s);
};

static double
demand_at(const struct svm *v, size_t t)
{
	return v->tr->d[(t + v->shift) % v->tr->len];
}

static void
set_target(struct sim *s, struct svm *v, double mib)
{
	if (mib > v->tr->max)
		mib = v->tr->max;
	if (mib != v->target) {
		v->target = mib;
		s->changes++;
	}
}

static double
start_max(const struct trace *tr, double d0)
{
	(void)d0;
	return tr->max;
}

static double
start_peak(const struct trace *tr, double d0)
{
	(void)d0;
	return tr->peak;
}

/* Every dynamic policy: first demand + 20 %, within the VM's bounds. */
static double
start_dynamic(const struct trace *tr, double d0)
{
	return fmin(fmax(d0 * 1.2, tr->min), tr->max);
}

static void
decide_static(struct sim *s)
{
	(void)s;
}

/* The demand VM v had lag seconds before t (the first second's before
 * the start), between whole seconds by a straight line. */
static double
lagged_demand(const struct svm *v, size_t t, double lag)
{
	double at = (double)t - lag, f;
	size_t a;

	if (at <= 0)
		return demand_at(v, 0);
	a = (size_t)at;
	f = at - (double)a;
	return demand_at(v, a) * (1 - f) + demand_at(v, a + 1) * f;
}

/* ours: the policy_plan() of dmctl rebalance, with its settling rule and
 * the dmctl.conf defaults (reclaim delay, step, buffer 20 %, weight 50). */
static void
decide_ours(struct sim *s)
{
	const struct hostconf *hc = &s->h->hc;
	size_t i;

	if (s->t % (size_t)s->h->interval)
		return;
	for (i = 0; i < s->n; i++) {
		struct svm *v = &s->v[i];
		struct policy_vm *p = &s->pin[i];

		p->assigned = (uint64_t)(v->a * MIB);
		/* Latency-delayed demand: ours reacts as late as the
		 * reaction benchmark measured (--latency). */
		p->demand = (uint64_t)(lagged_demand(v, s->t,
		    s->h->latency) * MIB);
		p->minimum = (uint64_t)(v->tr->min * MIB);
		p->maximum = (uint64_t)(v->tr->max * MIB);
		p->buffer = 20;
		p->weight = 50;
		p->stats = PS_FRESH;
		p->surplus_since = v->surplus_since;
		p->loan = v->loan;
		/* The balancer samples the demand climb from settled
		 * figures, as dmctl rebalance does. */
		if (v->last_change < 0 || (long)s->t >= v->last_change +
		    2 * (long)hc->stats_period) {
			policy_climb(&v->climb, p->demand, (int64_t)s->t);
			policy_rise(&v->rise, p->demand, (int64_t)s->t);
		}
		p->climb = v->climb.rate > v->rise.rate ? v->climb.rate :
		    v->rise.rate;
		/* Two stats reports after a move, as in dmctl rebalance. */
		if (v->last_change >= 0 && (long)s->t < v->last_change +
		    2 * (long)hc->stats_period)
			policy_settling(p);
	}
	/* The time to answer, as balance_react(): the next pass and two
	 * stats reports. */
	struct policy_input in = { (uint64_t)(s->pool * MIB),
		(int64_t)s->t, (int64_t)hc->reclaim_delay, hc->min_step,
		s->pin, s->n, s->h->interval + 2 * (int64_t)hc->stats_period,
		s->h->lend };
	policy_plan(&in, s->pout);
	for (i = 0; i < s->n; i++) {
		struct svm *v = &s->v[i];

		v->surplus_since = s->pout[i].surplus_since;
		v->loan = s->pout[i].loan;
		if (s->pout[i].change) {
			set_target(s, v, (double)s->pout[i].target / MIB);
			v->last_change = (long)s->t;
		}
	}
}

/* oVirt MoM's doc/balloon.rules (mom-balloon.policy), with its sample
 * config: a sample every 5 s, averages over the last 10, a decision every
 * 10 s; vdsm's floor (min_guarantee) is the VM's minimum. */
static void
decide_mom(struct sim *s)
{
	const double pressure = 0.20, critical = 0.05, min_free = 0.20;
	const double max_change = 0.05, min_change = 0.0025;
	double hf = 0, hfp, gfp;
	size_t i;
	int k, m;

	if (s->t % 5 == 0) {
		double used = 0;

		k = s->mom_k++ % MOM_SAMPLES;
		for (i = 0; i < s->n; i++) {
			s->v[i].mom_cur[k] = s->v[i].a;
			s->v[i].mom_unused[k] = s->v[i].seen_free;
			used += s->v[i].a;
		}
		/* MoM reads the host's MemFree: what neither the VMs nor
		 * the host itself use; the reserve it does not use is free. */
		s->mom_hostfree[k] = s->phys - used;
	}
	if (s->t % 10 || !s->mom_k)
		return;
	m = s->mom_k < MOM_SAMPLES ? s->mom_k : MOM_SAMPLES;
	for (k = 0; k < m; k++)
		hf += s->mom_hostfree[k];
	hfp = hf / m / s->h->total;
	gfp = hfp <= critical ? -0.05 + hfp : min_free * (hfp / pressure);
	for (i = 0; i < s->n; i++) {
		struct svm *v = &s->v[i];
		double cur = v->a, used = 0, size, bmin;

		for (k = 0; k < m; k++)
			used += v->mom_cur[k] - v->mom_unused[k];
		used /= m;
		if (hfp < pressure) {
			bmin = used + gfp * cur;
			size = cur * (1 - max_change);
			if (size < bmin)
				size = bmin;
			if (size < v->tr->min)
				size = v->tr->min;
			if (size <= cur && fabs(size - cur) > min_change * cur)
				set_target(s, v, size);
		} else if (cur < v->tr->max) {
			bmin = used + min_free * v->tr->max;
			size = cur * (1 + max_change);
			if (size > v->tr->max)
				size = v->tr->max;
			if (size < bmin)
				size = bmin;
			if (fabs(size - cur) > min_change * cur)
				set_target(s, v, size);
		}
	}
}

/* Proxmox VE's PVE::AutoBalloon::compute_alg1, as pvestatd calls it every
 * 10 s: goal = 80 % of host memory - host used, at most 100 MiB of change
 * per VM, shares 1000 each. Works in bytes, as the Perl does. */
struct pve {
	int64_t balloon, min, max, free;
	int64_t res;		/* 0: unchanged */
	bool done;
};

static int64_t
pve_change(struct pve *d, const size_t *ids, size_t nid, int64_t bytes,
    int64_t maxchange)
{
	int64_t rest = bytes;
	int repeat = 1;
	int64_t progress = 1;
	size_t j;

	for (j = 0; j < nid; j++)
		d[ids[j]].done = false;
	while (rest && repeat && progress) {
		double shares_total = 0, alloc_old = 0, alloc_new;
		int64_t changes = 0;

		repeat = 0;
		progress = 0;
		for (j = 0; j < nid; j++) {
			struct pve *p = &d[ids[j]];

			if (p->done)
				continue;
			alloc_old += (double)((p->res ? p->res : p->balloon) -
			    p->min);
			shares_total += 1000;
		}
		alloc_new = alloc_old + (double)rest;
		for (j = 0; j < nid; j++) {
			struct pve *p = &d[ids[j]];
			int64_t desired, nw, balloon, diff, old;

			if (p->done)
				continue;
			desired = p->min + (int64_t)(alloc_new /
			    shares_total * 1000);
			if (desired > p->max) {
				desired = p->max;
				repeat = 1;
			} else if (desired < p->min) {
				desired = p->min;
				repeat = 1;
			}
			if (bytes > 0 && desired - p->balloon > 0) {
				nw = p->balloon + maxchange;
				balloon = nw > desired ? desired : nw;
			} else if (desired - p->balloon < 0) {
				nw = p->balloon - maxchange;
				balloon = nw > desired ? nw : desired;
			} else {
				p->done = true;
				continue;
			}
			diff = balloon - p->balloon;
			if (diff != 0) {
				old = p->res ? p->res : p->balloon;
				p->res = balloon;
				if (balloon - old != 0) {
					changes += balloon - old;
					progress += diff > 0 ? diff : -diff;
					repeat = 1;
				}
			}
		}
		rest -= changes;
	}
	return rest;
}

static void
decide_proxmox(struct sim *s)
{
	const int64_t mib = (int64_t)MIB, maxchange = 100 * mib;
	struct pve *d;
	size_t *all, *l1, *l2, n1 = 0, n2 = 0, i;
	/* pvestatd reads the host's used memory: the host's own use and
	 * the VMs', not the reserve it does not use. */
	double used = s->h->host_use + s->h->overhead * (double)s->n;
	int64_t goal, rest;

	if (s->t % 10)
		return;
	d = xcalloc(s->n, sizeof(*d));
	all = xcalloc(s->n, sizeof(*all));
	l1 = xcalloc(s->n, sizeof(*l1));
	l2 = xcalloc(s->n, sizeof(*l2));
	for (i = 0; i < s->n; i++) {
		struct svm *v = &s->v[i];

		d[i].balloon = (int64_t)(v->a * MIB);
		d[i].min = (int64_t)(v->tr->min * MIB);
		d[i].max = (int64_t)(v->tr->max * MIB);
		d[i].free = (int64_t)(v->seen_free * MIB);
		all[i] = i;
		if (d[i].free && (double)d[i].free > (double)d[i].min * 0.25 &&
		    d[i].balloon >= d[i].min)
			l2[n2++] = i;
		else
			l1[n1++] = i;
		used += v->a;
	}
	goal = (int64_t)((s->h->total * 0.8 - used) * MIB);
	if (goal > 10 * mib) {
		rest = pve_change(d, l1, n1, goal, maxchange);
		if (rest >= goal)
			pve_change(d, all, s->n, rest, maxchange);
	} else if (goal < -10 * mib) {
		rest = pve_change(d, l2, n2, goal, maxchange);
		if (rest <= goal)
			pve_change(d, all, s->n, rest, maxchange);
	}
	for (i = 0; i < s->n; i++)
		if (d[i].res && d[i].res != d[i].balloon)
			set_target(s, &s->v[i], (double)d[i].res / MIB);
	free(d);
	free(all);
	free(l1);
	free(l2);
}

/* In the order of policies[]. */
enum { P_STATIC_MAX, P_STATIC_PEAK, P_MOM, P_PROXMOX, P_OURS };

static const struct policy policies[] = {
	{ "static-max", false, start_max, decide_static },
	{ "static-peak", false, start_peak, decide_static },
	{ "mom", true, start_dynamic, decide_mom },
	{ "proxmox", true, start_dynamic, decide_proxmox },
	{ "ours", true, start_dynamic, decide_ours },
};

#define NPOLICIES DM_ARRAY_LEN(policies)

/* The guest keeps this much free (watermarks); cache fills the rest. */
static double
guest_min_free(double a)
{
	return a * 0.02;
}

/*
 * One second of a hot-add VM shrinking toward its target: what is plugged
 * above its startup is unplugged first, at the unplug rate; the rest of
 * the second inflates the balloon below the startup. Returns the new size
 * and adds what was unplugged to *hot.
 */
static double
shrink_hotadd(const struct host *h, const struct svm *v, double *hot)
{
	double a = v->a, left = 1;

	if (a > v->startup) {
		double to = fmax(fmax(v->target, v->startup),
		    a - h->rate_unplug);

		left -= (a - to) / h->rate_unplug;
		*hot += a - to;
		a = to;
	}
	if (v->target < a && left > 0)
		a = fmax(v->target, a - h->rate_in * left);
	return a;
}

/*
 * One second of a hot-add VM growing toward its target with freep MiB of
 * the pool free: the balloon deflates up to the startup first, at the
 * deflate rate; the rest of the second plugs above it at the plug rate.
 */
static double
grow_hotadd(const struct host *h, const struct svm *v, double freep,
    double *hot)
{
	double a = v->a, left = 1;

	if (a < v->startup) {
		double to = fmin(fmin(v->target, v->startup),
		    a + fmin(h->rate_out, freep));

		left -= (to - a) / h->rate_out;
		freep -= to - a;
		a = to;
	}
	if (v->target > a && left > 0 && freep > 0) {
		double to = fmin(v->target, a + fmin(h->rate_plug * left,
		    freep));

		*hot += to - a;
		a = to;
	}
	return a;
}

/* Run the first n VMs of ts under policy p over the whole trace. */
static void
simulate(const struct host *h, const struct traceset *ts,
    const struct policy *p, size_t n, struct sim *s)
{
	double sum = 0;
	size_t i, t;

	memset(s, 0, sizeof(*s));
	s->h = h;
	s->n = n;
	s->v = xcalloc(n ? n : 1, sizeof(*s->v));
	s->pin = xcalloc(n ? n : 1, sizeof(*s->pin));
	s->pout = xcalloc(n ? n : 1, sizeof(*s->pout));
	s->pool = h->total - h->reserve - h->overhead * (double)n;
	s->phys = h->total - h->host_use - h->overhead * (double)n;
	for (i = 0; i < n; i++) {
		struct svm *v = &s->v[i];
		double d0;

		v->tr = trace_of(ts, i, &v->shift);
		d0 = demand_at(v, 0);
		v->a = p->start(v->tr, d0);
		v->startup = v->a;
		v->target = v->a;
		v->seen_d = d0;
		v->seen_free = v->a - d0;
		v->surplus_since = -1;
		v->last_change = -1;
		v->climb.at = -1;
		v->rise.at = -1;
		sum += v->a;
	}
	if (sum > s->phys) {
		s->infeasible = true;
		return;
	}

	for (t = 0; t < ts->len; t++) {
		double freep;

		s->t = t;
		p->decide(s);
		/* The balloons move: shrinking ones first, so that what
		 * grows finds the memory free. */
		for (i = 0; i < n; i++) {
			struct svm *v = &s->v[i];

			if (v->target < v->a) {
				double to = h->hotadd ? shrink_hotadd(h, v,
				    &s->moved_hot) : fmax(v->target,
				    v->a - h->rate_in);

				s->moved += v->a - to;
				sum -= v->a - to;
				v->a = to;
			}
		}
		freep = s->phys - sum;
		for (i = 0; i < n; i++) {
			struct svm *v = &s->v[i];

			if (v->target > v->a && freep > 0) {
				double to = h->hotadd ? grow_hotadd(h, v, freep,
				    &s->moved_hot) : fmin(v->target,
				    v->a + fmin(h->rate_out, freep));

				s->moved += to - v->a;
				sum += to - v->a;
				freep -= to - v->a;
				v->a = to;
			}
		}
		/* The guests run. */
		for (i = 0; i < n; i++) {
			struct svm *v = &s->v[i];
			double d = demand_at(v, t);
			double room = v->a - d - guest_min_free(v->a);

			v->cache = fmin(v->cache + v->tr->io, fmax(room, 0));
			if (v->a < d) {
				s->unmet++;
				s->short_mibs += d - v->a;
			}
			v->seen_d = d;
			v->seen_free = fmax(v->a - d - v->cache, 0);
		}
		s->vmsec += (long)n;
	}
}

static void
sim_free(struct sim *s)
{
	free(s->v);
	free(s->pin);
	free(s->pout);
}

struct result {
	size_t n;		/* 0 when it cannot start */
	long short_s;		/* VM-seconds short of demand */
	double vmdays;
	double short_s_day;	/* short VM-seconds per VM-day */
	double short_mibs_day;	/* MiB x seconds short per VM-day */
	double moved_day;	/* GiB moved per VM-day */
	double changes_day;	/* balloon changes per VM-day */
	double moved;		/* GiB */
	double moved_hot;	/* GiB of it by plug and unplug */
	long changes;
};

/* The figures of p with n VMs, fitting or not; n 0 when it cannot start. */
static struct result
run_n(const struct host *h, struct traceset *ts, const struct policy *p,
    size_t n)
{
	struct result r = { 0 };
	struct sim s;

	traces_need(ts, n);
	simulate(h, ts, p, n, &s);
	r.n = s.infeasible || s.pool <= 0 ? 0 : n;
	r.short_s = s.unmet;
	r.vmdays = (double)s.vmsec / 86400;
	if (r.vmdays > 0) {
		r.short_s_day = (double)s.unmet / r.vmdays;
		r.short_mibs_day = s.short_mibs / r.vmdays;
		r.moved_day = s.moved / 1024 / r.vmdays;
		r.changes_day = (double)s.changes / r.vmdays;
	}
	r.moved = s.moved / 1024;
	r.moved_hot = s.moved_hot / 1024;
	r.changes = s.changes;
	sim_free(&s);
	return r;
}

/* Whether p fits n VMs: short at most limit VM-seconds per VM-day (0: not
 * a second short). */
static bool
fits(const struct host *h, struct traceset *ts, const struct policy *p,
    size_t n, double limit, struct result *r)
{
	*r = run_n(h, ts, p, n);
	return r->n && (limit > 0 ? r->short_s_day <= limit : r->short_s == 0);
}

/* A table row; with --hotadd (hot) also the memory plugged and unplugged. */
static void
print_row(const char *name, const struct result *r, bool tried, bool hot)
{
	printf("%-12s %6zu %12.1f %15.0f %13.2f %13.0f", name, r->n,
	    r->short_s_day, r->short_mibs_day, r->moved_day, r->changes_day);
	if (hot)
		printf(" %13.2f", r->vmdays > 0 ? r->moved_hot / r->vmdays : 0);
	printf("%s\n", tried && !r->n ? "  (does not start)" : "");
	fflush(stdout);
}

static void
print_head(const char *title, bool hot)
{
	printf("%s\n%-12s %6s %12s %15s %13s %13s%s\n", title, "policy", "VMs",
	    "short s/day", "MiB*s short/day", "GiB moved/day", "changes/day",
	    hot ? "  GiB plug/day" : "");
}

/*
 * The most VMs p fits within limit. Fits need not be monotone in the
 * number of VMs (one more VM shifts every share), so: double until a fit
 * fails, bisect to the edge, then try every count up to a tenth (at least
 * 8) past it and keep the largest that fits. The 8 counts below the edge
 * are tried too; *mono is false when one of them fails although a larger
 * count fits.
 */
static struct result
most_vms(const struct host *h, struct traceset *ts, const struct policy *p,
    double limit, bool *mono)
{
	struct result best = { 0 }, r;
	size_t lo = 0, hi = 8, k, w, top, miss = 0;

	while (fits(h, ts, p, hi, limit, &r)) {
		best = r;
		lo = hi;
		hi *= 2;
	}
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (fits(h, ts, p, mid, limit, &r)) {
			best = r;
			lo = mid;
		} else
			hi = mid;
	}
	w = lo / 10 > 8 ? lo / 10 : 8;
	for (k = lo > 8 ? lo - 8 : 1; k <= lo + w; k++) {
		if (k == lo)
			continue;
		if (!fits(h, ts, p, k, limit, &r)) {
			if (!miss)
				miss = k;
			continue;
		}
		if (k > best.n)
			best = r;
	}
	top = best.n;
	*mono = !miss || top < miss;
	return best;
}

/*
 * The ceiling: the most VMs whose summed demand stays within the memory
 * the host can give them at every second, with no buffer and instant
 * balloons. No policy can pass it.
 */
static size_t
ceiling(const struct host *h, struct traceset *ts)
{
	double *sum = xcalloc(ts->len, sizeof(*sum));
	size_t n, t;

	for (n = 0;; n++) {
		double cap = h->total - h->host_use - h->overhead *
		    (double)(n + 1);
		struct svm v = { 0 };
		bool ok = true;

		traces_need(ts, n + 1);
		v.tr = trace_of(ts, n, &v.shift);
		for (t = 0; t < ts->len; t++) {
			sum[t] += demand_at(&v, t);
			if (sum[t] > cap)
				ok = false;
		}
		if (!ok)
			break;
	}
	free(sum);
	return n;
}

/* "gain vs NAME: N%" of ours over each baseline that fits any VM. */
static void
print_gains(const char *what, const struct result *res, const bool *ran)
{
	size_t i;

	for (i = 0; ran[P_OURS] && i < P_OURS; i++)
		if (ran[i] && res[i].n)
			printf("%s gain vs %s: %.0f%%\n", what, policies[i].name,
			    ((double)res[P_OURS].n / (double)res[i].n - 1) *
			    100);
}

/* Every policy at the tolerance and at zero unmet demand, the ceiling,
 * the gains, and the balancers' churn at their limits and at equal load. */
static void
report(const struct host *h, struct traceset *ts, const char *only)
{
	struct result tol[NPOLICIES], zero[NPOLICIES];
	bool ran[NPOLICIES] = { false }, mono;
	size_t i, c = ceiling(h, ts);

	print_head("at the tolerance (short at most 86.4 s a VM-day, 0.1 %):",
	    h->hotadd);
	for (i = 0; i < NPOLICIES; i++) {
		if (only && strcmp(only, policies[i].name) != 0)
			continue;
		tol[i] = most_vms(h, ts, &policies[i], UNMET_LIMIT * 86400,
		    &mono);
		ran[i] = true;
		print_row(policies[i].name, &tol[i], false, h->hotadd);
		if (!mono)
			printf("  (%s: fits are not monotone near its most)\n",
			    policies[i].name);
	}
	print_head("at zero unmet demand (not a VM-second short):", h->hotadd);
	for (i = 0; i < NPOLICIES; i++) {
		if (!ran[i])
			continue;
		zero[i] = most_vms(h, ts, &policies[i], 0, &mono);
		print_row(policies[i].name, &zero[i], false, h->hotadd);
		if (!mono)
			printf("  (%s: fits are not monotone near its most)\n",
			    policies[i].name);
	}
	printf("ceiling: %zu VMs (summed demand within the host's memory at "
	    "every second, no buffer, instant balloons)\n", c);
	print_gains("density", tol, ran);
	print_gains("zero-unmet", zero, ran);
	if (ran[P_OURS] && c) {
		printf("ours of ceiling: %.0f%%\n",
		    (double)tol[P_OURS].n / (double)c * 100);
		printf("zero-unmet ours of ceiling: %.0f%%\n",
		    (double)zero[P_OURS].n / (double)c * 100);
	}
	if (only)
		return;
	printf("balloon changes per VM-day at the limit: ours %.0f, mom %.0f, "
	    "proxmox %.0f\n", tol[P_OURS].changes_day, tol[P_MOM].changes_day,
	    tol[P_PROXMOX].changes_day);
	printf("memory moved per VM-day at the limit: ours %.2f GiB, mom %.2f "
	    "GiB, proxmox %.2f GiB\n", tol[P_OURS].moved_day,
	    tol[P_MOM].moved_day, tol[P_PROXMOX].moved_day);
	/* At its own most, ours runs a tighter pool than the others ever
	 * do; at equal load the balancers compare like for like. */
	{
		size_t eq = tol[P_MOM].n > tol[P_PROXMOX].n ? tol[P_MOM].n :
		    tol[P_PROXMOX].n;

		printf("at equal load, %zu VMs (the most a baseline balancer "
		    "fits):\n", eq);
		for (i = P_MOM; i <= P_OURS; i++) {
			struct result r = run_n(h, ts, &policies[i], eq);

			print_row(policies[i].name, &r, true, h->hotadd);
		}
	}
}

/* ---- main ------------------------------------------------------------ */

static void
usage(FILE *f, int status)
{
	fputs("usage: density [--host SIZE] [--hours H] [--seed N] "
	    "[--csv FILE]\n"
	    "               [--traces classic|hard] [--rate-in MIB/S] "
	    "[--rate-out MIB/S]\n"
	    "               [--interval S] [--latency S] [--no-lend-idle]\n"
	    "               [--hotadd [--rate-plug MIB/S] "
	    "[--rate-unplug MIB/S]]\n"
	    "               [--policy NAME] [--vms N] [--dump-csv FILE] "
	    "[--smoke] [-h]\n"
	    "See bench/README.md, \"The density benchmark\".\n", f);
	exit(status);
}

static double
num_arg(const char *opt, const char *s, double lo, double hi)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end || errno || !(v >= lo && v <= hi)) {
		dm_error("%s: '%s' is not a number from %g to %g", opt, s,
		    lo, hi);
		exit(2);
	}
	return v;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "host", required_argument, NULL, 'H' },
		{ "hours", required_argument, NULL, 'T' },
		{ "seed", required_argument, NULL, 's' },
		{ "csv", required_argument, NULL, 'f' },
		{ "rate-in", required_argument, NULL, 'i' },
		{ "rate-out", required_argument, NULL, 'o' },
		{ "hotadd", no_argument, NULL, 'A' },
		{ "rate-plug", required_argument, NULL, 'P' },
		{ "rate-unplug", required_argument, NULL, 'U' },
		{ "interval", required_argument, NULL, 'I' },
		{ "policy", required_argument, NULL, 'p' },
		{ "vms", required_argument, NULL, 'n' },
		{ "dump-csv", required_argument, NULL, 'D' },
		{ "smoke", no_argument, NULL, 'S' },
		{ "no-lend-idle", no_argument, NULL, 'L' },
		{ "latency", required_argument, NULL, 'l' },
		{ "traces", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, '?' + 256 },
		{ NULL, 0, NULL, 0 },
	};
	struct host h = { 0 };
	struct traceset ts = { 0 };
	struct result res[NPOLICIES];
	const char *csv = NULL, *dump = NULL, *only = NULL;
	uint64_t host_bytes = 256 * GIB;
	double hours = 24;
	size_t vms = 0, i;
	int c;
	bool rate_hot = false;

	dm_progname = "density";
	hostconf_default(&h.hc);
	/* Measured on the TCG test bed by bench/balloon-rate.sh; make bench
	 * measures again and passes its figures. */
	h.rate_in = 300;
	h.rate_out = 900;
	h.rate_plug = RATE_PLUG;
	h.rate_unplug = RATE_UNPLUG;
	h.interval = 1;
	h.latency = LATENCY;
	h.lend = h.hc.lend_idle;
	ts.seed = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'H': {
			const char *why = "below 1 GiB";

			if (size_parse(optarg, 1, &host_bytes, &why) < 0 ||
			    host_bytes < GIB) {
				dm_error("--host: '%s': %s", optarg, why);
				exit(2);
			}
			break;
		}
		case 'T':
			hours = num_arg("--hours", optarg, 1.0 / 60, 24 * 31);
			break;
		case 's':
			ts.seed = (uint64_t)num_arg("--seed", optarg, 0, 1e15);
			break;
		case 'f':
			csv = optarg;
			break;
		case 'i':
			h.rate_in = num_arg("--rate-in", optarg, 1, 1e6);
			break;
		case 'o':
			h.rate_out = num_arg("--rate-out", optarg, 1, 1e6);
			break;
		case 'A':
			h.hotadd = true;
			break;
		case 'P':
			h.rate_plug = num_arg("--rate-plug", optarg, 1, 1e6);
			rate_hot = true;
			break;
		case 'U':
			h.rate_unplug = num_arg("--rate-unplug", optarg, 1,
			    1e6);
			rate_hot = true;
			break;
		case 'I':
			h.interval = (int)num_arg("--interval", optarg, 1,
			    3600);
			break;
		case 'p':
			only = optarg;
			break;
		case 'n':
			vms = (size_t)num_arg("--vms", optarg, 1, 100000);
			break;
		case 'D':
			dump = optarg;
			break;
		case 'S':
			host_bytes = 32 * GIB;
			hours = 1;
			break;
		case 'L':
			h.lend = false;
			break;
		case 'l':
			h.latency = num_arg("--latency", optarg, 0, 3600);
			break;
		case 't':
			if (strcmp(optarg, "classic") == 0)
				ts.kind = TS_CLASSIC;
			else if (strcmp(optarg, "hard") == 0)
				ts.kind = TS_HARD;
			else {
				dm_error("--traces: '%s' is not classic or "
				    "hard", optarg);
				exit(2);
			}
			break;
		case 'h':
		case '?' + 256:
			usage(stdout, 0);
			break;
		default:
			usage(stderr, 2);
		}
	}
	if (optind != argc)
		usage(stderr, 2);
	if (rate_hot && !h.hotadd) {
		dm_error("--rate-plug and --rate-unplug are for --hotadd");
		exit(2);
	}
	if (only) {
		for (i = 0; i < NPOLICIES; i++)
			if (strcmp(only, policies[i].name) == 0)
				break;
		if (i == NPOLICIES) {
			dm_error("--policy: '%s' is not static-max, "
			    "static-peak, mom, proxmox or ours", only);
			exit(2);
		}
	}

	h.total = (double)host_bytes / MIB;
	h.reserve = fmax((double)h.hc.reserve / MIB,
	    h.total * h.hc.reserve_percent / 100);
	h.overhead = (double)h.hc.overhead / MIB;
	h.host_use = h.reserve * HOST_USE;
	if (csv) {
		if (traces_load(&ts, csv) < 0) {
			traces_free(&ts);
			return 1;
		}
	} else
		ts.len = (size_t)(hours * 3600);
	if (dump) {
		if (csv) {
			dm_error("--dump-csv writes generated traces; "
			    "not with --csv");
			exit(2);
		}
		traces_need(&ts, vms ? vms : 100);
		c = traces_dump(&ts, vms ? vms : 100, dump);
		traces_free(&ts);
		return c < 0;
	}

	printf("density: host %.0f GiB (reserve %.1f GiB, of it %.1f GiB used "
	    "by the host itself; %.0f MiB overhead a VM), %s, %.1f h; balloon "
	    "%.0f MiB/s in, %.0f MiB/s out; dmctl pass every %d s, seeing "
	    "demand %.1f s late\n",
	    h.total / 1024, h.reserve / 1024, h.host_use / 1024, h.overhead,
	    csv ? csv : ts.kind == TS_HARD ? "hard generated traces" :
	    "generated traces", (double)ts.len / 3600,
	    h.rate_in, h.rate_out, h.interval, h.latency);
	if (h.hotadd)
		printf("hot-add VMs: above its startup (where a dynamic policy "
		    "starts it) a VM is plugged at %.0f MiB/s and unplugged at "
		    "%.0f MiB/s; below it the balloon moves\n", h.rate_plug,
		    h.rate_unplug);
	if (csv)
		printf("traces: %zu from %s\n", ts.n, csv);
	else
		printf("traces: seed %llu\n", (unsigned long long)ts.seed);
	if (vms) {
		print_head("with exactly the VMs asked for:", h.hotadd);
		for (i = 0; i < NPOLICIES; i++) {
			if (only && strcmp(only, policies[i].name) != 0)
				continue;
			res[i] = run_n(&h, &ts, &policies[i], vms);
			print_row(policies[i].name, &res[i], true, h.hotadd);
		}
	} else
		report(&h, &ts, only);
	traces_free(&ts);
	return dm_flush_stdout() < 0;
}
