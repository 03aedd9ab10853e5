/* SPDX-License-Identifier: GPL-2.0-or-later */
/* top.c - dmtop's columns, layout, sorting, filtering and bar. */
#include "top.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

/* Room for the text of one cell; a name is cut to it. */
#define CELL_LEN 256

/*
 * Priorities: what an admin looks at first (name, assigned, demand,
 * status) stays longest on a narrow terminal; the bar, the settings and
 * the buffer figures go first.
 */
const struct top_column top_columns[TOP_NCOLS] = {
	[TOP_NAME] = { COL_NAME, "name", 'N', 0, false },
	[TOP_STATE] = { COL_STATE, "state", 'S', 3, false },
	[TOP_ASSIGNED] = { COL_ASSIGNED, "assigned", 'A', 1, true },
	[TOP_DEMAND] = { COL_DEMAND, "demand", 'D', 1, true },
	[TOP_PRESSURE] = { COL_PRESSURE, "pressure", 'P', 2, true },
	[TOP_BUF_WANT] = { COL_BUF_WANT, "buffer_wanted", 'B', 5, true },
	[TOP_BUF_AVAIL] = { COL_BUF_AVAIL, "buffer_available", 'V', 5, true },
	[TOP_STATUS] = { COL_STATUS, "status", 'T', 1, true },
	[TOP_MINIMUM] = { COL_MINIMUM, "minimum", 'I', 6, true },
	[TOP_MAXIMUM] = { COL_MAXIMUM, "maximum", 'M', 6, true },
	[TOP_WEIGHT] = { COL_WEIGHT, "weight", 'W', 4, true },
	[TOP_GROWS] = { COL_GROWS, "grows", 'G', 3, false },
	[TOP_PLUGGED] = { COL_PLUGGED, "plugged", 'U', 2, true },
	[TOP_BAR] = { -1, "bar", 0, 7, true },
};

const char *
top_col_title(enum top_col c)
{
	if (top_columns[c].field < 0)
		return "MEMORY";
	return vm_columns[top_columns[c].field].title;
}

int
top_col_find(const char *s)
{
	int c;

	if (!s || !*s)
		return -1;
	for (c = 0; c < TOP_NCOLS; c++) {
		if (!top_columns[c].key)
			continue;
		if (strcasecmp(s, top_columns[c].name) == 0 ||
		    strcasecmp(s, top_col_title(c)) == 0 ||
		    (!s[1] && (s[0] == top_columns[c].key ||
		    s[0] == top_columns[c].key + ('a' - 'A'))))
			return c;
	}
	return -1;
}

int
top_col_by_key(int key)
{
	int c;

	for (c = 0; c < TOP_NCOLS; c++)
		if (top_columns[c].key && top_columns[c].key == key)
			return c;
	return -1;
}

static void
get_value(const struct vm *vm, enum top_col c, struct value *v)
{
	memset(v, 0, sizeof(*v));
	vm_columns[top_columns[c].field].get(vm, v);
}

char *
top_cell(const struct vm *vm, enum top_col c, char *buf, size_t len)
{
	const struct column *col;
	struct value v;

	if (top_columns[c].field < 0) {
		if (len)
			buf[0] = '\0';
		return buf;
	}
	col = &vm_columns[top_columns[c].field];
	get_value(vm, c, &v);
	return value_text(&v, col->suffix, col->yes, col->no, col->null_text,
	    buf, len);
}

