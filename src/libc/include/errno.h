/*
 * errno.h - error numbers of the freestanding C library of miou-solo5.
 *
 * A Solo5 unikernel has one thread, so errno is a plain int (errno.c),
 * not a per-thread location. The values are Linux's, so that a number
 * printed by a unikernel means the same as on the host that runs it, and
 * strerror() (string.c) has a text for each one defined here.
 */
#ifndef MIOU_LIBC_ERRNO_H
#define MIOU_LIBC_ERRNO_H

extern int errno;

#define EPERM 1   /* Operation not permitted */
#define ENOENT 2  /* No such file or directory */
#define ESRCH 3   /* No such process */
#define EINTR 4   /* Interrupted system call */
#define EIO 5     /* Input/output error */
#define ENXIO 6   /* No such device or address */
#define E2BIG 7   /* Argument list too long */
#define EBADF 9   /* Bad file descriptor */
#define EAGAIN 11 /* Resource temporarily unavailable */
#define EWOULDBLOCK EAGAIN
#define ENOMEM 12       /* Cannot allocate memory */
#define EACCES 13       /* Permission denied */
#define EFAULT 14       /* Bad address */
#define EBUSY 16        /* Device or resource busy */
#define EEXIST 17       /* File exists */
#define ENODEV 19       /* No such device */
#define EINVAL 22       /* Invalid argument */
#define ENOSPC 28       /* No space left on device */
#define ESPIPE 29       /* Illegal seek */
#define EROFS 30        /* Read-only file system */
#define EPIPE 32        /* Broken pipe */
#define EDOM 33         /* Numerical argument out of domain */
#define ERANGE 34       /* Numerical result out of range */
#define EDEADLK 35      /* Resource deadlock avoided */
#define ENAMETOOLONG 36 /* File name too long */
#define ENOSYS 38       /* Function not implemented */
#define ENOTEMPTY 39    /* Directory not empty */
#define ELOOP 40        /* Too many levels of symbolic links */
#define ENODATA 61      /* No data available */
#define ETIME 62        /* Timer expired */
#define EPROTO 71       /* Protocol error */
#define EBADMSG 74      /* Bad message */
#define EOVERFLOW 75    /* Value too large for defined data type */
#define EILSEQ 84       /* Invalid or incomplete multibyte or wide character */
#define EMSGSIZE 90     /* Message too long */
#define ENOTSUP 95      /* Operation not supported */
#define EOPNOTSUPP ENOTSUP
#define EADDRINUSE 98    /* Address already in use */
#define ENETDOWN 100     /* Network is down */
#define ENETUNREACH 101  /* Network is unreachable */
#define ECONNABORTED 103 /* Software caused connection abort */
#define ECONNRESET 104   /* Connection reset by peer */
#define ENOBUFS 105      /* No buffer space available */
#define EISCONN 106      /* Transport endpoint is already connected */
#define ENOTCONN 107     /* Transport endpoint is not connected */
#define ETIMEDOUT 110    /* Connection timed out */
#define ECONNREFUSED 111 /* Connection refused */
#define EHOSTUNREACH 113 /* No route to host */
#define EALREADY 114     /* Operation already in progress */
#define EINPROGRESS 115  /* Operation now in progress */
#define ECANCELED 125    /* Operation canceled */

#endif
