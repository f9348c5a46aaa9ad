# tests/fuzz/fuzz.mk - builds the libFuzzer targets and runs them.
#
#   make fuzz [FUZZ_SECONDS=600] [FUZZ_TARGETS="hint decide"]
#   make -f tests/fuzz/fuzz.mk replay-bin     (plain ASan builds, replay.sh)
#   make -f tests/fuzz/fuzz.mk sandbox-bin    (replay of the request path
#                                             in the sandbox, replay.sh)
#
# Run from the repository root.  Output in build-fuzz/: the targets
# (fuzz_T), the replay builds (replay/fuzz_T), and the artifacts of any
# finding (artifacts/T/).  Each run works on a copy of the seeds in a
# temporary folder, so nothing is written into tests/fuzz/corpus/.

FUZZ_SECONDS ?= 10
FUZZ_TARGETS ?= form req conf clients jwks hint json token locale tmpl decide \
                jline signkey
CLANG        ?= clang
REPLAY_CC    ?= cc
FB           ?= build-fuzz

PKGS         = fcgi yajl libcrypto liburiparser libseccomp
PKG_CFLAGS  := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS    := $(shell pkg-config --libs $(PKGS))
FUZZ_DATA   := $(abspath tests/fuzz/data)

COMMON       = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
               -DOPENSSL_NO_DEPRECATED \
               -DTEMPLATEDIR='"$(abspath templates)"' \
               -DSYSCONFDIR='"/etc/endsession"' \
               -DFUZZ_DATA='"$(FUZZ_DATA)"' \
               -Isrc $(PKG_CFLAGS) -g -O1 -fno-omit-frame-pointer
SAN          = -fsanitize=address,undefined -fno-sanitize-recover=all

# The notifier's modules with libcurl, SQLite and inotify stay out.
CORE_SRC    := $(filter-out src/main.c src/notify_main.c \
               src/jfollow.c src/nstate.c src/deliver.c, $(wildcard src/*.c))
FUZZ_OBJ    := $(CORE_SRC:src/%.c=$(FB)/obj/%.o)
REPLAY_OBJ  := $(CORE_SRC:src/%.c=$(FB)/replay/obj/%.o)
FUZZ_BIN    := $(FUZZ_TARGETS:%=$(FB)/fuzz_%)
REPLAY_BIN  := $(FUZZ_TARGETS:%=$(FB)/replay/fuzz_%)

all: run

bin: $(FUZZ_BIN)

replay-bin: $(REPLAY_BIN)

run: $(FUZZ_BIN)
	FB=$(FB) FUZZ_DATA=$(FUZZ_DATA) bash tests/fuzz/run.sh \
	    $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# The core, instrumented for libFuzzer (clang).
$(FB)/obj/%.o: src/%.c src/endsession.h
	@mkdir -p $(@D)
	$(CLANG) $(COMMON) -fsanitize=fuzzer-no-link $(SAN) -c -o $@ $<

$(FB)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_OBJ)
	$(CLANG) $(COMMON) -fsanitize=fuzzer $(SAN) -o $@ $< $(FUZZ_OBJ) \
	    $(PKG_LIBS) -lm

# The same, without libFuzzer, for the replay driver (replay.c).
$(FB)/replay/obj/%.o: src/%.c src/endsession.h
	@mkdir -p $(@D)
	$(REPLAY_CC) $(COMMON) $(SAN) -c -o $@ $<

$(FB)/replay/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h \
    tests/fuzz/replay.c $(REPLAY_OBJ)
	$(REPLAY_CC) $(COMMON) $(SAN) -o $@ $< tests/fuzz/replay.c \
	    $(REPLAY_OBJ) $(PKG_LIBS) -lm

# The request path under the production sandbox (replay.c with
# REPLAY_SANDBOX): no sanitizer, which could not run under the filter.
SANDBOX_OBJ := $(CORE_SRC:src/%.c=$(FB)/sandbox/obj/%.o)

sandbox-bin: $(FB)/sandbox/fuzz_decide

$(FB)/sandbox/obj/%.o: src/%.c src/endsession.h
	@mkdir -p $(@D)
	$(REPLAY_CC) $(COMMON) -c -o $@ $<

$(FB)/sandbox/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h \
    tests/fuzz/replay.c $(SANDBOX_OBJ)
	$(REPLAY_CC) $(COMMON) -DREPLAY_SANDBOX -o $@ $< tests/fuzz/replay.c \
	    $(SANDBOX_OBJ) $(PKG_LIBS) -lm

.PHONY: all bin replay-bin sandbox-bin run
.SECONDARY: $(FUZZ_OBJ) $(REPLAY_OBJ) $(SANDBOX_OBJ)