void
top_layout(struct top_layout *l, const struct vm *const *rows, size_t n,
    int width, int bar_width)
{
	bool keep[TOP_NCOLS];
	char buf[CELL_LEN];
	size_t r;
	int c, total, worst;

	memset(l, 0, sizeof(*l));
	for (c = 0; c < TOP_NCOLS; c++) {
		keep[c] = true;
		l->width[c] = dm_text_width(top_col_title(c));
		for (r = 0; r < n && top_columns[c].field >= 0; r++) {
			int w = dm_text_width(top_cell(rows[r], c, buf,
			    sizeof(buf)));

			if (w > l->width[c])
				l->width[c] = w;
		}
	}
	l->width[TOP_BAR] = width > 0 ? TOP_BAR_MIN : bar_width;
	if (width > 0) {
		/* Drop the least important column until the rest fit. */
		for (;;) {
			total = -TOP_GAP;
			worst = -1;
			for (c = 0; c < TOP_NCOLS; c++) {
				if (!keep[c])
					continue;
				total += l->width[c] + TOP_GAP;
				if (worst < 0 || top_columns[c].priority >=
				    top_columns[worst].priority)
					worst = c;
			}
			if (total <= width || worst == TOP_NAME)
				break;
			keep[worst] = false;
		}
		/* Only the name is left and still too wide: cut it. */
		if (total > width)
			l->width[TOP_NAME] = width > 1 ? width : 1;
		else if (keep[TOP_BAR]) {
			int room = width - total;

			l->width[TOP_BAR] += room < TOP_BAR_MAX - TOP_BAR_MIN ?
			    room : TOP_BAR_MAX - TOP_BAR_MIN;
		}
	}
	total = 0;
	for (c = 0; c < TOP_NCOLS; c++) {
		l->x[c] = -1;
		if (!keep[c])
			continue;
		if (l->n)
			total += TOP_GAP;
		l->x[c] = total;
		l->col[l->n++] = c;
		total += l->width[c];
	}
	l->total = total;
}

size_t
top_row_size(const struct top_layout *l)
{
	return (size_t)l->total * TOP_UTF8_MAX + 1;
}

/* Append s to buf at byte *pos, padded or cut to w characters. */
static void
put_cell(char *buf, size_t len, size_t *pos, const char *s, int w,
    bool left)
{
	int tw = dm_text_width(s), pad = w > tw ? w - tw : 0, i;
	const char *p = s;

	if (!left)
		for (i = 0; i < pad && *pos + 1 < len; i++)
			buf[(*pos)++] = ' ';
	/* Copy at most w characters, whole UTF-8 sequences only. */
	for (i = 0; *p && *pos + 1 < len;) {
		if (((unsigned char)*p & 0xc0) != 0x80 && i++ == w)
			break;
		buf[(*pos)++] = *p++;
	}
	if (left)
		for (i = 0; i < pad && *pos + 1 < len; i++)
			buf[(*pos)++] = ' ';
	buf[*pos] = '\0';
}

char *
top_format_row(const struct top_layout *l, const struct vm *vm, char *buf,
    size_t len)
{
	char cell[CELL_LEN];
	size_t pos = 0, i;

	if (!len)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < l->n; i++) {
		enum top_col c = l->col[i];
		bool left = top_columns[c].field < 0 ||
		    vm_columns[top_columns[c].field].left;

		if (i)
			put_cell(buf, len, &pos, "", TOP_GAP, true);
		if (!vm)
			put_cell(buf, len, &pos, top_col_title(c), l->width[c],
			    left);
		else if (c == TOP_BAR)
			put_cell(buf, len, &pos, top_bar(vm, l->width[c], cell,
			    sizeof(cell)), l->width[c], true);
		else
			put_cell(buf, len, &pos, top_cell(vm, c, cell,
			    sizeof(cell)), l->width[c], left);
	}
	return buf;
}

/* Characters of inner for part of whole, rounded to nearest. */
static int
scale(uint64_t part, uint64_t whole, int inner)
{
	long double f;

	if (!whole)
		return 0;
	f = (long double)part * inner / whole + 0.5L;
	return f > inner ? inner : (int)f;
}

char *
top_bar(const struct vm *vm, int width, char *buf, size_t len)
{
	uint64_t max;
	int inner = width - 2, d, a, i;

	if (len < 1)
		return buf;
	if (width < 3 || (size_t)width >= len) {
		buf[0] = '\0';
		return buf;
	}
	max = vm_dynamic(vm) && vm->conf_found > 0 ? vm->conf.maximum :
	    vm->memory;
	if (max < vm->assigned)
		max = vm->assigned;
	a = vm->active ? scale(vm->assigned, max, inner) : 0;
	d = vm->active && vm->has_demand ? scale(vm->demand, max, inner) : 0;
	buf[0] = '[';
	for (i = 0; i < inner; i++) {
		char ch = ' ';

		if (i < d && i < a)
			ch = '#';
		else if (i < d)
			ch = '!';
		else if (i < a)
			ch = '=';
		buf[i + 1] = ch;
	}
	buf[width - 1] = ']';
	buf[width] = '\0';
	return buf;
}

