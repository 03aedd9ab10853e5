/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fields.c - the column tables and the one emitter for text and JSON. */
#include "fields.h"

#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "size.h"
#include "util.h"
#include "virt.h"

void
value_size(struct value *v, bool known, uint64_t bytes)
{
	v->kind = known ? VAL_SIZE : VAL_NULL;
	v->size = bytes;
}

void
value_int(struct value *v, bool known, long long i)
{
	v->kind = known ? VAL_INT : VAL_NULL;
	v->i = i;
}

void
value_str(struct value *v, const char *s)
{
	v->kind = s ? VAL_STR : VAL_NULL;
	v->s = s;
}

void
value_bool(struct value *v, bool b)
{
	v->kind = VAL_BOOL;
	v->b = b;
}

static void
get_name(const struct vm *vm, struct value *v)
{
	v->kind = VAL_STR;
	v->s = vm->name;
}

static void
get_uuid(const struct vm *vm, struct value *v)
{
	v->kind = VAL_STR;
	v->s = vm->uuid;
}

static void
get_state(const struct vm *vm, struct value *v)
{
	v->kind = VAL_STR;
	v->s = virt_state_name(vm->state);
}

static void
get_mode(const struct vm *vm, struct value *v)
{
	/* Invalid settings are neither mode: the balancer leaves them. */
	v->kind = vm->conf_found < 0 ? VAL_NULL : VAL_BOOL;
	v->b = vm_dynamic(vm);
}

static void
get_startup(const struct vm *vm, struct value *v)
{
	value_size(v, vm->conf_found > 0, vm->conf.startup);
}

static void
get_minimum(const struct vm *vm, struct value *v)
{
	value_size(v, vm->conf_found > 0, vm->conf.minimum);
}

static void
get_maximum(const struct vm *vm, struct value *v)
{
	value_size(v, vm->conf_found > 0, vm->conf.maximum);
}

static void
get_buffer(const struct vm *vm, struct value *v)
{
	value_int(v, vm->conf_found > 0, vm->conf.buffer);
}

static void
get_weight(const struct vm *vm, struct value *v)
{
	value_int(v, vm->conf_found > 0, vm->conf.weight);
}

static void
get_assigned(const struct vm *vm, struct value *v)
{
	value_size(v, vm->active && vm->assigned, vm->assigned);
}

static void
get_demand(const struct vm *vm, struct value *v)
{
	value_size(v, vm->has_demand, vm->demand);
	v->settling = vm->settling;
}

static void
get_pressure(const struct vm *vm, struct value *v)
{
	value_int(v, vm->has_demand && vm->assigned,
	    vm->assigned ? (long long)((vm->demand * 100 + vm->assigned / 2) /
	    vm->assigned) : 0);
	v->settling = vm->settling;
}

static void
get_status(const struct vm *vm, struct value *v)
{
	v->kind = VAL_STR;
	v->s = vm_status_name(vm->status);
}

/* The buffer the VM should have on top of demand, and what it has: the
 * effective buffer, its buffer percent of demand and, as the balancer
 * last planned it, its demand's climb rate over the time a pass takes. */
static void
get_buf_want(const struct vm *vm, struct value *v)
{
	const struct bstate *st = &vm->bstate;
	uint64_t climb = st->climb > 0 && st->react > 0 ?
	    (uint64_t)st->climb * KIB * (uint64_t)st->react : 0;

	value_size(v, vm->has_demand && vm_dynamic(vm),
	    policy_buffer(vm->demand, vm->conf.buffer) + climb);
	v->settling = vm->settling;
}

static void
get_buf_avail(const struct vm *vm, struct value *v)
{
	value_size(v, vm->has_demand && vm->assigned, vm->assigned > vm->demand ?
	    vm->assigned - vm->demand : 0);
	v->settling = vm->settling;
}

/* How the VM grows past its boot memory: balloon within <memory>, or
 * hot-add (virtio-mem), or a hot-add VM whose guest leaves it offline. */
static void
get_grows(const struct vm *vm, struct value *v)
{
	v->kind = VAL_STR;
	v->s = vm_grows(vm);
}

static void
get_plugged(const struct vm *vm, struct value *v)
{
	value_size(v, vm->hotadd && vm->active, vm->plugged);
}

/* What the balancer lent it from the idle pool, and it still has. */
static void
get_loan(const struct vm *vm, struct value *v)
{
	uint64_t loan = vm->bstate.loan > 0 ? (uint64_t)vm->bstate.loan * KIB : 0;

	value_size(v, vm->active && vm_dynamic(vm) && loan, loan);
}

static void
get_settling(const struct vm *vm, struct value *v)
{
	v->kind = VAL_BOOL;
	v->b = vm->settling;
}

