# cloudfort - build, test, install.
#
#   make            libcloudfort (static and shared), build/cloudfort, cloudfort.pc
#   make demo       install missing packages, build, scan examples/incidents
#   make check      install missing packages, then every test (unit, end-to-end, rule
#                   fixtures, the whole suite again under ASan+UBSan, fuzz-corpus replay)
#   make bench      benchmarks against peers (bench/)
#   make fuzz       libFuzzer targets, run for FUZZ_SECONDS each
#   make install    PREFIX=/usr/local DESTDIR=
#
# Out-of-tree builds: BUILD=dir. The sanitizer build is `make SAN=1 BUILD=build/asan`.

MAKEFLAGS    += --no-builtin-rules
.SUFFIXES:

VERSION      := 0.1.0
SOVERSION    := 0
PREFIX       ?= /usr/local
BINDIR       ?= $(PREFIX)/bin
LIBDIR       ?= $(PREFIX)/lib
INCLUDEDIR   ?= $(PREFIX)/include
DATADIR      ?= $(PREFIX)/share
MANDIR       ?= $(DATADIR)/man
DESTDIR      ?=
BUILD        ?= build
FUZZ_SECONDS ?= 60

SAN ?=
ifeq ($(SAN),1)
CC  := clang-14
CXX := clang++-14
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
OPT := -O1 -g
else ifeq ($(SAN),fuzz)
CC  := clang-14
CXX := clang++-14
SANFLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
OPT := -O1 -g
else
CC  ?= gcc
CXX ?= g++
SANFLAGS :=
OPT := -O2 -g
endif
ifeq ($(origin CC),default)
CC := gcc
endif
ifeq ($(origin CXX),default)
CXX := g++
endif

WARN := -Wall -Wextra -Wshadow -Wformat=2 -Wvla -Wno-unused-parameter
ifeq ($(WERROR),1)
WARN += -Werror
endif

PKGS     := yaml-0.1 libpcre2-8 zlib libcrypto libhs libarchive libgit2 libidn2 libevent libevent_openssl libevent_pthreads libssl libcrypt
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LIBS     := $(PKG_LIBS) -lsimdjson -lstdc++ -lm -lpthread

CPPFLAGS += -Iinclude -Isrc -I$(BUILD)/gen -D_GNU_SOURCE -DCF_VERSION='"$(VERSION)"' $(PKG_CFLAGS)
CFLAGS   ?= $(OPT)
CFLAGS   += -std=c11 $(WARN) -fPIC $(SANFLAGS)
CXXFLAGS ?= $(OPT)
CXXFLAGS += -std=c++17 $(WARN) -fPIC $(SANFLAGS)
LDFLAGS  += $(SANFLAGS)
# Programs linked with the C driver still need the sanitizers' C++ runtime (simdjson's code).
ifneq ($(SAN),)
LDFLAGS  += -fsanitize-link-c++-runtime
endif

LIB_CXX  := src/doc/doc_json.cpp
LIB_C    := $(sort $(wildcard src/core/*.c src/doc/*.c src/source/*.c src/posture/*.c src/content/*.c src/report/*.c src/scan/*.c src/egress/*.c src/egress/proxy/*.c))
# simdjson's On-Demand kernel is chosen at compile time (see src/doc/doc_json.cpp).
ifeq ($(shell uname -m),x86_64)
JSONFLAGS := -msse4.2 -mpclmul -mpopcnt
else
JSONFLAGS :=
endif
# The snapshot splitter counts bits with the same instruction set.
$(BUILD)/obj/src/doc/json_split.o: CFLAGS += $(JSONFLAGS)
CLI_C    := $(sort $(wildcard src/cli/*.c))
RULE_FILES := $(sort $(shell find rules -name '*.yaml' 2>/dev/null))

LIB_OBJ  := $(LIB_C:%.c=$(BUILD)/obj/%.o) $(LIB_CXX:%.cpp=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/rules_embedded.o
CLI_OBJ  := $(CLI_C:%.c=$(BUILD)/obj/%.o)
DEPS     := $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)

STATIC   := $(BUILD)/libcloudfort.a
SHARED   := $(BUILD)/libcloudfort.so.$(VERSION)
BIN      := $(BUILD)/cloudfort
PCFILE   := $(BUILD)/cloudfort.pc

UNIT_SRC := $(sort $(wildcard tests/unit/*/test_*.c))
# The allocation-failure test brings its own malloc, which the sanitizers replace too.
ifneq ($(SAN),)
UNIT_SRC := $(filter-out tests/unit/torture/%,$(UNIT_SRC))
endif
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
FUZZ_SRC := $(sort $(wildcard fuzz/fuzz_*.c))
REPLAY_BIN := $(patsubst fuzz/%.c,$(BUILD)/fuzz/replay_%,$(FUZZ_SRC))
FUZZ_BIN := $(patsubst fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRC))

