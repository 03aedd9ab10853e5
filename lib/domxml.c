/* SPDX-License-Identifier: GPL-2.0-or-later */
/* domxml.c - read a domain's memory layout and our metadata from its XML. */
#include "domxml.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "size.h"
#include "util.h"
#include "xmldoc.h"

bool
domxml_is(const struct _xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !n->ns &&
	    strcmp((const char *)n->name, name) == 0;
}

static bool
in_ns(xmlNodePtr n, const char *href)
{
	return n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
	    strcmp((const char *)n->ns->href, href) == 0;
}

struct _xmlNode *
domxml_child(struct _xmlNode *parent, const char *name)
{
	xmlNodePtr k;

	for (k = parent ? parent->children : NULL; k; k = k->next)
		if (domxml_is(k, name))
			return k;
	return NULL;
}

/* A size given as text (or in attribute attr) with a unit attribute,
 * KiB by default as in libvirt. 0 when absent or not a size. */
static uint64_t
size_of(xmlNodePtr n, const char *attr)
{
	xmlChar *unit, *text;
	uint64_t mult = KIB, v = 0;
	const char *why;

	if (!n)
		return 0;
	unit = xmlGetProp(n, BAD_CAST "unit");
	text = attr ? xmlGetProp(n, BAD_CAST attr) : xmlNodeGetContent(n);
	if ((!unit || size_unit((const char *)unit, &mult) == 0) && text &&
	    size_parse((const char *)text, mult, &v, &why) < 0)
		v = 0;
	xmlFree(unit);
	xmlFree(text);
	return v;
}

uint64_t
domxml_size(struct _xmlNode *n, const char *attr)
{
	return size_of(n, attr);
}

static unsigned
uint_of(xmlNodePtr n, const char *attr)
{
	xmlChar *text;
	unsigned long v = 0;
	char *end;

	if (!n)
		return 0;
	text = attr ? xmlGetProp(n, BAD_CAST attr) : xmlNodeGetContent(n);
	if (text) {
		v = strtoul((const char *)text, &end, 10);
		if (*end || v > 1000000)
			v = 0;
	}
	xmlFree(text);
	return (unsigned)v;
}

bool
domxml_is_virtio_mem(struct _xmlNode *n)
{
	xmlChar *model;
	bool yes;

	if (!domxml_is(n, "memory"))
		return false;
	model = xmlGetProp(n, BAD_CAST "model");
	yes = model && strcmp((const char *)model, "virtio-mem") == 0;
	xmlFree(model);
	return yes;
}

static void
read_memdev(struct domxml *d, xmlNodePtr n)
{
	xmlChar *model = xmlGetProp(n, BAD_CAST "model");
	xmlNodePtr t = domxml_child(n, "target"), a;
	struct memdev *m;

	if (!model || strcmp((const char *)model, "virtio-mem") != 0) {
		static const char *const known[] = { "dimm", "nvdimm",
			"virtio-pmem", "sgx-epc" };
		size_t i;

		d->other_size += size_of(domxml_child(t, "size"), NULL);
		for (i = 0; !d->other_model && i < DM_ARRAY_LEN(known); i++)
			if (model && strcmp((const char *)model, known[i]) == 0)
				d->other_model = known[i];
		if (!d->other_model)
			d->other_model = "memory";
		xmlFree(model);
		return;
	}
	xmlFree(model);
	d->mem = realloc(d->mem, (d->nmem + 1) * sizeof(*d->mem));
	if (!d->mem)
		abort();
	m = &d->mem[d->nmem++];
	memset(m, 0, sizeof(*m));
	m->size = size_of(domxml_child(t, "size"), NULL);
	m->block = size_of(domxml_child(t, "block"), NULL);
	m->requested = size_of(domxml_child(t, "requested"), NULL);
	m->current = size_of(domxml_child(t, "current"), NULL);
	m->node = domxml_child(t, "node") ? (int)uint_of(domxml_child(t, "node"), NULL) : -1;
	if ((a = domxml_child(n, "alias"))) {
		xmlChar *name = xmlGetProp(a, BAD_CAST "name");

		m->alias = name ? xstrdup((const char *)name) : NULL;
		xmlFree(name);
	}
}

static void
read_metadata(struct domxml *d, xmlNodePtr md)
{
	xmlNodePtr k;

	for (k = md ? md->children : NULL; k; k = k->next) {
		if (in_ns(k, VMCONF_NS) && d->conf_found == 0)
			d->conf_found = vmconf_parse_node(k, &d->conf,
			    d->conf_error, sizeof(d->conf_error)) < 0 ? -1 : 1;
		else if (in_ns(k, BSTATE_NS) && !d->has_state)
			d->has_state = bstate_parse_node(k, &d->state) == 0;
	}
}

