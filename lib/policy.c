/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * policy.c - how the balancer decides. In order:
 *
 * 1. Each VM with fresh stats wants demand + buffer, plus as much again as
 *    its demand climbed lately in the time a pass takes to answer (climb x
 *    react), within [minimum, maximum]. VMs below it grow at once; VMs
 *    above it keep their surplus until it has lasted the reclaim delay. If
 *    the pool holds all that, that is the plan, and what the pool has idle
 *    beyond a quarter of it is lent out as headroom, more to VMs whose
 *    demand climbs fast, by weight.
 * 2. Otherwise surplus and loans are taken back for the VMs that need it,
 *    from the lowest weight first, and among equals from the VM that has
 *    had it longest, whole, so that one balloon moves rather than all.
 * 3. If the pool cannot give every VM demand + buffer, every VM gets its
 *    demand and the buffers are funded from the highest weight down, the
 *    configured buffer first and the climb part after; no VM shrinks
 *    further than what the others' growth needs.
 * 4. If it cannot even give every VM its demand, every VM gets its
 *    minimum and the rest is shared in proportion to weight, up to demand.
 *    While some VM is left alone (just started, no stats), no VM is taken
 *    below its demand for it: its memory is not known to be needed.
 *
 * Changes smaller than the minimum step are skipped when that keeps the
 * plan within the pool, which with steady demand means a steady plan; when
 * the pool is short, changes to buffers within a band (a step, or 8 % of
 * what the VM has) are skipped too, so that shares do not follow noise.
 */
#include "policy.h"

#include <stdlib.h>
#include <string.h>

#include "share.h"
#include "size.h"
#include "util.h"

uint64_t
policy_buffer(uint64_t demand, long buffer)
{
	return (demand * (uint64_t)(buffer > 0 ? buffer : 0) + 99) / 100;
}

uint64_t
policy_want(uint64_t demand, long buffer)
{
	return (demand + policy_buffer(demand, buffer) + MIB - 1) / MIB * MIB;
}

