/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lock.h - the one lock per libvirt daemon that keeps balancer passes and
 * "dmctl start" from interleaving: two of them never count the same free
 * memory.
 */
#ifndef DM_LOCK_H
#define DM_LOCK_H

#include <signal.h>

#include <libvirt/libvirt.h>

#include "hostconf.h"

/* The lock file for conn: lock-file from dmctl.conf, else a name made
 * from the connection's own URI. Caller frees. */
char *lock_path(virConnectPtr conn, const struct hostconf *hc);

/*
 * Take the lock, waiting up to wait seconds, and giving up early when
 * *stop becomes set (stop may be NULL). Returns the descriptor to close,
 * or -1 after a message naming who (e.g. "rebalance") and why.
 */
int lock_take(const char *path, unsigned wait, const char *who,
    volatile sig_atomic_t *stop);

#endif
