/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_vmconf.c - the settings element: strict parsing, checks, format. */
#include <stdlib.h>

#include "size.h"
#include "unit.h"
#include "vmconf.h"

#define NS "xmlns=\"urn:dmctl:dynamic-memory:1\""

static const char good[] =
    "<dynamic-memory " NS " enabled=\"yes\">\n"
    "  <startup unit=\"KiB\">524288</startup>\n"
    "  <minimum unit=\"MiB\">256</minimum>\n"
    "  <maximum unit=\"GiB\">4</maximum>\n"
    "  <buffer>25</buffer>\n"
    "  <weight>80</weight>\n"
    "</dynamic-memory>\n";

/* Each bad element must be refused with a message naming the field. */
static void
refused(const char *xml, const char *want)
{
	struct vmconf c;
	char err[512] = "";

	CHECK(vmconf_parse(xml, &c, err, sizeof(err)) < 0 &&
	    strstr(err, want), "refused, naming \"%s\": %s", want, err);
}

/* c as the good element gives it. */
static void
parse_good(struct vmconf *c)
{
	char err[512];

	vmconf_parse(good, c, err, sizeof(err));
}

/* The good element, the unqualified and the prefixed forms. */
static void
check_parse(void)
{
	struct vmconf c, d;
	char err[512];

	CHECK(vmconf_parse(good, &c, err, sizeof(err)) == 0, "good parses");
	CHECK(vmconf_parse("<dynamic-memory enabled=\"no\"><weight>7</weight>"
	    "</dynamic-memory>", &d, err, sizeof(err)) == 0 && d.weight == 7,
	    "the unqualified form virDomainGetMetadata returns parses");
	CHECK(c.enabled, "enabled");
	CHECK(c.startup == 512 * MIB, "startup in KiB");
	CHECK(c.minimum == 256 * MIB, "minimum in MiB");
	CHECK(c.maximum == 4 * GIB, "maximum in GiB");
	CHECK(c.buffer == 25 && c.weight == 80, "buffer and weight");

	/* The prefixed form, as it stands in a domain XML, parses too. */
	CHECK(vmconf_parse("<dm:dynamic-memory xmlns:dm=\"urn:dmctl:dynamic-"
	    "memory:1\" enabled=\"no\"><dm:buffer>5</dm:buffer>"
	    "</dm:dynamic-memory>", &c, err, sizeof(err)) == 0 && !c.enabled &&
	    c.buffer == 5 && c.startup == 0 && c.weight == -1,
	    "prefixed, partial element parses; missing fields unset");

	/* Missing values come from the domain. */
	vmconf_fill(&c, 256 * MIB, GIB);
	CHECK(c.startup == 256 * MIB && c.maximum == GIB &&
	    c.minimum == 256 * MIB && c.buffer == 5 && c.weight == 50,
	    "fill: startup = current, maximum = memory, minimum = startup");
}

/* The root element: its attributes, namespace and name. */
static void
check_refused_root(void)
{
	refused("<dynamic-memory " NS "/>", "field 'enabled'");
	refused("<dynamic-memory " NS " enabled=\"maybe\"/>", "field 'enabled'");
	refused("<dynamic-memory " NS " enabled=\"yes\" colour=\"red\"/>",
	    "unknown attribute 'colour'");
	refused("<dynamic-memory xmlns=\"urn:other\" enabled=\"yes\"/>",
	    "namespace");
	refused("<dm:dynamic-memory xmlns:dm=\"" VMCONF_NS "\" enabled=\"yes\">"
	    "<buffer>20</buffer></dm:dynamic-memory>", "unknown element");
	refused("<other " NS " enabled=\"yes\"/>", "expected <dynamic-memory>");
}

