/*
 * bstate.h - what the balancer remembers about a running VM between
 * passes: when it first saw it running, since when it has had surplus,
 * and when it last moved its balloon. Kept in the VM's live metadata, so
 * it survives between cron runs and dies with the VM: no state file that
 * can go stale.
 */
#ifndef DM_BSTATE_H
#define DM_BSTATE_H

#include <stdbool.h>
#include <stdint.h>

#define BSTATE_NS "urn:dmctl:balancer-state:1"
#define BSTATE_PREFIX "dmstate"

/* Seconds since the epoch, -1 when unknown. */
struct bstate {
	int64_t seen;
	int64_t surplus_since;
	int64_t last_change;
};

void bstate_init(struct bstate *st);
/* Parse <state seen="" surplus-since="" last-change=""/>; -1 if not ours. */
int bstate_parse(const char *xml, struct bstate *st);
/* The element for virDomainSetMetadata; caller frees. */
char *bstate_format(const struct bstate *st);
bool bstate_equal(const struct bstate *a, const struct bstate *b);

#endif
