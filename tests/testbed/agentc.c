/* SPDX-License-Identifier: GPL-2.0-or-later */
/* agentc: host side of the test guest's control agent.
 *
 *   agentc [-t TIMEOUT_S] [-l LOCKFILE] SOCKET CMD [ARG...]
 *
 * SOCKET is the unix socket that QEMU binds for the guest's second serial
 * port (ttyS1), where the guest agent (guest/agent) reads one request per
 * line and answers with tagged lines:
 *
 *   host -> guest   @TAG CMD ARG...
 *   guest -> host   @TAG output line        (any number)
 *                   @TAG .END RC            (exactly one, last)
 *
 * TAG is unique per call, so anything else on the line (output of an earlier
 * call that timed out, line noise) is ignored. Output lines are printed
 * without the tag; the exit status is the agent's RC. With -l, the whole
 * call holds an exclusive flock on LOCKFILE: QEMU serves one client at a
 * time, so concurrent callers must queue. Exit status 124 on timeout
 * (including waiting for the lock), 125 on local errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void nap(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static int usage(void)
{
    fprintf(stderr, "usage: agentc [-t TIMEOUT_S] [-l LOCKFILE] SOCKET CMD [ARG...]\n");
    return 125;
}

int main(int argc, char **argv)
{
    double timeout = 30;
    const char *lockfile = NULL;
    int opt;

    signal(SIGPIPE, SIG_IGN);
    while ((opt = getopt(argc, argv, "+t:l:")) != -1) {
        switch (opt) {
        case 't':
            timeout = atof(optarg);
            if (timeout <= 0)
                return usage();
            break;
        case 'l':
            lockfile = optarg;
            break;
        default:
            return usage();
        }
    }
    if (argc - optind < 2)
        return usage();
    const char *sockpath = argv[optind++];
    double deadline = now() + timeout;

    /* Request line. */
    char tag[64];
    snprintf(tag, sizeof tag, "@t%ldx%lx", (long)getpid(),
             (unsigned long)(now() * 1e6) & 0xffffffUL);
    size_t cap = strlen(tag) + 4;
    for (int i = optind; i < argc; i++)
        cap += strlen(argv[i]) + 1;
    char *req = malloc(cap);
    if (!req)
        return 125;
    /* Leading newline ends any partial garbage line on the guest side. */
    size_t len = (size_t)sprintf(req, "\n%s", tag);
    for (int i = optind; i < argc; i++) {
        if (strpbrk(argv[i], "\r\n")) {
            fprintf(stderr, "agentc: arguments must not contain newlines\n");
            return 125;
        }
        len += (size_t)sprintf(req + len, " %s", argv[i]);
    }
    req[len++] = '\n';

    if (lockfile) {
        int lfd = open(lockfile, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (lfd < 0) {
            fprintf(stderr, "agentc: %s: %s\n", lockfile, strerror(errno));
            return 125;
        }
        while (flock(lfd, LOCK_EX | LOCK_NB) < 0) {
            if (errno != EWOULDBLOCK && errno != EINTR) {
                fprintf(stderr, "agentc: flock: %s\n", strerror(errno));
                return 125;
            }
            if (now() > deadline) {
                fprintf(stderr, "agentc: timeout waiting for lock %s\n", lockfile);
                return 124;
            }
            nap(20);
        }
        /* Kept until exit. */
    }

    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    if (strlen(sockpath) >= sizeof sa.sun_path) {
        fprintf(stderr, "agentc: socket path too long: %s\n", sockpath);
        return 125;
    }
    strcpy(sa.sun_path, sockpath);

    int fd = -1;
    for (;;) {
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            perror("agentc: socket");
            return 125;
        }
        if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0)
            break;
        int e = errno;
        close(fd);
        /* QEMU may be starting, or re-listening after the previous client. */
        if (now() > deadline) {
            fprintf(stderr, "agentc: connect %s: %s\n", sockpath, strerror(e));
            return 124;
        }
        nap(50);
    }

    for (size_t off = 0; off < len;) {
        ssize_t n = write(fd, req + off, len - off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("agentc: write");
            return 125;
        }
        off += (size_t)n;
    }

    size_t taglen = strlen(tag);
    char buf[65536];
    size_t have = 0;
    for (;;) {
        /* Handle complete lines. */
        char *nl;
        while ((nl = memchr(buf, '\n', have)) != NULL) {
            *nl = '\0';
            size_t linelen = (size_t)(nl - buf);
            if (linelen && buf[linelen - 1] == '\r')
                buf[--linelen] = '\0';
            char *p = memmem(buf, linelen, tag, taglen);
            if (p && (p[taglen] == ' ' || p[taglen] == '\0')) {
                char *payload = p[taglen] ? p + taglen + 1 : p + taglen;
                if (strncmp(payload, ".END ", 5) == 0) {
                    fflush(stdout);
                    return atoi(payload + 5) & 0xff;
                }
                printf("%s\n", payload);
            }
            size_t used = (size_t)(nl - buf) + 1;
            memmove(buf, nl + 1, have - used);
            have -= used;
        }
        if (have == sizeof buf) /* over-long line without a tag: drop it */
            have = 0;

        double left = deadline - now();
        if (left <= 0) {
            fflush(stdout);
            fprintf(stderr, "agentc: timeout after %gs waiting for the guest agent\n", timeout);
            return 124;
        }
        struct pollfd pfd = { fd, POLLIN, 0 };
        int r = poll(&pfd, 1, (int)(left * 1000) + 1);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            perror("agentc: poll");
            return 125;
        }
        if (r == 0)
            continue;
        ssize_t n = read(fd, buf + have, sizeof buf - have);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            perror("agentc: read");
            return 125;
        }
        if (n == 0) {
            fprintf(stderr, "agentc: connection closed by QEMU\n");
            return 125;
        }
        have += (size_t)n;
    }
}
