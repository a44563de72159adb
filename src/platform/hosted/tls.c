/*
 * tls.c - the hosted process keeps the thread-local storage that the C
 * library set up for it: moving its base would break the host's libc.
 */
#include <solo5.h>

solo5_result_t solo5_set_tls_base(uintptr_t base)
{
    (void)base;
    return SOLO5_R_EUNSPEC;
}
