/* cli.c - getopt tables and help text built from the option tables. */
#include "cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <string.h>

#include "util.h"

#define MAX_OPTS 32

/* A long option abbreviated to a prefix of more than one ("--con" for
 * --config and --connect): say which, and return 1. */
static int
ambiguous(const struct cli_cmd *cmd, const char *what)
{
	char names[256] = "";
	size_t len, i, n = 0;

	if (strncmp(what, "--", 2) != 0)
		return 0;
	what += 2;
	len = strcspn(what, "=");
	for (i = 0; i < cmd->nopts; i++) {
		const char *l = cmd->opts[i].lng;

		if (!l || strncmp(l, what, len) != 0)
			continue;
		if (n++)
			strncat(names, ", ", sizeof(names) - strlen(names) - 1);
		strncat(names, "--", sizeof(names) - strlen(names) - 1);
		strncat(names, l, sizeof(names) - strlen(names) - 1);
	}
	if (n < 2)
		return 0;
	cli_usage_error(cmd, "option '--%.*s' is ambiguous: %s", (int)len,
	    what, names);
	return 1;
}

int
cli_next(const struct cli_cmd *cmd, int argc, char **argv, const char **arg)
{
	static const struct cli_cmd *built;
	static struct option longs[MAX_OPTS + 1];
	static char shorts[MAX_OPTS * 2 + 3];
	size_t i;
	int c;

	if (built != cmd) {
		char *p = shorts;

		*p++ = ':';	/* report a missing argument as ':' */
		memset(longs, 0, sizeof(longs));
		for (i = 0; i < cmd->nopts && i < MAX_OPTS; i++) {
			const struct cli_opt *o = &cmd->opts[i];

			longs[i].name = o->lng;
			longs[i].has_arg = o->arg ? required_argument :
			    no_argument;
			longs[i].val = o->id;
			if (o->shrt) {
				*p++ = o->shrt;
				if (o->arg)
					*p++ = ':';
			}
		}
		*p = '\0';
		built = cmd;
		optind = 0;	/* glibc: start a fresh scan */
	}
	opterr = 0;
	c = getopt_long(argc, argv, shorts, longs, NULL);
	*arg = optarg;
	if (c == -1) {
		built = NULL;	/* parse afresh next time */
		return CLI_END;
	}
	if (c == '?' || c == ':') {
		const char *what = argv[optind - 1];

		built = NULL;
		if (c == ':')
			return cli_usage_error(cmd, "option '%s' needs an "
			    "argument", what), CLI_ERROR;
		if (optopt && optopt < 256)
			return cli_usage_error(cmd, "unknown option '-%c'",
			    optopt), CLI_ERROR;
		if (ambiguous(cmd, what))
			return CLI_ERROR;
		return cli_usage_error(cmd, "unknown option '%s'", what),
		    CLI_ERROR;
	}
	for (i = 0; i < cmd->nopts; i++)
		if (cmd->opts[i].shrt && cmd->opts[i].shrt == c)
			return cmd->opts[i].id;
	return c;
}

void
cli_help(const struct cli_cmd *cmd, FILE *f)
{
	size_t i;

	fprintf(f, "usage: %s%s%s [options]%s%s\n\n%s\n\noptions:\n",
	    dm_progname, cmd->name ? " " : "", cmd->name ? cmd->name : "",
	    cmd->args ? " " : "", cmd->args ? cmd->args : "", cmd->summary);
	for (i = 0; i < cmd->nopts; i++) {
		const struct cli_opt *o = &cmd->opts[i];
		char left[64];

		if (o->shrt)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->shrt,
			    o->lng, o->arg ? " " : "", o->arg ? o->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->lng,
			    o->arg ? " " : "", o->arg ? o->arg : "");
		fprintf(f, "  %-24s %s\n", left, o->help);
	}
}

int
cli_usage_error(const struct cli_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", dm_progname);
	if (cmd && cmd->name)
		fprintf(stderr, "%s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s%s%s -h' for more information.\n",
	    dm_progname, cmd && cmd->name ? " " : "",
	    cmd && cmd->name ? cmd->name : "");
	return EXIT_USAGE;
}

const struct cli_opt *
cli_find(const struct cli_cmd *cmd, const char *word)
{
	size_t i;

	for (i = 0; i < cmd->nopts; i++) {
		const struct cli_opt *o = &cmd->opts[i];

		if ((word[0] == '-' && word[1] == '-' &&
		    strcmp(word + 2, o->lng) == 0) || (o->shrt &&
		    word[0] == '-' && word[1] == o->shrt && !word[2]))
			return o;
	}
	return NULL;
}

void
cli_list_options(const struct cli_cmd *cmd, FILE *f)
{
	size_t i;

	for (i = 0; i < cmd->nopts; i++) {
		fprintf(f, "--%s\n", cmd->opts[i].lng);
		if (cmd->opts[i].shrt)
			fprintf(f, "-%c\n", cmd->opts[i].shrt);
	}
}

const char *
cli_argument_kind(const struct cli_opt *o)
{
	return o->arg ? (o->complete ? o->complete : "value") : "none";
}
