/*
 * devopts.c - the tender's device options, checked as they are read:
 *
 *   --net:NAME=IFACE | @NN | unix:LOCAL,PEER
 *   --net-mac:NAME=HWADDR
 *   --block:NAME=PATH
 *   --block-sector-size:NAME=N
 *
 * Each must name a device that the manifest declares with the option's
 * type. They only record what they were given in the device table: the
 * devices are opened once all options are read (devices.c), so that
 * --net-mac and --block-sector-size may come before or after the option
 * that attaches their device.
 */
#include <stdio.h>
#include <string.h>

#include "hosted.h"

/* The device of (type) that the option (arg) = "OPTION:NAME=VALUE"
 * names, with (*rest) set to VALUE; NULL after printing what is wrong.
 * (value) is what follows "OPTION:", NULL when the argument stopped at the
 * option's name; (opt_value) names VALUE in messages. */
static struct hosted_device *named_device(const struct hosted_tender *t,
                                          const char *arg, const char *value,
                                          enum hosted_dev_type type,
                                          const char *opt_value,
                                          const char **rest)
{
    struct hosted_device *d = NULL;
    const char *eq;
    int len;

    if (value == NULL || *value == '\0' || *value == '=') {
        fprintf(stderr, "%s: option '%s' names no device (%.*s:NAME=%s)\n",
                t->prog, arg, (int)strcspn(arg, ":="), arg, opt_value);
        return NULL;
    }
    eq = strchr(value, '=');
    len = (int)(eq != NULL ? (size_t)(eq - value) : strlen(value));
    if (eq == NULL) {
        fprintf(stderr, "%s: device '%s': option '%s' needs a value (%s=%s)\n",
                t->prog, value, arg, arg, opt_value);
        return NULL;
    }
    /* A longer name is in no manifest. */
    if (len <= HOSTED_NAME_MAX) {
        char name[HOSTED_NAME_MAX + 1];

        memcpy(name, value, (size_t)len);
        name[len] = '\0';
        d = hosted_device_find(name);
    }
    if (d == NULL) {
        fprintf(stderr,
                "%s: device '%.*s': not declared in the unikernel's manifest "
                "(option '%s')\n",
                t->prog, len, value, arg);
        return NULL;
    }
    if (d->type != type) {
        hosted_device_error(t->prog, d,
                            "declared as %s, so option '%s' does not apply "
                            "(%s:%s=%s)",
                            d->type == HOSTED_NET ? "NET_BASIC" : "BLOCK_BASIC",
                            arg, d->type == HOSTED_NET ? "--net" : "--block",
                            d->name, d->type == HOSTED_NET ? "IFACE" : "PATH");
        return NULL;
    }
    *rest = eq + 1;
    return d;
}

/* --net: and --block: */
static int attach_option(struct hosted_tender *t, const char *arg,
                         const char *value, enum hosted_dev_type type)
{
    const char *what = NULL;
    struct hosted_device *d = named_device(
        t, arg, value, type, type == HOSTED_NET ? "IFACE" : "PATH", &what);

    if (d == NULL)
        return 1;
    if (d->attach_arg != NULL) {
        hosted_device_error(t->prog, d, "attached twice ('%s' and '%s')",
                            d->attach_arg, arg);
        return 1;
    }
    if (*what == '\0') {
        hosted_device_error(t->prog, d, "option '%s' gives no %s", arg,
                            type == HOSTED_NET ? "interface" : "file");
        return 1;
    }
    d->attach_arg = arg;
    d->attach = what;
    return HOSTED_RUN;
}

int hosted_opt_net(struct hosted_tender *t, const char *arg, const char *value)
{
    return attach_option(t, arg, value, HOSTED_NET);
}

int hosted_opt_block(struct hosted_tender *t, const char *arg,
                     const char *value)
{
    return attach_option(t, arg, value, HOSTED_BLOCK);
}

int hosted_opt_net_mac(struct hosted_tender *t, const char *arg,
                       const char *value)
{
    const char *mac = NULL;
    struct hosted_device *d =
        named_device(t, arg, value, HOSTED_NET, "HWADDR", &mac);

    if (d == NULL)
        return 1;
    if (d->mac_arg != NULL) {
        hosted_device_error(t->prog, d,
                            "MAC address given twice ('%s' and "
                            "'%s')",
                            d->mac_arg, arg);
        return 1;
    }
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
    d->mac_arg = arg;
    d->mac_given = 1;
    return HOSTED_RUN;
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
    if (n < HOSTED_SECTOR_DEFAULT)
        hosted_device_error(prog, d, "invalid sector size '%s': below %u", s,
                            HOSTED_SECTOR_DEFAULT);
    else if (n > HOSTED_SECTOR_MAX)
        hosted_device_error(prog, d, "invalid sector size '%s': above %u", s,
                            HOSTED_SECTOR_MAX);
    else if ((n & (n - 1)) != 0)
        hosted_device_error(prog, d,
                            "invalid sector size '%s': not a power of two", s);
    else
        return n;
    return 0;
}

int hosted_opt_sector_size(struct hosted_tender *t, const char *arg,
                           const char *value)
{
    const char *size = NULL;
    struct hosted_device *d =
        named_device(t, arg, value, HOSTED_BLOCK, "N", &size);

    if (d == NULL)
        return 1;
    if (d->sector_arg != NULL) {
        hosted_device_error(t->prog, d,
                            "sector size given twice ('%s' and "
                            "'%s')",
                            d->sector_arg, arg);
        return 1;
    }
    d->sector_size = parse_sector_size(t->prog, d, size);
    if (d->sector_size == 0)
        return 1;
    d->sector_arg = arg;
    return HOSTED_RUN;
}
