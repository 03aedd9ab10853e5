/* SPDX-License-Identifier: GPL-2.0-or-later */
/* prom.c - the metric table and its emitter in the text exposition format. */
#include "prom.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fields.h"
#include "util.h"

enum prom_src {
	PROM_VM,	/* a vm_columns getter, per VM */
	PROM_STATUS,	/* one series of the status set, per VM */
	PROM_HOST,	/* a host_fields getter */
	PROM_COUNT,	/* a uint64_t of struct prom_tally */
	PROM_SECONDS,	/* a double of struct prom_tally, in seconds */
};

struct prom_metric {
	const char *name;
	const char *type;	/* "gauge" or "counter" */
	const char *help;
	enum prom_src src;
	size_t field;		/* enum col_id, enum host_id, or an offset
				 * into struct prom_tally */
	bool percent;		/* the getter gives a percent: print a ratio */
	const char *label;	/* a label of this series besides the VM's */
	const char *value;	/* ... and its value */
};

#define VM_BYTES(n, col, h) \
	{ "dmctl_vm_" n "_bytes", "gauge", h, PROM_VM, col, false, NULL, NULL }
#define VM_STATUS(st) \
	{ "dmctl_vm_status", "gauge", "1 for the VM's status, 0 for the " \
	    "others (a VM with invalid settings is unknown)", PROM_STATUS, 0, \
	    false, "status", st }
#define HOST_BYTES(n, f, h) \
	{ "dmctl_" n "_bytes", "gauge", h, PROM_HOST, f, false, NULL, NULL }
#define TALLY(n, f, h) { "dmctl_balancer_" n, "counter", h, PROM_COUNT, \
	offsetof(struct prom_tally, f), false, NULL, NULL }
#define CHANGES(f, dir) { "dmctl_balancer_changes_total", "counter", \
	"VMs the balancer grew (add) or shrank (reclaim)", PROM_COUNT, \
	offsetof(struct prom_tally, f), false, "direction", dir }

/* Rows of one name are one metric family, and so must be adjacent. */
static const struct prom_metric metrics[] = {
	VM_BYTES("assigned", COL_ASSIGNED, "memory the VM has now"),
	VM_BYTES("demand", COL_DEMAND, "memory the guest uses (its stats)"),
	VM_BYTES("startup", COL_STARTUP, "memory the VM starts with"),
	VM_BYTES("minimum", COL_MINIMUM, "least the balancer leaves the VM"),
	VM_BYTES("maximum", COL_MAXIMUM, "most the balancer gives the VM"),
	VM_BYTES("plugged", COL_PLUGGED, "memory plugged (hot-add VMs)"),
	{ "dmctl_vm_buffer_ratio", "gauge", "buffer wanted on top of demand, "
	    "as a fraction of demand", PROM_VM, COL_BUFFER, true, NULL, NULL },
	{ "dmctl_vm_weight", "gauge", "the VM's share when memory is short",
	    PROM_VM, COL_WEIGHT, false, NULL, NULL },
	{ "dmctl_vm_pressure_ratio", "gauge", "demand divided by assigned "
	    "memory", PROM_VM, COL_PRESSURE, true, NULL, NULL },
	VM_STATUS("ok"), VM_STATUS("low"), VM_STATUS("warning"),
	VM_STATUS("unknown"),
	{ "dmctl_vm_dynamic", "gauge", "1 if the balancer manages the VM's "
	    "memory, 0 if static", PROM_VM, COL_MODE, false, NULL, NULL },
	HOST_BYTES("pool_capacity", HOST_POOL, "memory the dynamic VMs share"),
	HOST_BYTES("pool_assigned", HOST_ASSIGNED, "memory running dynamic "
	    "VMs have"),
	HOST_BYTES("pool_free", HOST_FREE, "pool memory not assigned "
	    "(negative when overcommitted)"),
	HOST_BYTES("host_reserve", HOST_RESERVE, "memory kept for the host"),
	TALLY("passes_total", passes, "balancing passes run"),
	CHANGES(adds, "add"), CHANGES(reclaims, "reclaim"),
	TALLY("moved_bytes_total", moved, "memory moved, either way"),
	TALLY("errors_total", errors, "VMs that could not be set or have "
	    "invalid settings, and passes that could not run"),
	{ "dmctl_balancer_pass_seconds", "gauge", "how long the last pass "
	    "took", PROM_SECONDS, offsetof(struct prom_tally, pass_seconds),
	    false, NULL, NULL },
};

