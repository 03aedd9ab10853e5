/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_cli.c - cli_parse: each option type, ranges, exclusive groups,
 * operand counts, -h, unknown and ambiguous options, the wording, and
 * cli_complete's answers. */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "size.h"
#include "unit.h"
#include "util.h"

struct t_opts {
	bool flag;
	int choice;
	unsigned bits;
	uint64_t size;
	long number, big;
	double delay, rate;
	const char *name, *file;
	int color;
};

#define OFF(f) offsetof(struct t_opts, f)

static const char *
parse_color(const char *arg, void *dst)
{
	if (strcmp(arg, "red") == 0)
		*(int *)dst = 1;
	else if (strcmp(arg, "blue") == 0)
		*(int *)dst = 2;
	else
		return "is not a color";
	return NULL;
}

static const struct cli_opt opts[] = {
	{ .lng = "flag", .shrt = 'f', .type = CLI_FLAG, .off = OFF(flag),
	    .help = "a flag" },
	{ .lng = "on", .type = CLI_SET, .off = OFF(choice), .value = 1,
	    .excl = CLI_GROUP(0), .help = "on" },
	{ .lng = "off", .type = CLI_SET, .off = OFF(choice), .value = 0,
	    .excl = CLI_GROUP(0), .help = "off" },
	{ .lng = "live", .type = CLI_BITS, .off = OFF(bits), .value = 1,
	    .excl = CLI_GROUP(1), .help = "live" },
	{ .lng = "config", .type = CLI_BITS, .off = OFF(bits), .value = 2,
	    .excl = CLI_GROUP(2), .help = "config" },
	{ .lng = "current", .type = CLI_BITS, .off = OFF(bits), .value = 4,
	    .excl = CLI_GROUP(1) | CLI_GROUP(2), .help = "current" },
	{ .lng = "size", .type = CLI_SIZE, .off = OFF(size),
	    .lo = 32 << 20, .help = "a size" },
	{ .lng = "number", .type = CLI_NUMBER, .arg = "PCT",
	    .off = OFF(number), .lo = 5, .hi = 2000, .help = "a number" },
	{ .lng = "big", .shrt = 'n', .type = CLI_NUMBER, .off = OFF(big),
	    .lo = 1, .hi = LONG_MAX, .help = "at least one" },
	{ .lng = "delay", .shrt = 'd', .type = CLI_DURATION, .off = OFF(delay),
	    .min = 0.1, .max = 86400, .help = "a delay" },
	{ .lng = "rate", .type = CLI_REAL, .off = OFF(rate), .min = 1,
	    .max = 1e6, .help = "a rate" },
	{ .lng = "name", .type = CLI_STRING, .off = OFF(name), .help = "a name" },
	{ .lng = "file", .type = CLI_PATH, .off = OFF(file), .help = "a file" },
	{ .lng = "color", .shrt = 's', .type = CLI_STRING, .arg = "COLOR",
	    .off = OFF(color), .parse = parse_color, .complete = "column",
	    .help = "a color" },
};

static const struct cli_cmd cmd = {
	.name = "test", .args = "VM...", .summary = "A test command.",
	.opts = opts, .nopts = DM_ARRAY_LEN(opts), .common = CLI_COMMON,
	.min_operands = 1, .max_operands = 2, .missing = "no VM named",
};

static struct t_opts o;
static struct cli_args a;
static char out[4096], err[4096];

/* Read what fd (a temporary file standing in for stdout or stderr) got. */
static void
slurp(FILE *f, char *buf, size_t len)
{
	size_t n;

	fflush(f);
	rewind(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
}

/* What stdout and stderr get from here to end_capture goes to out and
 * err. */
static FILE *fo, *fe;
static int saved_out, saved_err;

static void
begin_capture(void)
{
	fo = tmpfile();
	fe = tmpfile();
	fflush(stdout);
	saved_out = dup(1);
	saved_err = dup(2);
	dup2(fileno(fo), 1);
	dup2(fileno(fe), 2);
}

static void
end_capture(void)
{
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, 1);
	dup2(saved_err, 2);
	close(saved_out);
	close(saved_err);
	slurp(fo, out, sizeof(out));
	slurp(fe, err, sizeof(err));
	fclose(fo);
	fclose(fe);
}

/* cli_parse of "test WORD...", its stdout and stderr in out and err. */
static int
parse(const char *first, ...)
{
	char *argv[32];
	int argc = 0, rc;
	const char *w;
	va_list ap;

	argv[argc++] = (char *)"test";
	va_start(ap, first);
	for (w = first; w && argc < 31; w = va_arg(ap, const char *))
		argv[argc++] = (char *)w;
	va_end(ap);
	argv[argc] = NULL;
	memset(&o, 0, sizeof(o));
	o.choice = -1;
	memset(&a, 0, sizeof(a));
	begin_capture();
	rc = cli_parse(&cmd, argc, argv, &o, &a);
	end_capture();
	return rc;
}

