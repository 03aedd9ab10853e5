/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_policy.c - each rule of the balancer, then properties over many
 * random inputs: the pool holds, bounds hold, weight helps, steady input
 * gives a steady plan. */
#include <stdlib.h>

#include "policy.h"
#include "size.h"
#include "unit.h"

#define M(x) ((uint64_t)(x) * MIB)

static struct policy_vm
vm(uint64_t assigned, uint64_t demand, uint64_t min, uint64_t max,
    long buffer, long weight)
{
	struct policy_vm v = { assigned, demand, min, max, buffer, weight,
		PS_FRESH, -1 };

	return v;
}

static void
plan(uint64_t pool, int64_t now, struct policy_vm *vms, size_t n,
    struct policy_out *out)
{
	struct policy_input in = { pool, now, 300, M(8), vms, n };

	policy_plan(&in, out);
}

static void
rules_add(void)
{
	struct policy_vm v[3];
	struct policy_out o[3];

	/* Active add: below demand + buffer grows at once. */
	v[0] = vm(M(256), M(230), M(128), M(1024), 20, 50);
	plan(M(4096), 1000, v, 1, o);
	CHECK(o[0].target == M(280) && o[0].reason == PR_ADD && o[0].change,
	    "add: 230M demand + 20%% = 276M, up to whole 8M steps: 280M "
	    "(got %llu MiB)",
	    (unsigned long long)(o[0].target / MIB));

	/* Never above maximum. */
	v[0] = vm(M(256), M(900), M(128), M(512), 20, 50);
	plan(M(4096), 1000, v, 1, o);
	CHECK(o[0].target == M(512), "add stops at maximum");
}

static void
rules_reclaim(void)
{
	struct policy_vm v[3];
	struct policy_out o[3];

	/* Passive reclaim: surplus stays until the delay has passed. */
	v[0] = vm(M(512), M(100), M(128), M(1024), 20, 50);
	plan(M(4096), 1000, v, 1, o);
	CHECK(o[0].target == M(512) && o[0].reason == PR_SURPLUS &&
	    o[0].surplus_since == 1000, "surplus kept; its clock starts");
	v[0].surplus_since = 1000;
	plan(M(4096), 1299, v, 1, o);
	CHECK(o[0].target == M(512) && o[0].surplus_since == 1000,
	    "still kept before the delay");
	plan(M(4096), 1300, v, 1, o);
	CHECK(o[0].target == M(128) && o[0].reason == PR_RECLAIM &&
	    o[0].surplus_since == -1,
	    "taken back after the delay, to demand + buffer but not below "
	    "minimum (want 120M, minimum 128M)");

	/* Reclaim when another VM needs it and the free pool cannot cover. */
	v[0] = vm(M(700), M(100), M(64), M(1024), 20, 50);
	v[1] = vm(M(256), M(400), M(64), M(1024), 20, 50);
	plan(M(1000), 1000, v, 2, o);
	CHECK(o[1].target == M(480) && o[0].target == M(520) &&
	    o[0].reason == PR_RECLAIM_NEEDED,
	    "surplus taken back for a VM that needs it (%llu, %llu)",
	    (unsigned long long)(o[0].target / MIB),
	    (unsigned long long)(o[1].target / MIB));

	/* Among equal weights the oldest surplus goes first, whole: one
	 * balloon moves, not every keeper's. */
	v[0] = vm(M(700), M(100), M(64), M(1024), 20, 50);
	v[1] = vm(M(700), M(100), M(64), M(1024), 20, 50);
	v[2] = vm(M(256), M(400), M(64), M(1024), 20, 50);
	v[0].surplus_since = 900;
	v[1].surplus_since = 800;
	plan(M(1700), 1000, v, 3, o);
	CHECK(o[2].target == M(480) && o[0].target == M(700) &&
	    !o[0].change && o[1].target == M(520) &&
	    o[1].reason == PR_RECLAIM_NEEDED,
	    "the older surplus gives the 180M (%llu, %llu, %llu)",
	    (unsigned long long)(o[0].target / MIB),
	    (unsigned long long)(o[1].target / MIB),
	    (unsigned long long)(o[2].target / MIB));
	v[0].weight = 40;
	plan(M(1700), 1000, v, 3, o);
	CHECK(o[0].target == M(520) && o[1].target == M(700),
	    "a lower weight gives first, however new its surplus");
}

