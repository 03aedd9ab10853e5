/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hostconf.c - strict reading of the host settings file, dmctl.conf(5). */
#include "hostconf.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <fcntl.h>
#include <unistd.h>

#include "size.h"
#include "util.h"

/* Longer lines are refused rather than read in pieces: a piece would be
 * taken for a line of its own and could set a key nobody wrote. */
#define HOSTCONF_LINE_MAX 1024
/* A settings file is a few dozen lines: a larger one is not one. */
#define HOSTCONF_SIZE_MAX (1 << 20)

/* The longest duration taken, stats-period aside: a day. More is far
 * likelier a slip of the unit ("300h" for "300s") than meant. */
#define HOSTCONF_DURATION_MAX (24 * 3600)

enum hostconf_kind {
	HOSTCONF_KIND_SIZE,	/* uint64_t, bytes */
	HOSTCONF_KIND_NUMBER,	/* unsigned */
	HOSTCONF_KIND_DURATION,	/* unsigned, seconds */
	HOSTCONF_KIND_STRING,	/* char *, not empty */
	HOSTCONF_KIND_PATH,	/* char *, absolute */
	HOSTCONF_KIND_BOOL,	/* bool, "yes" or "no" */
};

/* Every key once: the parser, its checks and its messages read this. */
static const struct hostconf_key {
	const char *name;
	enum hostconf_kind kind;
	size_t off;		/* of the field in struct hostconf */
	uint64_t lo, hi;	/* range of a size, number or duration */
} hostconf_keys[] = {
#define HC_FIELD(f) offsetof(struct hostconf, f)
	{ "reserve", HOSTCONF_KIND_SIZE, HC_FIELD(reserve), 0,
	    HOSTCONF_RESERVE_MAX },
	{ "reserve-percent", HOSTCONF_KIND_NUMBER, HC_FIELD(reserve_percent),
	    0, 90 },
	{ "overhead", HOSTCONF_KIND_SIZE, HC_FIELD(overhead), 0,
	    HOSTCONF_PER_VM_MAX },
	{ "reclaim-delay", HOSTCONF_KIND_DURATION, HC_FIELD(reclaim_delay),
	    0, HOSTCONF_DURATION_MAX },
	{ "min-step", HOSTCONF_KIND_SIZE, HC_FIELD(min_step), MIB,
	    HOSTCONF_PER_VM_MAX },
	{ "grace", HOSTCONF_KIND_DURATION, HC_FIELD(grace),
	    0, HOSTCONF_DURATION_MAX },
	{ "stats-period", HOSTCONF_KIND_DURATION, HC_FIELD(stats_period),
	    1, 3600 },
	{ "lock-wait", HOSTCONF_KIND_DURATION, HC_FIELD(lock_wait),
	    0, HOSTCONF_DURATION_MAX },
	{ "uri", HOSTCONF_KIND_STRING, HC_FIELD(uri), 0, 0 },
	{ "lock-file", HOSTCONF_KIND_PATH, HC_FIELD(lock_file), 0, 0 },
	{ "ledger-file", HOSTCONF_KIND_PATH, HC_FIELD(ledger_file), 0, 0 },
	{ "hook-max-age", HOSTCONF_KIND_DURATION, HC_FIELD(hook_max_age),
	    1, HOSTCONF_DURATION_MAX },
	{ "hook-refuse-undecided", HOSTCONF_KIND_BOOL, HC_FIELD(hook_refuse),
	    0, 0 },
	{ "lend-idle", HOSTCONF_KIND_BOOL, HC_FIELD(lend_idle), 0, 0 },
#undef HC_FIELD
};

#define HOSTCONF_NKEYS DM_ARRAY_LEN(hostconf_keys)

void
hostconf_default(struct hostconf *hc)
{
	hc->reserve = GIB;
	hc->reserve_percent = 5;
	hc->overhead = 64 * MIB;
	hc->reclaim_delay = 300;
	hc->min_step = 8 * MIB;
	hc->grace = 10;
	hc->stats_period = 1;
	hc->lock_wait = 10;
	hc->uri = NULL;
	hc->lock_file = NULL;
	hc->ledger_file = NULL;
	hc->reserve_at = NULL;
	hc->hook_max_age = 120;
	hc->hook_refuse = false;
	hc->lend_idle = true;
}

void
hostconf_free(struct hostconf *hc)
{
	free(hc->uri);
	free(hc->lock_file);
	free(hc->ledger_file);
	free(hc->reserve_at);
	hc->uri = hc->lock_file = hc->ledger_file = hc->reserve_at = NULL;
}

static const struct hostconf_key *
hostconf_key(const char *name)
{
	size_t i;

	for (i = 0; i < HOSTCONF_NKEYS; i++)
		if (strcmp(hostconf_keys[i].name, name) == 0)
			return &hostconf_keys[i];
	return NULL;
}

static char *
hostconf_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/*
 * A size, where zero means "none": size_parse() refuses zero, rightly for
 * a VM's memory, so a zero in any unit ("0", "0M") is taken here first.
 */
