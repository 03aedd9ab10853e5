# SPDX-License-Identifier: GPL-2.0-or-later
# setup_suite.bash - once for the whole command suite: a private libvirt
# daemon and two tiny real guests that the test files share, so that the
# suite boots guests once instead of per test. bats runs teardown_suite
# even after failures, and the test bed removes everything it made.

# shellcheck source=../testbed/testbed.bash
source "$BATS_TEST_DIRNAME/../testbed/testbed.bash"

setup_suite() {
	tb_build_guest
	tb_start
	tb_env
	# One guest for reading demand, one for changing settings.
	tb_define_vm gshow --memory 1024 --current 256 --start
	tb_define_vm gset --memory 1024 --current 256 --start
	tb_wait_ready gshow 120
	tb_wait_ready gset 120
}

teardown_suite() {
	tb_stop
}
