/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hook.c - "dmctl hook": the libvirt qemu hook, so that every start of a
 * VM (virsh start, autostart, virt-manager, a restore or an incoming
 * migration) is admitted as "dmctl start" admits it. libvirt runs it as
 * "GUEST OPERATION SUB-OPERATION EXTRA" with the domain XML on stdin and
 * waits for it while the VM is locked: it must not call back into the
 * daemon, so it decides by the ledger that balancer passes and starts
 * keep (ledger.h), and never connects to libvirt.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "domxml.h"
#include "hostconf.h"
#include "ledger.h"
#include "size.h"
#include "util.h"

static int run(const struct cli_cmd *cmd, int argc, char **argv);

/* -c is taken, as by every command, but the hook never connects. */
const struct cli_cmd cmd_hook = {
	.name = "hook",
	.args = "GUEST OPERATION SUB-OPERATION [EXTRA]",
	.summary = "The libvirt qemu hook: admit a starting VM if the pool "
	    "holds what it boots with.",
	.common = CLI_COMMON,
	.min_operands = 3,
	.max_operands = CLI_MANY,
	.missing = "give libvirt's hook arguments: GUEST OPERATION "
	    "SUB-OPERATION [EXTRA]",
	.run = run,
};

/* The domain XML libvirt writes on stdin; NULL if none. */
static char *
read_stdin(void)
{
	size_t len = 0, cap = 65536;
	char *buf = xmalloc(cap);
	size_t n;

	while ((n = fread(buf + len, 1, cap - len - 1, stdin)) > 0) {
		len += n;
		if (cap - len < 2) {
			cap *= 2;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
	}
	buf[len] = '\0';
	return buf;
}

static int
decide(const char *name, const struct domxml *d, const struct hostconf *hc)
{
	char err[512], *path = ledger_path(hc);
	const char *kind;
	uint64_t need = domxml_boot_size(d, &kind) + hc->overhead;
	int64_t now = (int64_t)time(NULL), avail;
	struct ledger l;
	int fd, rc = 0;

	fd = ledger_open(path, true, &l, err, sizeof(err));
	if (fd < 0) {
		if (hc->hook_refuse) {
			fprintf(stderr, "dmctl: VM '%s': cannot start: %s\n",
			    name, err);
			free(path);
			return 1;
		}
		syslog(LOG_WARNING, "VM '%s': admitted undecided: %s", name,
		    err);
		free(path);
		return 0;
	}
	if (l.time < 0 || now - l.time > (int64_t)hc->hook_max_age) {
		/* Nobody has written the pool down lately: no balancer
		 * runs. */
		if (hc->hook_refuse) {
			fprintf(stderr, "dmctl: VM '%s': cannot start: the "
			    "ledger '%s' is %s (is 'dmctl rebalance' "
			    "running?)\n", name, path, l.time < 0 ? "empty" :
			    "stale");
			rc = 1;
		} else {
			syslog(LOG_WARNING, "VM '%s': admitted undecided: the "
			    "ledger '%s' is %s (is 'dmctl rebalance' "
			    "running?)", name, path, l.time < 0 ? "empty" :
			    "stale");
			ledger_hold(&l, d->uuid, need, now +
			    LEDGER_HOLD_SECONDS);
		}
		goto out;
	}
	avail = l.free - (int64_t)ledger_held(&l, d->uuid, now);
	for (size_t i = 0; i < l.nholds; i++)
		if (strcmp(l.holds[i].uuid, d->uuid) == 0 &&
		    l.holds[i].until > now)
			goto out;	/* admitted by "dmctl start" */
	if ((int64_t)need > avail) {
		fprintf(stderr, "dmctl: VM '%s': cannot start: needs %llu "
		    "MiB, the pool has %lld MiB free\n", name,
		    (unsigned long long)((need + MIB - 1) / MIB), size_mib_floor(avail));
		syslog(LOG_NOTICE, "VM '%s': start refused: needs %llu MiB, "
		    "the pool has %lld MiB free", name,
		    (unsigned long long)((need + MIB - 1) / MIB), size_mib_floor(avail));
		rc = 1;
		goto out;
	}
	ledger_hold(&l, d->uuid, need, now + LEDGER_HOLD_SECONDS);
out:
	ledger_close(fd, &l, rc == 0);
	ledger_free(&l);
	free(path);
	return rc;
}

static int
run(const struct cli_cmd *cmd, int argc, char **argv)
{
	struct cli_args a = { .uri = NULL };
	const char *name, *op, *sub;
	struct hostconf hc;
	struct domxml d;
	char err[256], *xml;
	bool start, release;
	int rc;

	if ((rc = cli_parse(cmd, argc, argv, NULL, &a)) != CLI_RUN)
		return rc;
	name = a.argv[0];
	op = a.argv[1];
	sub = a.argv[2];
	/* Only a start is decided; "release end" gives back what a start
	 * that did not happen held. Anything else returns at once. */
	start = strcmp(op, "prepare") == 0 && strcmp(sub, "begin") == 0;
	release = strcmp(op, "release") == 0 && strcmp(sub, "end") == 0;

	if (!start && !release)
		return 0;
	openlog("dmctl-hook", LOG_PID, LOG_DAEMON);
	if (hostconf_load(&hc, a.conffile) < 0) {
		hostconf_free(&hc);
		return hc.hook_refuse ? 1 : 0;
	}
	xml = read_stdin();
	if (domxml_parse(xml, &d, err, sizeof(err)) < 0 || !d.uuid[0]) {
		free(xml);
		hostconf_free(&hc);
		syslog(LOG_WARNING, "VM '%s': admitted undecided: no domain "
		    "XML on stdin", name);
		return 0;
	}
	free(xml);
	if (start)
		rc = decide(name, &d, &hc);
	else {
		char *path = ledger_path(&hc);
		struct ledger l;
		int fd = ledger_open(path, false, &l, err, sizeof(err));

		/* A VM that stops is no longer held for. */
		if (fd >= 0) {
			ledger_drop(&l, d.uuid, 0);
			ledger_close(fd, &l, true);
			ledger_free(&l);
		}
		free(path);
		rc = 0;
	}
	domxml_free(&d);
	hostconf_free(&hc);
	return rc;
}