static int
hostconf_size(const char *v, uint64_t *bytes, const char **why)
{
	size_t zeros = strspn(v, "0");
	uint64_t mult;

	if (zeros > 0 && !isdigit((unsigned char)v[zeros]) &&
	    size_unit(v + zeros, &mult) == 0) {
		*bytes = 0;
		return 0;
	}
	return size_parse(v, 1, bytes, why);
}

/*
 * A whole number, or for a duration, seconds with an optional unit s, m
 * or h. strtoull() alone would also take "+5", " 5" and "-5" (as a huge
 * number), hence the check of the first character.
 * A number too large to hold comes back as UINT64_MAX, for the range
 * check to refuse with the range in its message.
 */
static int
hostconf_number(const struct hostconf_key *k, const char *v, uint64_t *n,
    const char **why)
{
	const char *what = k->kind == HOSTCONF_KIND_DURATION ?
	    "is not a duration (expected a whole number of seconds, or with "
	    "the unit s, m or h)" : "is not a whole number";
	unsigned long long u;
	uint64_t mult = 1;
	char *end;

	if (!isdigit((unsigned char)*v)) {
		*why = *v == '-' ? "must not be negative" : what;
		return -1;
	}
	errno = 0;
	u = strtoull(v, &end, 10);
	if (k->kind == HOSTCONF_KIND_DURATION && *end != '\0' &&
	    end[1] == '\0') {
		if (*end == 's')
			mult = 1;
		else if (*end == 'm')
			mult = 60;
		else if (*end == 'h')
			mult = 3600;
		else
			mult = 0;
		if (mult)
			end++;
	}
	if (*end != '\0') {
		*why = what;
		return -1;
	}
	*n = errno == ERANGE || u > UINT64_MAX / mult ? UINT64_MAX : u * mult;
	return 0;
}

/* Parse v for key k and store it in hc; on failure why says why. */
static int
hostconf_value(struct hostconf *hc, const struct hostconf_key *k,
    const char *v, char *why, size_t len)
{
	void *field = (char *)hc + k->off;
	const char *w, *unit = "";
	uint64_t n = 0;
	char **str = field, lo[16];
	uint64_t *size = field;
	unsigned *num = field;

	switch (k->kind) {
	case HOSTCONF_KIND_SIZE:
		if (hostconf_size(v, &n, &w) < 0) {
			snprintf(why, len, "%s", w);
			return -1;
		}
		break;
	case HOSTCONF_KIND_DURATION:
		unit = " seconds";
		/* FALLTHROUGH */
	case HOSTCONF_KIND_NUMBER:
		if (hostconf_number(k, v, &n, &w) < 0) {
			snprintf(why, len, "%s", w);
			return -1;
		}
		break;
	case HOSTCONF_KIND_PATH:
		/* The lock must be one file whatever the directory the
		 * command runs in. */
		if (*v != '/') {
			snprintf(why, len, "is not an absolute path");
			return -1;
		}
		/* FALLTHROUGH */
	case HOSTCONF_KIND_STRING:
		free(*str);
		*str = xstrdup(v);
		return 0;
	case HOSTCONF_KIND_BOOL:
		if (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0) {
			snprintf(why, len, "must be yes or no");
			return -1;
		}
		*(bool *)field = strcmp(v, "yes") == 0;
		return 0;
	}

	if (n < k->lo || n > k->hi) {
		if (k->kind == HOSTCONF_KIND_SIZE) {
			char hi[32];

			size_human(k->lo, lo, sizeof(lo));
			size_human(k->hi, hi, sizeof(hi));
			snprintf(why, len, "must be from %s to %s", lo, hi);
		} else
			snprintf(why, len, "must be between %llu and %llu%s",
			    (unsigned long long)k->lo,
			    (unsigned long long)k->hi, unit);
		return -1;
	}
	if (k->kind == HOSTCONF_KIND_SIZE)
		*size = n;
	else
		*num = (unsigned)n;
	return 0;
}

/*
 * One line, without its newline. seen[i] is the line that set key i, so
 * that a key given twice can name both lines.
 */
static int
hostconf_line(struct hostconf *hc, const char *file, unsigned n, char *line,
    unsigned *seen)
{
	const struct hostconf_key *k;
	char *p, *key, *val, why[128];

	/* A '#' starts a comment only at the start or after whitespace, so
	 * that a URI or a path may hold one. */
	for (p = line; *p; p++)
		if (*p == '#' && (p == line || isspace((unsigned char)p[-1]))) {
			*p = '\0';
			break;
		}
	key = hostconf_trim(line);
	if (*key == '\0')
		return 0;
	if (!(p = strchr(key, '='))) {
		/* Name what the line starts with; if that is a key, the
		 * '=' is what is missing, else the key is unknown. */
		key[strcspn(key, " \t\v\f\r")] = '\0';
		if (!hostconf_key(key))
			return dm_error("%s:%u: unknown key '%s'", file, n,
			    key);
		return dm_error("%s:%u: %s: missing '=' (expected 'key = "
		    "value')", file, n, key);
	}
	*p = '\0';
	key = hostconf_trim(key);
	val = hostconf_trim(p + 1);
	if (*key == '\0')
		return dm_error("%s:%u: missing key before '='", file, n);
	if (!(k = hostconf_key(key)))
		return dm_error("%s:%u: unknown key '%s'", file, n, key);
	if (seen[k - hostconf_keys])
		return dm_error("%s:%u: %s: given twice (first on line %u)",
		    file, n, key, seen[k - hostconf_keys]);
	seen[k - hostconf_keys] = n;
	if (*val == '\0')
		return dm_error("%s:%u: %s: missing value", file, n, key);
	if (hostconf_value(hc, k, val, why, sizeof(why)) < 0)
		return dm_error("%s:%u: %s: '%s' %s", file, n, key, val, why);
	if (k->off == offsetof(struct hostconf, reserve)) {
		free(hc->reserve_at);
		hc->reserve_at = xasprintf("%s:%u", file, n);
	}
	return 0;
}

