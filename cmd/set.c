/* SPDX-License-Identifier: GPL-2.0-or-later */
/* set.c - "dmctl set": change the dynamic memory settings of VMs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "domdef.h"
#include "hostconf.h"
#include "lock.h"
#include "setconf.h"
#include "size.h"
#include "util.h"
#include "virt.h"

/* What the options say: the change, how it grows, which copies. */
struct set_opts {
	struct vmconf_change ch;
	int grow;		/* DOMDEF_KEEP, DOMDEF_BALLOON, DOMDEF_HOTADD */
	unsigned scope;		/* SCOPE_* */
};

enum { G_ENABLE, G_GROW, G_LIVE, G_CONFIG };

#define SET_OFF(field) offsetof(struct set_opts, field)

/* Option to setting, in one place: the settings first (NSETTINGS rows,
 * which "nothing to set" names), then the copies to change. */
static const struct cli_opt opts[] = {
	{ .lng = "enable", .type = CLI_SET, .off = SET_OFF(ch.enable),
	    .value = 1, .excl = CLI_GROUP(G_ENABLE),
	    .help = "make the VMs dynamic" },
	{ .lng = "disable", .type = CLI_SET, .off = SET_OFF(ch.enable),
	    .value = 0, .excl = CLI_GROUP(G_ENABLE),
	    .help = "make the VMs static" },
	{ .lng = "startup", .type = CLI_SIZE, .off = SET_OFF(ch.v.startup),
	    .lo = VMCONF_SIZE_MIN, .help = "memory at boot" },
	{ .lng = "minimum", .type = CLI_SIZE, .off = SET_OFF(ch.v.minimum),
	    .lo = VMCONF_SIZE_MIN, .help = "least the balancer leaves" },
	{ .lng = "maximum", .type = CLI_SIZE, .off = SET_OFF(ch.v.maximum),
	    .lo = VMCONF_SIZE_MIN, .help = "most the VM can have" },
	{ .lng = "buffer", .type = CLI_NUMBER, .arg = "PCT",
	    .off = SET_OFF(ch.v.buffer), .lo = VMCONF_BUFFER_MIN,
	    .hi = VMCONF_BUFFER_MAX,
	    .help = "spare memory as a percent of demand (5-2000)" },
	{ .lng = "weight", .type = CLI_NUMBER, .off = SET_OFF(ch.v.weight),
	    .lo = VMCONF_WEIGHT_MIN, .hi = VMCONF_WEIGHT_MAX,
	    .help = "priority when memory is short (0-100)" },
	{ .lng = "hot-add", .type = CLI_SET, .off = SET_OFF(grow),
	    .value = DOMDEF_HOTADD, .excl = CLI_GROUP(G_GROW),
	    .help = "boot with startup, grow by virtio-mem hot-add" },
	{ .lng = "no-hot-add", .type = CLI_SET, .off = SET_OFF(grow),
	    .value = DOMDEF_BALLOON, .excl = CLI_GROUP(G_GROW),
	    .help = "boot with maximum, grow by the balloon only" },
	{ .lng = "live", .type = CLI_BITS, .off = SET_OFF(scope),
	    .value = SCOPE_LIVE, .excl = CLI_GROUP(G_LIVE),
	    .help = "change the running VM only" },
	{ .lng = "config", .type = CLI_BITS, .off = SET_OFF(scope),
	    .value = SCOPE_CONFIG, .excl = CLI_GROUP(G_CONFIG),
	    .help = "change the persistent config only" },
	{ .lng = "current", .type = CLI_BITS, .off = SET_OFF(scope),
	    .value = SCOPE_CURRENT,
	    .excl = CLI_GROUP(G_LIVE) | CLI_GROUP(G_CONFIG),
	    .help = "change the running VM if it runs, else its config" },
};
#define NSETTINGS 9

static int run(const struct cli_cmd *cmd, int argc, char **argv);

const struct cli_cmd cmd_set = {
	.name = "set",
	CMD_VMS,
	.summary = "Change the dynamic memory settings of VMs.",
	CLI_OPTS(opts),
	.common = CLI_COMMON,
	.run = run,
};

/* One line per VM saying what it now is. */
static void
report_copy(const struct setjob *job, const struct vmconf *c,
    const char *copy)
{
	char a[32], b[32], d[32];
	const char *now = job->hot_now ? "hot-add" : "balloon";
	const char *next = job->hot_next ? "hot-add" : "balloon";

	printf("%s: %s, startup %s, minimum %s, maximum %s, buffer %ld%%, "
	    "weight %ld (%s), ", job->name, c->enabled ? "dynamic" : "static",
	    size_human(c->startup, a, sizeof(a)),
	    size_human(c->minimum, b, sizeof(b)),
	    size_human(c->maximum, d, sizeof(d)), c->buffer, c->weight, copy);
	/* How it grows: a running VM changes over at its next boot. */
	if (!job->running)
		printf("grows by %s\n", next);
	else if (job->hot_now == job->hot_next)
		printf("grows by %s\n", now);
	else
		printf("grows by %s, by %s from the next boot\n", now, next);
}

/* What was written: one line when both copies got the same, else one
 * line per copy. */
