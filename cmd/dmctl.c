/* dmctl.c - the dmctl command: global options and the command table. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "util.h"

#ifndef DM_VERSION
#define DM_VERSION "unknown"
#endif

const struct cli_cmd *const dmctl_commands[] = {
	&cmd_set, &cmd_show, &cmd_start, &cmd_rebalance, &cmd_hook,
	&cmd_complete,
};
const size_t dmctl_ncommands = DM_ARRAY_LEN(dmctl_commands);

/* "dmctl -c URI show" and "dmctl show -c URI" mean the same. */
const char *dmctl_uri;

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: dmctl [-c URI] COMMAND [options] [args]\n"
	    "       dmctl --version\n\n"
	    "Dynamic memory for libvirt/KVM guests.\n\ncommands:\n");
	for (i = 0; i < dmctl_ncommands; i++)
		if (dmctl_commands[i]->summary[0] != '(')
			fprintf(f, "  %-10s %s\n", dmctl_commands[i]->name,
			    dmctl_commands[i]->summary);
	fprintf(f, "\nRun 'dmctl COMMAND -h' for a command's options; "
	    "see dmctl(8).\n");
}

int
main(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "connect", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	size_t i;
	int c, rc;

	dm_progname = "dmctl";
	dm_ignore_sigpipe();
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:c:hV", longs, NULL)) != -1) {
		switch (c) {
		case 'c':
			dmctl_uri = optarg;
			break;
		case 'h':
			usage(stdout);
			return dm_flush_stdout() < 0;
		case 'V':
			printf("dmctl %s\n", DM_VERSION);
			return dm_flush_stdout() < 0;
		case ':':
			return cli_usage_error(NULL, "option '%s' needs an "
			    "argument", argv[optind - 1]);
		default:
			return cli_usage_error(NULL, "unknown option '%s'",
			    argv[optind - 1]);
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (i = 0; i < dmctl_ncommands; i++) {
		const struct cli_cmd *cmd = dmctl_commands[i];

		if (strcmp(argv[optind], cmd->name) != 0)
			continue;
		rc = cmd->run(cmd, argc - optind, argv + optind);
		if (dm_flush_stdout() < 0 && rc == 0)
			rc = 1;
		return rc;
	}
	return cli_usage_error(NULL, "unknown command '%s'", argv[optind]);
}