static void
check_against_memory(void)
{
	/* Settings against the domain's <memory>. */
	{
		struct vmconf k;
		char *why;

		vmconf_init(&k);
		k.enabled = true;
		k.startup = k.minimum = 2 * GIB;
		k.maximum = 4 * GIB;
		why = vmconf_against(&k, GIB);
		CHECK(why && strstr(why, "field 'startup': 2.0G is more than "
		    "the VM's <memory> 1.0G"), "a startup above <memory>: %s",
		    why ? why : "(none)");
		free(why);
		k.startup = GIB;
		why = vmconf_against(&k, GIB);
		CHECK(why && strstr(why, "field 'minimum'"), "a minimum above "
		    "<memory>: %s", why ? why : "(none)");
		free(why);
		k.minimum = GIB;
		why = vmconf_against(&k, GIB);
		CHECK(!why, "startup and minimum within it, maximum above: "
		    "agrees (the maximum is capped)");
		free(why);
		k.minimum = 2 * GIB;
		k.enabled = false;
		why = vmconf_against(&k, GIB);
		CHECK(!why, "disabled settings are inert");
		free(why);
	}
}

static void
check_no_expansion(void)
{
	/* Entities cannot expand: no DOCTYPE, and no huge element. (A DTD
	 * of one 50 KB entity referenced 50,000 times once took 60 s and
	 * 4.9 GB.) */
	refused("<!DOCTYPE dynamic-memory [<!ENTITY a \"aaaaaaaa\">]>"
	    "<dynamic-memory " NS " enabled=\"yes\"><buffer>&a;&a;</buffer>"
	    "</dynamic-memory>", "a DOCTYPE is not allowed");
	{
		size_t big = VMCONF_XML_MAX + 100, k;
		char *x = malloc(big + 1), e[256];
		struct vmconf h;

		k = (size_t)snprintf(x, big, "<dynamic-memory " NS
		    " enabled=\"yes\"><buffer>20</buffer>");
		memset(x + k, ' ', big - k - 20);
		strcpy(x + big - 20, "</dynamic-memory>");
		CHECK(vmconf_parse(x, &h, e, sizeof(e)) < 0 &&
		    strstr(e, "larger than 65536 bytes"), "an element over "
		    "64 KiB is refused unparsed: %s", e);
		free(x);
	}
}

/* Values that once got through, and the largest size that does. */
static void
check_size_limits(void)
{
	/* Found by tests/fuzz: a message quoting the text once carried its
	 * newline (and any escape sequence) to the terminal. */
	refused("<dynamic-memory " NS " enabled=\"yes\"><weight>5\n\t0"
	    "</weight></dynamic-memory>", "'5??0' is not a whole number");
	/* It once parsed, and was written back as 0 KiB. */
	refused("<dynamic-memory " NS " enabled=\"yes\"><maximum unit=\"bytE\">"
	    "18446744073709551615</maximum></dynamic-memory>",
	    "field 'maximum': '18446744073709551615' is more than 8 PiB");
	refused("<dynamic-memory " NS " enabled=\"yes\"><startup unit=\"TiB\">"
	    "8193</startup></dynamic-memory>", "field 'startup'");
	{
		struct vmconf big;
		char e[256], *x;

		vmconf_init(&big);
		big.enabled = true;
		big.maximum = VMCONF_SIZE_MAX - 1;
		x = vmconf_format(&big, false);
		CHECK(strstr(x, "<maximum unit=\"KiB\">8796093022208</maximum>") &&
		    vmconf_parse(x, &big, e, sizeof(e)) == 0 &&
		    big.maximum == VMCONF_SIZE_MAX, "the largest size rounds up "
		    "to KiB and reads back: %s", x);
		free(x);
	}
}

