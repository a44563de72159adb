# mk/lwip.mk - the TCP/IP layer: lwIP from Debian's source package, the
# version mk/lwip.source names (fetched into build/lwip-VERSION/src by
# scripts/fetch_lwip.sh, never committed), compiled with our options and
# port (src/tcpip/port/), and the layer over it (src/tcpip/), into
# $(TCPIP_LIB). Included by the platform's makefile after it has set
# BUILD, CC, ALL_CFLAGS and TCPIP_INCLUDEDIR (where install-tcpip puts
# the header, below PREFIX).
#
# Only the programs that include miou_tcpip.h link it, and only their
# build fetches lwIP: the rest of the tree builds without network.
#
# Our patches to lwIP (src/tcpip/patches/lwip-VERSION/*.patch, with a
# README.md saying why each) are applied to a copy of the fetched source,
# build/lwip-VERSION/patched, by scripts/patch_lwip.sh, which the build
# compiles; a change of the patches makes the copy again and rebuilds
# lwIP and our layer (whose headers are lwIP's).
#
# LWIP_VERSION=V builds another entry of mk/lwip.source (give it a BUILD
# of its own to keep both): $(BUILD)/lwip-version records the version a
# build was made with, and a change rebuilds the layer (lwIP's objects
# are in a folder per version).

LWIP_VERSION ?= $(shell sed -e 's/\#.*//' mk/lwip.source | awk 'NF >= 2 { print $$1; exit }')
LWIP_SRC := build/lwip-$(LWIP_VERSION)/src
LWIP_FETCHED := $(LWIP_SRC)/.miou-fetched
LWIP_PATCHES := $(sort $(wildcard src/tcpip/patches/lwip-$(LWIP_VERSION)/*.patch))
LWIP_DIR := build/lwip-$(LWIP_VERSION)/patched
LWIP_PATCHED := $(LWIP_DIR)/.miou-patched
LWIP_STAMP := $(BUILD)/lwip-version

# lwIP's files for IPv4 with ARP, ICMP and DHCP, IPv6 with neighbour
# discovery, MLD and ICMPv6, UDP and TCP, no threads.
LWIP_FILES := core/init.c core/def.c core/inet_chksum.c core/ip.c \
              core/mem.c core/memp.c core/netif.c core/pbuf.c core/stats.c \
              core/sys.c core/tcp.c core/tcp_in.c core/tcp_out.c \
              core/timeouts.c core/udp.c core/ipv4/dhcp.c \
              core/ipv4/etharp.c core/ipv4/icmp.c core/ipv4/ip4.c \
              core/ipv4/ip4_addr.c core/ipv4/ip4_frag.c core/ipv6/ethip6.c \
              core/ipv6/icmp6.c core/ipv6/inet6.c core/ipv6/ip6.c \
              core/ipv6/ip6_addr.c core/ipv6/ip6_frag.c core/ipv6/mld6.c \
              core/ipv6/nd6.c netif/ethernet.c

LWIP_INCLUDE := -Isrc/tcpip/port -I$(LWIP_DIR)/src/include
LWIP_OBJ := $(patsubst %.c,$(BUILD)/obj/lwip-$(LWIP_VERSION)/%.o,$(LWIP_FILES))
TCPIP_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard src/tcpip/*.c))
TCPIP_LIB := $(BUILD)/libmiou-tcpip.a

# The programs that use the stack: they include its header.
TCPIP_USERS := $(shell grep -l 'miou_tcpip\.h' examples/*.c tests/*.c tests/*/*.c bench/*.c 2>/dev/null)

$(LWIP_FETCHED):
	scripts/fetch_lwip.sh $(LWIP_VERSION) $(LWIP_SRC)

$(LWIP_PATCHED): $(LWIP_FETCHED) $(LWIP_PATCHES) scripts/patch_lwip.sh
	scripts/patch_lwip.sh $(LWIP_SRC) $(LWIP_DIR) $(LWIP_PATCHES)

# Rewritten only when the version changes, so that it dates the change.
$(LWIP_STAMP): FORCE
	@mkdir -p $(dir $@)
	@[ "$$(cat $@ 2>/dev/null)" = "$(LWIP_VERSION)" ] || echo "$(LWIP_VERSION)" >$@
FORCE:
.PHONY: FORCE

# lwIP's own code is not ours to warn about: our warning flags are left
# out, the platform's others kept.
$(LWIP_OBJ): $(BUILD)/obj/lwip-$(LWIP_VERSION)/%.o: $(LWIP_PATCHED) $(wildcard src/tcpip/port/*.h src/tcpip/port/arch/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(filter-out $(WARN),$(ALL_CFLAGS)) $(LWIP_INCLUDE) -c $(LWIP_DIR)/src/$*.c -o $@

$(TCPIP_OBJ): ALL_CFLAGS += $(LWIP_INCLUDE)
$(TCPIP_OBJ): $(LWIP_STAMP) $(LWIP_PATCHED)
# Our layer includes lwIP's headers, hence the port's, which the
# platform's pattern (src/*/*/*.h) does not reach in arch/.
$(TCPIP_OBJ): $(wildcard src/tcpip/port/arch/*.h)

$(TCPIP_LIB): $(TCPIP_OBJ) $(LWIP_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

# make install-tcpip: the layer's header, its library (lwIP inside) as
# libmiou-tcpip-$(PLATFORM).a (the platforms share a prefix; their builds
# differ) and miou-tcpip-$(PLATFORM).pc, which requires the platform's
# miou-$(PLATFORM).pc (make install). Apart from install, which builds
# offline: this one needs lwIP's source.
install-tcpip: $(TCPIP_LIB)
	install -d $(DESTDIR)$(PREFIX)/$(TCPIP_INCLUDEDIR) \
	    $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 include/miou_tcpip.h $(DESTDIR)$(PREFIX)/$(TCPIP_INCLUDEDIR)/
	install -m 644 $(TCPIP_LIB) \
	    $(DESTDIR)$(PREFIX)/lib/libmiou-tcpip-$(PLATFORM).a
	$(call install_pc,miou-tcpip.pc.in,miou-tcpip-$(PLATFORM).pc)

.PHONY: install-tcpip
