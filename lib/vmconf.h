/*
 * vmconf.h - the per-VM dynamic memory settings and their XML form in the
 * domain <metadata>. Pure: no libvirt calls, so it is unit tested alone.
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

/* Sizes are bytes, 0 when not set; buffer and weight are -1 when not set. */
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
