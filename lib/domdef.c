/* SPDX-License-Identifier: GPL-2.0-or-later */
/* domdef.c - rewrite a domain definition: settings and memory layout. */
#include "domdef.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "domxml.h"
#include "size.h"
#include "util.h"
#include "xmldoc.h"

/* The smallest virtio-mem block QEMU takes on x86_64 and aarch64 with 4 KiB
 * pages; libvirt refuses smaller ones. */
#define BLOCK_MIN (2 * MIB)

/* libvirt rounds every NUMA cell up to whole MiB when the VM starts. */
#define CELL_ALIGN MIB

static xmlNodePtr
child_or_new(xmlNodePtr parent, const char *name)
{
	xmlNodePtr n = domxml_child(parent, name);

	return n ? n : xmlNewChild(parent, NULL, BAD_CAST name, NULL);
}

static void
remove_node(xmlNodePtr n)
{
	if (n) {
		xmlUnlinkNode(n);
		xmlFreeNode(n);
	}
}

static void
kib_text(char *buf, size_t len, uint64_t bytes)
{
	/* Rounded up without overflowing near 2^64. */
	snprintf(buf, len, "%llu", (unsigned long long)(bytes / KIB +
	    (bytes % KIB != 0)));
}

/* Set <name unit='KiB'>value</name> under parent, made if missing;
 * libvirt puts a new element in its usual place when it formats the
 * definition. */
static xmlNodePtr
set_kib(xmlNodePtr parent, const char *name, uint64_t bytes)
{
	char buf[32];
	xmlNodePtr n = child_or_new(parent, name);

	kib_text(buf, sizeof(buf), bytes);
	xmlNodeSetContent(n, BAD_CAST buf);
	xmlSetProp(n, BAD_CAST "unit", BAD_CAST "KiB");
	return n;
}

/* Set attribute attr to a size in KiB, and the element's unit with it. */
static void
set_attr_kib(xmlNodePtr n, const char *attr, uint64_t bytes)
{
	char buf[32];

	kib_text(buf, sizeof(buf), bytes);
	xmlSetProp(n, BAD_CAST attr, BAD_CAST buf);
	xmlSetProp(n, BAD_CAST "unit", BAD_CAST "KiB");
}

/* Put the settings element into <metadata>, replacing ours if present. */
static int
put_metadata(xmlNodePtr root, const struct vmconf *c)
{
	xmlNodePtr md, k, next, node;
	char *text = vmconf_format(c, true);
	xmlDocPtr frag;

	/* Parse the element as a document of its own and copy it over:
	 * xmlParseInNodeContext leaks the whole domain tree in libxml2 2.9. */
	frag = xmldoc_read(text, strlen(text), "settings.xml", NULL, 0);
	free(text);
	if (!frag)
		return -1;
	node = xmlDocCopyNode(xmlDocGetRootElement(frag), root->doc, 1);
	xmlFreeDoc(frag);
	if (!node)
		return -1;
	md = child_or_new(root, "metadata");
	for (k = md->children; k; k = next) {
		next = k->next;
		if (k->type == XML_ELEMENT_NODE && k->ns && k->ns->href &&
		    strcmp((const char *)k->ns->href, VMCONF_NS) == 0)
			remove_node(k);
	}
	xmlAddChild(md, node);
	return 0;
}

uint64_t
domdef_block(const struct domxml *d)
{
	return d->hugepage > BLOCK_MIN ? d->hugepage : BLOCK_MIN;
}

/* The parts of the tree a layout rewrites. */
struct tree {
	xmlNodePtr root;
	xmlNodePtr numa;	/* <cpu><numa>, NULL if none */
	xmlNodePtr *cells;	/* its <cell>s */
	size_t ncells;
	xmlNodePtr *mem;	/* <devices><memory model='virtio-mem'>s */
	size_t nmem;
};

static void
push(xmlNodePtr **v, size_t *n, xmlNodePtr node)
{
	*v = realloc(*v, (*n + 1) * sizeof(**v));
	if (!*v)
		abort();
	(*v)[(*n)++] = node;
}