.PHONY: all deps demo check test unit e2e asan-check fuzz-replay bench fuzz install uninstall clean print-libs
all: $(BIN) $(STATIC) $(SHARED) $(PCFILE)

deps:
	@scripts/install-deps.sh

# What a program linked with the static library needs after it (used by bench/ programs).
print-libs:
	@echo $(LIBS)

Q ?= @
$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC    $<"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

# The one C++ file.
$(BUILD)/obj/%.o: %.cpp
	@mkdir -p $(dir $@)
	@echo "  CXX   $<"
	$(Q)$(CXX) $(CPPFLAGS) $(CXXFLAGS) $(JSONFLAGS) -MMD -MP -c $< -o $@

# The shipped rule packs are compiled into the library, so the binary needs no data files.
$(BUILD)/tools/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) -std=c11 -O1 -Wall -Wextra -o $@ $<

# The list of rule files is a prerequisite too, so that deleting or renaming a rule rebuilds
# the embedded pack; the list file is rewritten only when the list changes.
$(BUILD)/gen/rules.list: FORCE
	@mkdir -p $(dir $@)
	@echo "$(RULE_FILES)" | cmp -s - $@ || echo "$(RULE_FILES)" > $@

$(BUILD)/gen/rules_embedded.c: $(BUILD)/tools/embed $(RULE_FILES) $(BUILD)/gen/rules.list
	@mkdir -p $(dir $@)
	@echo "  GEN   $@"
	$(Q)$(BUILD)/tools/embed $@ $(RULE_FILES)

$(BUILD)/obj/gen/rules_embedded.o: $(BUILD)/gen/rules_embedded.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -Wno-overlength-strings -c $< -o $@

$(STATIC): $(LIB_OBJ)
	@rm -f $@
	@echo "  AR    $@"
	$(Q)ar rcs $@ $^

$(SHARED): $(LIB_OBJ)
	@echo "  LD    $@"
	$(Q)$(CXX) -shared -Wl,-soname,libcloudfort.so.$(SOVERSION) $(LDFLAGS) -o $@ $^ $(LIBS)
	@ln -sf libcloudfort.so.$(VERSION) $(BUILD)/libcloudfort.so.$(SOVERSION)
	@ln -sf libcloudfort.so.$(VERSION) $(BUILD)/libcloudfort.so

$(BIN): $(CLI_OBJ) $(STATIC)
	@echo "  LD    $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(STATIC) $(LIBS)

$(PCFILE): cloudfort.pc.in Makefile
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
	    -e 's|@VERSION@|$(VERSION)|' $< > $@

