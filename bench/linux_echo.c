/*
 * linux_echo - the Linux side of the bulk TCP benchmark (bench/tcpip.sh):
 * a TCP echo server on the host's own stack, doing what examples/echo.c
 * does over the library's stack (a connection at a time is enough for
 * tests/host/tcpload's bulk mode): read what comes, write it back, until
 * the peer closes.
 *
 *   linux_echo ADDRESS PORT [BUFFER]
 *
 * One thread, blocking sockets, a buffer of BUFFER bytes (16384, as
 * examples/echo.c's); connections are served one after the other. It
 * prints "linux_echo: listening on ADDRESS:PORT" once ready, and runs
 * until a signal ends it. Plain C and POSIX: no miou.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void serve(int fd, char *buf, size_t size)
{
    for (;;) {
        ssize_t n = read(fd, buf, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        for (ssize_t done = 0; done < n;) {
            ssize_t k = write(fd, buf + done, (size_t)(n - done));
            if (k < 0 && errno == EINTR)
                continue;
            if (k <= 0)
                return;
            done += k;
        }
    }
}

int main(int argc, char **argv)
{
    struct sockaddr_in a;
    size_t size = 16384;
    int one = 1;
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: linux_echo ADDRESS PORT [BUFFER]\n");
        return 2;
    }
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)atoi(argv[2]));
    if (inet_pton(AF_INET, argv[1], &a.sin_addr) != 1 || a.sin_port == 0) {
        fprintf(stderr, "linux_echo: bad address or port\n");
        return 2;
    }
    if (argc == 4)
        size = (size_t)strtoul(argv[3], NULL, 10);
    char *buf = malloc(size ? size : 1);
    if (!buf || size == 0) {
        fprintf(stderr, "linux_echo: bad buffer size\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    int l = socket(AF_INET, SOCK_STREAM, 0);
    if (l < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) ||
        bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, 16)) {
        perror("linux_echo");
        return 1;
    }
    printf("linux_echo: listening on %s:%s\n", argv[1], argv[2]);
    fflush(stdout);
    for (;;) {
        int fd = accept(l, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            perror("linux_echo: accept");
            return 1;
        }
        serve(fd, buf, size);
        close(fd);
    }
}
