/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * actuator.c - make a VM's plan so: move its balloon, or on a hot-add VM
 * its balloon and its virtio-mem plugs; then keep the balancer's state
 * in its metadata for the next pass.
 */
#include "pass.h"

#include <stdlib.h>

#include <libvirt/virterror.h>

#include "domxml.h"
#include "memdev.h"
#include "size.h"
#include "util.h"
#include "virt.h"

/* The least a hot-add VM's balloon leaves of its boot memory while plugged
 * memory stays: movable hot-added memory cannot hold the guest kernel's
 * own allocations, so a quarter of its memory stays boot memory. */
uint64_t
pass_balloon_floor(uint64_t plugged)
{
	return plugged / 3 > VMCONF_SIZE_MIN ? plugged / 3 : VMCONF_SIZE_MIN;
}

static bool
gone_error(void)
{
	int code = virt_errcode();

	return code == VIR_ERR_NO_DOMAIN || code == VIR_ERR_OPERATION_INVALID;
}

/* Move the balloon to bytes; false with it->error or it->gone set. */
static bool
set_balloon(virDomainPtr dom, struct item *it, uint64_t bytes)
{
	if (virDomainSetMemoryFlags(dom, (unsigned long)(bytes / KIB),
	    VIR_DOMAIN_AFFECT_LIVE) == 0)
		return true;
	if (gone_error() || virDomainIsActive(dom) == 0)
		it->gone = true;
	else
		it->error = xasprintf("cannot set memory: %s", virt_errmsg());
	return false;
}

static bool
set_plug(virDomainPtr dom, struct item *it, const uint64_t *req)
{
	char err[512];

	if (memdev_request(dom, req, it->vm->nmem, it->retry, err,
	    sizeof(err)) >= 0)
		return true;
	if (gone_error() || virDomainIsActive(dom) == 0)
		it->gone = true;
	else
		it->error = xstrdup(err);
	return false;
}

/* The balloon or the plug moves now: the guest's next reports lag it, so
 * keep the demand read from settled stats for the views to show. */
static void
mark_changed(struct item *it, time_t now)
{
	uint64_t demand;

	it->state.last_change = now;
	if (it->has_demand && it->in.stats != PS_SETTLING &&
	    vm_demand_of(it->vm, &demand))
		it->state.settled = (int64_t)(demand / KIB);
}

/*
 * Reach target on a hot-add VM: the balloon acts on boot memory only,
 * virtio-mem on what lies above it. Growing deflates the balloon up to the
 * boot memory first, then plugs; shrinking unplugs first, and the balloon
 * goes below the boot memory only when nothing is plugged. What an unplug
 * could not free stays counted; until the retry the balloon may take the
 * rest, down to its floor.
 */
/*
 * A guest adds hot-plugged memory to its kernel a memory block (128 MiB
 * on x86_64) at a time, and adding one needs the guest's own kernel
 * memory and time; a guest that is nearly out of memory fails ("virtio_mem:
 * adding memory failed: -12") and its processes are killed before a retry.
 * So when what a VM should have plugged comes within PLUG_LEAD of the end
 * of a memory block, the next block is started at once, while the guest
 * has memory to spare, if the pool has the room.
 */
#define MEM_BLOCK (128 * MIB)
#define PLUG_LEAD (64 * MIB)

static uint64_t
plug_ahead(uint64_t want, uint64_t size, uint64_t block, int64_t *spare)
{
	uint64_t end = (want / MEM_BLOCK + 1) * MEM_BLOCK, more;

	if (!want || end - want > PLUG_LEAD || end + block > size)
		return want;
	more = end + block - want;
	if (*spare < (int64_t)more)
		return want;
	*spare -= (int64_t)more;
	return end + block;
}