static uint64_t
clamp(uint64_t v, uint64_t lo, uint64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Per-VM working values of one plan. */
struct work {
	uint64_t lo, hi, need, base, want, desired, loan;
	bool managed, keeper, due;
};

/* Up to whole steps: a MiB of demand jitter then neither moves the
 * balloon nor drops the VM from OK to Low. */
static uint64_t
whole_steps(uint64_t v, uint64_t step)
{
	return step ? (v + step - 1) / step * step : v;
}

/* The first look at one VM: what it would get with a pool large enough. */
static void
classify(const struct policy_input *in, const struct policy_vm *v,
    struct work *w, struct policy_out *o)
{
	uint64_t step = in->min_step, cur, above;
	uint64_t climb = in->react > 0 ? share_mul_div(v->climb,
	    (uint64_t)in->react, 1) : 0;

	w->hi = v->maximum;
	w->lo = v->minimum < w->hi ? v->minimum : w->hi;
	w->need = clamp(v->demand, w->lo, w->hi);
	w->base = clamp(whole_steps(policy_want(v->demand, v->buffer), step),
	    w->lo, w->hi);
	w->want = clamp(whole_steps(policy_want(v->demand, v->buffer) + climb,
	    step), w->lo, w->hi);
	o->want = w->want;
	o->headroom = w->want > v->demand ? w->want - v->demand : 0;
	/* A VM above its maximum (lowered by the admin) is surplus too, but
	 * is brought down to the maximum at once. */
	cur = clamp(v->assigned, w->lo, w->hi);
	above = cur > w->want ? cur - w->want : 0;
	/* What is still there of its loan is kept, not reclaimed by the
	 * delay: it goes back when another VM needs it. */
	w->loan = v->loan < above ? v->loan : above;

	if (v->assigned < w->lo) {
		w->desired = w->want;
		o->reason = w->want > w->lo ? PR_ADD : PR_MINIMUM;
	} else if (cur + step <= w->want) {
		w->desired = w->want;
		o->reason = PR_ADD;
	} else if (above - w->loan >= step) {
		w->due = v->surplus_since >= 0 ?
		    in->now - v->surplus_since >= in->reclaim_delay :
		    in->reclaim_delay <= 0;
		w->keeper = true;
		w->desired = w->due ? w->want + w->loan : cur;
		o->reason = w->due ? PR_RECLAIM : cur < v->assigned ?
		    PR_MAXIMUM : PR_SURPLUS;
	} else if (cur < v->assigned) {
		w->desired = cur;
		o->reason = PR_MAXIMUM;
	} else {
		/* Within a step of what it wants, or holding a loan: leave
		 * it be. */
		w->keeper = w->loan > 0;
		w->desired = v->assigned;
		o->reason = w->loan ? PR_LOAN : PR_STEADY;
	}
}

/*
 * Lend what the pool has idle beyond an eighth of it (kept free, for needs
 * faster than a loan comes back, and for starts) as headroom: shared by
 * weight, each VM up to its maximum. Where a burst will come is not known
 * before it comes, so every VM gets its share. A loan grows only by a
 * whole chunk (four steps, or a quarter of what it has on loan), so that
 * noise in the idle memory does not move balloons.
 */
/* A loan grows by no less than this. */
static uint64_t
lend_chunk(const struct policy_input *in, const struct work *w)
{
	return w->loan / 4 > 4 * in->min_step ? w->loan / 4 :
	    4 * in->min_step;
}

static void
lend(const struct policy_input *in, const struct work *w,
    struct policy_out *out, uint64_t avail, uint64_t sum, bool *in_set)
{
	size_t n = in->n, i;
	uint64_t *wt = xcalloc(n, sizeof(*wt));
	uint64_t *cap = xcalloc(n, sizeof(*cap));
	uint64_t *give = xcalloc(n, sizeof(*give));
	uint64_t keep = avail / 8;

	if (sum + keep < avail) {
		for (i = 0; i < n; i++) {
			if (!w[i].managed || out[i].target >= w[i].hi ||
			    in->vms[i].weight <= 0)
				continue;
			cap[i] = w[i].hi - out[i].target;
			wt[i] = (uint64_t)in->vms[i].weight;
		}
		/* A VM whose share is less than its chunk takes none, and
		 * the others share what it leaves: so that the next pass,
		 * seeing the same idle memory, lends no more. */
		for (bool again = true; again;) {
			memset(give, 0, n * sizeof(*give));
			share_by_weight(avail - keep - sum, wt, in_set, cap,
			    give, n);
			again = false;
			for (i = 0; i < n; i++)
				if (cap[i] && give[i] < lend_chunk(in, &w[i])) {
					cap[i] = 0;
					again = true;
				}
		}
	}
	for (i = 0; i < n; i++) {
		uint64_t g = give[i] / MIB * MIB;

		if (!w[i].managed || !cap[i] || give[i] < lend_chunk(in, &w[i]))
			continue;
		out[i].target += g;
		out[i].loan += g;
		if (out[i].reason != PR_ADD && out[i].reason != PR_MINIMUM)
			out[i].reason = PR_LOAN;
	}
	free(wt);
	free(cap);
	free(give);
}

/* Some surplus or loans are needed by VMs below what they want: taken
 * back from the lowest weight first, among equals the oldest first,
 * whole, so that one balloon moves rather than every keeper's. */
static void
plan_reclaim(const struct policy_input *in, const struct work *w,
    struct policy_out *out, uint64_t spare, const bool *in_set)
{
	size_t n = in->n, i;
	uint64_t *cap = xcalloc(n, sizeof(*cap));
	uint64_t *give = xcalloc(n, sizeof(*give));
	int64_t *since = xcalloc(n, sizeof(*since));

	for (i = 0; i < n; i++) {
		if (w[i].managed && w[i].desired > w[i].want)
			cap[i] = w[i].desired - w[i].want;
		since[i] = in->vms[i].surplus_since >= 0 ?
		    in->vms[i].surplus_since : in->now;
	}
	share_priority(spare, in->vms, in_set, cap, give, n, since);
	for (i = 0; i < n; i++) {
		if (!w[i].managed)
			continue;
		out[i].target = w[i].want + give[i];
		out[i].loan = give[i] < w[i].loan ? give[i] : w[i].loan;
		if (w[i].keeper && give[i] < cap[i])
			out[i].reason = PR_RECLAIM_NEEDED;
		else if ((out[i].reason == PR_STEADY ||
		    out[i].reason == PR_LOAN) &&
		    out[i].target != in->vms[i].assigned)
			out[i].reason = out[i].target >
			    in->vms[i].assigned ? PR_ADD : PR_RECLAIM_NEEDED;
	}
	free(cap);
	free(give);
	free(since);
}

/* Everyone gets demand; the buffers are funded from the highest weight
 * down, the configured buffer before the climb part. Then no VM shrinks
 * further than the others' growth needs: what is left goes back to those
 * that would shrink, from the highest weight down. */
static void
plan_buffers(const struct policy_input *in, const struct work *w,
    struct policy_out *out, uint64_t avail, uint64_t sum_need,
    const bool *in_set)
{
	size_t n = in->n, i;
	uint64_t *cap = xcalloc(n, sizeof(*cap));
	uint64_t *give = xcalloc(n, sizeof(*give));
	int64_t *order = xcalloc(n, sizeof(*order));
	uint64_t left = avail - sum_need;

	for (i = 0; i < n; i++)
		if (w[i].managed)
			cap[i] = w[i].base - w[i].need;
	left = share_priority(left, in->vms, in_set, cap, give, n, NULL);
	for (i = 0; i < n; i++)
		if (w[i].managed)
			cap[i] = w[i].want - w[i].base;
	left = share_priority(left, in->vms, in_set, cap, give, n, NULL);
	for (i = 0; i < n; i++) {
		uint64_t t = w[i].need + give[i];
		uint64_t keep = clamp(in->vms[i].assigned, w[i].lo, w[i].want);

		cap[i] = w[i].managed && keep > t ? keep - t : 0;
	}
	/* One by one, so that as few balloons as possible move. */
	share_priority(left, in->vms, in_set, cap, give, n, order);
	for (i = 0; i < n; i++) {
		if (!w[i].managed)
			continue;
		out[i].target = w[i].need + give[i];
		if (out[i].target < w[i].base)
			out[i].reason = PR_SHORT_BUFFER;
	}
	free(cap);
	free(give);
	free(order);
}

/* Everyone gets the minimum; demand above it is shared by weight. */
static void
plan_demand(const struct policy_input *in, const struct work *w,
    struct policy_out *out, uint64_t avail, uint64_t sum_lo,
    const bool *in_set)
{
	size_t n = in->n, i;
	uint64_t *cap = xcalloc(n, sizeof(*cap));
	uint64_t *give = xcalloc(n, sizeof(*give));
	uint64_t *wt = xcalloc(n, sizeof(*wt));

	for (i = 0; i < n; i++) {
		if (!w[i].managed)
			continue;
		cap[i] = w[i].need - w[i].lo;
		wt[i] = in->vms[i].weight > 0 ? (uint64_t)in->vms[i].weight : 0;
	}
	if (avail > sum_lo)
		share_by_weight(avail - sum_lo, wt, in_set, cap, give, n);
	for (i = 0; i < n; i++) {
		if (!w[i].managed)
			continue;
		out[i].target = w[i].lo + give[i];
		out[i].reason = PR_SHORT_DEMAND;
	}
	free(cap);
	free(give);
	free(wt);
}

/* How short the pool is: room for the configured buffers but not all the
 * climb headroom, or not even for those. */
enum { SHORT_CLIMB = 1, SHORT_BUFFER };

/*
 * Skip changes below the step: growth always (it only frees pool),
 * shrinking only while the plan stays within the pool. Never skip a change
 * that brings a VM back within its bounds, or growth toward its demand.
 * When the pool is short (short), a band of a step or a twelfth (8 %) of
 * what the VM has is skipped around its buffer share the same way.
 */
static void
skip_small(const struct policy_input *in, const struct work *w,
    struct policy_out *out, int short_pool)
{
	uint64_t sum = 0;
	size_t i;
	int grow;

	for (i = 0; i < in->n; i++)
		sum += out[i].target;
	/* Growth first: each growth skipped leaves room to skip a shrink. */
	for (grow = 1; grow >= 0; grow--) {
		for (i = 0; i < in->n; i++) {
			const struct policy_vm *v = &in->vms[i];
			struct policy_out *o = &out[i];
			uint64_t a = v->assigned, band = in->min_step;

			if (!w[i].managed || o->target == a || a < w[i].lo ||
			    a > w[i].hi || (o->target > a) != grow)
				continue;
			/* The band: when growing, only above the configured
			 * buffer while the pool has room for every one, so
			 * that it never keeps a VM below its own then. */
			if (short_pool && a / 12 > band && a >= (grow &&
			    short_pool == SHORT_CLIMB ? w[i].base : w[i].need))
				band = a / 12;
			if (grow && o->target - a < band) {
				sum -= o->target - a;
				o->target = a;
			} else if (!grow && a - o->target < band &&
			    sum + (a - o->target) <= in->pool) {
				sum += a - o->target;
				o->target = a;
			} else
				continue;
			if (o->reason != PR_STEADY && o->reason != PR_LOAN)
				o->reason = PR_SMALL;
		}
	}
}

/* What a plan sums over its VMs. */
struct sums {
	uint64_t fixed;		/* what the VMs left alone count */
	uint64_t desired, want, base, need, lo;
	bool alone;		/* some VM is left alone */
};

/* VMs without fresh stats keep what they have, and that counts against
 * the pool (a VM that has just started, what it boots with); the others
 * are classified. */
static void
plan_start(const struct policy_input *in, struct work *w,
    struct policy_out *out, bool *in_set, struct sums *t)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < in->n; i++) {
		const struct policy_vm *v = &in->vms[i];
		struct policy_out *o = &out[i];

		memset(o, 0, sizeof(*o));
		o->target = v->assigned;
		o->surplus_since = v->surplus_since;
		o->loan = v->loan;
		if (v->stats != PS_FRESH) {
			o->reason = v->stats == PS_GRACE ? PR_GRACE :
			    v->stats == PS_SETTLING ? PR_SETTLING :
			    v->stats == PS_STALE ? PR_STALE : PR_NO_STATS;
			t->fixed += v->counted && v->counted < v->assigned ?
			    v->counted : v->assigned;
			t->alone = true;
			continue;
		}
		w[i].managed = in_set[i] = true;
		classify(in, v, &w[i], o);
		t->desired += w[i].desired;
		t->want += w[i].want;
		t->base += w[i].base;
		t->need += w[i].need;
		t->lo += w[i].lo;
	}
}

