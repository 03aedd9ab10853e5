/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_prom.c - the Prometheus exposition text over a hand-made snapshot:
 * HELP and TYPE once per family, labels and their escaping, ratios,
 * unknown figures left out, the status set, the balancer's counters, and
 * the textfile written whole.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "prom.h"
#include "size.h"
#include "unit.h"
#include "util.h"

/* A VM named name, uuid ...000N, running when conf is given (with
 * assigned memory and demand), shut off and without settings when not. */
static void
make_vm(struct vm *vm, const char *name, int n, const struct vmconf *conf,
    uint64_t assigned, uint64_t demand, enum vm_status st)
{
	memset(vm, 0, sizeof(*vm));
	vm->name = (char *)name;
	snprintf(vm->uuid, sizeof(vm->uuid),
	    "00000000-0000-0000-0000-%012d", n);
	vm->state = conf ? VIR_DOMAIN_RUNNING : VIR_DOMAIN_SHUTOFF;
	vm->active = conf != NULL;
	vm->conf_found = conf != NULL;
	if (conf)
		vm->conf = *conf;
	vm->assigned = assigned;
	vm->has_demand = demand > 0;
	vm->demand = demand;
	vm->status = st;
	bstate_init(&vm->bstate);
}

/* A running dynamic VM with an awkward name, and a static one off, on a
 * host whose pool is overcommitted. */
static void
make_snapshot(struct snapshot *s, struct vm *vms)
{
	static const struct vmconf web = { true, 1 * GIB, 512 * MIB, 4 * GIB,
		20, 50 };

	make_vm(&vms[0], "we\"b\\1\nx", 1, &web, 1 * GIB, 700 * MIB,
	    VM_STATUS_LOW);
	make_vm(&vms[1], "db", 2, NULL, 0, 0, VM_STATUS_NONE);
	memset(s, 0, sizeof(*s));
	s->vms = vms;
	s->n = 2;
	s->host = (struct host){ 16 * GIB, 1 * GIB, 0, 0, 15 * GIB, 16 * GIB,
		-(int64_t)(1 * GIB), 1, 1, -1 };
}

static char *
print(const struct snapshot *s, const struct prom_tally *t)
{
	char *out = NULL;

	UNIT_CAPTURE(out, prom_print(f, s, t));
	return out;
}

/* How many times line (without its newline) is a whole line of text. */
static int
lines(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p;
	int k = 0;

	for (p = text; (p = strstr(p, line)); p += n)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			k++;
	return k;
}

#define WEB "{domain=\"we\\\"b\\\\1\\nx\",uuid=\"" \
	"00000000-0000-0000-0000-000000000001\""
#define DB "{domain=\"db\",uuid=\"00000000-0000-0000-0000-000000000002\""

static void
test_vms(void)
{
	struct snapshot s;
	struct vm vms[2];
	char *out;

	make_snapshot(&s, vms);
	out = print(&s, NULL);
	CHECK(lines(out, "# HELP dmctl_vm_assigned_bytes memory the VM has "
	    "now") == 1, "HELP once");
	CHECK(lines(out, "# TYPE dmctl_vm_assigned_bytes gauge") == 1,
	    "TYPE once");
	CHECK(lines(out, "# TYPE dmctl_vm_status gauge") == 1,
	    "one TYPE for the four series of the status set");
	CHECK(lines(out, "dmctl_vm_assigned_bytes" WEB "} 1073741824") == 1,
	    "bytes, the name escaped: backslash, quote, newline");
	CHECK(lines(out, "dmctl_vm_demand_bytes" WEB "} 734003200") == 1,
	    "demand");
	CHECK(lines(out, "dmctl_vm_startup_bytes" WEB "} 1073741824") == 1 &&
	    lines(out, "dmctl_vm_minimum_bytes" WEB "} 536870912") == 1 &&
	    lines(out, "dmctl_vm_maximum_bytes" WEB "} 4294967296") == 1,
	    "settings in bytes");
	CHECK(lines(out, "dmctl_vm_buffer_ratio" WEB "} 0.20") == 1,
	    "buffer 20 %% is 0.20");
	CHECK(lines(out, "dmctl_vm_pressure_ratio" WEB "} 0.68") == 1,
	    "pressure 68 %% is 0.68");
	CHECK(lines(out, "dmctl_vm_weight" WEB "} 50") == 1, "weight");
	CHECK(lines(out, "dmctl_vm_dynamic" WEB "} 1") == 1 &&
	    lines(out, "dmctl_vm_dynamic" DB "} 0") == 1, "dynamic 1, static 0");
	CHECK(lines(out, "dmctl_vm_status" WEB ",status=\"low\"} 1") == 1 &&
	    lines(out, "dmctl_vm_status" WEB ",status=\"ok\"} 0") == 1 &&
	    lines(out, "dmctl_vm_status" WEB ",status=\"warning\"} 0") == 1 &&
	    lines(out, "dmctl_vm_status" WEB ",status=\"unknown\"} 0") == 1,
	    "the status set: 1 for the current, 0 for the others");
	CHECK(!strstr(out, "dmctl_vm_status" DB), "no status set for a VM "
	    "whose status is none");
	CHECK(!strstr(out, "dmctl_vm_assigned_bytes" DB) &&
	    !strstr(out, "dmctl_vm_startup_bytes" DB) &&
	    !strstr(out, "dmctl_vm_plugged_bytes{") && !strstr(out, "NaN"),
	    "unknown figures are left out, not NaN");
	CHECK(lines(out, "# TYPE dmctl_vm_plugged_bytes gauge") == 1,
	    "a family without a series still has its TYPE");
	CHECK(lines(out, "dmctl_pool_capacity_bytes 16106127360") == 1 &&
	    lines(out, "dmctl_pool_assigned_bytes 17179869184") == 1 &&
	    lines(out, "dmctl_host_reserve_bytes 1073741824") == 1,
	    "host figures without labels");
	CHECK(lines(out, "dmctl_pool_free_bytes -1073741824") == 1,
	    "an overcommitted pool's free is negative");
	CHECK(!strstr(out, "dmctl_balancer_"), "no counters without a tally");
	free(out);

	vms[0].conf_found = -1;
	vms[0].status = VM_STATUS_INVALID;
	out = print(&s, NULL);
	CHECK(lines(out, "dmctl_vm_status" WEB ",status=\"unknown\"} 1") == 1 &&
	    !strstr(out, "dmctl_vm_dynamic" WEB), "invalid settings: status "
	    "unknown, neither dynamic nor static");
	free(out);
}

