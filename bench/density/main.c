/* SPDX-License-Identifier: GPL-2.0-or-later */
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

/* What the options ask for: the table fills it, args_check passes on
 * what goes to the host and the traces. */
struct args {
	struct host h;		/* rates, latency, hot-add */
	uint64_t host_bytes;
	double hours;
	struct traceset ts;	/* kind */
	const char *csv, *dump, *only;
	long seed, interval, vms;
	bool no_lend;
};

/* The options' places in the table, for cli_args.seen. */
enum { O_HOST, O_HOURS, O_SEED, O_CSV, O_TRACES, O_RATE_IN, O_RATE_OUT,
	O_INTERVAL, O_LATENCY, O_NO_LEND, O_HOTADD, O_RATE_PLUG,
	O_RATE_UNPLUG, O_POLICY, O_VMS, O_DUMP, O_SMOKE };

#define OFF(field) offsetof(struct args, field)

/* A whole number, a real number from lo to hi, a rate in MiB/s. */
#define NUMBER(field, l, h) \
	.type = CLI_NUMBER, .off = OFF(field), .lo = (l), .hi = (h)
#define REAL(field, lo, hi) \
	.type = CLI_REAL, .off = OFF(field), .min = (lo), .max = (hi)
#define RATE(field) REAL(field, 1, 1e6)

/* --csv and --dump-csv: replay a file, or write the generated traces. */
#define CSV_OR_DUMP CLI_GROUP(0)

static const char *traces_arg(const char *arg, void *dst);
static const char *policy_arg(const char *arg, void *dst);
static const char *smoke_arg(const char *arg, void *dst);

static const struct cli_opt opts[] = {
	[O_HOST] = { .lng = "host", .arg = "SIZE", .type = CLI_SIZE,
	    .off = OFF(host_bytes), .lo = GIB,
	    .help = "host memory (default 256G)" },
	[O_HOURS] = { .lng = "hours", .arg = "H",
	    REAL(hours, 1.0 / 60, 24 * 31),
	    .help = "hours of generated traces (default 24)" },
	[O_SEED] = { .lng = "seed", .arg = "N",
	    NUMBER(seed, 0, 1000000000000000),
	    .help = "the traces' seed (default 1)" },
	[O_CSV] = { .lng = "csv", .arg = "FILE", .type = CLI_PATH,
	    .off = OFF(csv), .excl = CSV_OR_DUMP,
	    .help = "replay the traces of FILE instead" },
	[O_TRACES] = { .lng = "traces", .arg = "SET", .type = CLI_STRING,
	    .off = OFF(ts.kind), .parse = traces_arg,
	    .help = "generated set: classic (the default) or hard" },
	[O_RATE_IN] = { .lng = "rate-in", .arg = "MIB/S", RATE(h.rate_in),
	    .help = "balloon inflate rate (default 300)" },
	[O_RATE_OUT] = { .lng = "rate-out", .arg = "MIB/S", RATE(h.rate_out),
	    .help = "balloon deflate rate (default 900)" },
	[O_INTERVAL] = { .lng = "interval", .arg = "S",
	    NUMBER(interval, 1, 3600),
	    .help = "ours: a pass every S seconds (default 1)" },
	[O_LATENCY] = { .lng = "latency", .arg = "S", REAL(h.latency, 0, 3600),
	    .help = "ours sees demand S seconds late (default 2)" },
	[O_NO_LEND] = { .lng = "no-lend-idle", .type = CLI_FLAG,
	    .off = OFF(no_lend), .help = "ours lends no idle pool memory" },
	[O_HOTADD] = { .lng = "hotadd", .type = CLI_FLAG, .off = OFF(h.hotadd),
	    .help = "hot-add VMs: plugged above their startup" },
	[O_RATE_PLUG] = { .lng = "rate-plug", .arg = "MIB/S",
	    RATE(h.rate_plug),
	    .help = "with --hotadd: plug rate (default 2000)" },
	[O_RATE_UNPLUG] = { .lng = "rate-unplug", .arg = "MIB/S",
	    RATE(h.rate_unplug),
	    .help = "with --hotadd: unplug rate (default 400)" },
	[O_POLICY] = { .lng = "policy", .arg = "NAME", .type = CLI_STRING,
	    .off = OFF(only), .parse = policy_arg,
	    .help = "run only the policy NAME" },
	[O_VMS] = { .lng = "vms", .arg = "N", NUMBER(vms, 1, 100000),
	    .help = "exactly N VMs, no search (with --dump-csv: N traces)" },
	[O_DUMP] = { .lng = "dump-csv", .arg = "FILE", .type = CLI_PATH,
	    .off = OFF(dump), .excl = CSV_OR_DUMP,
	    .help = "write the generated traces to FILE" },
	/* --smoke sets the host and the hours where it stands: a --host or
	 * --hours after it wins, one before it does not. */
	[O_SMOKE] = { .lng = "smoke", .type = CLI_FLAG, .off = 0,
	    .parse = smoke_arg, .help = "a short run: 32G host, 1 hour" },
};

