/* SPDX-License-Identifier: GPL-2.0-or-later */
/* show.c - "dmctl show": settings, assigned memory, demand and status. */
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "fields.h"
#include "hostline.h"
#include "prom.h"
#include "util.h"
#include "virt.h"
#include "vmstate.h"

enum show_output { SHOW_TEXT, SHOW_JSON, SHOW_PROMETHEUS };

struct show_opts {
	int output;		/* enum show_output */
};

static const struct cli_opt opts[] = {
	{ .lng = "json", .type = CLI_SET, .value = SHOW_JSON,
	    .off = offsetof(struct show_opts, output), .excl = CLI_GROUP(0),
	    .help = "print JSON (sizes in bytes)" },
	{ .lng = "prometheus", .type = CLI_SET, .value = SHOW_PROMETHEUS,
	    .off = offsetof(struct show_opts, output), .excl = CLI_GROUP(0),
	    .help = "print Prometheus metrics (text exposition format)" },
};

static int run(const struct cli_cmd *cmd, int argc, char **argv);

const struct cli_cmd cmd_show = {
	.name = "show",
	.args = "[VM...]",
	.summary = "Show settings, assigned memory, demand and status of VMs.",
	CLI_OPTS(opts),
	.common = CLI_COMMON,
	.max_operands = CLI_MANY,
	.run = run,
	.operands = "vm",
};

static const enum col_id text_cols[] = {
	COL_NAME, COL_STATE, COL_MODE, COL_GROWS, COL_STARTUP, COL_MINIMUM,
	COL_MAXIMUM, COL_BUFFER, COL_WEIGHT, COL_ASSIGNED, COL_PLUGGED,
	COL_LOAN, COL_DEMAND, COL_PRESSURE, COL_STATUS,
};

static const enum col_id json_cols[] = {
	COL_NAME, COL_UUID, COL_STATE, COL_MODE, COL_GROWS, COL_STARTUP,
	COL_MINIMUM, COL_MAXIMUM, COL_BUFFER, COL_WEIGHT, COL_ASSIGNED,
	COL_PLUGGED, COL_LOAN, COL_DEMAND, COL_PRESSURE, COL_STATUS,
	COL_BUF_WANT, COL_SETTLING,
};

static int
run(const struct cli_cmd *cmd, int argc, char **argv)
{
	struct show_opts o = { .output = SHOW_TEXT };
	struct cli_args a = { .uri = dmctl_uri };
	struct hostconf hc;
	struct snapshot snap;
	virConnectPtr conn;
	virDomainPtr *doms = NULL;
	int i, n = 0, failed = 0;
	size_t k;

	if ((i = cli_parse(cmd, argc, argv, &o, &a)) != CLI_RUN)
		return i;
	if (hostconf_load(&hc, a.conffile) < 0)
		return 1;
	if (!(conn = virt_open(hostconf_uri(&hc, a.uri), true, true))) {
		hostconf_free(&hc);
		return 1;
	}
	if (a.argc) {
		doms = xcalloc((size_t)a.argc, sizeof(*doms));
		for (i = 0; i < a.argc; i++) {
			if ((doms[n] = virt_lookup(conn, a.argv[i])))
				n++;
			else
				failed++;
		}
	}
	/* Every VM named was missing: show nothing rather than all. */
	if (a.argc && n == 0) {
		free(doms);
		virConnectClose(conn);
		hostconf_free(&hc);
		return 1;
	}
	if (snapshot_take(conn, doms, (size_t)n, &hc, &snap) < 0)
		failed++;
	else {
		for (k = 0; k < snap.n; k++)
			if (snap.vms[k].conf_found < 0) {
				dm_warn("VM '%s': invalid settings: %s",
				    snap.vms[k].name, snap.vms[k].conf_error);
				failed++;
			}
		if (o.output == SHOW_PROMETHEUS)
			prom_print(stdout, &snap, NULL);
		else if (o.output == SHOW_JSON)
			fields_print_json(stdout, &snap, json_cols,
			    DM_ARRAY_LEN(json_cols));
		else {
			struct hostline hl;

			hostline(&snap.host, snap.taken, HOSTLINE_ONE, &hl);
			printf("%s\n\n", hl.line[0]);
			fields_print_table(stdout, &snap, text_cols,
			    DM_ARRAY_LEN(text_cols));
		}
		snapshot_free(&snap);
	}
	for (i = 0; i < n; i++)
		virDomainFree(doms[i]);
	free(doms);
	virConnectClose(conn);
	hostconf_free(&hc);
	return failed ? 1 : 0;
}
