/* SPDX-License-Identifier: GPL-2.0-or-later */
/* setconf.c - check, then write, a VM's dynamic memory settings. */
#include "setconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domdef.h"
#include "domxml.h"
#include "size.h"
#include "util.h"
#include "virt.h"

/* What a copy of the domain says of its memory. */
struct sizes {
	uint64_t current;	/* what it boots with or runs at */
	uint64_t memory;	/* the most it can have */
	bool hot;		/* it grows by hot-add */
	char *xml;		/* the persistent definition, for a dry run */
};

/*
 * Read one copy's sizes for filling in missing settings: startup from its
 * current size (a hot-add VM's boot memory, without what is plugged, which
 * libvirt's figures include), maximum from <memory>.
 */
static int
read_sizes(struct setjob *job, unsigned which, struct sizes *z)
{
	bool live = which == VIR_DOMAIN_AFFECT_LIVE;
	struct domxml d;
	char err[256];
	int rc = 0;

	memset(z, 0, sizeof(*z));
	z->xml = virDomainGetXMLDesc(job->dom, live ? 0 :
	    VIR_DOMAIN_XML_INACTIVE);
	if (!z->xml)
		return dm_error("VM '%s': cannot read its definition: %s",
		    job->name, virt_errmsg());
	if (domxml_parse(z->xml, &d, err, sizeof(err)) < 0) {
		rc = dm_error("VM '%s': %s", job->name, err);
		goto out;
	}
	z->hot = d.nmem > 0;
	if (z->hot) {
		z->current = domxml_boot_memory(&d);
		z->memory = d.memory;
	} else if (live) {
		virDomainInfo info;

		/* The balloon's size, fresher than the live XML's. */
		if (virDomainGetInfo(job->dom, &info) < 0) {
			rc = dm_error("VM '%s': %s", job->name, virt_errmsg());
		} else {
			z->current = (uint64_t)info.memory * KIB;
			z->memory = (uint64_t)info.maxMem * KIB;
		}
	} else {
		z->memory = d.memory;
		z->current = d.current_memory ? d.current_memory : d.memory;
	}
	domxml_free(&d);
	if (rc == 0 && !z->memory)
		rc = dm_error("VM '%s': cannot read its memory size",
		    job->name);
out:
	if (rc < 0 || live) {
		free(z->xml);
		z->xml = NULL;
	}
	return rc;
}

/* Read one copy's settings and merge the change into it. */
static int
merge(struct setjob *job, unsigned which, const struct vmconf_change *ch,
    const struct sizes *z, uint64_t host_memory, struct vmconf *old,
    struct vmconf *out)
{
	const char *copy = which == VIR_DOMAIN_AFFECT_LIVE ? "live" :
	    "persistent";
	char err[512];
	int found;

	found = virt_conf_get(job->dom, which, old, err, sizeof(err));
	if (found < 0)
		return dm_error("VM '%s': invalid settings in its %s metadata: "
		    "%s (fix or remove them with 'virsh metadata %s %s')",
		    job->name, copy, err, job->name, VMCONF_NS);
	if (which == VIR_DOMAIN_AFFECT_LIVE)
		job->live_found = found;
	else
		job->config_found = found;

	if (vmconf_change_check(ch, host_memory, err, sizeof(err)) < 0)
		return dm_error("VM '%s': %s", job->name, err);
	*out = *old;
	vmconf_apply(out, ch);
	vmconf_fill(out, z->current, z->memory);
	if (vmconf_check(out, host_memory, err, sizeof(err)) < 0) {
		/* A maximum taken from a large <memory> is not the admin's
		 * doing: say how to get past it. */
		bool hint = !ch->v.maximum && out->maximum > host_memory;

		return dm_error("VM '%s': %s%s", job->name, err, hint ?
		    " (give --maximum)" : "");
	}
	/* The persistent copy must fit the domain it boots, unless this
	 * set rewrites its memory to fit. */
	if (which == VIR_DOMAIN_AFFECT_CONFIG && !job->set_memory) {
		char *why = vmconf_against(out, z->memory);

		if (why) {
			dm_error("VM '%s': %s", job->name, why);
			free(why);
			return -1;
		}
	}
	return 0;
}

/* Rewrite the persistent definition as the commit will, to find what it
 * would refuse before anything is written. */
static int
dry_run(struct setjob *job, const struct sizes *z)
{
	char err[512], *out;

	out = domdef_rewrite(z->xml, &job->config_new, job->set_memory,
	    job->grow, err, sizeof(err));
	if (!out)
		return dm_error("VM '%s': %s", job->name, err);
	free(out);
	return 0;
}

