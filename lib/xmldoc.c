/* SPDX-License-Identifier: GPL-2.0-or-later */
/* xmldoc.c - read XML text with libxml2, safely and quietly. */
#include "xmldoc.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

struct _xmlDoc *
xmldoc_read(const char *text, size_t len, const char *url, char *err,
    size_t errlen)
{
	xmlDocPtr doc = NULL;
	const xmlError *e;

	xmlResetLastError();
	if (len <= INT_MAX)
		doc = xmlReadMemory(text, (int)len, url, NULL,
		    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc && (doc->intSubset || doc->extSubset)) {
		if (err)
			snprintf(err, errlen, "a DOCTYPE is not allowed");
		xmlFreeDoc(doc);
		return NULL;
	}
	if (!doc && err) {
		e = xmlGetLastError();
		snprintf(err, errlen, "not well-formed XML: %s",
		    e && e->message ? e->message : "parse error");
		/* libxml2 messages end in a newline; ours do not. */
		err[strcspn(err, "\n")] = '\0';
	}
	return doc;
}
