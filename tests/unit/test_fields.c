/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_fields.c - the column tables and their one emitter for text and
 * JSON, over a hand-made snapshot, and the rebalance plan's table over
 * hand-made plan items.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fields.h"
#include "hostline.h"
#include "pass.h"
#include "size.h"
#include "unit.h"
#include "util.h"

static char *
text(const struct value *v, const char *suffix, const char *yes,
    const char *no, const char *null_text)
{
	static char buf[64];

	return value_text(v, suffix, yes, no, null_text, buf, sizeof(buf));
}

/* value_json of v under key "k", as written. */
static char *
json_of(const struct value *v)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	struct json j;

	json_init(&j, f);
	json_obj_begin(&j, NULL);
	value_json(&j, "k", v);
	json_obj_end(&j);
	fclose(f);
	return out;
}

static void
test_values(void)
{
	struct value v;
	char *s;

	memset(&v, 0, sizeof(v));
	CHECK_STR(text(&v, NULL, NULL, NULL, NULL), "-", "unknown: -");
	CHECK_STR(text(&v, NULL, NULL, NULL, "invalid"), "invalid",
	    "unknown: the column's own text");
	value_str(&v, "web1");
	CHECK_STR(text(&v, "%", NULL, NULL, NULL), "web1", "a string as is");
	value_str(&v, NULL);
	CHECK(v.kind == VAL_NULL, "a NULL string is unknown");
	value_size(&v, true, 1536 * MIB);
	CHECK_STR(text(&v, NULL, NULL, NULL, NULL), "1.5G", "a size, short");
	value_size(&v, true, 300 * MIB);
	CHECK_STR(text(&v, NULL, NULL, NULL, NULL), "300M", "MiB");
	value_size(&v, false, 300 * MIB);
	CHECK_STR(text(&v, NULL, NULL, NULL, NULL), "-", "a size unknown");
	value_int(&v, true, 20);
	CHECK_STR(text(&v, "%", NULL, NULL, NULL), "20%", "a number and "
	    "its suffix");
	value_int(&v, true, -(long long)(2 * GIB));
	CHECK_STR(text(&v, NULL, NULL, NULL, NULL), "-2.0G", "a negative "
	    "number without a suffix is a size (free below zero)");
	value_bool(&v, true);
	CHECK_STR(text(&v, NULL, NULL, NULL, NULL), "yes", "true: yes");
	value_bool(&v, false);
	CHECK_STR(text(&v, NULL, "dynamic", "static", NULL), "static",
	    "false: the column's own word");
	/* Settling marks figures, never words. */
	value_size(&v, true, 300 * MIB);
	v.settling = true;
	CHECK_STR(text(&v, NULL, NULL, NULL, NULL), "300M~", "settling: ~");
	value_int(&v, true, 29);
	CHECK_STR(text(&v, "%", NULL, NULL, NULL), "29%~", "settling "
	    "number: ~ after the suffix");
	value_str(&v, "OK");
	CHECK_STR(text(&v, NULL, NULL, NULL, NULL), "OK", "settling "
	    "string: no ~");
	value_bool(&v, true);
	CHECK_STR(text(&v, NULL, NULL, NULL, NULL), "yes", "settling "
	    "bool: no ~");
	{
		char small[4];

		value_size(&v, true, 300 * MIB);
		CHECK_STR(value_text(&v, NULL, NULL, NULL, NULL, small,
		    sizeof(small)), "300", "a short buffer truncates, "
		    "without the ~");
	}

	memset(&v, 0, sizeof(v));
	CHECK_STR(s = json_of(&v), "{\"k\":null}", "JSON: unknown is null");
	free(s);
	value_size(&v, true, 1536 * MIB);
	v.settling = true;
	CHECK_STR(s = json_of(&v), "{\"k\":1610612736}", "JSON: a size in "
	    "bytes, settling or not");
	free(s);
	value_int(&v, true, -5);
	CHECK_STR(s = json_of(&v), "{\"k\":-5}", "JSON: a number");
	free(s);
	value_bool(&v, false);
	CHECK_STR(s = json_of(&v), "{\"k\":false}", "JSON: a bool");
	free(s);
	value_str(&v, "a\"b");
	CHECK_STR(s = json_of(&v), "{\"k\":\"a\\\"b\"}", "JSON: a string, "
	    "escaped");
	free(s);
}

