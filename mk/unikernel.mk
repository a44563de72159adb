# unikernel.mk - the build of your own unikernel against an installed
# miou-solo5 (make install puts this file in PREFIX/share/miou-solo5/).
# Your project's Makefile:
#
#     UNIKERNEL = app
#     MIOU_PREFIX ?= /usr/local
#     include $(MIOU_PREFIX)/share/miou-solo5/unikernel.mk
#
# builds the same sources ($(UNIKERNEL).c, or SOURCES) for every platform
# installed in MIOU_PREFIX:
#
#   app          hosted: a Linux process that plays Solo5's tender
#   app.sim      the deterministic simulator
#   app.spt      Solo5's targets, when Solo5's toolchain is found (as
#   app.hvt      mk/solo5-tools.mk says: SOLO5_HOME or PATH) and
#   app.virtio   miou-solo5 is installed in MIOU_PREFIX
#
# manifest.json beside the sources declares the unikernel's devices
# (Solo5's format); without it the unikernel has none. Sources that
# include miou_tcpip.h link the TCP/IP layer (make install-tcpip). Each
# platform's flags and libraries come from its pkg-config file in
# MIOU_PREFIX (miou-PLATFORM.pc, miou-tcpip-PLATFORM.pc), so they are
# written once, there. Objects go to build/.
#
#   make               all of the above (a line says what is left out, and why)
#   make run ARGS=...  run the hosted one: ./app ARGS
#   make clean
#
# Variables: UNIKERNEL, SOURCES, MANIFEST (manifest.json), ARGS, CC,
# CFLAGS (-O2 -g -Wall), CPPFLAGS, LDFLAGS, LDLIBS, BUILD (build),
# SOLO5_HOME, SOLO5_ABIS (those of spt, hvt and virtio that Solo5 has),
# MIOU_PREFIX (by default, the prefix this file is installed in).

MIOU_SHARE := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
MIOU_PREFIX ?= $(abspath $(MIOU_SHARE)/../..)
include $(MIOU_SHARE)/solo5-tools.mk

ifeq ($(strip $(UNIKERNEL)),)
$(error unikernel.mk: set UNIKERNEL before including it (UNIKERNEL = app builds app.c))
endif
SOURCES ?= $(UNIKERNEL).c
MANIFEST ?= manifest.json
CFLAGS ?= -O2 -g -Wall
BUILD ?= build
PKG_CONFIG ?= pkg-config

ifeq ($(shell command -v $(PKG_CONFIG)),)
$(error unikernel.mk: $(PKG_CONFIG) is not installed (Debian: apt-get install pkg-config))
endif

# Sources that include miou_tcpip.h: the TCP/IP layer's packages.
TCPIP := $(if $(shell grep -l 'miou_tcpip\.h' $(SOURCES) 2>/dev/null),tcpip-)
# $(call package,PLATFORM): the package a program of PLATFORM needs.
package = miou-$(TCPIP)$(1)
# $(call installed,PLATFORM): not empty when its package is in MIOU_PREFIX.
installed = $(wildcard $(MIOU_PREFIX)/lib/pkgconfig/$(call package,$(1)).pc)
# $(call pkg,ARGS): pkg-config, looking in MIOU_PREFIX first.
pkg = $(shell PKG_CONFIG_PATH='$(MIOU_PREFIX)/lib/pkgconfig'$${PKG_CONFIG_PATH:+:$$PKG_CONFIG_PATH} $(PKG_CONFIG) $(1))

# The manifest: the project's, else the one of a unikernel without devices.
# Which one it is, in a file rewritten only when that changes (a
# manifest.json added or removed), so that the manifests' C is remade.
MANIFEST_USED := $(or $(wildcard $(MANIFEST)),$(MIOU_SHARE)/empty.manifest.json)
MANIFEST_STAMP := $(BUILD)/manifest.used
ifneq ($(MAKECMDGOALS),clean)
$(shell mkdir -p $(BUILD) && { [ "$$(cat $(MANIFEST_STAMP) 2>/dev/null)" = '$(MANIFEST_USED)' ] || echo '$(MANIFEST_USED)' >$(MANIFEST_STAMP); })
endif

# ---- What to build, and what is left out (with why).

TARGETS :=
LEFT_OUT :=
# $(call platform,PLATFORM,OUTPUT): OUTPUT when PLATFORM is installed.
platform = $(if $(call installed,$(1)),$(eval TARGETS += $(2)),$(eval \
    LEFT_OUT += $(2) ($(call package,$(1)) is not installed in $(MIOU_PREFIX));))