/* Making room for a VM left alone never takes another below its demand
 * (or below what it has, if that is less). */
static void
keep_for_alone(const struct policy_input *in, struct work *w, struct sums *t)
{
	size_t i;

	for (i = 0; t->alone && i < in->n; i++) {
		uint64_t keep;

		if (!w[i].managed)
			continue;
		keep = clamp(in->vms[i].assigned, w[i].lo, w[i].hi);
		if (keep > w[i].need)
			keep = w[i].need;
		if (keep > w[i].lo) {
			t->lo += keep - w[i].lo;
			w[i].lo = keep;
		}
	}
}

/* Whether each VM changes, what is left of its loan, and its surplus
 * clock. */
static void
plan_finish(const struct policy_input *in, const struct work *w,
    struct policy_out *out)
{
	size_t i;

	for (i = 0; i < in->n; i++) {
		struct policy_out *o = &out[i];

		o->change = o->target != in->vms[i].assigned;
		if (!w[i].managed)
			continue;
		if (o->target < w[i].want + o->loan)
			o->loan = o->target > w[i].want ?
			    o->target - w[i].want : 0;
		/* The surplus clock runs while a VM keeps a step or more
		 * above what it wants and has on loan, and starts again
		 * after. */
		if (o->target >= w[i].want + o->loan + in->min_step)
			o->surplus_since = in->vms[i].surplus_since >= 0 ?
			    in->vms[i].surplus_since : in->now;
		else
			o->surplus_since = -1;
	}
}

