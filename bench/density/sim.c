/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sim.c - the simulated host: every second the model decides, the
 * balloons (and with --hotadd, virtio-mem) move toward its targets,
 * shrinking VMs first, within the host's memory, then the guests run and
 * what they lacked is counted.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "density.h"
#include "util.h"

double
demand_at(const struct svm *v, size_t t)
{
	return v->tr->d[(t + v->shift) % v->tr->len];
}

void
set_target(struct sim *s, struct svm *v, double mib)
{
	if (mib > v->tr->max)
		mib = v->tr->max;
	if (mib != v->target) {
		v->target = mib;
		s->changes++;
	}
}

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

/* Start the first n VMs of ts where m starts them; returns what they
 * take in all. */
static double
sim_start(struct sim *s, const struct host *h, const struct traceset *ts,
    const struct model *m, size_t n)
{
	double sum = 0;
	size_t i;

	memset(s, 0, sizeof(*s));
	s->h = h;
	s->n = n;
	s->v = xcalloc(n ? n : 1, sizeof(*s->v));
	s->pool = h->total - h->reserve - h->overhead * (double)n;
	s->phys = h->total - h->host_use - h->overhead * (double)n;
	for (i = 0; i < n; i++) {
		struct svm *v = &s->v[i];
		double d0;

		v->tr = trace_of(ts, i, &v->shift);
		d0 = demand_at(v, 0);
		v->a = m->start(v->tr, d0);
		v->startup = v->a;
		v->target = v->a;
		v->seen_free = v->a - d0;
		sum += v->a;
	}
	return sum;
}

/* The balloons move: shrinking ones first, so that what grows finds the
 * memory free. Returns the new sum of what the VMs have. */
static double
sim_move(struct sim *s, double sum)
{
	const struct host *h = s->h;
	double freep;
	size_t i;

	for (i = 0; i < s->n; i++) {
		struct svm *v = &s->v[i];

		if (v->target < v->a) {
			double to = h->hotadd ? shrink_hotadd(h, v,
			    &s->moved_hot) : fmax(v->target, v->a - h->rate_in);

			s->moved += v->a - to;
			sum -= v->a - to;
			v->a = to;
		}
	}
	freep = s->phys - sum;
	for (i = 0; i < s->n; i++) {
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
	return sum;
}

/* The guests run second t: page cache fills, demand is met or not. */
static void
sim_guests(struct sim *s, size_t t)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		struct svm *v = &s->v[i];
		double d = demand_at(v, t);
		double room = v->a - d - guest_min_free(v->a);

		v->cache = fmin(v->cache + v->tr->io, fmax(room, 0));
		if (v->a < d) {
			s->unmet++;
			s->short_mibs += d - v->a;
		}
		v->seen_free = fmax(v->a - d - v->cache, 0);
	}
	s->vmsec += (long)s->n;
}

/* Run the first n VMs of ts under model m over the whole trace. */
static void
simulate(const struct host *h, const struct traceset *ts,
    const struct model *m, size_t n, struct sim *s)
{
	double sum = sim_start(s, h, ts, m, n);
	size_t t;

	if (sum > s->phys) {
		s->infeasible = true;
		return;
	}
	if (m->open)
		s->state = m->open(s);
	for (t = 0; t < ts->len; t++) {
		s->t = t;
		if (m->decide)
			m->decide(s);
		sum = sim_move(s, sum);
		sim_guests(s, t);
	}
	if (m->close)
		m->close(s->state);
	s->state = NULL;
}

struct result
run_n(const struct host *h, struct traceset *ts, const struct model *m,
    size_t n)
{
	struct result r = { 0 };
	struct sim s;

	traces_need(ts, n);
	simulate(h, ts, m, n, &s);
	r.n = s.infeasible || s.pool <= 0 ? 0 : n;
	r.short_s = s.unmet;
	r.vmdays = (double)s.vmsec / 86400;
	if (r.vmdays > 0) {
		r.short_s_day = (double)s.unmet / r.vmdays;
		r.short_mibs_day = s.short_mibs / r.vmdays;
		r.moved_day = s.moved / 1024 / r.vmdays;
		r.changes_day = (double)s.changes / r.vmdays;
	}
	r.moved_hot = s.moved_hot / 1024;
	free(s.v);
	return r;
}
