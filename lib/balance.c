/* SPDX-License-Identifier: GPL-2.0-or-later */
/* balance.c - one pass of the balancer, from measurement to balloon. */
#include "balance.h"

#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>

#include "ledger.h"
#include "log.h"
#include "pass.h"
#include "size.h"
#include "util.h"

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
			log_say(LOG_NOTICE, "host pool no longer "
			    "overcommitted");
		said = false;
		return;
	}
	if (said)
		return;
	said = true;
	log_say(LOG_WARNING, "host pool overcommitted by %s: VMs have %s of "
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

/* Prepare each dynamic running VM; say those with invalid settings, which
 * are left alone and fail the pass for as long as that lasts (counted in
 * *failed). Returns how many items were prepared. */
static size_t
prepare_all(struct snapshot *s, const struct hostconf *hc, time_t now,
    struct item *items, uint64_t *held, int *failed)
{
	size_t n = 0, i;

	for (i = 0; i < s->n; i++) {
		struct vm *vm = &s->vms[i];

		if (vm->active && vm_dynamic(vm))
			pass_prepare(&items[n++], vm, hc, now, held);
		if (vm->active && vm->conf_found < 0) {
			char *m = xasprintf("invalid settings, left alone: %s "
			    "(fix them with 'dmctl set' or 'virsh metadata')",
			    vm->conf_error);

			pass_say_once(vm, LOG_ERR, m);
			free(m);
			(*failed)++;
		}
	}
	pass_memo_prune();
	return n;
}

/* Plan the items within pool (less what is held); returns the pool the
 * plan had. */
static uint64_t
plan_all(struct item *items, size_t n, uint64_t pool, uint64_t held,
    const struct hostconf *hc, const struct balance_opts *o, time_t now)
{
	struct policy_vm *pv = xcalloc(n, sizeof(*pv));
	struct policy_out *po = xcalloc(n, sizeof(*po));
	struct policy_input in;
	size_t i;

	for (i = 0; i < n; i++)
		pv[i] = items[i].in;
	/* Memory plugged into guests that cannot use it is theirs until
	 * it is unplugged: not the pool's to give. */
	held += o->hold;
	in = (struct policy_input){ pool > held ? pool - held : 0, now,
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
	free(pv);
	free(po);
	return in.pool;
}

/* Make the plan so, shrinking first so that what grows finds the memory
 * free, and keep each VM's state. */
static void
apply_all(virConnectPtr conn, struct item *items, size_t n, uint64_t pool,
    const struct hostconf *hc, time_t now)
{
	/* What the plan leaves of the pool, for plugging ahead. */
	int64_t spare = (int64_t)pool;
	size_t i;
	int pass;

	for (i = 0; i < n; i++)
		spare -= (int64_t)(items[i].in.counted &&
		    items[i].in.counted < items[i].out.target ?
		    items[i].in.counted : items[i].out.target);
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < n; i++) {
			struct item *it = &items[i];
			bool shrink = it->out.target < it->in.assigned;

			if (it->force && !it->out.change)
				shrink = true;
			if ((it->out.change || it->force) &&
			    shrink == (pass == 0))
				pass_apply(conn, it, now, &spare);
		}
	for (i = 0; i < n; i++)
		pass_keep_state(conn, &items[i], hc);
}

/* An error to stderr and the log, a move to the log (log.h); returns 1
 * for an error. */
static int
report(const struct item *it)
{
	char from[32], to[32], plug[64] = "";

	if (it->error) {
		log_say(LOG_ERR, "VM '%s': %s", it->vm->name, it->error);
		return 1;
	}
	if (!it->applied)
		return 0;
	if (it->vm->hotadd)
		snprintf(plug, sizeof(plug), ", plugged %s",
		    size_human(it->vm->plugged, to, sizeof(to)));
	log_record(LOG_NOTICE, "VM '%s': memory %s -> %s (demand %llu MiB, "
	    "buffer %ld%%, %s%s)", it->vm->name,
	    size_human(it->in.assigned, from, sizeof(from)),
	    size_human(it->out.target, to, sizeof(to)),
	    (unsigned long long)(it->in.demand / MIB), it->in.buffer,
	    policy_reason_text(it->out.reason), plug);
	return 0;
}

/* Count this pass's changes and errors in the loop's tally. */
static void
tally_pass(struct prom_tally *t, const struct item *items, size_t n,
    int failed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t from = items[i].in.assigned, to = items[i].out.target;

		if (!items[i].applied)
			continue;
		if (to > from)
			t->adds++;
		else if (to < from)
			t->reclaims++;
		t->moved += to > from ? to - from : from - to;
	}
	t->errors += (uint64_t)failed;
}

int
balance_pass(virConnectPtr conn, const struct hostconf *hc,
    const struct balance_opts *o, time_t now, FILE *f)
{
	struct snapshot s;
	struct item *items;
	size_t n, i;
	uint64_t held = 0, pool;
	int failed = 0;

	if (snapshot_take(conn, NULL, 0, hc, &s) < 0)
		return -1;
	if (!o->dry_run) {
		overcommit_report(&s.host);
		ledger_update(&s, hc, now);
	}
	items = xcalloc(s.n, sizeof(*items));
	n = prepare_all(&s, hc, now, items, &held, &failed);
	pool = plan_all(items, n, s.host.pool, held, hc, o, now);
	if (!o->dry_run)
		apply_all(conn, items, n, pool, hc, now);
	for (i = 0; i < n; i++) {
		failed += report(&items[i]);
		if (o->output == BAL_TEXT)
			plan_print_text(f, &items[i], o->dry_run);
	}
	if (o->tally)
		tally_pass(o->tally, items, n, failed);
	if (o->output == BAL_JSON)
		plan_print_json(f, &s, items, n, o->dry_run, now);
	fflush(f);

	for (i = 0; i < n; i++)
		free(items[i].error);
	free(items);
	snapshot_free(&s);
	return failed ? 1 : 0;
}