static void
rules_shortage(void)
{
	struct policy_vm v[3];
	struct policy_out o[3];

	/* Shortage: buffers go first, lowest weight first. */
	v[0] = vm(M(200), M(200), M(64), M(1024), 20, 80);
	v[1] = vm(M(200), M(200), M(64), M(1024), 20, 20);
	plan(M(440), 1000, v, 2, o);
	CHECK(o[0].target == M(240) && o[1].target == M(200) &&
	    o[1].reason == PR_SHORT_BUFFER,
	    "buffer of the lower weight cut first");

	/* Shortage of demand: shared by weight above the minimums. */
	v[0] = vm(M(150), M(200), M(100), M(1024), 20, 80);
	v[1] = vm(M(150), M(200), M(100), M(1024), 20, 20);
	plan(M(300), 1000, v, 2, o);
	CHECK(o[0].target == M(180) && o[1].target == M(120) &&
	    o[0].reason == PR_SHORT_DEMAND,
	    "demand above minimum shared 80:20 (%llu, %llu)",
	    (unsigned long long)(o[0].target / MIB),
	    (unsigned long long)(o[1].target / MIB));
	plan(M(150), 1000, v, 2, o);
	CHECK(o[0].target == M(100) && o[1].target == M(100),
	    "never below minimum, even when the pool cannot hold them");
}

static void
rules_left_alone(void)
{
	struct policy_vm v[3];
	struct policy_out o[3];

	/* No stats, stale stats, grace: left alone, and their memory is
	 * not the pool's to give. */
	v[0] = vm(M(800), 0, M(128), M(1024), 20, 50);
	v[0].stats = PS_NONE;
	v[1] = vm(M(256), M(300), M(128), M(1024), 20, 50);
	plan(M(1000), 1000, v, 2, o);
	CHECK(o[0].target == M(800) && o[0].reason == PR_NO_STATS &&
	    !o[0].change, "no stats: left alone");
	CHECK(o[1].target == M(256), "the other keeps what it has, below its "
	    "demand: it is not squeezed to make room for a VM left alone "
	    "(%llu)", (unsigned long long)(o[1].target / MIB));
	v[1] = vm(M(500), M(300), M(128), M(1024), 20, 50);
	plan(M(1000), 1000, v, 2, o);
	CHECK(o[1].target == M(300), "but it gives up what it has above its "
	    "demand (%llu)", (unsigned long long)(o[1].target / MIB));
	v[0].stats = PS_STALE;
	plan(M(1000), 1000, v, 1, o);
	CHECK(o[0].reason == PR_STALE && !o[0].change, "stale: left alone");
	v[0].stats = PS_GRACE;
	plan(M(1000), 1000, v, 1, o);
	CHECK(o[0].reason == PR_GRACE && !o[0].change, "grace: left alone");
	v[0].stats = PS_SETTLING;
	plan(M(1000), 1000, v, 1, o);
	CHECK(o[0].reason == PR_SETTLING && !o[0].change,
	    "settling after a change: left alone");
}

static void
rules_steps(void)
{
	struct policy_vm v[3];
	struct policy_out o[3];

	/* Small changes are skipped. */
	v[0] = vm(M(256), M(210), M(128), M(1024), 20, 50);
	plan(M(4096), 1000, v, 1, o);
	CHECK(!o[0].change && o[0].reason == PR_STEADY,
	    "want 252M, have 256M: within a step, steady");
	v[0] = vm(M(100), M(100), M(128), M(1024), 20, 50);
	plan(M(4096), 1000, v, 1, o);
	CHECK(o[0].change && o[0].target == M(128),
	    "below minimum: raised even by less than a step");

	CHECK(policy_want(M(100), 20) == M(120), "want 100M + 20%%");
	CHECK(policy_want(M(100) + 1, 20) == M(121), "want rounds up to MiB");
	CHECK(policy_want(M(10), 2000) == M(210), "buffer 2000%%");
}

