/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_bstate.c - the balancer-state parser: never crash, and what it
 * accepts formats and parses back equal. */
#include "fuzz.h"

#include <libxml/parser.h>

#include "bstate.h"
#include "xmldoc.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	xmlDocPtr doc, doc2;
	struct bstate st, st2;
	char *again;

	if (size > 65536)
		return 0;
	doc = xmldoc_read((const char *)data, size, "state.xml", NULL, 0);
	if (!doc)
		return 0;
	if (xmlDocGetRootElement(doc) &&
	    bstate_parse_node(xmlDocGetRootElement(doc), &st) == 0) {
		again = bstate_format(&st);
		doc2 = xmldoc_read(again, strlen(again), "state.xml", NULL, 0);
		FUZZ_ASSERT(doc2 && bstate_parse_node(
		    xmlDocGetRootElement(doc2), &st2) == 0 &&
		    bstate_equal(&st, &st2));
		xmlFreeDoc(doc2);
		free(again);
	}
	xmlFreeDoc(doc);
	return 0;
}
