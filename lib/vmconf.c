/* vmconf.c - parse, check and format the <dm:dynamic-memory> element. */
#include "vmconf.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "size.h"
#include "util.h"
#include "xmldoc.h"

enum field { F_STARTUP, F_MINIMUM, F_MAXIMUM, F_BUFFER, F_WEIGHT, F_COUNT };

static const char *const field_names[F_COUNT] = {
	"startup", "minimum", "maximum", "buffer", "weight",
};

bool
vmconf_equal(const struct vmconf *a, const struct vmconf *b)
{
	return a->enabled == b->enabled && a->startup == b->startup &&
	    a->minimum == b->minimum && a->maximum == b->maximum &&
	    a->buffer == b->buffer && a->weight == b->weight;
}

char *
vmconf_against(const struct vmconf *c, uint64_t memory)
{
	char a[32], m[32];

	if (!c->enabled)
		return NULL;	/* inert until enabled again */
	size_human(memory, m, sizeof(m));
	if (c->startup > memory)
		return xasprintf("field 'startup': %s is more than the VM's "
		    "<memory> %s (give --maximum to grow the domain)",
		    size_human(c->startup, a, sizeof(a)), m);
	if (c->minimum > memory)
		return xasprintf("field 'minimum': %s is more than the VM's "
		    "<memory> %s (give --maximum to grow the domain)",
		    size_human(c->minimum, a, sizeof(a)), m);
	return NULL;
}

void
vmconf_init(struct vmconf *c)
{
	memset(c, 0, sizeof(*c));
	c->buffer = -1;
	c->weight = -1;
}

void
vmconf_change_init(struct vmconf_change *ch)
{
	ch->enable = -1;
	vmconf_init(&ch->v);
}

/* Text of an element with surrounding white space cut, or NULL if it has
 * child elements (a number never does). Caller frees with xmlFree. */
