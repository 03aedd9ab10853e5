/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virt.c - connecting to libvirt and keeping settings in domain metadata. */
#include "virt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/virterror.h>

#include "domdef.h"
#include "size.h"
#include "util.h"

/* libvirt would print every error to stderr by default; we report the
 * ones that matter ourselves, with the VM's name in front. */
static void
quiet_error(void *opaque, virErrorPtr e)
{
	(void)opaque;
	(void)e;
}

virConnectPtr
virt_open(const char *uri, bool readonly, bool report)
{
	virConnectPtr conn;

	virSetErrorFunc(NULL, quiet_error);
	if (virInitialize() < 0) {
		dm_error("cannot initialize libvirt: %s", virt_errmsg());
		return NULL;
	}
	conn = readonly ? virConnectOpenReadOnly(uri) : virConnectOpen(uri);
	if (!conn && report)
		dm_error("cannot connect to '%s': %s", virt_uri_name(uri),
		    virt_errmsg());
	return conn;
}

const char *
virt_uri_name(const char *uri)
{
	const char *env = getenv("LIBVIRT_DEFAULT_URI");

	if (uri)
		return uri;
	return env && *env ? env : "the default hypervisor";
}

const char *
virt_errmsg(void)
{
	const char *m = virGetLastErrorMessage();

	return m ? m : "unknown error";
}

int
virt_errcode(void)
{
	return virGetLastErrorCode();
}

virDomainPtr
virt_lookup(virConnectPtr conn, const char *what)
{
	virDomainPtr dom = NULL;
	char *end;
	long id;

	id = strtol(what, &end, 10);
	if (*what && *end == '\0' && id >= 0 && id <= INT32_MAX)
		dom = virDomainLookupByID(conn, (int)id);
	if (!dom && strlen(what) == VIR_UUID_STRING_BUFLEN - 1)
		dom = virDomainLookupByUUIDString(conn, what);
	if (!dom)
		dom = virDomainLookupByName(conn, what);
	if (!dom)
		dm_error("VM '%s': %s", what,
		    virt_errcode() == VIR_ERR_NO_DOMAIN ? "no such VM" :
		    virt_errmsg());
	return dom;
}

int
virt_host_memory(virConnectPtr conn, uint64_t *bytes)
{
	virNodeMemoryStatsPtr st;
	virNodeInfo info;
	int i, n = 0;

	/* virNodeGetInfo sums the NUMA cells, which can be far less than the
	 * host has (seen: 6 GiB of 24 GiB on a VM whose memory was hot
	 * added); the all-cells memory stats read MemTotal itself. */
	if (virNodeGetMemoryStats(conn, VIR_NODE_MEMORY_STATS_ALL_CELLS, NULL,
	    &n, 0) == 0 && n > 0) {
		st = xcalloc((size_t)n, sizeof(*st));
		if (virNodeGetMemoryStats(conn, VIR_NODE_MEMORY_STATS_ALL_CELLS,
		    st, &n, 0) == 0) {
			for (i = 0; i < n; i++) {
				if (strcmp(st[i].field,
				    VIR_NODE_MEMORY_STATS_TOTAL) == 0 &&
				    st[i].value > 0) {
					*bytes = (uint64_t)st[i].value * KIB;
					free(st);
					return 0;
				}
			}
		}
		free(st);
	}
	if (virNodeGetInfo(conn, &info) < 0)
		return dm_error("cannot read host memory: %s", virt_errmsg());
	*bytes = (uint64_t)info.memory * KIB;
	return 0;
}

int
virt_conf_get(virDomainPtr dom, unsigned int which, struct vmconf *c,
    char *err, size_t errlen)
{
	char *xml;
	int rc;

	vmconf_init(c);
	xml = virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, VMCONF_NS,
	    which);
	if (!xml) {
		if (virt_errcode() == VIR_ERR_NO_DOMAIN_METADATA)
			return 0;
		snprintf(err, errlen, "cannot read settings: %s",
		    virt_errmsg());
		return -1;
	}
	rc = vmconf_parse(xml, c, err, errlen);
	free(xml);
	return rc < 0 ? -1 : 1;
}

int
virt_conf_set_live(virDomainPtr dom, const struct vmconf *c, char *err,
    size_t errlen)
{
	char *xml = c ? vmconf_format(c, false) : NULL;
	int rc;

	rc = virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, xml,
	    VMCONF_PREFIX, VMCONF_NS, VIR_DOMAIN_AFFECT_LIVE);
	free(xml);
	if (rc < 0)
		snprintf(err, errlen, "cannot set live settings: %s",
		    virt_errmsg());
	return rc;
}

static char *
inactive_xml(virDomainPtr dom, char *err, size_t errlen)
{
	char *xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE |
	    VIR_DOMAIN_XML_SECURE);

	if (!xml)
		snprintf(err, errlen, "cannot read definition: %s",
		    virt_errmsg());
	return xml;
}

int
virt_conf_set_config(virDomainPtr dom, const struct vmconf *c,
    bool set_memory, int grow, char *err, size_t errlen)
{
	char *xml, *out, *now;
	virDomainPtr def;
	int tries;

	/* Settings alone: only our element is written, by libvirt under
	 * its own lock, so a change to the rest of the definition made
	 * meanwhile (virsh desc --config, virsh edit) stands. */
	if (!set_memory && grow == DOMDEF_KEEP) {
		char *md = vmconf_format(c, false);
		int rc = virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT,
		    md, VMCONF_PREFIX, VMCONF_NS, VIR_DOMAIN_AFFECT_CONFIG);

		free(md);
		if (rc < 0)
			snprintf(err, errlen, "cannot save settings: %s",
			    virt_errmsg());
		return rc;
	}
	/* The memory layout too: the whole definition is rewritten. If it
	 * changed between reading and rewriting it, read it again, so that
	 * nobody else's change is undone. */
	for (tries = 0; tries < 5; tries++) {
		if (!(xml = inactive_xml(dom, err, errlen)))
			return -1;
		out = domdef_rewrite(xml, c, set_memory, grow, err, errlen);
		if (!out) {
			free(xml);
			return -1;
		}
		if (!(now = inactive_xml(dom, err, errlen))) {
			free(xml);
			free(out);
			return -1;
		}
		if (strcmp(now, xml) == 0) {
			free(xml);
			free(now);
			/* One call: if libvirt refuses the new
			 * definition, the old one stands whole. */
			def = virDomainDefineXML(virDomainGetConnect(dom), out);
			free(out);
			if (!def) {
				snprintf(err, errlen, "cannot save "
				    "definition: %s", virt_errmsg());
				return -1;
			}
			virDomainFree(def);
			return 0;
		}
		free(xml);
		free(now);
		free(out);
	}
	snprintf(err, errlen, "its definition kept changing while it was "
	    "being rewritten; nothing was written");
	return -1;
}

const char *
virt_state_name(int state)
{
	switch (state) {
	case VIR_DOMAIN_RUNNING:
		return "running";
	case VIR_DOMAIN_BLOCKED:
		return "idle";
	case VIR_DOMAIN_PAUSED:
		return "paused";
	case VIR_DOMAIN_SHUTDOWN:
		return "in shutdown";
	case VIR_DOMAIN_SHUTOFF:
		return "shut off";
	case VIR_DOMAIN_CRASHED:
		return "crashed";
	case VIR_DOMAIN_PMSUSPENDED:
		return "pmsuspended";
	default:
		return "no state";
	}
}
