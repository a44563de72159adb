/*
 * test_prefix.h - renames every name the freestanding C library exports
 * to miou_libc_<name>, for the hosted test build only.
 *
 * mk/libc.mk compiles each C file of src/libc/ with "-include" of this file, so
 * that the library can be linked into a Linux program beside glibc and
 * tested there (tests/test_libc.c, bench/bench_memcpy.c) without either
 * replacing the other. The Solo5 calls it uses (solo5_console_write,
 * solo5_abort, solo5_exit), the heap's API (miou_heap_*) and the
 * platform's entry points (miou__libc_heap_init, miou__libc_heap) keep
 * their names: the hosted platform and libmiou provide them. The list
 * must name every external symbol of the library's files; mk/libc.mk checks it
 * after each build. tests/lib/libc_names.h declares the renamed functions.
 */
#ifndef MIOU_LIBC_TEST_PREFIX_H
#define MIOU_LIBC_TEST_PREFIX_H

/* errno.c */
#define errno miou_libc_errno

/* mem.c */
#define memcpy miou_libc_memcpy
#define memmove miou_libc_memmove
#define memset miou_libc_memset
#define memcmp miou_libc_memcmp
#define memchr miou_libc_memchr

/* string.c */
#define strlen miou_libc_strlen
#define strnlen miou_libc_strnlen
#define strcmp miou_libc_strcmp
#define strncmp miou_libc_strncmp
#define strchr miou_libc_strchr
#define strrchr miou_libc_strrchr
#define strcpy miou_libc_strcpy
#define strncpy miou_libc_strncpy
#define strcat miou_libc_strcat
#define strstr miou_libc_strstr
#define strspn miou_libc_strspn
#define strcspn miou_libc_strcspn
#define strerror miou_libc_strerror

/* printf.c */
#define stdout miou_libc_stdout
#define stderr miou_libc_stderr
#define printf miou_libc_printf
#define fprintf miou_libc_fprintf
#define vprintf miou_libc_vprintf
#define vfprintf miou_libc_vfprintf
#define snprintf miou_libc_snprintf
#define vsnprintf miou_libc_vsnprintf
#define puts miou_libc_puts
#define fputs miou_libc_fputs
#define fputc miou_libc_fputc
#define putchar miou_libc_putchar
#define fwrite miou_libc_fwrite
#define fflush miou_libc_fflush

/* stdlib.c */
#define strtol miou_libc_strtol
#define strtoul miou_libc_strtoul
#define strtoll miou_libc_strtoll
#define strtoull miou_libc_strtoull
#define atoi miou_libc_atoi
#define abs miou_libc_abs
#define labs miou_libc_labs
#define llabs miou_libc_llabs
#define qsort miou_libc_qsort
#define abort miou_libc_abort
#define exit miou_libc_exit

/* malloc.c */
#define malloc miou_libc_malloc
#define calloc miou_libc_calloc
#define realloc miou_libc_realloc
#define free miou_libc_free
#define aligned_alloc miou_libc_aligned_alloc
#define posix_memalign miou_libc_posix_memalign
#define malloc_usable_size miou_libc_malloc_usable_size

/* assert.c */
#define __miou_libc_assert_fail miou_libc___miou_libc_assert_fail

/* ctype.c */
#define isalnum miou_libc_isalnum
#define isalpha miou_libc_isalpha
#define iscntrl miou_libc_iscntrl
#define isdigit miou_libc_isdigit
#define islower miou_libc_islower
#define isprint miou_libc_isprint
#define ispunct miou_libc_ispunct
#define isspace miou_libc_isspace
#define isupper miou_libc_isupper
#define isxdigit miou_libc_isxdigit
#define tolower miou_libc_tolower
#define toupper miou_libc_toupper

#endif
