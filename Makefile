# islandd — GNU make build.
#
#   make             build/islandd, build/islandctl (release, -Werror)
#   make test        install test deps if missing, gcc + clang + ASan/UBSan builds,
#                    unit tests, fuzz corpus replay, namespace integration tests
#   make demo        the seed-000 island in network namespaces
#   make bench       benchmarks against ndppd / npd6 / avahi
#   make fuzz        run every fuzzer for FUZZ_SECONDS each
#
# Variables: CC, BUILD (output dir), SAN=1 (ASan+UBSan), PREFIX, DESTDIR.

VERSION   := 0.1.0
CC        ?= cc
BUILD     ?= build
PREFIX    ?= /usr/local
DESTDIR   ?=
SAN       ?=
FUZZ_SECONDS ?= 60

WARN      := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
             -Wformat=2 -Wno-unused-parameter
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
BENCH_SRC := $(sort $(wildcard bench/*.c))
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)

.PHONY: all unit-bin fuzz-bin bench-bin test unit integ demo bench fuzz deps clean install uninstall
all: $(BUILD)/islandd $(BUILD)/islandctl

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/libisland.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

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

deps:
	@scripts/install-deps.sh

# The test run: every stage feeds one tally that ends with "N passed, N failed".
test: deps
	$(MAKE) all
	$(MAKE) CC=clang BUILD=build/clang all unit-bin
	$(MAKE) SAN=1 BUILD=build/asan all unit-bin bench-bin
	$(MAKE) fuzz-bin
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
EXAMPLES       := $(sort $(wildcard examples/*.conf))

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
