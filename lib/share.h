/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * share.h - how the policy hands out an amount of memory among VMs, each
 * up to its cap: by priority (the higher weight first), or in proportion
 * to weight. Pure arithmetic over arrays of n VMs; in[i] says which take
 * part.
 */
#ifndef DM_SHARE_H
#define DM_SHARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"

/* a * b / c without overflow; 0 when c is 0. */
uint64_t share_mul_div(uint64_t a, uint64_t b, uint64_t c);

/*
 * Hand out up to amount to the VMs in priority order, each up to cap[i],
 * adding to give[i]. With since NULL, VMs of equal weight share in
 * proportion to their caps, so equals are treated alike; otherwise equals
 * are served one by one, the later since[i] first, so that as few VMs as
 * possible end up short. Returns what is left.
 */
uint64_t share_priority(uint64_t amount, const struct policy_vm *vms,
    const bool *in, const uint64_t *cap, uint64_t *give, size_t n,
    const int64_t *since);

/*
 * Share amount in proportion to wt[i], each VM up to cap[i] (water
 * filling: what a capped VM cannot take goes to the others). VMs of
 * wt 0 share only what all others could not take, as equals.
 */
void share_by_weight(uint64_t amount, const uint64_t *wt, const bool *in,
    const uint64_t *cap, uint64_t *give, size_t n);

#endif
