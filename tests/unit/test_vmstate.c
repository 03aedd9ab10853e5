/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_vmstate.c - demand, status and the host pool from raw figures. */
#include <stdio.h>
#include <stdlib.h>

#include "fields.h"
#include "size.h"
#include "unit.h"
#include "util.h"
#include "vmstate.h"

static struct balloon
stats(long long actual, long long available, long long usable,
    long long unused, long long caches)
{
	struct balloon b = { actual, 1048576, usable, unused, caches,
		available, -1, -1 };

	return b;
}

/* Demand from the guest's figures, whichever it reports. */
static void
check_demand(void)
{
	struct balloon b;
	uint64_t d = 0;

	/* The doc's example: 256 MiB assigned, MemTotal 205 MiB,
	 * MemAvailable 105 MiB. Demand includes the 51 MiB the guest
	 * kernel keeps out of MemTotal. */
	b = stats(262144, 209920, 107520, 90000, 10000);
	CHECK(vm_demand(&b, &d) && d == (262144ULL - 107520) * KIB,
	    "demand = actual - usable (%llu MiB)",
	    (unsigned long long)(d / MIB));
	CHECK(d > (209920ULL - 107520) * KIB + 50 * MIB,
	    "and not MemTotal - MemAvailable, which hides ~51 MiB");
	b = stats(262144, 209920, -1, 90000, 10000);
	CHECK(vm_demand(&b, &d) && d == (262144ULL - 100000) * KIB,
	    "without usable: actual - unused - disk_caches");
	b = stats(262144, -1, -1, -1, -1);
	CHECK(!vm_demand(&b, &d), "only actual: demand unknown");
	b = stats(100, 0, 200, 0, 0);
	CHECK(vm_demand(&b, &d) && d == 0, "never negative");
}

/* The status from assigned against demand and buffer. */
static void
check_status(void)
{
	CHECK(vm_status_of(120 * MIB, 100 * MIB, 20) == VM_STATUS_OK,
	    "demand + full buffer assigned: OK");
	CHECK(vm_status_of(119 * MIB, 100 * MIB, 20) == VM_STATUS_LOW,
	    "demand covered, buffer short: Low");
	CHECK(vm_status_of(100 * MIB, 100 * MIB, 20) == VM_STATUS_LOW,
	    "exactly demand: Low");
	CHECK(vm_status_of(99 * MIB, 100 * MIB, 20) == VM_STATUS_WARNING,
	    "below demand: Warning");
}

/*
 * The VMs and host the checks below share; each group leaves them as the
 * next one expects, so they run in the order main calls them.
 */
static struct vm vms[3];
static struct snapshot s;
static struct hostconf hc;

static void
setup_host(void)
{
	/* A host of 16 GiB: one dynamic VM running, one static running,
	 * one dynamic shut off. */
	memset(vms, 0, sizeof(vms));
	bstate_init(&vms[0].bstate);
	bstate_init(&vms[1].bstate);
	bstate_init(&vms[2].bstate);
	vms[0].name = (char *)"dyn";
	vms[0].active = true;
	vms[0].conf_found = 1;
	vmconf_init(&vms[0].conf);
	vms[0].conf.enabled = true;
	vms[0].conf.buffer = 20;
	vms[0].assigned = GIB;
	vms[0].balloon = stats(1048576, 900000, 524288, 0, 0);
	vms[0].state = VIR_DOMAIN_RUNNING;
	vms[1].name = (char *)"stat";
	vms[1].active = true;
	vms[1].assigned = 2 * GIB;
	vms[1].balloon = stats(2097152, -1, -1, -1, -1);
	vms[1].state = VIR_DOMAIN_RUNNING;
	vms[2].name = (char *)"off";
	vms[2].conf_found = 1;
	vms[2].conf.enabled = true;
	vms[2].state = VIR_DOMAIN_SHUTOFF;
	vms[2].balloon = stats(1048576, -1, -1, -1, -1);
	memset(&s, 0, sizeof(s));
	s.vms = vms;
	s.n = 3;
	s.taken = 1000;
	hostconf_default(&hc);
}

