/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cli.c - the command line from the option tables: parsing into a
 * command's struct with the checks every command shares, "-h", and the
 * completions' answers.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "size.h"
#include "util.h"

#ifndef DM_VERSION
#define DM_VERSION "unknown"
#endif

#define MAX_OPTS 48

/* parser_next's answers besides an option. */
enum { END = -1, ERROR = -2 };

/* The shared options; their destinations are in struct cli_args. */
static const struct cli_opt common_opts[] = {
	{ .lng = "config-file", .shrt = 'C', .arg = "FILE", .type = CLI_PATH,
	    .off = offsetof(struct cli_args, conffile),
	    .help = "host settings file (default /etc/dmctl.conf)" },
	{ .lng = "connect", .shrt = 'c', .arg = "URI", .type = CLI_STRING,
	    .off = offsetof(struct cli_args, uri), .complete = "uri",
	    .help = CLI_CONNECT_HELP },
	{ .lng = "help", .shrt = 'h', .type = CLI_HELP, .help = CLI_HELP_HELP },
	{ .lng = "version", .shrt = 'V', .type = CLI_VERSION,
	    .help = "print the version and exit" },
};
static const unsigned common_bits[] = {
	CLI_CONFIG_FILE, CLI_CONNECT, CLI_HELP_OPT, CLI_VERSION_OPT,
};

/* A command's options, its own then the shared ones, as getopt wants. */
struct parser {
	const struct cli_cmd *cmd;
	const struct cli_opt *v[MAX_OPTS];
	size_t n;
	struct option longs[MAX_OPTS + 1];
	char shorts[MAX_OPTS * 2 + 3];
	char name[64];		/* the last option as it was typed */
};

static bool
has_arg(const struct cli_opt *o)
{
	return o->type >= CLI_SIZE && o->type <= CLI_PATH;
}

/* What each type's argument is called in -h and completes to. */
static const struct {
	const char *arg, *kind;
} types[] = {
	[CLI_SIZE] = { "SIZE", "size" },
	[CLI_NUMBER] = { "N", "number" },
	[CLI_DURATION] = { "SECONDS", "number" },
	[CLI_REAL] = { "X", "number" },
	[CLI_STRING] = { "VALUE", "value" },
	[CLI_PATH] = { "FILE", "file" },
};

static const char *
arg_name(const struct cli_opt *o)
{
	if (!has_arg(o))
		return NULL;
	return o->arg ? o->arg : types[o->type].arg;
}

static size_t
all_opts(const struct cli_cmd *cmd, const struct cli_opt **v)
{
	size_t i, n = 0;

	for (i = 0; i < cmd->nopts && n < MAX_OPTS; i++)
		v[n++] = &cmd->opts[i];
	for (i = 0; i < DM_ARRAY_LEN(common_opts) && n < MAX_OPTS; i++)
		if (cmd->common & common_bits[i])
			v[n++] = &common_opts[i];
	return n;
}

static bool
is_common(const struct cli_opt *o)
{
	return o >= common_opts && o < common_opts + DM_ARRAY_LEN(common_opts);
}

static void
parser_init(struct parser *p, const struct cli_cmd *cmd)
{
	char *s = p->shorts;
	size_t i;

	memset(p, 0, sizeof(*p));
	p->cmd = cmd;
	p->n = all_opts(cmd, p->v);
	if (cmd->stop_at_operand)
		*s++ = '+';
	*s++ = ':';	/* report a missing argument as ':' */
	for (i = 0; i < p->n; i++) {
		const struct cli_opt *o = p->v[i];

		p->longs[i].name = o->lng;
		p->longs[i].has_arg = has_arg(o) ? required_argument :
		    no_argument;
		p->longs[i].val = 256 + (int)i;
		if (o->shrt) {
			*s++ = o->shrt;
			if (has_arg(o))
				*s++ = ':';
		}
	}
	*s = '\0';
	optind = 0;	/* glibc: start a fresh scan */
	opterr = 0;
}

/* A long option abbreviated to a prefix of more than one ("--con" for
 * --config-file and --connect): say which, and return 1. */
static int
ambiguous(const struct parser *p, const char *what)
{
	char names[256] = "";
	size_t len, i, n = 0;

	if (strncmp(what, "--", 2) != 0)
		return 0;
	what += 2;
	len = strcspn(what, "=");
	for (i = 0; i < p->n; i++) {
		const char *l = p->v[i]->lng;

		if (!l || strncmp(l, what, len) != 0)
			continue;
		if (n++)
			strncat(names, ", ", sizeof(names) - strlen(names) - 1);
		strncat(names, "--", sizeof(names) - strlen(names) - 1);
		strncat(names, l, sizeof(names) - strlen(names) - 1);
	}
	if (n < 2)
		return 0;
	cli_usage_error(p->cmd, "option '--%.*s' is ambiguous: %s", (int)len,
	    what, names);
	return 1;
}

