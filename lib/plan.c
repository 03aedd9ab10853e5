/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * plan.c - the plan of a pass and its outcome, for dmctl rebalance: one
 * column table over the plan's items, read by both the text lines and the
 * JSON, so that a new key is one row and the two cannot disagree.
 */
#include "pass.h"

#include <string.h>

#include "fields.h"
#include "json.h"
#include "util.h"

struct plan_column {
	const char *key;	/* JSON key */
	const char *text;	/* label in the text line's parentheses, or
				 * NULL when the text does not show it */
	const char *suffix;	/* after a number in text */
	const char *null_text;	/* text when unknown (default "-") */
	void (*get)(const struct item *it, struct value *v);
};

/* Most columns are one figure of the item. */
#define ITEM_GETTER(fn, set)                                                 \
	static void fn(const struct item *it, struct value *v)               \
	{                                                                    \
		set;                                                         \
	}
ITEM_GETTER(get_name, value_str(v, it->vm->name))
ITEM_GETTER(get_uuid, value_str(v, it->vm->uuid))
ITEM_GETTER(get_from, value_size(v, true, it->in.assigned))
ITEM_GETTER(get_to, value_size(v, true, it->out.target))
ITEM_GETTER(get_demand, value_size(v, it->has_demand, it->in.demand))
ITEM_GETTER(get_buffer, value_int(v, true, it->in.buffer))
ITEM_GETTER(get_weight, value_int(v, true, it->in.weight))
/* As configured: settling raises the policy's minimum. */
ITEM_GETTER(get_minimum, value_size(v, true, it->minimum))
ITEM_GETTER(get_maximum, value_size(v, true, it->in.maximum))
ITEM_GETTER(get_grows, value_str(v, vm_grows(it->vm)))
ITEM_GETTER(get_plugged, value_size(v, it->vm->hotadd, it->vm->plugged))
ITEM_GETTER(get_reason, value_str(v, policy_reason_text(it->out.reason)))
ITEM_GETTER(get_change, value_bool(v, it->out.change))
ITEM_GETTER(get_applied, value_bool(v, it->applied))
ITEM_GETTER(get_skipped, value_bool(v, it->gone))
ITEM_GETTER(get_error, value_str(v, it->error))
ITEM_GETTER(get_note, value_str(v, it->note))

/* The status the plan leaves it in. */
static void
get_status(const struct item *it, struct value *v)
{
	value_str(v, it->in.stats != PS_FRESH ?
	    vm_status_name(VM_STATUS_UNKNOWN) :
	    vm_status_name(vm_status_of(it->out.target, it->in.demand,
	    it->in.buffer)));
}

enum plan_col {
	PLAN_NAME, PLAN_UUID, PLAN_FROM, PLAN_TO, PLAN_DEMAND, PLAN_BUFFER,
	PLAN_WEIGHT, PLAN_MINIMUM, PLAN_MAXIMUM, PLAN_GROWS, PLAN_PLUGGED,
	PLAN_STATUS, PLAN_REASON, PLAN_CHANGE, PLAN_APPLIED, PLAN_SKIPPED,
	PLAN_ERROR, PLAN_NOTE, PLAN_COUNT
};

/* In the JSON's order; the text line shows those with a label, in this
 * order, after "NAME: FROM -> TO". */
static const struct plan_column plan_columns[PLAN_COUNT] = {
	[PLAN_NAME] = { "name", NULL, NULL, NULL, get_name },
	[PLAN_UUID] = { "uuid", NULL, NULL, NULL, get_uuid },
	[PLAN_FROM] = { "from", NULL, NULL, NULL, get_from },
	[PLAN_TO] = { "to", NULL, NULL, NULL, get_to },
	[PLAN_DEMAND] = { "demand", "demand ", NULL, "unknown", get_demand },
	[PLAN_BUFFER] = { "buffer", "buffer ", "%", NULL, get_buffer },
	[PLAN_WEIGHT] = { "weight", NULL, NULL, NULL, get_weight },
	[PLAN_MINIMUM] = { "minimum", NULL, NULL, NULL, get_minimum },
	[PLAN_MAXIMUM] = { "maximum", NULL, NULL, NULL, get_maximum },
	[PLAN_GROWS] = { "grows", NULL, NULL, NULL, get_grows },
	[PLAN_PLUGGED] = { "plugged", NULL, NULL, NULL, get_plugged },
	[PLAN_STATUS] = { "status", "", NULL, NULL, get_status },
	[PLAN_REASON] = { "reason", "", NULL, NULL, get_reason },
	[PLAN_CHANGE] = { "change", NULL, NULL, NULL, get_change },
	[PLAN_APPLIED] = { "applied", NULL, NULL, NULL, get_applied },
	[PLAN_SKIPPED] = { "skipped", NULL, NULL, NULL, get_skipped },
	[PLAN_ERROR] = { "error", NULL, NULL, NULL, get_error },
	[PLAN_NOTE] = { "note", NULL, NULL, NULL, get_note },
};

