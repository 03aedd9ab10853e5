/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dmtop_keys.c - the keys of the live view: one table of what each key
 * does, from which the help screen and -h's key line are written too, so
 * that a new key is one row. Handlers say what to redo; the feed does it.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <curses.h>

#include "cli.h"
#include "dmtop.h"
#include "util.h"

/* Keys curses has no name for. */
#define KEY_CTRL(c) ((c) & 0x1f)
#define KEY_ESC 27
#define KEY_DEL 127
/* A handler's parameter that it does not need. */
#define UNUSED __attribute__((unused))
/* In a row of the table: any column's sort key (top_columns). */
#define KEY_COLUMN (-1)

struct key_row {
	int keys[4];		/* 0 after the last */
	unsigned (*handler)(struct top *t, int key);
	const char *brief;	/* in -h's key line; NULL: not there */
	const char *help;	/* on the help screen; NULL: not there */
};

static unsigned
key_sort(struct top *t, int key)
{
	t->sort = (enum top_col)top_col_by_key(key);
	return REDO_SELECT;
}

static unsigned
key_reverse(struct top *t, int key UNUSED)
{
	t->reverse = !t->reverse;
	return REDO_SELECT;
}

/* The next column to the left or right that has a sort key. */
static unsigned
key_move_sort(struct top *t, int key)
{
	int c = (int)t->sort, dir = key == '<' ? -1 : 1;

	do
		c = (c + dir + TOP_NCOLS) % TOP_NCOLS;
	while (!top_columns[c].key);
	t->sort = (enum top_col)c;
	return REDO_SELECT;
}

static unsigned
key_filter(struct top *t, int key UNUSED)
{
	t->prompt = PROMPT_FILTER;
	t->ninput = strlen(t->filter);
	memcpy(t->input, t->filter, t->ninput);
	return REDO_DRAW;
}

static unsigned
key_delay(struct top *t, int key UNUSED)
{
	t->prompt = PROMPT_DELAY;
	t->ninput = 0;
	return REDO_DRAW;
}

static unsigned
key_pause(struct top *t, int key UNUSED)
{
	t->paused = !t->paused;
	return t->paused ? REDO_DRAW : REDO_SCAN;
}

static unsigned
key_refresh(struct top *t UNUSED, int key UNUSED)
{
	return REDO_SCAN;
}

/* A page is half the screen; drawing keeps the last page full. */
static unsigned
key_scroll(struct top *t, int key)
{
	size_t page = (size_t)(LINES / 2);

	switch (key) {
	case KEY_UP:
		t->top_row -= t->top_row ? 1 : 0;
		break;
	case KEY_DOWN:
		t->top_row++;
		break;
	case KEY_PPAGE:
		t->top_row -= t->top_row < page ? t->top_row : page;
		break;
	case KEY_NPAGE:
		t->top_row += page;
		break;
	case KEY_HOME:
		t->top_row = 0;
		break;
	case KEY_END:
		t->top_row = t->nrows;
		break;
	}
	return REDO_DRAW;
}

static unsigned
key_help(struct top *t, int key UNUSED)
{
	t->help = true;
	return REDO_DRAW;
}

static unsigned
key_quit(struct top *t UNUSED, int key UNUSED)
{
	return REDO_QUIT;
}

static unsigned
key_repaint(struct top *t UNUSED, int key UNUSED)
{
	clearok(curscr, TRUE);
	return REDO_DRAW;
}

/*
 * In the order of the help and of -h. The last rows are conveniences
 * that neither lists: r as R, Home and End, ^L to repaint.
 */
static const struct key_row key_table[] = {
	{ { KEY_COLUMN }, key_sort, "sort", "sort by" },
	{ { 'R' }, key_reverse, "reverse", "reverse the sort order" },
	{ { '<', '>' }, key_move_sort, "sort column",
	    "sort by the column to the left / right" },
	{ { '/' }, key_filter, "filter", "filter by name (empty: show all)" },
	{ { 'd' }, key_delay, "delay", "change the refresh delay (seconds)" },
	{ { 'p' }, key_pause, "pause", "pause / resume refreshing" },
	{ { ' ' }, key_refresh, "refresh", "refresh now" },
	{ { KEY_UP, KEY_DOWN, KEY_PPAGE, KEY_NPAGE }, key_scroll, NULL,
	    "scroll" },
	{ { 'h', '?' }, key_help, "help", "this help" },
	{ { 'q' }, key_quit, "quit", "quit" },
	{ { 'r' }, key_reverse, NULL, NULL },
	{ { KEY_HOME, KEY_END }, key_scroll, NULL, NULL },
	{ { KEY_CTRL('L') }, key_repaint, NULL, NULL },
};

