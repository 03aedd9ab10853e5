/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hostline.h - the summary of the host and its pool that "dmctl show"
 * prints above its table and dmtop at the top of its screen: one list of
 * figures in one order, composed in one place, so the two cannot drift.
 */
#ifndef DM_HOSTLINE_H
#define DM_HOSTLINE_H

#include <stddef.h>
#include <time.h>

#include "vmstate.h"

/* Room for one line of the summary, and the most lines it takes. */
#define HOSTLINE_LEN 256
#define HOSTLINE_NLINES 3

enum hostline_form {
	/* "Host: total T, reserve R, static S, overhead O, pool P,
	 * assigned A, free F (N dynamic, M static VMs)", as "dmctl show"
	 * prints it. */
	HOSTLINE_ONE,
	/* "Host: total T, reserve R, static S, overhead O, pool P",
	 * "Pool: assigned A, free F" and "VMs: N dynamic, M static; last
	 * change: WHEN", as dmtop shows them. */
	HOSTLINE_THREE,
};

struct hostline {
	char line[HOSTLINE_NLINES][HOSTLINE_LEN];
	size_t n;
};

/*
 * The summary of h in form; free below zero adds "OVERCOMMITTED by SIZE"
 * after it. now is what the last change's age is counted from.
 */
void hostline(const struct host *h, time_t now, enum hostline_form form,
    struct hostline *out);

#endif