static void
test_tally(void)
{
	struct prom_tally t = { 3, 2, 1, 300 * MIB, 4, 0.0123456 };
	char *out = print(NULL, &t);

	CHECK(!strstr(out, "dmctl_vm_") && !strstr(out, "dmctl_pool_"),
	    "no snapshot: only the counters");
	CHECK(lines(out, "# TYPE dmctl_balancer_passes_total counter") == 1 &&
	    lines(out, "dmctl_balancer_passes_total 3") == 1, "passes");
	CHECK(lines(out, "# TYPE dmctl_balancer_changes_total counter") == 1 &&
	    lines(out, "dmctl_balancer_changes_total{direction=\"add\"} 2") ==
	    1 && lines(out, "dmctl_balancer_changes_total{direction="
	    "\"reclaim\"} 1") == 1, "changes by direction, one family");
	CHECK(lines(out, "dmctl_balancer_moved_bytes_total 314572800") == 1,
	    "moved bytes");
	CHECK(lines(out, "dmctl_balancer_errors_total 4") == 1, "errors");
	CHECK(lines(out, "# TYPE dmctl_balancer_pass_seconds gauge") == 1 &&
	    lines(out, "dmctl_balancer_pass_seconds 0.012346") == 1,
	    "the last pass's seconds, a gauge");
	free(out);
}

static void
test_textfile(void)
{
	char dir[] = "/tmp/test_prom.XXXXXX", err[512], *path, *want, *got;
	struct prom_tally t = { .passes = 1 };
	struct snapshot s;
	struct vm vms[2];
	struct dirent *d;
	size_t len;
	FILE *f;
	DIR *dp;
	int n = 0;

	make_snapshot(&s, vms);
	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp");
		return;
	}
	CHECK(prom_write_textfile(dir, &s, &t, err, sizeof(err)) == 0 &&
	    prom_write_textfile(dir, &s, &t, err, sizeof(err)) == 0,
	    "written, and again over the first");
	path = xasprintf("%s/dmctl.prom", dir);
	want = print(&s, &t);
	got = xcalloc(strlen(want) + 2, 1);
	f = fopen(path, "r");
	len = f ? fread(got, 1, strlen(want) + 1, f) : 0;
	CHECK(len == strlen(want) && !strcmp(got, want), "the file holds "
	    "what prom_print prints");
	if (f)
		fclose(f);
	dp = opendir(dir);
	while (dp && (d = readdir(dp)))
		n += d->d_name[0] != '.' || strlen(d->d_name) > 2;
	if (dp)
		closedir(dp);
	CHECK(n == 1, "no temporary file is left");
	unlink(path);
	rmdir(dir);
	CHECK(prom_write_textfile(dir, &s, &t, err, sizeof(err)) < 0 &&
	    strstr(err, dir), "a missing directory: said");
	free(path);
	free(want);
	free(got);
}

int
main(void)
{
	test_vms();
	test_tally();
	test_textfile();
	return unit_done();
}
