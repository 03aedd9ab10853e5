/* SPDX-License-Identifier: GPL-2.0-or-later */
/* size.c - parsing and printing of memory sizes. */
#include "size.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

static const struct {
	const char *name;
	uint64_t mult;
} units[] = {
	{ "", 1 }, { "b", 1 }, { "byte", 1 }, { "bytes", 1 },
	{ "k", KIB }, { "kib", KIB }, { "kb", 1000ULL },
	{ "m", MIB }, { "mib", MIB }, { "mb", 1000ULL * 1000 },
	{ "g", GIB }, { "gib", GIB }, { "gb", 1000ULL * 1000 * 1000 },
	{ "t", GIB * 1024 }, { "tib", GIB * 1024 },
	{ "tb", 1000ULL * 1000 * 1000 * 1000 },
	{ "p", GIB * 1024 * 1024 }, { "pib", GIB * 1024 * 1024 },
	{ "pb", 1000ULL * 1000 * 1000 * 1000 * 1000 },
	{ "e", GIB * 1024 * 1024 * 1024 }, { "eib", GIB * 1024 * 1024 * 1024 },
	{ "eb", 1000ULL * 1000 * 1000 * 1000 * 1000 * 1000 },
};

int
size_unit(const char *unit, uint64_t *mult)
{
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcasecmp(unit, units[i].name) == 0) {
			*mult = units[i].mult;
			return 0;
		}
	}
	return -1;
}

int
size_parse(const char *s, uint64_t default_mult, uint64_t *bytes,
    const char **why)
{
	unsigned long long n;
	uint64_t mult;
	char *end;

	if (!s || !isdigit((unsigned char)*s)) {
		*why = (s && *s == '-') ? "must not be negative" :
		    "is not a size (expected a number with an optional unit "
		    "such as K, M, G or T)";
		return -1;
	}
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno == ERANGE) {
		*why = "is too large";
		return -1;
	}
	if (*end == '\0')
		mult = default_mult;
	else if (size_unit(end, &mult) < 0) {
		*why = "is not a size (expected a number with an optional unit "
		    "such as K, M, G or T)";
		return -1;
	}
	if (n == 0) {
		*why = "must be greater than zero";
		return -1;
	}
	if (n > UINT64_MAX / mult) {
		*why = "is too large";
		return -1;
	}
	*bytes = n * mult;
	return 0;
}

int
number_parse(const char *s, long lo, long hi, long *out, const char **why)
{
	long n;
	char *end;

	if (!s || !(isdigit((unsigned char)*s) ||
	    (*s == '-' && isdigit((unsigned char)s[1])))) {
		*why = "not a whole number";
		return -1;
	}
	errno = 0;
	n = strtol(s, &end, 10);
	if (*end != '\0') {
		*why = "not a whole number";
		return -1;
	}
	if (errno == ERANGE || n < lo || n > hi) {
		*why = "out of range";
		return -1;
	}
	*out = n;
	return 0;
}

char *
size_human(uint64_t bytes, char *buf, size_t len)
{
	if (bytes < MIB)
		snprintf(buf, len, "%lluK",
		    (unsigned long long)((bytes + KIB / 2) / KIB));
	else if (bytes < GIB)
		snprintf(buf, len, "%lluM",
		    (unsigned long long)((bytes + MIB / 2) / MIB));
	else if (bytes < GIB * 1024)
		snprintf(buf, len, "%.1fG", (double)bytes / (double)GIB);
	else
		snprintf(buf, len, "%.1fT", (double)bytes / (double)GIB / 1024);
	return buf;
}

long long
size_mib_floor(int64_t bytes)
{
	if (bytes < 0)
		return -(long long)((-bytes + (int64_t)MIB - 1) / (int64_t)MIB);
	return (long long)(bytes / (int64_t)MIB);
}