/* The input of the headroom checks: one VM of v, passes answering in 3 s. */
static struct policy_input
headroom_input(struct policy_vm *v)
{
	struct policy_input in = { M(4096), 1000, 300, M(8), v, 1, 3, false };

	return in;
}

/* Per-VM headroom from how fast demand climbs, and shares when short. */
static void
headroom_climb(void)
{
	struct policy_vm v[3];
	struct policy_out o[3];
	struct policy_input in = headroom_input(v);

	/* A VM whose demand climbs 50 MiB/s, with passes that answer in
	 * 3 s, keeps 150 MiB on top of its buffer. */
	v[0] = vm(M(256), M(230), M(128), M(2048), 20, 50);
	v[0].climb = M(50);
	policy_plan(&in, o);
	CHECK(o[0].target == M(432) && o[0].headroom == M(432 - 230),
	    "230M + 20%% + 50M/s x 3 s = 426M, whole steps: 432M (got %llu)",
	    (unsigned long long)(o[0].target / MIB));

	/* Short: the configured buffers are funded before any climb part. */
	v[0] = vm(M(200), M(200), M(64), M(1024), 20, 80);
	v[0].climb = M(100);
	v[1] = vm(M(200), M(200), M(64), M(1024), 20, 20);
	in.pool = M(480);
	in.n = 2;
	policy_plan(&in, o);
	CHECK(o[1].target == M(240) && o[0].target == M(240),
	    "both buffers first (%llu, %llu), the climb part gets nothing",
	    (unsigned long long)(o[0].target / MIB),
	    (unsigned long long)(o[1].target / MIB));
	in.pool = M(600);
	policy_plan(&in, o);
	CHECK(o[1].target == M(240) && o[0].target == M(360),
	    "then the climb part, up to what is left (%llu)",
	    (unsigned long long)(o[0].target / MIB));

	/* Short, and a VM has more than its share: it gives only what the
	 * others' growth needs. */
	v[0] = vm(M(236), M(200), M(64), M(1024), 20, 50);
	v[1] = vm(M(200), M(210), M(64), M(1024), 20, 50);
	in.pool = M(446);
	policy_plan(&in, o);
	CHECK(o[0].target < M(236) && o[0].target >= M(216) &&
	    o[1].target > M(210) && o[0].target + o[1].target <= M(446) &&
	    o[0].target + o[1].target >= M(445), "it gives what the "
	    "other's growth needs beyond the free 10M, no more: the pool "
	    "stays full (%llu, %llu)", (unsigned long long)(o[0].target / MIB),
	    (unsigned long long)(o[1].target / MIB));
	/* A buffer share that moves by less than 8 % stays put. */
	v[0] = vm(M(232), M(200), M(64), M(1024), 20, 50);
	v[1] = vm(M(232), M(200), M(64), M(1024), 20, 50);
	v[1].demand = M(212);
	in.pool = M(464);
	policy_plan(&in, o);
	CHECK(!o[0].change && !o[1].change, "short: a 12 MiB demand change "
	    "moves no buffer share (%llu, %llu)",
	    (unsigned long long)(o[0].target / MIB),
	    (unsigned long long)(o[1].target / MIB));
}

