/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bstate.h - what the balancer remembers about a running VM between
 * passes: when it first saw it running, since when it has had surplus,
 * when it last moved its memory, and for hot-add VMs how their unplugs
 * and onlining went. Kept in the VM's live metadata, so it survives
 * between cron runs and dies with the VM: no state file that can go stale.
 */
#ifndef DM_BSTATE_H
#define DM_BSTATE_H

#include <stdbool.h>
#include <stdint.h>

#define BSTATE_NS "urn:dmctl:balancer-state:1"
#define BSTATE_PREFIX "dmstate"

/* Times are seconds since the epoch; every field is -1 when unknown. */
struct bstate {
	int64_t seen;
	int64_t surplus_since;
	int64_t last_change;
	int64_t resize_since;	/* a plug or unplug was asked for then */
	int64_t resize_retry;	/* it stopped short: ask again at this time */
	int64_t resize_backoff;	/* seconds until the next retry after that */
	int64_t gap;		/* KiB the guest never shows in MemTotal,
				 * measured with nothing plugged */
	int64_t offline_since;	/* plugged memory seen offline since then */
	int64_t offline_at;	/* declared not onlining hot-added memory */
	int64_t settled;	/* KiB: the demand read from settled stats
				 * just before the last change */
	int64_t faults;		/* major faults + swap-ins, sampled while
				 * the guest is tight on memory */
	int64_t faults_at;	/* the guest's report time of that sample */
	int64_t thrashing;	/* faulting fast and tight since then */
	int64_t climb;		/* KiB/s its demand climbed lately */
	int64_t climb_demand;	/* KiB, the last sample of that */
	int64_t climb_at;	/* and its time */
	int64_t loan;		/* KiB lent to it from the idle pool */
	int64_t react;		/* seconds a pass took to answer, for
				 * the headroom climb x react */
};

void bstate_init(struct bstate *st);
/* Parse the <state .../> element (libxml2 node); -1 if not ours. */
struct _xmlNode;
int bstate_parse_node(struct _xmlNode *node, struct bstate *st);
/* The element for virDomainSetMetadata; caller frees. */
char *bstate_format(const struct bstate *st);
bool bstate_equal(const struct bstate *a, const struct bstate *b);

#endif
