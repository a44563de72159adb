/*
 * libc_names.h - how tests/test_libc.c and bench/bench_memcpy.c name the
 * functions of the freestanding C library (src/libc/).
 *
 * LIBC(name) is the library's (name). In the hosted test build
 * (MIOU_LIBC_TEST_PREFIX, set by mk/libc.mk) the library is a renamed
 * copy linked beside glibc (src/libc/test_prefix.h): LIBC(memcpy) is
 * miou_libc_memcpy, declared below, and the program's own headers are
 * glibc's. Without it, on Solo5, the library is the C library itself:
 * LIBC(memcpy) is memcpy, declared by src/libc/include/string.h.
 */
#ifndef LIBC_NAMES_H_INCLUDED
#define LIBC_NAMES_H_INCLUDED

#include <stdarg.h>
#include <stddef.h>

#ifdef MIOU_LIBC_TEST_PREFIX

/* "##" pastes before expanding: glibc's macros (errno, stdout, isdigit)
 * do not get in the way. */
#define LIBC(name) miou_libc_##name

/* The library's FILE (printf.c). */
struct miou_libc_file;

#define LIBC_PRINTF(f, a) __attribute__((__format__(__printf__, f, a)))

extern int miou_libc_errno;

void *miou_libc_memcpy(void *restrict dst, const void *restrict src, size_t n);
void *miou_libc_memmove(void *dst, const void *src, size_t n);
void *miou_libc_memset(void *dst, int c, size_t n);
int miou_libc_memcmp(const void *a, const void *b, size_t n);
void *miou_libc_memchr(const void *s, int c, size_t n);

size_t miou_libc_strlen(const char *s);
size_t miou_libc_strnlen(const char *s, size_t max);
int miou_libc_strcmp(const char *a, const char *b);
int miou_libc_strncmp(const char *a, const char *b, size_t n);
char *miou_libc_strchr(const char *s, int c);
char *miou_libc_strrchr(const char *s, int c);
char *miou_libc_strcpy(char *restrict dst, const char *restrict src);
char *miou_libc_strncpy(char *restrict dst, const char *restrict src, size_t n);
char *miou_libc_strcat(char *restrict dst, const char *restrict src);
char *miou_libc_strstr(const char *haystack, const char *needle);
size_t miou_libc_strspn(const char *s, const char *accept);
size_t miou_libc_strcspn(const char *s, const char *reject);
char *miou_libc_strerror(int errnum);

extern struct miou_libc_file *const miou_libc_stdout;
extern struct miou_libc_file *const miou_libc_stderr;
int miou_libc_printf(const char *restrict fmt, ...) LIBC_PRINTF(1, 2);
int miou_libc_fprintf(struct miou_libc_file *restrict f,
                      const char *restrict fmt, ...) LIBC_PRINTF(2, 3);
int miou_libc_vprintf(const char *restrict fmt, va_list ap) LIBC_PRINTF(1, 0);
int miou_libc_vfprintf(struct miou_libc_file *restrict f,
                       const char *restrict fmt, va_list ap) LIBC_PRINTF(2, 0);
int miou_libc_snprintf(char *restrict buf, size_t n, const char *restrict fmt,
                       ...) LIBC_PRINTF(3, 4);
int miou_libc_vsnprintf(char *restrict buf, size_t n, const char *restrict fmt,
                        va_list ap) LIBC_PRINTF(3, 0);
int miou_libc_puts(const char *s);
int miou_libc_fputs(const char *restrict s, struct miou_libc_file *restrict f);
int miou_libc_fputc(int c, struct miou_libc_file *f);
int miou_libc_putchar(int c);
size_t miou_libc_fwrite(const void *restrict p, size_t size, size_t n,
                        struct miou_libc_file *restrict f);
int miou_libc_fflush(struct miou_libc_file *f);

long miou_libc_strtol(const char *restrict nptr, char **restrict endptr,
                      int base);
unsigned long miou_libc_strtoul(const char *restrict nptr,
                                char **restrict endptr, int base);
long long miou_libc_strtoll(const char *restrict nptr, char **restrict endptr,
                            int base);
unsigned long long miou_libc_strtoull(const char *restrict nptr,
                                      char **restrict endptr, int base);
int miou_libc_atoi(const char *s);
int miou_libc_abs(int x);
long miou_libc_labs(long x);
long long miou_libc_llabs(long long x);
void miou_libc_qsort(void *base, size_t n, size_t size,
                     int (*cmp)(const void *, const void *));
_Noreturn void miou_libc_abort(void);
_Noreturn void miou_libc_exit(int status);

void *miou_libc_malloc(size_t size);
void *miou_libc_calloc(size_t n, size_t size);
void *miou_libc_realloc(void *p, size_t size);
void miou_libc_free(void *p);
void *miou_libc_aligned_alloc(size_t align, size_t size);
int miou_libc_posix_memalign(void **memptr, size_t align, size_t size);
size_t miou_libc_malloc_usable_size(void *p);

_Noreturn void miou_libc___miou_libc_assert_fail(const char *expr,
                                                 const char *file, int line,
                                                 const char *func);

int miou_libc_isalnum(int c);
int miou_libc_isalpha(int c);
int miou_libc_iscntrl(int c);
int miou_libc_isdigit(int c);
int miou_libc_islower(int c);
int miou_libc_isprint(int c);
int miou_libc_ispunct(int c);
int miou_libc_isspace(int c);
int miou_libc_isupper(int c);
int miou_libc_isxdigit(int c);
int miou_libc_tolower(int c);
int miou_libc_toupper(int c);

#else

#define LIBC(name) name

#endif

#endif