/* A host of 16 GiB with a dynamic VM running and a static one off. */
static void
make_snapshot(struct snapshot *s, struct vm *vms)
{
	memset(s, 0, sizeof(*s));
	memset(vms, 0, 2 * sizeof(*vms));
	vms[0].name = (char *)"web";
	snprintf(vms[0].uuid, sizeof(vms[0].uuid), "%s",
	    "00000000-0000-0000-0000-000000000001");
	vms[0].state = VIR_DOMAIN_RUNNING;
	vms[0].active = true;
	vms[0].conf_found = 1;
	vms[0].conf = (struct vmconf){ true, 1 * GIB, 512 * MIB, 4 * GIB,
		20, 50 };
	vms[0].assigned = 1 * GIB;
	vms[0].has_demand = true;
	vms[0].demand = 512 * MIB;
	vms[0].status = VM_STATUS_OK;
	bstate_init(&vms[0].bstate);
	vms[1].name = (char *)"db";
	snprintf(vms[1].uuid, sizeof(vms[1].uuid), "%s",
	    "00000000-0000-0000-0000-000000000002");
	vms[1].state = VIR_DOMAIN_SHUTOFF;
	vms[1].conf_found = 0;
	vms[1].status = VM_STATUS_NONE;
	bstate_init(&vms[1].bstate);
	s->vms = vms;
	s->n = 2;
	s->host = (struct host){ 16 * GIB, 1 * GIB, 0, 0, 15 * GIB, 1 * GIB,
		(int64_t)(14 * GIB), 1, 1, -1 };
}

static char *
print_with(void (*fn)(FILE *, const struct snapshot *, const enum col_id *,
    size_t), const struct snapshot *s, const enum col_id *cols, size_t n)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	fn(f, s, cols, n);
	fclose(f);
	return out;
}

static void
test_tables(void)
{
	static const enum col_id cols[] = { COL_NAME, COL_STATE, COL_MODE,
		COL_ASSIGNED, COL_DEMAND, COL_PRESSURE, COL_BUFFER,
		COL_STATUS };
	struct snapshot s;
	struct vm vms[2];
	char *out;

	make_snapshot(&s, vms);
	out = print_with(fields_print_table, &s, cols, DM_ARRAY_LEN(cols));
	CHECK_STR(out, "NAME  STATE     MODE     ASSIGNED  DEMAND  PRESSURE  BUFFER  "
	    "STATUS\n"
	    "web   running   dynamic      1.0G    512M       50%     20%  OK\n"
	    "db    shut off  static          -       -         -       -  "
	    "none\n", "table: titles, right-aligned figures, the last column "
	    "unpadded");
	free(out);

	out = print_with(fields_print_json, &s, cols, DM_ARRAY_LEN(cols));
	CHECK_STR(out, "{\"host\":{\"total\":17179869184,\"reserve\":"
	    "1073741824,\"static\":0,\"overhead\":0,\"pool\":16106127360,"
	    "\"assigned\":1073741824,\"free\":15032385536,\"dynamic_vms\":1,"
	    "\"static_vms\":1,\"last_change\":null,\"overcommitted\":0},"
	    "\"vms\":[{\"name\":\"web\",\"state\":\"running\",\"dynamic\":"
	    "true,\"assigned\":1073741824,\"demand\":536870912,\"pressure\":"
	    "50,\"buffer\":20,\"status\":\"OK\"},{\"name\":\"db\",\"state\":"
	    "\"shut off\",\"dynamic\":false,\"assigned\":null,\"demand\":"
	    "null,\"pressure\":null,\"buffer\":null,\"status\":\"none\"}]}\n",
	    "JSON: every host figure, the same columns by key, nulls for "
	    "unknown");
	free(out);

	/* The host line above show's table (hostline.c, as dmtop's). */
	{
		struct hostline hl;

		hostline(&s.host, 0, HOSTLINE_ONE, &hl);
		CHECK_STR(hl.line[0], "Host: total 16.0G, reserve 1.0G, static "
		    "0K, overhead 0K, pool 15.0G, assigned 1.0G, free 14.0G (1 "
		    "dynamic, 1 static VMs)", "host line: every figure, in "
		    "show's order");
		/* Overcommitted: said on the host line, free below zero. */
		s.host.free = -(int64_t)(2 * GIB);
		hostline(&s.host, 0, HOSTLINE_ONE, &hl);
		CHECK(strstr(hl.line[0], "free -2.0G, OVERCOMMITTED by 2.0G (") !=
		    NULL, "host line: negative free and by how much");
	}

	/* Each column has a title and a key, and a getter. */
	{
		size_t c;
		bool all = true;

		for (c = 0; c < COL_COUNT; c++)
			all &= vm_columns[c].title && vm_columns[c].key &&
			    vm_columns[c].get;
		for (c = 0; c < HOST_COUNT; c++)
			all &= host_fields[c].title && host_fields[c].key &&
			    host_fields[c].get;
		CHECK(all, "every column and host field is complete");
	}
}

