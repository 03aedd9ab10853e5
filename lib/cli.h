/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cli.h - commands and their options, described once. The same tables
 * parse the command line (cli_parse), print "-h" and answer the shell
 * completions ("dmctl complete ...").
 *
 * How a command declares its options:
 *
 *	struct show_opts { bool json; };
 *
 *	static const struct cli_opt opts[] = {
 *		{ .lng = "json", .type = CLI_FLAG,
 *		    .off = offsetof(struct show_opts, json),
 *		    .help = "print JSON (sizes in bytes)" },
 *	};
 *
 *	const struct cli_cmd cmd_show = {
 *		.name = "show", .args = "[VM...]", .summary = "Show ...",
 *		CLI_OPTS(opts), .common = CLI_COMMON, .max_operands = CLI_MANY,
 *		.run = run, .operands = "vm",
 *	};
 *
 *	static int
 *	run(const struct cli_cmd *cmd, int argc, char **argv)
 *	{
 *		struct show_opts o = { .json = false };	(the defaults)
 *		struct cli_args a = { .uri = dmctl_uri };
 *		int rc;
 *
 *		if ((rc = cli_parse(cmd, argc, argv, &o, &a)) != CLI_RUN)
 *			return rc;
 *		... a.argv[0 .. a.argc - 1] are the operands ...
 *	}
 *
 * Each option says what it takes (.type), where the value goes (.off, an
 * offset into the command's own options struct, whose field must have
 * the type's C type below), its range and which options it excludes.
 * The shared options (-c, -C, -h, -V) are not in the command's table:
 * .common picks them, and their values land in struct cli_args. cli_parse
 * does -h and -V itself, checks the ranges, the exclusive groups and the
 * operand count, and reports every mistake with the same wording, naming
 * the option as it was typed ("-d: '0' is out of range (0.1 to 86400)").
 * What depends on several options ("--json needs -b") the command checks
 * after cli_parse; args->seen says which of its options were given.
 *
 * A program of its own (dmtop, bench/density) is a struct cli_cmd without
 * a name, run by its main: dm_progname names it in messages and -V,
 * .help_more adds its key list to -h, a .parse function turns a column
 * name into its enum, and its "--complete REQUEST ..." is cli_complete.
 */
#ifndef DM_CLI_H
#define DM_CLI_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define EXIT_USAGE 2

/* What an option takes, and the C type of its destination. */
enum cli_type {
	CLI_FLAG,	/* no argument; bool, set true */
	CLI_SET,	/* no argument; int, set to .value (one of a choice) */
	CLI_BITS,	/* no argument; unsigned, .value or'ed in */
	CLI_SIZE,	/* uint64_t bytes, by size_parse (a bare number is
			 * bytes), at least .lo bytes */
	CLI_NUMBER,	/* long, a whole number from .lo to .hi */
	CLI_DURATION,	/* double seconds, .min to .max, fractions allowed */
	CLI_REAL,	/* double, .min to .max (a rate, hours) */
	CLI_STRING,	/* const char *, pointing into argv */
	CLI_PATH,	/* const char *, a file name (completes as one) */
	CLI_HELP,	/* print cli_help and exit 0 */
	CLI_VERSION,	/* print "PROGRAM VERSION" and exit 0 */
};

/* Exclusive groups: two different options that share a bit in .excl
 * conflict. */
#define CLI_GROUP(n) (1U << (n))

struct cli_opt {
	const char *lng;	/* long name, without "--" */
	char shrt;		/* short letter or 0 */
	const char *arg;	/* argument name in -h ("SIZE"); NULL for a
				 * type without argument */
	const char *help;
	const char *complete;	/* what the argument completes to, when the
				 * type does not say ("uri", "column") */

	enum cli_type type;
	size_t off;		/* destination in the options struct */
	long lo, hi;		/* CLI_NUMBER range; CLI_SIZE floor in .lo */
	double min, max;	/* CLI_DURATION and CLI_REAL range */
	int value;		/* CLI_SET, CLI_BITS */
	unsigned excl;		/* CLI_GROUP bits */
	/* Instead of the type's parser: store what arg means at dst, or
	 * return why it cannot ("is not a column"). */
	const char *(*parse)(const char *arg, void *dst);
};

/* The shared options, for struct cli_cmd's .common; in -h they follow the
 * command's own, in this order. */
enum {
	CLI_CONFIG_FILE = 1,	/* -C, --config-file FILE */
	CLI_CONNECT = 2,	/* -c, --connect URI */
	CLI_HELP_OPT = 4,	/* -h, --help */
	CLI_VERSION_OPT = 8,	/* -V, --version */
};
#define CLI_COMMON (CLI_CONFIG_FILE | CLI_CONNECT | CLI_HELP_OPT)

/* No upper bound on the operands. */
#define CLI_MANY INT_MAX

/* For a struct cli_cmd: its option table. */
#define CLI_OPTS(table) \
	.opts = (table), .nopts = sizeof(table) / sizeof((table)[0])

struct cli_cmd {
	const char *name;	/* NULL for a program of its own (dmtop) */
	const char *args;	/* after the options, e.g. "VM..." */
	const char *summary;
	const struct cli_opt *opts;
	size_t nopts;
	int (*run)(const struct cli_cmd *cmd, int argc, char **argv);
	const char *operands;	/* what the operands complete to: "vm" */

	unsigned common;	/* CLI_CONNECT, ... */
	int min_operands, max_operands;
	const char *missing;	/* the error for too few operands */
	bool hidden;		/* not listed by "dmctl -h" */
	bool stop_at_operand;	/* options end at the first operand
				 * (dmctl's own, before the command) */
	void (*help_more)(FILE *f);	/* printed after the options by -h */
};

/* What cli_parse fills besides the command's own struct. It is not
 * cleared: a value the caller put there stays unless an option replaces
 * it (dmctl's -c given before the command name). */
struct cli_args {
	const char *uri;	/* -c URI */
	const char *conffile;	/* -C FILE */
	int argc;		/* the operands */
	char **argv;
	unsigned long long seen;	/* bit i: the command's opts[i] was
					 * given */
};

/* cli_parse's answer when the command is to run. */
#define CLI_RUN (-1)

/*
 * Parse argv (argv[0] is the command or program name) for cmd into opts
 * (the command's options struct, holding its defaults) and args. Returns
 * CLI_RUN, or the exit status: 0 after -h or -V, EXIT_USAGE after a
 * message.
 */
int cli_parse(const struct cli_cmd *cmd, int argc, char **argv, void *opts,
    struct cli_args *args);

void cli_help(const struct cli_cmd *cmd, FILE *f);

/*
 * The shell completions' questions about cmd's options, argv after the
 * request name: "options" lists every option one a line; "argument OPT"
 * prints what OPT's argument is ("size", "number", "uri", "file",
 * "value", a .complete word, or "none"), exit 1 if cmd has no OPT.
 * Returns the exit status, or CLI_RUN for a request it does not know.
 */
int cli_complete(const struct cli_cmd *cmd, const char *request, int argc,
    char **argv);

/* "dmctl: message" plus a hint to -h; returns EXIT_USAGE. */
int cli_usage_error(const struct cli_cmd *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * A number from min to max (fractions allowed) into out: 0, -1 when s is
 * not a finite number, -2 when it is out of range.
 */
int cli_real_parse(const char *s, double min, double max, double *out);

/* The shared options' help, said once. */
#define CLI_CONNECT_HELP \
	"libvirt URI (default: $LIBVIRT_DEFAULT_URI, then dmctl.conf)"
#define CLI_HELP_HELP "show this help and exit"

#endif