static void
report(const struct setjob *job)
{
	if (job->do_live && job->do_config &&
	    vmconf_equal(&job->live_new, &job->config_new))
		report_copy(job, &job->config_new, "live and config");
	else {
		if (job->do_live)
			report_copy(job, &job->live_new, "live");
		if (job->do_config)
			report_copy(job, &job->config_new, "config");
	}
	if (job->running && job->set_memory)
		printf("%s: %s take effect at the next boot\n", job->name,
		    job->grow == DOMDEF_KEEP ? "startup and maximum" :
		    "startup, maximum and hot-add");
}

/* The options, and what cli_parse cannot check alone. */
static int
parse(const struct cli_cmd *cmd, int argc, char **argv, struct set_opts *o,
    struct cli_args *a)
{
	char names[256] = "";
	size_t i;
	int rc;

	if ((rc = cli_parse(cmd, argc, argv, o, a)) != CLI_RUN)
		return rc;
	if (!(a->seen & ((1ULL << NSETTINGS) - 1))) {
		for (i = 0; i < NSETTINGS; i++) {
			size_t len = strlen(names);

			snprintf(names + len, sizeof(names) - len, "%s--%s",
			    i == 0 ? "" : i + 1 == NSETTINGS ? " or " : ", ",
			    opts[i].lng);
		}
		return cli_usage_error(cmd, "nothing to set (give %s)", names);
	}
	if (o->scope == SCOPE_LIVE && (o->ch.v.startup || o->ch.v.maximum ||
	    o->grow != DOMDEF_KEEP))
		return cli_usage_error(cmd, "--startup, --maximum, --hot-add "
		    "and --no-hot-add are boot settings and cannot be changed "
		    "with --live alone");
	return CLI_RUN;
}

/* Connect, and take the set lock: two sets at once would each write back
 * what they read, and one change would be lost, so they take turns from
 * reading to writing. (Others' writers, virsh, are caught by
 * setjob_commit's check.) Returns the lock's descriptor or -1. */
static int
connect_locked(const struct cli_args *a, virConnectPtr *conn,
    uint64_t *host_memory)
{
	struct hostconf hc;
	char *base, *lock;
	int fd;

	if (hostconf_load(&hc, a->conffile) < 0)
		return -1;
	*conn = virt_open(hostconf_uri(&hc, a->uri), false, true);
	if (!*conn) {
		hostconf_free(&hc);
		return -1;
	}
	base = lock_path(*conn, &hc);
	lock = xasprintf("%s.set", base);
	free(base);
	fd = lock_take(lock, hc.lock_wait, "set", NULL);
	free(lock);
	hostconf_free(&hc);
	if (fd < 0 || virt_host_memory(*conn, host_memory) < 0) {
		if (fd >= 0)
			close(fd);
		virConnectClose(*conn);
		return -1;
	}
	return fd;
}

/* Write one prepared VM: 0, or -1 after a message. */
static int
commit(struct setjob *job, virDomainPtr dom, const char *name,
    const struct set_opts *o, uint64_t host_memory)
{
	int r, tries = 0;

	/* Someone changed its settings since they were read (virsh
	 * metadata): read them again and merge into what is there now,
	 * never over it. */
	while ((r = setjob_commit(job)) == SETJOB_CHANGED && ++tries < 5 &&
	    setjob_prepare(job, dom, name, &o->ch, o->grow, o->scope,
	    host_memory) == 0)
		;
	if (r == SETJOB_CHANGED && tries < 5)
		return -1;	/* prepare said why */
	if (r == SETJOB_CHANGED)
		return dm_error("VM '%s': its settings kept changing while "
		    "they were being written; nothing was written", name);
	if (r < 0)
		return -1;
	report(job);
	return 0;
}

static int
run(const struct cli_cmd *cmd, int argc, char **argv)
{
	struct set_opts o = { .grow = DOMDEF_KEEP };
	struct cli_args a = { .uri = dmctl_uri };
	uint64_t host_memory;
	virConnectPtr conn;
	virDomainPtr *doms;
	struct setjob *jobs;
	int i, fd, failed = 0;

	vmconf_change_init(&o.ch);
	if ((i = parse(cmd, argc, argv, &o, &a)) != CLI_RUN)
		return i;
	if ((fd = connect_locked(&a, &conn, &host_memory)) < 0)
		return 1;
	doms = xcalloc((size_t)a.argc, sizeof(*doms));
	jobs = xcalloc((size_t)a.argc, sizeof(*jobs));

	/* Check every VM before writing to any. */
	for (i = 0; i < a.argc; i++)
		if (!(doms[i] = virt_lookup(conn, a.argv[i])) ||
		    setjob_prepare(&jobs[i], doms[i], a.argv[i], &o.ch, o.grow,
		    o.scope, host_memory) < 0)
			failed++;
	if (failed) {
		if (a.argc > 1)
			dm_warn("no VM was changed");
	} else
		for (i = 0; i < a.argc; i++)
			if (commit(&jobs[i], doms[i], a.argv[i], &o,
			    host_memory) < 0)
				failed++;
	for (i = 0; i < a.argc; i++)
		if (doms[i])
			virDomainFree(doms[i]);
	free(doms);
	free(jobs);
	close(fd);
	virConnectClose(conn);
	return failed ? 1 : 0;
}
