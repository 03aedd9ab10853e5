/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slowcall.c - preloaded into dmctl by the command tests (slow_call in
 * helpers.bash) to make one libvirt call slow, so that a test can stop a
 * VM or send a signal in the middle of a pass. DMCTL_SLOW_CALL is
 * "FUNCTION=SECONDS" (fractions allowed): the first call of FUNCTION in
 * the process waits that long, or until a signal, before it is made.
 * Only the functions below can be slowed.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Wait if name is the function asked for and this is its first call. */
static void
maybe_wait(const char *name, bool *done)
{
	const char *e = getenv("DMCTL_SLOW_CALL");
	size_t len = strlen(name);
	struct timespec ts;
	double s;

	if (*done || !e || strncmp(e, name, len) != 0 || e[len] != '=')
		return;
	*done = true;
	s = atof(e + len + 1);
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
}

/* The libvirt types do not matter here: pointers are passed through. */
void *virDomainLookupByUUIDString(void *conn, const char *uuid);
int virConnectGetAllDomainStats(void *conn, unsigned int stats,
    void *retStats, unsigned int flags);

/* The first VM a pass acts on: after planning, before applying. */
void *
virDomainLookupByUUIDString(void *conn, const char *uuid)
{
	static bool done;
	void *(*real)(void *, const char *) = (void *(*)(void *,
	    const char *))dlsym(RTLD_NEXT, "virDomainLookupByUUIDString");

	maybe_wait("virDomainLookupByUUIDString", &done);
	return real(conn, uuid);
}

/* The start of every pass (its snapshot), with the lock held. */
int
virConnectGetAllDomainStats(void *conn, unsigned int stats, void *retStats,
    unsigned int flags)
{
	static bool done;
	int (*real)(void *, unsigned int, void *, unsigned int) = (int (*)(
	    void *, unsigned int, void *, unsigned int))dlsym(RTLD_NEXT,
	    "virConnectGetAllDomainStats");

	maybe_wait("virConnectGetAllDomainStats", &done);
	return real(conn, stats, retStats, flags);
}
