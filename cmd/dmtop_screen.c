/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dmtop_screen.c - the curses screen of the live view: taking and giving
 * back the terminal, colours, the message line, drawing the view and the
 * help.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <curses.h>

#include "dmtop.h"
#include "hostline.h"
#include "util.h"

/* Lines above the table: the title, the host summary, the message. */
#define MSG_LINE (1 + HOSTLINE_NLINES)
#define HEAD_LINES (MSG_LINE + 1)
/* How long a note (not an error) stays on the message line. */
#define NOTE_SECONDS 5
/* How long curses waits after an Escape for the rest of a key's code. */
#define ESC_DELAY_MS 25

enum { PAIR_OK = 1, PAIR_LOW, PAIR_WARN, PAIR_MSG };

/* What the library reports while the screen is up, for the message
 * line (the caller words it: "no connection ...: MESSAGE"). */
static void
keep_report(const char *msg, void *arg)
{
	struct top *t = arg;

	snprintf(t->reported, sizeof(t->reported), "%s", msg);
}

int
dmtop_screen_start(struct top *t)
{
	if (!initscr())
		return dm_error("cannot start the terminal");
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(ESC_DELAY_MS);
	curs_set(0);
	if (has_colors()) {
		start_color();
		use_default_colors();
		init_pair(PAIR_OK, COLOR_GREEN, -1);
		init_pair(PAIR_LOW, COLOR_YELLOW, -1);
		init_pair(PAIR_WARN, COLOR_RED, -1);
		init_pair(PAIR_MSG, COLOR_RED, -1);
	}
	/* Library messages would scribble over the screen; the message line
	 * shows them instead. */
	dm_report_to(keep_report, t);
	return 0;
}

void
dmtop_screen_end(void)
{
	endwin();
	dm_report_to(NULL, NULL);
}

void
dmtop_msg(struct top *t, bool error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->msg, sizeof(t->msg), fmt, ap);
	va_end(ap);
	t->msg_error = error;
	t->msg_time = time(NULL);
}

static void
put_line(int y, const char *s)
{
	if (y >= LINES)
		return;
	mvaddnstr(y, 0, s, COLS);
}

/* The keys from their table, then what the bar and the status mean. */
static void
draw_help(void)
{
	static const char *const after[] = {
		"",
		"  MEMORY bar: # demand, = assigned above demand, ! demand not",
		"  assigned, blank up to the maximum.",
		"  STATUS: OK has demand and buffer, Low lacks some buffer,",
		"  Warning has less than demand.",
		"",
		"Press any key to return.",
	};
	char keys[DMTOP_HELP_LINES][DMTOP_TEXT_WIDTH + 1];
	size_t i, n;
	int y = 0;

	erase();
	put_line(y++, "dmtop - keys");
	put_line(y++, "");
	n = dmtop_keys_help(keys, DM_ARRAY_LEN(keys));
	for (i = 0; i < n; i++)
		put_line(y++, keys[i]);
	for (i = 0; i < DM_ARRAY_LEN(after); i++)
		put_line(y++, after[i]);
	refresh();
}

static const char *
prompt_text(const struct top *t)
{
	return t->prompt == PROMPT_DELAY ? "Delay in seconds: " :
	    "Filter by name: ";
}

static int
status_pair(enum vm_status st)
{
	switch (st) {
	case VM_STATUS_OK:
		return PAIR_OK;
	case VM_STATUS_LOW:
		return PAIR_LOW;
	case VM_STATUS_WARNING:
	case VM_STATUS_INVALID:
		return PAIR_WARN;
	default:
		return 0;
	}
}