static void
headroom_lending(void)
{
	struct policy_vm v[3];
	struct policy_out o[3];
	struct policy_input in = headroom_input(v);

	/* Idle pool lent out beyond an eighth of it, by weight. */
	in.lend = true;
	in.pool = M(8192);
	v[0] = vm(M(240), M(200), M(64), M(8192), 20, 50);
	v[1] = vm(M(240), M(200), M(64), M(8192), 20, 100);
	in.n = 2;
	policy_plan(&in, o);
	CHECK(o[0].target + o[1].target <= M(8192) - M(1024) &&
	    o[0].target + o[1].target >= M(8192) - M(1024) - M(2) &&
	    o[1].loan > o[0].loan * 19 / 10 && o[1].loan < o[0].loan * 21 / 10 &&
	    o[0].loan > 0 && o[0].reason == PR_LOAN, "lent: all but an "
	    "eighth of the pool, twice as much to twice the weight (%llu, %llu)",
	    (unsigned long long)(o[0].target / MIB),
	    (unsigned long long)(o[1].target / MIB));
	v[0].assigned = o[0].target;
	v[0].loan = o[0].loan;
	v[1].assigned = o[1].target;
	v[1].loan = o[1].loan;
	v[0].surplus_since = o[0].surplus_since;
	v[1].surplus_since = o[1].surplus_since;
	CHECK(v[0].surplus_since < 0, "a loan is not surplus: no clock");
	in.now = 100000;
	policy_plan(&in, o);
	CHECK(!o[0].change && !o[1].change && o[0].loan == v[0].loan,
	    "a loan stays, however long: the reclaim delay is for surplus");
	/* A third VM needs memory: one loan comes back, whole. */
	v[2] = vm(M(1000), M(2400), M(64), M(8192), 20, 50);
	v[0].weight = 40;
	in.n = 3;
	policy_plan(&in, o);
	CHECK(o[2].target >= M(2880) && o[0].change && !o[1].change &&
	    o[0].reason == PR_RECLAIM_NEEDED && o[0].loan < v[0].loan,
	    "the lower weight's loan gives, the other's stays (%llu, %llu, "
	    "%llu)", (unsigned long long)(o[0].target / MIB),
	    (unsigned long long)(o[1].target / MIB),
	    (unsigned long long)(o[2].target / MIB));
}

static void
climb_and_rise(void)
{
	struct policy_vm v[3];
	struct policy_out o[3];
	struct policy_input in = headroom_input(v);
	struct policy_climb c = { 0, 0, -1 };
	struct policy_rise r = { 0, 0, -1 };

	/* The climb rate: the fastest rise between samples 10 s apart,
	 * fading as time goes. */
	policy_climb(&c, M(100), 0);
	CHECK(c.rate == 0 && c.at == 0, "first sample: no rate yet");
	policy_climb(&c, M(400), 5);
	CHECK(c.at == 0, "within the window: nothing changes");
	policy_climb(&c, M(400), -20);
	CHECK(c.at == 0, "nor an older figure");
	policy_climb(&c, M(400), 10);
	CHECK(c.rate == M(30), "300M in 10 s: 30M/s");
	policy_climb(&c, M(300), 20);
	CHECK(c.rate < M(30) && c.rate > M(29), "a fall fades it a little");
	policy_climb(&c, M(300), 3620);
	CHECK(c.rate < M(15) && c.rate > M(14), "an hour on: about half");

	/* The rise: since the last sample, by more than 16M. */
	policy_rise(&r, M(100), 0);
	CHECK(r.rate == 0 && r.at == 0, "rise, first sample: none yet");
	policy_rise(&r, M(110), 1);
	CHECK(r.rate == 0, "a rise of 10M is noise");
	policy_rise(&r, M(410), 3);
	CHECK(r.rate == M(150), "300M in 2 s: 150M/s (%llu)",
	    (unsigned long long)(r.rate / MIB));
	policy_rise(&r, M(900), 3);
	CHECK(r.rate == M(150) && r.demand == M(410), "the same time again "
	    "changes nothing");
	policy_rise(&r, M(400), 4);
	CHECK(r.rate == 0, "a fall: none");
	/* Steep enough rise: headroom of rise x react at once. */
	in.lend = false;
	in.react = 3;
	in.pool = M(8192);
	v[0] = vm(M(480), M(400), M(64), M(8192), 20, 50);
	v[0].climb = M(150);
	in.n = 1;
	policy_plan(&in, o);
	CHECK(o[0].target >= M(480 + 450) && o[0].target < M(480 + 450 + 8),
	    "a VM rising 150M/s keeps 3 s of it on top of its buffer (%llu)",
	    (unsigned long long)(o[0].target / MIB));
}

