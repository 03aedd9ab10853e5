/*
 * main.c - density: how many more VMs a host fits with dmctl's balancer
 * than with static sizing, oVirt MoM's and Proxmox VE's ballooning,
 * replaying per-second memory-demand traces on a simulated host.
 *
 * The model (see bench/README.md for the reasoning):
 *
 * - A host of --host memory keeps the reserve and the per-VM overhead of
 *   dmctl.conf's defaults for itself; the rest, the pool, is all the VMs'
 *   assigned memory may ever take: growing a VM needs free pool memory
 *   (the host does not swap), shrinking one gives it back.
 * - Each VM has a maximum (its static size today), a minimum of a quarter
 *   of it, and a per-second demand trace: the memory its guest cannot do
 *   without (balloon actual - usable, what dmctl measures). The guest's page
 *   cache fills free memory at a per-VM rate and is dropped as soon as
 *   demand or the balloon needs the room.
 * - A balloon moves toward its target at a finite rate, --rate-in MiB/s
 *   when it inflates (the VM shrinks) and --rate-out when it deflates; make
 *   bench measures both on the real test bed first (bench/balloon-rate.sh).
 * - With --hotadd every VM is a hot-add VM: it boots at the size a dynamic
 *   policy starts it at (its startup), memory above that is plugged and
 *   unplugged through virtio-mem at --rate-plug and --rate-unplug MiB/s,
 *   and only memory below it moves by balloon. Growing deflates first and
 *   then plugs, shrinking unplugs first, within one second between them.
 * - Unmet demand: VM-seconds in which a VM has less memory than its demand
 *   (its guest swaps or kills). A policy fits N VMs if the first N VMs of
 *   the trace set run a whole trace with unmet demand <= 0.1 %.
 * - Policies (models.c lists them): static-max (every VM at its maximum),
 *   static-peak (every VM at the peak of its own trace, known in
 *   hindsight), mom (oVirt MoM's balloon rules), proxmox (Proxmox VE's
 *   AutoBalloon) and ours: the policy_plan() that "dmctl rebalance" calls,
 *   every --interval seconds. Every dynamic policy starts each VM at its
 *   first demand + the default buffer.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "density.h"
#include "size.h"
#include "util.h"

/* How late ours sees a demand change, seconds: from a jump to the grown
 * assignment, bench/reaction.sh measured a median of 1.6-2.5 s for a
 * balloon VM on this machine (README.md), the balloon's move included;
 * the simulation moves the balloon itself, so 2 s is on the safe side. */
#define LATENCY 2.0

/* Of the reserve, what the host itself uses (kernel, libvirtd, QEMU's
 * own): MoM and Proxmox read the host's real free memory, so the rest of
 * the reserve is free to them, and a hard limit for every policy. */
#define HOST_USE 0.25

/* Balloon inflate and deflate, virtio-mem plug and unplug, MiB/s,
 * measured on the TCG test bed by bench/balloon-rate.sh; make bench
 * measures again and passes its own. */
#define RATE_IN 300
#define RATE_OUT 900
#define RATE_PLUG 2000
#define RATE_UNPLUG 400

enum { O_HOST = 1, O_HOURS, O_SEED, O_CSV, O_TRACES, O_RATE_IN, O_RATE_OUT,
	O_INTERVAL, O_LATENCY, O_NO_LEND, O_HOTADD, O_RATE_PLUG,
	O_RATE_UNPLUG, O_POLICY, O_VMS, O_DUMP, O_SMOKE };

