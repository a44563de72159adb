# mk/mbedtls.mk - the TLS layer: mbedTLS 3.6 from Debian's source package
# (fetched into build/mbedtls/src by scripts/fetch_mbedtls.sh, never
# committed) compiled with our configuration (src/tls/port/), and the
# layer over it (src/tls/), into $(TLS_LIB). Included by the platform's
# makefile after mk/lwip.mk (the layer is above TCP/IP), once BUILD, CC,
# ALL_CFLAGS and PLATFORM are set.
#
# Only the programs that include miou_tls.h link it (with the TCP/IP
# layer), and only their build fetches mbedTLS: the rest of the tree,
# TCP/IP included, builds without it.

MBEDTLS_DIR := build/mbedtls/src
MBEDTLS_FETCHED := $(MBEDTLS_DIR)/.miou-fetched

# mbedTLS's library; files for features our configuration leaves out
# compile to nothing. Listed by hand where they would reach for an
# operating system (sockets, timing, entropy polling, file storage).
MBEDTLS_LEFT_OUT := net_sockets.c timing.c entropy_poll.c psa_its_file.c
MBEDTLS_FILES := aes.c aesce.c aesni.c asn1parse.c asn1write.c base64.c \
    bignum.c bignum_core.c bignum_mod.c bignum_mod_raw.c block_cipher.c \
    chacha20.c chachapoly.c cipher.c cipher_wrap.c constant_time.c \
    ctr_drbg.c ecdh.c ecdsa.c ecp.c ecp_curves.c ecp_curves_new.c error.c \
    gcm.c hkdf.c hmac_drbg.c md.c oid.c pem.c pk.c pk_ecc.c pk_wrap.c pkparse.c \
    pkwrite.c platform.c platform_util.c poly1305.c psa_crypto.c \
    psa_crypto_aead.c psa_crypto_cipher.c psa_crypto_client.c \
    psa_crypto_driver_wrappers_no_static.c psa_crypto_ecp.c \
    psa_crypto_ffdh.c psa_crypto_hash.c psa_crypto_mac.c psa_crypto_pake.c \
    psa_crypto_rsa.c psa_crypto_slot_management.c psa_util.c rsa.c \
    rsa_alt_helpers.c sha1.c sha256.c sha512.c ssl_ciphersuites.c \
    ssl_client.c ssl_debug_helpers_generated.c ssl_msg.c ssl_ticket.c \
    ssl_tls.c ssl_tls12_client.c ssl_tls12_server.c ssl_tls13_client.c \
    ssl_tls13_generic.c ssl_tls13_keys.c ssl_tls13_server.c x509.c \
    x509_crt.c

# Solo5's C library has no <time.h> nor <endian.h>: the port gives the
# little that mbedTLS and HACL* take from them (src/tls/port/solo5/).
MBEDTLS_INCLUDE := -Isrc/tls/port $(if $(filter solo5,$(PLATFORM)),-Isrc/tls/port/solo5) \
    -I$(MBEDTLS_DIR)/include -DMBEDTLS_CONFIG_FILE='"miou_mbedtls_config.h"'
# X25519 from Project Everest (HACL*'s verified Curve25519, shipped in
# mbedTLS's 3rdparty/): the ECDH of a TLS 1.3 handshake with today's
# clients, several times faster than mbedTLS's generic ladder.
EVEREST_FILES := everest.c x25519.c Hacl_Curve25519_joined.c
EVEREST_DIR := $(MBEDTLS_DIR)/3rdparty/everest
MBEDTLS_INCLUDE += -I$(EVEREST_DIR)/include
MBEDTLS_LIB_OBJ := $(patsubst %.c,$(BUILD)/obj/mbedtls/%.o,$(MBEDTLS_FILES))
EVEREST_OBJ := $(patsubst %.c,$(BUILD)/obj/mbedtls/everest/%.o,$(EVEREST_FILES))
MBEDTLS_OBJ := $(MBEDTLS_LIB_OBJ) $(EVEREST_OBJ)
TLS_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard src/tls/*.c))
TLS_LIB := $(BUILD)/libmiou-tls.a

# The programs that use TLS: they include its header.
TLS_USERS := $(shell grep -l 'miou_tls\.h' examples/*.c tests/*.c tests/*/*.c tests/*/*/*.c bench/*.c 2>/dev/null)

$(MBEDTLS_FETCHED):
	scripts/fetch_mbedtls.sh $(MBEDTLS_DIR)

# mbedTLS's own code is not ours to warn about: our warning flags are
# left out, the platform's others kept.
$(MBEDTLS_LIB_OBJ): $(BUILD)/obj/mbedtls/%.o: $(MBEDTLS_FETCHED) $(wildcard src/tls/port/*.h src/tls/port/solo5/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(filter-out $(WARN) -Wmissing-prototypes,$(ALL_CFLAGS)) $(MBEDTLS_INCLUDE) -c $(MBEDTLS_DIR)/library/$*.c -o $@

$(EVEREST_OBJ): $(BUILD)/obj/mbedtls/everest/%.o: $(MBEDTLS_FETCHED) $(wildcard src/tls/port/*.h src/tls/port/solo5/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(filter-out $(WARN) -Wmissing-prototypes,$(ALL_CFLAGS)) $(MBEDTLS_INCLUDE) \
	    -I$(EVEREST_DIR)/include/everest -I$(EVEREST_DIR)/include/everest/kremlib \
	    -I$(MBEDTLS_DIR)/library -DKRML_HOST_TIME=krml_no_time \
	    -c $(EVEREST_DIR)/library/$*.c -o $@
# (KRML_HOST_TIME: HACL*'s headers define a time() helper that nothing
# calls, and Solo5 has no time(): named, it is not defined at all.)

$(TLS_OBJ): ALL_CFLAGS += $(MBEDTLS_INCLUDE)

# What a program that links $(TLS_LIB) is linked with (src/tls/x25519.c:
# X25519 public keys from HACL*).
TLS_WRAP := --wrap=mbedtls_psa_ecp_export_public_key
TLS_LDWRAP := -Wl,$(TLS_WRAP)
$(TLS_OBJ): | $(MBEDTLS_FETCHED)
$(TLS_OBJ): $(wildcard src/tls/port/*.h)

$(TLS_LIB): $(TLS_OBJ) $(MBEDTLS_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

# The sim platform's HTTPS client (tests/sim/peers/tls/): mbedTLS as a
# peer, linked only into the sim programs that use TLS.
SIM_TLS_PEERS := $(if $(filter sim,$(PLATFORM)),$(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tests/sim/peers/tls/*.c)))
$(SIM_TLS_PEERS): ALL_CFLAGS += $(MBEDTLS_INCLUDE)
$(SIM_TLS_PEERS): | $(MBEDTLS_FETCHED)

.PHONY: tls-lib
tls-lib: $(TLS_LIB)
