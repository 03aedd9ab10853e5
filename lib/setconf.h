/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * setconf.h - "dmctl set" as two phases: prepare every VM (read, merge,
 * check, nothing written), then commit each. A failure in the first phase
 * means no VM is changed.
 */
#ifndef DM_SETCONF_H
#define DM_SETCONF_H

#include <stdbool.h>
#include <stdint.h>

#include <libvirt/libvirt.h>

#include "vmconf.h"

/* Which copies to change, with virsh's meaning; 0 is our default. */
enum {
	SCOPE_LIVE = 1,
	SCOPE_CONFIG = 2,
	SCOPE_CURRENT = 4,
};

struct setjob {
	virDomainPtr dom;
	const char *name;	/* as the user typed it */
	bool running;
	bool do_live, do_config;
	int grow;		/* DOMDEF_KEEP, DOMDEF_BALLOON, DOMDEF_HOTADD */
	bool set_memory;	/* the boot memory layout is rewritten */
	bool hot_now;		/* grows by hot-add: running, else as defined */
	bool hot_next;		/* grows by hot-add from the next boot */
	int live_found;		/* were there live settings before */
	int config_found;	/* and persistent ones */
	struct vmconf live_old, live_new, config_old, config_new;
};

/* setjob_commit's answer when the settings changed since setjob_prepare
 * read them: nothing was written; prepare again. */
#define SETJOB_CHANGED 1

/*
 * Work out what setting ch on dom means, with grow saying whether it is to
 * grow by hot-add (see domdef.h), and check it, down to rewriting the
 * definition without saving it; report any problem naming the VM and the
 * field or reason, and return -1. Writes nothing.
 */
int setjob_prepare(struct setjob *job, virDomainPtr dom, const char *name,
    const struct vmconf_change *ch, int grow, unsigned scope,
    uint64_t host_memory);

/* Write a prepared job: live first, then config; if the config cannot be
 * written the live settings are put back. Reports and returns -1, or
 * SETJOB_CHANGED (quietly, nothing written) when a copy's settings are
 * no longer what setjob_prepare read. */
int setjob_commit(struct setjob *job);

#endif
