/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_domxml.c - reading a domain's memory layout and metadata, and
 * splitting plug memory over virtio-mem devices. */
#include <stdlib.h>

#include "domxml.h"
#include "size.h"
#include "unit.h"

/* A live hot-add domain as libvirt 9.0 prints it (trimmed). */
static const char hotadd[] =
    "<domain type='qemu' id='1'>\n"
    "  <name>ha</name>\n"
    "  <metadata>\n"
    "    <dm:dynamic-memory xmlns:dm=\"urn:dmctl:dynamic-memory:1\" "
    "enabled=\"yes\">\n"
    "      <dm:startup unit=\"KiB\">262144</dm:startup>\n"
    "      <dm:minimum unit=\"KiB\">204800</dm:minimum>\n"
    "      <dm:maximum unit=\"KiB\">2359296</dm:maximum>\n"
    "      <dm:buffer>20</dm:buffer>\n"
    "      <dm:weight>50</dm:weight>\n"
    "    </dm:dynamic-memory>\n"
    "    <dmstate:state xmlns:dmstate=\"urn:dmctl:balancer-state:1\" "
    "seen=\"100\" last-change=\"120\" gap=\"38380\"/>\n"
    "  </metadata>\n"
    "  <maxMemory slots='1' unit='KiB'>2359296</maxMemory>\n"
    "  <memory unit='KiB'>2359296</memory>\n"
    "  <currentMemory unit='KiB'>786432</currentMemory>\n"
    "  <vcpu placement='static'>1</vcpu>\n"
    "  <cpu><numa><cell id='0' cpus='0' memory='262144' unit='KiB'/>"
    "</numa></cpu>\n"
    "  <devices>\n"
    "    <memballoon model='virtio'><stats period='1'/></memballoon>\n"
    "    <memory model='virtio-mem'>\n"
    "      <target>\n"
    "        <size unit='KiB'>2097152</size>\n"
    "        <node>0</node>\n"
    "        <block unit='KiB'>2048</block>\n"
    "        <requested unit='KiB'>524288</requested>\n"
    "        <current unit='KiB'>393216</current>\n"
    "      </target>\n"
    "      <alias name='virtiomem0'/>\n"
    "    </memory>\n"
    "  </devices>\n"
    "</domain>\n";

static void
test_hotadd(void)
{
	struct domxml d;
	char err[256];

	CHECK(domxml_parse(hotadd, &d, err, sizeof(err)) == 0, "hot-add "
	    "domain parses");
	CHECK(d.memory == 2304 * MIB && d.current_memory == 768 * MIB,
	    "<memory> and <currentMemory>");
	CHECK(d.max_memory == 2304 * MIB && d.slots == 1 && d.vcpus == 1,
	    "<maxMemory slots> and <vcpu>");
	CHECK(d.ncells == 1 && d.cells_memory == 256 * MIB, "one NUMA cell");
	CHECK(d.nmem == 1 && d.mem[0].size == 2 * GIB &&
	    d.mem[0].block == 2 * MIB && d.mem[0].requested == 512 * MIB &&
	    d.mem[0].current == 384 * MIB && d.mem[0].node == 0,
	    "the virtio-mem device's figures");
	CHECK_STR(d.mem[0].alias, "virtiomem0", "its alias");
	CHECK(domxml_boot_memory(&d) == 256 * MIB, "boot memory = the cells");
	CHECK(domxml_plug_size(&d) == 2 * GIB && domxml_plugged(&d) ==
	    384 * MIB && domxml_requested(&d) == 512 * MIB, "sums");
	CHECK(d.conf_found == 1 && d.conf.enabled &&
	    d.conf.minimum == 200 * MIB && d.conf.maximum == 2304 * MIB,
	    "our settings inside the full XML");
	CHECK(d.has_state && d.state.seen == 100 && d.state.last_change == 120
	    && d.state.gap == 38380 && d.state.surplus_since == -1,
	    "the balancer state inside the full XML");
	CHECK(!d.locked && !d.encrypted && !d.other_model && !d.hugepage,
	    "nothing that keeps virtio-mem out");
	domxml_free(&d);
}