static void
tree_read(struct tree *t, xmlNodePtr root)
{
	xmlNodePtr k;

	memset(t, 0, sizeof(*t));
	t->root = root;
	t->numa = domxml_child(domxml_child(root, "cpu"), "numa");
	for (k = t->numa ? t->numa->children : NULL; k; k = k->next)
		if (domxml_is(k, "cell"))
			push(&t->cells, &t->ncells, k);
	for (k = domxml_child(root, "devices") ? domxml_child(root, "devices")->children :
	    NULL; k; k = k->next)
		if (domxml_is_virtio_mem(k))
			push(&t->mem, &t->nmem, k);
}

static void
tree_free(struct tree *t)
{
	free(t->cells);
	free(t->mem);
}

/*
 * Share total over n parts in whole units, in proportion to weight (evenly
 * where weight is NULL or all zero); what does not divide goes to the
 * first part. False if a part would get nothing.
 */
static bool
share(uint64_t total, uint64_t unit, const uint64_t *weight, size_t n,
    uint64_t *out)
{
	uint64_t units = total / unit, sum = 0, given = 0;
	size_t i;

	for (i = 0; weight && i < n; i++)
		sum += weight[i];
	for (i = 0; i < n; i++) {
		out[i] = (sum ? (uint64_t)((unsigned __int128)units *
		    weight[i] / sum) : units / n) * unit;
		given += out[i];
	}
	out[0] += total - given;
	for (i = 0; i < n; i++)
		if (!out[i])
			return false;
	return true;
}

/* Scale the NUMA cells to add up to total, keeping their proportions. */
static bool
scale_cells(struct tree *t, uint64_t total)
{
	uint64_t *w = xcalloc(t->ncells, sizeof(*w));
	uint64_t *v = xcalloc(t->ncells, sizeof(*v));
	bool ok;
	size_t i;

	for (i = 0; i < t->ncells; i++)
		w[i] = domxml_size(t->cells[i], "memory");
	ok = share(total, CELL_ALIGN, w, t->ncells, v);
	for (i = 0; ok && i < t->ncells; i++)
		set_attr_kib(t->cells[i], "memory", v[i]);
	free(w);
	free(v);
	return ok;
}

/* A cell's id, its place in the list if it has none. */
static unsigned
cell_id(xmlNodePtr cell, size_t index)
{
	xmlChar *id = xmlGetProp(cell, BAD_CAST "id");
	unsigned long v = index;
	char *end;

	if (id) {
		v = strtoul((const char *)id, &end, 10);
		if (*end || v > 65535)
			v = index;
	}
	xmlFree(id);
	return (unsigned)v;
}

/* The one NUMA cell libvirt 9.0 needs for memory devices (9.6 and later
 * make it themselves): every vCPU, all of the boot memory. */
static void
add_cell(struct tree *t, const struct domxml *d, uint64_t memory)
{
	unsigned vcpus = d->vcpus ? d->vcpus : 1;
	xmlNodePtr cpu = child_or_new(t->root, "cpu"), cell;
	char cpus[32];

	t->numa = child_or_new(cpu, "numa");
	if (vcpus == 1)
		snprintf(cpus, sizeof(cpus), "0");
	else
		snprintf(cpus, sizeof(cpus), "0-%u", vcpus - 1);
	cell = xmlNewChild(t->numa, NULL, BAD_CAST "cell", NULL);
	xmlSetProp(cell, BAD_CAST "id", BAD_CAST "0");
	xmlSetProp(cell, BAD_CAST "cpus", BAD_CAST cpus);
	set_attr_kib(cell, "memory", memory);
	push(&t->cells, &t->ncells, cell);
}

static void
add_device(struct tree *t, unsigned node, uint64_t size, uint64_t block)
{
	xmlNodePtr dev, target;
	char buf[32];

	dev = xmlNewChild(child_or_new(t->root, "devices"), NULL,
	    BAD_CAST "memory", NULL);
	xmlSetProp(dev, BAD_CAST "model", BAD_CAST "virtio-mem");
	target = xmlNewChild(dev, NULL, BAD_CAST "target", NULL);
	set_kib(target, "size", size);
	snprintf(buf, sizeof(buf), "%u", node);
	xmlNewChild(target, NULL, BAD_CAST "node", BAD_CAST buf);
	set_kib(target, "block", block);
	set_kib(target, "requested", 0);
	push(&t->mem, &t->nmem, dev);
}

