/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fields.h - every figure shown about the host and the VMs, defined once.
 * "dmctl show" and dmtop read these tables for titles, JSON keys, values
 * and alignment, so the two views and the two formats cannot drift apart.
 */
#ifndef DM_FIELDS_H
#define DM_FIELDS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"
#include "vmstate.h"

enum value_kind { VAL_NULL, VAL_STR, VAL_SIZE, VAL_INT, VAL_BOOL };

struct value {
	enum value_kind kind;
	const char *s;
	uint64_t size;
	long long i;
	bool b;
	bool settling;		/* a last settled figure: "~" in text */
};

enum col_id {
	COL_NAME, COL_UUID, COL_STATE, COL_MODE, COL_STARTUP, COL_MINIMUM,
	COL_MAXIMUM, COL_BUFFER, COL_WEIGHT, COL_ASSIGNED, COL_DEMAND,
	COL_PRESSURE, COL_STATUS, COL_BUF_WANT, COL_BUF_AVAIL, COL_GROWS,
	COL_PLUGGED, COL_SETTLING, COL_LOAN, COL_COUNT
};

struct column {
	const char *title;	/* table heading */
	const char *key;	/* JSON key */
	bool left;		/* left-aligned text */
	const char *suffix;	/* after a number in text, e.g. "%" */
	const char *yes, *no;	/* text of a boolean */
	const char *null_text;	/* text when unknown (default "-") */
	void (*get)(const struct vm *vm, struct value *v);
};

extern const struct column vm_columns[COL_COUNT];

enum host_id {
	HOST_TOTAL, HOST_RESERVE, HOST_STATIC, HOST_OVERHEAD, HOST_POOL,
	HOST_ASSIGNED, HOST_FREE, HOST_NDYNAMIC, HOST_NSTATIC,
	HOST_LAST_CHANGE, HOST_OVERCOMMIT, HOST_COUNT
};

struct host_field {
	const char *title;
	const char *key;
	void (*get)(const struct host *h, struct value *v);
};

extern const struct host_field host_fields[HOST_COUNT];

/* Set a value: unknown (VAL_NULL) unless known; a NULL string is unknown. */
void value_size(struct value *v, bool known, uint64_t bytes);
void value_int(struct value *v, bool known, long long i);
void value_str(struct value *v, const char *s);
void value_bool(struct value *v, bool b);

/* A value as text for people: sizes short ("1.5G"), unknown as "-". */
char *value_text(const struct value *v, const char *suffix, const char *yes,
    const char *no, const char *null_text, char *buf, size_t len);
/* The same value in JSON: sizes in bytes, unknown as null. */
void value_json(struct json *j, const char *key, const struct value *v);

/* Print a table of the VMs with the given columns. */
void fields_print_table(FILE *f, const struct snapshot *s,
    const enum col_id *cols, size_t ncols);
/* Print {"host": {...}, "vms": [...]} with the given columns. */
void fields_print_json(FILE *f, const struct snapshot *s,
    const enum col_id *cols, size_t ncols);

#endif
