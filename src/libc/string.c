/*
 * string.c - the str* functions and strerror().
 *
 * Byte loops: the strings of a unikernel (names, command-line words,
 * messages) are short, and a word-at-a-time strlen would read past the
 * end of a string inside its last word, which AddressSanitizer reports
 * in the hosted test build. strstr() is the direct O(n*m) search.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* See mem.c: gcc must not turn these loops back into calls. */
#if defined(__GNUC__) && !defined(__clang__)
#define NO_LIBCALL __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define NO_LIBCALL
#endif

NO_LIBCALL size_t strlen(const char *s)
{
    const char *p = s;
    while (*p)
        p++;
    return (size_t)(p - s);
}

NO_LIBCALL size_t strnlen(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    return n;
}

/* Comparisons are of unsigned char, as the standard asks. */
int strcmp(const char *a, const char *b)
{
    const unsigned char *p = (const unsigned char *)a;
    const unsigned char *q = (const unsigned char *)b;
    while (*p && *p == *q) {
        p++;
        q++;
    }
    return (*p > *q) - (*p < *q);
}

int strncmp(const char *a, const char *b, size_t n)
{
    const unsigned char *p = (const unsigned char *)a;
    const unsigned char *q = (const unsigned char *)b;
    for (; n > 0; n--, p++, q++)
        if (*p != *q || *p == '\0')
            return (*p > *q) - (*p < *q);
    return 0;
}

/* The terminating NUL is part of the string: strchr(s, 0) finds it. */
char *strchr(const char *s, int c)
{
    char ch = (char)c;
    for (;; s++) {
        if (*s == ch)
            return (char *)s;
        if (*s == '\0')
            return NULL;
    }
}

char *strrchr(const char *s, int c)
{
    char ch = (char)c;
    const char *last = NULL;
    for (;; s++) {
        if (*s == ch)
            last = s;
        if (*s == '\0')
            return (char *)last;
    }
}

NO_LIBCALL char *strcpy(char *restrict dst, const char *restrict src)
{
    char *d = dst;
    while ((*d++ = *src++) != '\0')
        ;
    return dst;
}

/* Copies at most (n) bytes and fills the rest of the (n) with NULs; no
 * NUL is added when (src) is (n) bytes or longer, as the standard has
 * it. */
NO_LIBCALL char *strncpy(char *restrict dst, const char *restrict src, size_t n)
{
    size_t i = 0;
    for (; i < n && src[i]; i++)
        dst[i] = src[i];
    for (; i < n; i++)
        dst[i] = '\0';
    return dst;
}

char *strcat(char *restrict dst, const char *restrict src)
{
    strcpy(dst + strlen(dst), src);
    return dst;
}

char *strstr(const char *haystack, const char *needle)
{
    size_t n = strlen(needle);
    if (n == 0)
        return (char *)haystack;
    for (; (haystack = strchr(haystack, needle[0])) != NULL; haystack++)
        if (strncmp(haystack, needle, n) == 0)
            return (char *)haystack;
    return NULL;
}

/* The bytes of (set) as a 256-bit map, for strspn and strcspn. */
struct byteset {
    uint64_t bits[4];
};

static void byteset_of(struct byteset *bs, const char *set)
{
    const unsigned char *p = (const unsigned char *)set;
    bs->bits[0] = bs->bits[1] = bs->bits[2] = bs->bits[3] = 0;
    for (; *p; p++)
        bs->bits[*p >> 6] |= (uint64_t)1 << (*p & 63);
}

static int byteset_has(const struct byteset *bs, unsigned char c)
{
    return (bs->bits[c >> 6] >> (c & 63)) & 1;
}

size_t strspn(const char *s, const char *accept)
{
    struct byteset bs;
    const unsigned char *p = (const unsigned char *)s;
    byteset_of(&bs, accept);
    while (*p && byteset_has(&bs, *p))
        p++;
    return (size_t)(p - (const unsigned char *)s);
}

size_t strcspn(const char *s, const char *reject)
{
    struct byteset bs;
    const unsigned char *p = (const unsigned char *)s;
    byteset_of(&bs, reject);
    while (*p && !byteset_has(&bs, *p))
        p++;
    return (size_t)(p - (const unsigned char *)s);
}

/* One entry per value of <errno.h>, with glibc's texts so that messages
 * read the same as on the Linux host. */
static const struct {
    int num;
    const char *text;
} errtexts[] = {
    {0, "Success"},
    {EPERM, "Operation not permitted"},
    {ENOENT, "No such file or directory"},
    {ESRCH, "No such process"},
    {EINTR, "Interrupted system call"},
    {EIO, "Input/output error"},
    {ENXIO, "No such device or address"},
    {E2BIG, "Argument list too long"},
    {EBADF, "Bad file descriptor"},
    {EAGAIN, "Resource temporarily unavailable"},
    {ENOMEM, "Cannot allocate memory"},
    {EACCES, "Permission denied"},
    {EFAULT, "Bad address"},
    {EBUSY, "Device or resource busy"},
    {EEXIST, "File exists"},
    {ENODEV, "No such device"},
    {EINVAL, "Invalid argument"},
    {ENOSPC, "No space left on device"},
    {ESPIPE, "Illegal seek"},
    {EROFS, "Read-only file system"},
    {EPIPE, "Broken pipe"},
    {EDOM, "Numerical argument out of domain"},
    {ERANGE, "Numerical result out of range"},
    {EDEADLK, "Resource deadlock avoided"},
    {ENAMETOOLONG, "File name too long"},
    {ENOSYS, "Function not implemented"},
    {ENOTEMPTY, "Directory not empty"},
    {ELOOP, "Too many levels of symbolic links"},
    {ENODATA, "No data available"},
    {ETIME, "Timer expired"},
    {EPROTO, "Protocol error"},
    {EBADMSG, "Bad message"},
    {EOVERFLOW, "Value too large for defined data type"},
    {EILSEQ, "Invalid or incomplete multibyte or wide character"},
    {EMSGSIZE, "Message too long"},
    {ENOTSUP, "Operation not supported"},
    {EADDRINUSE, "Address already in use"},
    {ENETDOWN, "Network is down"},
    {ENETUNREACH, "Network is unreachable"},
    {ECONNABORTED, "Software caused connection abort"},
    {ECONNRESET, "Connection reset by peer"},
    {ENOBUFS, "No buffer space available"},
    {EISCONN, "Transport endpoint is already connected"},
    {ENOTCONN, "Transport endpoint is not connected"},
    {ETIMEDOUT, "Connection timed out"},
    {ECONNREFUSED, "Connection refused"},
    {EHOSTUNREACH, "No route to host"},
    {EALREADY, "Operation already in progress"},
    {EINPROGRESS, "Operation now in progress"},
    {ECANCELED, "Operation canceled"},
};

char *strerror(int errnum)
{
    size_t i;
    for (i = 0; i < sizeof errtexts / sizeof errtexts[0]; i++)
        if (errtexts[i].num == errnum)
            return (char *)errtexts[i].text;
    return (char *)"Unknown error";
}