/* cli_complete's answer to REQUEST [WORD], in out. */
static int
complete(const char *request, const char *word)
{
	char *argv[] = { (char *)word, NULL };
	int rc;

	begin_capture();
	rc = cli_complete(&cmd, request, word ? 1 : 0, argv);
	end_capture();
	return rc;
}

/* The first line of the error, without "dmctl: test: ". */
static const char *
error_line(void)
{
	static char line[512];
	const char *p = strstr(err, "dmctl: test: ");

	if (!p)
		return err;
	snprintf(line, sizeof(line), "%.*s", (int)strcspn(p + 13, "\n"),
	    p + 13);
	return line;
}

/* A usage error with exactly this message. */
#define REFUSED(msg, ...)                                                   \
	do {                                                                \
		int rc_ = parse(__VA_ARGS__, (const char *)NULL);           \
		CHECK(rc_ == EXIT_USAGE, "exit 2 for: %s", msg);            \
		CHECK_STR(error_line(), msg, msg);                          \
	} while (0)

static void
types(void)
{
	CHECK(parse("--flag", "vm", NULL) == CLI_RUN && o.flag && a.argc == 1 &&
	    strcmp(a.argv[0], "vm") == 0 && a.seen == 1, "a flag, an operand");
	CHECK(parse("-f", "vm", NULL) == CLI_RUN && o.flag, "its short form");
	CHECK(parse("--on", "vm", NULL) == CLI_RUN && o.choice == 1 &&
	    parse("--off", "vm", NULL) == CLI_RUN && o.choice == 0,
	    "a choice sets its value");
	CHECK(parse("--live", "--config", "vm", NULL) == CLI_RUN && o.bits == 3,
	    "bits add up");
	CHECK(parse("--size", "1G", "vm", NULL) == CLI_RUN && o.size == GIB,
	    "a size");
	CHECK(parse("--size=64M", "vm", NULL) == CLI_RUN && o.size == 64 * MIB,
	    "--opt=value");
	CHECK(parse("--number", "5", "--number", "2000", "vm", NULL) ==
	    CLI_RUN && o.number == 2000, "a number, at its bounds; last wins");
	CHECK(parse("-d", "0.5", "vm", NULL) == CLI_RUN && o.delay == 0.5,
	    "a duration with a fraction");
	CHECK(parse("--rate", "2.5e3", "vm", NULL) == CLI_RUN &&
	    o.rate == 2500, "a real number");
	CHECK(parse("--name", "x", "--file", "/f", "vm", NULL) == CLI_RUN &&
	    strcmp(o.name, "x") == 0 && strcmp(o.file, "/f") == 0,
	    "a string and a path");
	CHECK(parse("-s", "blue", "vm", NULL) == CLI_RUN && o.color == 2,
	    "an option with its own parser");
	CHECK(parse("--num", "7", "vm", NULL) == CLI_RUN && o.number == 7,
	    "an abbreviation naming one option");
	CHECK(parse("-c", "test:///default", "-C", "/c", "vm", NULL) ==
	    CLI_RUN && strcmp(a.uri, "test:///default") == 0 &&
	    strcmp(a.conffile, "/c") == 0 && a.seen == 0,
	    "-c and -C land in cli_args");
	CHECK(parse("vm", "--flag", NULL) == CLI_RUN && o.flag &&
	    a.argc == 1, "options after the operands");
	CHECK(parse("--", "-vm", NULL) == CLI_RUN && a.argc == 1 &&
	    strcmp(a.argv[0], "-vm") == 0, "-- ends the options");
}

static void
ranges(void)
{
	REFUSED("--number: '4' is out of range (5 to 2000)", "--number", "4",
	    "vm");
	REFUSED("--number: 'abc' is not a whole number (5 to 2000)",
	    "--number", "abc", "vm");
	REFUSED("-n: '0' is out of range (at least 1)", "-n", "0", "vm");
	REFUSED("--big: 'x' is not a whole number (at least 1)", "--big", "x",
	    "vm");
	REFUSED("-d: '0' is out of range (0.1 to 86400)", "-d", "0", "vm");
	REFUSED("--delay: 'soon' is not a number of seconds (0.1 to 86400)",
	    "--delay", "soon", "vm");
	REFUSED("-d: 'inf' is not a number of seconds (0.1 to 86400)", "-d",
	    "inf", "vm");
	REFUSED("--rate: '0.5' is out of range (1 to 1e+06)", "--rate", "0.5",
	    "vm");
	REFUSED("--rate: 'fast' is not a number (1 to 1e+06)", "--rate",
	    "fast", "vm");
	REFUSED("--size: '1024' is below the 32 MiB floor (a number without a "
	    "unit is bytes)", "--size", "1024", "vm");
	REFUSED("--size: '0' must be greater than zero", "--size", "0", "vm");
	REFUSED("--size: '-1G' must not be negative", "--size", "-1G", "vm");
	REFUSED("-s: 'green' is not a color", "-s", "green", "vm");
	REFUSED("--color: 'green' is not a color", "--color", "green", "vm");
}