/* Plan items over the snapshot's running VM. */
static void
make_item(struct item *it, struct vm *vm)
{
	memset(it, 0, sizeof(*it));
	it->vm = vm;
	it->in.assigned = 1 * GIB;
	it->in.demand = 512 * MIB;
	it->in.buffer = 20;
	it->in.weight = 50;
	it->in.maximum = 4 * GIB;
	it->in.stats = PS_FRESH;
	it->has_demand = true;
	it->minimum = 512 * MIB;
	it->out.target = 640 * MIB;
	it->out.reason = PR_RECLAIM;
	it->out.change = true;
}

static char *
plan_text(const struct item *it, bool dry_run)
{
	char *out = NULL;

	UNIT_CAPTURE(out, plan_print_text(f, it, dry_run));
	return out;
}

static void
test_plan(void)
{
	struct snapshot s;
	struct vm vms[2];
	struct item it[2];
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	make_snapshot(&s, vms);
	make_item(&it[0], &vms[0]);
	CHECK_STR(out = plan_text(&it[0], false), "web: 1.0G -> 640M (demand "
	    "512M, buffer 20%, OK, reclaim: surplus past the reclaim delay)\n",
	    "plan text: a change");
	free(out);
	it[0].gone = true;
	CHECK_STR(out = plan_text(&it[0], false), "web: 1.0G -> 640M (demand "
	    "512M, buffer 20%, OK, reclaim: surplus past the reclaim delay): "
	    "VM stopped or vanished, skipped\n", "plan text: a VM gone");
	free(out);
	it[0].gone = false;
	it[0].error = (char *)"cannot set memory: no";
	CHECK_STR(out = plan_text(&it[0], false), "web: 1.0G -> 640M (demand "
	    "512M, buffer 20%, OK, reclaim: surplus past the reclaim delay): "
	    "failed\n", "plan text: a failure");
	free(out);
	it[0].error = NULL;
	it[0].out.change = false;
	it[0].out.target = 1 * GIB;
	it[0].out.reason = PR_STEADY;
	CHECK_STR(out = plan_text(&it[0], false), "", "plan text: no change, "
	    "not a dry run: nothing");
	free(out);
	it[0].has_demand = false;
	it[0].in.stats = PS_NONE;
	CHECK_STR(out = plan_text(&it[0], true), "web: 1.0G, no change "
	    "(demand unknown, buffer 20%, unknown, steady)\n", "plan text: "
	    "a dry run shows what does not change; demand unknown");
	free(out);

	/* The JSON: every key of the plan column table, the host's pool
	 * figures, and the running VMs with invalid settings. */
	make_item(&it[0], &vms[0]);
	it[0].applied = true;
	make_item(&it[1], &vms[0]);
	it[1].has_demand = false;
	it[1].out.change = false;
	it[1].note = "plug under way";
	it[1].error = (char *)"x";
	vms[1].active = true;
	vms[1].conf_found = -1;
	vms[1].conf_error = (char *)"field 'buffer': bad";
	f = open_memstream(&out, &len);
	plan_print_json(f, &s, it, 2, false, 1000);
	fclose(f);
	CHECK_STR(out, "{\"dry_run\":false,\"time\":1000,\"host\":{\"total\":"
	    "17179869184,\"pool\":16106127360,\"assigned\":1073741824},"
	    "\"vms\":[{\"name\":\"web\",\"uuid\":"
	    "\"00000000-0000-0000-0000-000000000001\",\"from\":1073741824,"
	    "\"to\":671088640,\"demand\":536870912,\"buffer\":20,\"weight\":50,"
	    "\"minimum\":536870912,\"maximum\":4294967296,\"grows\":"
	    "\"balloon\",\"plugged\":null,\"status\":\"OK\",\"reason\":"
	    "\"reclaim: surplus past the reclaim delay\",\"change\":true,"
	    "\"applied\":true,\"skipped\":false,\"error\":null,\"note\":null},"
	    "{\"name\":\"web\",\"uuid\":"
	    "\"00000000-0000-0000-0000-000000000001\",\"from\":1073741824,"
	    "\"to\":671088640,\"demand\":null,\"buffer\":20,\"weight\":50,"
	    "\"minimum\":536870912,\"maximum\":4294967296,\"grows\":"
	    "\"balloon\",\"plugged\":null,\"status\":\"OK\",\"reason\":"
	    "\"reclaim: surplus past the reclaim delay\",\"change\":false,"
	    "\"applied\":false,\"skipped\":false,\"error\":\"x\",\"note\":"
	    "\"plug under way\"}],\"invalid\":[{\"name\":\"db\",\"uuid\":"
	    "\"00000000-0000-0000-0000-000000000002\",\"error\":"
	    "\"field 'buffer': bad\"}]}\n", "plan JSON: the column table's "
	    "keys in order, nulls, and the invalid VMs");
	free(out);
}

int
main(void)
{
	test_values();
	test_tables();
	test_plan();
	return unit_done();
}
