/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * report.c - the search for the most VMs each model fits, and the tables:
 * every model at the tolerance and at zero unmet demand, the ceiling no
 * policy can pass, ours' gains, and the balancers' churn.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "density.h"
#include "util.h"

/* A model's row in the report. */
struct row {
	bool ran;
	struct result tol, zero;	/* at the tolerance, at zero unmet */
};

/* A table row; with --hotadd (hot) also the memory plugged and unplugged. */
static void
print_row(const char *name, const struct result *r, bool tried, bool hot)
{
	printf("%-12s %6zu %12.1f %15.0f %13.2f %13.0f", name, r->n,
	    r->short_s_day, r->short_mibs_day, r->moved_day, r->changes_day);
	if (hot)
		printf(" %13.2f", r->vmdays > 0 ? r->moved_hot / r->vmdays : 0);
	printf("%s\n", tried && !r->n ? "  (does not start)" : "");
	fflush(stdout);
}

static void
print_head(const char *title, bool hot)
{
	printf("%s\n%-12s %6s %12s %15s %13s %13s%s\n", title, "policy", "VMs",
	    "short s/day", "MiB*s short/day", "GiB moved/day", "changes/day",
	    hot ? "  GiB plug/day" : "");
}

/* Whether m fits n VMs: short at most limit VM-seconds per VM-day (0: not
 * a second short). */
static bool
fits(const struct host *h, struct traceset *ts, const struct model *m,
    size_t n, double limit, struct result *r)
{
	*r = run_n(h, ts, m, n);
	return r->n && (limit > 0 ? r->short_s_day <= limit : r->short_s == 0);
}

/*
 * The most VMs m fits within limit. Fits need not be monotone in the
 * number of VMs (one more VM shifts every share), so: double until a fit
 * fails, bisect to the edge, then try every count up to a tenth (at least
 * 8) past it and keep the largest that fits. The 8 counts below the edge
 * are tried too; *mono is false when one of them fails although a larger
 * count fits.
 */
static struct result
most_vms(const struct host *h, struct traceset *ts, const struct model *m,
    double limit, bool *mono)
{
	struct result best = { 0 }, r;
	size_t lo = 0, hi = 8, k, w, top, miss = 0;

	while (fits(h, ts, m, hi, limit, &r)) {
		best = r;
		lo = hi;
		hi *= 2;
	}
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (fits(h, ts, m, mid, limit, &r)) {
			best = r;
			lo = mid;
		} else
			hi = mid;
	}
	w = lo / 10 > 8 ? lo / 10 : 8;
	for (k = lo > 8 ? lo - 8 : 1; k <= lo + w; k++) {
		if (k == lo)
			continue;
		if (!fits(h, ts, m, k, limit, &r)) {
			if (!miss)
				miss = k;
			continue;
		}
		if (k > best.n)
			best = r;
	}
	top = best.n;
	*mono = !miss || top < miss;
	return best;
}

/*
 * The ceiling: the most VMs whose summed demand stays within the memory
 * the host can give them at every second, with no buffer and instant
 * balloons. No policy can pass it.
 */
static size_t
ceiling(const struct host *h, struct traceset *ts)
{
	double *sum = xcalloc(ts->len, sizeof(*sum));
	size_t n, t;

	for (n = 0;; n++) {
		double cap = h->total - h->host_use - h->overhead *
		    (double)(n + 1);
		struct svm v = { 0 };
		bool ok = true;

		traces_need(ts, n + 1);
		v.tr = trace_of(ts, n, &v.shift);
		for (t = 0; t < ts->len; t++) {
			sum[t] += demand_at(&v, t);
			if (sum[t] > cap)
				ok = false;
		}
		if (!ok)
			break;
	}
	free(sum);
	return n;
}

/* One table: the most VMs of each model that ran (every model, or only
 * the one named, when only is set), at limit. */
static void
report_table(const struct host *h, struct traceset *ts, const char *only,
    struct row *rows, bool zero)
{
	size_t i;
	bool mono;

