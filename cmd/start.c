/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * start.c - "dmctl start": start VMs only when the pool can hold what they
 * boot with, taking back surplus from running VMs first if that is what
 * it takes. Memory is oversubscribed, never overcommitted: a VM whose
 * startup does not fit does not start.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "balance.h"
#include "commands.h"
#include "domxml.h"
#include "hostconf.h"
#include "ledger.h"
#include "lock.h"
#include "policy.h"
#include "size.h"
#include "util.h"
#include "virt.h"
#include "vmstate.h"

struct start_opts {
	bool dry_run;
};

static const struct cli_opt opts[] = {
	{ .lng = "dry-run", .shrt = 'n', .type = CLI_FLAG,
	    .off = offsetof(struct start_opts, dry_run),
	    .help = "say whether each VM would start, and change nothing" },
};

static int run(const struct cli_cmd *cmd, int argc, char **argv);

const struct cli_cmd cmd_start = {
	.name = "start",
	CMD_VMS,
	.summary = "Start VMs if the pool can hold what they boot with, taking "
	    "back surplus from running VMs first if need be.",
	CLI_OPTS(opts),
	.common = CLI_COMMON,
	.run = run,
};

/* How long a start waits for running VMs' balloons to give back what it
 * asked of them. */
#define START_WAIT 30

/* What the VM boots with, from its persistent definition: a dynamic VM
 * its startup (a hot-add VM its boot memory), a static one <memory>. */
static int
boot_size(virDomainPtr dom, const char *name, uint64_t *bytes,
    const char **kind)
{
	char *xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
	struct domxml d;
	char err[256];

	if (!xml)
		return dm_error("VM '%s': cannot read its definition: %s", name,
		    virt_errmsg());
	if (domxml_parse(xml, &d, err, sizeof(err)) < 0) {
		free(xml);
		return dm_error("VM '%s': %s", name, err);
	}
	free(xml);
	if (d.conf_found < 0) {
		domxml_free(&d);
		return dm_error("VM '%s': invalid settings: %s (fix them with "
		    "'dmctl set' or 'virsh metadata')", name, d.conf_error);
	}
	*bytes = domxml_boot_size(&d, kind);
	domxml_free(&d);
	if (!*bytes)
		return dm_error("VM '%s': cannot read its memory size", name);
	return 0;
}

/* What running dynamic VMs could give back without going below their
 * demand + buffer (or minimum): their surplus, as the balancer sees it. */
static uint64_t
reclaimable(const struct snapshot *s, const struct hostconf *hc)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct vm *vm = &s->vms[i];
		uint64_t want, hi;

		if (!vm->active || !vm_dynamic(vm) || !vm->has_demand ||
		    vm_counted(vm, s->taken, hc) < vm->assigned)
			continue;
		want = policy_want(vm->demand, vm->conf.buffer);
		if (hc->min_step)
			want = (want + hc->min_step - 1) / hc->min_step *
			    hc->min_step;
		hi = vm->conf.maximum < vm->memory ? vm->conf.maximum :
		    vm->memory;
		if (want > hi)
			want = hi;
		if (want < vm->conf.minimum)
			want = vm->conf.minimum;
		if (vm->assigned > want)
			sum += vm->assigned - want;
	}
	return sum;
}

static int64_t
free_now(virConnectPtr conn, const struct hostconf *hc, uint64_t *reclaim)
{
	struct snapshot s;
	int64_t f;

	if (snapshot_take(conn, NULL, 0, hc, &s) < 0)
		return INT64_MIN;
	f = s.host.free;
	if (reclaim)
		*reclaim = reclaimable(&s, hc);
	snapshot_free(&s);
	return f;
}

static int
refuse(const char *name, uint64_t need, int64_t free, uint64_t reclaim,
    const char *after)
{
	return dm_error("VM '%s': cannot start: needs %llu MiB, the pool has "
	    "%lld MiB free%s (%llu MiB more could be taken back from running "
	    "VMs' surplus)", name, (unsigned long long)((need + MIB - 1) / MIB),
	    size_mib_floor(free), after, (unsigned long long)(reclaim / MIB));
}

/*
 * Tell the libvirt hook (if one has run: the ledger exists) that this VM
 * is admitted, and what the pool had, so that the hook, which cannot ask
 * the daemon, lets the start through and counts it for the next one.
 */
static void
ledger_admit(virDomainPtr dom, const struct hostconf *hc, uint64_t need,
    int64_t pool_free, bool admit)
{
	char uuid[VIR_UUID_STRING_BUFLEN], err[512], *path = ledger_path(hc);
	struct ledger l;
	int fd = ledger_open(path, false, &l, err, sizeof(err));
	time_t now = time(NULL);

	free(path);
	if (fd < 0 || virDomainGetUUIDString(dom, uuid) < 0) {
		if (fd >= 0) {
			ledger_close(fd, &l, false);
			ledger_free(&l);
		}
		return;
	}
	l.time = (int64_t)now;
	l.free = pool_free;
	if (admit)
		ledger_hold(&l, uuid, need, (int64_t)now + LEDGER_HOLD_SECONDS);
	else
		ledger_drop(&l, uuid, 0);
	ledger_close(fd, &l, true);
	ledger_free(&l);
}

