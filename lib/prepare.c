/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * prepare.c - each dynamic running VM as the policy should see it: live
 * or stale stats, demand and its climb, bounds, the grace period after a
 * start, and what a hot-add VM's plugged memory tells.
 */
#include "pass.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "log.h"
#include "size.h"
#include "util.h"

/*
 * Hot-add. An unplug that has not finished this many seconds after it was
 * asked for has stopped short (the guest cannot free the blocks); it is
 * asked again after a back-off that doubles up to an hour. A plug that
 * stops short (seen: a guest out of memory cannot allocate the memory map
 * for a new memory block, "adding memory failed: -12") is asked again
 * sooner, since its VM is short of memory. A guest whose
 * plugged memory stays out of its MemTotal this long after a plug does
 * not online hot-added memory.
 */
#define UNPLUG_WAIT 10
#define UNPLUG_BACKOFF_MIN 60
#define UNPLUG_BACKOFF_MAX 3600
#define PLUG_WAIT 3
#define PLUG_BACKOFF_MIN 3
#define PLUG_BACKOFF_MAX 60
#define NOT_ONLINE_AFTER 5

/*
 * Whether the guest reports stats now. Stricter than "dmctl show": the
 * balancer knows the period it asks for, and a guest without one still
 * sends a single report at boot, which must not pass for live figures.
 */
static bool
stats_live(const struct vm *vm, const struct hostconf *hc, time_t now)
{
	long long age = (long long)now - vm->balloon.last_update;

	return vm->balloon.last_update >= 0 &&
	    (age <= 3 * (long long)hc->stats_period || age <= 5);
}

/* What the policy should think of this VM's stats right now, given
 * whether they are live and gave a demand. */
static int
stats_state(const struct vm *vm, const struct hostconf *hc, time_t now,
    bool live, bool has_demand)
{
	const struct bstate *st = &vm->bstate;

	/* A VM not seen before is first seen now. */
	if (now - (st->seen < 0 ? now : st->seen) < (time_t)hc->grace)
		return PS_GRACE;
	if (vm->balloon.last_update < 0)
		return PS_NONE;
	if (!live)
		return PS_STALE;
	if (!has_demand)
		return PS_NONE;
	/* Right after the balloon moved, the guest reports freed memory in
	 * MemTotal a report before it shows in MemAvailable: wait for two
	 * reports made after the change. */
	if (st->last_change >= 0 && vm->balloon.last_update <
	    st->last_change + 2 * (long long)hc->stats_period)
		return PS_SETTLING;
	return PS_FRESH;
}

/*
 * What the balancer keeps of each running VM in this process only, from
 * pass to pass of an --every loop (a one-shot pass, cron, starts without
 * it): the rise of its demand over the last pass or so (policy_rise; it
 * changes at every pass, and writing it into every VM's metadata each
 * second would cost more than it gives), and what it last said of a VM it
 * cannot balance as its settings say, so that it is said once per
 * episode. Entries of VMs a pass did not see are dropped at the next; a
 * message a pass did not say again is forgotten.
 */
static struct memo {
	char uuid[VIR_UUID_STRING_BUFLEN];
	struct policy_rise r;
	char *msg;		/* last said, or NULL */
	bool seen, said;	/* in this pass */
} *memos;
static size_t nmemos;

static struct memo *
memo_of(const char *uuid)
{
	size_t i;

	for (i = 0; i < nmemos; i++)
		if (!strcmp(memos[i].uuid, uuid)) {
			memos[i].seen = true;
			return &memos[i];
		}
	memos = xreallocarray(memos, nmemos + 1, sizeof(*memos));
	memset(&memos[nmemos], 0, sizeof(*memos));
	snprintf(memos[nmemos].uuid, sizeof(memos[nmemos].uuid), "%s", uuid);
	memos[nmemos].r.at = -1;
	memos[nmemos].seen = true;
	return &memos[nmemos++];
}

void
pass_memo_prune(void)
{
	size_t i, k = 0;

	for (i = 0; i < nmemos; i++) {
		struct memo *m = &memos[i];

		if (!m->seen) {
			free(m->msg);
			continue;
		}
		if (!m->said) {
			free(m->msg);
			m->msg = NULL;
		}
		m->seen = m->said = false;
		memos[k++] = *m;
	}
	nmemos = k;
}

/* How fast its demand climbs, from settled figures only: fresh ones, or
 * while the balloon settles the demand read just before the last move, at
 * its time (a VM that grows every few seconds is settling most of the
 * time); never a starving guest's, which is made up. */