static const struct cli_cmd density_cmd = {
	.summary = "How many VMs a host fits under each policy, replaying "
	    "per-second memory-demand\ntraces on a simulated host. See "
	    "bench/README.md, \"The density benchmark\".",
	CLI_OPTS(opts), .common = CLI_HELP_OPT,
};

static const char *
traces_arg(const char *arg, void *dst)
{
	if (strcmp(arg, "classic") != 0 && strcmp(arg, "hard") != 0)
		return "is not classic or hard";
	*(enum traceset_kind *)dst = strcmp(arg, "hard") == 0 ? TS_HARD :
	    TS_CLASSIC;
	return NULL;
}

static const char *
policy_arg(const char *arg, void *dst)
{
	const char *why;

	if (!model_find(arg, &why))
		return why;
	*(const char **)dst = arg;
	return NULL;
}

/* dst is the whole struct args. */
static const char *
smoke_arg(const char *arg, void *dst)
{
	struct args *a = dst;

	(void)arg;
	a->host_bytes = 32 * GIB;
	a->hours = 1;
	return NULL;
}

/* The options into a: CLI_RUN, or the exit status after -h or a usage
 * error, which the help follows. */
static int
args_parse(int argc, char **argv, struct args *a, struct cli_args *ca)
{
	int rc = cli_parse(&density_cmd, argc, argv, a, ca);

	if (rc == EXIT_USAGE)
		cli_help(&density_cmd, stderr);
	return rc;
}

/* What no single option can say wrong; then what goes to the host and
 * the traces in their own types. */
static int
args_check(struct args *a, const struct cli_args *ca)
{
	if (ca->seen & (1ULL << O_RATE_PLUG | 1ULL << O_RATE_UNPLUG) &&
	    !a->h.hotadd) {
		dm_error("--rate-plug and --rate-unplug are for --hotadd");
		return EXIT_USAGE;
	}
	a->h.interval = (int)a->interval;
	a->h.lend = a->h.hc.lend_idle && !a->no_lend;
	a->ts.seed = (uint64_t)a->seed;
	return CLI_RUN;
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
	size_t n = a->vms ? (size_t)a->vms : 100;
	int rc;

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
		    .latency = LATENCY },
		.host_bytes = 256 * GIB, .hours = 24, .seed = 1, .interval = 1,
	};
	struct cli_args ca = { .argc = 0 };
	struct traceset *ts = &a.ts;
	int rc;

	dm_progname = "density";
	hostconf_default(&a.h.hc);
	if ((rc = args_parse(argc, argv, &a, &ca)) != CLI_RUN ||
	    (rc = args_check(&a, &ca)) != CLI_RUN)
		return rc == 0 && dm_flush_stdout() < 0 ? 1 : rc;
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
		report_fixed(&a.h, ts, a.only, (size_t)a.vms);
	else
		report(&a.h, ts, a.only);
	traces_free(ts);
	return dm_flush_stdout() < 0;
}
