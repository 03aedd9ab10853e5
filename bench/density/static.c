/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * static.c - static sizing: static-max, every VM at its maximum (today's
 * default), and static-peak, every VM at the peak of its own trace (the
 * best an admin can do by hand, with hindsight). Neither moves memory.
 */
#include "density.h"

static double
start_max(const struct trace *tr, double d0)
{
	(void)d0;
	return tr->max;
}

static double
start_peak(const struct trace *tr, double d0)
{
	(void)d0;
	return tr->peak;
}

const struct model model_static_max = {
	"static-max", false, start_max, NULL, NULL, NULL,
};

const struct model model_static_peak = {
	"static-peak", false, start_peak, NULL, NULL, NULL,
};