bool
top_match(const struct vm *vm, const char *filter)
{
	return !filter || !*filter || strcasestr(vm->name, filter);
}

/* How bad a status is, for sorting: the worst first when descending. */
static int
status_rank(enum vm_status st)
{
	switch (st) {
	case VM_STATUS_INVALID:
		return 5;
	case VM_STATUS_WARNING:
		return 4;
	case VM_STATUS_LOW:
		return 3;
	case VM_STATUS_OK:
		return 2;
	case VM_STATUS_UNKNOWN:
		return 1;
	default:
		return 0;
	}
}

int
top_compare(const struct vm *a, const struct vm *b, enum top_col c,
    bool reverse)
{
	struct value va, vb;
	bool desc = top_columns[c].desc != reverse;
	int r = 0;

	if (c == TOP_STATUS) {
		r = status_rank(a->status) - status_rank(b->status);
	} else if (top_columns[c].field >= 0) {
		get_value(a, c, &va);
		get_value(b, c, &vb);
		/* Unknown figures last, whichever the direction. */
		if ((va.kind == VAL_NULL) != (vb.kind == VAL_NULL))
			return va.kind == VAL_NULL ? 1 : -1;
		if (va.kind == VAL_SIZE && vb.kind == VAL_SIZE)
			r = va.size < vb.size ? -1 : va.size > vb.size;
		else if (va.kind == VAL_INT && vb.kind == VAL_INT)
			r = va.i < vb.i ? -1 : va.i > vb.i;
		else if (va.kind == VAL_STR && vb.kind == VAL_STR)
			r = strcmp(va.s, vb.s);
	}
	if (desc)
		r = -r;
	if (!r && c != TOP_NAME)
		r = strcmp(a->name, b->name);
	return r;
}

/* qsort has no context argument in C11; the sort is not reentrant. */
static enum top_col sort_col;
static bool sort_reverse;

static int
cmp_rows(const void *pa, const void *pb)
{
	const struct vm *a = *(const struct vm *const *)pa;
	const struct vm *b = *(const struct vm *const *)pb;

	return top_compare(a, b, sort_col, sort_reverse);
}

size_t
top_select(const struct snapshot *s, const char *filter, enum top_col c,
    bool reverse, const struct vm **out)
{
	size_t i, n = 0;

	for (i = 0; i < s->n; i++)
		if (top_match(&s->vms[i], filter))
			out[n++] = &s->vms[i];
	sort_col = c;
	sort_reverse = reverse;
	qsort(out, n, sizeof(*out), cmp_rows);
	return n;
}

char *
top_when(int64_t t, time_t now, char *buf, size_t len)
{
	struct tm tm;
	time_t tt = (time_t)t;
	int64_t ago;
	char at[32];

	if (t < 0) {
		snprintf(buf, len, "never");
		return buf;
	}
	localtime_r(&tt, &tm);
	strftime(at, sizeof(at), "%Y-%m-%d %H:%M:%S", &tm);
	ago = (int64_t)now - t;
	if (ago < 0)
		snprintf(buf, len, "%s", at);
	else if (ago < 120)
		snprintf(buf, len, "%s (%llds ago)", at, (long long)ago);
	else if (ago < 7200)
		snprintf(buf, len, "%s (%lldm ago)", at, (long long)ago / 60);
	else if (ago < 2 * 86400)
		snprintf(buf, len, "%s (%lldh ago)", at,
		    (long long)ago / 3600);
	else
		snprintf(buf, len, "%s (%lldd ago)", at,
		    (long long)ago / 86400);
	return buf;
}
