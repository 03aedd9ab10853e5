/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmconf.c - the settings model: its table, defaults, changes and checks. */
#include "vmconf.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "size.h"
#include "util.h"

/* One row a setting (vmconf.h says what reads them); a new setting is a
 * row here. */
const struct vmconf_setting vmconf_settings[] = {
#define VC_FIELD(f) offsetof(struct vmconf, f)
	{ "startup", VMCONF_KIND_SIZE, VC_FIELD(startup), VMCONF_SIZE_MIN,
	    VMCONF_SIZE_MAX, 0, true },
	{ "minimum", VMCONF_KIND_SIZE, VC_FIELD(minimum), VMCONF_SIZE_MIN,
	    VMCONF_SIZE_MAX, 0, false },
	{ "maximum", VMCONF_KIND_SIZE, VC_FIELD(maximum), VMCONF_SIZE_MIN,
	    VMCONF_SIZE_MAX, 0, true },
	{ "buffer", VMCONF_KIND_NUMBER, VC_FIELD(buffer), VMCONF_BUFFER_MIN,
	    VMCONF_BUFFER_MAX, VMCONF_BUFFER_DEFAULT, false },
	{ "weight", VMCONF_KIND_NUMBER, VC_FIELD(weight), VMCONF_WEIGHT_MIN,
	    VMCONF_WEIGHT_MAX, VMCONF_WEIGHT_DEFAULT, false },
	{ NULL },
};

bool
vmconf_equal(const struct vmconf *a, const struct vmconf *b)
{
	const struct vmconf_setting *s;

	if (a->enabled != b->enabled)
		return false;
	for (s = vmconf_settings; s->name; s++)
		if (s->kind == VMCONF_KIND_SIZE ?
		    *vmconf_size_at(a, s) != *vmconf_size_at(b, s) :
		    *vmconf_number_at(a, s) != *vmconf_number_at(b, s))
			return false;
	return true;
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
	const struct vmconf_setting *s;

	memset(c, 0, sizeof(*c));
	for (s = vmconf_settings; s->name; s++)
		if (s->kind == VMCONF_KIND_NUMBER)
			*vmconf_number_at(c, s) = -1;
}

void
vmconf_change_init(struct vmconf_change *ch)
{
	ch->enable = -1;
	vmconf_init(&ch->v);
}

void
vmconf_fill(struct vmconf *c, uint64_t current, uint64_t memory)
{
	const struct vmconf_setting *s;

	if (!c->startup)
		c->startup = current;
	if (!c->maximum)
		c->maximum = memory > c->startup ? memory : c->startup;
	if (!c->minimum)
		c->minimum = c->startup;
	for (s = vmconf_settings; s->name; s++)
		if (s->kind == VMCONF_KIND_NUMBER && !vmconf_is_set(c, s))
			*vmconf_number_at(c, s) = s->dflt;
}

void
vmconf_apply(struct vmconf *c, const struct vmconf_change *ch)
{
	const struct vmconf_setting *s;

	if (ch->enable >= 0)
		c->enabled = ch->enable;
	for (s = vmconf_settings; s->name; s++) {
		if (!vmconf_is_set(&ch->v, s))
			continue;
		if (s->kind == VMCONF_KIND_SIZE)
			*vmconf_size_at(c, s) = *vmconf_size_at(&ch->v, s);
		else
			*vmconf_number_at(c, s) = *vmconf_number_at(&ch->v, s);
	}
}

bool
vmconf_change_boot(const struct vmconf_change *ch)
{
	const struct vmconf_setting *s;

	for (s = vmconf_settings; s->name; s++)
		if (s->boot && vmconf_is_set(&ch->v, s))
			return true;
	return false;
}

static int
above_host(const char *name, uint64_t v, uint64_t host_memory, char *err,
    size_t errlen)
{
	char a[32], b[32];

	snprintf(err, errlen, "field '%s': %s is above the host's memory %s",
	    name, size_human(v, a, sizeof(a)),
	    size_human(host_memory, b, sizeof(b)));
	return -1;
}

int
vmconf_change_check(const struct vmconf_change *ch, uint64_t host_memory,
    char *err, size_t errlen)
{
	const struct vmconf_setting *s;

	for (s = vmconf_settings; s->name; s++)
		if (s->kind == VMCONF_KIND_SIZE && host_memory &&
		    *vmconf_size_at(&ch->v, s) > host_memory)
			return above_host(s->name, *vmconf_size_at(&ch->v, s),
			    host_memory, err, errlen);
	return 0;
}

/* minimum <= startup <= maximum, checked pairwise where both are set. */
static const struct {
	const char *lo_name, *hi_name;
	size_t lo, hi;
} order[] = {
	{ "minimum", "startup", VC_FIELD(minimum), VC_FIELD(startup) },
	{ "startup", "maximum", VC_FIELD(startup), VC_FIELD(maximum) },
	{ "minimum", "maximum", VC_FIELD(minimum), VC_FIELD(maximum) },
#undef VC_FIELD
};

#define FIELD_U64(c, off) (*(const uint64_t *)((const char *)(c) + (off)))

/* Setting s of c within the range of its row, where set. */
static int
check_range(const struct vmconf *c, const struct vmconf_setting *s, char *err,
    size_t errlen)
{
	char a[32], b[32];
	long n;
	uint64_t v;

	if (!vmconf_is_set(c, s))
		return 0;
	if (s->kind == VMCONF_KIND_NUMBER) {
		n = *vmconf_number_at(c, s);
		if (n >= (long)s->lo && n <= (long)s->hi)
			return 0;
		snprintf(err, errlen, "field '%s': %ld is out of range "
		    "(%ld to %ld)", s->name, n, (long)s->lo, (long)s->hi);
		return -1;
	}
	/* The most is the parser's (and the host's) to refuse. */
	if ((v = *vmconf_size_at(c, s)) >= s->lo)
		return 0;
	snprintf(err, errlen, "field '%s': %s is below the %s floor",
	    s->name, size_human(v, a, sizeof(a)),
	    size_human(s->lo, b, sizeof(b)));
	return -1;
}

int
vmconf_check(const struct vmconf *c, uint64_t host_memory, char *err,
    size_t errlen)
{
	const struct vmconf_setting *s;
	char a[32], b[32];
	size_t i;

	for (s = vmconf_settings; s->name; s++)
		if (check_range(c, s, err, errlen) < 0)
			return -1;
	for (i = 0; i < DM_ARRAY_LEN(order); i++) {
		uint64_t lo = FIELD_U64(c, order[i].lo);
		uint64_t hi = FIELD_U64(c, order[i].hi);

		if (lo && hi && lo > hi) {
			snprintf(err, errlen, "field '%s': %s is above %s %s",
			    order[i].lo_name, size_human(lo, a, sizeof(a)),
			    order[i].hi_name, size_human(hi, b, sizeof(b)));
			return -1;
		}
	}
	if (host_memory && c->maximum > host_memory)
		return above_host("maximum", c->maximum, host_memory, err,
		    errlen);
	return 0;
}
