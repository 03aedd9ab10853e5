/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ledger.h - what the libvirt hook decides by. A hook must not call back
 * into the daemon that is waiting for it (libvirt warns of deadlock: the
 * starting VM is locked while its hook runs), so balancer passes and
 * "dmctl start" write down the free pool here, and the hook reads it and
 * records what it admitted, under a lock of the file.
 *
 * The file, a line each:
 *   dmctl-ledger 1
 *   time SECONDS        when the free pool below was read
 *   free BYTES          pool less what the running dynamic VMs count
 *   hold UUID BYTES UNTIL   admitted, not yet seen running by a pass
 */
#ifndef DM_LEDGER_H
#define DM_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "hostconf.h"

#define LEDGER_HOLD_SECONDS 300

struct ledger_hold {
	char uuid[40];
	uint64_t bytes;
	int64_t until;
};

struct ledger {
	int64_t time;		/* -1: never written */
	int64_t free;
	struct ledger_hold *holds;
	size_t nholds;
};

/* The ledger file: ledger-file from dmctl.conf, else /run/dmctl/ledger
 * for root, else one in $XDG_RUNTIME_DIR or /tmp. Caller frees. */
char *ledger_path(const struct hostconf *hc);

/*
 * Open and lock the ledger and read it. Only the hook creates it (mode
 * 0644, and its directory): without a hook that ran, nobody reads it, and
 * passes and starts leave the host as it is. Returns the descriptor, to
 * pass to ledger_close; -2 when it does not exist and create is false;
 * -1 with a message in err.
 */
int ledger_open(const char *path, bool create, struct ledger *l, char *err,
    size_t len);

/* Write l back (in place, so ownership and mode stay) and unlock. */
int ledger_close(int fd, const struct ledger *l, bool write);

void ledger_free(struct ledger *l);

/* What the holds of VMs other than uuid add up to, expired ones not. */
uint64_t ledger_held(const struct ledger *l, const char *uuid, int64_t now);

/* Add or replace uuid's hold. */
void ledger_hold(struct ledger *l, const char *uuid, uint64_t bytes,
    int64_t until);

/* Drop uuid's hold; with uuid NULL, every hold that has expired. */
void ledger_drop(struct ledger *l, const char *uuid, int64_t now);

#endif