static const struct cli_opt opts[] = {
	{ O_HOST, "host", 0, "SIZE", "host memory (default 256G)", "size" },
	{ O_HOURS, "hours", 0, "H", "hours of generated traces (default 24)",
	    "number" },
	{ O_SEED, "seed", 0, "N", "the traces' seed (default 1)", "number" },
	{ O_CSV, "csv", 0, "FILE", "replay the traces of FILE instead",
	    "file" },
	{ O_TRACES, "traces", 0, "SET",
	    "generated set: classic (the default) or hard", NULL },
	{ O_RATE_IN, "rate-in", 0, "MIB/S",
	    "balloon inflate rate (default 300)", "number" },
	{ O_RATE_OUT, "rate-out", 0, "MIB/S",
	    "balloon deflate rate (default 900)", "number" },
	{ O_INTERVAL, "interval", 0, "S", "ours: a pass every S seconds "
	    "(default 1)", "number" },
	{ O_LATENCY, "latency", 0, "S", "ours sees demand S seconds late "
	    "(default 2)", "number" },
	{ O_NO_LEND, "no-lend-idle", 0, NULL, "ours lends no idle pool memory",
	    NULL },
	{ O_HOTADD, "hotadd", 0, NULL, "hot-add VMs: plugged above their "
	    "startup", NULL },
	{ O_RATE_PLUG, "rate-plug", 0, "MIB/S",
	    "with --hotadd: plug rate (default 2000)", "number" },
	{ O_RATE_UNPLUG, "rate-unplug", 0, "MIB/S",
	    "with --hotadd: unplug rate (default 400)", "number" },
	{ O_POLICY, "policy", 0, "NAME", "run only the policy NAME", NULL },
	{ O_VMS, "vms", 0, "N", "exactly N VMs, no search (with --dump-csv: "
	    "N traces)", "number" },
	{ O_DUMP, "dump-csv", 0, "FILE", "write the generated traces to FILE",
	    "file" },
	{ O_SMOKE, "smoke", 0, NULL, "a short run: 32G host, 1 hour", NULL },
	{ OPT_HELP, "help", 'h', NULL, "show this help and exit", NULL },
};

static const struct cli_cmd density_cmd = {
	NULL, NULL, "How many VMs a host fits under each policy, replaying "
	"per-second memory-demand\ntraces on a simulated host. See "
	"bench/README.md, \"The density benchmark\".", opts,
	DM_ARRAY_LEN(opts), NULL, NULL,
};

/* What the options ask for. */
struct args {
	struct host h;		/* rates, interval, latency, lending */
	uint64_t host_bytes;
	double hours;
	struct traceset ts;	/* seed and kind */
	const char *csv, *dump, *only;
	size_t vms;
	bool rate_hot;		/* a plug or unplug rate given */
};

static double
num_arg(const char *opt, const char *s, double lo, double hi)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end || errno || !(v >= lo && v <= hi)) {
		dm_error("%s: '%s' is not a number from %g to %g", opt, s,
		    lo, hi);
		exit(EXIT_USAGE);
	}
	return v;
}

static uint64_t
host_arg(const char *s)
{
	const char *why = "below 1 GiB";
	uint64_t bytes;

	if (size_parse(s, 1, &bytes, &why) < 0 || bytes < GIB) {
		dm_error("--host: '%s': %s", s, why);
		exit(EXIT_USAGE);
	}
	return bytes;
}

static enum traceset_kind
traces_arg(const char *s)
{
	if (strcmp(s, "classic") != 0 && strcmp(s, "hard") != 0) {
		dm_error("--traces: '%s' is not classic or hard", s);
		exit(EXIT_USAGE);
	}
	return strcmp(s, "hard") == 0 ? TS_HARD : TS_CLASSIC;
}

static void
usage_error(void)
{
	cli_help(&density_cmd, stderr);
	exit(EXIT_USAGE);
}

/* Every option, in the order given; a bad one exits 2 after a message,
 * -h exits 0 after the help. */
static void
args_parse(int argc, char **argv, struct args *a)
{
	const char *arg;
	int c;

	while ((c = cli_next(&density_cmd, argc, argv, &arg)) != CLI_END) {
		switch (c) {
		case O_HOST:
			a->host_bytes = host_arg(arg);
			break;
		case O_HOURS:
			a->hours = num_arg("--hours", arg, 1.0 / 60, 24 * 31);
			break;
		case O_SEED:
			a->ts.seed = (uint64_t)num_arg("--seed", arg, 0, 1e15);
			break;
		case O_CSV:
			a->csv = arg;
			break;
		case O_TRACES:
			a->ts.kind = traces_arg(arg);
			break;
		case O_RATE_IN:
			a->h.rate_in = num_arg("--rate-in", arg, 1, 1e6);
			break;
		case O_RATE_OUT:
			a->h.rate_out = num_arg("--rate-out", arg, 1, 1e6);
			break;
		case O_INTERVAL:
			a->h.interval = (int)num_arg("--interval", arg, 1, 3600);
			break;
		case O_LATENCY:
			a->h.latency = num_arg("--latency", arg, 0, 3600);
			break;
		case O_NO_LEND:
			a->h.lend = false;
			break;
		case O_HOTADD:
			a->h.hotadd = true;
			break;
		case O_RATE_PLUG:
			a->h.rate_plug = num_arg("--rate-plug", arg, 1, 1e6);
			a->rate_hot = true;
			break;
		case O_RATE_UNPLUG:
			a->h.rate_unplug = num_arg("--rate-unplug", arg, 1, 1e6);
			a->rate_hot = true;
			break;
		case O_POLICY:
			a->only = arg;
			break;
		case O_VMS:
			a->vms = (size_t)num_arg("--vms", arg, 1, 100000);
			break;
		case O_DUMP:
			a->dump = arg;
			break;
		case O_SMOKE:
			a->host_bytes = 32 * GIB;
			a->hours = 1;
			break;
		case OPT_HELP:
			cli_help(&density_cmd, stdout);
			exit(dm_flush_stdout() < 0);
		default:
			usage_error();
		}
	}
}