static const struct key_row *
find_key(int key)
{
	size_t i, k;

	for (i = 0; i < DM_ARRAY_LEN(key_table); i++)
		for (k = 0; k < DM_ARRAY_LEN(key_table[i].keys) &&
		    key_table[i].keys[k]; k++)
			if (key_table[i].keys[k] == key ||
			    (key_table[i].keys[k] == KEY_COLUMN &&
			    top_col_by_key(key) >= 0))
				return &key_table[i];
	return NULL;
}

/* A key at the prompt: Enter takes what was typed, Escape drops it. */
static unsigned
prompt_key(struct top *t, int ch)
{
	double d;

	if (ch == KEY_ESC) {
		t->prompt = PROMPT_NONE;
		return REDO_DRAW;
	}
	if (ch == KEY_BACKSPACE || ch == KEY_DEL || ch == KEY_CTRL('H')) {
		if (t->ninput)
			t->ninput--;
		return REDO_DRAW;
	}
	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
		t->input[t->ninput] = '\0';
		if (t->prompt == PROMPT_FILTER) {
			snprintf(t->filter, sizeof(t->filter), "%s", t->input);
			t->top_row = 0;
		} else if (cli_real_parse(t->input, DMTOP_DELAY_MIN,
		    DMTOP_DELAY_MAX, &d) < 0)
			dmtop_msg(t, false, "not a delay: '%s' (seconds, %g to "
			    "%g)", t->input, DMTOP_DELAY_MIN, DMTOP_DELAY_MAX);
		else {
			dmtop_set_delay(t, d);
			t->msg[0] = '\0';
		}
		t->prompt = PROMPT_NONE;
		return REDO_SELECT;
	}
	if (ch >= ' ' && ch <= UCHAR_MAX && t->ninput + 1 < sizeof(t->input))
		t->input[t->ninput++] = (char)ch;
	return REDO_DRAW;
}

unsigned
dmtop_key(struct top *t, int ch)
{
	const struct key_row *k;

	if (t->prompt)
		return prompt_key(t, ch);
	k = find_key(ch);
	/* Any key leaves the help; quit still quits. */
	if (t->help) {
		t->help = false;
		if (!k || k->handler != key_quit)
			return REDO_DRAW;
	}
	return k ? k->handler(t, ch) : 0;
}

/* ---- the key table as text ---- */

/* A key as the help writes it: "A", "space", "PgUp". */
static const char *
key_text(int key, char *buf, size_t len)
{
	static const struct {
		int key;
		const char *name;
	} names[] = {
		{ ' ', "space" }, { KEY_UP, "Up" }, { KEY_DOWN, "Down" },
		{ KEY_PPAGE, "PgUp" }, { KEY_NPAGE, "PgDn" },
		{ KEY_HOME, "Home" }, { KEY_END, "End" },
	};
	size_t i, n = 0;
	int c;

	for (i = 0; i < DM_ARRAY_LEN(names); i++)
		if (names[i].key == key)
			return names[i].name;
	if (key != KEY_COLUMN) {
		if (key < ' ')
			snprintf(buf, len, "^%c", key + '@');
		else
			snprintf(buf, len, "%c", key);
		return buf;
	}
	buf[0] = '\0';
	for (c = 0; c < TOP_NCOLS && n + 2 < len; c++)
		if (top_columns[c].key)
			n += (size_t)snprintf(buf + n, len - n, "%s%c",
			    n ? " " : "", top_columns[c].key);
	return buf;
}

/* A row's keys, a space apart. */
static char *
row_keys(const struct key_row *r, char *buf, size_t len)
{
	char name[64];
	size_t k, n = 0;

	buf[0] = '\0';
	for (k = 0; k < DM_ARRAY_LEN(r->keys) && r->keys[k] && n < len; k++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", k ? " " : "",
		    key_text(r->keys[k], name, sizeof(name)));
	return buf;
}

