/* balance.c - one pass of the balancer, from measurement to balloon. */
#include "balance.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <libvirt/virterror.h>

#include "json.h"
#include "ledger.h"
#include "memdev.h"
#include "policy.h"
#include "size.h"
#include "util.h"
#include "virt.h"
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

/* The least a hot-add VM's balloon leaves of its boot memory while plugged
 * memory stays: movable hot-added memory cannot hold the guest kernel's
 * own allocations, so a quarter of its memory stays boot memory. */
static uint64_t
balloon_floor(uint64_t plugged)
{
	return plugged / 3 > VMCONF_SIZE_MIN ? plugged / 3 : VMCONF_SIZE_MIN;
}

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

static void
memo_prune(void)
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

static void
log_both(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A message for the admin: on stderr and in syslog, said once per
 * episode by the caller. */
static void
log_both(int prio, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg)
		return;
	dm_warn("%s", msg);
	syslog(prio, "%s", msg);
	free(msg);
}

/* Say msg of vm (stderr and syslog) unless it was said last, and is
 * still said at every pass since. */
static void
say_once(const struct vm *vm, int prio, const char *msg)
{
	struct memo *m = memo_of(vm->uuid);

	m->said = true;
	if (m->msg && !strcmp(m->msg, msg))
		return;
	free(m->msg);
	m->msg = xstrdup(msg);
	log_both(prio, "VM '%s': %s", vm->name, msg);
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
	char a[32], b[32];

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
		log_both(LOG_WARNING, "VM '%s': its guest does not online "
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
				log_both(LOG_WARNING, "VM '%s': %s stopped short: "
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
	it->stuck = st->resize_retry >= 0;
	it->unplug_stuck = it->stuck && vm->plugged > vm->requested;
	it->retry = it->stuck && now >= st->resize_retry;
	it->force = it->retry || (st->offline_at >= 0 && vm->requested);
	if (it->unplug_stuck && !it->retry) {
		/* Until the retry, what is plugged stays: only the balloon
		 * can give, down to its floor. */
		uint64_t least = vm->plugged + balloon_floor(vm->plugged);

		if (least > p->assigned)
			least = p->assigned;
		if (p->minimum < least)
			p->minimum = least;
		if (p->maximum < p->minimum)
			p->maximum = p->minimum;
	}
}

static void
item_prepare(struct item *it, struct vm *vm, const struct hostconf *hc,
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
		say_once(vm, LOG_WARNING, msg);
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
		    (vm->bstate.last_change >= 0 &&
		    vm->bstate.last_change >= vm->bstate.seen))) {
			it->grace = it->settling = true;
			p->counted = 0;
		}
	}
	if (it->settling)
		policy_settling(p);
}

static bool
gone_error(void)
{
	int code = virt_errcode();

	return code == VIR_ERR_NO_DOMAIN || code == VIR_ERR_OPERATION_INVALID;
}

/* Move the balloon to bytes; false with it->error or it->gone set. */
static bool
set_balloon(virDomainPtr dom, struct item *it, uint64_t bytes)
{
	if (virDomainSetMemoryFlags(dom, (unsigned long)(bytes / KIB),
	    VIR_DOMAIN_AFFECT_LIVE) == 0)
		return true;
	if (gone_error() || virDomainIsActive(dom) == 0)
		it->gone = true;
	else
		it->error = xasprintf("cannot set memory: %s", virt_errmsg());
	return false;
}

static bool
set_plug(virDomainPtr dom, struct item *it, const uint64_t *req)
{
	char err[512];

	if (memdev_request(dom, req, it->vm->nmem, it->retry, err,
	    sizeof(err)) >= 0)
		return true;
	if (gone_error() || virDomainIsActive(dom) == 0)
		it->gone = true;
	else
		it->error = xstrdup(err);
	return false;
}

/* The balloon or the plug moves now: the guest's next reports lag it, so
 * keep the demand read from settled stats for the views to show. */
static void
mark_changed(struct item *it, time_t now)
{
	uint64_t demand;

	it->state.last_change = now;
	if (it->has_demand && it->in.stats != PS_SETTLING &&
	    vm_demand_of(it->vm, &demand))
		it->state.settled = (int64_t)(demand / KIB);
}

