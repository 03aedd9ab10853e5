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

enum {
	O_ENABLE = 1, O_DISABLE, O_STARTUP, O_MINIMUM, O_MAXIMUM, O_BUFFER,
	O_WEIGHT, O_HOT_ADD, O_NO_HOT_ADD, O_LIVE, O_CONFIG, O_CURRENT,
	O_CONFIG_FILE,
};

static const struct cli_opt opts[] = {
	{ O_ENABLE, "enable", 0, NULL, "make the VMs dynamic", NULL },
	{ O_DISABLE, "disable", 0, NULL, "make the VMs static", NULL },
	{ O_STARTUP, "startup", 0, "SIZE", "memory at boot", "size" },
	{ O_MINIMUM, "minimum", 0, "SIZE", "least the balancer leaves",
	    "size" },
	{ O_MAXIMUM, "maximum", 0, "SIZE", "most the VM can have", "size" },
	{ O_BUFFER, "buffer", 0, "PCT",
	    "spare memory as a percent of demand (5-2000)", "number" },
	{ O_WEIGHT, "weight", 0, "N", "priority when memory is short "
	    "(0-100)", "number" },
	{ O_HOT_ADD, "hot-add", 0, NULL, "boot with startup, grow by "
	    "virtio-mem hot-add", NULL },
	{ O_NO_HOT_ADD, "no-hot-add", 0, NULL, "boot with maximum, grow by "
	    "the balloon only", NULL },
	{ O_LIVE, "live", 0, NULL, "change the running VM only", NULL },
	{ O_CONFIG, "config", 0, NULL, "change the persistent config only",
	    NULL },
	{ O_CURRENT, "current", 0, NULL, "change the running VM if it runs, "
	    "else its config", NULL },
	{ O_CONFIG_FILE, "config-file", 'C', "FILE",
	    "host settings file, for its uri (default /etc/dmctl.conf)",
	    "file" },
	CLI_COMMON_OPTS,
};

static int run(const struct cli_cmd *cmd, int argc, char **argv);

const struct cli_cmd cmd_set = {
	"set", "VM...", "Change the dynamic memory settings of VMs.",
	opts, DM_ARRAY_LEN(opts), run, "vm",
};

static int
parse_size_opt(const struct cli_cmd *cmd, const char *name, const char *arg,
    uint64_t *out)
{
	const char *why;

	if (size_parse(arg, 1, out, &why) < 0)
		return cli_usage_error(cmd, "--%s: '%s' %s", name, arg, why);
	/* A bare number is bytes; "--startup 1024" meant as KiB or MiB
	 * would boot nothing, so small sizes are refused outright. */
	if (*out < VMCONF_SIZE_MIN)
		return cli_usage_error(cmd, "--%s: '%s' is below the %llu MiB "
		    "floor (a number without a unit is bytes)", name, arg,
		    (unsigned long long)(VMCONF_SIZE_MIN / MIB));
	return 0;
}

static int
parse_num_opt(const struct cli_cmd *cmd, const char *name, const char *arg,
    long lo, long hi, long *out)
{
	const char *why;

	if (number_parse(arg, lo, hi, out, &why) < 0)
		return cli_usage_error(cmd, "--%s: '%s' is %s (%ld to %ld)",
		    name, arg, why, lo, hi);
	return 0;
}

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

