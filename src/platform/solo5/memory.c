/*
 * memory.c - the core's memory on Solo5 (platform/memory.h): the
 * freestanding C library's malloc(), over the start info's heap region.
 */
#include <stdlib.h>

#include "platform/memory.h"

void *miou__mem_alloc(size_t size)
{
    return malloc(size);
}

void *miou__mem_realloc(void *p, size_t size)
{
    return realloc(p, size);
}

void miou__mem_free(void *p)
{
    free(p);
}
