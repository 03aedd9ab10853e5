# SPDX-License-Identifier: GPL-2.0-or-later
# dmctl - dynamic memory for libvirt/KVM guests.
#
#   make                build bin/dmctl
#   make check          unit tests and command tests (real libvirt daemon)
#   make check SANITIZE=1   the same under ASan and UBSan
#   make fuzz-check     the libFuzzer harnesses, FUZZ_TIME seconds each
#   make install        PREFIX=/usr/local DESTDIR= SYSCONFDIR=/etc
#   make deb-check      build, lint, install and purge the Debian package
#   make demo           a private demo host (see README)
#   make screenshot     the README's picture of dmtop (dist/dmtop.png)

VERSION  = 0.1.0
PREFIX  ?= /usr/local
BINDIR   = $(PREFIX)/bin
MANDIR   = $(PREFIX)/share/man
BASHCOMPDIR = $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  = $(PREFIX)/share/zsh/vendor-completions
SYSCONFDIR ?= /etc
# The systemd unit goes where systemd looks: under /usr, where systemd's
# pkg-config file says (/lib/systemd/system on Debian 12), else in PREFIX.
ifeq ($(PREFIX),/usr)
UNITDIR ?= $(or $(shell pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null),/usr/lib/systemd/system)
endif
UNITDIR ?= $(PREFIX)/lib/systemd/system
# libvirt runs hooks only from its own /etc/libvirt/hooks (no override).
HOOKDIR  = $(SYSCONFDIR)/libvirt/hooks/qemu.d

CC      ?= cc
PKGS     = libvirt libxml-2.0
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS)) -pthread

WARN     = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	   -Wpointer-arith -Wformat=2 -Wundef -Wno-missing-field-initializers \
	   -Wdeclaration-after-statement -Wwrite-strings -Wmissing-declarations
CFLAGS  ?= -O2 -g
ALL_CFLAGS = -std=gnu11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -Ilib -DDM_VERSION='"$(VERSION)"' \
	     $(PKG_CFLAGS)
ifeq ($(WERROR),1)
ALL_CFLAGS += -Werror
endif
ifeq ($(SANITIZE),1)
SAN = -fsanitize=address,undefined -fno-omit-frame-pointer \
      -fno-sanitize-recover=undefined
ALL_CFLAGS += $(SAN)
LDFLAGS += $(SAN)
export ASAN_OPTIONS = detect_leaks=1:abort_on_error=0:exitcode=99
export UBSAN_OPTIONS = print_stacktrace=1:halt_on_error=1
endif

# Objects go to a directory per build kind, so a sanitizer build never
# mixes with a normal one.
B = build/$(if $(filter 1,$(SANITIZE)),san,out)

