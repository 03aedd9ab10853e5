/* SPDX-License-Identifier: GPL-2.0-or-later */
/* util.c - allocation that cannot fail silently, and error printing. */
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

const char *dm_progname = "dmctl";

static void
die_oom(void)
{
	fprintf(stderr, "%s: out of memory\n", dm_progname);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		die_oom();
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		die_oom();
	return p;
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		die_oom();
	p = realloc(p, n && size ? n * size : 1);
	if (!p)
		die_oom();
	return p;
}

char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		die_oom();
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		die_oom();
	va_end(ap);
	return s;
}

static void vreport(int level, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void (*report_fn)(const char *msg, void *arg);
static void *report_arg;
static bool report_journal;

void
dm_report_journal(bool on)
{
	report_journal = on;
}

void
dm_report_to(void (*fn)(const char *msg, void *arg), void *arg)
{
	report_fn = fn;
	report_arg = arg;
}

/* level: the syslog(3) level, told to the journal. */
static void
vreport(int level, const char *fmt, va_list ap)
{
	if (report_fn) {
		char msg[1024];

		vsnprintf(msg, sizeof(msg), fmt, ap);
		report_fn(msg, report_arg);
		return;
	}
	fflush(stdout);
	if (report_journal)
		fprintf(stderr, "<%d>", level);
	else
		fprintf(stderr, "%s: ", dm_progname);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int
dm_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(LOG_ERR, fmt, ap);
	va_end(ap);
	return -1;
}

void
dm_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void
dm_report(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(level, fmt, ap);
	va_end(ap);
}

void
dm_ignore_sigpipe(void)
{
	signal(SIGPIPE, SIG_IGN);
}

int
dm_flush_stdout(void)
{
	int failed = ferror(stdout);

	errno = 0;
	if (fflush(stdout) == 0 && !failed)
		return 0;
	if (errno == EPIPE) {
		/* Whoever read the output has gone (dmctl show | head):
		 * end quietly, as the default SIGPIPE would. */
		signal(SIGPIPE, SIG_DFL);
		raise(SIGPIPE);
	}
	/* Said once: a later flush of what is left does not say it again. */
	clearerr(stdout);
	return dm_error("cannot write output: %s",
	    errno ? strerror(errno) : "write error");
}

int
dm_text_width(const char *s)
{
	int w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}