static void
apply_hotadd(virDomainPtr dom, struct item *it, time_t now, int64_t *spare)
{
	struct vm *vm = it->vm;
	uint64_t t = it->out.target, boot = vm->boot, plugged = vm->plugged;
	uint64_t now_balloon = vm->assigned > plugged ? vm->assigned - plugged :
	    0;
	uint64_t want = 0, placed, balloon, *req;
	bool plug_call, balloon_call, ok = true;

	req = xcalloc(vm->nmem, sizeof(*req));
	if (it->state.offline_at < 0 && t > boot)
		want = plug_ahead(t - boot, vm->plug_size, vm->nmem ?
		    vm->mem[0].block : 2 * MIB, spare);
	placed = domxml_plug_split(vm->mem, vm->nmem, want, req);
	if (it->unplug_stuck && !it->retry && placed < plugged) {
		/* Leave the devices be until the retry. */
		plug_call = false;
		balloon = t > plugged ? t - plugged : 0;
		if (balloon < pass_balloon_floor(plugged))
			balloon = pass_balloon_floor(plugged);
	} else {
		/* The balloon holds the boot memory, or all of a target
		 * below it; what is plugged ahead is on top. */
		plug_call = placed != vm->requested || it->retry;
		balloon = t > boot ? boot : t;
	}
	if (balloon > boot)
		balloon = boot;
	/* The balloon's own figure lags by its granularity: a difference
	 * below the minimum step is no move. */
	balloon_call = balloon + MIB < now_balloon || now_balloon + MIB < balloon;
	if (!plug_call && !balloon_call) {
		it->out.change = false;
		it->note = it->stuck ? (it->unplug_stuck ? "unplug stopped "
		    "short: asking again later" : "plug stopped short: asking "
		    "again later") : plugged > vm->requested ?
		    "unplug under way" : plugged < vm->requested ?
		    "plug under way" : "plugged ahead to the next memory block";
		free(req);
		return;
	}
	if (plug_call && placed < vm->requested) {
		ok = set_plug(dom, it, req);
		if (ok && balloon_call)
			ok = set_balloon(dom, it, balloon);
	} else {
		if (balloon_call)
			ok = set_balloon(dom, it, balloon);
		if (ok && plug_call)
			ok = set_plug(dom, it, req);
	}
	it->applied = ok;
	mark_changed(it, now);
	if (ok && plug_call && placed != plugged) {
		/* A new plug or unplug, or the retry of one: its own clock. */
		it->state.resize_since = now;
		it->state.resize_retry = -1;
	}
	free(req);
}

void
pass_apply(virConnectPtr conn, struct item *it, time_t now,
    int64_t *spare)
{
	virDomainPtr dom = virDomainLookupByUUIDString(conn, it->vm->uuid);

	if (!dom) {
		it->gone = true;
		return;
	}
	if (it->vm->hotadd)
		apply_hotadd(dom, it, now, spare);
	else if (set_balloon(dom, it, it->out.target)) {
		it->applied = true;
		mark_changed(it, now);
	}
	virDomainFree(dom);
}

/* Keep the state for the next pass, and make sure the guest reports
 * stats: without a stats period the balancer is blind. */
void
pass_keep_state(virConnectPtr conn, struct item *it,
    const struct hostconf *hc)
{
	virDomainPtr dom;
	char *xml;

	it->state.surplus_since = it->out.surplus_since;
	if (it->gone || (bstate_equal(&it->state, &it->vm->bstate) &&
	    !it->blind))
		return;
	if (!(dom = virDomainLookupByUUIDString(conn, it->vm->uuid)))
		return;
	/* Setting a period the guest already has is harmless; without one
	 * it reports nothing after boot, and the balancer is blind. */
	if (it->blind)
		virDomainSetMemoryStatsPeriod(dom, (int)hc->stats_period,
		    VIR_DOMAIN_AFFECT_LIVE);
	if (!bstate_equal(&it->state, &it->vm->bstate)) {
		xml = bstate_format(&it->state);
		if (virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, xml,
		    BSTATE_PREFIX, BSTATE_NS, VIR_DOMAIN_AFFECT_LIVE) < 0 &&
		    !gone_error())
			dm_warn("VM '%s': cannot keep balancer state: %s",
			    it->vm->name, virt_errmsg());
		free(xml);
	}
	virDomainFree(dom);
}