const struct column vm_columns[COL_COUNT] = {
	[COL_NAME] = { "NAME", "name", true, NULL, NULL, NULL, NULL, get_name },
	[COL_UUID] = { "UUID", "uuid", true, NULL, NULL, NULL, NULL, get_uuid },
	[COL_STATE] = { "STATE", "state", true, NULL, NULL, NULL, NULL,
	    get_state },
	[COL_MODE] = { "MODE", "dynamic", true, NULL, "dynamic", "static",
	    "invalid", get_mode },
	[COL_STARTUP] = { "STARTUP", "startup", false, NULL, NULL, NULL, NULL,
	    get_startup },
	[COL_MINIMUM] = { "MIN", "minimum", false, NULL, NULL, NULL, NULL,
	    get_minimum },
	[COL_MAXIMUM] = { "MAX", "maximum", false, NULL, NULL, NULL, NULL,
	    get_maximum },
	[COL_BUFFER] = { "BUFFER", "buffer", false, "%", NULL, NULL, NULL,
	    get_buffer },
	[COL_WEIGHT] = { "WEIGHT", "weight", false, NULL, NULL, NULL, NULL,
	    get_weight },
	[COL_ASSIGNED] = { "ASSIGNED", "assigned", false, NULL, NULL, NULL,
	    NULL, get_assigned },
	[COL_DEMAND] = { "DEMAND", "demand", false, NULL, NULL, NULL, NULL,
	    get_demand },
	[COL_PRESSURE] = { "PRESSURE", "pressure", false, "%", NULL, NULL,
	    NULL, get_pressure },
	[COL_STATUS] = { "STATUS", "status", true, NULL, NULL, NULL, NULL,
	    get_status },
	[COL_BUF_WANT] = { "BUFWANT", "buffer_wanted", false, NULL, NULL, NULL,
	    NULL, get_buf_want },
	[COL_BUF_AVAIL] = { "BUFHAVE", "buffer_available", false, NULL, NULL,
	    NULL, NULL, get_buf_avail },
	[COL_GROWS] = { "GROWS", "grows", true, NULL, NULL, NULL, NULL,
	    get_grows },
	[COL_PLUGGED] = { "PLUGGED", "plugged", false, NULL, NULL, NULL, NULL,
	    get_plugged },
	[COL_SETTLING] = { "SETTLING", "settling", true, NULL, NULL, NULL, NULL,
	    get_settling },
	[COL_LOAN] = { "LOAN", "loan", false, NULL, NULL, NULL, NULL, get_loan },
};

#define HOST_SIZE_GETTER(fn, member)                                         \
	static void fn(const struct host *h, struct value *v)                \
	{                                                                    \
		value_size(v, true, h->member);                                \
	}
HOST_SIZE_GETTER(host_total, total)
HOST_SIZE_GETTER(host_reserve, reserve)
HOST_SIZE_GETTER(host_static, statics)
HOST_SIZE_GETTER(host_overhead, overhead)
HOST_SIZE_GETTER(host_pool, pool)
HOST_SIZE_GETTER(host_assigned, assigned)

static void
host_free(const struct host *h, struct value *v)
{
	/* Free can be negative when VMs were grown by hand past the pool;
	 * show that honestly rather than as zero. */
	value_int(v, true, h->free);
	if (h->free >= 0)
		value_size(v, true, (uint64_t)h->free);
}

/* How far assigned memory exceeds the pool: VMs started around any
 * admission, or minimums that do not fit. 0 when it does not. */
static void
host_overcommit(const struct host *h, struct value *v)
{
	value_size(v, true, h->free < 0 ? (uint64_t)-h->free : 0);
}

static void
host_last_change(const struct host *h, struct value *v)
{
	value_int(v, h->last_change >= 0, h->last_change);
}

static void
host_ndynamic(const struct host *h, struct value *v)
{
	value_int(v, true, h->ndynamic);
}

static void
host_nstatic(const struct host *h, struct value *v)
{
	value_int(v, true, h->nstatic);
}

const struct host_field host_fields[HOST_COUNT] = {
	[HOST_TOTAL] = { "total", "total", host_total },
	[HOST_RESERVE] = { "reserve", "reserve", host_reserve },
	[HOST_STATIC] = { "static", "static", host_static },
	[HOST_OVERHEAD] = { "overhead", "overhead", host_overhead },
	[HOST_POOL] = { "pool", "pool", host_pool },
	[HOST_ASSIGNED] = { "assigned", "assigned", host_assigned },
	[HOST_FREE] = { "free", "free", host_free },
	[HOST_NDYNAMIC] = { "dynamic VMs", "dynamic_vms", host_ndynamic },
	[HOST_NSTATIC] = { "static VMs", "static_vms", host_nstatic },
	[HOST_LAST_CHANGE] = { "last change", "last_change", host_last_change },
	[HOST_OVERCOMMIT] = { "overcommitted by", "overcommitted",
	    host_overcommit },
};

