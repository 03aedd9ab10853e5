/* SPDX-License-Identifier: GPL-2.0-or-later */
/* commands.h - the entries of dmctl's command table, one file each. */
#ifndef DM_COMMANDS_H
#define DM_COMMANDS_H

#include "cli.h"

/* The -c given before the command name, if any. */
extern const char *dmctl_uri;

/* dmctl itself: the options before the command. */
extern const struct cli_cmd dmctl_main;

/* The command table, in dmctl.c. */
extern const struct cli_cmd *const dmctl_commands[];
extern const size_t dmctl_ncommands;

/* For the entry of a command whose operands are one VM or more. */
#define CMD_VMS                                                            \
	.args = "VM...", .operands = "vm", .min_operands = 1,               \
	.max_operands = CLI_MANY, .missing = "no VM named"

/* The command named name, or NULL. */
const struct cli_cmd *dmctl_find(const char *name);

extern const struct cli_cmd cmd_set;
extern const struct cli_cmd cmd_show;
extern const struct cli_cmd cmd_rebalance;
extern const struct cli_cmd cmd_start;
extern const struct cli_cmd cmd_hook;
extern const struct cli_cmd cmd_complete;

#endif
