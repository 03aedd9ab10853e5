/* SPDX-License-Identifier: GPL-2.0-or-later */
/* util.h - memory helpers and the one way dmctl reports errors. */
#ifndef DM_UTIL_H
#define DM_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DM_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Name printed before every message; set once by main(). */
extern const char *dm_progname;

/* a + b, or UINT64_MAX where that overflows: sums of sizes. */
static inline uint64_t
sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Print "progname: message" on stderr and return -1, so that callers can
 * write "return dm_error(...)" and let their own caller decide what to do.
 */
int dm_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void dm_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Send what dm_error and dm_warn say to fn instead of stderr (without the
 * program's name): a program that owns the terminal, dmtop's screen,
 * shows them in its message line. fn NULL puts stderr back.
 */
void dm_report_to(void (*fn)(const char *msg, void *arg), void *arg);
/*
 * With on, stderr is the journal (log.c): each message starts with its
 * level as sd-daemon(3) "<3>" or "<4>" instead of the program's name,
 * which the journal adds itself.
 */
void dm_report_journal(bool on);
/* A message at syslog(3) level (LOG_NOTICE, ...), as dm_error and
 * dm_warn write theirs: the level told to the journal, else after the
 * program's name. */
void dm_report(int level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Flush stdout and report a write error (full disk, closed pipe) once. */
/*
 * SIGPIPE ignored: a libvirt client must not die when the daemon's socket
 * closes under a write (the error comes back from the call instead).
 */
void dm_ignore_sigpipe(void);
/* Flush stdout: 0, or -1 after a message; a reader that went away
 * (EPIPE) ends the program quietly by SIGPIPE, as if not ignored. */
int dm_flush_stdout(void);
/* Columns a string takes: names are bytes to libvirt, shown as UTF-8;
 * one column a sequence, not a byte. */
int dm_text_width(const char *s);

#endif