char *
value_text(const struct value *v, const char *suffix, const char *yes,
    const char *no, const char *null_text, char *buf, size_t len)
{
	switch (v->kind) {
	case VAL_STR:
		snprintf(buf, len, "%s", v->s);
		break;
	case VAL_SIZE:
		size_human(v->size, buf, len);
		break;
	case VAL_INT:
		if (v->i < 0 && !suffix) {
			/* Only a negative host free gets here. */
			size_human((uint64_t)-v->i, buf + 1, len - 1);
			buf[0] = '-';
		} else
			snprintf(buf, len, "%lld%s", v->i, suffix ? suffix : "");
		break;
	case VAL_BOOL:
		snprintf(buf, len, "%s", v->b ? (yes ? yes : "yes") :
		    (no ? no : "no"));
		break;
	default:
		snprintf(buf, len, "%s", null_text ? null_text : "-");
		return buf;
	}
	if (v->settling && v->kind != VAL_STR && v->kind != VAL_BOOL &&
	    strlen(buf) + 1 < len)
		strcat(buf, "~");
	return buf;
}

void
value_json(struct json *j, const char *key, const struct value *v)
{
	switch (v->kind) {
	case VAL_STR:
		json_str(j, key, v->s);
		break;
	case VAL_SIZE:
		json_uint(j, key, (unsigned long long)v->size);
		break;
	case VAL_INT:
		json_int(j, key, v->i);
		break;
	case VAL_BOOL:
		json_bool(j, key, v->b);
		break;
	default:
		json_null(j, key);
		break;
	}
}

void
fields_print_table(FILE *f, const struct snapshot *s, const enum col_id *cols,
    size_t ncols)
{
	char **cells = xcalloc((s->n + 1) * ncols, sizeof(*cells));
	size_t *width = xcalloc(ncols, sizeof(*width));
	size_t r, c;

	for (c = 0; c < ncols; c++) {
		cells[c] = xstrdup(vm_columns[cols[c]].title);
		width[c] = (size_t)dm_text_width(cells[c]);
	}
	for (r = 0; r < s->n; r++) {
		for (c = 0; c < ncols; c++) {
			const struct column *col = &vm_columns[cols[c]];
			struct value v;
			char buf[256];
			size_t w;

			memset(&v, 0, sizeof(v));
			col->get(&s->vms[r], &v);
			value_text(&v, col->suffix, col->yes, col->no,
			    col->null_text, buf, sizeof(buf));
			cells[(r + 1) * ncols + c] = xstrdup(buf);
			if ((w = (size_t)dm_text_width(buf)) > width[c])
				width[c] = w;
		}
	}
	for (r = 0; r <= s->n; r++) {
		for (c = 0; c < ncols; c++) {
			const char *cell = cells[r * ncols + c];
			int w = (int)width[c];

			int pad = w - dm_text_width(cell);

			if (c + 1 == ncols && vm_columns[cols[c]].left)
				pad = 0;
			/* Padded by columns, not bytes: a UTF-8 name
			 * takes fewer columns than bytes. */
			fprintf(f, "%s%*s%s%*s", c ? "  " : "",
			    vm_columns[cols[c]].left ? 0 : pad, "", cell,
			    vm_columns[cols[c]].left ? pad : 0, "");
			free(cells[r * ncols + c]);
		}
		fputc('\n', f);
	}
	for (r = 0; r < s->n && !s->vms[r].settling; r++)
		;
	if (r < s->n)
		fputs("\n~ settling: the balloon has just moved and the guest's "
		    "report lags it;\n  the demand read before the move is "
		    "shown.\n", f);
	free(cells);
	free(width);
}

void
fields_print_json(FILE *f, const struct snapshot *s, const enum col_id *cols,
    size_t ncols)
{
	struct json j;
	struct value v;
	size_t i, c;

	json_init(&j, f);
	json_obj_begin(&j, NULL);
	json_obj_begin(&j, "host");
	for (i = 0; i < HOST_COUNT; i++) {
		memset(&v, 0, sizeof(v));
		host_fields[i].get(&s->host, &v);
		value_json(&j, host_fields[i].key, &v);
	}
	json_obj_end(&j);
	json_arr_begin(&j, "vms");
	for (i = 0; i < s->n; i++) {
		json_obj_begin(&j, NULL);
		for (c = 0; c < ncols; c++) {
			memset(&v, 0, sizeof(v));
			vm_columns[cols[c]].get(&s->vms[i], &v);
			value_json(&j, vm_columns[cols[c]].key, &v);
		}
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	json_end(&j);
}
