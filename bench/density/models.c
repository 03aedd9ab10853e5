/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * models.c - the table of policy models the benchmark compares. A new
 * competitor is a file defining its struct model and a line here.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "density.h"
#include "util.h"
#include "vmconf.h"

extern const struct model model_static_max, model_static_peak, model_mom,
    model_proxmox;

/* In the order of the tables; ours is the last. */
const struct model *const models[] = {
	&model_static_max,
	&model_static_peak,
	&model_mom,
	&model_proxmox,
	&model_ours,
};

const size_t nmodels = DM_ARRAY_LEN(models);

const struct model *
model_find(const char *name, const char **why)
{
	static char names[256];
	size_t i;

	for (i = 0; i < nmodels; i++)
		if (strcmp(name, models[i]->name) == 0)
			return models[i];
	snprintf(names, sizeof(names), "is not ");
	for (i = 0; i < nmodels; i++)
		snprintf(names + strlen(names), sizeof(names) - strlen(names),
		    "%s%s", i == 0 ? "" : i + 1 < nmodels ? ", " : " or ",
		    models[i]->name);
	*why = names;
	return NULL;
}

double
start_dynamic(const struct trace *tr, double d0)
{
	return fmin(fmax(d0 * (1 + VMCONF_BUFFER_DEFAULT / 100.0), tr->min),
	    tr->max);
}
