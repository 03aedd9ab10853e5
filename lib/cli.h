/*
 * cli.h - commands and their options, described once. The same tables
 * drive getopt, "-h" and the shell completions ("dmctl complete ...").
 */
#ifndef DM_CLI_H
#define DM_CLI_H

#include <getopt.h>	/* optind, for the commands */
#include <stddef.h>
#include <stdio.h>

#define EXIT_USAGE 2

enum { CLI_END = -1, CLI_ERROR = -2 };

/* Ids of options shared by every command; commands number theirs from 1. */
enum { OPT_CONNECT = 1000, OPT_HELP };

struct cli_opt {
	int id;
	const char *lng;	/* long name, without "--" */
	char shrt;		/* short letter or 0 */
	const char *arg;	/* argument name, NULL for a flag */
	const char *help;
	const char *complete;	/* how to complete the argument: "size",
				 * "number", "uri", "file" or NULL */
};

#define CLI_COMMON_OPTS                                                    \
	{ OPT_CONNECT, "connect", 'c', "URI",                              \
	    "libvirt URI (default: $LIBVIRT_DEFAULT_URI, then dmctl.conf)", \
	    "uri" },                                                       \
	{ OPT_HELP, "help", 'h', NULL, "show this help and exit", NULL }

struct cli_cmd {
	const char *name;	/* NULL for a program of its own (dmtop) */
	const char *args;	/* after the options, e.g. "VM..." */
	const char *summary;
	const struct cli_opt *opts;
	size_t nopts;
	int (*run)(const struct cli_cmd *cmd, int argc, char **argv);
	const char *operands;	/* what the operands complete to: "vm" */
};

/*
 * Next option of argv for cmd: its id, CLI_END when the options are done
 * (optind then points at the operands), or CLI_ERROR after a message.
 */
int cli_next(const struct cli_cmd *cmd, int argc, char **argv,
    const char **arg);

void cli_help(const struct cli_cmd *cmd, FILE *f);

/* For the completions: the option a word names (NULL if none), every
 * option one a line, and what an option's argument is ("size", "number",
 * "uri", "file", "value" or "none"). */
const struct cli_opt *cli_find(const struct cli_cmd *cmd, const char *word);
void cli_list_options(const struct cli_cmd *cmd, FILE *f);
const char *cli_argument_kind(const struct cli_opt *o);

/* "dmctl: message" plus a hint to -h; returns EXIT_USAGE. */
int cli_usage_error(const struct cli_cmd *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
