/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bstate.c - the balancer's per-VM memory, as a tiny XML element. */
#include "bstate.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "util.h"

/* Every field, by its attribute name; all are int64_t, -1 unknown. */
static const struct {
	const char *name;
	size_t off;
} attrs[] = {
	{ "seen", offsetof(struct bstate, seen) },
	{ "surplus-since", offsetof(struct bstate, surplus_since) },
	{ "last-change", offsetof(struct bstate, last_change) },
	{ "resize-since", offsetof(struct bstate, resize_since) },
	{ "resize-retry", offsetof(struct bstate, resize_retry) },
	{ "resize-backoff", offsetof(struct bstate, resize_backoff) },
	{ "gap", offsetof(struct bstate, gap) },
	{ "offline-since", offsetof(struct bstate, offline_since) },
	{ "not-online", offsetof(struct bstate, offline_at) },
	{ "settled-demand", offsetof(struct bstate, settled) },
	{ "faults", offsetof(struct bstate, faults) },
	{ "faults-at", offsetof(struct bstate, faults_at) },
	{ "thrashing", offsetof(struct bstate, thrashing) },
	{ "climb", offsetof(struct bstate, climb) },
	{ "climb-demand", offsetof(struct bstate, climb_demand) },
	{ "climb-at", offsetof(struct bstate, climb_at) },
	{ "loan", offsetof(struct bstate, loan) },
	{ "react", offsetof(struct bstate, react) },
};

#define FIELD(st, i) (*(int64_t *)((char *)(st) + attrs[i].off))
#define CFIELD(st, i) (*(const int64_t *)((const char *)(st) + attrs[i].off))

void
bstate_init(struct bstate *st)
{
	size_t i;

	for (i = 0; i < DM_ARRAY_LEN(attrs); i++)
		FIELD(st, i) = -1;
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
	if (errno || end == (char *)v || *end || t < 0)
		rc = -1;
	else
		*out = t;
	xmlFree(v);
	return rc;
}

int
bstate_parse_node(struct _xmlNode *root, struct bstate *st)
{
	size_t i;

	bstate_init(st);
	if (!root || strcmp((const char *)root->name, "state") != 0)
		return -1;
	for (i = 0; i < DM_ARRAY_LEN(attrs); i++) {
		if (attr_time(root, attrs[i].name, &FIELD(st, i)) < 0) {
			bstate_init(st);
			return -1;
		}
	}
	return 0;
}

char *
bstate_format(const struct bstate *st)
{
	char out[1024] = "";	/* 18 fields of at most 40 bytes */
	size_t i, len = 0;

	/* An unknown value is left out rather than written as -1. */
	for (i = 0; i < DM_ARRAY_LEN(attrs); i++)
		if (CFIELD(st, i) >= 0)
			len += (size_t)snprintf(out + len, sizeof(out) - len,
			    " %s=\"%lld\"", attrs[i].name,
			    (long long)CFIELD(st, i));
	return xasprintf("<state%s/>", out);
}

bool
bstate_equal(const struct bstate *a, const struct bstate *b)
{
	size_t i;

	for (i = 0; i < DM_ARRAY_LEN(attrs); i++)
		if (CFIELD(a, i) != CFIELD(b, i))
			return false;
	return true;
}
