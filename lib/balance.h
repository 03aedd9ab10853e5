/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * balance.h - one balancing pass: read every VM (bulk stats), plan with
 * the pure policy, move balloons, keep the per-VM state, report.
 */
#ifndef DM_BALANCE_H
#define DM_BALANCE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <libvirt/libvirt.h>

#include "hostconf.h"
#include "prom.h"

enum balance_output { BAL_TEXT, BAL_JSON, BAL_QUIET };

struct balance_opts {
	bool dry_run;
	enum balance_output output;
	uint64_t hold;		/* keep this much of the pool free (for a VM
				 * about to start): running VMs give back
				 * surplus for it, in the balancer's order */
	unsigned every;		/* seconds between passes; 0: one pass
				 * (from cron, taken as a minute) */
	struct prom_tally *tally;	/* NULL, or what the passes did, to
					 * add this pass's changes to */
};

/* Seconds from a demand change to the balancer's answer: the time to the
 * next pass and two stats reports. */
int64_t balance_react(const struct hostconf *hc, const struct balance_opts *o);

/*
 * Run one pass at time now. Returns 0 when it ran (whether or not
 * anything changed), 1 when some VM could not be set (the others still
 * were), -1 when the pass could not run at all (already reported).
 */
int balance_pass(virConnectPtr conn, const struct hostconf *hc,
    const struct balance_opts *o, time_t now, FILE *out);

#endif