static int
run(const struct cli_cmd *cmd, int argc, char **argv)
{
	struct vmconf_change ch;
	const char *uri = dmctl_uri, *conffile = NULL, *arg;
	struct hostconf hc;
	unsigned scope = 0;
	uint64_t host_memory;
	virConnectPtr conn;
	virDomainPtr *doms;
	struct setjob *jobs;
	int c, i, n, fd, failed = 0;
	bool any = false;
	int grow = DOMDEF_KEEP;
	char *base, *lock;

	vmconf_change_init(&ch);
	while ((c = cli_next(cmd, argc, argv, &arg)) != CLI_END) {
		switch (c) {
		case O_ENABLE:
		case O_DISABLE:
			if (ch.enable >= 0 && ch.enable != (c == O_ENABLE))
				return cli_usage_error(cmd, "--enable and "
				    "--disable conflict");
			ch.enable = c == O_ENABLE;
			break;
		case O_STARTUP:
			if (parse_size_opt(cmd, "startup", arg, &ch.v.startup))
				return EXIT_USAGE;
			break;
		case O_MINIMUM:
			if (parse_size_opt(cmd, "minimum", arg, &ch.v.minimum))
				return EXIT_USAGE;
			break;
		case O_MAXIMUM:
			if (parse_size_opt(cmd, "maximum", arg, &ch.v.maximum))
				return EXIT_USAGE;
			break;
		case O_BUFFER:
			if (parse_num_opt(cmd, "buffer", arg, VMCONF_BUFFER_MIN,
			    VMCONF_BUFFER_MAX, &ch.v.buffer))
				return EXIT_USAGE;
			break;
		case O_WEIGHT:
			if (parse_num_opt(cmd, "weight", arg, VMCONF_WEIGHT_MIN,
			    VMCONF_WEIGHT_MAX, &ch.v.weight))
				return EXIT_USAGE;
			break;
		case O_HOT_ADD:
		case O_NO_HOT_ADD:
			if (grow != DOMDEF_KEEP && grow != (c == O_HOT_ADD))
				return cli_usage_error(cmd, "--hot-add and "
				    "--no-hot-add conflict");
			grow = c == O_HOT_ADD ? DOMDEF_HOTADD : DOMDEF_BALLOON;
			break;
		case O_LIVE:
			scope |= SCOPE_LIVE;
			continue;
		case O_CONFIG:
			scope |= SCOPE_CONFIG;
			continue;
		case O_CURRENT:
			scope |= SCOPE_CURRENT;
			continue;
		case O_CONFIG_FILE:
			conffile = arg;
			continue;
		case OPT_CONNECT:
			uri = arg;
			continue;
		case OPT_HELP:
			cli_help(cmd, stdout);
			return 0;
		default:
			return EXIT_USAGE;
		}
		any = true;
	}
	if (!any)
		return cli_usage_error(cmd, "nothing to set (give --enable, "
		    "--disable, --startup, --minimum, --maximum, --buffer, "
		    "--weight, --hot-add or --no-hot-add)");
	if ((scope & SCOPE_CURRENT) && (scope & (SCOPE_LIVE | SCOPE_CONFIG)))
		return cli_usage_error(cmd, "--current conflicts with --live "
		    "and --config");
	if (scope == SCOPE_LIVE && (ch.v.startup || ch.v.maximum ||
	    grow != DOMDEF_KEEP))
		return cli_usage_error(cmd, "--startup, --maximum, --hot-add "
		    "and --no-hot-add are boot settings and cannot be changed "
		    "with --live alone");
	if (optind >= argc)
		return cli_usage_error(cmd, "no VM named");

	if (hostconf_load(&hc, conffile) < 0)
		return 1;
	conn = virt_open(hostconf_uri(&hc, uri), false, true);
	if (!conn) {
		hostconf_free(&hc);
		return 1;
	}
	/* Two sets at once would each write back what they read, and one
	 * change would be lost: they take turns, from reading to writing.
	 * (Others' writers, virsh, are caught by setjob_commit's check.) */
	base = lock_path(conn, &hc);
	lock = xasprintf("%s.set", base);
	free(base);
	fd = lock_take(lock, hc.lock_wait, "set", NULL);
	free(lock);
	hostconf_free(&hc);
	if (fd < 0 || virt_host_memory(conn, &host_memory) < 0) {
		if (fd >= 0)
			close(fd);
		virConnectClose(conn);
		return 1;
	}
	n = argc - optind;
	doms = xcalloc((size_t)n, sizeof(*doms));
	jobs = xcalloc((size_t)n, sizeof(*jobs));

	/* Check every VM before writing to any. */
	for (i = 0; i < n; i++) {
		const char *name = argv[optind + i];

		if (!(doms[i] = virt_lookup(conn, name)) ||
		    setjob_prepare(&jobs[i], doms[i], name, &ch, grow, scope,
		    host_memory) < 0)
			failed++;
	}
	if (failed) {
		if (n > 1)
			dm_warn("no VM was changed");
	} else {
		for (i = 0; i < n; i++) {
			int r, tries = 0;

			/* Someone changed its settings since they were
			 * read (virsh metadata): read them again and merge
			 * into what is there now, never over it. */
			while ((r = setjob_commit(&jobs[i])) == SETJOB_CHANGED &&
			    ++tries < 5 && setjob_prepare(&jobs[i], doms[i],
			    argv[optind + i], &ch, grow, scope, host_memory) == 0)
				;
			if (r == SETJOB_CHANGED && tries < 5)
				failed++;	/* prepare said why */
			else if (r == SETJOB_CHANGED) {
				dm_error("VM '%s': its settings kept changing "
				    "while they were being written; nothing "
				    "was written", argv[optind + i]);
				failed++;
			} else if (r < 0)
				failed++;
			else
				report(&jobs[i]);
		}
	}
	for (i = 0; i < n; i++)
		if (doms[i])
			virDomainFree(doms[i]);
	free(doms);
	free(jobs);
	close(fd);
	virConnectClose(conn);
	return failed ? 1 : 0;
}
