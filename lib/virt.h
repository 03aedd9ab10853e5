/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virt.h - the thin layer over libvirt: connecting, finding domains, and
 * reading and writing a domain's dynamic memory settings.
 */
#ifndef DM_VIRT_H
#define DM_VIRT_H

#include <stdbool.h>
#include <stdint.h>

#include <libvirt/libvirt.h>

#include "vmconf.h"

/*
 * Open a connection to uri (NULL: LIBVIRT_DEFAULT_URI or libvirt's own
 * default). Installs our error handler first, so that libvirt prints
 * nothing itself and every message is reported once, by us; with report
 * false a failure is not reported at all (a retry loop says it once).
 */
virConnectPtr virt_open(const char *uri, bool readonly, bool report);

/* What uri (as for virt_open) names, for messages: uri, else
 * LIBVIRT_DEFAULT_URI, else "the default hypervisor". */
const char *virt_uri_name(const char *uri);

/* libvirt's message for the last failed call, never NULL. */
const char *virt_errmsg(void);

/* The last libvirt error code (VIR_ERR_*), 0 if none. */
int virt_errcode(void);

/* Find a domain by name, UUID or ID, as virsh does; reports if missing. */
virDomainPtr virt_lookup(virConnectPtr conn, const char *what);

/* Host memory in bytes from virNodeGetInfo. */
int virt_host_memory(virConnectPtr conn, uint64_t *bytes);

/*
 * Read a domain's settings from its live (VIR_DOMAIN_AFFECT_LIVE) or
 * persistent (VIR_DOMAIN_AFFECT_CONFIG) metadata. Returns 1 when present
 * and valid, 0 when absent, -1 on error with a message in err.
 */
int virt_conf_get(virDomainPtr dom, unsigned int which, struct vmconf *c,
    char *err, size_t errlen);

/* Set the live metadata to c (NULL removes it). 0 or -1 with err. */
int virt_conf_set_live(virDomainPtr dom, const struct vmconf *c, char *err,
    size_t errlen);

/*
 * Replace the persistent definition's settings with c, and when
 * set_memory is true (or grow, DOMDEF_KEEP/BALLOON/HOTADD, changes how
 * the VM grows) also its memory layout as domdef_rewrite does, in one
 * virDomainDefineXML so that a failure leaves the old definition whole.
 * 0 or -1 with err.
 */
int virt_conf_set_config(virDomainPtr dom, const struct vmconf *c,
    bool set_memory, int grow, char *err, size_t errlen);

/* A domain state as virsh names it ("running", "shut off", ...). */
const char *virt_state_name(int state);

#endif