/* What no single option can say wrong: operands, combinations, names. */
static void
args_check(int argc, char **argv, const struct args *a)
{
	if (optind != argc) {
		cli_usage_error(NULL, "unexpected argument '%s'", argv[optind]);
		usage_error();
	}
	if (a->rate_hot && !a->h.hotadd) {
		dm_error("--rate-plug and --rate-unplug are for --hotadd");
		exit(EXIT_USAGE);
	}
	if (a->only && !model_find(a->only))
		exit(EXIT_USAGE);
}

/* The host: its memory, dmctl.conf's reserve and overhead, and what the
 * host itself uses. */
static void
host_setup(struct host *h, uint64_t bytes)
{
	h->total = (double)bytes / MIB;
	h->reserve = fmax((double)h->hc.reserve / MIB,
	    h->total * h->hc.reserve_percent / 100);
	h->overhead = (double)h->hc.overhead / MIB;
	h->host_use = h->reserve * HOST_USE;
}

static void
print_setup(const struct args *a)
{
	const struct host *h = &a->h;
	const struct traceset *ts = &a->ts;

	printf("density: host %.0f GiB (reserve %.1f GiB, of it %.1f GiB used "
	    "by the host itself; %.0f MiB overhead a VM), %s, %.1f h; balloon "
	    "%.0f MiB/s in, %.0f MiB/s out; dmctl pass every %d s, seeing "
	    "demand %.1f s late\n",
	    h->total / 1024, h->reserve / 1024, h->host_use / 1024, h->overhead,
	    a->csv ? a->csv : ts->kind == TS_HARD ? "hard generated traces" :
	    "generated traces", (double)ts->len / 3600,
	    h->rate_in, h->rate_out, h->interval, h->latency);
	if (h->hotadd)
		printf("hot-add VMs: above its startup (where a dynamic policy "
		    "starts it) a VM is plugged at %.0f MiB/s and unplugged at "
		    "%.0f MiB/s; below it the balloon moves\n", h->rate_plug,
		    h->rate_unplug);
	if (a->csv)
		printf("traces: %zu from %s\n", ts->n, a->csv);
	else
		printf("traces: seed %llu\n", (unsigned long long)ts->seed);
}

/* The generated traces to a file (--dump-csv): the first --vms, or 100. */
static int
dump(struct args *a)
{
	size_t n = a->vms ? a->vms : 100;
	int rc;

	if (a->csv) {
		dm_error("--dump-csv writes generated traces; not with --csv");
		traces_free(&a->ts);
		exit(EXIT_USAGE);
	}
	traces_need(&a->ts, n);
	rc = traces_dump(&a->ts, n, a->dump);
	traces_free(&a->ts);
	return rc < 0;
}

int
main(int argc, char **argv)
{
	struct args a = {
		.h = { .rate_in = RATE_IN, .rate_out = RATE_OUT,
		    .rate_plug = RATE_PLUG, .rate_unplug = RATE_UNPLUG,
		    .interval = 1, .latency = LATENCY },
		.host_bytes = 256 * GIB, .hours = 24, .ts = { .seed = 1 },
	};
	struct traceset *ts = &a.ts;

	dm_progname = "density";
	hostconf_default(&a.h.hc);
	a.h.lend = a.h.hc.lend_idle;
	args_parse(argc, argv, &a);
	args_check(argc, argv, &a);
	host_setup(&a.h, a.host_bytes);
	if (a.csv) {
		if (traces_load(ts, a.csv) < 0) {
			traces_free(ts);
			return 1;
		}
	} else
		ts->len = (size_t)(a.hours * 3600);
	if (a.dump)
		return dump(&a);
	print_setup(&a);
	if (a.vms)
		report_fixed(&a.h, ts, a.only, a.vms);
	else
		report(&a.h, ts, a.only);
	traces_free(ts);
	return dm_flush_stdout() < 0;
}