/* The index of argv's next option in p->v, END or ERROR after a
 * message; p->name then holds the option as typed ("-d" or "--delay"). */
static int
parser_next(struct parser *p, int argc, char **argv)
{
	int c, li = -1;
	size_t i;

	c = getopt_long(argc, argv, p->shorts, p->longs, &li);
	if (c == -1)
		return END;
	if (c == '?' || c == ':') {
		const char *what = argv[optind - 1];

		if (c == ':')
			cli_usage_error(p->cmd, "option '%s' needs an argument",
			    what);
		else if (optopt && optopt < 256)
			cli_usage_error(p->cmd, "unknown option '-%c'", optopt);
		else if (!ambiguous(p, what))
			cli_usage_error(p->cmd, "unknown option '%s'", what);
		return ERROR;
	}
	if (c >= 256) {
		i = (size_t)(c - 256);
		snprintf(p->name, sizeof(p->name), "--%s", p->v[i]->lng);
		return (int)i;
	}
	snprintf(p->name, sizeof(p->name), "-%c", c);
	for (i = 0; i < p->n; i++)
		if (p->v[i]->shrt == c)
			return (int)i;
	return ERROR;	/* not reached: getopt knows only ours */
}

int
cli_real_parse(const char *s, double min, double max, double *out)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(d))
		return -1;
	if (d < min || d > max)
		return -2;
	*out = d;
	return 0;
}

static int
store_real(const struct parser *p, const struct cli_opt *o, const char *arg,
    double *dst)
{
	const char *what = o->type == CLI_DURATION ? "a number of seconds" :
	    "a number";

	switch (cli_real_parse(arg, o->min, o->max, dst)) {
	case -1:
		return cli_usage_error(p->cmd, "%s: '%s' is not %s (%g to %g)",
		    p->name, arg, what, o->min, o->max);
	case -2:
		return cli_usage_error(p->cmd, "%s: '%s' is out of range (%g "
		    "to %g)", p->name, arg, o->min, o->max);
	default:
		return 0;
	}
}

static int
store_number(const struct parser *p, const struct cli_opt *o,
    const char *arg, long *dst)
{
	const char *why;

	if (number_parse(arg, o->lo, o->hi, dst, &why) == 0)
		return 0;
	if (o->hi == LONG_MAX)
		return cli_usage_error(p->cmd, "%s: '%s' is %s (at least %ld)",
		    p->name, arg, why, o->lo);
	return cli_usage_error(p->cmd, "%s: '%s' is %s (%ld to %ld)", p->name,
	    arg, why, o->lo, o->hi);
}

static int
store_size(const struct parser *p, const struct cli_opt *o, const char *arg,
    uint64_t *dst)
{
	const char *why;

	if (size_parse(arg, 1, dst, &why) < 0)
		return cli_usage_error(p->cmd, "%s: '%s' %s", p->name, arg, why);
	/* A bare number is bytes; "--startup 1024" meant as KiB or MiB
	 * would boot nothing, so small sizes are refused outright. */
	if (*dst < (uint64_t)o->lo)
		return cli_usage_error(p->cmd, "%s: '%s' is below the %llu MiB "
		    "floor (a number without a unit is bytes)", p->name, arg,
		    (unsigned long long)((uint64_t)o->lo / MIB));
	return 0;
}

/* Put what option o says at its place in base: 0 or EXIT_USAGE. */
static int
store(const struct parser *p, const struct cli_opt *o, const char *arg,
    void *base)
{
	void *dst = (char *)base + o->off;
	const char *why;

	if (o->parse) {
		if ((why = o->parse(arg, dst)))
			return cli_usage_error(p->cmd, "%s: '%s' %s", p->name,
			    arg, why);
		return 0;
	}
	switch (o->type) {
	case CLI_FLAG:
		*(bool *)dst = true;
		return 0;
	case CLI_SET:
		*(int *)dst = o->value;
		return 0;
	case CLI_BITS:
		*(unsigned *)dst |= (unsigned)o->value;
		return 0;
	case CLI_SIZE:
		return store_size(p, o, arg, dst);
	case CLI_NUMBER:
		return store_number(p, o, arg, dst);
	case CLI_DURATION:
	case CLI_REAL:
		return store_real(p, o, arg, dst);
	case CLI_STRING:
	case CLI_PATH:
		*(const char **)dst = arg;
		return 0;
	default:
		return 0;
	}
}

/* How many options of p conflict with p->v[i]. */
static size_t
npartners(const struct parser *p, size_t i)
{
	size_t k, n = 0;

	for (k = 0; k < p->n; k++)
		n += k != i && (p->v[k]->excl & p->v[i]->excl);
	return n;
}

/* "--a and --b conflict" for a pair; an option excluding several names
 * them all: "--current conflicts with --live and --config". */