	print_head(zero ? "at zero unmet demand (not a VM-second short):" :
	    "at the tolerance (short at most 86.4 s a VM-day, 0.1 %):",
	    h->hotadd);
	for (i = 0; i < nmodels; i++) {
		struct result *r = zero ? &rows[i].zero : &rows[i].tol;

		if (only && strcmp(only, models[i]->name) != 0)
			continue;
		*r = most_vms(h, ts, models[i], zero ? 0 : UNMET_LIMIT * 86400,
		    &mono);
		rows[i].ran = true;
		print_row(models[i]->name, r, false, h->hotadd);
		if (!mono)
			printf("  (%s: fits are not monotone near its most)\n",
			    models[i]->name);
	}
}

/* "gain vs NAME: N%" of ours over each baseline that fits any VM. */
static void
print_gains(const char *what, const struct row *rows, size_t ours,
    bool zero)
{
	const struct result *o = zero ? &rows[ours].zero : &rows[ours].tol;
	size_t i;

	for (i = 0; rows[ours].ran && i < nmodels; i++) {
		const struct result *r = zero ? &rows[i].zero : &rows[i].tol;

		if (i != ours && rows[i].ran && r->n)
			printf("%s gain vs %s: %.0f%%\n", what, models[i]->name,
			    ((double)o->n / (double)r->n - 1) * 100);
	}
}

/* The balancers' churn, each at its own most VMs at the tolerance, and
 * all of them again at equal load (the most a baseline balancer fits). */
static void
report_churn(const struct host *h, struct traceset *ts,
    const struct row *rows, size_t ours)
{
	size_t i, eq = 0;

	printf("balloon changes per VM-day at the limit: ours %.0f",
	    rows[ours].tol.changes_day);
	for (i = 0; i < nmodels; i++)
		if (i != ours && models[i]->balancer)
			printf(", %s %.0f", models[i]->name,
			    rows[i].tol.changes_day);
	printf("\nmemory moved per VM-day at the limit: ours %.2f GiB",
	    rows[ours].tol.moved_day);
	for (i = 0; i < nmodels; i++)
		if (i != ours && models[i]->balancer) {
			printf(", %s %.2f GiB", models[i]->name,
			    rows[i].tol.moved_day);
			if (rows[i].tol.n > eq)
				eq = rows[i].tol.n;
		}
	/* At its own most, ours runs a tighter pool than the others ever
	 * do; at equal load the balancers compare like for like. */
	printf("\nat equal load, %zu VMs (the most a baseline balancer "
	    "fits):\n", eq);
	for (i = 0; i < nmodels; i++)
		if (models[i]->balancer) {
			struct result r = run_n(h, ts, models[i], eq);

			print_row(models[i]->name, &r, true, h->hotadd);
		}
}

void
report(const struct host *h, struct traceset *ts, const char *only)
{
	struct row *rows = xcalloc(nmodels, sizeof(*rows));
	size_t c = ceiling(h, ts), ours = 0;

	while (models[ours] != &model_ours)
		ours++;
	report_table(h, ts, only, rows, false);
	report_table(h, ts, only, rows, true);
	printf("ceiling: %zu VMs (summed demand within the host's memory at "
	    "every second, no buffer, instant balloons)\n", c);
	print_gains("density", rows, ours, false);
	print_gains("zero-unmet", rows, ours, true);
	if (rows[ours].ran && c) {
		printf("ours of ceiling: %.0f%%\n",
		    (double)rows[ours].tol.n / (double)c * 100);
		printf("zero-unmet ours of ceiling: %.0f%%\n",
		    (double)rows[ours].zero.n / (double)c * 100);
	}
	if (!only)
		report_churn(h, ts, rows, ours);
	free(rows);
}

void
report_fixed(const struct host *h, struct traceset *ts, const char *only,
    size_t vms)
{
	size_t i;

	print_head("with exactly the VMs asked for:", h->hotadd);
	for (i = 0; i < nmodels; i++) {
		struct result r;

		if (only && strcmp(only, models[i]->name) != 0)
			continue;
		r = run_n(h, ts, models[i], vms);
		print_row(models[i]->name, &r, true, h->hotadd);
	}
}
