/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_policy.c - policy_plan over inputs built from the fuzzer's bytes:
 * its header's guarantees as assertions (targets within each VM's bounds;
 * the pool holds whenever the minimums and the VMs left alone fit; the
 * same input gives the same plan). */
#include "fuzz.h"

#include "policy.h"

#define MIB (1ULL << 20)

static uint64_t
take(const uint8_t **p, size_t *n, unsigned bytes)
{
	uint64_t v = 0;

	while (bytes-- && *n) {
		v = v << 8 | **p;
		(*p)++;
		(*n)--;
	}
	return v;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy_vm v[16];
	struct policy_out o[16], o2[16];
	struct policy_input in;
	uint64_t sum = 0, floor = 0;
	size_t n, i;
	bool alone = false;

	if (size < 4)
		return 0;
	memset(v, 0, sizeof(v));
	n = take(&data, &size, 1) % 16 + 1;
	in.pool = take(&data, &size, 2) * 16 * MIB;
	in.now = (int64_t)take(&data, &size, 2);
	in.reclaim_delay = (int64_t)take(&data, &size, 1) * 4;
	in.min_step = (take(&data, &size, 1) % 64 + 1) * MIB;
	in.react = (int64_t)take(&data, &size, 1) % 16;
	in.lend = take(&data, &size, 1) & 1;
	in.vms = v;
	in.n = n;
	for (i = 0; i < n; i++) {
		v[i].minimum = (take(&data, &size, 1) + 32) * 16 * MIB;
		v[i].maximum = v[i].minimum + take(&data, &size, 2) * MIB;
		v[i].assigned = take(&data, &size, 2) * 4 * MIB;
		v[i].demand = take(&data, &size, 2) * 4 * MIB;
		v[i].buffer = (long)(take(&data, &size, 1) % 200) + 5;
		v[i].weight = (long)(take(&data, &size, 1) % 101);
		v[i].stats = (int)(take(&data, &size, 1) % 5);
		v[i].surplus_since = (int64_t)take(&data, &size, 2) - 1;
		v[i].climb = take(&data, &size, 1) * MIB;
		v[i].loan = take(&data, &size, 1) * 8 * MIB;
	}
	policy_plan(&in, o);
	policy_plan(&in, o2);
	for (i = 0; i < n; i++)
		alone |= v[i].stats != PS_FRESH;
	for (i = 0; i < n; i++) {
		uint64_t keep = v[i].minimum, a, d;

		FUZZ_ASSERT(o[i].target == o2[i].target &&
		    o[i].reason == o2[i].reason);
		sum += o[i].target;
		if (v[i].stats != PS_FRESH) {
			FUZZ_ASSERT(o[i].target == v[i].assigned);
			floor += v[i].assigned;
			continue;
		}
		FUZZ_ASSERT(o[i].target >= v[i].minimum &&
		    o[i].target <= v[i].maximum);
		/* With a VM left alone, none is taken below its demand (or
		 * what it has, if less) for it. */
		a = v[i].assigned < v[i].maximum ? v[i].assigned : v[i].maximum;
		d = v[i].demand < v[i].maximum ? v[i].demand : v[i].maximum;
		if (alone && a > keep && d > keep)
			keep = a < d ? a : d;
		FUZZ_ASSERT(o[i].target >= keep);
		floor += keep;
	}
	/* The pool holds whenever the minimums and the VMs left alone fit
	 * in it at all, loans and climb headroom too. */
	FUZZ_ASSERT(floor > in.pool || sum <= in.pool);
	return 0;
}
