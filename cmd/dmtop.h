/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dmtop.h - what the parts of dmtop share: the program and batch mode
 * (dmtop.c), the curses screen (dmtop_screen.c), the key table
 * (dmtop_keys.c) and the feed of snapshots, events, timers and signals
 * (dmtop_feed.c).
 */
#ifndef DM_DMTOP_H
#define DM_DMTOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include <libvirt/libvirt.h>

#include "hostconf.h"
#include "top.h"
#include "vmstate.h"

/* The refresh delay in seconds that -d and the d key accept. */
#define DMTOP_DELAY_MIN 0.1
#define DMTOP_DELAY_MAX 86400.0
/* Room for the filter and for what is typed at a prompt. */
#define DMTOP_INPUT_LEN 128
/* The domain events that make the view rescan (dmtop_feed.c). */
#define DMTOP_NEVENTS 4
/* Text that is not on the table's width: the help and -h's key line. */
#define DMTOP_TEXT_WIDTH 78
/* The most lines the key table's help takes. */
#define DMTOP_HELP_LINES 32

enum dmtop_prompt { PROMPT_NONE, PROMPT_DELAY, PROMPT_FILTER };

/* What a key asks for, or'ed together; the feed does it once for all the
 * keys read at a time. */
enum dmtop_redo {
	REDO_DRAW = 1,		/* draw the screen again */
	REDO_SELECT = 2,	/* sort and filter the snapshot, then draw */
	REDO_SCAN = 4,		/* take a new snapshot, then draw */
	REDO_QUIT = 8,
};

struct top {
	const char *uri;		/* NULL: libvirt's default */
	struct hostconf hc;
	virConnectPtr conn;
	int cb[DMTOP_NEVENTS];		/* domain event callback ids */
	bool lost;			/* the close callback fired */
	struct snapshot snap;
	bool have_snap;
	const struct vm **rows;		/* sorted and filtered view of snap */
	size_t nrows;

	double delay;			/* seconds */
	enum top_col sort;
	bool reverse;
	char filter[DMTOP_INPUT_LEN];
	long iterations, done;		/* 0: run until told to quit */

	bool paused, help, quit;
	enum dmtop_prompt prompt;
	char input[DMTOP_INPUT_LEN];
	size_t ninput;
	size_t top_row;			/* scrolling */
	char msg[512];
	char reported[512];		/* the library's last message */
	bool msg_error;
	time_t msg_time;		/* notes go after a few seconds */

	int tick_timer, soon_timer, soon_pending;
	int key_watch, sig_watch;
};

/* dmtop.c: sort and filter the snapshot into t->rows. */
void dmtop_select(struct top *t);

/* dmtop_keys.c: one key read; says what to redo. */
unsigned dmtop_key(struct top *t, int ch);
/* dmtop_keys.c: the key line of -h, after an empty line. */
void dmtop_keys_usage(FILE *f);
/* dmtop_keys.c: the help screen's lines about the keys; how many. */
size_t dmtop_keys_help(char lines[][DMTOP_TEXT_WIDTH + 1], size_t max);

/* dmtop_screen.c: take the terminal; -1 after a message. */
int dmtop_screen_start(struct top *t);
/* dmtop_screen.c: give the terminal back. */
void dmtop_screen_end(void);
void dmtop_draw(struct top *t);
/* dmtop_screen.c: the terminal changed size. */
void dmtop_resize(struct top *t);
/* dmtop_screen.c: the message line; a note (not an error) goes after a
 * few seconds. */
void dmtop_msg(struct top *t, bool error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* dmtop_feed.c: the live view until q, a signal or the last iteration. */
int dmtop_live(struct top *t);
void dmtop_set_delay(struct top *t, double d);
/* dmtop_feed.c: close the connection and stop watching it. */
void dmtop_disconnect(struct top *t);

#endif