$(call platform,hosted,$(UNIKERNEL))
$(call platform,sim,$(UNIKERNEL).sim)

# Solo5's targets whose bindings its toolchain has.
SOLO5_LIB := $(dir $(realpath $(SOLO5_CC)))../lib/$(SOLO5_TRIPLE)
SOLO5_ABIS ?= $(foreach abi,spt hvt virtio,$(if $(wildcard $(SOLO5_LIB)/solo5_$(abi).o),$(abi)))
SOLO5_OUTPUTS := $(addprefix $(UNIKERNEL).,$(SOLO5_ABIS))
ifeq ($(SOLO5_CC)$(SOLO5_ELFTOOL),)
LEFT_OUT += $(UNIKERNEL).spt, .hvt, .virtio (Solo5 not found: set SOLO5_HOME to a built Solo5, or put its toolchain on PATH);
else
$(call platform,solo5,$(SOLO5_OUTPUTS))
endif

ifeq ($(strip $(TARGETS)),)
$(error unikernel.mk: nothing to build: $(LEFT_OUT))
endif

.PHONY: all run clean
all: $(TARGETS)
ifneq ($(strip $(LEFT_OUT)),)
	@echo '$(LEFT_OUT)' | tr ';' '\n' | sed -n 's/^ *\(..*\)/unikernel.mk: not built: \1/p'
endif

run: $(UNIKERNEL)
	./$(UNIKERNEL) $(ARGS)

clean:
	rm -rf $(BUILD) $(UNIKERNEL) $(UNIKERNEL).sim $(addprefix $(UNIKERNEL).,spt hvt virtio)

# ---- hosted and sim: Linux programs, compiled by CC.

# $(call linux,PLATFORM,OUTPUT): the rules of a Linux platform's program.
define linux
CFLAGS_$(1) := $$(call pkg,--cflags $$(call package,$(1)))
LIBS_$(1) := $$(call pkg,--libs $$(call package,$(1)))

$(2): $$(patsubst %.c,$$(BUILD)/$(1)/%.o,$$(SOURCES)) $$(BUILD)/$(1)/manifest.o
	$$(CC) $$(LDFLAGS) $$^ $$(LIBS_$(1)) $$(LDLIBS) -o $$@

$$(BUILD)/$(1)/%.o: %.c
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CPPFLAGS) $$(CFLAGS) $$(CFLAGS_$(1)) -MMD -MP -c $$< -o $$@

$$(BUILD)/$(1)/manifest.o: $$(BUILD)/linux/manifest.c
	$$(CC) $$(CFLAGS) -c $$< -o $$@
endef
$(if $(filter $(UNIKERNEL),$(TARGETS)),$(eval $(call linux,hosted,$(UNIKERNEL))))
$(if $(filter $(UNIKERNEL).sim,$(TARGETS)),$(eval $(call linux,sim,$(UNIKERNEL).sim)))

# The manifest as C for hosted and sim, by the installed tool.
$(BUILD)/linux/manifest.c: $(MANIFEST_USED) $(MANIFEST_STAMP)
	@mkdir -p $(dir $@)
	$(MIOU_PREFIX)/bin/miou-manifest $< $@

# ---- Solo5: one object per source by Solo5's toolchain, one link per
# target (-z solo5-abi=ABI), the manifest by solo5-elftool.

ifneq ($(filter $(SOLO5_OUTPUTS),$(TARGETS)),)
CFLAGS_solo5 := $(call pkg,--cflags $(call package,solo5))
LIBS_solo5 := $(call pkg,--libs $(call package,solo5))

$(SOLO5_OUTPUTS): $(UNIKERNEL).%: $(patsubst %.c,$(BUILD)/solo5/%.o,$(SOURCES)) $(BUILD)/solo5/manifest.o
	$(SOLO5_CC) -z solo5-abi=$* $(LDFLAGS) $(filter %.o,$^) $(LIBS_solo5) -o $@

$(BUILD)/solo5/%.o: %.c
	@mkdir -p $(dir $@)
	$(SOLO5_CC) $(CPPFLAGS) $(CFLAGS) $(CFLAGS_solo5) -MMD -MP -c $< -o $@

$(BUILD)/solo5/manifest.c: $(MANIFEST_USED) $(MANIFEST_STAMP)
	@mkdir -p $(dir $@)
	$(SOLO5_ELFTOOL) gen-manifest $< $@

$(BUILD)/solo5/manifest.o: $(BUILD)/solo5/manifest.c
	$(SOLO5_CC) $(CFLAGS) -c $< -o $@
endif

-include $(wildcard $(BUILD)/*/*.d)