/* The host pool and each VM's demand and status. */
static void
check_pool(void)
{
	snapshot_compute(&s, 16 * GIB, &hc);
	CHECK(s.host.reserve == GIB, "reserve: the larger of 1 GiB and 5%%");
	CHECK(s.host.statics == 2 * GIB, "static VMs counted");
	CHECK(s.host.overhead == 2 * hc.overhead, "overhead per running VM");
	CHECK(s.host.pool == 16 * GIB - GIB - 2 * GIB - 2 * hc.overhead,
	    "pool = total - reserve - static - overhead");
	CHECK(s.host.assigned == GIB && s.host.free ==
	    (int64_t)s.host.pool - (int64_t)GIB, "assigned and free");
	CHECK(s.host.ndynamic == 2 && s.host.nstatic == 1, "VM counts");
	CHECK(vms[0].has_demand && vms[0].demand == 512 * MIB &&
	    vms[0].status == VM_STATUS_OK, "dynamic VM: demand 512M, OK");
	CHECK(vms[1].status == VM_STATUS_NONE && !vms[1].has_demand,
	    "static VM without stats: no demand, status none");
	CHECK(vms[2].status == VM_STATUS_NONE && !vms[2].has_demand,
	    "shut off VM: status none");
}

/* Old stats, and a guest that has too little. */
static void
check_stale_and_starving(void)
{
	/* Stale stats make the status unknown. */
	vms[0].balloon.last_update = 1000 - VMSTATE_STALE_SECONDS - 1;
	snapshot_compute(&s, 16 * GIB, &hc);
	CHECK(vms[0].status == VM_STATUS_UNKNOWN && !vms[0].has_demand,
	    "stale stats: unknown");
	vms[0].balloon.last_update = 999;
	snapshot_compute(&s, 16 * GIB, &hc);
	CHECK(vms[0].status == VM_STATUS_OK, "fresh stats again: OK");

	/* A guest with next to nothing usable needs more than it has. */
	vms[0].balloon.usable = 10000;
	snapshot_compute(&s, 16 * GIB, &hc);
	CHECK(vm_starving(&vms[0]) && vms[0].demand > vms[0].assigned &&
	    vms[0].status == VM_STATUS_WARNING, "starving guest: demand "
	    "above assigned, Warning");
	vms[0].balloon.usable = 30000;
	snapshot_compute(&s, 16 * GIB, &hc);
	CHECK(!vm_starving(&vms[0]) && vms[0].status != VM_STATUS_WARNING,
	    "30 MiB usable of 1 GiB is not starving");
}

/* Major faults while tight. */
static void
check_thrashing(void)
{
	/* Tight and faulting fast: thrashing, so starving too. The rate
	 * takes two samples of the guest's count, a report apart. */
	{
		struct bstate st;

		bstate_init(&st);
		vms[0].balloon.major_faults = 5000;
		vms[0].balloon.last_update = 990;
		vm_faults_update(&vms[0], &st);
		CHECK(st.faults == 5000 && st.faults_at == 990 &&
		    st.thrashing < 0 && !vm_thrashes(&vms[0], &st),
		    "tight: the first sample is kept, no rate yet");
		vms[0].balloon.major_faults = 5000 + 99 * 9;
		vms[0].balloon.last_update = 999;
		vm_faults_update(&vms[0], &st);
		CHECK(st.thrashing < 0 && st.faults_at == 999,
		    "99 major faults a second: not thrashing");
		vms[0].balloon.major_faults += 1000;
		vms[0].balloon.last_update = 1009;
		vm_faults_update(&vms[0], &st);
		CHECK(st.thrashing == 1009 && vm_thrashes(&vms[0], &st),
		    "100 a second while tight: thrashing since that report");
		vm_faults_update(&vms[0], &st);
		CHECK(st.thrashing == 1009, "the same report again changes "
		    "nothing");
		vms[0].bstate = st;
		vms[0].balloon.last_update = 999;
		snapshot_compute(&s, 16 * GIB, &hc);
		CHECK(vm_starving(&vms[0]) && vms[0].demand > vms[0].assigned &&
		    vms[0].status == VM_STATUS_WARNING, "a thrashing guest "
		    "is starving: Warning, demand above assigned");
		vms[0].balloon.usable = 200000;
		CHECK(!vm_thrashes(&vms[0], &st), "thrashing needs tight "
		    "memory: 195 MiB usable of 1 GiB is not");
		vm_faults_update(&vms[0], &st);
		CHECK(st.faults < 0 && st.faults_at < 0 && st.thrashing < 0,
		    "not tight: the samples are dropped");
		vms[0].balloon.usable = 30000;
		vms[0].balloon.major_faults = 100;
		vms[0].balloon.last_update = 1000;
		vm_faults_update(&vms[0], &st);
		vms[0].balloon.major_faults = 50;
		vms[0].balloon.last_update = 1001;
		vm_faults_update(&vms[0], &st);
		CHECK(st.thrashing < 0, "a count that fell (reboot) is no "
		    "rate");
		bstate_init(&vms[0].bstate);
		vms[0].balloon.major_faults = -1;
	}
	vms[0].balloon.usable = 524288;
}

