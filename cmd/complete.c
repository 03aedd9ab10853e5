/*
 * complete.c - "dmctl complete": answers for the bash and zsh completions,
 * read from the same tables that parse the options, so that a new option
 * completes without touching the completion scripts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/virterror.h>

#include "commands.h"
#include "util.h"
#include "virt.h"

static const struct cli_opt opts[] = {
	CLI_COMMON_OPTS,
};

static int run(const struct cli_cmd *cmd, int argc, char **argv);

const struct cli_cmd cmd_complete = {
	"complete", "commands | options CMD | argument CMD OPTION | vms",
	"(for shell completion)", opts, DM_ARRAY_LEN(opts), run, NULL,
};

static const struct cli_cmd *
find(const char *name)
{
	size_t i;

	for (i = 0; i < dmctl_ncommands; i++)
		if (strcmp(dmctl_commands[i]->name, name) == 0)
			return dmctl_commands[i];
	return NULL;
}

/* VM names, one a line; silent on errors, a shell is waiting. */
static int
list_vms(const char *uri)
{
	virDomainPtr *doms;
	virConnectPtr conn;
	int i, n;

	virSetErrorFunc(NULL, NULL);
	if (!(conn = virConnectOpenReadOnly(uri)))
		return 1;
	n = virConnectListAllDomains(conn, &doms, 0);
	for (i = 0; i < n; i++) {
		printf("%s\n", virDomainGetName(doms[i]));
		virDomainFree(doms[i]);
	}
	if (n >= 0)
		free(doms);
	virConnectClose(conn);
	return n < 0;
}

static int
run(const struct cli_cmd *cmd, int argc, char **argv)
{
	const struct cli_cmd *target;
	const char *uri = dmctl_uri, *arg, *what;
	size_t i;
	int c;

	while ((c = cli_next(cmd, argc, argv, &arg)) != CLI_END) {
		if (c == OPT_CONNECT)
			uri = arg;
		else if (c == OPT_HELP) {
			cli_help(cmd, stdout);
			return 0;
		} else
			return EXIT_USAGE;
	}
	if (optind >= argc)
		return cli_usage_error(cmd, "say what to complete");
	what = argv[optind++];
	if (strcmp(what, "commands") == 0) {
		for (i = 0; i < dmctl_ncommands; i++)
			if (dmctl_commands[i] != cmd)
				printf("%s\n", dmctl_commands[i]->name);
		return 0;
	}
	if (strcmp(what, "vms") == 0)
		return list_vms(uri);
	if (optind >= argc || !(target = find(argv[optind])))
		return cli_usage_error(cmd, "name a command");
	if (strcmp(what, "options") == 0) {
		cli_list_options(target, stdout);
		return 0;
	}
	if (strcmp(what, "operands") == 0) {
		printf("%s\n", target->operands ? target->operands : "");
		return 0;
	}
	if (strcmp(what, "argument") == 0 && optind + 1 < argc) {
		const struct cli_opt *o = cli_find(target, argv[optind + 1]);

		if (!o)
			return 1;
		printf("%s\n", cli_argument_kind(o));
		return 0;
	}
	return cli_usage_error(cmd, "unknown request '%s'", what);
}