/* Give an existing device a new size; what it asks to plug at boot
 * cannot stay above it. */
static void
resize_device(xmlNodePtr dev, uint64_t size)
{
	xmlNodePtr target = child_or_new(dev, "target");
	xmlNodePtr req = domxml_child(target, "requested");

	set_kib(target, "size", size);
	if (req && domxml_size(req, NULL) > size)
		set_kib(target, "requested", size);
}

/* A size in the largest unit that holds it exactly, for messages about
 * alignment, where "256M" would hide the odd KiB. */
static char *
exact(uint64_t bytes, char *buf, size_t len)
{
	if (bytes && bytes % GIB == 0)
		snprintf(buf, len, "%llu GiB", (unsigned long long)(bytes /
		    GIB));
	else if (bytes && bytes % MIB == 0)
		snprintf(buf, len, "%llu MiB", (unsigned long long)(bytes /
		    MIB));
	else
		snprintf(buf, len, "%llu KiB", (unsigned long long)((bytes +
		    KIB - 1) / KIB));
	return buf;
}

static int
fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int
layout_balloon(struct tree *t, const struct domxml *d,
    const struct vmconf *c, char *err, size_t errlen)
{
	uint64_t boot = c->maximum;
	bool was_hot = t->nmem > 0;
	char a[32], b[32];
	size_t i;

	for (i = 0; i < t->nmem; i++)
		remove_node(t->mem[i]);
	t->nmem = 0;
	/* DIMMs and the like stay, and count toward <memory>. */
	if (d->other_size) {
		if (d->other_size >= c->maximum)
			return fail(err, errlen, "its %s memory devices "
			    "(%s) leave nothing of maximum %s to boot with",
			    d->other_model, size_human(d->other_size, a,
			    sizeof(a)), size_human(c->maximum, b, sizeof(b)));
		boot -= d->other_size;
	}
	/* With NUMA cells libvirt takes <memory> from them. */
	if (t->ncells && !scale_cells(t, boot))
		return fail(err, errlen, "maximum %s is too small to share "
		    "over its %zu NUMA cells", size_human(boot, a, sizeof(a)),
		    t->ncells);
	set_kib(t->root, "memory", c->maximum);
	set_kib(t->root, "currentMemory", c->startup);
	/* <maxMemory> was there for the devices just removed. */
	if (was_hot && !d->other_model)
		remove_node(domxml_child(t->root, "maxMemory"));
	return 0;
}

/* Why virtio-mem cannot work in this domain, or NULL. */
static const char *
hotadd_refusal(const struct domxml *d, char *buf, size_t len)
{
	if (d->other_model) {
		snprintf(buf, len, "it uses %s memory devices, which "
		    "virtio-mem cannot share the memory hotplug setup with",
		    d->other_model);
		return buf;
	}
	if (d->locked)
		return "its memory is locked (<memoryBacking><locked/>), and "
		    "virtio-mem cannot plug or unplug locked memory";
	if (d->encrypted)
		return "its memory is encrypted (<launchSecurity>), which "
		    "virtio-mem does not support";
	return NULL;
}

