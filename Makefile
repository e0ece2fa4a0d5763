# islandd — GNU make build.
#
#   make             build/islandd, build/islandctl (release, -Werror)
#   make test        install test deps if missing, gcc + clang + ASan/UBSan builds,
#                    unit tests, fuzz corpus replay, namespace integration tests
#   make demo        the seed-000 island in network namespaces
#   make bench       benchmarks against ndppd / npd6 / avahi / parprouted
#   make fuzz        run every fuzzer for FUZZ_SECONDS each
#   make cross-bin ARCH=arm64|armhf   cross-built programs, unit tests and
#                    standalone fuzz replayers in build/cross-ARCH (ASan+UBSan)
#   make deb [ARCH=amd64|arm64|armhf]  Debian package in build/deb/ARCH,
#                    lintian-checked (default: this machine's architecture)
#
# Variables: CC, AR, BUILD (output dir), SAN=1 (ASan+UBSan), PREFIX, DESTDIR,
# ARCH.

VERSION   := 0.1.0
CC        ?= cc
AR        ?= ar
BUILD     ?= build
PREFIX    ?= /usr/local
DESTDIR   ?=
SAN       ?=
FUZZ_SECONDS ?= 60

WARN      := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
             -Wformat=2 -Wno-unused-parameter
# 64-bit off_t and inode numbers on 32-bit targets (armhf): without it
# readdir() fails with EOVERFLOW on a filesystem with 64-bit directory
# offsets (ext4 seen from a 64-bit kernel, XFS, NFS).
CPPFLAGS  += -D_FILE_OFFSET_BITS=64
CPPFLAGS  += -D_GNU_SOURCE -DISLANDD_VERSION='"$(VERSION)"' -Isrc
CFLAGS    ?= -O2 -g
CFLAGS    += -std=c11 $(WARN) -fno-strict-aliasing
ifeq ($(SAN),1)
CFLAGS    += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS   += -fsanitize=address,undefined
endif
LDLIBS    += -lmnl

