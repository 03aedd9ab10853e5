/* setconf.c - check, then write, a VM's dynamic memory settings. */
#include "setconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "size.h"
#include "util.h"
#include "virt.h"

/* <memory> and <currentMemory> of the persistent definition, in bytes. */
static int
config_memory(virDomainPtr dom, uint64_t *current, uint64_t *memory)
{
	char *xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
	xmlDocPtr doc;
	xmlNodePtr k;
	int found = 0;

	if (!xml)
		return -1;
	doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	free(xml);
	if (!doc)
		return -1;
	for (k = xmlDocGetRootElement(doc)->children; k; k = k->next) {
		uint64_t *dst, mult = KIB, v;
		xmlChar *unit, *text;
		const char *why;

		if (k->type != XML_ELEMENT_NODE)
			continue;
		if (strcmp((const char *)k->name, "memory") == 0)
			dst = memory;
		else if (strcmp((const char *)k->name, "currentMemory") == 0)
			dst = current;
		else
			continue;
		unit = xmlGetProp(k, BAD_CAST "unit");
		text = xmlNodeGetContent(k);
		if ((!unit || size_unit((const char *)unit, &mult) == 0) &&
		    text && size_parse((const char *)text, mult, &v, &why) == 0) {
			*dst = v;
			found++;
		}
		xmlFree(unit);
		xmlFree(text);
	}
	xmlFreeDoc(doc);
	if (found && !*current)
		*current = *memory;
	return found ? 0 : -1;
}

/* Read one copy's settings and merge the change into it. */
static int
merge(struct setjob *job, unsigned which, const struct vmconf_change *ch,
    uint64_t host_memory, struct vmconf *old, struct vmconf *out)
{
	const char *copy = which == VIR_DOMAIN_AFFECT_LIVE ? "live" :
	    "persistent";
	uint64_t current = 0, memory = 0;
	char err[512];
	int found;

	found = virt_conf_get(job->dom, which, old, err, sizeof(err));
	if (found < 0)
		return dm_error("VM '%s': invalid settings in its %s metadata: "
		    "%s (fix or remove them with 'virsh metadata %s %s')",
		    job->name, copy, err, job->name, VMCONF_NS);
	if (which == VIR_DOMAIN_AFFECT_LIVE)
		job->live_found = found;
	if (which == VIR_DOMAIN_AFFECT_LIVE) {
		virDomainInfo info;

		if (virDomainGetInfo(job->dom, &info) < 0)
			return dm_error("VM '%s': %s", job->name,
			    virt_errmsg());
		current = (uint64_t)info.memory * KIB;
		memory = (uint64_t)info.maxMem * KIB;
	} else if (config_memory(job->dom, &current, &memory) < 0)
		return dm_error("VM '%s': cannot read its memory size: %s",
		    job->name, virt_errmsg());

	*out = *old;
	vmconf_apply(out, ch);
	vmconf_fill(out, current, memory);
	if (vmconf_check(out, host_memory, err, sizeof(err)) < 0) {
		/* A maximum taken from a large <memory> is not the admin's
		 * doing: say how to get past it. */
		bool hint = !ch->v.maximum && out->maximum > host_memory;

		return dm_error("VM '%s': %s%s", job->name, err, hint ?
		    " (give --maximum)" : "");
	}
	return 0;
}

int
setjob_prepare(struct setjob *job, virDomainPtr dom, const char *name,
    const struct vmconf_change *ch, unsigned scope, uint64_t host_memory)
{
	int active, persistent;
	struct vmconf scratch;

	memset(job, 0, sizeof(*job));
	job->dom = dom;
	job->name = name;
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
	job->set_memory = ch->v.startup || ch->v.maximum;
	if (job->set_memory && !job->do_config)
		return dm_error("VM '%s': startup and maximum are boot "
		    "settings: they need the persistent config (use --config)",
		    name);
	if (job->do_live && merge(job, VIR_DOMAIN_AFFECT_LIVE, ch, host_memory,
	    &job->live_old, &job->live_new) < 0)
		return -1;
	if (job->do_config && merge(job, VIR_DOMAIN_AFFECT_CONFIG, ch,
	    host_memory, &scratch, &job->config_new) < 0)
		return -1;
	return 0;
}

int
setjob_commit(struct setjob *job)
{
	char err[512], err2[512];

	if (job->do_live && virt_conf_set_live(job->dom, &job->live_new, err,
	    sizeof(err)) < 0)
		return dm_error("VM '%s': %s", job->name, err);
	if (job->do_config && virt_conf_set_config(job->dom, &job->config_new,
	    job->set_memory, err, sizeof(err)) < 0) {
		if (job->do_live && virt_conf_set_live(job->dom,
		    job->live_found ? &job->live_old : NULL, err2,
		    sizeof(err2)) < 0)
			dm_warn("VM '%s': could not restore the live settings "
			    "after a failure: %s", job->name, err2);
		return dm_error("VM '%s': %s", job->name, err);
	}
	return 0;
}
