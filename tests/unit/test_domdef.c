/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_domdef.c - rewriting a definition: balloon and hot-add layouts. */
#include <stdlib.h>

#include "domdef.h"
#include "domxml.h"
#include "size.h"
#include "unit.h"

#define OS "<os><type arch='x86_64' machine='pc'>hvm</type></os>"
#define BALLOON "<memballoon model='virtio'><stats period='1'/></memballoon>"

/* A balloon VM as tb_define_vm makes one: 4 GiB, ballooned to 256 MiB. */
static const char plain[] =
    "<domain type='qemu'><name>t</name>"
    "<memory unit='KiB'>4194304</memory>"
    "<currentMemory unit='KiB'>262144</currentMemory>"
    "<vcpu placement='static'>2</vcpu>" OS
    "<devices>" BALLOON "</devices></domain>";

/* A <cpu> of its own, no NUMA. */
static const char with_cpu[] =
    "<domain type='qemu'><name>t</name>"
    "<memory unit='KiB'>1048576</memory>"
    "<currentMemory unit='KiB'>262144</currentMemory>"
    "<vcpu>1</vcpu>" OS
    "<cpu mode='custom' match='exact'><model>qemu64</model></cpu>"
    "<devices/></domain>";

/* Two NUMA cells of 600 and 400 MiB. */
static const char two_cells[] =
    "<domain type='qemu'><name>t</name>"
    "<memory unit='KiB'>1024000</memory>"
    "<currentMemory unit='KiB'>262144</currentMemory>"
    "<vcpu>3</vcpu>" OS
    "<cpu><numa><cell id='0' cpus='0' memory='600' unit='MiB'/>"
    "<cell id='1' cpus='1-2' memory='400' unit='MiB'/></numa></cpu>"
    "<devices/></domain>";

/* A hot-add VM whose config plugs 1 GiB at boot. */
static const char plugging[] =
    "<domain type='qemu'><name>t</name>"
    "<maxMemory slots='4' unit='GiB'>8</maxMemory>"
    "<memory unit='KiB'>2359296</memory>"
    "<currentMemory unit='KiB'>262144</currentMemory>"
    "<vcpu>1</vcpu>" OS
    "<cpu><numa><cell id='0' cpus='0' memory='256' unit='MiB'/></numa>"
    "</cpu><devices><memory model='virtio-mem'><target>"
    "<size unit='MiB'>2048</size><node>0</node><block unit='MiB'>2</block>"
    "<requested unit='MiB'>1024</requested></target></memory>"
    "</devices></domain>";

/* A balloon VM with a DIMM of 128 MiB. */
static const char dimm[] =
    "<domain type='qemu'><name>t</name>"
    "<maxMemory slots='2' unit='GiB'>4</maxMemory>"
    "<memory unit='KiB'>1179648</memory>"
    "<currentMemory unit='KiB'>262144</currentMemory>"
    "<vcpu>1</vcpu>" OS
    "<cpu><numa><cell id='0' cpus='0' memory='1024' unit='MiB'/></numa>"
    "</cpu><devices><memory model='dimm'><target><size unit='MiB'>128"
    "</size><node>0</node></target></memory></devices></domain>";

static struct vmconf
conf(uint64_t startup, uint64_t maximum)
{
	struct vmconf c;

	vmconf_init(&c);
	c.enabled = true;
	c.startup = startup;
	c.minimum = startup;
	c.maximum = maximum;
	c.buffer = 20;
	c.weight = 50;
	return c;
}

/* Rewrite and parse the result back; NULL (and err set) if refused. */
static char *
rewrite(const char *xml, uint64_t startup, uint64_t maximum, bool mem,
    int grow, struct domxml *d, char *err, size_t errlen)
{
	struct vmconf c = conf(startup, maximum);
	char *out, perr[256];

	err[0] = '\0';
	out = domdef_rewrite(xml, &c, mem, grow, err, errlen);
	memset(d, 0, sizeof(*d));
	if (out && domxml_parse(out, d, perr, sizeof(perr)) < 0) {
		snprintf(err, errlen, "output does not parse: %s", perr);
		free(out);
		out = NULL;
	}
	return out;
}