void
policy_plan(const struct policy_input *in, struct policy_out *out)
{
	size_t n = in->n, i;
	struct work *w = xcalloc(n, sizeof(*w));
	bool *in_set = xcalloc(n, sizeof(*in_set));
	struct sums t;
	uint64_t avail;
	int short_pool = 0;

	plan_start(in, w, out, in_set, &t);
	avail = in->pool > t.fixed ? in->pool - t.fixed : 0;
	keep_for_alone(in, w, &t);
	if (t.desired <= avail) {
		for (i = 0; i < n; i++)
			if (w[i].managed) {
				out[i].target = w[i].desired;
				out[i].loan = w[i].loan;
			}
		if (in->lend)
			lend(in, w, out, avail, t.desired, in_set);
	} else if (t.want <= avail)
		plan_reclaim(in, w, out, avail - t.want, in_set);
	else if (t.need <= avail) {
		plan_buffers(in, w, out, avail, t.need, in_set);
		short_pool = t.base <= avail ? SHORT_CLIMB : SHORT_BUFFER;
	} else {
		plan_demand(in, w, out, avail, t.lo, in_set);
		short_pool = SHORT_BUFFER;
	}
	skip_small(in, w, out, short_pool);
	plan_finish(in, w, out);
	free(w);
	free(in_set);
}
