/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmstate.c - what the figures read of each VM mean: demand, starving,
 * settling, status, and the host totals (reading them is vmread.c). */
#include "vmstate.h"

#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "size.h"
#include "util.h"

bool
vm_demand(const struct balloon *b, uint64_t *demand)
{
	long long d;

	if (b->actual < 0)
		return false;
	if (b->usable >= 0)
		d = b->actual - b->usable;
	else if (b->unused >= 0 && b->disk_caches >= 0)
		d = b->actual - b->unused - b->disk_caches;
	else
		return false;
	*demand = d > 0 ? (uint64_t)d * KIB : 0;
	return true;
}

enum vm_status
vm_status_of(uint64_t assigned, uint64_t demand, long buffer)
{
	/* Buffer is a percent of demand; round the want up so that OK
	 * really means the whole buffer is there. */
	uint64_t want = demand + policy_buffer(demand, buffer);

	if (assigned < demand)
		return VM_STATUS_WARNING;
	return assigned >= want ? VM_STATUS_OK : VM_STATUS_LOW;
}

/* Whether what the guest can hand to new work is below floor bytes. */
static bool
usable_below(const struct vm *vm, uint64_t floor)
{
	uint64_t usable = (uint64_t)vm->balloon.usable * KIB;

	return vm->active && vm->assigned && vm->balloon.usable >= 0 &&
	    usable + vm->offline < floor;
}

bool
vm_thrashes(const struct vm *vm, const struct bstate *st)
{
	return st->thrashing >= 0 &&
	    usable_below(vm, vm->assigned / 100 * VM_TIGHT_PERCENT);
}

void
vm_faults_update(const struct vm *vm, struct bstate *st)
{
	const struct balloon *b = &vm->balloon;
	long long dt = b->last_update - st->faults_at;

	if (b->major_faults < 0 || b->last_update < 0 ||
	    !usable_below(vm, vm->assigned / 100 * VM_TIGHT_PERCENT)) {
		st->faults = st->faults_at = st->thrashing = -1;
		return;
	}
	if (st->faults >= 0 && st->faults_at >= 0 && dt <= 0)
		return;		/* the same report as last time */
	if (st->faults >= 0 && st->faults_at >= 0) {
		/* A count that fell is a guest that rebooted: no rate. */
		if (b->major_faults - st->faults >= VM_THRASH_RATE * dt) {
			if (st->thrashing < 0)
				st->thrashing = b->last_update;
		} else
			st->thrashing = -1;
	}
	st->faults = b->major_faults;
	st->faults_at = b->last_update;
}

bool
vm_starving(const struct vm *vm)
{
	return usable_below(vm, vm->assigned / 50 > VM_STARVING_MIN ?
	    vm->assigned / 50 : VM_STARVING_MIN) ||
	    vm_thrashes(vm, &vm->bstate);
}

bool
vm_settling(const struct vm *vm, time_t now, const struct hostconf *hc)
{
	const struct bstate *st = &vm->bstate;

	return vm->active && st->last_change >= 0 && st->settled >= 0 &&
	    vm->balloon.last_update >= 0 &&
	    vm->balloon.last_update < st->last_change +
	    2 * (long long)hc->stats_period &&
	    now - st->last_change <= VMSTATE_STALE_SECONDS;
}

bool
vm_demand_of(const struct vm *vm, uint64_t *demand)
{
	if (!vm_demand(&vm->balloon, demand))
		return false;
	/* A guest with next to nothing available needs at least what it
	 * has, by an amount nobody can read off: more than it has. */
	if (vm_starving(vm)) {
		*demand = vm->assigned + vm->assigned / 100;
		return true;
	}
	/* Offline memory is neither usable nor used: it only looks used. */
	*demand = *demand > vm->offline ? *demand - vm->offline : 0;
	return true;
}

bool
vm_moved(const struct vm *vm)
{
	return vm->bstate.last_change >= 0 &&
	    vm->bstate.last_change >= vm->bstate.seen;
}