/* A small deterministic generator, so failures can be replayed. */
static uint64_t rng = 42;

static uint64_t
rnd(uint64_t n)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return n ? (rng >> 33) % n : 0;
}

static size_t
random_input(struct policy_vm *v, uint64_t *pool, int64_t *now)
{
	size_t n = 1 + rnd(20), i;

	*now = 100000;
	for (i = 0; i < n; i++) {
		uint64_t max = M(64 + rnd(8192));
		uint64_t min = M(32) + rnd(max / MIB / 2) * MIB;

		v[i] = vm(min + rnd((max - min) / MIB + 200) * MIB,
		    rnd(max / MIB + 512) * MIB + rnd(MIB), min, max,
		    5 + (long)rnd(200), (long)rnd(101));
		if (rnd(10) == 0)
			v[i].stats = (int)(1 + rnd(4));
		if (rnd(3) == 0)
			v[i].surplus_since = *now - (int64_t)rnd(600);
		if (rnd(3) == 0)
			v[i].climb = rnd(M(200));
		if (rnd(4) == 0 && v[i].assigned > min)
			v[i].loan = rnd(v[i].assigned - min);
	}
	*pool = M(rnd(n * 4096 + 1));
	return n;
}

/* What the property checks found over all the random inputs. */
struct tally {
	int checked_sum, bad_sum, checked_buf, bad_buf;
	int bad_bounds, bad_det, bad_weight, bad_steady;
};

/* Is a VM of v left alone, its stats not fresh? */
static bool
any_alone(const struct policy_vm *v, size_t n)
{
	bool alone = false;
	size_t i;

	for (i = 0; i < n; i++)
		alone |= v[i].stats != PS_FRESH;
	return alone;
}

/* Each target within its bounds, and the sum within the pool. */
static void
tally_bounds(const struct policy_vm *v, const struct policy_out *o, size_t n,
    uint64_t pool, bool alone, struct tally *t)
{
	uint64_t sum = 0, floor = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t keep = v[i].minimum;

		sum += o[i].target;
		if (v[i].stats != PS_FRESH) {
			floor += v[i].assigned;
			continue;
		}
		/* With a VM left alone, none is taken below its
		 * demand (or what it has, if less) for it. */
		if (alone) {
			uint64_t a = v[i].assigned, d = v[i].demand;

			a = a < v[i].maximum ? a : v[i].maximum;
			d = d < v[i].maximum ? d : v[i].maximum;
			if (a > keep && d > keep)
				keep = a < d ? a : d;
			if (o[i].target < keep)
				t->bad_bounds++;
		}
		floor += keep;
		if (o[i].target < v[i].minimum || o[i].target > v[i].maximum)
			t->bad_bounds++;
	}
	/* The pool holds whenever the minimums and the VMs left
	 * alone fit in it at all, loans and climb headroom too. */
	if (floor <= pool) {
		t->checked_sum++;
		if (sum > pool)
			t->bad_sum++;
	}
}

/* While the pool has room for every configured buffer, no VM is kept
 * below its own (but for less than a step). */
static void
tally_buffers(const struct policy_vm *v, const struct policy_out *o, size_t n,
    uint64_t pool, bool alone, struct tally *t)
{
	uint64_t base[20], sum_base = 0;
	size_t i;

	for (i = 0; !alone && i < n; i++) {
		uint64_t b = (policy_want(v[i].demand, v[i].buffer) +
		    M(8) - 1) / M(8) * M(8);
		uint64_t lo =
		    v[i].minimum < v[i].maximum ? v[i].minimum : v[i].maximum;

		b = b < lo ? lo : b > v[i].maximum ? v[i].maximum : b;
		base[i] = b;
		sum_base += b;
	}
	for (i = 0; !alone && sum_base <= pool && i < n; i++) {
		t->checked_buf++;
		if (o[i].target + M(8) <= base[i])
			t->bad_buf++;
	}
}

