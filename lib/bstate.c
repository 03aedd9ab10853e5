/* bstate.c - the balancer's per-VM memory, as a tiny XML element. */
#include "bstate.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "util.h"

void
bstate_init(struct bstate *st)
{
	st->seen = st->surplus_since = st->last_change = -1;
}

static int
attr_time(xmlNodePtr n, const char *name, int64_t *out)
{
	xmlChar *v = xmlGetProp(n, BAD_CAST name);
	char *end;
	long long t;
	int rc = 0;

	if (!v)
		return 0;	/* absent: unknown */
	errno = 0;
	t = strtoll((const char *)v, &end, 10);
	if (errno || *end || end == (char *)v || t < 0)
		rc = -1;
	else
		*out = t;
	xmlFree(v);
	return rc;
}

int
bstate_parse(const char *xml, struct bstate *st)
{
	xmlDocPtr doc;
	xmlNodePtr root;
	int rc = -1;

	bstate_init(st);
	doc = xmlReadMemory(xml, (int)strlen(xml), "state.xml", NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc)
		return -1;
	root = xmlDocGetRootElement(doc);
	if (root && strcmp((const char *)root->name, "state") == 0 &&
	    attr_time(root, "seen", &st->seen) == 0 &&
	    attr_time(root, "surplus-since", &st->surplus_since) == 0 &&
	    attr_time(root, "last-change", &st->last_change) == 0)
		rc = 0;
	xmlFreeDoc(doc);
	if (rc < 0)
		bstate_init(st);
	return rc;
}

char *
bstate_format(const struct bstate *st)
{
	static const char *const names[] = { "seen", "surplus-since",
		"last-change" };
	const int64_t v[] = { st->seen, st->surplus_since, st->last_change };
	char attrs[128] = "";
	size_t i, len = 0;

	/* An unknown time is left out rather than written as -1. */
	for (i = 0; i < 3; i++)
		if (v[i] >= 0)
			len += (size_t)snprintf(attrs + len, sizeof(attrs) - len,
			    " %s=\"%lld\"", names[i], (long long)v[i]);
	return xasprintf("<state%s/>", attrs);
}

bool
bstate_equal(const struct bstate *a, const struct bstate *b)
{
	return a->seen == b->seen && a->surplus_since == b->surplus_since &&
	    a->last_change == b->last_change;
}