/*
 * Reach target on a hot-add VM: the balloon acts on boot memory only,
 * virtio-mem on what lies above it. Growing deflates the balloon up to the
 * boot memory first, then plugs; shrinking unplugs first, and the balloon
 * goes below the boot memory only when nothing is plugged. What an unplug
 * could not free stays counted; until the retry the balloon may take the
 * rest, down to its floor.
 */
/*
 * A guest adds hot-plugged memory to its kernel a memory block (128 MiB
 * on x86_64) at a time, and adding one needs the guest's own kernel
 * memory and time; a guest that is nearly out of memory fails ("virtio_mem:
 * adding memory failed: -12") and its processes are killed before a retry.
 * So when what a VM should have plugged comes within PLUG_LEAD of the end
 * of a memory block, the next block is started at once, while the guest
 * has memory to spare, if the pool has the room.
 */
#define MEM_BLOCK (128 * MIB)
#define PLUG_LEAD (64 * MIB)

static uint64_t
plug_ahead(uint64_t want, uint64_t size, uint64_t block, int64_t *spare)
{
	uint64_t end = (want / MEM_BLOCK + 1) * MEM_BLOCK, more;

	if (!want || end - want > PLUG_LEAD || end + block > size)
		return want;
	more = end + block - want;
	if (*spare < (int64_t)more)
		return want;
	*spare -= (int64_t)more;
	return end + block;
}

static void
apply_hotadd(virDomainPtr dom, struct item *it, time_t now, int64_t *spare)
{
	struct vm *vm = it->vm;
	uint64_t t = it->out.target, boot = vm->boot, plugged = vm->plugged;
	uint64_t now_balloon = vm->assigned > plugged ? vm->assigned - plugged :
	    0;
	uint64_t want = 0, placed, balloon, *req;
	bool plug_call, balloon_call, ok = true;

	req = xcalloc(vm->nmem, sizeof(*req));
	if (it->state.offline_at < 0 && t > boot)
		want = plug_ahead(t - boot, vm->plug_size, vm->nmem ?
		    vm->mem[0].block : 2 * MIB, spare);
	placed = domxml_plug_split(vm->mem, vm->nmem, want, req);
	if (it->unplug_stuck && !it->retry && placed < plugged) {
		/* Leave the devices be until the retry. */
		plug_call = false;
		balloon = t > plugged ? t - plugged : 0;
		if (balloon < balloon_floor(plugged))
			balloon = balloon_floor(plugged);
	} else {
		/* The balloon holds the boot memory, or all of a target
		 * below it; what is plugged ahead is on top. */
		plug_call = placed != vm->requested || it->retry;
		balloon = t > boot ? boot : t;
	}
	if (balloon > boot)
		balloon = boot;
	/* The balloon's own figure lags by its granularity: a difference
	 * below the minimum step is no move. */
	balloon_call = balloon + MIB < now_balloon || now_balloon + MIB < balloon;
	if (!plug_call && !balloon_call) {
		it->out.change = false;
		it->note = it->stuck ? (it->unplug_stuck ? "unplug stopped "
		    "short: asking again later" : "plug stopped short: asking "
		    "again later") : plugged > vm->requested ?
		    "unplug under way" : plugged < vm->requested ?
		    "plug under way" : "plugged ahead to the next memory block";
		free(req);
		return;
	}
	if (plug_call && placed < vm->requested) {
		ok = set_plug(dom, it, req);
		if (ok && balloon_call)
			ok = set_balloon(dom, it, balloon);
	} else {
		if (balloon_call)
			ok = set_balloon(dom, it, balloon);
		if (ok && plug_call)
			ok = set_plug(dom, it, req);
	}
	it->applied = ok;
	mark_changed(it, now);
	if (ok && plug_call && placed != plugged) {
		/* A new plug or unplug, or the retry of one: its own clock. */
		it->state.resize_since = now;
		it->state.resize_retry = -1;
	}
	free(req);
}

static void
apply(virConnectPtr conn, struct item *it, time_t now, int64_t *spare)
{
	virDomainPtr dom = virDomainLookupByUUIDString(conn, it->vm->uuid);

	if (!dom) {
		it->gone = true;
		return;
	}
	if (it->vm->hotadd)
		apply_hotadd(dom, it, now, spare);
	else if (set_balloon(dom, it, it->out.target)) {
		it->applied = true;
		mark_changed(it, now);
	}
	virDomainFree(dom);
}