int
setjob_prepare(struct setjob *job, virDomainPtr dom, const char *name,
    const struct vmconf_change *ch, int grow, unsigned scope,
    uint64_t host_memory)
{
	int active, persistent, rc = -1;
	struct sizes live, conf;
	bool boot_size;

	memset(job, 0, sizeof(*job));
	job->dom = dom;
	job->name = name;
	job->grow = grow;
	if ((active = virDomainIsActive(dom)) < 0 ||
	    (persistent = virDomainIsPersistent(dom)) < 0)
		return dm_error("VM '%s': %s", name, virt_errmsg());
	job->running = active;
	if (scope & SCOPE_CURRENT) {
		job->do_live = active;
		job->do_config = !active;
	} else if (scope) {
		job->do_live = scope & SCOPE_LIVE;
		job->do_config = scope & SCOPE_CONFIG;
	} else {
		/* Our default: change what runs now and what boots next. */
		job->do_live = active;
		job->do_config = persistent;
	}
	if (job->do_live && !active)
		return dm_error("VM '%s': not running, so it has no live "
		    "settings (use --config)", name);
	if (job->do_config && !persistent)
		return dm_error("VM '%s': transient, so it has no persistent "
		    "config (use --live)", name);
	if ((vmconf_change_boot(ch) || grow != DOMDEF_KEEP) && !job->do_config)
		return dm_error("VM '%s': startup, maximum and hot-add are boot "
		    "settings: they need the persistent config (use --config)",
		    name);
	memset(&conf, 0, sizeof(conf));
	/* The live copy says how a running VM grows now, even when only its
	 * config is changed. */
	if (active && read_sizes(job, VIR_DOMAIN_AFFECT_LIVE, &live) < 0)
		return -1;
	/* Defaults come from the boot size in both copies: the balloon of
	 * a VM that is booting shows all of <memory> for a while, and
	 * would make a startup and minimum of its momentary size. */
	boot_size = active && persistent && !live.hot;
	if ((job->do_config || boot_size) &&
	    read_sizes(job, VIR_DOMAIN_AFFECT_CONFIG, &conf) < 0)
		return -1;
	if (boot_size && conf.current)
		live.current = conf.current;
	job->hot_now = active ? live.hot : conf.hot;
	job->hot_next = job->hot_now;
	/* Decided once: a rewritten layout may leave the old <memory>
	 * (merge), and the dry run and the commit rewrite it. */
	if (job->do_config) {
		job->set_memory = vmconf_change_boot(ch) ||
		    (grow != DOMDEF_KEEP && grow != conf.hot);
		job->hot_next = grow == DOMDEF_KEEP ? conf.hot : grow;
	}
	if (job->do_live && merge(job, VIR_DOMAIN_AFFECT_LIVE, ch, &live,
	    host_memory, &job->live_old, &job->live_new) < 0)
		goto out;
	if (job->do_config && (merge(job, VIR_DOMAIN_AFFECT_CONFIG, ch, &conf,
	    host_memory, &job->config_old, &job->config_new) < 0 ||
	    dry_run(job, &conf) < 0))
		goto out;
	rc = 0;
out:
	free(conf.xml);
	return rc;
}

/* The copy still holds the settings setjob_prepare read. */
static bool
unchanged(const struct setjob *job, unsigned which, int found0,
    const struct vmconf *old)
{
	struct vmconf now;
	char err[512];
	int found = virt_conf_get(job->dom, which, &now, err, sizeof(err));

	return found == found0 && (!found || vmconf_equal(&now, old));
}

int
setjob_commit(struct setjob *job)
{
	char err[512], err2[512];

	if ((job->do_live && !unchanged(job, VIR_DOMAIN_AFFECT_LIVE,
	    job->live_found, &job->live_old)) || (job->do_config &&
	    !unchanged(job, VIR_DOMAIN_AFFECT_CONFIG, job->config_found,
	    &job->config_old)))
		return SETJOB_CHANGED;

	if (job->do_live && virt_conf_set_live(job->dom, &job->live_new, err,
	    sizeof(err)) < 0)
		return dm_error("VM '%s': %s", job->name, err);
	if (job->do_config && virt_conf_set_config(job->dom, &job->config_new,
	    job->set_memory, job->grow, err, sizeof(err)) < 0) {
		if (job->do_live && virt_conf_set_live(job->dom,
		    job->live_found ? &job->live_old : NULL, err2,
		    sizeof(err2)) < 0)
			dm_warn("VM '%s': could not restore the live settings "
			    "after a failure: %s", job->name, err2);
		return dm_error("VM '%s': %s", job->name, err);
	}
	return 0;
}