uint64_t
vm_counted(const struct vm *vm, time_t now, const struct hostconf *hc)
{
	uint64_t boot = vm->hotadd ? vm->boot + vm->requested :
	    vm->conf.startup;
	bool young = vm->bstate.seen < 0 ||
	    now - vm->bstate.seen < (time_t)hc->grace;

	/* A VM that has just started, whose balloon still shows all of
	 * <memory> until its guest's driver inflates it, boots with its
	 * startup size: that is what it counts. Once the balancer has
	 * moved it (grown it, or lent it memory), what it has is what the
	 * balancer gave it, and counts whole. */
	if (vm_dynamic(vm) && young && !vm_moved(vm) && boot &&
	    vm->assigned > boot)
		return boot;
	return vm->assigned;
}

bool
vm_not_online(const struct vm *vm)
{
	return vm->hotadd && (vm->bstate.offline_at >= 0 ||
	    (vm->plugged && vm->offline > vm->plugged / 2));
}

const char *
vm_grows(const struct vm *vm)
{
	if (!vm->hotadd)
		return "balloon";
	return vm_not_online(vm) ? "not-online" : "hot-add";
}

bool
vm_dynamic(const struct vm *vm)
{
	return vm->conf_found == 1 && vm->conf.enabled;
}

const char *
vm_status_name(enum vm_status st)
{
	static const char *const names[] = {
		[VM_STATUS_NONE] = "none",
		[VM_STATUS_UNKNOWN] = "unknown",
		[VM_STATUS_OK] = "OK",
		[VM_STATUS_LOW] = "Low",
		[VM_STATUS_WARNING] = "Warning",
		[VM_STATUS_INVALID] = "invalid",
	};

	return names[st];
}

void
snapshot_compute(struct snapshot *s, uint64_t host_total,
    const struct hostconf *hc)
{
	struct host *h = &s->host;
	uint64_t pct, used;
	size_t i;

	memset(h, 0, sizeof(*h));
	h->last_change = -1;
	h->total = host_total;
	pct = host_total / 100 * hc->reserve_percent;
	h->reserve = hc->reserve > pct ? hc->reserve : pct;
	for (i = 0; i < s->n; i++) {
		struct vm *vm = &s->vms[i];
		bool fresh;

		vm->status = VM_STATUS_NONE;
		fresh = vm->balloon.last_update < 0 ||
		    s->taken - vm->balloon.last_update <= VMSTATE_STALE_SECONDS;
		vm->has_demand = vm->active && fresh &&
		    vm_demand_of(vm, &vm->demand);
		/* While the balloon moves, the guest's report lags it: show
		 * the demand read just before the move instead. */
		vm->settling = vm_dynamic(vm) && vm_settling(vm, s->taken, hc);
		if (vm->settling) {
			vm->has_demand = true;
			vm->demand = (uint64_t)vm->bstate.settled * KIB;
		}
		if (vm_dynamic(vm))
			h->ndynamic++;
		else
			h->nstatic++;
		if (vm->conf_found < 0)
			vm->status = VM_STATUS_INVALID;
		if (!vm->active)
			continue;
		if (vm->bstate.last_change > h->last_change)
			h->last_change = vm->bstate.last_change;
		h->overhead = sat_add(h->overhead, hc->overhead);
		if (vm_dynamic(vm)) {
			h->assigned = sat_add(h->assigned,
			    vm_counted(vm, s->taken, hc));
			vm->status = vm->has_demand ? vm_status_of(vm->assigned,
			    vm->demand, vm->conf.buffer) : VM_STATUS_UNKNOWN;
		} else
			h->statics = sat_add(h->statics, vm->assigned);
	}
	used = sat_add(sat_add(h->reserve, h->statics), h->overhead);
	h->pool = host_total > used ? host_total - used : 0;
	/* Both below 2^63 for any host; free is what the pool lacks or has. */
	h->free = h->assigned > INT64_MAX ? INT64_MIN :
	    (int64_t)(h->pool > INT64_MAX ? INT64_MAX : h->pool) -
	    (int64_t)h->assigned;
}

void
snapshot_free(struct snapshot *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		struct domxml d = { .mem = s->vms[i].mem,
			.nmem = s->vms[i].nmem };

		free(s->vms[i].name);
		free(s->vms[i].conf_error);
		domxml_free(&d);
	}
	free(s->vms);
	memset(s, 0, sizeof(*s));
}
