/* SPDX-License-Identifier: GPL-2.0-or-later */
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

static int run(const struct cli_cmd *cmd, int argc, char **argv);

const struct cli_cmd cmd_complete = {
	.name = "complete",
	.args = "commands | options CMD | argument CMD OPTION | operands CMD "
	    "| vms",
	.summary = "Answer the shell completions (CMD \"\" is dmctl itself).",
	.common = CLI_CONNECT | CLI_HELP_OPT,
	.min_operands = 1,
	.max_operands = CLI_MANY,
	.missing = "say what to complete",
	.hidden = true,
	.run = run,
};

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
	struct cli_args a = { .uri = dmctl_uri };
	const struct cli_cmd *target;
	const char *what;
	size_t i;
	int rc;

	if ((rc = cli_parse(cmd, argc, argv, NULL, &a)) != CLI_RUN)
		return rc;
	what = a.argv[0];
	if (strcmp(what, "commands") == 0) {
		for (i = 0; i < dmctl_ncommands; i++)
			if (!dmctl_commands[i]->hidden)
				printf("%s\n", dmctl_commands[i]->name);
		return 0;
	}
	if (strcmp(what, "vms") == 0)
		return list_vms(a.uri);
	if (a.argc < 2)
		return cli_usage_error(cmd, "name a command");
	/* "": the options before the command, dmctl's own. */
	target = a.argv[1][0] ? dmctl_find(a.argv[1]) : &dmctl_main;
	if (!target)
		return cli_usage_error(cmd, "name a command");
	if (strcmp(what, "operands") == 0) {
		printf("%s\n", target->operands ? target->operands : "");
		return 0;
	}
	if ((rc = cli_complete(target, what, a.argc - 2, a.argv + 2)) != CLI_RUN)
		return rc;
	return cli_usage_error(cmd, "unknown request '%s'", what);
}
