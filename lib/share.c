/* SPDX-License-Identifier: GPL-2.0-or-later */
/* share.c - hand out memory among VMs by priority or by weight. */
#include "share.h"

#include <stdlib.h>

#include "size.h"
#include "util.h"

/* Sort key for priority order: higher weight first, then the later
 * "since", then input order. */
struct prio {
	size_t i;
	long weight;
	int64_t since;
};

static int
prio_cmp(const void *a, const void *b)
{
	const struct prio *x = a, *y = b;

	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	if (x->since != y->since)
		return x->since > y->since ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

uint64_t
share_mul_div(uint64_t a, uint64_t b, uint64_t c)
{
	return c ? (uint64_t)((unsigned __int128)a * b / c) : 0;
}

uint64_t
share_priority(uint64_t amount, const struct policy_vm *vms, const bool *in,
    const uint64_t *cap, uint64_t *give, size_t n, const int64_t *since)
{
	struct prio *order = xcalloc(n, sizeof(*order));
	size_t k = 0, a, b, j;

	for (j = 0; j < n; j++)
		if (in[j] && cap[j])
			order[k++] = (struct prio){ j, vms[j].weight,
				since ? since[j] : 0 };
	qsort(order, k, sizeof(*order), prio_cmp);
	for (a = 0; a < k && amount; a = b) {
		uint64_t group = 0, given = 0;

		for (b = a; b < k && order[b].weight == order[a].weight &&
		    (!since || b == a); b++)
			group += cap[order[b].i];
		for (j = a; j < b; j++) {
			size_t i = order[j].i;
			uint64_t g = group <= amount ? cap[i] :
			    share_mul_div(amount, cap[i], group) / KIB * KIB;

			give[i] += g;
			given += g;
		}
		amount -= given;
	}
	free(order);
	return amount;
}

void
share_by_weight(uint64_t amount, const uint64_t *wt, const bool *in,
    const uint64_t *cap, uint64_t *give, size_t n)
{
	bool *active = xcalloc(n, sizeof(*active));
	int pass;
	size_t i;

	for (pass = 0; pass < 2 && amount >= KIB; pass++) {
		/* Pass 0: weighted VMs; pass 1: weight 0, as equals. */
		for (i = 0; i < n; i++)
			active[i] = in[i] && give[i] < cap[i] &&
			    (pass ? wt[i] == 0 : wt[i] > 0);
		for (;;) {
			uint64_t total = 0, start = amount;
			bool capped = false;

			for (i = 0; i < n; i++)
				if (active[i])
					total += pass ? 1 : wt[i];
			if (!total || amount < KIB)
				break;
			/* Those whose share would pass their cap get the cap,
			 * and the rest is shared again without them. */
			for (i = 0; i < n; i++) {
				uint64_t w = pass ? 1 : wt[i];

				if (active[i] && share_mul_div(start, w, total) >=
				    cap[i] - give[i]) {
					amount -= cap[i] - give[i];
					give[i] = cap[i];
					active[i] = false;
					capped = true;
				}
			}
			if (capped)
				continue;
			for (i = 0; i < n; i++) {
				uint64_t w = pass ? 1 : wt[i];
				uint64_t g;

				if (!active[i])
					continue;
				g = share_mul_div(start, w, total) / KIB * KIB;
				give[i] += g;
				amount -= g;
			}
			break;
		}
	}
	free(active);
}
