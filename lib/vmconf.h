/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vmconf.h - the per-VM dynamic memory settings (vmconf.c) and their XML
 * form in the domain <metadata> (vmconfxml.c). Pure: no libvirt calls, so
 * it is unit tested alone.
 */
#ifndef DM_VMCONF_H
#define DM_VMCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VMCONF_NS "urn:dmctl:dynamic-memory:1"
#define VMCONF_PREFIX "dm"
#define VMCONF_ELEMENT "dynamic-memory"

#define VMCONF_BUFFER_MIN 5
#define VMCONF_BUFFER_MAX 2000
#define VMCONF_BUFFER_DEFAULT 20
#define VMCONF_WEIGHT_MIN 0
#define VMCONF_WEIGHT_MAX 100
#define VMCONF_WEIGHT_DEFAULT 50
/* The settings element as virDomainGetMetadata gives it, in bytes at
 * most. */
#define VMCONF_XML_MAX 65536
/* No size above this is taken (8 PiB, more than any host has): sums and
 * the rounding to KiB cannot overflow. */
#define VMCONF_SIZE_MAX (1ULL << 53)
/* No size below this is taken: Hyper-V's own floor for a VM's memory. */
#define VMCONF_SIZE_MIN ((uint64_t)32 << 20)

/* Sizes are bytes, 0 when not set; buffer and weight are -1 when not set.
 * A new setting is a field here, a row in vmconf_settings (vmconf.c)
 * and its option in cmd/set.c. */
struct vmconf {
	bool enabled;
	uint64_t startup;
	uint64_t minimum;
	uint64_t maximum;
	long buffer;
	long weight;
};

/* What "dmctl set" asks for: enable is -1 (leave), 0 or 1. */
struct vmconf_change {
	int enable;
	struct vmconf v;
};

/*
 * Every setting once, in the order the element lists them
 * (vmconf_settings, ended by a row without a name): parsing, the checks,
 * the format, vmconf_equal, vmconf_fill's defaults and vmconf_apply read
 * it. How the three sizes default from the domain, and the order between
 * them, are vmconf_fill's and vmconf_check's own.
 */
enum vmconf_kind {
	VMCONF_KIND_SIZE,	/* uint64_t bytes, 0 unset */
	VMCONF_KIND_NUMBER,	/* long, -1 unset; the range is not negative */
};

struct vmconf_setting {
	const char *name;	/* its element, and its option */
	enum vmconf_kind kind;
	size_t off;		/* of the field in struct vmconf */
	uint64_t lo, hi;	/* the range taken */
	long dflt;		/* a number's default (vmconf_fill) */
	bool boot;		/* the domain's boot memory layout holds it */
};

extern const struct vmconf_setting vmconf_settings[];

/* The field of setting s in c. As with strchr, a const c gives a pointer
 * to write through only where the caller's c is not const. */
static inline uint64_t *
vmconf_size_at(const struct vmconf *c, const struct vmconf_setting *s)
{
	return (uint64_t *)((const char *)c + s->off);
}

static inline long *
vmconf_number_at(const struct vmconf *c, const struct vmconf_setting *s)
{
	return (long *)((const char *)c + s->off);
}

static inline bool
vmconf_is_set(const struct vmconf *c, const struct vmconf_setting *s)
{
	return s->kind == VMCONF_KIND_SIZE ? *vmconf_size_at(c, s) != 0 :
	    *vmconf_number_at(c, s) >= 0;
}

void vmconf_init(struct vmconf *c);
bool vmconf_equal(const struct vmconf *a, const struct vmconf *b);
/* Why settings contradict a domain whose <memory> is memory (bytes): a
 * startup or minimum above it (a maximum above it is only capped); NULL
 * when they agree or are not enabled. Caller frees. */
char *vmconf_against(const struct vmconf *c, uint64_t memory);
void vmconf_change_init(struct vmconf_change *ch);

/*
 * Parse the element as virDomainGetMetadata returns it. Strict: unknown
 * or repeated elements and attributes, bad numbers and units, and
 * inconsistent sizes are errors, described in err as "field 'buffer': ...".
 * Missing elements stay unset (see vmconf_fill). Returns 0 or -1.
 */
int vmconf_parse(const char *xml, struct vmconf *c, char *err, size_t errlen);

/* The same for an element inside a parsed document (libxml2's xmlNode). */
struct _xmlNode;
int vmconf_parse_node(struct _xmlNode *node, struct vmconf *c, char *err,
    size_t errlen);

/*
 * Fill unset values from the domain: startup = current size,
 * maximum = <memory>, minimum = startup, buffer and weight defaults.
 */
void vmconf_fill(struct vmconf *c, uint64_t current, uint64_t memory);

/* Apply the fields a change names; the rest stay as they are. */
void vmconf_apply(struct vmconf *c, const struct vmconf_change *ch);

/* The change names a boot setting (startup, maximum): one the domain's
 * memory layout holds, so only its persistent definition can take it. */
bool vmconf_change_boot(const struct vmconf_change *ch);

/*
 * A size the change names above host_memory (0 skips the check), blamed
 * on the field given: a startup of 15E is not the maximum's fault, which
 * vmconf_fill would take from it. Returns 0 or -1 with err set.
 */
int vmconf_change_check(const struct vmconf_change *ch, uint64_t host_memory,
    char *err, size_t errlen);

/*
 * Check ranges and minimum <= startup <= maximum <= host_memory
 * (host_memory 0 skips that check). Returns 0 or -1 with err set.
 */
int vmconf_check(const struct vmconf *c, uint64_t host_memory, char *err,
    size_t errlen);

/*
 * The element as text. With ns, it carries the dm: prefix and namespace
 * declaration, as it stands inside a full domain XML; without, it is the
 * bare form virDomainSetMetadata takes. Caller frees.
 */
char *vmconf_format(const struct vmconf *c, bool ns);

#endif
