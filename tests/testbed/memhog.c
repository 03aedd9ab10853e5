/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memhog: run inside the test guest to make memory demand.
 *
 *   memhog MIB [READYFILE]
 *
 * Maps MIB MiB of private anonymous memory, writes to every page (so each
 * page is really backed, not the shared zero page), then creates READYFILE
 * (if given) and sleeps until killed. It volunteers for the OOM killer
 * (oom_score_adj 1000) so that a squeezed guest kills holders first, not
 * the control agent. Built with `gcc -static` by build-guest.sh.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: memhog MIB [READYFILE]\n");
        return 2;
    }
    char *end;
    errno = 0;
    unsigned long mib = strtoul(argv[1], &end, 10);
    if (errno || *end || end == argv[1] || mib > (1UL << 20)) {
        fprintf(stderr, "memhog: bad size '%s'\n", argv[1]);
        return 2;
    }

    int fd = open("/proc/self/oom_score_adj", O_WRONLY);
    if (fd >= 0) {
        (void)!write(fd, "1000", 4);
        close(fd);
    }

    size_t len = (size_t)mib << 20;
    if (len > 0) {
        char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            perror("memhog: mmap");
            return 1;
        }
        long pg = sysconf(_SC_PAGESIZE);
        if (pg <= 0)
            pg = 4096;
        for (size_t off = 0; off < len; off += (size_t)pg)
            p[off] = (char)(off / (size_t)pg | 1);
    }

    if (argc == 3) {
        fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) {
            perror("memhog: readyfile");
            return 1;
        }
        close(fd);
    }
    for (;;)
        pause();
}
