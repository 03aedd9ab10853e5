/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hostconf.h - the host's balancer settings, from /etc/dmctl.conf. */
#ifndef DM_HOSTCONF_H
#define DM_HOSTCONF_H

#include <stdbool.h>
#include <stdint.h>

#define HOSTCONF_PATH "/etc/dmctl.conf"

struct hostconf {
	uint64_t reserve;		/* bytes, default 1 GiB */
	unsigned reserve_percent;	/* of host memory, default 5; the
					 * larger of the two wins */
	uint64_t overhead;		/* bytes per running VM, default 64 MiB */
	unsigned reclaim_delay;		/* seconds, default 300 */
	uint64_t min_step;		/* bytes, default 8 MiB */
	unsigned grace;			/* seconds a freshly started VM is left
					 * alone, default 10 */
	unsigned stats_period;		/* seconds, guest balloon stats period
					 * the balancer sets, default 1 */
	unsigned lock_wait;		/* seconds a second rebalance waits for
					 * the lock, default 10 */
	char *uri;			/* default connection URI or NULL */
	char *lock_file;		/* NULL: computed by the caller */
	char *ledger_file;		/* NULL: the default (ledger.h) */
	unsigned hook_max_age;		/* seconds the ledger is fresh for, for
					 * the hook, default 120 */
	bool hook_refuse;		/* a hook that cannot decide refuses */
	bool lend_idle;			/* lend idle pool memory as headroom */
	char *reserve_at;		/* "FILE:LINE" of reserve, or NULL */
};

/* The largest reserve taken: more than any host has. Above the host's own
 * memory it is refused when that is known (snapshot_take). */
#define HOSTCONF_RESERVE_MAX (1ULL << 50)
/* The largest per-VM overhead and minimum step: a TiB. */
#define HOSTCONF_PER_VM_MAX (1ULL << 40)

void hostconf_default(struct hostconf *hc);

/*
 * Load path over the defaults. path NULL means HOSTCONF_PATH, which may be
 * missing (defaults stay); a path given explicitly must exist. Errors are
 * reported with dm_error() as "dmctl: FILE:LINE: unknown key 'x'" /
 * "dmctl: FILE:LINE: reserve: '12Q' is not a size ..." and -1 returned.
 * hc need not be initialized: it gets the defaults first, and keeps only
 * them when the file has an error, so hostconf_free() is always safe.
 */
int hostconf_load(struct hostconf *hc, const char *path);
void hostconf_free(struct hostconf *hc);

/*
 * The URI to connect to: the one given with -c (may be NULL), else NULL
 * when LIBVIRT_DEFAULT_URI is set (libvirt reads it), else the file's uri.
 * -c and the variable are this run's choice, the file the host's standing
 * one. An empty LIBVIRT_DEFAULT_URI counts as unset, as libvirt takes it.
 */
const char *hostconf_uri(const struct hostconf *hc, const char *given);

#endif