/* Same input, same plan; raising one VM's weight never lowers its
 * target. */
static void
tally_same_and_weight(const struct policy_input *in,
    const struct policy_out *o, struct tally *t)
{
	const struct policy_vm *v = in->vms;
	struct policy_vm v2[20];
	struct policy_out o2[20];
	struct policy_input in2 = *in;
	size_t n = in->n, k;

	policy_plan(in, o2);
	if (memcmp(o, o2, n * sizeof(*o)) != 0)
		t->bad_det++;

	k = rnd(n);
	memcpy(v2, v, n * sizeof(*v));
	v2[k].weight = v[k].weight + (long)rnd(101 - v[k].weight);
	in2.vms = v2;
	policy_plan(&in2, o2);
	if (o2[k].target < o[k].target)
		t->bad_weight++;
}

/* What a VM of v has once the plan o is applied. */
static void
apply_plan(struct policy_vm *v, const struct policy_out *o, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		v[i].assigned = o[i].target;
		v[i].surplus_since = o[i].surplus_since;
		v[i].loan = o[i].loan;
	}
}

/*
 * Steady demand: apply the plan, plan again, nothing moves. With a VM
 * left alone, a VM kept at what it has below its demand may take one
 * more step of what the first plan left unused (its floor moved up with
 * it); then nothing moves.
 */
static void
tally_steady(const struct policy_input *in, const struct policy_out *o,
    bool alone, struct tally *t)
{
	struct policy_vm v2[20];
	struct policy_out o2[20];
	struct policy_input in2 = *in;
	size_t n = in->n, i;

	memcpy(v2, in->vms, n * sizeof(*v2));
	apply_plan(v2, o, n);
	in2.vms = v2;
	policy_plan(&in2, o2);
	for (int round = 0; round < 2; round++) {
		bool moved = false;

		for (i = 0; i < n; i++)
			moved |= o2[i].change;
		if (!moved)
			break;
		if (round == 1 || !alone) {
			t->bad_steady++;
			break;
		}
		apply_plan(v2, o2, n);
		policy_plan(&in2, o2);
	}
}

static void
properties(void)
{
	struct policy_vm v[20];
	struct policy_out o[20];
	struct tally t = { 0 };
	int run;

	for (run = 0; run < 20000; run++) {
		uint64_t pool;
		int64_t now;
		size_t n = random_input(v, &pool, &now);
		struct policy_input in = { pool, now, 300, M(8), v, n,
			(int64_t)rnd(8), rnd(2) == 0 };
		bool alone = any_alone(v, n);

		policy_plan(&in, o);
		tally_bounds(v, o, n, pool, alone, &t);
		tally_buffers(v, o, n, pool, alone, &t);
		tally_same_and_weight(&in, o, &t);
		tally_steady(&in, o, alone, &t);
	}
	CHECK(t.checked_sum > 10000, "the pool check ran on %d inputs",
	    t.checked_sum);
	CHECK(t.bad_sum == 0, "sum of targets within the pool (%d bad)",
	    t.bad_sum);
	CHECK(t.checked_buf > 10000 && t.bad_buf == 0, "with room for every "
	    "configured buffer, none kept below its own (%d bad of %d)",
	    t.bad_buf, t.checked_buf);
	CHECK(t.bad_bounds == 0, "targets within [minimum, maximum] (%d bad)",
	    t.bad_bounds);
	CHECK(t.bad_det == 0, "deterministic (%d bad)", t.bad_det);
	CHECK(t.bad_weight == 0, "more weight never means less (%d bad)",
	    t.bad_weight);
	CHECK(t.bad_steady == 0, "steady input, steady plan (after one more "
	    "step with a VM left alone; %d bad)", t.bad_steady);
}

int
main(void)
{
	rules_add();
	rules_reclaim();
	rules_shortage();
	rules_left_alone();
	rules_steps();
	headroom_climb();
	headroom_lending();
	climb_and_rise();
	properties();
	return unit_done();
}