static void
test_other(void)
{
	struct domxml d;
	char err[256];

	CHECK(domxml_parse("<domain><memory unit='MiB'>1024</memory>"
	    "<currentMemory unit='MiB'>256</currentMemory></domain>", &d, err,
	    sizeof(err)) == 0 && d.nmem == 0 && d.conf_found == 0 &&
	    !d.has_state, "a balloon domain without settings");
	CHECK(domxml_boot_memory(&d) == GIB, "its boot memory is <memory>");
	domxml_free(&d);

	CHECK(domxml_parse("<domain><memory unit='MiB'>1536</memory>"
	    "<memoryBacking><hugepages><page size='1' unit='G'/></hugepages>"
	    "<locked/></memoryBacking><launchSecurity type='sev'/>"
	    "<devices><memory model='dimm'><target><size unit='MiB'>512"
	    "</size><node>0</node></target></memory></devices></domain>", &d,
	    err, sizeof(err)) == 0, "a domain with DIMMs, locked memory, SEV");
	CHECK(d.locked && d.encrypted && d.hugepage == GIB, "locked, "
	    "encrypted, 1 GiB pages");
	CHECK_STR(d.other_model, "dimm", "the DIMM is named");
	CHECK(d.nmem == 0 && domxml_boot_memory(&d) == GIB, "the DIMM is not "
	    "boot memory");
	domxml_free(&d);

	CHECK(domxml_parse("<domain><metadata><dm:dynamic-memory xmlns:dm="
	    "\"urn:dmctl:dynamic-memory:1\" enabled=\"yes\"><dm:weight>500"
	    "</dm:weight></dm:dynamic-memory></metadata></domain>", &d, err,
	    sizeof(err)) == 0 && d.conf_found == -1 &&
	    strstr(d.conf_error, "weight"), "bad settings are kept as bad, "
	    "naming the field: %s", d.conf_error);
	domxml_free(&d);

	CHECK(domxml_parse("<network/>", &d, err, sizeof(err)) < 0,
	    "not a domain: refused");
	CHECK(domxml_parse("<domain>", &d, err, sizeof(err)) < 0,
	    "not well-formed: refused");
	CHECK(domxml_parse("<!DOCTYPE domain [<!ENTITY a \"x\">]><domain>"
	    "<name>&a;</name></domain>", &d, err, sizeof(err)) < 0 &&
	    strstr(err, "cannot parse the domain XML"),
	    "a DOCTYPE: refused (its entities could expand without bound)");
}

static void
test_split(void)
{
	struct memdev two[2] = {
		{ .size = GIB, .block = 2 * MIB },
		{ .size = 256 * MIB, .block = 2 * MIB },
	};
	uint64_t req[2], prev[2] = { 0, 0 }, t;
	bool monotonic = true, within = true;

	CHECK(domxml_plug_split(two, 2, 0, req) == 0 && !req[0] && !req[1],
	    "nothing to plug");
	CHECK(domxml_plug_split(two, 2, 200 * MIB, req) == 200 * MIB &&
	    req[0] == 100 * MIB && req[1] == 100 * MIB, "evenly over two");
	CHECK(domxml_plug_split(two, 2, 3 * MIB, req) == 2 * MIB &&
	    req[0] + req[1] == 2 * MIB, "whole blocks only, never more");
	CHECK(domxml_plug_split(two, 2, 800 * MIB, req) == 800 * MIB &&
	    req[1] == 256 * MIB && req[0] == 544 * MIB, "a full device "
	    "overflows into the other");
	CHECK(domxml_plug_split(two, 2, 4 * GIB, req) == GIB + 256 * MIB,
	    "no more than the devices hold");
	for (t = 0; t <= 1400 * MIB; t += 3 * MIB) {
		uint64_t got = domxml_plug_split(two, 2, t, req);

		if (req[0] < prev[0] || req[1] < prev[1])
			monotonic = false;
		if (got > t || req[0] > two[0].size || req[1] > two[1].size ||
		    req[0] % (2 * MIB) || req[1] % (2 * MIB))
			within = false;
		prev[0] = req[0];
		prev[1] = req[1];
	}
	CHECK(monotonic, "a device's share never falls as the total grows");
	CHECK(within, "within the total, the sizes and whole blocks");
}

/* The balancer state written by bstate_format reads back the same. */
static void
test_state(void)
{
	struct bstate st, *back;
	struct domxml d;
	char err[256], *el, *xml;
	int64_t *f = &st.seen;
	size_t i, n = sizeof(st) / sizeof(int64_t);

	bstate_init(&st);
	for (i = 0; i < n; i++)
		f[i] = (int64_t)(1000 + i);
	st.surplus_since = -1;
	el = bstate_format(&st);
	CHECK(!strstr(el, "surplus-since"), "an unknown field is left out");
	/* As libvirt stores it: with its prefix and namespace. */
	xml = malloc(strlen(el) + 200);
	/* "<state ATTRS/>" becomes "<dmstate:state xmlns:dmstate=... ATTRS/>" */
	sprintf(xml, "<domain><metadata><dmstate:state xmlns:dmstate="
	    "\"urn:dmctl:balancer-state:1\"%s</metadata></domain>",
	    el + strlen("<state"));
	CHECK(domxml_parse(xml, &d, err, sizeof(err)) == 0 && d.has_state,
	    "state element parses: %s", xml);
	back = &d.state;
	CHECK(bstate_equal(back, &st), "every field reads back");
	free(el);
	free(xml);
	domxml_free(&d);
}

int
main(void)
{
	test_state();
	test_hotadd();
	test_other();
	test_split();
	return unit_done();
}