/* Each field's own checks, and the document's. */
static void
check_refused_fields(void)
{
	refused("<dynamic-memory " NS " enabled=\"yes\"><buffer>abc</buffer>"
	    "</dynamic-memory>", "field 'buffer'");
	refused("<dynamic-memory " NS " enabled=\"yes\"><buffer>4</buffer>"
	    "</dynamic-memory>", "field 'buffer'");
	refused("<dynamic-memory " NS " enabled=\"yes\"><buffer>2001</buffer>"
	    "</dynamic-memory>", "field 'buffer'");
	refused("<dynamic-memory " NS " enabled=\"yes\"><weight>101</weight>"
	    "</dynamic-memory>", "field 'weight'");
	refused("<dynamic-memory " NS " enabled=\"yes\"><weight>-1</weight>"
	    "</dynamic-memory>", "field 'weight'");
	refused("<dynamic-memory " NS " enabled=\"yes\"><weight>5</weight>"
	    "<weight>6</weight></dynamic-memory>", "more than once");
	refused("<dynamic-memory " NS " enabled=\"yes\"><startup>-5</startup>"
	    "</dynamic-memory>", "field 'startup'");
	refused("<dynamic-memory " NS " enabled=\"yes\"><startup>0</startup>"
	    "</dynamic-memory>", "field 'startup'");
	refused("<dynamic-memory " NS " enabled=\"yes\"><startup>512M"
	    "</startup></dynamic-memory>", "field 'startup'");
	refused("<dynamic-memory " NS " enabled=\"yes\"><maximum unit=\"XB\">"
	    "4</maximum></dynamic-memory>", "field 'maximum': unknown unit");
	refused("<dynamic-memory " NS " enabled=\"yes\"><maximum unit=\"EiB\">"
	    "99</maximum></dynamic-memory>", "field 'maximum'");
	refused("<dynamic-memory " NS " enabled=\"yes\"><minimum>"
	    "99999999999999999999999</minimum></dynamic-memory>",
	    "field 'minimum'");
	refused("<dynamic-memory " NS " enabled=\"yes\"><colour>red</colour>"
	    "</dynamic-memory>", "unknown element <colour>");
	refused("<dynamic-memory " NS " enabled=\"yes\">junk</dynamic-memory>",
	    "unexpected text");
	refused("<dynamic-memory " NS " enabled=\"yes\"><buffer><b>1</b>"
	    "</buffer></dynamic-memory>", "field 'buffer'");
	refused("<dynamic-memory " NS " enabled=\"yes\"><startup>65536"
	    "</startup><minimum>131072</minimum></dynamic-memory>",
	    "field 'minimum'");
	refused("<dynamic-memory " NS " enabled=\"yes\"><startup>262144"
	    "</startup><maximum>131072</maximum></dynamic-memory>",
	    "field 'startup'");
	refused("<dynamic-memory " NS " enabled=\"yes\"", "not well-formed");
	refused("", "not well-formed");
	refused("<dynamic-memory " NS " enabled=\"yes\"><minimum>1024"
	    "</minimum></dynamic-memory>", "field 'minimum': 1M is below "
	    "the 32M floor");
}

static void
check_format_forms(void)
{
	struct vmconf c, d;
	char err[512];
	char *xml;

	/* Format and parse back: nothing lost. */
	parse_good(&c);
	xml = vmconf_format(&c, true);
	CHECK(vmconf_parse(xml, &d, err, sizeof(err)) == 0 &&
	    memcmp(&c, &d, sizeof(c)) == 0, "format(ns) parses back the same");
	CHECK(strstr(xml, "<dm:startup unit=\"KiB\">524288</dm:startup>") &&
	    strstr(xml, "xmlns:dm=\"urn:dmctl:dynamic-memory:1\""),
	    "prefixed form with KiB sizes");
	free(xml);
	xml = vmconf_format(&c, false);
	CHECK(strstr(xml, "<dynamic-memory enabled=\"yes\">") &&
	    strstr(xml, "<buffer>25</buffer>") && !strstr(xml, "dm:"),
	    "bare form for virDomainSetMetadata");
	free(xml);
}