static int
conflict(const struct parser *p, size_t i, size_t j)
{
	char list[256] = "";
	size_t k, s = npartners(p, j) > npartners(p, i) ? j : i, n, m = 0;

	n = npartners(p, s);
	if (n < 2)
		return cli_usage_error(p->cmd, "--%s and --%s conflict",
		    p->v[i]->lng, p->v[j]->lng);
	for (k = 0; k < p->n; k++) {
		size_t len = strlen(list);

		if (k == s || !(p->v[k]->excl & p->v[s]->excl))
			continue;
		snprintf(list + len, sizeof(list) - len, "%s--%s", m == 0 ? "" :
		    m + 1 == n ? " and " : ", ", p->v[k]->lng);
		m++;
	}
	return cli_usage_error(p->cmd, "--%s conflicts with %s", p->v[s]->lng,
	    list);
}

static int
check_conflicts(const struct parser *p, const bool *seen)
{
	size_t i, j;

	for (i = 0; i < p->n; i++)
		for (j = i + 1; seen[i] && j < p->n; j++)
			if (seen[j] && (p->v[i]->excl & p->v[j]->excl))
				return conflict(p, i, j);
	return 0;
}

static int
check_operands(const struct cli_cmd *cmd, struct cli_args *args, int argc,
    char **argv)
{
	args->argc = argc - optind;
	args->argv = argv + optind;
	if (args->argc < cmd->min_operands)
		return cli_usage_error(cmd, "%s", cmd->missing ? cmd->missing :
		    "missing operand");
	if (args->argc > cmd->max_operands)
		return cli_usage_error(cmd, "unexpected argument '%s'",
		    args->argv[cmd->max_operands]);
	return CLI_RUN;
}

int
cli_parse(const struct cli_cmd *cmd, int argc, char **argv, void *opts,
    struct cli_args *args)
{
	struct parser p;
	bool seen[MAX_OPTS] = { false };
	int i;

	parser_init(&p, cmd);
	while ((i = parser_next(&p, argc, argv)) != END) {
		const struct cli_opt *o;

		if (i == ERROR)
			return EXIT_USAGE;
		o = p.v[i];
		if (o->type == CLI_HELP) {
			cli_help(cmd, stdout);
			return 0;
		}
		if (o->type == CLI_VERSION) {
			printf("%s %s\n", dm_progname, DM_VERSION);
			return 0;
		}
		if (store(&p, o, optarg, is_common(o) ? (void *)args : opts))
			return EXIT_USAGE;
		seen[i] = true;
		if ((size_t)i < cmd->nopts && i < 64)
			args->seen |= 1ULL << i;
	}
	if (check_conflicts(&p, seen))
		return EXIT_USAGE;
	return check_operands(cmd, args, argc, argv);
}

void
cli_help(const struct cli_cmd *cmd, FILE *f)
{
	const struct cli_opt *v[MAX_OPTS];
	size_t i, n = all_opts(cmd, v);

	fprintf(f, "usage: %s%s%s [options]%s%s\n\n%s\n\noptions:\n",
	    dm_progname, cmd->name ? " " : "", cmd->name ? cmd->name : "",
	    cmd->args ? " " : "", cmd->args ? cmd->args : "", cmd->summary);
	for (i = 0; i < n; i++) {
		const char *a = arg_name(v[i]);
		char left[64];

		if (v[i]->shrt)
			snprintf(left, sizeof(left), "-%c, --%s%s%s",
			    v[i]->shrt, v[i]->lng, a ? " " : "", a ? a : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", v[i]->lng,
			    a ? " " : "", a ? a : "");
		fprintf(f, "  %-24s %s\n", left, v[i]->help);
	}
	if (cmd->help_more)
		cmd->help_more(f);
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

/* The option of cmd that word names in full ("--delay", "-d"). */
static const struct cli_opt *
find(const struct cli_cmd *cmd, const char *word)
{
	const struct cli_opt *v[MAX_OPTS];
	size_t i, n = all_opts(cmd, v);

	for (i = 0; i < n; i++)
		if ((word[0] == '-' && word[1] == '-' &&
		    strcmp(word + 2, v[i]->lng) == 0) || (v[i]->shrt &&
		    word[0] == '-' && word[1] == v[i]->shrt && !word[2]))
			return v[i];
	return NULL;
}

int
cli_complete(const struct cli_cmd *cmd, const char *request, int argc,
    char **argv)
{
	const struct cli_opt *v[MAX_OPTS], *o;
	size_t i, n = all_opts(cmd, v);

	if (strcmp(request, "options") == 0) {
		for (i = 0; i < n; i++) {
			printf("--%s\n", v[i]->lng);
			if (v[i]->shrt)
				printf("-%c\n", v[i]->shrt);
		}
		return 0;
	}
	if (strcmp(request, "argument") != 0 || argc < 1)
		return CLI_RUN;
	if (!(o = find(cmd, argv[0])))
		return 1;
	printf("%s\n", !has_arg(o) ? "none" : o->complete ? o->complete :
	    types[o->type].kind);
	return 0;
}