int
domxml_parse(const char *xml, struct domxml *d, char *err, size_t errlen)
{
	xmlDocPtr doc;
	xmlNodePtr root, k, n;

	memset(d, 0, sizeof(*d));
	vmconf_init(&d->conf);
	bstate_init(&d->state);
	doc = xmldoc_read(xml, strlen(xml), "domain.xml", NULL, 0);
	if (!doc || !(root = xmlDocGetRootElement(doc)) ||
	    !domxml_is(root, "domain")) {
		snprintf(err, errlen, "cannot parse the domain XML");
		xmlFreeDoc(doc);
		return -1;
	}
	for (k = root->children; k; k = k->next) {
		if (domxml_is(k, "uuid")) {
			xmlChar *u = xmlNodeGetContent(k);

			snprintf(d->uuid, sizeof(d->uuid), "%s",
			    u ? (const char *)u : "");
			xmlFree(u);
		} else if (domxml_is(k, "memory"))
			d->memory = size_of(k, NULL);
		else if (domxml_is(k, "currentMemory"))
			d->current_memory = size_of(k, NULL);
		else if (domxml_is(k, "maxMemory")) {
			d->max_memory = size_of(k, NULL);
			d->slots = uint_of(k, "slots");
		} else if (domxml_is(k, "vcpu"))
			d->vcpus = uint_of(k, NULL);
		else if (domxml_is(k, "cpu")) {
			for (n = domxml_child(domxml_child(k, "numa"), "cell") ? domxml_child(k,
			    "numa")->children : NULL; n; n = n->next)
				if (domxml_is(n, "cell")) {
					d->ncells++;
					d->cells_memory += size_of(n, "memory");
				}
		} else if (domxml_is(k, "memoryBacking")) {
			xmlNodePtr hp = domxml_child(k, "hugepages");

			d->locked = domxml_child(k, "locked") != NULL;
			if (hp) {
				d->hugepage = 2 * MIB;	/* the default size */
				for (n = hp->children; n; n = n->next)
					if (domxml_is(n, "page") && size_of(n, "size") >
					    d->hugepage)
						d->hugepage = size_of(n, "size");
			}
		} else if (domxml_is(k, "launchSecurity"))
			d->encrypted = true;
		else if (domxml_is(k, "metadata"))
			read_metadata(d, k);
		else if (domxml_is(k, "devices")) {
			for (n = k->children; n; n = n->next)
				if (domxml_is(n, "memory"))
					read_memdev(d, n);
		}
	}
	xmlFreeDoc(doc);
	return 0;
}

void
domxml_free(struct domxml *d)
{
	size_t i;

	for (i = 0; i < d->nmem; i++)
		free(d->mem[i].alias);
	free(d->mem);
	d->mem = NULL;
	d->nmem = 0;
}

/* The sum of one figure (at offset off in struct memdev) over devices. */
static uint64_t
sum_of(const struct domxml *d, size_t off)
{
	uint64_t s = 0;
	size_t i;

	for (i = 0; i < d->nmem; i++)
		s += *(const uint64_t *)((const char *)&d->mem[i] + off);
	return s;
}

uint64_t
domxml_plug_size(const struct domxml *d)
{
	return sum_of(d, offsetof(struct memdev, size));
}

uint64_t
domxml_plugged(const struct domxml *d)
{
	return sum_of(d, offsetof(struct memdev, current));
}

uint64_t
domxml_requested(const struct domxml *d)
{
	return sum_of(d, offsetof(struct memdev, requested));
}

uint64_t
domxml_boot_size(const struct domxml *d, const char **kind)
{
	if (d->conf_found > 0 && d->conf.enabled) {
		*kind = d->nmem ? "hot-add" : "dynamic";
		return d->nmem ? domxml_boot_memory(d) + domxml_requested(d) :
		    d->current_memory ? d->current_memory : d->conf.startup;
	}
	*kind = "static";
	return d->memory;
}

uint64_t
domxml_boot_memory(const struct domxml *d)
{
	uint64_t dev = domxml_plug_size(d) + d->other_size;

	/* The NUMA cells are the boot memory where they are given. */
	if (d->ncells && d->cells_memory)
		return d->cells_memory;
	return d->memory > dev ? d->memory - dev : d->memory;
}

/* What device i holds at fill level lvl. */
static uint64_t
at_level(const struct memdev *m, uint64_t lvl)
{
	uint64_t b = m->block ? m->block : 2 * MIB;
	uint64_t v = lvl / b * b;

	return v < m->size / b * b ? v : m->size / b * b;
}

uint64_t
domxml_plug_split(const struct memdev *mem, size_t n, uint64_t total,
    uint64_t *req)
{
	uint64_t lo = 0, hi = 0, sum = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (mem[i].size > hi)
			hi = mem[i].size;
	/* The highest level whose fill still fits in total. */
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo + 1) / 2, s = 0;

		for (i = 0; i < n; i++)
			s += at_level(&mem[i], mid);
		if (s <= total)
			lo = mid;
		else
			hi = mid - 1;
	}
	for (i = 0; i < n; i++) {
		req[i] = at_level(&mem[i], lo);
		sum += req[i];
	}
	/* Devices with a coarser block may leave room for one more block
	 * of a finer one: hand it out in document order. */
	for (i = 0; i < n; i++) {
		uint64_t b = mem[i].block ? mem[i].block : 2 * MIB;

		if (sum + b <= total && req[i] + b <= mem[i].size) {
			req[i] += b;
			sum += b;
		}
	}
	return sum;
}
