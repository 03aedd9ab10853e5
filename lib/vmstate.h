/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vmstate.h - one consistent look at the host and every VM: settings,
 * assigned memory and the guest's demand, gathered with as few libvirt
 * calls as the driver allows.
 */
#ifndef DM_VMSTATE_H
#define DM_VMSTATE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <libvirt/libvirt.h>

#include "hostconf.h"
#include "bstate.h"
#include "domxml.h"
#include "vmconf.h"

/* Guest stats older than this many seconds are stale. */
#define VMSTATE_STALE_SECONDS 30

enum vm_status {
	VM_STATUS_NONE,		/* static, or not running */
	VM_STATUS_UNKNOWN,	/* no fresh guest stats */
	VM_STATUS_OK,		/* demand and the full buffer are assigned */
	VM_STATUS_LOW,		/* demand is covered, the buffer is not */
	VM_STATUS_WARNING,	/* assigned is below demand */
	VM_STATUS_INVALID,	/* its settings are invalid: left alone */
};

/* The raw balloon figures, in KiB as libvirt gives them; -1 if absent. */
struct balloon {
	long long actual;
	long long maximum;
	long long usable;
	long long unused;
	long long disk_caches;
	long long available;
	long long last_update;
	long long major_faults;		/* a count; swap-ins are among them */
};

struct vm {
	char *name;
	char uuid[VIR_UUID_STRING_BUFLEN];
	int state;			/* virDomainState */
	bool active;
	int conf_found;			/* 1 valid, 0 none, -1 invalid */
	char *conf_error;		/* why the settings are invalid */
	struct vmconf conf;
	struct balloon balloon;
	uint64_t memory;		/* <memory>: the ceiling, bytes */
	uint64_t assigned;		/* balloon + plugged, bytes; 0 if off */
	/* Hot-add: a VM with virtio-mem devices boots with boot memory and
	 * grows past it by plugging; the balloon acts only on boot memory. */
	bool hotadd;
	uint64_t boot;			/* boot memory (<memory> for others) */
	uint64_t plug_size;		/* what the devices can plug in all */
	uint64_t plugged;		/* what is plugged now */
	uint64_t requested;		/* what was asked for */
	uint64_t offline;		/* plugged, but not in the guest's
					 * MemTotal (estimate) */
	struct memdev *mem;		/* the virtio-mem devices */
	size_t nmem;
	bool has_demand;		/* fresh guest stats gave a demand */
	uint64_t demand;		/* bytes */
	bool settling;			/* the balloon just moved: demand is
					 * the last settled figure */
	enum vm_status status;
	struct bstate bstate;		/* balancer state, running dynamic VMs */
};

/* Host figures, in bytes. free may be negative if someone overcommitted. */
struct host {
	uint64_t total;
	uint64_t reserve;
	uint64_t statics;		/* running static VMs */
	uint64_t overhead;		/* per running VM, all VMs */
	uint64_t pool;
	uint64_t assigned;		/* running dynamic VMs */
	int64_t free;
	unsigned ndynamic;
	unsigned nstatic;
	int64_t last_change;		/* latest balancer move, epoch s; -1 */
};

struct snapshot {
	struct host host;
	struct vm *vms;
	size_t n;
	time_t taken;
};

/*
 * Take a snapshot of the named domains (or all when n == 0). Errors about
 * a single VM are kept in that VM; -1 only when nothing could be read.
 */
int snapshot_take(virConnectPtr conn, virDomainPtr *doms, size_t n,
    const struct hostconf *hc, struct snapshot *s);
void snapshot_free(struct snapshot *s);

/*
 * The demand a guest's balloon stats show, in bytes: actual - usable, or
 * actual - unused - disk_caches when the guest gives no usable figure.
 * Returns false when the stats cannot tell.
 */
bool vm_demand(const struct balloon *b, uint64_t *demand);

/*
 * A guest starves when what it can still hand to new work (usable) is
 * below 2 % of its memory, or 4 MiB: its demand is then at least what it
 * has, by an unknown amount.
 */
#define VM_STARVING_MIN ((uint64_t)4 << 20)
bool vm_starving(const struct vm *vm);

/*
 * It also starves when it thrashes: usable below VM_TIGHT_PERCENT of its
 * memory while it takes more than VM_THRASH_RATE major faults (swap-ins
 * are among them) a second. The rate needs two samples, so the balancer
 * keeps one in its state (vm_faults_update) while the guest is tight.
 */
#define VM_TIGHT_PERCENT 10
#define VM_THRASH_RATE 100
bool vm_thrashes(const struct vm *vm, const struct bstate *st);
void vm_faults_update(const struct vm *vm, struct bstate *st);

/*
 * Whether the figures of a VM are settling: the balancer moved its
 * balloon and the guest has not sent two reports since (its MemTotal and
 * MemAvailable lag the move), within VMSTATE_STALE_SECONDS of the move.
 */
bool vm_settling(const struct vm *vm, time_t now, const struct hostconf *hc);

/* The demand of a VM: its balloon's, less plugged memory its guest has
 * not onlined; for a starving guest, a little more than it has. */
bool vm_demand_of(const struct vm *vm, uint64_t *demand);

/* Whether the balancer has moved the VM (grown it, shrunk it, lent it
 * memory) since it first saw it running. */
bool vm_moved(const struct vm *vm);

/*
 * What a running dynamic VM counts against the pool: what it has, but a
 * VM that has just started (no balancer has seen it, or within the grace
 * period, and the balancer has not moved it since) counts at what it
 * boots with while its balloon shows more.
 */
uint64_t vm_counted(const struct vm *vm, time_t now,
    const struct hostconf *hc);

/* Whether a hot-add VM's guest leaves plugged memory offline: declared
 * by the balancer, or more than half of what is plugged right now. */
bool vm_not_online(const struct vm *vm);

/* How the VM grows: "balloon", "hot-add" or "not-online". */
const char *vm_grows(const struct vm *vm);

/* OK / Low / Warning from assigned, demand and the buffer percent. */
enum vm_status vm_status_of(uint64_t assigned, uint64_t demand, long buffer);

/* Work out host totals and each VM's status from what was read. */
void snapshot_compute(struct snapshot *s, uint64_t host_total,
    const struct hostconf *hc);

bool vm_dynamic(const struct vm *vm);
const char *vm_status_name(enum vm_status st);

#endif