/* Admit and start one VM; the lock is held. 0, or -1 after a message. */
/* Take back surplus from running VMs until the pool holds need (START_WAIT
 * seconds at most), with *free what it then has: 0, or -1 after a
 * message. */
static int
make_room(virConnectPtr conn, const struct hostconf *hc, const char *name,
    uint64_t need, int64_t *free)
{
	struct balance_opts bo = { false, BAL_QUIET, 0 };
	time_t until;

	/* The balancer's own reclaim, with the pool short by what the VM
	 * needs: surplus goes first, lowest weight first, nobody below
	 * demand + buffer. */
	bo.hold = need;
	if (balance_pass(conn, hc, &bo, time(NULL), stdout) < 0)
		return -1;
	until = time(NULL) + START_WAIT;
	for (int tick = 1; (*free = free_now(conn, hc, NULL)) < (int64_t)need;
	    tick++) {
		if (*free == INT64_MIN)
			return -1;
		/* Again every 2 s: a VM in its grace period or settling
		 * after a move gives nothing back at the first pass, and
		 * the service's passes wait for the lock this start
		 * holds. */
		if (tick % 4 == 0 &&
		    balance_pass(conn, hc, &bo, time(NULL), stdout) < 0)
			return -1;
		if (isatty(STDERR_FILENO))
			fprintf(stderr, "\rdmctl: VM '%s': waiting for running "
			    "VMs to give back memory: %lld of %llu MiB free ",
			    name, size_mib_floor(*free),
			    (unsigned long long)(need / MIB));
		if (time(NULL) >= until) {
			if (isatty(STDERR_FILENO))
				fputc('\n', stderr);
			refuse(name, need, *free, 0, ", after waiting 30 s for "
			    "it");
			return -1;
		}
		usleep(500 * 1000);
	}
	if (isatty(STDERR_FILENO))
		fputc('\n', stderr);
	return 0;
}

static int
start_one(virConnectPtr conn, const struct hostconf *hc, const char *name,
    bool dry_run)
{
	virDomainPtr dom = virt_lookup(conn, name);
	const char *kind = "";
	uint64_t size, need, reclaim = 0;
	int64_t free;
	int rc = -1, active;

	if (!dom)
		return -1;
	if ((active = virDomainIsActive(dom)) != 0) {
		if (active > 0)
			dm_error("VM '%s': already running", name);
		else
			dm_error("VM '%s': %s", name, virt_errmsg());
		goto out;
	}
	if (boot_size(dom, name, &size, &kind) < 0)
		goto out;
	/* Its own overhead comes out of the pool once it runs. */
	need = size + hc->overhead;
	if ((free = free_now(conn, hc, &reclaim)) == INT64_MIN)
		goto out;
	if (free < (int64_t)need && free + (int64_t)reclaim < (int64_t)need) {
		refuse(name, need, free, reclaim, "");
		goto out;
	}
	if (dry_run) {
		printf("%s: would start (%s, needs %llu MiB, the pool has %lld "
		    "MiB free%s)\n", name, kind,
		    (unsigned long long)((need + MIB - 1) / MIB), size_mib_floor(free),
		    free < (int64_t)need ? ", after taking back surplus from "
		    "running VMs" : "");
		rc = 0;
		goto out;
	}
	if (free < (int64_t)need && make_room(conn, hc, name, need, &free) < 0)
		goto out;
	ledger_admit(dom, hc, need, free, true);
	if (virDomainCreate(dom) < 0) {
		dm_error("VM '%s': cannot start: %s", name, virt_errmsg());
		ledger_admit(dom, hc, need, free, false);
		goto out;
	}
	printf("%s: started (%s, needs %llu MiB, the pool had %lld MiB free)\n",
	    name, kind, (unsigned long long)((need + MIB - 1) / MIB),
	    size_mib_floor(free));
	rc = 0;
out:
	virDomainFree(dom);
	return rc;
}

static int
run(const struct cli_cmd *cmd, int argc, char **argv)
{
	struct start_opts o = { .dry_run = false };
	struct cli_args a = { .uri = dmctl_uri };
	struct hostconf hc;
	virConnectPtr conn;
	int i, fd, failed = 0;
	char *lock;

	if ((i = cli_parse(cmd, argc, argv, &o, &a)) != CLI_RUN)
		return i;
	if (hostconf_load(&hc, a.conffile) < 0) {
		hostconf_free(&hc);
		return 1;
	}
	conn = virt_open(hostconf_uri(&hc, a.uri), false, true);
	if (!conn) {
		hostconf_free(&hc);
		return 1;
	}
	/* One start or pass at a time: what one admits, the next counts. */
	lock = lock_path(conn, &hc);
	fd = lock_take(lock, hc.lock_wait, "start", NULL);
	free(lock);
	if (fd < 0) {
		virConnectClose(conn);
		hostconf_free(&hc);
		return 1;
	}
	for (i = 0; i < a.argc; i++)
		if (start_one(conn, &hc, a.argv[i], o.dry_run) < 0)
			failed++;
	close(fd);
	virConnectClose(conn);
	hostconf_free(&hc);
	return failed ? 1 : 0;
}