/* The demand shown while the balloon moves. */
static void
check_settling(void)
{
	/* While the balloon moves, the views show the demand read before
	 * the move, for two stats periods after it. */
	vms[0].bstate.last_change = 998;
	vms[0].bstate.settled = 300 * 1024;
	vms[0].balloon.last_update = 999;
	snapshot_compute(&s, 16 * GIB, &hc);
	CHECK(vms[0].settling && vms[0].has_demand &&
	    vms[0].demand == 300 * MIB, "settling: the settled demand");
	vms[0].balloon.last_update = 1000;
	snapshot_compute(&s, 16 * GIB, &hc);
	CHECK(!vms[0].settling && vms[0].demand == 512 * MIB,
	    "two reports after the move: the guest's own figure");
	vms[0].balloon.last_update = 999;
	vms[0].bstate.settled = -1;
	snapshot_compute(&s, 16 * GIB, &hc);
	CHECK(!vms[0].settling && vms[0].demand == 512 * MIB,
	    "no settled figure kept: the guest's own");
	vms[0].bstate.settled = 300 * 1024;
	vms[0].bstate.last_change = 1000 - VMSTATE_STALE_SECONDS - 1;
	vms[0].balloon.last_update = 900;
	snapshot_compute(&s, 16 * GIB, &hc);
	CHECK(!vms[0].settling, "a move long ago is not settling, even "
	    "without reports since");
	bstate_init(&vms[0].bstate);
	vms[0].balloon.last_update = 999;
}

/* Hot-added memory left offline, and a VM in its grace period. */
static void
check_offline_and_grace(void)
{
	/* Plugged memory the guest left offline is not demand. */
	bstate_init(&vms[0].bstate);
	vms[0].bstate.seen = 0;
	vms[0].hotadd = true;
	vms[0].plugged = 256 * MIB;
	vms[0].offline = 256 * MIB;
	snapshot_compute(&s, 16 * GIB, &hc);
	CHECK(vms[0].demand == 256 * MIB && vm_not_online(&vms[0]) &&
	    strcmp(vm_grows(&vms[0]), "not-online") == 0, "offline memory "
	    "left out of demand; the VM grows by balloon only");
	vms[0].offline = 0;
	snapshot_compute(&s, 16 * GIB, &hc);
	CHECK(strcmp(vm_grows(&vms[0]), "hot-add") == 0, "onlined: hot-add");
	vms[0].hotadd = false;
	vms[0].plugged = 0;

	/* A VM that has just started counts at its startup, not at the
	 * <memory> its balloon shows until the guest's driver inflates it. */
	vms[0].conf.startup = 256 * MIB;
	vms[0].bstate.seen = -1;
	snapshot_compute(&s, 16 * GIB, &hc);
	CHECK(s.host.assigned == 256 * MIB, "never seen: counted at startup");
	vms[0].bstate.seen = 1000 - (int64_t)hc.grace + 1;
	snapshot_compute(&s, 16 * GIB, &hc);
	CHECK(s.host.assigned == 256 * MIB, "in its grace period: the same");
	vms[0].bstate.last_change = vms[0].bstate.seen;
	snapshot_compute(&s, 16 * GIB, &hc);
	CHECK(s.host.assigned == GIB, "in its grace period, but the balancer "
	    "moved it (grew it, lent it memory): what it has");
	vms[0].bstate.last_change = -1;
	vms[0].bstate.seen = 1000 - (int64_t)hc.grace;
	snapshot_compute(&s, 16 * GIB, &hc);
	CHECK(s.host.assigned == GIB, "after it: what it has");
	vms[0].conf.startup = 0;
}