# Every .c under src/ except the two programs is library code: adding a file
# to a module needs no Makefile edit.
PROG_SRC  := src/islandd.c src/islandctl.c
LIB_SRC   := $(filter-out $(PROG_SRC),$(sort $(wildcard src/*/*.c)))
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRC  := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN  := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_STANDALONE_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz-standalone/%)
BENCH_SRC := $(sort $(wildcard bench/*.c))
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)

.PHONY: all unit-bin fuzz-bin fuzz-standalone-bin cross-bin deb bench-bin test unit integ demo bench fuzz deps clean install uninstall
all: $(BUILD)/islandd $(BUILD)/islandctl

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/libisland.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/islandd: $(BUILD)/src/islandd.o $(BUILD)/libisland.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/islandctl: $(BUILD)/src/islandctl.o $(BUILD)/libisland.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

unit-bin: $(UNIT_BIN)
$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libisland.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Itests/unit -o $@ $^ $(LDFLAGS) $(LDLIBS) -lcmocka

bench-bin: $(BENCH_BIN)
$(BUILD)/bench/%: bench/%.c bench/batch.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(LDFLAGS) -lm

# Fuzzers need clang's libFuzzer; each links the library built with the same flags.
FUZZ_CFLAGS := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
fuzz-bin:
	$(MAKE) CC=clang BUILD=build/fuzzlib CFLAGS="$(FUZZ_CFLAGS)" build/fuzzlib/libisland.a
	@mkdir -p build/fuzz
	@set -e; for f in $(FUZZ_SRC); do n=$$(basename $$f .c); \
	  echo "clang $$f"; \
	  clang $(CPPFLAGS) -std=c11 $(WARN) -O1 -g -fsanitize=fuzzer,address,undefined \
	    -o build/fuzz/$$n $$f build/fuzzlib/libisland.a $(LDLIBS); done

# The fuzz targets with a plain main() (tests/fuzz/standalone.c) that replays
# files once: for compilers without libFuzzer, the cross builds above all.
fuzz-standalone-bin: $(FUZZ_STANDALONE_BIN)
$(BUILD)/fuzz-standalone/%: tests/fuzz/%.c tests/fuzz/standalone.c $(BUILD)/libisland.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

# Raspberry Pi OS architectures, with Debian's cross toolchains; tests/run.sh
# runs what cross-bin builds under qemu-user (stage "cross").
ARCH          ?= $(shell dpkg --print-architecture 2>/dev/null)
CROSS_ARCHES  := arm64 armhf
TRIPLET_arm64 := aarch64-linux-gnu
TRIPLET_armhf := arm-linux-gnueabihf
TRIPLET_amd64 := x86_64-linux-gnu
cross-bin:
	@test -n "$(TRIPLET_$(ARCH))" || { echo "cross-bin: ARCH=$(ARCH): one of $(CROSS_ARCHES)" >&2; exit 2; }
	$(MAKE) CC=$(TRIPLET_$(ARCH))-gcc AR=$(TRIPLET_$(ARCH))-ar SAN=1 BUILD=build/cross-$(ARCH) \
	  all unit-bin fuzz-standalone-bin

deb:
	scripts/build-deb.sh $(ARCH)

deps:
	@scripts/install-deps.sh

# The test run: every stage feeds one tally that ends with "N passed, N failed".
test: deps
	$(MAKE) all
	$(MAKE) CC=clang BUILD=build/clang all unit-bin
	$(MAKE) SAN=1 BUILD=build/asan all unit-bin bench-bin
	$(MAKE) fuzz-bin
	$(MAKE) ARCH=arm64 cross-bin
	$(MAKE) ARCH=armhf cross-bin
	tests/run.sh

unit: 
	$(MAKE) SAN=1 BUILD=build/asan all unit-bin
	TESTS=unit tests/run.sh

integ:
	$(MAKE) SAN=1 BUILD=build/asan all
	TESTS=integ tests/run.sh

demo: deps all
	scripts/demo.sh

bench: deps all bench-bin
	bench/run.sh
	bench/mdns.sh
	bench/arp.sh

fuzz: fuzz-bin
	@for f in build/fuzz/fuzz_*; do n=$$(basename $$f); mkdir -p build/fuzz-corpus/$$n; \
	  echo "== $$n ($(FUZZ_SECONDS)s)"; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 build/fuzz-corpus/$$n tests/fuzz/corpus/$$n || exit 1; done

# Where `make install` puts things; Debian's rules set PREFIX=/usr and
# SYSTEMDUNITDIR=/lib/systemd/system. The unit's ExecStart follows PREFIX.
SBINDIR        ?= $(PREFIX)/sbin
MANDIR         ?= $(PREFIX)/share/man
DOCDIR         ?= $(PREFIX)/share/doc/islandd
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
EXAMPLES       := $(sort $(wildcard examples/*.conf examples/*.sh))

install: all
	install -D -m 0755 $(BUILD)/islandd $(DESTDIR)$(SBINDIR)/islandd
	install -D -m 0755 $(BUILD)/islandctl $(DESTDIR)$(SBINDIR)/islandctl
	install -D -m 0644 man/islandd.8 $(DESTDIR)$(MANDIR)/man8/islandd.8
	install -D -m 0644 man/islandctl.8 $(DESTDIR)$(MANDIR)/man8/islandctl.8
	install -D -m 0644 man/islandd.conf.5 $(DESTDIR)$(MANDIR)/man5/islandd.conf.5
	install -d -m 0755 $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(DOCDIR)/examples
	sed 's|/usr/sbin/islandd|$(SBINDIR)/islandd|g' systemd/islandd.service \
	  > $(DESTDIR)$(SYSTEMDUNITDIR)/islandd.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/islandd.service
	install -m 0644 $(EXAMPLES) $(DESTDIR)$(DOCDIR)/examples/

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/islandd $(DESTDIR)$(SBINDIR)/islandctl \
	  $(DESTDIR)$(MANDIR)/man8/islandd.8 $(DESTDIR)$(MANDIR)/man8/islandctl.8 \
	  $(DESTDIR)$(MANDIR)/man5/islandd.conf.5 $(DESTDIR)$(SYSTEMDUNITDIR)/islandd.service
	rm -f $(addprefix $(DESTDIR)$(DOCDIR)/,$(EXAMPLES))
	-rmdir $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR) 2>/dev/null

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' -type f 2>/dev/null)