# ---- tests ----
# A test that needs a library of its own names it here: TEST_LIBS_<area>/<name> (the path
# below tests/unit without .c). libcurl is for the differential test of the URL parser only.
TEST_LIBS_egress/test_egress_curl_diff := $(shell pkg-config --libs libcurl 2>/dev/null)
$(BUILD)/tests/%: tests/unit/%.c tests/unit/testutil.h $(wildcard tests/unit/*/*.h) $(STATIC)
	@mkdir -p $(dir $@)
	@echo "  TEST  $@"
	$(Q)$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) $(LDFLAGS) -o $@ $< $(STATIC) -lcmocka $(TEST_LIBS_$*) $(LIBS)

$(BUILD)/fuzz/replay_%: fuzz/%.c fuzz/replay_main.c $(STATIC)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< fuzz/replay_main.c $(STATIC) $(LIBS)

unit: $(UNIT_BIN)
fuzz-replay-bins: $(REPLAY_BIN)

# One suite run: unit tests, end-to-end tests, rule fixtures, fuzz-corpus replay. Prints TAP
# and a summary line; tests/run.sh aggregates.
test: all $(UNIT_BIN) $(REPLAY_BIN)
	@tests/run.sh $(BUILD)

check: deps
	@$(MAKE) --no-print-directory WERROR=1 all unit fuzz-replay-bins
	@$(MAKE) --no-print-directory WERROR=1 SAN=1 BUILD=build/asan all unit fuzz-replay-bins
	@tests/run.sh build build/asan

demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh $(BIN)

bench: deps
	@scripts/install-deps.sh --bench
	@$(MAKE) --no-print-directory all
	@bench/run.sh $(BUILD)

# libFuzzer targets: the library is built with coverage instrumentation in build/fuzzlib.
FUZZ_TARGETS := $(patsubst fuzz/%.c,build/fuzzlib/fuzz/%,$(FUZZ_SRC))
# The instrumented library is built by a make of its own (BUILD=build/fuzzlib, SAN=fuzz);
# the targets are then linked against it.
build/fuzzlib/fuzz/%: fuzz/%.c | fuzzlib
	@mkdir -p $(dir $@)
	clang-14 $(CPPFLAGS) -std=c11 -O1 -g -fsanitize=fuzzer,address,undefined -fsanitize-link-c++-runtime -o $@ $< build/fuzzlib/libcloudfort.a $(LIBS)

.PHONY: FORCE fuzzlib
FORCE:
fuzzlib:
	@$(MAKE) --no-print-directory SAN=fuzz BUILD=build/fuzzlib build/fuzzlib/libcloudfort.a

fuzz: deps
	@$(MAKE) --no-print-directory fuzzlib
	@rm -f $(FUZZ_TARGETS)
	@$(MAKE) --no-print-directory $(FUZZ_TARGETS)
	@for t in $(FUZZ_TARGETS); do n=$$(basename $$t); c=$${n#fuzz_}; mkdir -p build/fuzz-work/$$c; \
	  echo "fuzz: $$n for $(FUZZ_SECONDS)s"; \
	  d=""; [ -f fuzz/dict/$$c.dict ] && d="-dict=fuzz/dict/$$c.dict"; \
	  $$t -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=4096 $$d build/fuzz-work/$$c fuzz/corpus/$$c 2>&1 | tail -3 || exit 1; \
	done

# ---- install ----
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)/cloudfort \
	  $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DATADIR)/bash-completion/completions $(DESTDIR)$(DATADIR)/cloudfort
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/cloudfort
	install -m 644 $(STATIC) $(DESTDIR)$(LIBDIR)/
	install -m 755 $(SHARED) $(DESTDIR)$(LIBDIR)/
	ln -sf libcloudfort.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libcloudfort.so.$(SOVERSION)
	ln -sf libcloudfort.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libcloudfort.so
	install -m 644 include/cloudfort/*.h $(DESTDIR)$(INCLUDEDIR)/cloudfort/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
	    -e 's|@VERSION@|$(VERSION)|' cloudfort.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/cloudfort.pc
	chmod 644 $(DESTDIR)$(LIBDIR)/pkgconfig/cloudfort.pc
	install -m 644 docs/cloudfort.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 contrib/cloudfort.bash-completion $(DESTDIR)$(DATADIR)/bash-completion/completions/cloudfort
	cp -r rules $(DESTDIR)$(DATADIR)/cloudfort/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/cloudfort $(DESTDIR)$(LIBDIR)/libcloudfort.* \
	  $(DESTDIR)$(LIBDIR)/pkgconfig/cloudfort.pc $(DESTDIR)$(MANDIR)/man1/cloudfort.1 \
	  $(DESTDIR)$(DATADIR)/bash-completion/completions/cloudfort
	rm -rf $(DESTDIR)$(INCLUDEDIR)/cloudfort $(DESTDIR)$(DATADIR)/cloudfort

clean:
	rm -rf build

-include $(DEPS)