/* What a row does, for the help; the sort keys name their columns. */
static char *
row_help(const struct key_row *r, char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "%s", r->help);
	bool more = false;
	char *p;
	int c;

	if (r->keys[0] != KEY_COLUMN)
		return buf;
	for (c = 0; c < TOP_NCOLS && n < len; c++)
		if (top_columns[c].key) {
			n += (size_t)snprintf(buf + n, len - n, "%s %s",
			    more ? "," : "", top_columns[c].name);
			more = true;
		}
	/* "buffer_wanted" is the option's spelling, not the text's. */
	for (p = buf; *p; p++)
		if (*p == '_')
			*p = ' ';
	return buf;
}

/* Add n bytes of s to a line of DMTOP_TEXT_WIDTH; the rest is cut. */
static void
put(char *line, size_t *len, const char *s, size_t n)
{
	if (n > DMTOP_TEXT_WIDTH - *len)
		n = DMTOP_TEXT_WIDTH - *len;
	memcpy(line + *len, s, n);
	*len += n;
	line[*len] = '\0';
}

/*
 * text wrapped into lines of DMTOP_TEXT_WIDTH: lead begins the first line
 * and as many spaces the others. Lines break only where sep is, and keep
 * sep without its trailing spaces. Returns how many lines.
 */
static size_t
wrap(const char *lead, const char *text, const char *sep,
    char lines[][DMTOP_TEXT_WIDTH + 1], size_t max)
{
	size_t n = 0, len = 0, seplen = strlen(sep), keep = seplen, wlen;
	const char *p = text, *next;
	bool start = true;

	if (!max)
		return 0;
	while (keep && sep[keep - 1] == ' ')
		keep--;
	put(lines[0], &len, lead, strlen(lead));
	while (*p) {
		next = strstr(p, sep);
		wlen = next ? (size_t)(next - p) : strlen(p);
		if (!start && len + seplen + wlen > DMTOP_TEXT_WIDTH) {
			put(lines[n], &len, sep, keep);
			if (++n == max)
				return n;
			len = 0;
			lines[n][0] = '\0';
			while (len < strlen(lead))
				put(lines[n], &len, " ", 1);
		} else if (!start)
			put(lines[n], &len, sep, seplen);
		put(lines[n], &len, p, wlen);
		start = false;
		p = next ? next + seplen : p + wlen;
	}
	return n + 1;
}

size_t
dmtop_keys_help(char lines[][DMTOP_TEXT_WIDTH + 1], size_t max)
{
	char keys[64], lead[DMTOP_TEXT_WIDTH], help[DMTOP_HELP_LINES *
	    DMTOP_TEXT_WIDTH];
	size_t i, n = 0, w = 0, kw;

	for (i = 0; i < DM_ARRAY_LEN(key_table); i++)
		if (key_table[i].help &&
		    (kw = strlen(row_keys(&key_table[i], keys, sizeof(keys)))) > w)
			w = kw;
	for (i = 0; i < DM_ARRAY_LEN(key_table) && n < max; i++) {
		if (!key_table[i].help)
			continue;
		snprintf(lead, sizeof(lead), "  %-*s  ", (int)w,
		    row_keys(&key_table[i], keys, sizeof(keys)));
		n += wrap(lead, row_help(&key_table[i], help, sizeof(help)),
		    " ", lines + n, max - n);
	}
	return n;
}

void
dmtop_keys_usage(FILE *f)
{
	char keys[64], text[DMTOP_HELP_LINES * DMTOP_TEXT_WIDTH];
	char lines[DMTOP_HELP_LINES][DMTOP_TEXT_WIDTH + 1];
	size_t i, n = 0;

	for (i = 0; i < DM_ARRAY_LEN(key_table) && n < sizeof(text); i++)
		if (key_table[i].brief)
			n += (size_t)snprintf(text + n, sizeof(text) - n,
			    "%s%s %s", n ? ", " : "",
			    row_keys(&key_table[i], keys, sizeof(keys)),
			    key_table[i].brief);
	if (n < sizeof(text))
		snprintf(text + n, sizeof(text) - n, "; see dmtop(1).");
	n = wrap("keys: ", text, ", ", lines, DM_ARRAY_LEN(lines));
	fputc('\n', f);
	for (i = 0; i < n; i++)
		fprintf(f, "%s\n", lines[i]);
}