static int
count(const char *hay, const char *needle)
{
	int n = 0;

	while ((hay = strstr(hay, needle))) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

/* Each refusal names its reason and gives no XML. */
static void
refused(const char *xml, uint64_t startup, uint64_t maximum, int grow,
    const char *want, const char *what)
{
	struct domxml d;
	char err[512], *out;

	out = rewrite(xml, startup, maximum, true, grow, &d, err, sizeof(err));
	CHECK(!out && strstr(err, want), "%s: refused, \"%s\": %s", what,
	    want, err);
	free(out);
	domxml_free(&d);
}

static void
test_plain(void)
{
	struct domxml d, e;
	char err[512], *out, *again;

	out = rewrite(plain, 256 * MIB, 4 * GIB, false, DOMDEF_HOTADD, &d, err,
	    sizeof(err));
	CHECK(out != NULL, "plain: --hot-add takes (%s)", err);
	if (!out)
		return;
	CHECK(d.nmem == 1 && d.mem[0].size == 3840 * MIB &&
	    d.mem[0].node == 0 && d.mem[0].block == 2 * MIB &&
	    d.mem[0].requested == 0, "plain: one device of maximum - startup "
	    "on node 0, 2 MiB blocks, nothing requested");
	CHECK(d.memory == 256 * MIB && d.current_memory == 256 * MIB,
	    "plain: <memory> and <currentMemory> are startup");
	CHECK(d.ncells == 1 && d.cells_memory == 256 * MIB &&
	    strstr(out, "cpus=\"0-1\""), "plain: a cell of startup, every "
	    "vCPU");
	CHECK(d.max_memory == 4 * GIB && d.slots == 1,
	    "plain: <maxMemory slots='1'> of maximum");
	CHECK(domxml_boot_memory(&d) == 256 * MIB && d.memory +
	    domxml_plug_size(&d) == 4 * GIB, "plain: boots with startup, "
	    "grows to maximum");
	CHECK(d.conf_found == 1 && d.conf.startup == 256 * MIB &&
	    d.conf.maximum == 4 * GIB, "plain: settings written with it");
	CHECK(count(out, "<memballoon") == 1, "plain: other devices kept");

	/* Hot-add again changes nothing but what the settings say. */
	again = rewrite(out, 256 * MIB, 4 * GIB, false, DOMDEF_HOTADD, &e,
	    err, sizeof(err));
	CHECK_STR(again, out, "plain: --hot-add on a hot-add VM: no change");
	free(again);
	domxml_free(&e);

	/* A new maximum resizes the device; a new startup moves the cell. */
	again = rewrite(out, 512 * MIB, 2 * GIB, true, DOMDEF_KEEP, &e, err,
	    sizeof(err));
	CHECK(again && e.nmem == 1 && e.mem[0].size == 1536 * MIB &&
	    e.cells_memory == 512 * MIB && e.current_memory == 512 * MIB &&
	    e.max_memory == 4 * GIB, "plain: a hot-add VM stays hot-add and "
	    "is resized (%s)", err);
	free(again);
	domxml_free(&e);

	/* Back to the balloon. */
	again = rewrite(out, 256 * MIB, 2 * GIB, true, DOMDEF_BALLOON, &e, err,
	    sizeof(err));
	CHECK(again && e.nmem == 0 && e.memory == 2 * GIB &&
	    e.current_memory == 256 * MIB && e.max_memory == 0 &&
	    e.ncells == 1 && e.cells_memory == 2 * GIB, "plain: --no-hot-add: "
	    "no device, no <maxMemory>, <memory> and cell = maximum (%s)",
	    err);
	free(again);
	domxml_free(&e);
	free(out);
	domxml_free(&d);

	/* Without a wish, a balloon VM stays one, as before. */
	out = rewrite(plain, 300 * MIB, GIB, true, DOMDEF_KEEP, &d, err,
	    sizeof(err));
	CHECK(out && d.nmem == 0 && d.memory == GIB &&
	    d.current_memory == 300 * MIB && d.ncells == 0 && !d.max_memory,
	    "plain: balloon VM: <memory> = maximum, <currentMemory> = "
	    "startup");
	free(out);
	domxml_free(&d);

	/* Settings alone leave the memory as it is. */
	out = rewrite(plain, 300 * MIB, GIB, false, DOMDEF_KEEP, &d, err,
	    sizeof(err));
	CHECK(out && d.memory == 4 * GIB && d.current_memory == 256 * MIB &&
	    d.conf.startup == 300 * MIB, "plain: settings only");
	free(out);
	domxml_free(&d);
}

static void
test_cells(void)
{
	struct domxml d;
	char err[512], *out;

	out = rewrite(with_cpu, 256 * MIB, GIB, true, DOMDEF_HOTADD, &d, err,
	    sizeof(err));
	CHECK(out && count(out, "<cpu") == 1 && count(out, "<numa>") == 1 &&
	    strstr(out, "<model>qemu64</model>") && strstr(out,
	    "cpus=\"0\"") && d.cells_memory == 256 * MIB,
	    "existing <cpu>: <numa> added inside it (%s)", err);
	free(out);
	domxml_free(&d);

	/* 512 MiB over 600:400 is 307.2 and 204.8: whole MiB, the rest to
	 * the first; 1026 MiB of plug is 513 blocks, 257 to the first. */
	out = rewrite(two_cells, 512 * MIB, 1538 * MIB, true, DOMDEF_HOTADD,
	    &d, err, sizeof(err));
	CHECK(out && d.ncells == 2 && d.cells_memory == 512 * MIB &&
	    strstr(out, "memory=\"315392\"") && strstr(out,
	    "memory=\"208896\""), "two cells scaled to startup (%s)", err);
	CHECK(out && d.nmem == 2 && d.mem[0].node == 0 &&
	    d.mem[0].size == 514 * MIB && d.mem[1].node == 1 &&
	    d.mem[1].size == 512 * MIB && d.slots == 2,
	    "a device per cell, blocks shared evenly, a slot each");
	free(out);
	domxml_free(&d);

	refused(two_cells, 512 * MIB, 514 * MIB, DOMDEF_HOTADD,
	    "(2 MiB) is less than one 2 MiB block for each of its 2", "one block, 2 cells");

	/* A balloon VM with cells: libvirt takes <memory> from them. */
	out = rewrite(two_cells, 256 * MIB, 2000 * MIB, true, DOMDEF_KEEP, &d,
	    err, sizeof(err));
	CHECK(out && d.cells_memory == 2000 * MIB && d.memory == 2000 * MIB &&
	    d.nmem == 0, "balloon VM with cells: cells add up to maximum");
	free(out);
	domxml_free(&d);
}

static void
test_plugging(void)
{
	struct domxml d;
	char err[512], *out;

	out = rewrite(plugging, 256 * MIB, 768 * MIB, true, DOMDEF_KEEP, &d,
	    err, sizeof(err));
	CHECK(out && d.nmem == 1 && d.mem[0].size == 512 * MIB &&
	    d.mem[0].requested == 512 * MIB, "shrunk device: requested "
	    "clamped to its size (%s)", err);
	CHECK(out && d.max_memory == 8 * GIB && d.slots == 4,
	    "a larger <maxMemory> and its slots are kept");
	free(out);
	domxml_free(&d);

	out = rewrite(plugging, 256 * MIB, 16 * GIB, true, DOMDEF_KEEP, &d,
	    err, sizeof(err));
	CHECK(out && d.max_memory == 16 * GIB && d.mem[0].size ==
	    16 * GIB - 256 * MIB && d.mem[0].requested == GIB,
	    "<maxMemory> grows with maximum; requested kept when it fits");
	free(out);
	domxml_free(&d);

	/* Settings only: the layout is not touched. */
	out = rewrite(plugging, 512 * MIB, 4 * GIB, false, DOMDEF_KEEP, &d,
	    err, sizeof(err));
	CHECK(out && d.mem[0].size == 2 * GIB && d.cells_memory == 256 * MIB,
	    "hot-add VM, settings only: layout kept");
	free(out);
	domxml_free(&d);

	refused(plugging, 256 * MIB, 256 * MIB, DOMDEF_KEEP,
	    "maximum equals startup", "hot-add VM with maximum = startup");
}

static void
test_refusals(void)
{
	struct domxml d;
	char err[512], *out;
	char buf[4096];

	refused(dimm, 256 * MIB, 2 * GIB, DOMDEF_HOTADD,
	    "cannot hot-add: it uses dimm memory devices", "DIMM");
	snprintf(buf, sizeof(buf), "%.*s<memoryBacking><locked/>"
	    "</memoryBacking>%s", (int)(strstr(plain, "<vcpu") - plain), plain,
	    strstr(plain, "<vcpu"));
	refused(buf, 256 * MIB, 2 * GIB, DOMDEF_HOTADD,
	    "cannot hot-add: its memory is locked", "locked memory");
	snprintf(buf, sizeof(buf), "%.*s<launchSecurity type='sev'>"
	    "<policy>0x0003</policy></launchSecurity></domain>",
	    (int)(strstr(plain, "</domain>") - plain), plain);
	refused(buf, 256 * MIB, 2 * GIB, DOMDEF_HOTADD,
	    "cannot hot-add: its memory is encrypted", "launchSecurity");
	refused(plain, GIB, GIB, DOMDEF_HOTADD,
	    "cannot hot-add: maximum equals startup (1.0G)", "max = startup");
	refused(plain, 256 * MIB, GIB + 3 * MIB, DOMDEF_HOTADD,
	    "(771 MiB) is not a whole number of 2 MiB blocks", "odd plug size");
	refused(plain, 256 * MIB + 4 * KIB, GIB + 4 * KIB, DOMDEF_HOTADD,
	    "startup (262148 KiB) is not a whole number of 1 MiB", "startup not whole MiB");
	refused("<domain", GIB, GIB, DOMDEF_KEEP, "cannot parse", "not XML");
	refused("<network/>", GIB, GIB, DOMDEF_KEEP, "cannot parse",
	    "not a domain");

	/* 1 GiB hugepages: 1 GiB blocks, a boot memory of whole pages. */
	snprintf(buf, sizeof(buf), "%.*s<memoryBacking><hugepages><page "
	    "size='1' unit='GiB'/></hugepages></memoryBacking>%s",
	    (int)(strstr(plain, "<vcpu") - plain), plain,
	    strstr(plain, "<vcpu"));
	refused(buf, GIB, 2560 * MIB, DOMDEF_HOTADD,
	    "is not a whole number of 1 GiB blocks", "hugepage blocks");
	refused(buf, 512 * MIB, 1536 * MIB, DOMDEF_HOTADD,
	    "startup (512 MiB) is not a whole number of 1 GiB hugepages", "hugepage startup");
	out = rewrite(buf, GIB, 3 * GIB, true, DOMDEF_HOTADD, &d, err,
	    sizeof(err));
	CHECK(out && d.nmem == 1 && d.mem[0].block == GIB &&
	    d.mem[0].size == 2 * GIB, "hugepages: the block is the page (%s)",
	    err);
	free(out);
	domxml_free(&d);

	/* Nothing keeps a DIMM VM from its balloon: its cells are maximum
	 * without the DIMM. */
	out = rewrite(dimm, 256 * MIB, 2 * GIB, true, DOMDEF_KEEP, &d, err,
	    sizeof(err));
	CHECK(out && d.cells_memory == 2 * GIB - 128 * MIB &&
	    d.max_memory == 4 * GIB && d.nmem == 0, "balloon VM with a DIMM: "
	    "cells = maximum - DIMM, <maxMemory> kept (%s)", err);
	free(out);
	domxml_free(&d);
	refused(dimm, 64 * MIB, 128 * MIB, DOMDEF_KEEP,
	    "leave nothing of maximum", "DIMM as large as maximum");
}

static void
test_metadata(void)
{
	struct domxml d;
	char err[512], *out, *again;

	out = rewrite(plain, 256 * MIB, GIB, false, DOMDEF_KEEP, &d, err,
	    sizeof(err));
	domxml_free(&d);
	again = out ? rewrite(out, 300 * MIB, GIB, false, DOMDEF_KEEP, &d,
	    err, sizeof(err)) : NULL;
	CHECK(again && count(again, "<dm:dynamic-memory") == 1 &&
	    d.conf.startup == 300 * MIB, "settings element replaced, not "
	    "added");
	free(out);
	free(again);
	domxml_free(&d);
}

int
main(void)
{
	CHECK(domdef_block(&(struct domxml){ .hugepage = 0 }) == 2 * MIB &&
	    domdef_block(&(struct domxml){ .hugepage = 2 * MIB }) == 2 * MIB &&
	    domdef_block(&(struct domxml){ .hugepage = GIB }) == GIB,
	    "block: 2 MiB, or the larger hugepage");
	test_plain();
	test_cells();
	test_plugging();
	test_refusals();
	test_metadata();
	return unit_done();
}
