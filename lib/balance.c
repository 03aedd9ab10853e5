/* balance.c - one pass of the balancer, from measurement to balloon. */
#include "balance.h"

#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <libvirt/virterror.h>

#include "json.h"
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
	uint64_t minimum;	/* as configured (settling raises in's) */
	char *error;
};

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

static void
item_prepare(struct item *it, struct vm *vm, const struct hostconf *hc,
    time_t now)
{
	struct policy_vm *p = &it->in;

	it->vm = vm;
	p->assigned = vm->assigned;
	/* Demand by the balancer's own idea of live stats (stats_live),
	 * not by show's 30 s: a long stats period is not staleness. */
	it->blind = !stats_live(vm, hc, now);
	it->has_demand = !it->blind && vm_demand(&vm->balloon, &p->demand);
	if (!it->has_demand)
		p->demand = 0;
	/* The balloon can never pass <memory> while the VM runs. */
	p->maximum = vm->conf.maximum < vm->memory || !vm->memory ?
	    vm->conf.maximum : vm->memory;
	p->minimum = vm->conf.minimum;
	p->buffer = vm->conf.buffer;
	p->weight = vm->conf.weight;
	p->stats = stats_state(vm, hc, now, !it->blind, it->has_demand);
	it->settling = p->stats == PS_SETTLING;
	it->minimum = p->minimum;
	if (it->settling)
		policy_settling(p);
	p->surplus_since = vm->bstate.surplus_since;
	it->state = vm->bstate;
	if (it->state.seen < 0)
		it->state.seen = now;
}

static bool
gone_error(void)
{
	int code = virt_errcode();

	return code == VIR_ERR_NO_DOMAIN || code == VIR_ERR_OPERATION_INVALID;
}

static void
apply(virConnectPtr conn, struct item *it, time_t now)
{
	virDomainPtr dom = virDomainLookupByUUIDString(conn, it->vm->uuid);
	unsigned long kib = (unsigned long)(it->out.target / KIB);

	if (!dom) {
		it->gone = true;
		return;
	}
	if (virDomainSetMemoryFlags(dom, kib, VIR_DOMAIN_AFFECT_LIVE) < 0) {
		if (gone_error() || virDomainIsActive(dom) == 0)
			it->gone = true;
		else
			it->error = xasprintf("cannot set memory: %s",
			    virt_errmsg());
	} else {
		it->applied = true;
		it->state.last_change = now;
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
		json_str(&j, "status", status_at(it));
		json_str(&j, "reason", policy_reason_text(it->out.reason));
		json_bool(&j, "change", it->out.change);
		json_bool(&j, "applied", it->applied);
		json_bool(&j, "skipped", it->gone);
		if (it->error)
			json_str(&j, "error", it->error);
		else
			json_null(&j, "error");
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
	int failed = 0, pass;

	if (snapshot_take(conn, NULL, 0, hc, &s) < 0)
		return -1;
	items = xcalloc(s.n, sizeof(*items));
	for (i = 0; i < s.n; i++)
		if (s.vms[i].active && vm_dynamic(&s.vms[i]))
			item_prepare(&items[n++], &s.vms[i], hc, now);

	pv = xcalloc(n, sizeof(*pv));
	po = xcalloc(n, sizeof(*po));
	for (i = 0; i < n; i++)
		pv[i] = items[i].in;
	in = (struct policy_input){ s.host.pool, now,
		(int64_t)hc->reclaim_delay, hc->min_step, pv, n };
	policy_plan(&in, po);
	for (i = 0; i < n; i++) {
		items[i].out = po[i];
		/* Say why a settling VM did not shrink. */
		if (items[i].settling && !po[i].change)
			items[i].out.reason = PR_SETTLING;
	}

	if (!o->dry_run) {
		test_delay();
		/* Shrink first, so that what grows finds the memory free. */
		for (pass = 0; pass < 2; pass++)
			for (i = 0; i < n; i++) {
				struct item *it = &items[i];
				bool shrink = it->out.target < it->in.assigned;

				if (it->out.change && shrink == (pass == 0))
					apply(conn, it, now);
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
			syslog(LOG_NOTICE, "VM '%s': memory %s -> %s (demand "
			    "%llu MiB, buffer %ld%%, %s)", it->vm->name,
			    size_human(it->in.assigned, from, sizeof(from)),
			    size_human(it->out.target, to, sizeof(to)),
			    (unsigned long long)(it->in.demand / MIB),
			    it->in.buffer, policy_reason_text(it->out.reason));
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