/* The title line: time, delay, sort, filter and PAUSED. */
static void
draw_title(const struct top *t, time_t now)
{
	static const char paused[] = "PAUSED";
	char title[512], when[16];
	struct tm tm;
	int x;

	localtime_r(t->have_snap ? &t->snap.taken : &now, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	snprintf(title, sizeof(title), "dmtop %s  every %gs  sort %s %s%s%s%s",
	    when, t->delay, top_col_title(t->sort),
	    (top_columns[t->sort].desc != t->reverse) ? "desc" : "asc",
	    t->filter[0] ? "  filter '" : "", t->filter,
	    t->filter[0] ? "'" : "");
	attron(A_BOLD);
	put_line(0, title);
	attroff(A_BOLD);
	x = (int)strlen(title) + 2;
	if (t->paused && x + (int)strlen(paused) + 2 <= COLS) {
		attron(A_REVERSE);
		mvaddstr(0, x, paused);
		attroff(A_REVERSE);
	}
}

/* The prompt, or else the message; a note goes after a few seconds. */
static void
draw_message(struct top *t, time_t now)
{
	char line[sizeof(t->input) + 64];
	int a;

	if (t->prompt) {
		snprintf(line, sizeof(line), "%s%.*s", prompt_text(t),
		    (int)t->ninput, t->input);
		put_line(MSG_LINE, line);
		curs_set(1);
		return;
	}
	curs_set(0);
	if (!t->msg_error && now - t->msg_time > NOTE_SECONDS)
		t->msg[0] = '\0';
	if (!t->msg[0])
		return;
	a = A_BOLD | (t->msg_error && has_colors() ? COLOR_PAIR(PAIR_MSG) : 0);
	attron(a);
	put_line(MSG_LINE, t->msg);
	attroff(a);
}

/* The heading, the sort column marked, and the rows that fit. */
static void
draw_table(struct top *t)
{
	struct top_layout l;
	size_t i, len;
	int y, room;
	char *row;

	top_layout(&l, t->rows, t->nrows, COLS, 0);
	len = top_row_size(&l);
	row = xmalloc(len);
	attron(A_REVERSE);
	mvhline(HEAD_LINES, 0, ' ', COLS);
	put_line(HEAD_LINES, top_format_row(&l, NULL, row, len));
	if (l.x[t->sort] >= 0)
		mvchgat(HEAD_LINES, l.x[t->sort], l.width[t->sort],
		    A_REVERSE | A_BOLD | A_UNDERLINE, 0, NULL);
	attroff(A_REVERSE);
	room = LINES - HEAD_LINES - 1;
	if (room < 1)
		room = 0;
	if (t->top_row + (size_t)room > t->nrows)
		t->top_row = t->nrows > (size_t)room ?
		    t->nrows - (size_t)room : 0;
	y = HEAD_LINES + 1;
	for (i = t->top_row; i < t->nrows && y < LINES; i++, y++) {
		const struct vm *vm = t->rows[i];
		int pair = status_pair(vm->status);

		put_line(y, top_format_row(&l, vm, row, len));
		if (l.x[TOP_STATUS] >= 0 && l.x[TOP_STATUS] < COLS &&
		    (pair || vm->status == VM_STATUS_WARNING))
			mvchgat(y, l.x[TOP_STATUS], l.width[TOP_STATUS],
			    A_BOLD, has_colors() ? (short)pair : 0, NULL);
	}
	if (t->have_snap && !t->nrows && y < LINES)
		put_line(y, t->filter[0] ? "(no VM matches the filter)" :
		    "(no VMs)");
	free(row);
}

void
dmtop_draw(struct top *t)
{
	struct hostline hl;
	time_t now = time(NULL);
	size_t i;

	if (t->help) {
		draw_help();
		return;
	}
	erase();
	draw_title(t, now);
	if (t->have_snap) {
		hostline(&t->snap.host, t->snap.taken, HOSTLINE_THREE, &hl);
		for (i = 0; i < hl.n; i++)
			put_line((int)i + 1, hl.line[i]);
	}
	draw_message(t, now);
	draw_table(t);
	if (t->prompt)
		move(MSG_LINE, (int)strlen(prompt_text(t)) + (int)t->ninput);
	refresh();
}

void
dmtop_resize(struct top *t)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row &&
	    ws.ws_col) {
		resizeterm(ws.ws_row, ws.ws_col);
		clearok(curscr, TRUE);
		dmtop_draw(t);
	}
}
