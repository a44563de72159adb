/*
 * manifest.c - the devices a program declares, read from the manifest that
 * tools/miou-manifest generated from its manifest.json and that the build
 * linked into it: "TYPE NAME" strings ending with NULL.
 *
 * The symbol is weak so that a program without a manifest still links: it
 * then has no devices, as a Solo5 unikernel with an empty manifest. The
 * tool already checked the manifest; the checks are repeated here because
 * the array could also be written by hand.
 */
#include <stdio.h>
#include <string.h>

#include "hosted.h"

extern const char *const miou_hosted_manifest[] __attribute__((weak));

struct hosted_device hosted_devices[HOSTED_MAX_DEVICES + 1];
size_t hosted_ndevices;

static int bad_entry(const char *prog, size_t i, const char *entry,
                     const char *why)
{
    fprintf(stderr, "%s: manifest entry %zu '%s': %s\n", prog, i + 1, entry,
            why);
    return 1;
}

/* The type of (entry) and its name in (*name); -1 for an unknown type. */
static int entry_type(const char *entry, const char **name)
{
    static const struct {
        const char *word;
        enum hosted_dev_type type;
    } types[] = {{"NET_BASIC ", HOSTED_NET}, {"BLOCK_BASIC ", HOSTED_BLOCK}};
    size_t i;

    for (i = 0; i < sizeof types / sizeof types[0]; i++) {
        size_t len = strlen(types[i].word);

        if (strncmp(entry, types[i].word, len) == 0) {
            *name = entry + len;
            return (int)types[i].type;
        }
    }
    return -1;
}

static int valid_name(const char *name)
{
    size_t len = strlen(name);

    return len > 0 && len <= HOSTED_NAME_MAX &&
           strspn(name, "abcdefghijklmnopqrstuvwxyz"
                        "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == len;
}

static void init_entry(struct hosted_device *d, const char *name,
                       enum hosted_dev_type type)
{
    memset(d, 0, sizeof *d);
    strcpy(d->name, name); /* its length was checked */
    d->type = type;
    d->fd = -1;
    d->sector_size = HOSTED_SECTOR_DEFAULT;
}

int hosted_manifest_load(const char *prog)
{
    size_t i;

    hosted_ndevices = 0;
    if (miou_hosted_manifest == NULL)
        return 0;
    for (i = 0; miou_hosted_manifest[i] != NULL; i++) {
        const char *entry = miou_hosted_manifest[i], *name = NULL;
        int type = entry_type(entry, &name);

        if (i >= HOSTED_MAX_DEVICES)
            return bad_entry(prog, i, entry, "more than 63 devices");
        if (type < 0)
            return bad_entry(prog, i, entry,
                             "not 'NET_BASIC NAME' or 'BLOCK_BASIC NAME'");
        if (!valid_name(name))
            return bad_entry(prog, i, entry,
                             "a name is 1 to 67 letters and digits");
        if (hosted_device_find(name) != NULL)
            return bad_entry(prog, i, entry, "declared twice");
        /* Handle 0 is reserved, as in Solo5: entry i has handle i + 1. */
        init_entry(&hosted_devices[i + 1], name, (enum hosted_dev_type)type);
        hosted_ndevices = i + 1;
    }
    return 0;
}

struct hosted_device *hosted_device_find(const char *name)
{
    size_t i;

    for (i = 1; i <= hosted_ndevices; i++)
        if (strcmp(hosted_devices[i].name, name) == 0)
            return &hosted_devices[i];
    return NULL;
}
