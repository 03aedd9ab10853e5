/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * log.h - where the balancer's changes and warnings reach the admin: the
 * journal when standard error is the journal (a systemd service), else
 * syslog when a daemon listens on /dev/log, else standard error; or the
 * one DMCTL_LOG names.
 */
#ifndef DM_LOG_H
#define DM_LOG_H

#include <stdbool.h>

/* Choose where messages go, once, before the first; ident names the
 * program in syslog. */
void log_open(const char *ident);
void log_close(void);

/*
 * Log a message at prio, a syslog(3) level; say: on stderr too. With
 * neither journal nor syslog, stderr is the log: the first message not
 * said comes after a warning that says so.
 */
void log_print(int prio, bool say, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A record for the log only, such as a change made. */
#define log_record(prio, ...) log_print((prio), false, __VA_ARGS__)
/* A message the admin must see: on stderr, and in the log. */
#define log_say(prio, ...) log_print((prio), true, __VA_ARGS__)

#endif
