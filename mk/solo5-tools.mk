# mk/solo5-tools.mk - where Solo5's tools are, for the Solo5 build
# (mk/solo5.mk) and for the build of a user's own unikernel
# (mk/unikernel.mk, installed beside this file in PREFIX/share/miou-solo5/).
#
# Solo5 is found through SOLO5_HOME (a built source tree, or an installed
# prefix) or, without it, on PATH: the toolchain wrapper
# $(SOLO5_ARCH)-solo5-none-static-cc, its ld and objcopy, and
# solo5-elftool. Each variable is empty when its tool is not found.
# SOLO5_ARCH defaults to the build machine's.

SOLO5_ARCH ?= $(shell uname -m)
SOLO5_TRIPLE := $(SOLO5_ARCH)-solo5-none-static

# The first of $(SOLO5_HOME)/{bin,toolchain/bin,elftool}/NAME that exists,
# else NAME on PATH.
solo5_tool = $(firstword $(wildcard $(if $(SOLO5_HOME),$(addsuffix /$(1),\
    $(SOLO5_HOME)/bin $(SOLO5_HOME)/toolchain/bin $(SOLO5_HOME)/elftool))) \
    $(shell command -v $(1) 2>/dev/null))

SOLO5_CC := $(call solo5_tool,$(SOLO5_TRIPLE)-cc)
SOLO5_LD := $(call solo5_tool,$(SOLO5_TRIPLE)-ld)
SOLO5_OBJCOPY := $(call solo5_tool,$(SOLO5_TRIPLE)-objcopy)
SOLO5_ELFTOOL := $(call solo5_tool,solo5-elftool)
