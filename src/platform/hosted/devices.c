/*
 * devices.c - the life of the device table: after the options, check that
 * the command line attached every declared device and open them all, so
 * that any problem stops the program before solo5_app_main() (as a Solo5
 * tender refuses to start); at the end, close them again.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hosted.h"

static const char *type_word(enum hosted_dev_type type)
{
    return type == HOSTED_NET ? "NET_BASIC" : "BLOCK_BASIC";
}

void hosted_device_error(const char *prog, const struct hosted_device *d,
                         const char *fmt, ...)
{
    char *msg = NULL;
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vasprintf(&msg, fmt, ap);
    va_end(ap);
    tender_error(prog, "device '%s': %s", d->name,
                 n < 0 ? "(message lost: out of memory)" : msg);
    free(msg);
}

void hosted_devices_help(void)
{
    size_t i;

    if (hosted_ndevices == 0) {
        fprintf(stdout, "This unikernel declares no devices.\n");
        return;
    }
    fprintf(stdout,
            "Devices declared by this unikernel's manifest (each must be "
            "attached):\n");
    for (i = 1; i <= hosted_ndevices; i++)
        fprintf(stdout, "  %-11s  %s\n", type_word(hosted_devices[i].type),
                hosted_devices[i].name);
}

/* The socket files of the unix backend are removed even when the
 * unikernel ends with solo5_exit(), which does not return here. */
static void unlink_at_exit(void)
{
    size_t i;

    for (i = 1; i <= hosted_ndevices; i++)
        hosted_unix_unlink(&hosted_devices[i]);
}

static int attach_net(const char *prog, struct hosted_device *d, size_t i)
{
    int rc;

    if (d->attach[0] == '@')
        rc = hosted_fd_attach(prog, d);
    else if (strncmp(d->attach, "unix:", 5) == 0)
        rc = hosted_unix_attach(prog, d);
    else
        rc = hosted_tap_attach(prog, d);
    if (rc == 0 && !d->mac_given)
        hosted_mac_make(i, d->mac);
    return rc;
}

int hosted_devices_attach(const char *prog)
{
    static int exit_hook;
    size_t i;

    /* Missing devices first: they are the likeliest mistake, and naming
     * them does not depend on the host. */
    for (i = 1; i <= hosted_ndevices; i++) {
        const struct hosted_device *d = &hosted_devices[i];

        if (d->attach == NULL) {
            hosted_device_error(
                prog, d, "declared as %s but not attached (%s:%s=%s)",
                type_word(d->type), d->type == HOSTED_NET ? "--net" : "--block",
                d->name, d->type == HOSTED_NET ? "IFACE" : "PATH");
            return 1;
        }
    }
    if (!exit_hook && hosted_ndevices > 0) {
        if (atexit(unlink_at_exit) != 0) {
            fprintf(stderr, "%s: cannot register the exit handler\n", prog);
            return 1;
        }
        exit_hook = 1;
    }
    for (i = 1; i <= hosted_ndevices; i++) {
        struct hosted_device *d = &hosted_devices[i];
        int rc = d->type == HOSTED_NET ? attach_net(prog, d, i)
                                       : hosted_block_attach(prog, d);
        if (rc != 0)
            return rc;
    }
    return 0;
}

void hosted_devices_release(void)
{
    size_t i;

    hosted_yield_forget_all();
    for (i = 1; i <= hosted_ndevices; i++) {
        struct hosted_device *d = &hosted_devices[i];

        hosted_unix_unlink(d);
        if (d->fd >= 0)
            close(d->fd);
        d->fd = -1;
    }
    hosted_ndevices = 0;
}