static void
check_change(void)
{
	struct vmconf c, d;
	struct vmconf_change ch;
	char err[512];

	parse_good(&c);
	/* A change touches only what it names. */
	vmconf_change_init(&ch);
	ch.v.weight = 10;
	d = c;
	vmconf_apply(&d, &ch);
	CHECK(d.weight == 10 && d.buffer == 25 && d.startup == c.startup &&
	    d.enabled, "apply changes only the named field");
	ch.enable = 0;
	vmconf_apply(&d, &ch);
	CHECK(!d.enabled, "apply disables");

	/* Startup and maximum are boot settings; the rest are not. */
	vmconf_change_init(&ch);
	CHECK(!vmconf_change_boot(&ch), "an empty change names no boot "
	    "setting");
	ch.enable = 1;
	ch.v.minimum = GIB;
	ch.v.buffer = 30;
	ch.v.weight = 0;
	CHECK(!vmconf_change_boot(&ch), "enable, minimum, buffer and weight "
	    "are not boot settings");
	ch.v.maximum = 4 * GIB;
	CHECK(vmconf_change_boot(&ch), "maximum is a boot setting");
	ch.v.maximum = 0;
	ch.v.startup = GIB;
	CHECK(vmconf_change_boot(&ch), "startup is a boot setting");
	/* A size given above the host is blamed on the field given. */
	ch.v.startup = 3 * GIB;
	CHECK(vmconf_change_check(&ch, 2 * GIB, err, sizeof(err)) < 0 &&
	    strcmp(err, "field 'startup': 3.0G is above the host's memory "
	    "2.0G") == 0, "a startup above the host: %s", err);
	CHECK(vmconf_change_check(&ch, 4 * GIB, err, sizeof(err)) == 0 &&
	    vmconf_change_check(&ch, 0, err, sizeof(err)) == 0,
	    "within the host, or no host limit: fine");
}

static void
check_equal_and_check(void)
{
	struct vmconf c, d;
	char err[512];
	char *xml;

	parse_good(&c);
	/* Equal means every field equal. */
	d = c;
	CHECK(vmconf_equal(&c, &d), "a copy is equal");
	d.weight = 0;
	CHECK(!vmconf_equal(&c, &d), "another weight is not equal");
	d = c;
	d.minimum += KIB;
	CHECK(!vmconf_equal(&c, &d), "another minimum is not equal");
	d = c;
	d.enabled = !c.enabled;
	CHECK(!vmconf_equal(&c, &d), "another enabled is not equal");

	/* Every field, in the order dmctl-metadata(5) lists them. */
	xml = vmconf_format(&c, false);
	CHECK(strcmp(xml, "<dynamic-memory enabled=\"yes\">\n"
	    "  <startup unit=\"KiB\">524288</startup>\n"
	    "  <minimum unit=\"KiB\">262144</minimum>\n"
	    "  <maximum unit=\"KiB\">4194304</maximum>\n"
	    "  <buffer>25</buffer>\n"
	    "  <weight>80</weight>\n"
	    "</dynamic-memory>\n") == 0, "format: every field, in order");
	free(xml);
	/* A range check of a number set by hand, as vmconf_parse and
	 * dmctl set's options never pass one. */
	d = c;
	d.buffer = 4;
	CHECK(vmconf_check(&d, 0, err, sizeof(err)) < 0 && strcmp(err,
	    "field 'buffer': 4 is out of range (5 to 2000)") == 0,
	    "check: buffer out of range: %s", err);

	/* The host limit. */
	CHECK(vmconf_check(&c, 2 * GIB, err, sizeof(err)) < 0 &&
	    strstr(err, "field 'maximum'") && strstr(err, "host"),
	    "maximum above host memory is refused: %s", err);
	CHECK(vmconf_check(&c, 8 * GIB, err, sizeof(err)) == 0,
	    "maximum within host memory is fine");
}

int
main(void)
{
	check_parse();
	check_refused_root();
	check_against_memory();
	check_no_expansion();
	check_size_limits();
	check_refused_fields();
	check_format_forms();
	check_change();
	check_equal_and_check();
	return unit_done();
}