/* The text of one column of it. */
static const char *
cell(const struct item *it, enum plan_col c, char *buf, size_t len)
{
	const struct plan_column *col = &plan_columns[c];
	struct value v;

	memset(&v, 0, sizeof(v));
	col->get(it, &v);
	/* A string whole, however long (a VM's name). */
	if (v.kind == VAL_STR)
		return v.s;
	return value_text(&v, col->suffix, NULL, NULL, col->null_text, buf,
	    len);
}

void
plan_print_text(FILE *f, const struct item *it, bool dry_run)
{
	char buf[256];
	size_t c;
	bool first = true;

	if (!it->out.change && !dry_run)
		return;
	fprintf(f, "%s: ", cell(it, PLAN_NAME, buf, sizeof(buf)));
	fputs(cell(it, PLAN_FROM, buf, sizeof(buf)), f);
	if (it->out.change)
		fprintf(f, " -> %s", cell(it, PLAN_TO, buf, sizeof(buf)));
	else
		fputs(", no change", f);
	fputs(" (", f);
	for (c = 0; c < PLAN_COUNT; c++) {
		if (!plan_columns[c].text)
			continue;
		fprintf(f, "%s%s%s", first ? "" : ", ", plan_columns[c].text,
		    cell(it, (enum plan_col)c, buf, sizeof(buf)));
		first = false;
	}
	fputs(")", f);
	/* The outcome of a change. */
	if (it->out.change)
		fputs(it->gone ? ": VM stopped or vanished, skipped" :
		    it->error ? ": failed" : "", f);
	fputc('\n', f);
}

/* A running VM left alone for invalid settings: its name, its UUID and
 * why. */
static void
get_conf_error(const struct vm *vm, struct value *v)
{
	value_str(v, vm->conf_error);
}

static const struct column conf_error_column = { .key = "error",
	.get = get_conf_error };
static const struct column *const invalid_columns[] = {
	&vm_columns[COL_NAME], &vm_columns[COL_UUID], &conf_error_column,
};

/* The host's figures a plan is made from. */
static const enum host_id plan_host[] = { HOST_TOTAL, HOST_POOL,
	HOST_ASSIGNED };

static void
print_json_items(struct json *j, const struct item *items, size_t n)
{
	struct value v;
	size_t i, c;

	json_arr_begin(j, "vms");
	for (i = 0; i < n; i++) {
		json_obj_begin(j, NULL);
		for (c = 0; c < PLAN_COUNT; c++) {
			memset(&v, 0, sizeof(v));
			plan_columns[c].get(&items[i], &v);
			value_json(j, plan_columns[c].key, &v);
		}
		json_obj_end(j);
	}
	json_arr_end(j);
}

void
plan_print_json(FILE *f, const struct snapshot *s, const struct item *items,
    size_t n, bool dry_run, time_t now)
{
	struct json j;
	struct value v;
	size_t i, c;

	json_init(&j, f);
	json_obj_begin(&j, NULL);
	json_bool(&j, "dry_run", dry_run);
	json_int(&j, "time", (long long)now);
	json_obj_begin(&j, "host");
	for (c = 0; c < DM_ARRAY_LEN(plan_host); c++) {
		memset(&v, 0, sizeof(v));
		host_fields[plan_host[c]].get(&s->host, &v);
		value_json(&j, host_fields[plan_host[c]].key, &v);
	}
	json_obj_end(&j);
	print_json_items(&j, items, n);
	/* Running VMs left alone for invalid settings, every pass. */
	json_arr_begin(&j, "invalid");
	for (i = 0; i < s->n; i++) {
		if (!s->vms[i].active || s->vms[i].conf_found >= 0)
			continue;
		json_obj_begin(&j, NULL);
		for (c = 0; c < DM_ARRAY_LEN(invalid_columns); c++) {
			memset(&v, 0, sizeof(v));
			invalid_columns[c]->get(&s->vms[i], &v);
			value_json(&j, invalid_columns[c]->key, &v);
		}
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	json_end(&j);
}