/* Sums that would overflow, and the overcommit figure. */
static void
check_saturation(void)
{
	/* Sums over sizes saturate: an overhead of half of 2^64 for each
	 * of the two running VMs once wrapped to almost nothing. */
	{
		uint64_t oh = hc.overhead;

		hc.overhead = UINT64_MAX / 2 + 1;
		snapshot_compute(&s, 16 * GIB, &hc);
		CHECK(s.host.overhead == UINT64_MAX && s.host.pool == 0 &&
		    s.host.free < 0, "overhead x VMs saturates: no pool");
		hc.overhead = oh;
	}

	/* Assigned above the pool says by how much. */
	snapshot_compute(&s, 4 * GIB, &hc);
	{
		struct value v;

		memset(&v, 0, sizeof(v));
		host_fields[HOST_OVERCOMMIT].get(&s.host, &v);
		CHECK(s.host.free < 0 && v.kind == VAL_SIZE &&
		    v.size == (uint64_t)-s.host.free, "overcommitted by "
		    "assigned - pool");
	}
	snapshot_compute(&s, 16 * GIB, &hc);
}

/* Text and JSON output, settling marked in each. */
static void
check_output(void)
{
	char *out = NULL;
	size_t outlen = 0;
	FILE *f;

	/* The JSON emitter: nulls where unknown, sizes in bytes. */
	f = open_memstream(&out, &outlen);
	{
		static const enum col_id cols[] = { COL_NAME, COL_MODE,
			COL_DEMAND, COL_PRESSURE, COL_STATUS };

		fields_print_json(f, &s, cols, DM_ARRAY_LEN(cols));
	}
	fclose(f);
	CHECK(strstr(out, "{\"name\":\"dyn\",\"dynamic\":true,\"demand\":"
	    "536870912,\"pressure\":50,\"status\":\"OK\"}") != NULL,
	    "JSON row of the dynamic VM");
	CHECK(strstr(out, "{\"name\":\"stat\",\"dynamic\":false,\"demand\":"
	    "null,\"pressure\":null,\"status\":\"none\"}") != NULL,
	    "JSON row of the static VM has nulls");
	CHECK(strstr(out, "\"pool\":") && strstr(out, "\"free\":"),
	    "JSON host part");
	free(out);

	/* A settling VM: its figures marked in text, a key in JSON. */
	vms[0].bstate.last_change = 998;
	vms[0].bstate.settled = 300 * 1024;
	snapshot_compute(&s, 16 * GIB, &hc);
	{
		static const enum col_id cols[] = { COL_NAME, COL_DEMAND,
			COL_PRESSURE, COL_STATUS, COL_SETTLING };

		f = open_memstream(&out, &outlen);
		fields_print_table(f, &s, cols, DM_ARRAY_LEN(cols));
		fclose(f);
		CHECK(strstr(out, "300M~") && strstr(out, "29%~") &&
		    strstr(out, "~ settling:"), "text: settling figures "
		    "marked ~, and a note under the table");
		free(out);
		f = open_memstream(&out, &outlen);
		fields_print_json(f, &s, cols, DM_ARRAY_LEN(cols));
		fclose(f);
		CHECK(strstr(out, "\"demand\":314572800,\"pressure\":29,"
		    "\"status\":\"OK\",\"settling\":true}") &&
		    strstr(out, "\"settling\":false}"), "JSON: plain "
		    "numbers and \"settling\"");
		free(out);
	}
}

static void
check_utf8_name(void)
{
	char *out = NULL;
	size_t outlen = 0;
	FILE *f;

	/* A UTF-8 name takes one column a character: the next column
	 * starts at the same place on every row. */
	{
		static const enum col_id cols[] = { COL_NAME, COL_MODE };
		char *name0 = vms[0].name;
		char *l[4], *save = NULL;
		int n = 0;

		vms[0].name = (char *)"d\xc3\xa9j\xc3\xa0";	/* 6 bytes */
		f = open_memstream(&out, &outlen);
		fields_print_table(f, &s, cols, DM_ARRAY_LEN(cols));
		fclose(f);
		for (char *t = strtok_r(out, "\n", &save); t && n < 4;
		    t = strtok_r(NULL, "\n", &save))
			if (strncmp(t, "Host", 4) != 0)
				l[n++] = t;
		CHECK(n == 4 && strstr(l[1], "d\xc3\xa9j\xc3\xa0") &&
		    (int)(strstr(l[1], "dynamic") - l[1]) - 2 ==
		    (int)(strstr(l[0], "MODE") - l[0]), "a UTF-8 name: "
		    "columns line up (%s | %s)", n > 1 ? l[0] : "",
		    n > 1 ? l[1] : "");
		free(out);
		vms[0].name = name0;
	}
}

int
main(void)
{
	check_demand();
	check_status();
	setup_host();
	check_pool();
	check_stale_and_starving();
	check_thrashing();
	check_settling();
	check_offline_and_grace();
	check_saturation();
	check_output();
	check_utf8_name();
	return unit_done();
}
