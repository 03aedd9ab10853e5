/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mom.c - oVirt MoM's doc/balloon.rules (mom-balloon.policy), with its
 * sample config: a sample every 5 s, averages over the last 10, a
 * decision every 10 s; vdsm's floor (min_guarantee) is the VM's minimum.
 */
#include <math.h>
#include <stdlib.h>

#include "density.h"
#include "util.h"

#define MOM_SAMPLES 10

/* The sample config's thresholds, fractions. */
#define MOM_PRESSURE 0.20	/* host free below this: shrink */
#define MOM_CRITICAL 0.05	/* below this: guests keep less than used */
#define MOM_MIN_FREE 0.20	/* what a guest keeps free */
#define MOM_MAX_CHANGE 0.05	/* of its size, a cycle */
#define MOM_MIN_CHANGE 0.0025	/* smaller changes are skipped */

/* The last samples, every 5 s: each VM's, and the host's free memory. */
struct mom_vm {
	double cur[MOM_SAMPLES], unused[MOM_SAMPLES];
};

struct mom {
	struct mom_vm *v;
	double hostfree[MOM_SAMPLES];
	int k;			/* samples taken */
};

static void *
mom_open(const struct sim *s)
{
	struct mom *m = xcalloc(1, sizeof(*m));

	m->v = xcalloc(s->n ? s->n : 1, sizeof(*m->v));
	return m;
}

static void
mom_close(void *state)
{
	struct mom *m = state;

	free(m->v);
	free(m);
}

static void
mom_sample(struct sim *s, struct mom *m)
{
	double used = 0;
	size_t i;
	int k = m->k++ % MOM_SAMPLES;

	for (i = 0; i < s->n; i++) {
		m->v[i].cur[k] = s->v[i].a;
		m->v[i].unused[k] = s->v[i].seen_free;
		used += s->v[i].a;
	}
	/* MoM reads the host's MemFree: what neither the VMs nor the host
	 * itself use; the reserve it does not use is free. */
	m->hostfree[k] = s->phys - used;
}

/* One VM's rule, given the host's free fraction hfp, the guest free
 * fraction gfp and the VM's used memory averaged over the samples. */
static void
mom_vm(struct sim *s, struct svm *v, double hfp, double gfp, double used)
{
	double cur = v->a, size, bmin;

	if (hfp < MOM_PRESSURE) {
		bmin = used + gfp * cur;
		size = cur * (1 - MOM_MAX_CHANGE);
		if (size < bmin)
			size = bmin;
		if (size < v->tr->min)
			size = v->tr->min;
		if (size <= cur && fabs(size - cur) > MOM_MIN_CHANGE * cur)
			set_target(s, v, size);
	} else if (cur < v->tr->max) {
		bmin = used + MOM_MIN_FREE * v->tr->max;
		size = cur * (1 + MOM_MAX_CHANGE);
		if (size > v->tr->max)
			size = v->tr->max;
		if (size < bmin)
			size = bmin;
		if (fabs(size - cur) > MOM_MIN_CHANGE * cur)
			set_target(s, v, size);
	}
}

static void
mom_decide(struct sim *s)
{
	struct mom *m = s->state;
	double hf = 0, hfp, gfp;
	size_t i;
	int k, n;

	if (s->t % 5 == 0)
		mom_sample(s, m);
	if (s->t % 10 || !m->k)
		return;
	n = m->k < MOM_SAMPLES ? m->k : MOM_SAMPLES;
	for (k = 0; k < n; k++)
		hf += m->hostfree[k];
	hfp = hf / n / s->h->total;
	gfp = hfp <= MOM_CRITICAL ? -0.05 + hfp :
	    MOM_MIN_FREE * (hfp / MOM_PRESSURE);
	for (i = 0; i < s->n; i++) {
		double used = 0;

		for (k = 0; k < n; k++)
			used += m->v[i].cur[k] - m->v[i].unused[k];
		mom_vm(s, &s->v[i], hfp, gfp, used / n);
	}
}

const struct model model_mom = {
	"mom", true, start_dynamic, mom_open, mom_decide, mom_close,
};
