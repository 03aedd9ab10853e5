/* SPDX-License-Identifier: GPL-2.0-or-later */
/* size.h - memory sizes as admins type them and as people read them. */
#ifndef DM_SIZE_H
#define DM_SIZE_H

#include <stddef.h>
#include <stdint.h>

#define KIB ((uint64_t)1024)
#define MIB (KIB * 1024)
#define GIB (MIB * 1024)

/*
 * Look up the multiplier of a unit name as libvirt and virsh accept it
 * ("", "b", "K", "KiB", "KB", "M", ...; case does not matter). Units
 * without "B" and with "iB" are powers of 1024; "KB", "MB", ... are
 * powers of 1000, as in virsh. Returns 0 on success, -1 if unknown.
 */
int size_unit(const char *unit, uint64_t *mult);

/*
 * Parse a size such as "512M", "4GiB" or "1073741824". A bare number is
 * bytes when default_mult is 1. Negative numbers, zero, fractions,
 * overflow and trailing junk are refused: on failure *why says why and
 * -1 is returned.
 */
int size_parse(const char *s, uint64_t default_mult, uint64_t *bytes,
    const char **why);

/* Parse a whole decimal number in [lo, hi]; -1 with *why on failure. */
int number_parse(const char *s, long lo, long hi, long *out, const char **why);

/* Whole MiB of a signed amount, rounded down (-1 MiB for -1 byte): a
 * free pool in messages, which may be negative when overcommitted. */
long long size_mib_floor(int64_t bytes);

/* Short human form: "980K", "256M", "1.5G", "2.0T". Returns buf. */
char *size_human(uint64_t bytes, char *buf, size_t len);

#endif
