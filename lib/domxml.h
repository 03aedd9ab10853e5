/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * domxml.h - what dmctl needs to know of a domain's XML, read in one
 * parse: its memory sizes, its virtio-mem devices (hot-add), what would
 * keep virtio-mem out, and our two metadata elements. Pure: no libvirt
 * calls, so it is unit tested alone.
 */
#ifndef DM_DOMXML_H
#define DM_DOMXML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bstate.h"
#include "vmconf.h"

/* One <memory model='virtio-mem'> device; sizes in bytes. */
struct memdev {
	uint64_t size;		/* the most it can plug */
	uint64_t block;		/* plug and unplug unit */
	uint64_t requested;	/* what was asked for */
	uint64_t current;	/* what is plugged (live XML only, else 0) */
	int node;		/* guest NUMA node, -1 if not given */
	char *alias;		/* libvirt's alias, NULL in an inactive XML */
};

struct domxml {
	char uuid[40];		/* <uuid>, "" if absent */
	uint64_t memory;	/* <memory>: boot memory + memory devices */
	uint64_t current_memory; /* <currentMemory>, 0 if absent */
	uint64_t max_memory;	/* <maxMemory>, 0 if absent */
	unsigned slots;		/* its slots attribute */
	unsigned vcpus;		/* <vcpu>, 0 if absent */
	unsigned ncells;	/* guest NUMA cells */
	uint64_t cells_memory;	/* their memory in all */
	struct memdev *mem;	/* virtio-mem devices, in document order */
	size_t nmem;
	uint64_t other_size;	/* other memory devices (DIMM, NVDIMM...) */
	const char *other_model; /* the first one's model, NULL if none */
	bool locked;		/* <memoryBacking><locked/> */
	bool encrypted;		/* <launchSecurity> (SEV, TDX...) */
	uint64_t hugepage;	/* largest hugepage size asked for, 0 none */
	int conf_found;		/* our settings: 1 valid, 0 absent, -1 bad */
	char conf_error[256];	/* why they are bad */
	struct vmconf conf;
	bool has_state;		/* balancer state present and ours */
	struct bstate state;
};

/*
 * Parse a domain XML. Returns 0, or -1 with err set when it is not a
 * domain XML at all; bad settings are kept in conf_found/conf_error.
 */
int domxml_parse(const char *xml, struct domxml *d, char *err,
    size_t errlen);
void domxml_free(struct domxml *d);

/*
 * A size in element n's text (attr NULL) or in its attribute attr, in the
 * unit its unit attribute names (KiB by default, as in libvirt); 0 when
 * absent or not a size. For readers of elements the struct leaves out.
 */
struct _xmlNode;
uint64_t domxml_size(struct _xmlNode *n, const char *attr);

/* For the modules that read or rewrite a domain XML (libxml2 nodes):
 * whether n is an element of that name without a namespace, the first
 * such child of parent (NULL if none or parent is NULL), and whether n is
 * a <memory model='virtio-mem'> device. */
struct _xmlNode;
bool domxml_is(const struct _xmlNode *n, const char *name);
struct _xmlNode *domxml_child(struct _xmlNode *parent, const char *name);
bool domxml_is_virtio_mem(struct _xmlNode *n);

/*
 * What the VM boots with, by its settings: a dynamic VM its
 * <currentMemory> (its startup), a hot-add VM its boot memory and what it
 * asks to have plugged, a static VM all of <memory>. *kind is "dynamic",
 * "hot-add" or "static". 0 when the XML gives no size.
 */
uint64_t domxml_boot_size(const struct domxml *d, const char **kind);

/* Boot memory: <memory> without what memory devices add. */
uint64_t domxml_boot_memory(const struct domxml *d);

/* The sums over the virtio-mem devices. */
uint64_t domxml_plug_size(const struct domxml *d);
uint64_t domxml_plugged(const struct domxml *d);
uint64_t domxml_requested(const struct domxml *d);

/*
 * Split a total of plug memory over the devices: each gets whole blocks,
 * never more than its size, and the devices fill evenly (water-filling,
 * so that each device's share only grows as the total does). req[i] gets
 * device i's request; returns what was placed (<= total).
 */
uint64_t domxml_plug_split(const struct memdev *mem, size_t n,
    uint64_t total, uint64_t *req);

#endif
