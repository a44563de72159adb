/*
 * string.h - memory and string functions of the freestanding C library of
 * miou-solo5.
 *
 * memcpy, memmove, memset and memcmp (mem.c) are tuned for what a
 * unikernel moves most: Ethernet frames (64..1514 bytes) and disk sectors
 * (512..4096). gcc and clang emit calls to these four on their own (for
 * struct copies and initialisers), so every program links them. The
 * other functions (string.c) are plain byte loops: strings here are
 * short. strstr() is the simple O(n*m) search.
 */
#ifndef MIOU_LIBC_STRING_H
#define MIOU_LIBC_STRING_H

#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);

size_t strlen(const char *s);
/* The length of (s), at most (max); reads no byte beyond s[max - 1]. */
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strcpy(char *restrict dst, const char *restrict src);
char *strncpy(char *restrict dst, const char *restrict src, size_t n);
char *strcat(char *restrict dst, const char *restrict src);
char *strstr(const char *haystack, const char *needle);
size_t strspn(const char *s, const char *accept);
size_t strcspn(const char *s, const char *reject);

/* The text of error number (errnum) (<errno.h>), as glibc words it, or
 * "Unknown error" for a number that <errno.h> does not define. The text
 * is constant: it must not be modified. */
char *strerror(int errnum);

#endif
