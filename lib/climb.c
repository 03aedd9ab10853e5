/* SPDX-License-Identifier: GPL-2.0-or-later */
/* climb.c - what a VM's recent past adds to the policy's input: how fast
 * its demand climbs and rises, and a balloon that is settling (policy.h). */
#include "policy.h"

#include "share.h"

void
policy_climb(struct policy_climb *c, uint64_t demand, int64_t now)
{
	int64_t dt = now - c->at;

	if (c->at >= 0 && dt < POLICY_CLIMB_WINDOW)
		return;		/* too soon, or an older figure */
	if (c->at >= 0) {
		uint64_t rise = demand > c->demand ?
		    (demand - c->demand) / (uint64_t)dt : 0;

		c->rate = share_mul_div(c->rate, POLICY_CLIMB_FADE,
		    POLICY_CLIMB_FADE + (uint64_t)dt);
		if (rise > c->rate)
			c->rate = rise;
	}
	c->demand = demand;
	c->at = now;
}

void
policy_rise(struct policy_rise *r, uint64_t demand, int64_t now)
{
	if (r->at >= 0 && now <= r->at)
		return;
	r->rate = r->at >= 0 && demand > r->demand + POLICY_RISE_MIN ?
	    (demand - r->demand) / (uint64_t)(now - r->at) : 0;
	r->demand = demand;
	r->at = now;
}

void
policy_settling(struct policy_vm *v)
{
	v->stats = PS_FRESH;
	if (v->minimum < v->assigned)
		v->minimum = v->assigned < v->maximum ? v->assigned :
		    v->maximum;
}
