/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memdev.h - the hot-add half of the actuator: ask a running VM's
 * virtio-mem devices to plug or unplug, through libvirt.
 */
#ifndef DM_MEMDEV_H
#define DM_MEMDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libvirt/libvirt.h>

/*
 * Set the requested size of the VM's virtio-mem devices, in document
 * order, to req[0..n) bytes. Only devices whose request differs are
 * updated, unless force (to ask again for an unplug that stopped short).
 * Returns how many devices were updated, or -1 with err set.
 */
int memdev_request(virDomainPtr dom, const uint64_t *req, size_t n,
    bool force, char *err, size_t errlen);

#endif
