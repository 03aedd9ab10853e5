/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ours.c - dmctl's balancer: the policy_plan() that "dmctl rebalance"
 * calls, every --interval seconds, with its settling rule, climb rates
 * and loans, and the dmctl.conf and per-VM defaults (reclaim delay, step,
 * buffer, weight). It sees demand --latency seconds late.
 */
#include <stdlib.h>

#include "density.h"
#include "policy.h"
#include "size.h"
#include "util.h"
#include "vmconf.h"

/* What dmctl rebalance keeps of a VM between passes. */
struct ours_vm {
	int64_t surplus_since;
	long last_change;
	struct policy_climb climb;
	struct policy_rise rise;
	uint64_t loan;
};

struct ours {
	struct ours_vm *v;
	/* the plan's input and output, reused every pass */
	struct policy_vm *pin;
	struct policy_out *pout;
};

static void *
ours_open(const struct sim *s)
{
	struct ours *o = xcalloc(1, sizeof(*o));
	size_t i, n = s->n ? s->n : 1;

	o->v = xcalloc(n, sizeof(*o->v));
	o->pin = xcalloc(n, sizeof(*o->pin));
	o->pout = xcalloc(n, sizeof(*o->pout));
	for (i = 0; i < s->n; i++) {
		o->v[i].surplus_since = -1;
		o->v[i].last_change = -1;
		o->v[i].climb.at = -1;
		o->v[i].rise.at = -1;
	}
	return o;
}

static void
ours_close(void *state)
{
	struct ours *o = state;

	free(o->v);
	free(o->pin);
	free(o->pout);
	free(o);
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

/* VM i as the balancer's pass sees it. */
static void
ours_input(const struct sim *s, struct ours *o, size_t i)
{
	const struct hostconf *hc = &s->h->hc;
	const struct svm *v = &s->v[i];
	struct ours_vm *ov = &o->v[i];
	struct policy_vm *p = &o->pin[i];
	long settled = ov->last_change + 2 * (long)hc->stats_period;

	p->assigned = (uint64_t)(v->a * MIB);
	/* Latency-delayed demand: ours reacts as late as the reaction
	 * benchmark measured (--latency). */
	p->demand = (uint64_t)(lagged_demand(v, s->t, s->h->latency) * MIB);
	p->minimum = (uint64_t)(v->tr->min * MIB);
	p->maximum = (uint64_t)(v->tr->max * MIB);
	p->buffer = VMCONF_BUFFER_DEFAULT;
	p->weight = VMCONF_WEIGHT_DEFAULT;
	p->stats = PS_FRESH;
	p->surplus_since = ov->surplus_since;
	p->loan = ov->loan;
	/* The balancer samples the demand climb from settled figures, as
	 * dmctl rebalance does. */
	if (ov->last_change < 0 || (long)s->t >= settled) {
		policy_climb(&ov->climb, p->demand, (int64_t)s->t);
		policy_rise(&ov->rise, p->demand, (int64_t)s->t);
	}
	p->climb = ov->climb.rate > ov->rise.rate ? ov->climb.rate :
	    ov->rise.rate;
	/* Two stats reports after a move, as in dmctl rebalance. */
	if (ov->last_change >= 0 && (long)s->t < settled)
		policy_settling(p);
}

static void
ours_decide(struct sim *s)
{
	const struct hostconf *hc = &s->h->hc;
	struct ours *o = s->state;
	/* The time to answer, as balance_react(): the next pass and two
	 * stats reports. */
	struct policy_input in = { (uint64_t)(s->pool * MIB),
		(int64_t)s->t, (int64_t)hc->reclaim_delay, hc->min_step,
		o->pin, s->n, s->h->interval + 2 * (int64_t)hc->stats_period,
		s->h->lend };
	size_t i;

	if (s->t % (size_t)s->h->interval)
		return;
	for (i = 0; i < s->n; i++)
		ours_input(s, o, i);
	policy_plan(&in, o->pout);
	for (i = 0; i < s->n; i++) {
		struct ours_vm *ov = &o->v[i];

		ov->surplus_since = o->pout[i].surplus_since;
		ov->loan = o->pout[i].loan;
		if (o->pout[i].change) {
			set_target(s, &s->v[i], (double)o->pout[i].target / MIB);
			ov->last_change = (long)s->t;
		}
	}
}

const struct model model_ours = {
	"ours", true, start_dynamic, ours_open, ours_decide, ours_close,
};
