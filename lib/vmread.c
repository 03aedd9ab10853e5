/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vmread.c - read every VM's settings and balloon stats from libvirt in
 * one pass: one bulk stats call where the driver has it, the domain XML
 * of each VM from a few threads (vmstate.h).
 */
#include "vmstate.h"

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/virterror.h>

#include "size.h"
#include "util.h"
#include "virt.h"

static void
balloon_init(struct balloon *b)
{
	b->actual = b->maximum = b->usable = b->unused = -1;
	b->disk_caches = b->available = b->last_update = -1;
	b->major_faults = -1;
}

/* Copy the balloon figures of a libvirt memory stats array. */
static void
balloon_from_memstats(struct balloon *b, const virDomainMemoryStatStruct *st,
    int n)
{
	int i;

	for (i = 0; i < n; i++) {
		long long v = (long long)st[i].val;

		switch (st[i].tag) {
		case VIR_DOMAIN_MEMORY_STAT_ACTUAL_BALLOON:
			b->actual = v;
			break;
		case VIR_DOMAIN_MEMORY_STAT_USABLE:
			b->usable = v;
			break;
		case VIR_DOMAIN_MEMORY_STAT_UNUSED:
			b->unused = v;
			break;
		case VIR_DOMAIN_MEMORY_STAT_DISK_CACHES:
			b->disk_caches = v;
			break;
		case VIR_DOMAIN_MEMORY_STAT_AVAILABLE:
			b->available = v;
			break;
		case VIR_DOMAIN_MEMORY_STAT_LAST_UPDATE:
			b->last_update = v;
			break;
		case VIR_DOMAIN_MEMORY_STAT_MAJOR_FAULT:
			b->major_faults = v;
			break;
		default:
			break;
		}
	}
}

static void
balloon_from_params(struct balloon *b, const virTypedParameter *p, int n)
{
	static const struct {
		const char *name;
		size_t off;
	} map[] = {
		{ "balloon.current", offsetof(struct balloon, actual) },
		{ "balloon.maximum", offsetof(struct balloon, maximum) },
		{ "balloon.usable", offsetof(struct balloon, usable) },
		{ "balloon.unused", offsetof(struct balloon, unused) },
		{ "balloon.disk_caches", offsetof(struct balloon, disk_caches) },
		{ "balloon.available", offsetof(struct balloon, available) },
		{ "balloon.last-update", offsetof(struct balloon, last_update) },
		{ "balloon.major_fault", offsetof(struct balloon, major_faults) },
	};
	int i;
	size_t j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < DM_ARRAY_LEN(map); j++) {
			if (strcmp(p[i].field, map[j].name) != 0)
				continue;
			if (p[i].type == VIR_TYPED_PARAM_ULLONG)
				*(long long *)((char *)b + map[j].off) =
				    (long long)p[i].value.ul;
			else if (p[i].type == VIR_TYPED_PARAM_LLONG)
				*(long long *)((char *)b + map[j].off) =
				    p[i].value.l;
		}
	}
}

/* Take what the domain XML says: settings, balancer state, memory layout.
 * One virDomainGetXMLDesc gives all of it (live XML for a running VM, so
 * the live settings, as AFFECT_CURRENT would). */
static void
vm_read_xml(struct vm *vm, virDomainPtr dom)
{
	char *xml = virDomainGetXMLDesc(dom, 0);
	char err[512];
	struct domxml d;

	if (!xml || domxml_parse(xml, &d, err, sizeof(err)) < 0) {
		vm->conf_found = -1;
		vm->conf_error = xml ? xstrdup(err) :
		    xasprintf("cannot read settings: %s", virt_errmsg());
		free(xml);
		return;
	}
	free(xml);
	vm->conf_found = d.conf_found;
	vm->conf = d.conf;
	if (d.conf_found < 0)
		vm->conf_error = xstrdup(d.conf_error);
	else if (d.conf_found > 0 && d.memory && !vm->active)
		/* What it would boot with cannot be: a running VM's live
		 * copy may wait for a boot that grows it (the balancer
		 * holds its minimum at what it can have). */
		vm->conf_error = vmconf_against(&d.conf, d.memory);
	if (vm->conf_error)
		vm->conf_found = -1;
	if (d.has_state && vm->active)
		vm->bstate = d.state;
	vm->hotadd = d.nmem > 0;
	vm->boot = domxml_boot_memory(&d);
	vm->plug_size = domxml_plug_size(&d);
	vm->plugged = vm->active ? domxml_plugged(&d) : 0;
	vm->requested = domxml_requested(&d);
	vm->mem = d.mem;
	vm->nmem = d.nmem;
	d.mem = NULL;
	d.nmem = 0;
	domxml_free(&d);
}

