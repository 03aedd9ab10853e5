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
rules(void)
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
	}
	*pool = M(rnd(n * 4096 + 1));
	return n;
}

static void
properties(void)
{
	struct policy_vm v[20], v2[20];
	struct policy_out o[20], o2[20];
	int run, bad_sum = 0, bad_bounds = 0, bad_weight = 0, bad_steady = 0;
	int bad_det = 0, checked_sum = 0;

	for (run = 0; run < 20000; run++) {
		uint64_t pool, sum = 0, floor = 0;
		int64_t now;
		size_t n = random_input(v, &pool, &now), i, k;
		struct policy_input in = { pool, now, 300, M(8), v, n };
		bool alone = false;

		policy_plan(&in, o);
		for (i = 0; i < n; i++)
			alone |= v[i].stats != PS_FRESH;
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
					bad_bounds++;
			}
			floor += keep;
			if (o[i].target < v[i].minimum ||
			    o[i].target > v[i].maximum)
				bad_bounds++;
		}
		/* The pool holds whenever the minimums and the VMs left
		 * alone fit in it at all. */
		if (floor <= pool) {
			checked_sum++;
			if (sum > pool)
				bad_sum++;
		}

		/* Same input, same plan. */
		policy_plan(&in, o2);
		if (memcmp(o, o2, n * sizeof(*o)) != 0)
			bad_det++;

		/* Raising one VM's weight never lowers its target. */
		k = rnd(n);
		memcpy(v2, v, n * sizeof(*v));
		v2[k].weight = v[k].weight + (long)rnd(101 - v[k].weight);
		in.vms = v2;
		policy_plan(&in, o2);
		if (o2[k].target < o[k].target)
			bad_weight++;

		/* Steady demand: apply the plan, plan again, nothing moves.
		 * With a VM left alone, a VM kept at what it has below its
		 * demand may take one more step of what the first plan left
		 * unused (its floor moved up with it); then nothing moves. */
		for (i = 0; i < n; i++) {
			v2[i] = v[i];
			v2[i].assigned = o[i].target;
			v2[i].surplus_since = o[i].surplus_since;
		}
		policy_plan(&in, o2);
		for (int round = 0; round < 2; round++) {
			bool moved = false;

			for (i = 0; i < n; i++)
				moved |= o2[i].change;
			if (!moved)
				break;
			if (round == 1 || !alone) {
				bad_steady++;
				break;
			}
			for (i = 0; i < n; i++) {
				v2[i].assigned = o2[i].target;
				v2[i].surplus_since = o2[i].surplus_since;
			}
			policy_plan(&in, o2);
		}
	}
	CHECK(checked_sum > 10000, "the pool check ran on %d inputs",
	    checked_sum);
	CHECK(bad_sum == 0, "sum of targets within the pool (%d bad)",
	    bad_sum);
	CHECK(bad_bounds == 0, "targets within [minimum, maximum] (%d bad)",
	    bad_bounds);
	CHECK(bad_det == 0, "deterministic (%d bad)", bad_det);
	CHECK(bad_weight == 0, "more weight never means less (%d bad)",
	    bad_weight);
	CHECK(bad_steady == 0, "steady input, steady plan (after one more "
	    "step with a VM left alone; %d bad)", bad_steady);
}

int
main(void)
{
	rules();
	properties();
	return unit_done();
}
