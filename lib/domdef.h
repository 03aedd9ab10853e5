/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * domdef.h - rewrite a persistent domain definition for new settings: our
 * metadata element and, when asked, the memory layout, either a balloon
 * VM's (boots with maximum, ballooned down to startup) or a hot-add VM's
 * (boots with startup, grows through virtio-mem devices up to maximum).
 * Pure: XML text in, XML text out, no libvirt calls, so it is unit tested
 * alone.
 */
#ifndef DM_DOMDEF_H
#define DM_DOMDEF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domxml.h"
#include "vmconf.h"

/* How the VM is to grow: as it does now, by its balloon, by hot-add. */
enum {
	DOMDEF_KEEP = -1,
	DOMDEF_BALLOON = 0,
	DOMDEF_HOTADD = 1,
};

/* The plug unit of a new virtio-mem device in domain d: 2 MiB, or its
 * largest hugepage if that is larger. */
uint64_t domdef_block(const struct domxml *d);

/*
 * Rewrite the inactive domain XML xml for the settings c (startup and
 * maximum set), growing as grow says. The settings element is always
 * replaced. The memory layout is rewritten when set_memory is true or
 * grow changes how the VM grows:
 *
 * balloon: <memory> = maximum, <currentMemory> = startup, NUMA cells
 *   scaled to add up to maximum (less other memory devices), virtio-mem
 *   devices removed, and <maxMemory> too when no memory device is left;
 * hot-add: <memory> and <currentMemory> = startup, NUMA cells (one made if
 *   there is none) scaled to add up to startup, one virtio-mem device per
 *   cell (or the existing ones, resized) sharing maximum - startup in
 *   whole blocks, <maxMemory> large enough and with a slot per device.
 *
 * Returns the new XML (caller frees), or NULL with the reason in err when
 * the domain cannot be laid out so (e.g. "cannot hot-add: ...").
 */
char *domdef_rewrite(const char *xml, const struct vmconf *c,
    bool set_memory, int grow, char *err, size_t errlen);

#endif
