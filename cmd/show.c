/* show.c - "dmctl show": settings, assigned memory, demand and status. */
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "fields.h"
#include "util.h"
#include "virt.h"
#include "vmstate.h"

enum { O_JSON = 1, O_CONFIG_FILE };

static const struct cli_opt opts[] = {
	{ O_JSON, "json", 0, NULL, "print JSON (sizes in bytes)", NULL },
	{ O_CONFIG_FILE, "config-file", 'C', "FILE",
	    "host settings file (default /etc/dmctl.conf)", "file" },
	CLI_COMMON_OPTS,
};

static int run(const struct cli_cmd *cmd, int argc, char **argv);

const struct cli_cmd cmd_show = {
	"show", "[VM...]", "Show settings, assigned memory, demand and status "
	"of VMs.", opts, DM_ARRAY_LEN(opts), run, "vm",
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
	const char *uri = dmctl_uri, *conffile = NULL, *arg;
	struct hostconf hc;
	struct snapshot snap;
	virConnectPtr conn;
	virDomainPtr *doms = NULL;
	bool json = false;
	int c, i, n = 0, failed = 0;
	size_t k;

	while ((c = cli_next(cmd, argc, argv, &arg)) != CLI_END) {
		switch (c) {
		case O_JSON:
			json = true;
			break;
		case O_CONFIG_FILE:
			conffile = arg;
			break;
		case OPT_CONNECT:
			uri = arg;
			break;
		case OPT_HELP:
			cli_help(cmd, stdout);
			return 0;
		default:
			return EXIT_USAGE;
		}
	}
	if (hostconf_load(&hc, conffile) < 0)
		return 1;
	uri = hostconf_uri(&hc, uri);
	if (!(conn = virt_open(uri, true, true))) {
		hostconf_free(&hc);
		return 1;
	}
	if (optind < argc) {
		doms = xcalloc((size_t)(argc - optind), sizeof(*doms));
		for (i = optind; i < argc; i++) {
			if ((doms[n] = virt_lookup(conn, argv[i])))
				n++;
			else
				failed++;
		}
	}
	/* Every VM named was missing: show nothing rather than all. */
	if (optind < argc && n == 0) {
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
		if (json)
			fields_print_json(stdout, &snap, json_cols,
			    DM_ARRAY_LEN(json_cols));
		else
			fields_print_table(stdout, &snap, text_cols,
			    DM_ARRAY_LEN(text_cols));
		snapshot_free(&snap);
	}
	for (i = 0; i < n; i++)
		virDomainFree(doms[i]);
	free(doms);
	virConnectClose(conn);
	hostconf_free(&hc);
	return failed ? 1 : 0;
}
