/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * proxmox.c - Proxmox VE's PVE::AutoBalloon::compute_alg1, as pvestatd
 * calls it every 10 s: goal = 80 % of host memory - host used, at most
 * 100 MiB of change per VM, shares 1000 each. Works in bytes, as the Perl
 * does.
 */
#include <stdlib.h>

#include "density.h"
#include "size.h"
#include "util.h"

/* A VM as compute_alg1 sees it, bytes. */
struct pve {
	int64_t balloon, min, max, free;
	int64_t res;		/* 0: unchanged */
	bool done;
};

/* The Perl's change loop over the VMs ids: share bytes (negative: take
 * them back) among them by their shares, at most maxchange a VM, as
 * long as it makes progress; returns what is left. */
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
proxmox_decide(struct sim *s)
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

const struct model model_proxmox = {
	"proxmox", true, start_dynamic, NULL, proxmox_decide, NULL,
};