static void
climb_sample(struct item *it, int ps, time_t now)
{
	struct bstate *st = &it->state;
	struct policy_climb c = { st->climb > 0 ? (uint64_t)st->climb * KIB : 0,
		st->climb_demand > 0 ? (uint64_t)st->climb_demand * KIB : 0,
		st->climb_at };
	bool starving = vm_starving(it->vm) || vm_thrashes(it->vm, st);

	struct policy_rise *r = &memo_of(it->vm->uuid)->r;

	if (ps == PS_SETTLING && st->settled >= 0 && st->last_change >= 0 &&
	    !starving) {
		policy_climb(&c, (uint64_t)st->settled * KIB, st->last_change);
		policy_rise(r, (uint64_t)st->settled * KIB, st->last_change);
	} else if (it->has_demand && ps == PS_FRESH && !starving) {
		policy_climb(&c, it->in.demand, now);
		policy_rise(r, it->in.demand, now);
	}
	if (c.at != st->climb_at) {
		st->climb = c.rate >= KIB ? (int64_t)(c.rate / KIB) : -1;
		st->climb_demand = (int64_t)(c.demand / KIB);
		st->climb_at = c.at;
	}
	it->in.climb = st->climb > 0 ? (uint64_t)st->climb * KIB : 0;
	if (r->rate > it->in.climb)
		it->in.climb = r->rate;
}

/* Say msg of vm (stderr and the log) unless it was said last, and is
 * still said at every pass since. */
void
pass_say_once(const struct vm *vm, int prio, const char *msg)
{
	struct memo *m = memo_of(vm->uuid);

	m->said = true;
	if (m->msg && !strcmp(m->msg, msg))
		return;
	free(m->msg);
	m->msg = xstrdup(msg);
	log_say(prio, "VM '%s': %s", vm->name, msg);
}

/*
 * A plug or unplug under way: one that has not finished in its wait has
 * stopped short, and is asked again after a back-off that doubles (said
 * once an episode).
 */
static void
resize_check(struct item *it, time_t now)
{
	struct vm *vm = it->vm;
	struct bstate *st = &it->state;
	char a[32], b[32];

	if (vm->plugged != vm->requested) {
		bool unplug = vm->plugged > vm->requested;
		int64_t wait = unplug ? UNPLUG_WAIT : PLUG_WAIT;

		if (st->resize_since < 0)
			st->resize_since = now;	/* asked by someone else */
		if (st->resize_retry < 0 && now - st->resize_since >= wait) {
			int64_t lo = unplug ? UNPLUG_BACKOFF_MIN :
			    PLUG_BACKOFF_MIN;
			int64_t hi = unplug ? UNPLUG_BACKOFF_MAX :
			    PLUG_BACKOFF_MAX;
			bool first = st->resize_backoff < 0;

			st->resize_backoff = st->resize_backoff < 0 ? lo :
			    st->resize_backoff * 2;
			if (st->resize_backoff > hi)
				st->resize_backoff = hi;
			st->resize_retry = now + st->resize_backoff;
			/* Once an episode; the retries are quiet. */
			if (first)
				log_say(LOG_WARNING, "VM '%s': %s stopped short: "
			    "%s plugged, %s asked for; counted as plugged%s; "
			    "asking again in %lld s", vm->name,
			    unplug ? "unplug" : "plug",
			    size_human(vm->plugged, a, sizeof(a)),
			    size_human(vm->requested, b, sizeof(b)),
			    unplug ? ", the balloon may take the rest" : "",
			    (long long)st->resize_backoff);
		}
	} else
		st->resize_since = st->resize_retry = st->resize_backoff = -1;
}

/*
 * What a hot-add VM's plugged memory tells before planning: whether its
 * guest onlines it, and whether an unplug stopped short. Adjusts what the
 * policy is told: memory the VM cannot give back is its floor, and memory
 * its guest cannot use does not count as its own (held out of the pool
 * until it is unplugged, in *held).
 */
