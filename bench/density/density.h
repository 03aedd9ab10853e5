/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * density.h - the density benchmark's parts: the demand traces, the
 * simulated host, the policy models it compares and the search for the
 * most VMs each fits. Private to bench/density/.
 */
#ifndef DENSITY_H
#define DENSITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hostconf.h"

#define UNMET_LIMIT 0.001	/* 0.1 % of VM-seconds */

/* ---- traces (traces.c, gen_classic.c, gen_hard.c, csv.c) ------------- */

enum shape { SH_STEADY, SH_DAILY, SH_BURSTY, SH_BATCH, SH_DATABASE,
	SH_CI, SH_VDI, SH_LEAK, SH_JVM, SH_CSV };

extern const char *const shape_names[];

/* Which generated set: the classic shapes, or the hard ones. */
enum traceset_kind { TS_CLASSIC, TS_HARD };

struct trace {
	char name[64];
	enum shape shape;
	double max, min;	/* MiB */
	double io;		/* page cache fill, MiB/s */
	double peak;		/* MiB, the trace's own peak */
	float *d;		/* demand per second, MiB */
	size_t len;
	size_t cap;		/* of d, while a CSV loads */
};

struct traceset {
	struct trace *v;
	size_t n, cap;
	size_t len;		/* seconds */
	uint64_t seed;
	enum traceset_kind kind;
	bool csv;		/* loaded: copies beyond n are time-shifted */
};

/* The generators' random numbers: the next of state s, uniform in
 * [lo, hi), standard normal. */
uint64_t splitmix(uint64_t *s);
double uni(uint64_t *s, double lo, double hi);
double gauss(uint64_t *s);
/* Quantized to 1/16 MiB, so that a trace written to CSV reads back
 * equal; bounded: also within 64 MiB and 95 % of the maximum. */
float quant(double mib);
float bounded(double mib, double max);

/* Generate VM i of a seeded set, len seconds. */
void gen_vm(struct trace *tr, uint64_t seed, size_t i, size_t len);
void gen_hard_vm(struct trace *tr, uint64_t seed, size_t i, size_t len);

/* Generated VM i of a shape: named for both, its maximum, a quarter of
 * it as its minimum, len seconds of demand to fill. */
void trace_start(struct trace *tr, size_t i, double max, size_t len);
struct trace *traces_add(struct traceset *ts);
void trace_peak(struct trace *tr);
/* Make sure the generator's first n VMs exist. */
void traces_need(struct traceset *ts, size_t n);
/* VM i: a trace, and a time shift for the copies of a loaded set. */
const struct trace *trace_of(const struct traceset *ts, size_t i,
    size_t *shift);
void traces_free(struct traceset *ts);

/* CSV: load a file (-1 after a message naming file, line and column);
 * write the first n traces ("-": stdout). */
int traces_load(struct traceset *ts, const char *path);
int traces_dump(const struct traceset *ts, size_t n, const char *path);

/* ---- the simulated host (sim.c) -------------------------------------- */

struct host {
	double total, reserve, overhead;	/* MiB */
	double rate_in, rate_out;		/* MiB/s */
	bool hotadd;				/* VMs grow past startup by plug */
	double rate_plug, rate_unplug;		/* MiB/s */
	int interval;				/* ours, seconds */
	double latency;				/* ours sees demand this
						 * old, seconds */
	bool lend;				/* ours lends idle pool
						 * (lend-idle) */
	double host_use;			/* MiB the host itself
						 * uses of its reserve */
	struct hostconf hc;			/* dmctl.conf's defaults */
};

struct svm {
	const struct trace *tr;
	size_t shift;
	double a;		/* assigned (balloon actual + plugged), MiB */
	double startup;		/* boot memory, MiB: hot-add above it */
	double target;		/* MiB */
	double cache;		/* guest page cache, MiB */
	double seen_free;	/* guest MemFree in the last report */
};

struct sim {
	const struct host *h;
	struct svm *v;
	size_t n;
	size_t t;
	double pool;		/* MiB dmctl's pool: what ours plans in */
	double phys;		/* MiB the VMs can have before the host
				 * runs out: total - its own use -
				 * overhead; every policy's hard limit */
	void *state;		/* the model's own, from its open */
	/* results */
	double moved;		/* MiB */
	double moved_hot;	/* MiB of it plugged or unplugged */
	long changes;
	long unmet;		/* VM-seconds short of demand */
	double short_mibs;	/* MiB x seconds short */
	long vmsec;
	bool infeasible;	/* the start does not fit */
};

/*
 * A policy model: one file each (mom.c, proxmox.c, ...), listed in
 * models[] (models.c). Every second of a run, decide sees the VMs as
 * their stats would show them and sets targets with set_target(); the
 * host moves the memory. open makes the model's own state for a run
 * (s->state) once its VMs have started, close frees it; both may be NULL,
 * as may decide for a model that never moves memory.
 */
struct model {
	const char *name;
	bool balancer;		/* moves memory while the VMs run */
	/* where a VM starts, given its first demand */
	double (*start)(const struct trace *tr, double d0);
	void *(*open)(const struct sim *s);
	void (*decide)(struct sim *s);
	void (*close)(void *state);
};

/* In the tables' order; ours is the last. */
extern const struct model *const models[];
extern const size_t nmodels;
extern const struct model model_ours;

/* The model called name, or NULL with why saying which there are ("is
 * not static-max, ... or ours"). */
const struct model *model_find(const char *name, const char **why);

/* Every dynamic policy's start: first demand + the default buffer,
 * within the VM's bounds. */
double start_dynamic(const struct trace *tr, double d0);

double demand_at(const struct svm *v, size_t t);
void set_target(struct sim *s, struct svm *v, double mib);

/* ---- runs and the search (sim.c, report.c) --------------------------- */

struct result {
	size_t n;		/* 0 when it cannot start */
	long short_s;		/* VM-seconds short of demand */
	double vmdays;
	double short_s_day;	/* short VM-seconds per VM-day */
	double short_mibs_day;	/* MiB x seconds short per VM-day */
	double moved_day;	/* GiB moved per VM-day */
	double changes_day;	/* balloon changes per VM-day */
	double moved_hot;	/* GiB of it by plug and unplug */
};

/* The figures of m with the first n VMs of ts, fitting or not. */
struct result run_n(const struct host *h, struct traceset *ts,
    const struct model *m, size_t n);

/* Every model (or only the one named) at the tolerance and at zero unmet
 * demand, the ceiling and the gains; with vms, each with exactly vms. */
void report(const struct host *h, struct traceset *ts, const char *only);
void report_fixed(const struct host *h, struct traceset *ts,
    const char *only, size_t vms);

#endif