static void
conflicts(void)
{
	REFUSED("--on and --off conflict", "--on", "--off", "vm");
	REFUSED("--on and --off conflict", "--off", "--on", "vm");
	CHECK(parse("--on", "--on", "vm", NULL) == CLI_RUN,
	    "an option given twice is no conflict");
	REFUSED("--current conflicts with --live and --config", "--current",
	    "--live", "vm");
	REFUSED("--current conflicts with --live and --config", "--config",
	    "--current", "vm");
}

static void
operands(void)
{
	REFUSED("no VM named", "--flag");
	REFUSED("unexpected argument 'c'", "a", "b", "c");
	CHECK(parse("a", "b", NULL) == CLI_RUN && a.argc == 2, "up to two");
}

static void
usage_errors(void)
{
	REFUSED("unknown option '--bogus'", "--bogus", "vm");
	REFUSED("unknown option '-x'", "-x", "vm");
	REFUSED("option '--co' is ambiguous: --config, --color, "
	    "--config-file, --connect", "--co", "vm");
	REFUSED("option '--number' needs an argument", "vm", "--number");
	REFUSED("option '-d' needs an argument", "vm", "-d");
	CHECK(strstr(err, "Try 'dmctl test -h' for more information.\n") !=
	    NULL, "errors point to -h");
}

static void
help(void)
{
	CHECK(parse("-h", "--bogus", NULL) == 0 && !err[0],
	    "-h exits 0 before what follows");
	CHECK(strncmp(out, "usage: dmctl test [options] VM...\n\nA test "
	    "command.\n", 40) == 0, "-h starts with the usage line");
	CHECK(strstr(out, "\n      --number PCT ") != NULL,
	    "an argument's name");
	CHECK(strstr(out, "\n      --size SIZE ") != NULL &&
	    strstr(out, "\n  -d, --delay SECONDS ") != NULL,
	    "the type's name when none is given");
	CHECK(strstr(out, "\n  -C, --config-file FILE ") != NULL &&
	    strstr(out, "\n  -c, --connect URI ") != NULL &&
	    strstr(out, "\n  -h, --help ") != NULL &&
	    !strstr(out, "--version"), "the shared options .common picks");
	CHECK(parse("--help", NULL) == 0, "--help, without operands");
}

static void
completion(void)
{
	static const char *const want[][2] = {
		{ "--flag", "none" }, { "--size", "size" },
		{ "--number", "number" }, { "-d", "number" },
		{ "--rate", "number" },
		{ "--name", "value" }, { "--file", "file" }, { "-C", "file" },
		{ "-c", "uri" }, { "--color", "column" }, { "-h", "none" },
	};
	char line[64];
	size_t i;

	for (i = 0; i < DM_ARRAY_LEN(want); i++) {
		snprintf(line, sizeof(line), "%s\n", want[i][1]);
		CHECK(complete("argument", want[i][0]) == 0 &&
		    strcmp(out, line) == 0, "%s takes %s", want[i][0],
		    want[i][1]);
	}
	CHECK(complete("argument", "--version") == 1 &&
	    complete("argument", "--fla") == 1 && !out[0],
	    "only whole names of ours");
	CHECK(complete("options", NULL) == 0 && strncmp(out, "--flag\n-f\n"
	    "--on\n", 14) == 0 && strstr(out, "\n--connect\n-c\n--help\n"
	    "-h\n") && !strstr(out, "--version"),
	    "every option, the shared ones last");
	CHECK(complete("nonesuch", NULL) == CLI_RUN && !out[0] && !err[0],
	    "an unknown request is the caller's");
}

static void
real_parse(void)
{
	double d = -1;

	CHECK(cli_real_parse("0.1", 0.1, 86400, &d) == 0 && d == 0.1 &&
	    cli_real_parse("86400", 0.1, 86400, &d) == 0 && d == 86400,
	    "a number at its bounds");
	CHECK(cli_real_parse("0.05", 0.1, 86400, &d) == -2 &&
	    cli_real_parse("1e6", 0.1, 86400, &d) == -2 && d == 86400,
	    "out of range, out left alone");
	CHECK(cli_real_parse("", 0, 1, &d) == -1 &&
	    cli_real_parse("1s", 0, 1, &d) == -1 &&
	    cli_real_parse("nan", 0, 1, &d) == -1 &&
	    cli_real_parse("1e999", 0, 1, &d) == -1, "not a finite number");
}

int
main(void)
{
	dm_progname = "dmctl";
	types();
	ranges();
	conflicts();
	operands();
	usage_errors();
	help();
	completion();
	real_parse();
	return unit_done();
}
