/*
 * devopts.c - the tender's device options, checked as they are read:
 *
 *   --net:NAME=IFACE | @NN | unix:LOCAL,PEER
 *   --net-mac:NAME=HWADDR
 *   --block:NAME=PATH
 *   --block-sector-size:NAME=N
 *
 * The shared parser (src/platform/linux/tender_*.c) has split each into the
 * device's name and the value, and refused a second one for a device. The
 * device must be one that the manifest declares with the option's type. The
 * handlers only record what they were given in the device table: the devices
 * are opened once all options are read (devices.c), so that --net-mac and
 * --block-sector-size may come before or after the option that attaches their
 * device.
 */
#include <string.h>

#include "hosted.h"

/* The device of (type) that the option (a) names; NULL after printing
 * what is wrong. */
static struct hosted_device *named_device(const struct tender *t,
                                          const struct tender_arg *a,
                                          enum hosted_dev_type type)
{
    struct hosted_device *d = hosted_device_find(a->device);

    if (d == NULL) {
        tender_error(t->prog,
                     "device '%s': not declared in the unikernel's manifest "
                     "(option '%s')",
                     a->device, a->word);
        return NULL;
    }
    if (d->type != type) {
        hosted_device_error(t->prog, d,
                            "declared as %s, so option '%s' does not apply "
                            "(%s:%s=%s)",
                            d->type == HOSTED_NET ? "NET_BASIC" : "BLOCK_BASIC",
                            a->word,
                            d->type == HOSTED_NET ? "--net" : "--block",
                            d->name, d->type == HOSTED_NET ? "IFACE" : "PATH");
        return NULL;
    }
    return d;
}

/* --net: and --block: */
static int attach_option(struct tender *t, const struct tender_arg *a,
                         enum hosted_dev_type type)
{
    struct hosted_device *d = named_device(t, a, type);

    if (d == NULL)
        return 1;
    if (*a->value == '\0') {
        hosted_device_error(t->prog, d, "option '%s' gives no %s", a->word,
                            type == HOSTED_NET ? "interface" : "file");
        return 1;
    }
    d->attach = a->value;
    return TENDER_RUN;
}

int hosted_opt_net(struct tender *t, const struct tender_arg *a)
{
    return attach_option(t, a, HOSTED_NET);
}

int hosted_opt_block(struct tender *t, const struct tender_arg *a)
{
    return attach_option(t, a, HOSTED_BLOCK);
}

int hosted_opt_net_mac(struct tender *t, const struct tender_arg *a)
{
    const char *mac = a->value;
    struct hosted_device *d = named_device(t, a, HOSTED_NET);

    if (d == NULL)
        return 1;
    if (hosted_mac_parse(mac, d->mac) != 0) {
        hosted_device_error(t->prog, d,
                            "invalid MAC address '%s' (xx:xx:xx:xx:xx:xx, "
                            "in hexadecimal)",
                            mac);
        return 1;
    }
    /* A device's own address cannot be a group address: frames sent from
     * it would be taken for multicast. */
    if (d->mac[0] & 1) {
        hosted_device_error(t->prog, d,
                            "MAC address '%s' is a multicast address", mac);
        return 1;
    }
    d->mac_given = 1;
    return TENDER_RUN;
}

/* The sector size (s), or 0 after printing what is wrong with it. */
static uint64_t parse_sector_size(const char *prog,
                                  const struct hosted_device *d, const char *s)
{
    uint64_t n = 0;
    const char *p;

    /* Digits only: strtoul() would take signs, spaces and hexadecimal. */
    if (*s == '\0' || strspn(s, "0123456789") != strlen(s)) {
        hosted_device_error(prog, d, "invalid sector size '%s': not a number",
                            s);
        return 0;
    }
    /* Saturate just above the maximum so that no length of digits can
     * overflow. */
    for (p = s; *p != '\0' && n <= HOSTED_SECTOR_MAX; p++)
        n = n * 10 + (uint64_t)(*p - '0');
    if (n > HOSTED_SECTOR_MAX)
        hosted_device_error(prog, d, "invalid sector size '%s': above %u", s,
                            HOSTED_SECTOR_MAX);
    else if (n < HOSTED_SECTOR_DEFAULT || (n & (n - 1)) != 0)
        hosted_device_error(
            prog, d, "invalid sector size '%s': " TENDER_BLOCK_SECTOR, s);
    else
        return n;
    return 0;
}

int hosted_opt_sector_size(struct tender *t, const struct tender_arg *a)
{
    struct hosted_device *d = named_device(t, a, HOSTED_BLOCK);

    if (d == NULL)
        return 1;
    d->sector_size = parse_sector_size(t->prog, d, a->value);
    if (d->sector_size == 0)
        return 1;
    return TENDER_RUN;
}