/* Plugged memory the guest does not show in MemTotal: what the hidden
 * part (assigned - MemTotal) grew by since it was measured with nothing
 * plugged. Without that measurement only a MemTotal below what is
 * plugged tells. */
static uint64_t
offline_estimate(const struct vm *vm)
{
	uint64_t total, hidden;

	if (!vm->plugged || vm->balloon.available < 0)
		return 0;
	total = (uint64_t)vm->balloon.available * KIB;
	hidden = vm->assigned > total ? vm->assigned - total : 0;
	if (vm->bstate.gap >= 0) {
		uint64_t gap = (uint64_t)vm->bstate.gap * KIB;

		if (hidden <= gap)
			return 0;
		return hidden - gap < vm->plugged ? hidden - gap : vm->plugged;
	}
	return total < vm->plugged ? vm->plugged : 0;
}

/* Fill one VM from its domain handle; params may be NULL (no bulk). */
static void
vm_read(struct vm *vm, virDomainPtr dom, const virTypedParameter *params,
    int nparams)
{
	virDomainInfo info;
	int i, have_state = 0;

	vm->name = xstrdup(virDomainGetName(dom));
	if (virDomainGetUUIDString(dom, vm->uuid) < 0)
		vm->uuid[0] = '\0';
	balloon_init(&vm->balloon);
	for (i = 0; i < nparams; i++) {
		if (strcmp(params[i].field, "state.state") == 0 &&
		    params[i].type == VIR_TYPED_PARAM_INT) {
			vm->state = params[i].value.i;
			have_state = 1;
		}
	}
	balloon_from_params(&vm->balloon, params, nparams);
	if (!have_state || vm->balloon.actual < 0 ||
	    vm->balloon.maximum < 0) {
		if (virDomainGetInfo(dom, &info) == 0) {
			vm->state = info.state;
			vm->balloon.actual = (long long)info.memory;
			vm->balloon.maximum = (long long)info.maxMem;
		}
	}
	vm->active = vm->state != VIR_DOMAIN_SHUTOFF &&
	    vm->state != VIR_DOMAIN_NOSTATE;
	/* Drivers without the bulk balloon group (the test driver) still
	 * answer the per-domain call. Its "actual" is the balloon alone,
	 * without plugged memory: keep the total read above. */
	if (vm->active && vm->balloon.usable < 0 && vm->balloon.unused < 0) {
		virDomainMemoryStatStruct st[VIR_DOMAIN_MEMORY_STAT_NR];
		long long actual = vm->balloon.actual;
		int n = virDomainMemoryStats(dom, st,
		    VIR_DOMAIN_MEMORY_STAT_NR, 0);

		if (n > 0)
			balloon_from_memstats(&vm->balloon, st, n);
		if (actual >= 0)
			vm->balloon.actual = actual;
	}
	if (vm->balloon.maximum > 0)
		vm->memory = (uint64_t)vm->balloon.maximum * KIB;
	if (vm->active && vm->balloon.actual > 0)
		vm->assigned = (uint64_t)vm->balloon.actual * KIB;

	bstate_init(&vm->bstate);
	vm_read_xml(vm, dom);
	if (!vm->hotadd)
		vm->boot = vm->memory;
	vm->offline = offline_estimate(vm);
	/* A hot-add VM boots with its boot memory: that is its startup. */
	if (vm->conf_found > 0)
		vmconf_fill(&vm->conf, vm->hotadd ? vm->boot :
		    vm->balloon.actual > 0 ? (uint64_t)vm->balloon.actual * KIB :
		    vm->memory, vm->memory);
}

static int
vm_cmp(const void *a, const void *b)
{
	return strcmp(((const struct vm *)a)->name,
	    ((const struct vm *)b)->name);
}

/*
 * Reading a VM's settings is one round trip to the daemon each (libvirt has
 * no bulk call for metadata), about 1 ms here; with hundreds of VMs that
 * is most of the time. A connection takes calls from many threads at once,
 * so a few threads read disjoint slices of the VMs.
 */
#define READ_THREADS 8
#define READ_MIN_PER_THREAD 16

struct read_slice {
	struct vm *vms;
	virDomainPtr *doms;
	virDomainStatsRecordPtr *recs;
	size_t from, to;
};

