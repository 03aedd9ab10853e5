/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memdev.c - plug and unplug a running VM's virtio-mem devices. */
#include "memdev.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "domxml.h"
#include "size.h"
#include "util.h"
#include "virt.h"
#include "xmldoc.h"

/* Ask one device for want bytes: libvirt finds the device by the alias
 * and address in the XML it is given, and takes only <requested> as a
 * change (virsh update-memory-device does the same). */
static int
update(virDomainPtr dom, xmlNodePtr dev, uint64_t want, char *err,
    size_t errlen)
{
	xmlNodePtr req = domxml_child(domxml_child(dev, "target"), "requested");
	xmlBufferPtr buf;
	char text[32];
	int rc;

	if (!req) {
		snprintf(err, errlen, "virtio-mem device without <requested>");
		return -1;
	}
	snprintf(text, sizeof(text), "%llu", (unsigned long long)(want / KIB));
	xmlNodeSetContent(req, BAD_CAST text);
	xmlSetProp(req, BAD_CAST "unit", BAD_CAST "KiB");
	buf = xmlBufferCreate();
	xmlNodeDump(buf, dev->doc, dev, 0, 0);
	rc = virDomainUpdateDeviceFlags(dom, (const char *)xmlBufferContent(buf),
	    VIR_DOMAIN_AFFECT_LIVE);
	xmlBufferFree(buf);
	if (rc < 0)
		snprintf(err, errlen, "cannot resize its virtio-mem device: %s",
		    virt_errmsg());
	return rc;
}

int
memdev_request(virDomainPtr dom, const uint64_t *req, size_t n, bool force,
    char *err, size_t errlen)
{
	char *xml = virDomainGetXMLDesc(dom, 0);
	xmlDocPtr doc;
	xmlNodePtr k;
	size_t i = 0;
	int updated = 0;

	if (!xml) {
		snprintf(err, errlen, "cannot read its definition: %s",
		    virt_errmsg());
		return -1;
	}
	doc = xmldoc_read(xml, strlen(xml), "domain.xml", NULL, 0);
	free(xml);
	if (!doc) {
		snprintf(err, errlen, "cannot parse its definition");
		return -1;
	}
	k = domxml_child(xmlDocGetRootElement(doc), "devices");
	for (k = k ? k->children : NULL; k && i < n; k = k->next) {
		xmlNodePtr r;
		uint64_t now;

		if (!domxml_is_virtio_mem(k))
			continue;
		r = domxml_child(domxml_child(k, "target"), "requested");
		now = domxml_size(r, NULL);
		if (force || now != req[i]) {
			if (update(dom, k, req[i], err, errlen) < 0) {
				xmlFreeDoc(doc);
				return -1;
			}
			updated++;
		}
		i++;
	}
	xmlFreeDoc(doc);
	if (i < n) {
		snprintf(err, errlen, "its virtio-mem devices changed");
		return -1;
	}
	return updated;
}
