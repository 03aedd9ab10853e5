/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dmctl.c - the dmctl command: global options and the command table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "util.h"

const struct cli_cmd *const dmctl_commands[] = {
	&cmd_set, &cmd_show, &cmd_start, &cmd_rebalance, &cmd_hook,
	&cmd_complete,
};
const size_t dmctl_ncommands = DM_ARRAY_LEN(dmctl_commands);

/* "dmctl -c URI show" and "dmctl show -c URI" mean the same. */
const char *dmctl_uri;

static void
list_commands(FILE *f)
{
	size_t i;

	fprintf(f, "\ncommands:\n");
	for (i = 0; i < dmctl_ncommands; i++)
		if (!dmctl_commands[i]->hidden)
			fprintf(f, "  %-10s %s\n", dmctl_commands[i]->name,
			    dmctl_commands[i]->summary);
	fprintf(f, "\nRun 'dmctl COMMAND -h' for a command's options; "
	    "see dmctl(8).\n");
}

const struct cli_cmd dmctl_main = {
	.args = "COMMAND [args]",
	.summary = "Dynamic memory for libvirt/KVM guests.",
	.common = CLI_CONNECT | CLI_HELP_OPT | CLI_VERSION_OPT,
	.max_operands = CLI_MANY,
	.stop_at_operand = true,
	.help_more = list_commands,
};

const struct cli_cmd *
dmctl_find(const char *name)
{
	size_t i;

	for (i = 0; i < dmctl_ncommands; i++)
		if (strcmp(dmctl_commands[i]->name, name) == 0)
			return dmctl_commands[i];
	return NULL;
}

int
main(int argc, char **argv)
{
	struct cli_args a = { .uri = NULL };
	const struct cli_cmd *cmd;
	int rc;

	dm_progname = "dmctl";
	dm_ignore_sigpipe();
	if ((rc = cli_parse(&dmctl_main, argc, argv, NULL, &a)) != CLI_RUN)
		return rc == 0 && dm_flush_stdout() < 0 ? 1 : rc;
	if (a.argc == 0) {
		cli_help(&dmctl_main, stderr);
		return EXIT_USAGE;
	}
	if (!(cmd = dmctl_find(a.argv[0])))
		return cli_usage_error(NULL, "unknown command '%s'", a.argv[0]);
	dmctl_uri = a.uri;
	rc = cmd->run(cmd, a.argc, a.argv);
	if (dm_flush_stdout() < 0 && rc == 0)
		rc = 1;
	return rc;
}
