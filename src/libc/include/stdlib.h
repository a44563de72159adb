/*
 * stdlib.h - memory allocation, number parsing, sorting and program end
 * for the freestanding C library of miou-solo5.
 *
 * Allocation (malloc.c) is served from one heap over the Solo5 start
 * info's heap region (include/miou_heap.h), set up by the platform code
 * before solo5_app_main() runs; until then every allocation fails with
 * ENOMEM. Every pointer returned is aligned to 16 bytes. There are no
 * threads: nothing here locks.
 */
#ifndef MIOU_LIBC_STDLIB_H
#define MIOU_LIBC_STDLIB_H

#include <stddef.h>

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1

/* ---- Allocation. Failures return NULL and set errno to ENOMEM. */

void *malloc(size_t size);
/* NULL (ENOMEM) when (n) * (size) overflows. */
void *calloc(size_t n, size_t size);
/* (size) 0 with (p) not NULL frees (p) and returns NULL, as glibc does.
 * On failure (p) is untouched and still allocated. */
void *realloc(void *p, size_t size);
void free(void *p);
/* (align) must be a power of two, else NULL with errno EINVAL. (size)
 * need not be a multiple of (align). */
void *aligned_alloc(size_t align, size_t size);
/* Returns 0, EINVAL when (align) is not a power of two or not a multiple
 * of sizeof(void *), or ENOMEM; errno is not set. (*memptr) is only
 * written on success. */
int posix_memalign(void **memptr, size_t align, size_t size);
/* The bytes usable at (p), at least what was asked; 0 for NULL. (glibc
 * declares it in <malloc.h>; there is no such header here.) */
size_t malloc_usable_size(void *p);

/* ---- Numbers. */

/* Bases 2..36, or 0 (a "0x" prefix means 16, a leading 0 means 8, else
 * 10). Leading white space and a sign are accepted. Out of range: errno
 * ERANGE and the nearest limit (LONG_MIN, LONG_MAX, ...); the unsigned
 * variants negate a "-" value as C does ("-1" is ULONG_MAX). No digits:
 * 0 and (*endptr) = (nptr). A base outside 0, 2..36: 0 and errno EINVAL.
 * errno is left alone on success. */
long strtol(const char *restrict nptr, char **restrict endptr, int base);
unsigned long strtoul(const char *restrict nptr, char **restrict endptr,
                      int base);
long long strtoll(const char *restrict nptr, char **restrict endptr, int base);
unsigned long long strtoull(const char *restrict nptr, char **restrict endptr,
                            int base);
/* strtol(s, NULL, 10) converted to int. */
int atoi(const char *s);

int abs(int x);
long labs(long x);
long long llabs(long long x);

/* Heapsort: O(n log n) comparisons in the worst case, in place, no
 * recursion and no allocation; not stable. */
void qsort(void *base, size_t n, size_t size,
           int (*cmp)(const void *, const void *));

/* ---- Program end. There is no atexit(): nothing is buffered. */

/* Print "abort() called" on the console and stop the unikernel through
 * solo5_abort(). */
_Noreturn void abort(void);
/* solo5_exit(status). */
_Noreturn void exit(int status);

#endif