static void
hotadd_prepare(struct item *it, int ps, time_t now, uint64_t *held)
{
	struct vm *vm = it->vm;
	struct policy_vm *p = &it->in;
	struct bstate *st = &it->state;
	char a[32];

	/* What the guest never shows in MemTotal, measured with nothing
	 * plugged: the yardstick for whether plugged memory comes online. */
	if (!vm->plugged && ps == PS_FRESH && vm->balloon.available >= 0 &&
	    vm->assigned / KIB >= (uint64_t)vm->balloon.available)
		st->gap = (int64_t)(vm->assigned / KIB) -
		    vm->balloon.available;
	if (vm->plugged && vm->plugged == vm->requested && ps == PS_FRESH) {
		if (vm->offline > vm->plugged / 2) {
			if (st->offline_since < 0)
				st->offline_since = now;
		} else if (st->offline_at < 0)
			st->offline_since = -1;
	}
	if (st->offline_since >= 0 && st->offline_at < 0 &&
	    now - st->offline_since >= NOT_ONLINE_AFTER) {
		st->offline_at = now;
		log_say(LOG_WARNING, "VM '%s': its guest does not online "
		    "hot-added memory (%s plugged, MemTotal did not grow): "
		    "unplugging it, growing by balloon only (see Hot-add in "
		    "dmctl(8))", vm->name, size_human(vm->plugged, a, sizeof(a)));
	}
	if (st->offline_at >= 0) {
		/* A balloon VM in effect, within its boot memory. */
		p->assigned = vm->assigned - vm->plugged;
		if (p->maximum > vm->boot)
			p->maximum = vm->boot;
		*held += vm->plugged;
	} else if (st->offline_since >= 0 && p->maximum > vm->assigned)
		p->maximum = vm->assigned;	/* no more plugs meanwhile */

	resize_check(it, now);
	it->stuck = st->resize_retry >= 0;
	it->unplug_stuck = it->stuck && vm->plugged > vm->requested;
	it->retry = it->stuck && now >= st->resize_retry;
	it->force = it->retry || (st->offline_at >= 0 && vm->requested);
	if (it->unplug_stuck && !it->retry) {
		/* Until the retry, what is plugged stays: only the balloon
		 * can give, down to its floor. */
		uint64_t least = vm->plugged + pass_balloon_floor(vm->plugged);

		if (least > p->assigned)
			least = p->assigned;
		if (p->minimum < least)
			p->minimum = least;
		if (p->maximum < p->minimum)
			p->maximum = p->minimum;
	}
}

void
pass_prepare(struct item *it, struct vm *vm, const struct hostconf *hc,
    time_t now, uint64_t *held)
{
	struct policy_vm *p = &it->in;
	int ps;

	it->vm = vm;
	p->assigned = vm->assigned;
	/* Demand by the balancer's own idea of live stats (stats_live),
	 * not by show's 30 s: a long stats period is not staleness. */
	it->blind = !stats_live(vm, hc, now);
	it->has_demand = !it->blind && vm_demand_of(vm, &p->demand);
	it->state = vm->bstate;
	if (it->state.seen < 0)
		it->state.seen = now;
	vm_faults_update(vm, &it->state);
	if (!it->has_demand)
		p->demand = 0;
	else if (vm_starving(vm) || vm_thrashes(vm, &it->state)) {
		/* Short of an unknown amount: grow in steps of its buffer
		 * (at least min-step) pass after pass until it recovers;
		 * when the pool is short, shared by weight like demand. */
		uint64_t step = vm->assigned / 100 * (uint64_t)vm->conf.buffer;

		p->demand = vm->assigned + (step > hc->min_step ? step :
		    hc->min_step);
	}
	/* The balloon can never pass <memory> while the VM runs. */
	p->maximum = vm->conf.maximum < vm->memory || !vm->memory ?
	    vm->conf.maximum : vm->memory;
	p->minimum = vm->conf.minimum;
	/* A minimum above what the running VM can have (set with a larger
	 * --maximum that waits for the next boot, or by hand): held at
	 * that, and said. */
	if (p->minimum > p->maximum) {
		char m[32], x[32], *msg;

		msg = xasprintf("minimum %s is more than it can have (%s) until "
		    "it boots again: held at %s",
		    size_human(p->minimum, m, sizeof(m)),
		    size_human(p->maximum, x, sizeof(x)), x);
		pass_say_once(vm, LOG_WARNING, msg);
		free(msg);
		p->minimum = p->maximum;
	}
	p->buffer = vm->conf.buffer;
	p->weight = vm->conf.weight;
	ps = stats_state(vm, hc, now, !it->blind, it->has_demand);
	p->stats = ps;
	climb_sample(it, ps, now);
	/* What it has on loan; with lending turned off, what was lent is
	 * surplus like any other, reclaimed after the delay. */
	it->in.loan = hc->lend_idle && it->state.loan > 0 ?
	    (uint64_t)it->state.loan * KIB : 0;
	it->settling = p->stats == PS_SETTLING;
	it->minimum = p->minimum;
	p->surplus_since = vm->bstate.surplus_since;
	if (vm->hotadd)
		hotadd_prepare(it, ps, now, held);
	if (ps == PS_GRACE) {
		/* What it boots with: the balloon of a VM that has just
		 * started shows <memory> until its driver inflates it. */
		uint64_t boot = vm->hotadd ? vm->boot + vm->requested :
		    vm->conf.startup;

		p->counted = vm_counted(vm, now, hc);
		/* Growing is always safe: once its balloon is at its boot
		 * size and its guest reports, a VM in its grace period may
		 * grow at once, and again after the balancer grew it; only
		 * shrinking waits. */
		if (!it->blind && it->has_demand &&
		    (vm->assigned <= boot + hc->min_step ||
		    vm_moved(vm))) {
			it->grace = it->settling = true;
			p->counted = 0;
		}
	}
	if (it->settling)
		policy_settling(p);
}
