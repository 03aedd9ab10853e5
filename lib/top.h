/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * top.h - the pure part of dmtop: which columns it shows and in what
 * order, which of them fit a terminal, sorting, filtering and the bar.
 * No curses and no libvirt here, so that all of it can be unit tested;
 * the figures themselves come from the shared table in fields.h.
 */
#ifndef DM_TOP_H
#define DM_TOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "fields.h"
#include "vmstate.h"

/* dmtop's columns, in the order they are shown. */
enum top_col {
	TOP_NAME, TOP_STATE, TOP_ASSIGNED, TOP_DEMAND, TOP_PRESSURE,
	TOP_BUF_WANT, TOP_BUF_AVAIL, TOP_STATUS, TOP_MINIMUM, TOP_MAXIMUM,
	TOP_WEIGHT, TOP_GROWS, TOP_PLUGGED, TOP_BAR, TOP_NCOLS
};

struct top_column {
	int field;		/* enum col_id, or -1 for the bar */
	const char *name;	/* for -s; the JSON key where there is one */
	int key;		/* the sort key in the live view, 0 if none */
	int priority;		/* 0 kept longest; higher dropped first */
	bool desc;		/* sorted largest first unless reversed */
};

extern const struct top_column top_columns[TOP_NCOLS];

/* The bar's width when the terminal has room to spare, and at least. */
#define TOP_BAR_MIN 8
#define TOP_BAR_MAX 32
/* Columns are two spaces apart, as in "dmctl show". */
#define TOP_GAP 2

/* Which columns are shown, where, and how wide. */
struct top_layout {
	size_t n;
	enum top_col col[TOP_NCOLS];
	int width[TOP_NCOLS];	/* indexed by enum top_col */
	int x[TOP_NCOLS];	/* indexed by enum top_col; -1 hidden */
	int total;		/* width of a row */
};

/* The column named s (its name, title or sort key letter), or -1. */
int top_col_find(const char *s);
/* The column whose sort key is key, or -1. */
int top_col_by_key(int key);
/* The title of a column ("NAME", ..., "MEMORY" for the bar). */
const char *top_col_title(enum top_col c);

/* The text of one cell, as "dmctl show" writes it; "" for the bar. */
char *top_cell(const struct vm *vm, enum top_col c, char *buf, size_t len);

/*
 * Lay out the rows: each column as wide as its widest cell or title; with
 * width > 0, columns are dropped from the highest priority number down
 * until the rest fit (the name is cut rather than dropped), and the bar
 * takes what is left up to TOP_BAR_MAX. width 0 keeps every column and
 * gives the bar bar_width.
 */
void top_layout(struct top_layout *l, const struct vm *const *rows,
    size_t n, int width, int bar_width);

/* The bytes a row of l takes with its '\0': a column of UTF-8 text is
 * at most TOP_UTF8_MAX bytes. */
#define TOP_UTF8_MAX 4
size_t top_row_size(const struct top_layout *l);

/* One row (vm NULL: the heading) as text, exactly l->total wide. */
char *top_format_row(const struct top_layout *l, const struct vm *vm,
    char *buf, size_t len);

/*
 * The bar for a VM, width characters including the brackets: '#' up to
 * demand, '=' from there up to assigned, '!' where demand is above
 * assigned (memory the guest lacks), spaces up to the maximum.
 */
char *top_bar(const struct vm *vm, int width, char *buf, size_t len);

/* Does the VM's name contain filter (case-insensitive)? NULL/"" matches. */
bool top_match(const struct vm *vm, const char *filter);

/* Compare two VMs by column c, unknown figures last, then by name. */
int top_compare(const struct vm *a, const struct vm *b, enum top_col c,
    bool reverse);

/*
 * The VMs of s that match filter, sorted by column c (reverse flips the
 * column's own direction), into out (room for s->n). Returns how many.
 */
size_t top_select(const struct snapshot *s, const char *filter,
    enum top_col c, bool reverse, const struct vm **out);

/* "never", or the time of t and how long ago it was, relative to now. */
char *top_when(int64_t t, time_t now, char *buf, size_t len);

#endif
