/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_json.c - the streaming JSON writer: commas, nesting, escaping. */
#include <stdio.h>
#include <stdlib.h>

#include "json.h"
#include "unit.h"

/* What the writer wrote through j since json_init; the caller frees it. */
struct mem {
	FILE *f;
	char *buf;
	size_t len;
};

static struct json
mem_open(struct mem *m)
{
	struct json j;

	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	json_init(&j, m->f);
	return j;
}

static char *
mem_close(struct mem *m)
{
	fclose(m->f);
	return m->buf;
}

/* Close m and check what was written. */
static void
expect(struct mem *m, const char *want, const char *what)
{
	char *out = mem_close(m);

	CHECK_STR(out, want, what);
	free(out);
}

static void
check_empty(void)
{
	struct mem m;
	struct json j;

	j = mem_open(&m);
	json_obj_begin(&j, NULL);
	json_obj_end(&j);
	json_end(&j);
	expect(&m, "{}\n", "an empty object, and the newline at the end");

	j = mem_open(&m);
	json_arr_begin(&j, NULL);
	json_arr_end(&j);
	expect(&m, "[]", "an empty array");
}

static void
check_kinds(void)
{
	struct mem m;
	struct json j;

	/* Every kind of value, with a comma between siblings only. */
	j = mem_open(&m);
	json_obj_begin(&j, NULL);
	json_str(&j, "s", "text");
	json_int(&j, "i", -42);
	json_uint(&j, "u", 18446744073709551615ULL);
	json_bool(&j, "t", true);
	json_bool(&j, "f", false);
	json_null(&j, "n");
	json_obj_end(&j);
	expect(&m, "{\"s\":\"text\",\"i\":-42,\"u\":18446744073709551615,"
	    "\"t\":true,\"f\":false,\"n\":null}", "each kind of value, "
	    "comma-separated");
}

static void
check_nesting(void)
{
	struct mem m;
	struct json j;

	/* Nesting: each level keeps its own comma; values in an array
	 * have no key. */
	j = mem_open(&m);
	json_obj_begin(&j, NULL);
	json_obj_begin(&j, "host");
	json_uint(&j, "total", 1);
	json_obj_end(&j);
	json_arr_begin(&j, "vms");
	json_obj_begin(&j, NULL);
	json_str(&j, "name", "a");
	json_arr_begin(&j, "list");
	json_int(&j, NULL, 1);
	json_str(&j, NULL, "two");
	json_null(&j, NULL);
	json_arr_end(&j);
	json_obj_end(&j);
	json_obj_begin(&j, NULL);
	json_obj_end(&j);
	json_arr_end(&j);
	json_arr_begin(&j, "empty");
	json_arr_end(&j);
	json_bool(&j, "last", true);
	json_obj_end(&j);
	json_end(&j);
	expect(&m, "{\"host\":{\"total\":1},\"vms\":[{\"name\":\"a\","
	    "\"list\":[1,\"two\",null]},{}],\"empty\":[],\"last\":true}\n",
	    "nested objects and arrays");
}

static void
check_strings(void)
{
	struct mem m;
	struct json j;

	/* Escaping, in values and in keys: quotes, backslashes, the named
	 * controls, other controls as \u00XX; UTF-8 passes through. */
	j = mem_open(&m);
	json_obj_begin(&j, NULL);
	json_str(&j, "k\"\\", "a\"b\\c\nd\te\rf\x01g\x1fh\xc3\xa9i/");
	json_obj_end(&j);
	expect(&m, "{\"k\\\"\\\\\":\"a\\\"b\\\\c\\nd\\te\\rf\\u0001g"
	    "\\u001fh\xc3\xa9i/\"}", "escaping of quotes, backslashes and "
	    "control bytes; UTF-8 kept");

	j = mem_open(&m);
	json_str(&j, NULL, "");
	expect(&m, "\"\"", "an empty string");
}

/* Deep nesting within the writer's 32 levels closes as it opened. */
static void
check_depth(void)
{
	struct mem m;
	struct json j;
	char *out;
	int d;

	j = mem_open(&m);
	for (d = 0; d < 31; d++)
		json_arr_begin(&j, NULL);
	json_int(&j, NULL, 1);
	json_int(&j, NULL, 2);
	for (d = 0; d < 31; d++)
		json_arr_end(&j);
	out = mem_close(&m);
	CHECK(strlen(out) == 31 * 2 + 3 && !strncmp(out + 31, "1,2", 3) &&
	    j.depth == 0, "31 levels deep: [[...[1,2]...]]");
	free(out);
}

int
main(void)
{
	check_empty();
	check_kinds();
	check_nesting();
	check_strings();
	check_depth();
	return unit_done();
}