static int
layout_hotadd(struct tree *t, const struct domxml *d,
    const struct vmconf *c, char *err, size_t errlen)
{
	uint64_t block = domdef_block(d), plug, align, *sizes;
	char why[256], a[32], b[32];
	const char *no;
	xmlNodePtr maxmem;
	size_t i, n;
	bool made;

	if ((no = hotadd_refusal(d, why, sizeof(why))))
		return fail(err, errlen, "cannot hot-add: %s", no);
	if (c->maximum <= c->startup)
		return fail(err, errlen, "cannot hot-add: maximum equals "
		    "startup (%s), so there is nothing to hot-add",
		    size_human(c->startup, a, sizeof(a)));
	/* Existing devices keep their blocks: share in the largest. */
	for (i = 0; i < d->nmem; i++)
		if (d->mem[i].block > block)
			block = d->mem[i].block;
	plug = c->maximum - c->startup;
	if (plug % block)
		return fail(err, errlen, "cannot hot-add: maximum - startup "
		    "(%s) is not a whole number of %s blocks",
		    exact(plug, a, sizeof(a)), exact(block, b, sizeof(b)));
	/* libvirt would round the boot memory up at start, and hugepages
	 * back it in whole pages. */
	align = d->hugepage > CELL_ALIGN ? d->hugepage : CELL_ALIGN;
	if (c->startup % align)
		return fail(err, errlen, "cannot hot-add: startup (%s) is not "
		    "a whole number of %s%s", exact(c->startup, a, sizeof(a)),
		    exact(align, b, sizeof(b)),
		    d->hugepage > CELL_ALIGN ? " hugepages" : " (libvirt "
		    "would round the boot memory up)");

	made = !t->ncells;
	if (made)
		add_cell(t, d, c->startup);
	else if (!scale_cells(t, c->startup))
		return fail(err, errlen, "cannot hot-add: startup %s is too "
		    "small to share over its %zu NUMA cells",
		    size_human(c->startup, a, sizeof(a)), t->ncells);
	/* A VM that is hot-add already keeps its devices; a new one gets a
	 * device per cell. */
	n = t->nmem ? t->nmem : t->ncells;
	sizes = xcalloc(n, sizeof(*sizes));
	if (plug / block < n || !share(plug, block, NULL, n, sizes)) {
		free(sizes);
		return fail(err, errlen, "cannot hot-add: maximum - startup "
		    "(%s) is less than one %s block for each of its %zu "
		    "NUMA cells", exact(plug, a, sizeof(a)),
		    exact(block, b, sizeof(b)), n);
	}
	if (t->nmem) {
		for (i = 0; i < n; i++)
			resize_device(t->mem[i], sizes[i]);
	} else {
		for (i = 0; i < n; i++)
			add_device(t, made ? 0 : cell_id(t->cells[i], i),
			    sizes[i], block);
	}
	free(sizes);

	/* Every memory device takes a slot, virtio-mem ones too (libvirt
	 * 9.0: "memory device count '2' exceeds slots count '1'"). */
	maxmem = set_kib(t->root, "maxMemory", d->max_memory > c->maximum ?
	    d->max_memory : c->maximum);
	snprintf(why, sizeof(why), "%zu", d->slots > t->nmem ?
	    (size_t)d->slots : t->nmem);
	xmlSetProp(maxmem, BAD_CAST "slots", BAD_CAST why);
	set_kib(t->root, "memory", c->startup);
	set_kib(t->root, "currentMemory", c->startup);
	return 0;
}

char *
domdef_rewrite(const char *xml, const struct vmconf *c, bool set_memory,
    int grow, char *err, size_t errlen)
{
	struct domxml d;
	struct tree t;
	xmlDocPtr doc;
	xmlNodePtr root;
	xmlChar *out = NULL;
	char *res = NULL;
	int len, rc = 0;
	bool hot;

	if (domxml_parse(xml, &d, err, errlen) < 0)
		return NULL;
	doc = xmldoc_read(xml, strlen(xml), "domain.xml", NULL, 0);
	if (!doc || !(root = xmlDocGetRootElement(doc))) {
		snprintf(err, errlen, "cannot parse the domain XML");
		xmlFreeDoc(doc);
		domxml_free(&d);
		return NULL;
	}
	tree_read(&t, root);
	hot = d.nmem > 0;
	if (grow == DOMDEF_KEEP)
		grow = hot;
	if (set_memory || grow != hot)
		rc = grow ? layout_hotadd(&t, &d, c, err, errlen) :
		    layout_balloon(&t, &d, c, err, errlen);
	if (rc == 0 && put_metadata(root, c) < 0) {
		snprintf(err, errlen, "cannot build settings element");
		rc = -1;
	}
	if (rc == 0) {
		xmlDocDumpMemory(doc, &out, &len);
		res = out ? xstrdup((const char *)out) : NULL;
		if (!res)
			snprintf(err, errlen, "cannot format the domain XML");
	}
	xmlFree(out);
	tree_free(&t);
	xmlFreeDoc(doc);
	domxml_free(&d);
	return res;
}
