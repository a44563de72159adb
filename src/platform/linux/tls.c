/*
 * tls.c - Solo5's TLS block calls on the platforms whose unikernels are
 * Linux processes (hosted, sim).
 *
 * The block is laid out as Solo5 lays it out, over the program's own TLS
 * segment (its PT_TLS program header: .tdata, then .tbss): on x86_64
 * (variant II) the data then the thread pointer, which points at itself;
 * on aarch64 (variant I) a two-word control block at the thread pointer,
 * then the data. So solo5_tls_size(), solo5_tls_tp_offset() and
 * solo5_tls_init() answer what they answer under a Solo5 tender.
 *
 * The TLS base register itself belongs to the host's C library (errno,
 * the stack protector's canary, its allocator's caches live there):
 * moving it would break the process. solo5_set_tls_base() answers
 * SOLO5_R_EUNSPEC and changes nothing, as Solo5 does on a target that
 * cannot set it.
 */
#include <link.h>
#include <string.h>

#include <solo5.h>

#if defined(__x86_64__)
#define TCB_SIZE sizeof(void *)
#elif defined(__aarch64__)
#define TCB_SIZE (2 * sizeof(void *))
#else
#error Unsupported architecture
#endif

/* The program's TLS segment: its initial .tdata, and both sizes. */
struct tls_segment {
    int known;
    const void *tdata;
    size_t tdata_size;
    size_t tbss_size;
};

static struct tls_segment segment;

/* dl_iterate_phdr() visits the program first: its TLS segment, if any. */
static int find_segment(struct dl_phdr_info *info, size_t size, void *arg)
{
    struct tls_segment *s = arg;

    (void)size;
    for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

        if (ph->p_type == PT_TLS) {
            s->tdata = (const void *)(info->dlpi_addr + ph->p_vaddr);
            s->tdata_size = ph->p_filesz;
            s->tbss_size = ph->p_memsz - ph->p_filesz;
        }
    }
    return 1; /* the program only, not the libraries */
}

static const struct tls_segment *program_segment(void)
{
    if (!segment.known) {
        dl_iterate_phdr(find_segment, &segment);
        segment.known = 1;
    }
    return &segment;
}

size_t solo5_tls_size(void)
{
    const struct tls_segment *s = program_segment();

    return s->tdata_size + s->tbss_size + TCB_SIZE;
}

uintptr_t solo5_tls_tp_offset(uintptr_t tls)
{
#if defined(__x86_64__)
    const struct tls_segment *s = program_segment();

    return tls + s->tdata_size + s->tbss_size;
#else
    return tls;
#endif
}

solo5_result_t solo5_tls_init(uintptr_t tls)
{
    const struct tls_segment *s = program_segment();
    uintptr_t *tp;

    if (tls == 0)
        return SOLO5_R_EINVAL;
    tp = (uintptr_t *)solo5_tls_tp_offset(tls);
    *tp = (uintptr_t)tp;
#if defined(__x86_64__)
    memcpy((void *)tls, s->tdata, s->tdata_size);
#else
    memcpy((void *)(tls + TCB_SIZE), s->tdata, s->tdata_size);
#endif
    return SOLO5_R_OK;
}

solo5_result_t solo5_set_tls_base(uintptr_t base)
{
    (void)base;
    return SOLO5_R_EUNSPEC;
}
