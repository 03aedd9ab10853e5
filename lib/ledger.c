/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ledger.c - the free pool written down for the libvirt hook. */
#include "ledger.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

char *
ledger_path(const struct hostconf *hc)
{
	const char *dir = getenv("XDG_RUNTIME_DIR");

	if (hc->ledger_file)
		return xstrdup(hc->ledger_file);
	if (geteuid() == 0)
		return xstrdup("/run/dmctl/ledger");
	if (dir && *dir)
		return xasprintf("%s/dmctl-ledger", dir);
	return xasprintf("/tmp/dmctl-ledger-%u", (unsigned)geteuid());
}

static void
parse(struct ledger *l, char *text)
{
	char *line, *save = NULL;
	bool ours = false;

	for (line = strtok_r(text, "\n", &save); line;
	    line = strtok_r(NULL, "\n", &save)) {
		struct ledger_hold h;
		long long a, b;

		if (strcmp(line, "dmctl-ledger 1") == 0)
			ours = true;
		else if (!ours)
			break;
		else if (sscanf(line, "time %lld", &a) == 1)
			l->time = a;
		else if (sscanf(line, "free %lld", &a) == 1)
			l->free = a;
		else if (sscanf(line, "hold %39s %lld %lld", h.uuid, &a, &b) ==
		    3 && a >= 0) {
			h.bytes = (uint64_t)a;
			h.until = b;
			ledger_hold(l, h.uuid, h.bytes, h.until);
		}
	}
	if (!ours)
		l->time = -1;
}

int
ledger_open(const char *path, bool create, struct ledger *l, char *err,
    size_t len)
{
	char buf[65536];
	ssize_t n;
	int fd;

	memset(l, 0, sizeof(*l));
	l->time = -1;
	fd = open(path, O_RDWR | (create ? O_CREAT : 0) | O_NOFOLLOW |
	    O_CLOEXEC, 0644);
	if (fd < 0 && errno == ENOENT && !create) {
		snprintf(err, len, "no ledger '%s'", path);
		return -2;
	}
	if (fd < 0 && errno == ENOENT && strrchr(path, '/') != path) {
		/* The default lives in a directory of its own. */
		char *dir = xstrdup(path);

		*strrchr(dir, '/') = '\0';
		mkdir(dir, 0755);
		free(dir);
		fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
		    0644);
	}
	if (fd < 0) {
		snprintf(err, len, "cannot open the ledger '%s': %s", path,
		    strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX) < 0) {
		snprintf(err, len, "cannot lock the ledger '%s': %s", path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0) {
		snprintf(err, len, "cannot read the ledger '%s': %s", path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	buf[n] = '\0';
	parse(l, buf);
	return fd;
}

int
ledger_close(int fd, const struct ledger *l, bool write)
{
	FILE *f;
	size_t i;
	int rc = 0;

	if (write) {
		char *text = NULL;
		size_t len = 0;

		f = open_memstream(&text, &len);
		fprintf(f, "dmctl-ledger 1\ntime %lld\nfree %lld\n",
		    (long long)l->time, (long long)l->free);
		for (i = 0; i < l->nholds; i++)
			fprintf(f, "hold %s %llu %lld\n", l->holds[i].uuid,
			    (unsigned long long)l->holds[i].bytes,
			    (long long)l->holds[i].until);
		fclose(f);
		if (ftruncate(fd, 0) < 0 || pwrite(fd, text, len, 0) !=
		    (ssize_t)len)
			rc = -1;
		free(text);
	}
	close(fd);
	return rc;
}

void
ledger_free(struct ledger *l)
{
	free(l->holds);
	l->holds = NULL;
	l->nholds = 0;
}

uint64_t
ledger_held(const struct ledger *l, const char *uuid, int64_t now)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < l->nholds; i++)
		if (l->holds[i].until > now && (!uuid ||
		    strcmp(l->holds[i].uuid, uuid) != 0))
			sum += l->holds[i].bytes;
	return sum;
}

void
ledger_hold(struct ledger *l, const char *uuid, uint64_t bytes,
    int64_t until)
{
	struct ledger_hold *h;

	ledger_drop(l, uuid, 0);
	l->holds = realloc(l->holds, (l->nholds + 1) * sizeof(*l->holds));
	if (!l->holds)
		abort();
	h = &l->holds[l->nholds++];
	snprintf(h->uuid, sizeof(h->uuid), "%s", uuid);
	h->bytes = bytes;
	h->until = until;
}

void
ledger_drop(struct ledger *l, const char *uuid, int64_t now)
{
	size_t i, k = 0;

	for (i = 0; i < l->nholds; i++) {
		bool drop = uuid ? strcmp(l->holds[i].uuid, uuid) == 0 :
		    l->holds[i].until <= now;

		if (!drop)
			l->holds[k++] = l->holds[i];
	}
	l->nholds = k;
}