static char *
node_text(xmlNodePtr node, char *err, size_t errlen, const char *name)
{
	xmlNodePtr k;
	xmlChar *raw;
	char *s, *start, *end;

	for (k = node->children; k; k = k->next) {
		if (k->type == XML_ELEMENT_NODE) {
			snprintf(err, errlen, "field '%s': unexpected element "
			    "<%s> inside it", name, (const char *)k->name);
			return NULL;
		}
	}
	raw = xmlNodeGetContent(node);
	s = xstrdup(raw ? (const char *)raw : "");
	xmlFree(raw);
	for (start = s; *start == ' ' || *start == '\t' || *start == '\n' ||
	    *start == '\r'; start++)
		;
	end = start + strlen(start);
	while (end > start && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\n' || end[-1] == '\r'))
		*--end = '\0';
	memmove(s, start, strlen(start) + 1);
	return s;
}

static int
parse_size_field(xmlNodePtr node, const char *name, uint64_t *out,
    char *err, size_t errlen)
{
	xmlAttrPtr a;
	uint64_t mult = KIB, bytes;
	const char *why;
	char *text;
	int rc = -1;

	for (a = node->properties; a; a = a->next) {
		xmlChar *v;

		if (strcmp((const char *)a->name, "unit") != 0 || a->ns) {
			snprintf(err, errlen, "field '%s': unknown attribute "
			    "'%s'", name, (const char *)a->name);
			return -1;
		}
		v = xmlNodeListGetString(node->doc, a->children, 1);
		if (size_unit(v ? (const char *)v : "", &mult) < 0 || !v ||
		    !*v) {
			snprintf(err, errlen, "field '%s': unknown unit '%s'",
			    name, v ? (const char *)v : "");
			xmlFree(v);
			return -1;
		}
		xmlFree(v);
	}
	if (!(text = node_text(node, err, errlen, name)))
		return -1;
	/* A unit inside the text ("512M") is not valid XML for libvirt
	 * either: only digits here, the unit goes in the attribute. */
	if (text[strspn(text, "0123456789")] != '\0' || !*text)
		snprintf(err, errlen, "field '%s': '%s' is not a whole number",
		    name, text);
	else if (size_parse(text, mult, &bytes, &why) < 0)
		snprintf(err, errlen, "field '%s': '%s' %s", name, text, why);
	else if (bytes > VMCONF_SIZE_MAX)
		snprintf(err, errlen, "field '%s': '%s' is more than 8 PiB",
		    name, text);
	else {
		*out = bytes;
		rc = 0;
	}
	free(text);
	return rc;
}

static int
parse_number_field(xmlNodePtr node, const char *name, long lo, long hi,
    long *out, char *err, size_t errlen)
{
	const char *why;
	char *text;
	int rc = -1;

	if (node->properties) {
		snprintf(err, errlen, "field '%s': unknown attribute '%s'",
		    name, (const char *)node->properties->name);
		return -1;
	}
	if (!(text = node_text(node, err, errlen, name)))
		return -1;
	if (number_parse(text, lo, hi, out, &why) < 0)
		snprintf(err, errlen, "field '%s': '%s' is %s (%ld to %ld)",
		    name, text, why, lo, hi);
	else
		rc = 0;
	free(text);
	return rc;
}

static bool
in_our_ns(xmlNodePtr node)
{
	return node->ns && node->ns->href &&
	    strcmp((const char *)node->ns->href, VMCONF_NS) == 0;
}

static int
parse_root(xmlNodePtr root, struct vmconf *c, char *err, size_t errlen)
{
	bool seen[F_COUNT] = { false };
	bool have_enabled = false;
	xmlAttrPtr a;
	xmlNodePtr k;

	/* virDomainGetMetadata hands the element back without its
	 * namespace (libvirt chose it by namespace already); inside a whole
	 * domain XML it carries ours. Any other namespace is not ours. */
	if (strcmp((const char *)root->name, VMCONF_ELEMENT) != 0 ||
	    (root->ns && !in_our_ns(root))) {
		snprintf(err, errlen, "expected <%s> in namespace %s, found "
		    "<%s>", VMCONF_ELEMENT, VMCONF_NS,
		    (const char *)root->name);
		return -1;
	}
	for (a = root->properties; a; a = a->next) {
		xmlChar *v;

		if (strcmp((const char *)a->name, "enabled") != 0 || a->ns) {
			snprintf(err, errlen, "unknown attribute '%s'",
			    (const char *)a->name);
			return -1;
		}
		v = xmlNodeListGetString(root->doc, a->children, 1);
		if (v && strcmp((const char *)v, "yes") == 0)
			c->enabled = true;
		else if (v && strcmp((const char *)v, "no") == 0)
			c->enabled = false;
		else {
			snprintf(err, errlen, "field 'enabled': '%s' is not "
			    "'yes' or 'no'", v ? (const char *)v : "");
			xmlFree(v);
			return -1;
		}
		xmlFree(v);
		have_enabled = true;
	}
	if (!have_enabled) {
		snprintf(err, errlen, "field 'enabled': missing (expected "
		    "enabled='yes' or enabled='no')");
		return -1;
	}

	for (k = root->children; k; k = k->next) {
		enum field f;
		int rc;

		if (k->type == XML_TEXT_NODE) {
			if (!xmlIsBlankNode(k)) {
				snprintf(err, errlen, "unexpected text inside "
				    "<%s>", VMCONF_ELEMENT);
				return -1;
			}
			continue;
		}
		if (k->type != XML_ELEMENT_NODE)
			continue;	/* comments are the admin's business */
		for (f = 0; f < F_COUNT; f++)
			if (strcmp((const char *)k->name, field_names[f]) == 0)
				break;
		if (f == F_COUNT || (root->ns ? !in_our_ns(k) : k->ns != NULL)) {
			snprintf(err, errlen, "unknown element <%s>",
			    (const char *)k->name);
			return -1;
		}
		if (seen[f]) {
			snprintf(err, errlen, "field '%s': given more than "
			    "once", field_names[f]);
			return -1;
		}
		seen[f] = true;
		switch (f) {
		case F_STARTUP:
			rc = parse_size_field(k, "startup", &c->startup, err,
			    errlen);
			break;
		case F_MINIMUM:
			rc = parse_size_field(k, "minimum", &c->minimum, err,
			    errlen);
			break;
		case F_MAXIMUM:
			rc = parse_size_field(k, "maximum", &c->maximum, err,
			    errlen);
			break;
		case F_BUFFER:
			rc = parse_number_field(k, "buffer", VMCONF_BUFFER_MIN,
			    VMCONF_BUFFER_MAX, &c->buffer, err, errlen);
			break;
		default:
			rc = parse_number_field(k, "weight", VMCONF_WEIGHT_MIN,
			    VMCONF_WEIGHT_MAX, &c->weight, err, errlen);
			break;
		}
		if (rc < 0)
			return -1;
	}
	return vmconf_check(c, 0, err, errlen);
}

int
vmconf_parse_node(struct _xmlNode *node, struct vmconf *c, char *err,
    size_t errlen)
{
	vmconf_init(c);
	return parse_root(node, c, err, errlen);
}

int
vmconf_parse(const char *xml, struct vmconf *c, char *err, size_t errlen)
{
	xmlDocPtr doc;
	xmlNodePtr root;
	int rc;

	vmconf_init(c);
	/* The element is a few hundred bytes; more is not ours. */
	if (strlen(xml) > VMCONF_XML_MAX) {
		snprintf(err, errlen, "larger than %d bytes", VMCONF_XML_MAX);
		return -1;
	}
	/* (A DOCTYPE is refused, so no entity expands without bound:
	 * libvirt refuses them too, but this parser does not count on
	 * that.) */
	if (!(doc = xmldoc_read(xml, strlen(xml), "metadata.xml", err,
	    errlen)))
		return -1;
	root = xmlDocGetRootElement(doc);
	rc = root ? parse_root(root, c, err, errlen) : -1;
	if (!root)
		snprintf(err, errlen, "empty document");
	xmlFreeDoc(doc);
	/* The message quotes untrusted text: no control byte of it reaches
	 * the admin's terminal or log. */
	for (char *p = err; rc < 0 && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return rc;
}

void
vmconf_fill(struct vmconf *c, uint64_t current, uint64_t memory)
{
	if (!c->startup)
		c->startup = current;
	if (!c->maximum)
		c->maximum = memory > c->startup ? memory : c->startup;
	if (!c->minimum)
		c->minimum = c->startup;
	if (c->buffer < 0)
		c->buffer = VMCONF_BUFFER_DEFAULT;
	if (c->weight < 0)
		c->weight = VMCONF_WEIGHT_DEFAULT;
}

void
vmconf_apply(struct vmconf *c, const struct vmconf_change *ch)
{
	if (ch->enable >= 0)
		c->enabled = ch->enable;
	if (ch->v.startup)
		c->startup = ch->v.startup;
	if (ch->v.minimum)
		c->minimum = ch->v.minimum;
	if (ch->v.maximum)
		c->maximum = ch->v.maximum;
	if (ch->v.buffer >= 0)
		c->buffer = ch->v.buffer;
	if (ch->v.weight >= 0)
		c->weight = ch->v.weight;
}

/* minimum <= startup <= maximum, checked pairwise where both are set. */
static const struct {
	const char *lo_name, *hi_name;
	size_t lo, hi;
} order[] = {
	{ "minimum", "startup", offsetof(struct vmconf, minimum),
	    offsetof(struct vmconf, startup) },
	{ "startup", "maximum", offsetof(struct vmconf, startup),
	    offsetof(struct vmconf, maximum) },
	{ "minimum", "maximum", offsetof(struct vmconf, minimum),
	    offsetof(struct vmconf, maximum) },
};

#define FIELD_U64(c, off) (*(const uint64_t *)((const char *)(c) + (off)))

int
vmconf_check(const struct vmconf *c, uint64_t host_memory, char *err,
    size_t errlen)
{
	char a[32], b[32];

	if (c->buffer >= 0 && (c->buffer < VMCONF_BUFFER_MIN ||
	    c->buffer > VMCONF_BUFFER_MAX)) {
		snprintf(err, errlen, "field 'buffer': %ld is out of range "
		    "(%d to %d)", c->buffer, VMCONF_BUFFER_MIN,
		    VMCONF_BUFFER_MAX);
		return -1;
	}
	if (c->weight >= 0 && (c->weight < VMCONF_WEIGHT_MIN ||
	    c->weight > VMCONF_WEIGHT_MAX)) {
		snprintf(err, errlen, "field 'weight': %ld is out of range "
		    "(%d to %d)", c->weight, VMCONF_WEIGHT_MIN,
		    VMCONF_WEIGHT_MAX);
		return -1;
	}
	for (int i = 0; i < 3; i++) {
		const uint64_t v[3] = { c->startup, c->minimum, c->maximum };

		if (v[i] && v[i] < VMCONF_SIZE_MIN) {
			snprintf(err, errlen, "field '%s': %s is below the "
			    "%s floor", field_names[i],
			    size_human(v[i], a, sizeof(a)),
			    size_human(VMCONF_SIZE_MIN, b, sizeof(b)));
			return -1;
		}
	}
	for (size_t i = 0; i < DM_ARRAY_LEN(order); i++) {
		uint64_t lo = FIELD_U64(c, order[i].lo);
		uint64_t hi = FIELD_U64(c, order[i].hi);

		if (lo && hi && lo > hi) {
			snprintf(err, errlen, "field '%s': %s is above %s %s",
			    order[i].lo_name, size_human(lo, a, sizeof(a)),
			    order[i].hi_name, size_human(hi, b, sizeof(b)));
			return -1;
		}
	}
	if (host_memory && c->maximum > host_memory) {
		snprintf(err, errlen, "field 'maximum': %s is above the host's "
		    "memory %s", size_human(c->maximum, a, sizeof(a)),
		    size_human(host_memory, b, sizeof(b)));
		return -1;
	}
	return 0;
}

char *
vmconf_format(const struct vmconf *c, bool ns)
{
	const char *p = ns ? VMCONF_PREFIX ":" : "";
	char *sizes[3] = { NULL, NULL, NULL }, *nums[2] = { NULL, NULL };
	const uint64_t vals[3] = { c->startup, c->minimum, c->maximum };
	char *out;
	int i;

	/* Sizes are written in KiB, the unit libvirt itself uses. */
	for (i = 0; i < 3; i++)
		sizes[i] = vals[i] ? xasprintf("  <%s%s unit=\"KiB\">%llu"
		    "</%s%s>\n", p, field_names[i],
		    (unsigned long long)(vals[i] / KIB + (vals[i] % KIB != 0)), p,
		    field_names[i]) : xstrdup("");
	nums[0] = c->buffer >= 0 ? xasprintf("  <%sbuffer>%ld</%sbuffer>\n",
	    p, c->buffer, p) : xstrdup("");
	nums[1] = c->weight >= 0 ? xasprintf("  <%sweight>%ld</%sweight>\n",
	    p, c->weight, p) : xstrdup("");
	out = xasprintf("<%s%s%s enabled=\"%s\">\n%s%s%s%s%s</%s%s>\n",
	    p, VMCONF_ELEMENT,
	    ns ? " xmlns:" VMCONF_PREFIX "=\"" VMCONF_NS "\"" : "",
	    c->enabled ? "yes" : "no", sizes[0], sizes[1], sizes[2], nums[0],
	    nums[1], p, VMCONF_ELEMENT);
	for (i = 0; i < 3; i++)
		free(sizes[i]);
	free(nums[0]);
	free(nums[1]);
	return out;
}
