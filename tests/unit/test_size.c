/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_size.c - sizes as admins type them, and as dmctl prints them. */
#include "size.h"
#include "unit.h"

static void
parses(const char *s, uint64_t want)
{
	const char *why = NULL;
	uint64_t got = 0;
	int rc = size_parse(s, 1, &got, &why);

	CHECK(rc == 0 && got == want, "'%s' is %" PRIu64 " bytes (got %"
	    PRIu64 ", %s)", s, want, got, why ? why : "ok");
}

static void
refuses(const char *s, const char *want_why)
{
	const char *why = NULL;
	uint64_t got = 0;

	CHECK(size_parse(s, 1, &got, &why) < 0 && why &&
	    strstr(why, want_why), "'%s' refused: %s", s, why ? why : "-");
}

int
main(void)
{
	char buf[32];
	long n;
	const char *why;
	uint64_t mult;

	parses("1073741824", GIB);
	parses("512M", 512 * MIB);
	parses("512MiB", 512 * MIB);
	parses("512m", 512 * MIB);
	parses("4G", 4 * GIB);
	parses("4GiB", 4 * GIB);
	parses("1T", 1024 * GIB);
	parses("1TiB", 1024 * GIB);
	parses("64K", 64 * KIB);
	parses("64KiB", 64 * KIB);
	parses("1KB", 1000);
	parses("2MB", 2000000);
	parses("100b", 100);
	parses("15E", 15ULL * 1024 * 1024 * 1024 * GIB);

	refuses("-1G", "negative");
	refuses("0", "greater than zero");
	refuses("0M", "greater than zero");
	refuses("", "not a size");
	refuses("G", "not a size");
	refuses("12Q", "not a size");
	refuses("1.5G", "not a size");
	refuses("512M ", "not a size");
	refuses(" 512M", "not a size");
	refuses("512MiBx", "not a size");
	refuses("+5", "not a size");
	refuses("18446744073709551616", "too large");
	refuses("16E", "too large");
	refuses("16385P", "too large");
	refuses("17179869184G", "too large");

	CHECK(size_parse("512", KIB, &mult, &why) == 0 && mult == 512 * KIB,
	    "a bare number takes the default unit");
	CHECK(size_unit("KiB", &mult) == 0 && mult == KIB, "unit KiB");
	CHECK(size_unit("kib", &mult) == 0 && mult == KIB, "unit kib");
	CHECK(size_unit("bytes", &mult) == 0 && mult == 1, "unit bytes");
	CHECK(size_unit("KiBs", &mult) < 0, "unit KiBs is unknown");

	CHECK(number_parse("20", 5, 2000, &n, &why) == 0 && n == 20, "20");
	CHECK(number_parse("4", 5, 2000, &n, &why) < 0 &&
	    strstr(why, "range"), "4 is below 5");
	CHECK(number_parse("2001", 5, 2000, &n, &why) < 0, "2001 above");
	CHECK(number_parse("20x", 5, 2000, &n, &why) < 0 &&
	    strstr(why, "whole"), "20x is junk");
	CHECK(number_parse("", 0, 100, &n, &why) < 0, "empty is refused");
	CHECK(number_parse("99999999999999999999", 0, 100, &n, &why) < 0,
	    "overflow is refused");
	CHECK(number_parse("-1", 0, 100, &n, &why) < 0 &&
	    strstr(why, "range"), "-1 is out of range");

	CHECK_STR(size_human(512 * KIB, buf, sizeof(buf)), "512K", "512K");
	CHECK_STR(size_human(256 * MIB, buf, sizeof(buf)), "256M", "256M");
	CHECK_STR(size_human(GIB + GIB / 2, buf, sizeof(buf)), "1.5G", "1.5G");
	CHECK_STR(size_human(2048 * GIB, buf, sizeof(buf)), "2.0T", "2.0T");
	CHECK(size_mib_floor(0) == 0 && size_mib_floor((int64_t)(3 * MIB - 1)) == 2
	    && size_mib_floor(-1) == -1 && size_mib_floor(-(int64_t)MIB) == -1 &&
	    size_mib_floor(-(int64_t)MIB - 1) == -2, "whole MiB, rounded down, "
	    "negative too");
	return unit_done();
}
