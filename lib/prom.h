/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * prom.h - the figures of "dmctl show" and the balancer's counters in
 * Prometheus' text exposition format, for a scrape or node_exporter's
 * textfile collector. Each metric is one row of prom.c's table, read
 * through the getters of fields.c, so it says what "show --json" says.
 */
#ifndef DM_PROM_H
#define DM_PROM_H

#include <stdint.h>
#include <stdio.h>

#include "vmstate.h"

/* What the passes of one "rebalance --every" loop did, since it began. */
struct prom_tally {
	uint64_t passes;	/* passes run, or tried */
	uint64_t adds;		/* VMs grown */
	uint64_t reclaims;	/* VMs shrunk */
	uint64_t moved;		/* bytes moved, either way */
	uint64_t errors;	/* VMs not set, VMs with invalid settings,
				 * passes that could not run */
	double pass_seconds;	/* the last pass */
};

/* The file the textfile collector reads, in the directory given. */
#define PROM_TEXTFILE "dmctl.prom"

/*
 * Print the metrics of s (NULL: none) and, when t is not NULL, the
 * balancer's counters. A figure that is unknown is left out.
 */
void prom_print(FILE *f, const struct snapshot *s, const struct prom_tally *t);

/* Print s as a label value: backslash, double quote and newline
 * escaped. */
void prom_label(FILE *f, const char *s);

/*
 * Write what prom_print prints to dir/PROM_TEXTFILE atomically: into a
 * temporary file in dir whose name does not end in ".prom" (the
 * collector skips it), synced, then renamed over the old one. Returns
 * 0, or -1 with the reason in err.
 */
int prom_write_textfile(const char *dir, const struct snapshot *s,
    const struct prom_tally *t, char *err, size_t len);

#endif
