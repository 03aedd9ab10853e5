/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmconfxml.c - parse (strictly) and format the <dm:dynamic-memory>
 * element. */
#include "vmconf.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "size.h"
#include "util.h"
#include "xmldoc.h"

/* Text of an element with surrounding white space cut, or NULL if it has
 * child elements (a number never does). Caller frees. */
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
parse_size(xmlNodePtr node, const struct vmconf_setting *set,
    struct vmconf *c, char *err, size_t errlen)
{
	const char *name = set->name, *why;
	uint64_t mult = KIB, bytes;
	xmlAttrPtr a;
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
	else if (bytes > set->hi)
		snprintf(err, errlen, "field '%s': '%s' is more than 8 PiB",
		    name, text);
	else {
		*vmconf_size_at(c, set) = bytes;
		rc = 0;
	}
	free(text);
	return rc;
}

static int
parse_number(xmlNodePtr node, const struct vmconf_setting *set,
    struct vmconf *c, char *err, size_t errlen)
{
	long lo = (long)set->lo, hi = (long)set->hi;
	const char *why;
	char *text;
	int rc = -1;

	if (node->properties) {
		snprintf(err, errlen, "field '%s': unknown attribute '%s'",
		    set->name, (const char *)node->properties->name);
		return -1;
	}
	if (!(text = node_text(node, err, errlen, set->name)))
		return -1;
	if (number_parse(text, lo, hi, vmconf_number_at(c, set), &why) < 0)
		snprintf(err, errlen, "field '%s': '%s' is %s (%ld to %ld)",
		    set->name, text, why, lo, hi);
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

/* The root's name and its one attribute, enabled. */
static int
parse_enabled(xmlNodePtr root, struct vmconf *c, char *err, size_t errlen)
{
	bool have_enabled = false;
	xmlAttrPtr a;

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
	return 0;
}

/* One child of the root: a setting given once, blank text or a
 * comment. A setting already set was given before: none parses to its
 * unset value. */
static int
parse_child(xmlNodePtr root, xmlNodePtr k, struct vmconf *c, char *err,
    size_t errlen)
{
	const struct vmconf_setting *s;

	if (k->type == XML_TEXT_NODE) {
		if (xmlIsBlankNode(k))
			return 0;
		snprintf(err, errlen, "unexpected text inside <%s>",
		    VMCONF_ELEMENT);
		return -1;
	}
	if (k->type != XML_ELEMENT_NODE)
		return 0;	/* comments are the admin's business */
	for (s = vmconf_settings; s->name; s++)
		if (strcmp((const char *)k->name, s->name) == 0)
			break;
	if (!s->name || (root->ns ? !in_our_ns(k) : k->ns != NULL)) {
		snprintf(err, errlen, "unknown element <%s>",
		    (const char *)k->name);
		return -1;
	}
	if (vmconf_is_set(c, s)) {
		snprintf(err, errlen, "field '%s': given more than once",
		    s->name);
		return -1;
	}
	return s->kind == VMCONF_KIND_SIZE ? parse_size(k, s, c, err, errlen) :
	    parse_number(k, s, c, err, errlen);
}

static int
parse_root(xmlNodePtr root, struct vmconf *c, char *err, size_t errlen)
{
	xmlNodePtr k;

	if (parse_enabled(root, c, err, errlen) < 0)
		return -1;
	for (k = root->children; k; k = k->next)
		if (parse_child(root, k, c, err, errlen) < 0)
			return -1;
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
	size_t len = strlen(xml);
	xmlDocPtr doc;
	xmlNodePtr root;
	int rc = -1;

	vmconf_init(c);
	/* The element is a few hundred bytes; more is not ours. */
	if (len > VMCONF_XML_MAX) {
		snprintf(err, errlen, "larger than %d bytes", VMCONF_XML_MAX);
		return -1;
	}
	/* (A DOCTYPE is refused, so no entity expands without bound:
	 * libvirt refuses them too, but this parser does not count on
	 * that.) */
	if (!(doc = xmldoc_read(xml, len, "metadata.xml", err, errlen)))
		return -1;
	if ((root = xmlDocGetRootElement(doc)))
		rc = parse_root(root, c, err, errlen);
	else
		snprintf(err, errlen, "empty document");
	xmlFreeDoc(doc);
	/* The message quotes untrusted text: no control byte of it reaches
	 * the admin's terminal or log. */
	for (char *p = err; rc < 0 && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return rc;
}

char *
vmconf_format(const struct vmconf *c, bool ns)
{
	const char *p = ns ? VMCONF_PREFIX ":" : "";
	const struct vmconf_setting *s;
	char *body = xstrdup(""), *more, *out;

	for (s = vmconf_settings; s->name; s++) {
		uint64_t v;

		if (!vmconf_is_set(c, s))
			continue;
		/* Sizes are written in KiB, the unit libvirt itself uses. */
		if (s->kind == VMCONF_KIND_SIZE) {
			v = *vmconf_size_at(c, s);
			more = xasprintf("%s  <%s%s unit=\"KiB\">%llu</%s%s>\n",
			    body, p, s->name, (unsigned long long)(v / KIB +
			    (v % KIB != 0)), p, s->name);
		} else
			more = xasprintf("%s  <%s%s>%ld</%s%s>\n", body, p,
			    s->name, *vmconf_number_at(c, s), p, s->name);
		free(body);
		body = more;
	}
	out = xasprintf("<%s%s%s enabled=\"%s\">\n%s</%s%s>\n", p,
	    VMCONF_ELEMENT, ns ? " xmlns:" VMCONF_PREFIX "=\"" VMCONF_NS "\"" :
	    "", c->enabled ? "yes" : "no", body, p, VMCONF_ELEMENT);
	free(body);
	return out;
}
