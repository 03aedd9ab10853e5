/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * policy.h - the balancer's decision as a pure function: the pool and each
 * dynamic VM's settings and measurements in, a target and a reason for
 * each VM out. No I/O and no clock: "now" is an input, so the same input
 * always gives the same plan, in tests, benchmarks and dmctl rebalance.
 */
#ifndef DM_POLICY_H
#define DM_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum policy_reason {
	PR_STEADY,		/* has demand + buffer, nothing to do */
	PR_ADD,			/* below demand + buffer: grown from the pool */
	PR_SURPLUS,		/* surplus kept until the reclaim delay */
	PR_RECLAIM,		/* surplus past the reclaim delay: taken back */
	PR_RECLAIM_NEEDED,	/* surplus taken back for another VM */
	PR_SHORT_BUFFER,	/* pool short: buffer cut, lower weight first */
	PR_SHORT_DEMAND,	/* pool short: demand shared by weight */
	PR_MINIMUM,		/* raised to its minimum */
	PR_MAXIMUM,		/* held at its maximum */
	PR_SMALL,		/* change below the minimum step: skipped */
	PR_NO_STATS,		/* no guest stats (no balloon driver or period) */
	PR_STALE,		/* guest stats stopped updating */
	PR_GRACE,		/* just started: its stats mean little yet */
	PR_SETTLING,		/* just moved: no stats since the move yet */
	PR_LOAN,		/* idle pool lent to it as headroom */
	PR_COUNT
};

/* One dynamic, running VM as the policy sees it. Sizes in bytes. */
struct policy_vm {
	uint64_t assigned;	/* balloon actual now */
	uint64_t demand;	/* valid when stats == PS_FRESH */
	uint64_t minimum;
	uint64_t maximum;	/* already capped at the domain's <memory> */
	long buffer;		/* percent of demand */
	long weight;		/* 0-100 */
	enum { PS_FRESH, PS_NONE, PS_STALE, PS_GRACE, PS_SETTLING } stats;
	int64_t surplus_since;	/* seconds; -1: no surplus so far */
	uint64_t counted;	/* left alone: what it counts against the
				 * pool if less than assigned (a VM that
				 * has just started counts at its boot
				 * target, not at its balloon's momentary
				 * size); 0: assigned */
	uint64_t climb;		/* bytes/s its demand climbed lately
				 * (policy_climb); 0: none seen */
	uint64_t loan;		/* of assigned, what an earlier plan lent
				 * it from the idle pool */
};

struct policy_input {
	uint64_t pool;		/* what dynamic VMs may have in all */
	int64_t now;		/* seconds, same clock as surplus_since */
	int64_t reclaim_delay;	/* seconds */
	uint64_t min_step;	/* bytes; smaller changes are skipped */
	const struct policy_vm *vms;
	size_t n;
	int64_t react;		/* seconds from a demand change to the
				 * balloon's answer: a VM keeps climb x
				 * react on top of its buffer */
	bool lend;		/* lend idle pool memory as headroom */
};

struct policy_out {
	uint64_t target;	/* balloon target, bytes */
	uint64_t want;		/* demand + buffer within bounds (0 unknown) */
	enum policy_reason reason;
	int64_t surplus_since;	/* state to keep for the next pass */
	bool change;		/* target differs from assigned */
	uint64_t headroom;	/* want - demand: the effective buffer */
	uint64_t loan;		/* of target, lent from the idle pool:
				 * state to keep for the next pass */
};

/*
 * Plan targets for in->n VMs into out[0..n). Guarantees, for any input:
 * the targets of VMs with fresh stats lie in [minimum, maximum]; the sum
 * of all targets does not exceed the pool unless the minimums (and what
 * the VMs left alone count) already do; while some VM is left alone, no
 * VM with fresh stats is taken below its demand, or below what it has if
 * that is less, to make room for it; the result depends on nothing but
 * the input.
 */
void policy_plan(const struct policy_input *in, struct policy_out *out);

/*
 * For a VM whose balloon moved a moment ago (PS_SETTLING): its figures may
 * still show some of the move, which can only make demand look low after
 * a shrink. Growing on them is safe, shrinking is not, so plan it as fresh
 * with its minimum raised to what it has: it may grow, not shrink.
 */
void policy_settling(struct policy_vm *v);

/*
 * How fast a VM's demand has climbed lately, for policy_vm.climb: the
 * fastest climb between two samples at least POLICY_CLIMB_WINDOW seconds
 * apart, fading as it goes: each sample first multiplies the rate by
 * FADE / (FADE + seconds since the last), so that over an hour of samples
 * it falls to about a third, in one step of an hour to half. Three
 * numbers per VM; a call closer than the window to the last sample
 * changes nothing.
 */
#define POLICY_CLIMB_WINDOW 10
#define POLICY_CLIMB_FADE 3600
struct policy_climb {
	uint64_t rate;		/* bytes/s */
	uint64_t demand;	/* at the last sample, bytes */
	int64_t at;		/* its time, seconds; -1: none */
};
void policy_climb(struct policy_climb *c, uint64_t demand, int64_t now);

/*
 * How fast a VM's demand rises right now, for policy_vm.climb where it is
 * more than policy_climb's rate: the rise since the previous sample, per
 * second, when it rose by more than POLICY_RISE_MIN (less is noise); 0
 * when it did not. A VM whose demand starts to ramp keeps rise x react as
 * headroom from the first pass that sees it, before a climb window has
 * passed. A call with an older or the same time changes nothing.
 */
#define POLICY_RISE_MIN (16ULL << 20)
struct policy_rise {
	uint64_t rate;		/* bytes/s */
	uint64_t demand;	/* at the last sample, bytes */
	int64_t at;		/* its time, seconds; -1: none */
};
void policy_rise(struct policy_rise *r, uint64_t demand, int64_t now);

/* Short text of a reason, for output and logs. */
const char *policy_reason_text(enum policy_reason r);

/* buffer % of demand, rounded up: what a VM's buffer is, for the plan,
 * its status and the views. A negative (unset) buffer is none. */
uint64_t policy_buffer(uint64_t demand, long buffer);

/* demand + buffer % of it, rounded up to whole MiB. */
uint64_t policy_want(uint64_t demand, long buffer);

#endif
