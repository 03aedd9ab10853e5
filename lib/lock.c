/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lock.c - one lock per libvirt daemon for passes and starts. */
#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

char *
lock_path(virConnectPtr conn, const struct hostconf *hc)
{
	const char *dir = getenv("XDG_RUNTIME_DIR");
	uint32_t h = 2166136261u;
	char *uri, *path;
	const char *p;

	if (hc->lock_file)
		return xstrdup(hc->lock_file);
	uri = virConnectGetURI(conn);
	for (p = uri ? uri : ""; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	free(uri);
	if (geteuid() == 0)
		path = xasprintf("/run/lock/dmctl-rebalance-%08x.lock", h);
	else if (dir && *dir)
		path = xasprintf("%s/dmctl-rebalance-%08x.lock", dir, h);
	else
		path = xasprintf("/tmp/dmctl-rebalance-%u-%08x.lock",
		    (unsigned)geteuid(), h);
	return path;
}

int
lock_take(const char *path, unsigned wait, const char *who,
    volatile sig_atomic_t *stop)
{
	struct timespec tick = { 0, 100 * 1000 * 1000 };
	time_t until = time(NULL) + (time_t)wait;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return dm_error("%s: cannot open lock file '%s': %s", who,
		    path, strerror(errno));
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK) {
			dm_error("%s: cannot lock '%s': %s", who, path,
			    strerror(errno));
			close(fd);
			return -1;
		}
		if (stop && *stop) {
			close(fd);
			return -1;
		}
		if (time(NULL) >= until) {
			dm_error("%s: another pass or start is running (lock "
			    "'%s' still held after %u s); giving up", who, path,
			    wait);
			close(fd);
			return -1;
		}
		nanosleep(&tick, NULL);
	}
	return fd;
}