static void
read_one(struct read_slice *sl, size_t i)
{
	if (sl->recs)
		vm_read(&sl->vms[i], sl->recs[i]->dom, sl->recs[i]->params,
		    sl->recs[i]->nparams);
	else
		vm_read(&sl->vms[i], sl->doms[i], NULL, 0);
}

static void *
read_slice_run(void *arg)
{
	struct read_slice *sl = arg;
	size_t i;

	for (i = sl->from; i < sl->to; i++)
		read_one(sl, i);
	return NULL;
}

static void
read_all(struct vm *vms, virDomainPtr *doms, virDomainStatsRecordPtr *recs,
    size_t n)
{
	struct read_slice sl[READ_THREADS];
	pthread_t tid[READ_THREADS];
	bool started[READ_THREADS] = { false };
	size_t t, nt = n / READ_MIN_PER_THREAD;

	if (nt > READ_THREADS)
		nt = READ_THREADS;
	if (nt < 1)
		nt = 1;
	for (t = 0; t < nt; t++) {
		sl[t] = (struct read_slice){ vms, doms, recs, n * t / nt,
			n * (t + 1) / nt };
		/* Slice 0 runs here; a thread that cannot start is read
		 * here too, so a VM is never skipped. */
		if (t > 0)
			started[t] = pthread_create(&tid[t], NULL,
			    read_slice_run, &sl[t]) == 0;
	}
	read_slice_run(&sl[0]);
	for (t = 1; t < nt; t++) {
		if (started[t])
			pthread_join(tid[t], NULL);
		else
			read_slice_run(&sl[t]);
	}
}

static int
take_bulk(virConnectPtr conn, virDomainPtr *doms, size_t n,
    struct snapshot *s)
{
	virDomainStatsRecordPtr *recs = NULL;
	unsigned int groups = VIR_DOMAIN_STATS_STATE | VIR_DOMAIN_STATS_BALLOON;
	int nrec;

	if (n) {
		virDomainPtr *list = xcalloc(n + 1, sizeof(*list));

		memcpy(list, doms, n * sizeof(*list));
		nrec = virDomainListGetStats(list, groups, &recs, 0);
		free(list);
	} else
		nrec = virConnectGetAllDomainStats(conn, groups, &recs, 0);
	if (nrec < 0)
		return -1;
	s->vms = xcalloc((size_t)nrec, sizeof(*s->vms));
	read_all(s->vms, NULL, recs, (size_t)nrec);
	s->n = (size_t)nrec;
	virDomainStatsRecordListFree(recs);
	return 0;
}

static int
take_each(virConnectPtr conn, virDomainPtr *doms, size_t n,
    struct snapshot *s)
{
	virDomainPtr *all = NULL;
	size_t i;
	int nall = 0;

	if (!n) {
		nall = virConnectListAllDomains(conn, &all, 0);
		if (nall < 0)
			return dm_error("cannot list VMs: %s", virt_errmsg());
		doms = all;
		n = (size_t)nall;
	}
	s->vms = xcalloc(n, sizeof(*s->vms));
	read_all(s->vms, doms, NULL, n);
	s->n = n;
	for (i = 0; i < (size_t)nall; i++)
		virDomainFree(all[i]);
	free(all);
	return 0;
}

int
snapshot_take(virConnectPtr conn, virDomainPtr *doms, size_t n,
    const struct hostconf *hc, struct snapshot *s)
{
	uint64_t total;

	memset(s, 0, sizeof(*s));
	if (virt_host_memory(conn, &total) < 0)
		return -1;
	s->taken = time(NULL);
	if (take_bulk(conn, doms, n, s) < 0) {
		if (virt_errcode() != VIR_ERR_NO_SUPPORT)
			return dm_error("cannot read VM statistics: %s",
			    virt_errmsg());
		if (take_each(conn, doms, n, s) < 0)
			return -1;
	}
	qsort(s->vms, s->n, sizeof(*s->vms), vm_cmp);
	snapshot_compute(s, total, hc);
	/* A reserve of all the host's memory or more leaves no pool: it
	 * cannot be meant. */
	if (hc->reserve >= total) {
		char r[32], t[32];

		size_human(hc->reserve, r, sizeof(r));
		size_human(total, t, sizeof(t));
		snapshot_free(s);
		return dm_error("%s: reserve: %s is not less than the host's "
		    "memory (%s)", hc->reserve_at ? hc->reserve_at : "reserve",
		    r, t);
	}
	return 0;
}
