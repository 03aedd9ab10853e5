/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pass.h - the parts of one balancing pass (balance.c) shared by its
 * files: the item each dynamic running VM becomes, its preparation for the
 * policy (prepare.c), the actuator that moves balloons and plugs
 * (actuator.c) and the printed plan (plan.c). Internal to the balancer.
 */
#ifndef DM_PASS_H
#define DM_PASS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <libvirt/libvirt.h>

#include "bstate.h"
#include "hostconf.h"
#include "policy.h"
#include "vmstate.h"

/* One dynamic running VM of this pass. */
struct item {
	struct vm *vm;
	struct policy_vm in;
	struct policy_out out;
	struct bstate state;	/* to keep for the next pass */
	bool applied;
	bool gone;		/* stopped or vanished during the pass */
	bool blind;		/* no live stats: set the stats period */
	bool has_demand;	/* live stats gave a demand */
	bool settling;		/* just moved: may grow, not shrink */
	bool grace;		/* just started: may grow, not shrink */
	uint64_t minimum;	/* as configured (settling raises in's) */
	bool force;		/* hot-add: act even if the plan keeps the
				 * size (an unplug to retry or to make) */
	bool stuck;		/* hot-add: a plug or unplug stopped short */
	bool unplug_stuck;	/* ... an unplug */
	bool retry;		/* ... and it is time to ask again */
	const char *note;	/* what the actuator did instead, if not
				 * the plan (for the output) */
	char *error;
};

/* prepare.c: turn vm into it, the policy's input, at time now. Memory
 * plugged into a guest that cannot use it is added to *held. */
void pass_prepare(struct item *it, struct vm *vm, const struct hostconf *hc,
    time_t now, uint64_t *held);
/* Forget what was kept of VMs this pass did not prepare or say. */
void pass_memo_prune(void);
/* Say msg of vm (stderr and the log, log.h) once per episode. */
void pass_say_once(const struct vm *vm, int prio, const char *msg);

/* actuator.c: make it's plan so (balloon, plugs), drawing what it plugs
 * ahead from *spare; then keep its state for the next pass. */
void pass_apply(virConnectPtr conn, struct item *it, time_t now,
    int64_t *spare);
void pass_keep_state(virConnectPtr conn, struct item *it,
    const struct hostconf *hc);
/* The least a hot-add VM's balloon leaves of its boot memory while
 * plugged memory stays. */
uint64_t pass_balloon_floor(uint64_t plugged);

/* plan.c: the plan and its outcome, as text (one line per VM that
 * changes, and per VM that does not in a dry run) or as JSON. */
void plan_print_text(FILE *f, const struct item *it, bool dry_run);
void plan_print_json(FILE *f, const struct snapshot *s,
    const struct item *items, size_t n, bool dry_run, time_t now);

#endif