/* Keep the state for the next pass, and make sure the guest reports
 * stats: without a stats period the balancer is blind. */
static void
keep_state(virConnectPtr conn, struct item *it, const struct hostconf *hc)
{
	virDomainPtr dom;
	char *xml;

	it->state.surplus_since = it->out.surplus_since;
	if (it->gone || (bstate_equal(&it->state, &it->vm->bstate) &&
	    !it->blind))
		return;
	if (!(dom = virDomainLookupByUUIDString(conn, it->vm->uuid)))
		return;
	/* Setting a period the guest already has is harmless; without one
	 * it reports nothing after boot, and the balancer is blind. */
	if (it->blind)
		virDomainSetMemoryStatsPeriod(dom, (int)hc->stats_period,
		    VIR_DOMAIN_AFFECT_LIVE);
	if (!bstate_equal(&it->state, &it->vm->bstate)) {
		xml = bstate_format(&it->state);
		if (virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, xml,
		    BSTATE_PREFIX, BSTATE_NS, VIR_DOMAIN_AFFECT_LIVE) < 0 &&
		    !gone_error())
			dm_warn("VM '%s': cannot keep balancer state: %s",
			    it->vm->name, virt_errmsg());
		free(xml);
	}
	virDomainFree(dom);
}

static const char *
status_at(const struct item *it)
{
	if (it->in.stats != PS_FRESH)
		return vm_status_name(VM_STATUS_UNKNOWN);
	return vm_status_name(vm_status_of(it->out.target, it->in.demand,
	    it->in.buffer));
}

static void
print_text(FILE *f, const struct item *it, bool dry_run)
{
	char from[32], to[32], d[32];

	size_human(it->in.assigned, from, sizeof(from));
	size_human(it->out.target, to, sizeof(to));
	if (it->has_demand)
		size_human(it->in.demand, d, sizeof(d));
	else
		snprintf(d, sizeof(d), "unknown");
	if (it->out.change)
		fprintf(f, "%s: %s -> %s (demand %s, buffer %ld%%, %s, %s)%s\n",
		    it->vm->name, from, to, d, it->in.buffer, status_at(it),
		    policy_reason_text(it->out.reason),
		    it->gone ? ": VM stopped or vanished, skipped" :
		    it->error ? ": failed" : "");
	else if (dry_run)
		fprintf(f, "%s: %s, no change (demand %s, buffer %ld%%, %s, "
		    "%s)\n", it->vm->name, from, d, it->in.buffer,
		    status_at(it), policy_reason_text(it->out.reason));
}