/* Where the line holds a control character other than a tab (or a CR
 * at its end), or -1. */
static int
control_at(const char *line)
{
	int i;

	for (i = 0; line[i]; i++) {
		unsigned char c = (unsigned char)line[i];

		if ((c < 0x20 && c != '\t' && !(c == '\r' && !line[i + 1])) ||
		    c == 0x7f)
			return i;
	}
	return -1;
}

/*
 * Open file to read, with *f NULL when there is nothing to read: no file
 * at the default path (named false), or /dev/null. Not blocking at the
 * open: a FIFO with no writer would wait for ever. Only a regular file of
 * a sane size is read: /dev/zero has no end of line and no end.
 */
static int
hostconf_open(const char *file, bool named, FILE **f)
{
	const char *why = NULL;
	struct stat st, dn;
	bool empty = false;
	int fd;

	*f = NULL;
	if ((fd = open(file, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)) < 0) {
		/* Most hosts need no settings file: no file at the
		 * default path means the defaults. One named on the
		 * command line was meant to be read. */
		if (!named && errno == ENOENT)
			return 0;
		return dm_error("cannot open '%s': %s", file, strerror(errno));
	}
	if (fstat(fd, &st) < 0)
		why = strerror(errno);
	/* /dev/null reads as an empty file: the defaults, as with ssh -F. */
	else if (S_ISCHR(st.st_mode) && stat("/dev/null", &dn) == 0 &&
	    S_ISCHR(dn.st_mode) && st.st_rdev == dn.st_rdev)
		empty = true;
	else if (!S_ISREG(st.st_mode) || st.st_size > HOSTCONF_SIZE_MAX)
		why = S_ISDIR(st.st_mode) ? "a directory" :
		    !S_ISREG(st.st_mode) ? "not a regular file" :
		    "larger than 1 MiB";
	else if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0 ||
	    !(*f = fdopen(fd, "r")))
		why = strerror(errno);
	if (why || empty)
		close(fd);
	return why ? dm_error("cannot read '%s': %s", file, why) : 0;
}

/* Every line of f into hc, stopping at the first error. */
static int
hostconf_read(struct hostconf *hc, const char *file, FILE *f)
{
	unsigned seen[HOSTCONF_NKEYS] = { 0 }, n = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int rc = 0, bad;

	while (rc == 0) {
		errno = 0;
		if ((len = getline(&line, &cap, f)) < 0) {
			if (ferror(f))
				rc = dm_error("cannot read '%s': %s", file,
				    strerror(errno ? errno : EIO));
			break;
		}
		n++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len > HOSTCONF_LINE_MAX)
			rc = dm_error("%s:%u: line longer than %d characters",
			    file, n, HOSTCONF_LINE_MAX);
		else if (strlen(line) != (size_t)len)
			rc = dm_error("%s:%u: line holds a NUL byte", file, n);
		else if ((bad = control_at(line)) >= 0)
			/* Said by position, not echoed: an escape
			 * sequence would reach the admin's terminal. */
			rc = dm_error("%s:%u: column %d: control character "
			    "0x%02x", file, n, bad + 1,
			    (unsigned char)line[bad]);
		else
			rc = hostconf_line(hc, file, n, line, seen);
	}
	free(line);
	return rc;
}

int
hostconf_load(struct hostconf *hc, const char *path)
{
	const char *file = path ? path : HOSTCONF_PATH;
	struct hostconf t;
	FILE *f;
	int rc;

	hostconf_default(hc);
	/* The file is read into a copy, so that a bad line leaves hc with
	 * the defaults rather than half of the file. */
	hostconf_default(&t);
	if (hostconf_open(file, path != NULL, &f) < 0)
		return -1;
	rc = f ? hostconf_read(&t, file, f) : 0;
	if (f)
		fclose(f);
	if (rc < 0)
		hostconf_free(&t);
	else
		*hc = t;
	return rc;
}

const char *
hostconf_uri(const struct hostconf *hc, const char *given)
{
	const char *env = getenv("LIBVIRT_DEFAULT_URI");

	if (given)
		return given;
	return env && *env ? NULL : hc->uri;
}