void
prom_label(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

/* The series' name and labels, up to the value. */
static void
series(FILE *f, const struct prom_metric *m, const struct vm *vm)
{
	const char *sep = "{";

	fputs(m->name, f);
	if (vm) {
		fputs("{domain=\"", f);
		prom_label(f, vm->name);
		fputs("\",uuid=\"", f);
		prom_label(f, vm->uuid);
		fputc('"', f);
		sep = ",";
	}
	if (m->label)
		fprintf(f, "%s%s=\"%s\"", sep, m->label, m->value);
	fputs(vm || m->label ? "} " : " ", f);
}

/* One value as read by a getter; nothing when it is unknown. Numbers are
 * printed without printf's %g, which follows LC_NUMERIC. */
static void
put_value(FILE *f, const struct prom_metric *m, const struct vm *vm,
    const struct value *v)
{
	switch (v->kind) {
	case VAL_SIZE:
		series(f, m, vm);
		fprintf(f, "%llu\n", (unsigned long long)v->size);
		break;
	case VAL_INT:
		series(f, m, vm);
		if (m->percent)
			fprintf(f, "%s%lld.%02lld\n", v->i < 0 ? "-" : "",
			    llabs(v->i) / 100, llabs(v->i) % 100);
		else
			fprintf(f, "%lld\n", v->i);
		break;
	case VAL_BOOL:
		series(f, m, vm);
		fputs(v->b ? "1\n" : "0\n", f);
		break;
	default:
		break;
	}
}

/* One series of the status set: none (static or shut off) has none,
 * invalid settings count as unknown. */
static void
put_status(FILE *f, const struct prom_metric *m, const struct vm *vm)
{
	struct value v = { .kind = VAL_NULL };
	const char *st;

	vm_columns[COL_STATUS].get(vm, &v);
	if (v.kind != VAL_STR || !strcmp(v.s, "none"))
		return;
	st = !strcmp(v.s, "invalid") ? "unknown" : v.s;
	series(f, m, vm);
	fputs(!strcasecmp(st, m->value) ? "1\n" : "0\n", f);
}

static void
put_tally(FILE *f, const struct prom_metric *m, const struct prom_tally *t)
{
	const char *p = (const char *)t + m->field;
	uint64_t u;
	double d;

	series(f, m, NULL);
	if (m->src == PROM_COUNT) {
		memcpy(&u, p, sizeof(u));
		fprintf(f, "%llu\n", (unsigned long long)u);
		return;
	}
	memcpy(&d, p, sizeof(d));
	u = d > 0 ? (uint64_t)(d * 1e6 + 0.5) : 0;
	fprintf(f, "%llu.%06llu\n", (unsigned long long)(u / 1000000),
	    (unsigned long long)(u % 1000000));
}

static void
put_metric(FILE *f, const struct prom_metric *m, const struct snapshot *s,
    const struct prom_tally *t)
{
	struct value v;
	size_t i;

	switch (m->src) {
	case PROM_VM:
	case PROM_STATUS:
		for (i = 0; i < s->n; i++) {
			memset(&v, 0, sizeof(v));
			if (m->src == PROM_STATUS)
				put_status(f, m, &s->vms[i]);
			else {
				vm_columns[m->field].get(&s->vms[i], &v);
				put_value(f, m, &s->vms[i], &v);
			}
		}
		break;
	case PROM_HOST:
		memset(&v, 0, sizeof(v));
		host_fields[m->field].get(&s->host, &v);
		put_value(f, m, NULL, &v);
		break;
	default:
		put_tally(f, m, t);
		break;
	}
}

void
prom_print(FILE *f, const struct snapshot *s, const struct prom_tally *t)
{
	size_t i;

	for (i = 0; i < DM_ARRAY_LEN(metrics); i++) {
		const struct prom_metric *m = &metrics[i];
		bool counter = m->src == PROM_COUNT || m->src == PROM_SECONDS;

		if (counter ? !t : !s)
			continue;
		/* HELP and TYPE once per family, even one without a
		 * series (no VM). */
		if (!i || strcmp(metrics[i - 1].name, m->name))
			fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", m->name,
			    m->help, m->name, m->type);
		put_metric(f, m, s, t);
	}
}

int
prom_write_textfile(const char *dir, const struct snapshot *s,
    const struct prom_tally *t, char *err, size_t len)
{
	char *tmp = xasprintf("%s/.%s.XXXXXX", dir, PROM_TEXTFILE);
	char *path = xasprintf("%s/%s", dir, PROM_TEXTFILE);
	int fd = mkstemp(tmp), rc = -1;
	FILE *f = NULL;

	if (fd < 0) {
		snprintf(err, len, "cannot create a file in '%s': %s", dir,
		    strerror(errno));
		goto out;
	}
	/* Readable by node_exporter, which need not run as root. */
	if (fchmod(fd, 0644) < 0 || !(f = fdopen(fd, "w"))) {
		snprintf(err, len, "'%s': %s", tmp, strerror(errno));
		close(fd);
		goto out;
	}
	prom_print(f, s, t);
	if (fflush(f) != 0 || ferror(f) || fsync(fd) < 0) {
		snprintf(err, len, "cannot write '%s': %s", tmp,
		    strerror(errno));
		goto out;
	}
	if (rename(tmp, path) < 0) {
		snprintf(err, len, "cannot rename '%s' to '%s': %s", tmp,
		    path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (f)
		fclose(f);
	if (rc < 0 && fd >= 0)
		unlink(tmp);
	free(tmp);
	free(path);
	return rc;
}