static void
print_json(FILE *f, const struct snapshot *s, const struct item *items,
    size_t n, bool dry_run, time_t now)
{
	struct json j;
	size_t i;

	json_init(&j, f);
	json_obj_begin(&j, NULL);
	json_bool(&j, "dry_run", dry_run);
	json_int(&j, "time", (long long)now);
	json_obj_begin(&j, "host");
	json_uint(&j, "total", s->host.total);
	json_uint(&j, "pool", s->host.pool);
	json_uint(&j, "assigned", s->host.assigned);
	json_obj_end(&j);
	json_arr_begin(&j, "vms");
	for (i = 0; i < n; i++) {
		const struct item *it = &items[i];

		json_obj_begin(&j, NULL);
		json_str(&j, "name", it->vm->name);
		json_str(&j, "uuid", it->vm->uuid);
		json_uint(&j, "from", it->in.assigned);
		json_uint(&j, "to", it->out.target);
		if (it->has_demand)
			json_uint(&j, "demand", it->in.demand);
		else
			json_null(&j, "demand");
		json_int(&j, "buffer", it->in.buffer);
		json_int(&j, "weight", it->in.weight);
		json_uint(&j, "minimum", it->minimum);
		json_uint(&j, "maximum", it->in.maximum);
		json_str(&j, "grows", vm_grows(it->vm));
		if (it->vm->hotadd)
			json_uint(&j, "plugged", it->vm->plugged);
		else
			json_null(&j, "plugged");
		json_str(&j, "status", status_at(it));
		json_str(&j, "reason", policy_reason_text(it->out.reason));
		json_bool(&j, "change", it->out.change);
		json_bool(&j, "applied", it->applied);
		json_bool(&j, "skipped", it->gone);
		if (it->error)
			json_str(&j, "error", it->error);
		else
			json_null(&j, "error");
		if (it->note)
			json_str(&j, "note", it->note);
		else
			json_null(&j, "note");
		json_obj_end(&j);
	}
	json_arr_end(&j);
	/* Running VMs left alone for invalid settings, every pass. */
	json_arr_begin(&j, "invalid");
	for (i = 0; i < s->n; i++) {
		const struct vm *vm = &s->vms[i];

		if (!vm->active || vm->conf_found >= 0)
			continue;
		json_obj_begin(&j, NULL);
		json_str(&j, "name", vm->name);
		json_str(&j, "uuid", vm->uuid);
		json_str(&j, "error", vm->conf_error);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	json_end(&j);
}

/* A pause between planning and applying, for tests that make a VM
 * vanish in the middle of a pass. */
static void
test_delay(void)
{
	const char *d = getenv("DMCTL_TEST_PASS_DELAY");

	if (d && *d)
		usleep((useconds_t)(atof(d) * 1e6));
}

/*
 * Assigned memory above the pool is overcommitted: VMs started around any
 * admission, or minimums the pool cannot hold. Said once per episode in a
 * loop (a one-shot pass from cron says it each time it finds it); a dry
 * run changes nothing and logs nothing, and shows it in its figures.
 */
static void
overcommit_report(const struct host *h)
{
	static bool said;
	char a[32], b[32], c[32];

	if (h->free >= 0) {
		if (said)
			log_both(LOG_NOTICE, "host pool no longer "
			    "overcommitted");
		said = false;
		return;
	}
	if (said)
		return;
	said = true;
	log_both(LOG_WARNING, "host pool overcommitted by %s: VMs have %s of "
	    "a %s pool", size_human((uint64_t)-h->free, a, sizeof(a)),
	    size_human(h->assigned, b, sizeof(b)),
	    size_human(h->pool, c, sizeof(c)));
}

/*
 * Write down the free pool for the libvirt hook (ledger.h): what this
 * pass read, and the holds of VMs admitted that it does not see running
 * yet. A ledger that cannot be written is said once.
 */
static void
ledger_update(const struct snapshot *s, const struct hostconf *hc,
    time_t now)
{
	static bool said;
	struct ledger l;
	char err[512], *path = ledger_path(hc);
	size_t i;
	int fd = ledger_open(path, false, &l, err, sizeof(err));

	free(path);
	if (fd == -2)
		return;		/* no hook has run: nobody reads it */
	if (fd < 0) {
		if (!said)
			dm_warn("%s (the libvirt hook cannot decide without it)",
			    err);
		said = true;
		return;
	}
	said = false;
	l.time = (int64_t)now;
	/* Memory lent as headroom comes back at the next pass for a VM
	 * that starts; until then the quarter of the pool never lent is
	 * there for it. */
	l.free = s->host.free;
	for (i = 0; i < s->n; i++)
		if (s->vms[i].active && vm_dynamic(&s->vms[i]) &&
		    s->vms[i].bstate.loan > 0)
			l.free += s->vms[i].bstate.loan * (int64_t)KIB;
	ledger_drop(&l, NULL, (int64_t)now);
	for (i = 0; i < s->n; i++)
		if (s->vms[i].active)
			ledger_drop(&l, s->vms[i].uuid, 0);
	ledger_close(fd, &l, true);
	ledger_free(&l);
}

int64_t
balance_react(const struct hostconf *hc, const struct balance_opts *o)
{
	/* The next pass, and two stats reports for its figures. */
	return (int64_t)(o->every ? o->every : 60) +
	    2 * (int64_t)hc->stats_period;
}

int
balance_pass(virConnectPtr conn, const struct hostconf *hc,
    const struct balance_opts *o, time_t now, FILE *f)
{
	struct snapshot s;
	struct policy_input in;
	struct policy_vm *pv;
	struct policy_out *po;
	struct item *items;
	size_t n = 0, i;
	uint64_t held = 0;
	int failed = 0, pass;

	if (snapshot_take(conn, NULL, 0, hc, &s) < 0)
		return -1;
	if (!o->dry_run) {
		overcommit_report(&s.host);
		ledger_update(&s, hc, now);
	}
	items = xcalloc(s.n, sizeof(*items));
	for (i = 0; i < s.n; i++) {
		if (s.vms[i].active && vm_dynamic(&s.vms[i]))
			item_prepare(&items[n++], &s.vms[i], hc, now, &held);
		/* Left alone, and a failed pass for as long as it lasts. */
		if (s.vms[i].active && s.vms[i].conf_found < 0) {
			char *m = xasprintf("invalid settings, left alone: %s "
			    "(fix them with 'dmctl set' or 'virsh metadata')",
			    s.vms[i].conf_error);

			say_once(&s.vms[i], LOG_ERR, m);
			free(m);
			failed++;
		}
	}
	memo_prune();

	pv = xcalloc(n, sizeof(*pv));
	po = xcalloc(n, sizeof(*po));
	for (i = 0; i < n; i++)
		pv[i] = items[i].in;
	/* Memory plugged into guests that cannot use it is theirs until
	 * it is unplugged: not the pool's to give. */
	held += o->hold;
	in = (struct policy_input){ s.host.pool > held ? s.host.pool - held : 0,
		now,
		(int64_t)hc->reclaim_delay, hc->min_step, pv, n,
		balance_react(hc, o), hc->lend_idle && !o->hold };
	policy_plan(&in, po);
	for (i = 0; i < n; i++) {
		items[i].out = po[i];
		items[i].state.loan = po[i].loan >= KIB ?
		    (int64_t)(po[i].loan / KIB) : -1;
		items[i].state.react = in.react;
		/* Say why a settling VM did not shrink. */
		if (items[i].settling && !po[i].change)
			items[i].out.reason = items[i].grace ? PR_GRACE :
			    PR_SETTLING;
	}

	if (!o->dry_run) {
		/* What the plan leaves of the pool, for plugging ahead. */
		int64_t spare = (int64_t)in.pool;

		for (i = 0; i < n; i++)
			spare -= (int64_t)(items[i].in.counted &&
			    items[i].in.counted < items[i].out.target ?
			    items[i].in.counted : items[i].out.target);
		test_delay();
		/* Shrink first, so that what grows finds the memory free. */
		for (pass = 0; pass < 2; pass++)
			for (i = 0; i < n; i++) {
				struct item *it = &items[i];
				bool shrink = it->out.target < it->in.assigned;

				if (it->force && !it->out.change)
					shrink = true;
				if ((it->out.change || it->force) &&
				    shrink == (pass == 0))
					apply(conn, it, now, &spare);
			}
		for (i = 0; i < n; i++)
			keep_state(conn, &items[i], hc);
	}

	for (i = 0; i < n; i++) {
		struct item *it = &items[i];
		char from[32], to[32];

		if (it->error) {
			dm_error("VM '%s': %s", it->vm->name, it->error);
			syslog(LOG_ERR, "VM '%s': %s", it->vm->name, it->error);
			failed++;
		} else if (it->applied) {
			char plug[64] = "";

			if (it->vm->hotadd)
				snprintf(plug, sizeof(plug), ", plugged %s",
				    size_human(it->vm->plugged, to, sizeof(to)));
			syslog(LOG_NOTICE, "VM '%s': memory %s -> %s (demand "
			    "%llu MiB, buffer %ld%%, %s%s)", it->vm->name,
			    size_human(it->in.assigned, from, sizeof(from)),
			    size_human(it->out.target, to, sizeof(to)),
			    (unsigned long long)(it->in.demand / MIB),
			    it->in.buffer, policy_reason_text(it->out.reason),
			    plug);
		}
		if (o->output == BAL_TEXT)
			print_text(f, it, o->dry_run);
	}
	if (o->output == BAL_JSON)
		print_json(f, &s, items, n, o->dry_run, now);
	fflush(f);

	for (i = 0; i < n; i++)
		free(items[i].error);
	free(items);
	free(pv);
	free(po);
	snapshot_free(&s);
	return failed ? 1 : 0;
}