LIB_SRC  = $(wildcard lib/*.c)
LIB_OBJ  = $(LIB_SRC:lib/%.c=$(B)/lib/%.o)
DMTOP_SRC = $(wildcard cmd/dmtop*.c)
DMTOP_OBJ = $(DMTOP_SRC:cmd/%.c=$(B)/cmd/%.o)
DMCTL_SRC = $(filter-out $(DMTOP_SRC),$(wildcard cmd/*.c))
DMCTL_OBJ = $(DMCTL_SRC:cmd/%.c=$(B)/cmd/%.o)
CURSES_CFLAGS := $(shell pkg-config --cflags ncursesw)
CURSES_LIBS   := $(shell pkg-config --libs ncursesw)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)

.PHONY: all check check-tests deps unit cmdtest disttest install uninstall \
	deb-check screenshot clean lint format demo bench bench-smoke fuzz fuzz-check
all: bin/dmctl $(if $(wildcard cmd/dmtop.c),bin/dmtop)

# bin/ holds the binaries of the last build asked for, sanitized or not:
# copy whenever they differ, since a newer file in bin/ may be the other
# kind's.
bin/%: $(B)/% FORCE
	@mkdir -p bin
	@cmp -s $< $@ || cp $< $@

FORCE:

$(B)/dmctl: $(DMCTL_OBJ) $(B)/libdm.a
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/dmtop: $(DMTOP_OBJ) $(B)/libdm.a
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CURSES_LIBS)

# dmtop's parts: the one program built with curses.
$(DMTOP_OBJ): $(B)/cmd/%.o: cmd/%.c cmd/dmtop.h lib/*.h Makefile
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CURSES_CFLAGS) -Icmd -c -o $@ $<

$(B)/libdm.a: $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(B)/lib/%.o: lib/%.c lib/*.h Makefile
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/cmd/%.o: cmd/%.c cmd/*.h lib/*.h Makefile
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Icmd -c -o $@ $<

$(B)/tests/%: tests/unit/%.c tests/unit/unit.h $(B)/libdm.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(B)/libdm.a $(LDFLAGS) \
		$(PKG_LIBS)

$(B)/bench/%: bench/%.c $(B)/libdm.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(B)/libdm.a $(LDFLAGS) $(PKG_LIBS) -lm

# The density simulation is a program of several files (bench/density/).
DENSITY_SRC = $(wildcard bench/density/*.c)

$(B)/bench/density: $(DENSITY_SRC) bench/density/*.h lib/*.h $(B)/libdm.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $(DENSITY_SRC) $(B)/libdm.a $(LDFLAGS) \
		$(PKG_LIBS) -lm

# The benchmarks print numbers; the README quotes them (bench/README.md
# says what each measures). The density simulation takes its balloon rates
# from the real test bed, measured first. make check runs only short smoke
# runs of each (bench-smoke).
bench: all $(B)/bench/policy_scale $(B)/bench/density
	bench/balloon-rate.sh --rates 5 >$(B)/balloon-rates
	read in out plug unplug <$(B)/balloon-rates && \
		$(B)/bench/density --rate-in $$in --rate-out $$out && \
		$(B)/bench/density --rate-in $$in --rate-out $$out --hotadd \
			--rate-plug $$plug --rate-unplug $$unplug
	$(B)/bench/policy_scale
	bench/show-scale.sh 500 2000 10000 16384
	bench/reaction.sh 12 40
	bench/reaction.sh --hotadd 12 40
	bench/reaction.sh --oneshot 60 6 40
	bench/boot-cost.sh 2 4 16 32
	bench/dmtop-cpu.sh
	bench/hook-time.sh

bench-smoke: $(B)/bench/policy_scale $(B)/bench/density
	@$(B)/bench/policy_scale --smoke && echo "ok - policy benchmark smoke run"
	DENSITY=$(B)/bench/density bats $(BATSFLAGS) tests/bench

# libFuzzer harnesses (tests/fuzz) for the parsers and the policy, built
# with clang and ASan/UBSan. make check runs each on its seed corpus and
# for FUZZ_TIME seconds (new inputs go to build/fuzz, never into the tree);
# a longer run: make fuzz-check FUZZ_TIME=600.
FUZZ_CC   ?= clang
FUZZ_TIME ?= 10
FUZZERS   = $(patsubst tests/fuzz/%.c,build/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined \
	     -fno-sanitize-recover=undefined -std=gnu11 -D_GNU_SOURCE -Ilib \
	     -Itests/fuzz $(WARN) $(if $(filter 1,$(WERROR)),-Werror) \
	     $(PKG_CFLAGS)

fuzz: $(FUZZERS)

build/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(LIB_SRC) lib/*.h Makefile
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< $(LIB_SRC) $(PKG_LIBS)

fuzz-check: $(FUZZERS)
	@n=0; fail=0; for f in $(FUZZERS); do \
		name=$${f#build/fuzz/fuzz_}; n=$$((n + 1)); \
		rm -rf build/fuzz/corpus-$$name; \
		mkdir -p build/fuzz/corpus-$$name; \
		if $$f -max_total_time=$(FUZZ_TIME) -print_final_stats=1 \
		    -artifact_prefix=build/fuzz/ build/fuzz/corpus-$$name \
		    tests/fuzz/corpus/$$name >build/fuzz/$$name.log 2>&1; then \
			echo "ok $$n - fuzz $$name: $$(sed -n 's/^stat::number_of_executed_units: *//p' build/fuzz/$$name.log) runs, $(FUZZ_TIME) s"; \
		else \
			fail=1; echo "not ok $$n - fuzz $$name (build/fuzz/$$name.log)"; \
			grep -E 'ERROR|SUMMARY|\.c:[0-9]+: ' build/fuzz/$$name.log | head -n 5; \
		fi; \
	done; exit $$fail

# Unit tests print TAP; the command tests run the real binaries against a
# private libvirt daemon with real guests (tests/testbed).
unit: $(UNIT_BIN)
	@fail=0; for t in $(UNIT_BIN); do $$t || fail=1; done; exit $$fail

cmdtest: bin/dmctl
	bats $(BATSFLAGS) tests/testbed
	bats $(BATSFLAGS) tests/cmd

# The files of dist/ that need no guests to check (the dashboard).
disttest:
	bats $(BATSFLAGS) tests/dist

# make check installs the Debian packages it needs first (as root; as
# another user it names what is missing), then builds and tests in a new
# make, so that pkg-config is asked only once the packages are there.
check: deps
	$(MAKE) check-tests

check-tests: all unit fuzz-check bench-smoke cmdtest disttest lint

deps:
	tests/install-deps

# A private demo host with three guests and the balancer, shown in dmtop
# (tests/demo/demo.sh); q or Ctrl-C tears it down.
demo:
	tests/install-deps
	$(MAKE) all
	tests/demo/demo.sh

# The README's picture of dmtop: the demo's screen a minute in
# (tests/demo/screenshot.sh; needs python3-pil and fonts-dejavu-core).
screenshot: all
	tests/demo/screenshot.sh dist/dmtop.png 60

lint:
	mandoc -Tlint -Wwarning man/*.[158]

# What install puts down, one entry each: file:destination:mode. uninstall
# removes the same list. The hook, the service, the cron file and the
# default dmctl.conf are made from dist/ with the installed binary's path
# (build/dist).
GEN = build/dist
INSTALL_LIST = \
	bin/dmctl:$(BINDIR)/dmctl:755 \
	man/dmctl.8:$(MANDIR)/man8/dmctl.8:644 \
	man/dmctl-metadata.5:$(MANDIR)/man5/dmctl-metadata.5:644 \
	man/dmctl.conf.5:$(MANDIR)/man5/dmctl.conf.5:644 \
	completions/dmctl.bash:$(BASHCOMPDIR)/dmctl:644 \
	completions/_dmctl:$(ZSHCOMPDIR)/_dmctl:644 \
	$(GEN)/qemu-hook:$(HOOKDIR)/dmctl:755 \
	$(GEN)/dmctl-rebalance.service:$(UNITDIR)/dmctl-rebalance.service:644
ifneq ($(wildcard $(DMTOP_SRC)),)
INSTALL_LIST += \
	bin/dmtop:$(BINDIR)/dmtop:755 \
	man/dmtop.1:$(MANDIR)/man1/dmtop.1:644 \
	completions/dmtop.bash:$(BASHCOMPDIR)/dmtop:644 \
	completions/_dmtop:$(ZSHCOMPDIR)/_dmtop:644
endif
# Files the admin edits, as Debian's conffiles: install leaves one that
# exists alone, uninstall removes one only as installed (an edited one
# stays, as with "apt-get remove"). The cron line is commented out: the
# service is the default, cron the alternative, never both.
CONF_LIST = \
	$(GEN)/dmctl.conf:$(SYSCONFDIR)/dmctl.conf:644 \
	$(GEN)/dmctl.cron:$(SYSCONFDIR)/cron.d/dmctl:644
GEN_FILES = $(GEN)/qemu-hook $(GEN)/dmctl-rebalance.service $(GEN)/dmctl.cron \
	$(GEN)/dmctl.conf

$(GEN)/%: dist/% FORCE
	@mkdir -p $(GEN)
	@sed 's|@BINDIR@|$(BINDIR)|g' $< >$@.tmp && mv $@.tmp $@

install: all $(GEN_FILES)
	@for e in $(INSTALL_LIST); do \
		src=$${e%%:*}; rest=$${e#*:}; \
		install -D -m $${rest##*:} $$src "$(DESTDIR)$${rest%:*}" || exit 1; \
	done
	@for e in $(CONF_LIST); do \
		src=$${e%%:*}; rest=$${e#*:}; dst="$(DESTDIR)$${rest%:*}"; \
		if [ -e "$$dst" ]; then \
			cmp -s $$src "$$dst" || echo "install: kept $$dst as it is (new default: $$src)"; \
		else \
			install -D -m $${rest##*:} $$src "$$dst" || exit 1; \
		fi; \
	done

uninstall: $(GEN_FILES)
	@for e in $(INSTALL_LIST); do \
		rest=$${e#*:}; rm -f "$(DESTDIR)$${rest%:*}"; \
	done
	@for e in $(CONF_LIST); do \
		src=$${e%%:*}; rest=$${e#*:}; dst="$(DESTDIR)$${rest%:*}"; \
		if [ -e "$$dst" ] && ! cmp -s $$src "$$dst"; then \
			echo "uninstall: kept $$dst, edited"; \
		else \
			rm -f "$$dst"; \
		fi; \
	done

# The package (debian/) built, linted, installed, run and purged again,
# in a copy of the tree; as root (tests/deb-check.sh).
deb-check:
	tests/deb-check.sh

format:
	clang-format -i lib/*.[ch] cmd/*.[ch] tests/unit/*.[ch]

clean:
	rm -rf bin build/out build/san build/dist
