/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xmldoc.h - the one way dmctl reads XML text with libxml2: from memory,
 * never from the network, quietly (libxml2 prints nothing; the caller
 * words the error), and without a DOCTYPE.
 */
#ifndef DM_XMLDOC_H
#define DM_XMLDOC_H

#include <stddef.h>

struct _xmlDoc;

/*
 * Parse len bytes of text as a document named url (for libxml2's own
 * messages). A DOCTYPE is refused: its entities could expand without
 * bound. On failure NULL, and err (if not NULL) says why: "a DOCTYPE is
 * not allowed" or "not well-formed XML: <libxml2's reason>", on one line.
 * Free the document with xmlFreeDoc.
 */
struct _xmlDoc *xmldoc_read(const char *text, size_t len, const char *url,
    char *err, size_t errlen);

#endif
