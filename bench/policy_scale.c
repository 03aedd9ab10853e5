/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * policy_scale.c - time and memory of one policy computation (the same
 * policy_plan() that "dmctl rebalance" calls) for 10 to 10,000 VMs, in
 * three pool regimes: plenty, buffers short, demand short. Each size runs
 * in a child process so that its peak RSS is its own.
 *
 *   policy_scale           the full run (target: 10,000 VMs under 10 ms)
 *   policy_scale --smoke   one quick round, for make check
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "policy.h"
#include "size.h"
#include "util.h"

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* A seeded, reproducible host of n VMs. */
static void
make_vms(struct policy_vm *v, size_t n, uint64_t *sum_demand,
    uint64_t *sum_min)
{
	uint64_t seed = 42;
	size_t i;

	*sum_demand = *sum_min = 0;
	for (i = 0; i < n; i++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		v[i].maximum = (512 + (seed >> 33) % 4096) * MIB;
		v[i].minimum = (64 + (seed >> 20) % 256) * MIB;
		v[i].demand = ((seed >> 40) % 4096) * MIB;
		v[i].assigned = (256 + (seed >> 12) % 2048) * MIB;
		v[i].buffer = 20;
		v[i].weight = (long)((seed >> 50) % 101);
		v[i].stats = PS_FRESH;
		v[i].surplus_since = (seed >> 8) % 3 ? -1 : 700;
		*sum_demand += v[i].demand;
		*sum_min += v[i].minimum;
	}
}

/* In a child: plan rounds times per regime; print the median and worst
 * time over all regimes and the child's peak RSS. */
static void
run_size(size_t n, int rounds)
{
	struct policy_vm *v = xcalloc(n, sizeof(*v));
	struct policy_out *o = xcalloc(n, sizeof(*o));
	double *t = xcalloc((size_t)rounds * 3, sizeof(*t));
	uint64_t sd, sm, pools[3];
	struct rusage ru;
	int r, k, m = 0;

	make_vms(v, n, &sd, &sm);
	pools[0] = sd * 2;			/* plenty */
	pools[1] = sd + sd / 20;		/* buffers short */
	pools[2] = sm + (sd > sm ? sd - sm : 0) / 3;	/* demand short */
	for (k = 0; k < 3; k++) {
		struct policy_input in = { pools[k], 1000, 300, 8 * MIB, v, n };

		for (r = 0; r < rounds; r++) {
			double a = now();

			policy_plan(&in, o);
			t[m++] = now() - a;
		}
	}
	qsort(t, (size_t)m, sizeof(*t), cmp_double);
	getrusage(RUSAGE_SELF, &ru);
	printf("policy_plan, %5zu VMs: median %.3f ms, worst %.3f ms "
	    "(%d runs over 3 pool regimes), peak RSS %.1f MiB\n", n,
	    t[m / 2] * 1e3, t[m - 1] * 1e3, m, (double)ru.ru_maxrss / 1024);
	fflush(stdout);
	free(v);
	free(o);
	free(t);
}

int
main(int argc, char **argv)
{
	static const size_t sizes[] = { 10, 100, 1000, 10000 };
	bool smoke = argc > 1 && strcmp(argv[1], "--smoke") == 0;
	size_t i, last = smoke ? 3 : DM_ARRAY_LEN(sizes);
	int failed = 0;

	dm_progname = "policy_scale";
	for (i = 0; i < last; i++) {
		pid_t pid = fork();
		int st;

		if (pid == 0) {
			run_size(sizes[i], smoke ? 1 : 21);
			_exit(0);
		}
		if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			failed = 1;
	}
	return failed;
}
