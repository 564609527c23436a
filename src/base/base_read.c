/* base_read.c -- reading a whole file into memory, for every reader of
 * input files (models, order lists, experiment files, grid maps, MAPF
 * scenarios and plans).
 *
 * Why open(2) and not fopen: O_NONBLOCK lets open return at once on a FIFO
 * (fstat then turns it away), where fopen would wait for a writer forever.
 * Only regular files are read: a character device such as /dev/zero has no
 * size and never ends, a directory "reads" as EISDIR after the open
 * succeeded. The size from fstat is a first check; the read loop stops at
 * max_bytes + 1 bytes whatever fstat said, since a file may grow meanwhile. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base_file.h"

/* "16777216 bytes (16 MiB)" or "1000 bytes". */
static const char *bytes_text(size_t n, char *buf, size_t cap)
{
    if (n >= BASE_MIB && n % BASE_MIB == 0)
        snprintf(buf, cap, "%zu bytes (%zu MiB)", n, n / BASE_MIB);
    else
        snprintf(buf, cap, "%zu bytes", n);
    return buf;
}

/* size: of the file when fstat told it (0: not known) */
static int fail(const char *path, const char *what, size_t max, unsigned long long size, int e,
                ft_error *err)
{
    char b[64];
    const char *why = e == EISDIR ? "is a directory"
                    : e == EINVAL ? "not a regular file"
                    : e == ENOMEM ? "out of memory"
                    : e == EFBIG  ? NULL
                                  : strerror(e);
    if (why)
        ft_fail(err, path, 0, 0, "cannot read %s: %s", what, why);
    else if (size)
        ft_fail(err, path, 0, 0, "cannot read %s: it is %llu bytes, larger than %s", what, size,
                bytes_text(max, b, sizeof b));
    else
        ft_fail(err, path, 0, 0, "cannot read %s: larger than %s", what, bytes_text(max, b, sizeof b));
    errno = e;
    return -1;
}

int base_read_file(const char *path, size_t max_bytes, const char *what, char **text, size_t *len,
                   ft_error *err)
{
    *text = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return fail(path, what, max_bytes, 0, errno, err);
    struct stat st;
    unsigned long long size = 0; /* when over the cap by fstat */
    int e = 0;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    if (fstat(fd, &st) != 0) {
        e = errno;
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        e = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
        goto out;
    }
    if (st.st_size < 0 || (unsigned long long)st.st_size > max_bytes) {
        size = st.st_size < 0 ? 0 : (unsigned long long)st.st_size;
        e = EFBIG;
        goto out;
    }
    cap = (size_t)st.st_size + 1; /* one more: the end shows as a read of 0 */
    if (!(buf = malloc(cap + 1))) {
        e = ENOMEM;
        goto out;
    }
    for (;;) {
        if (n == cap) {
            if (cap > max_bytes) {
                e = EFBIG;
                goto out;
            }
            size_t ncap = cap <= (max_bytes + 1) / 2 ? cap * 2 : max_bytes + 1;
            char *b = realloc(buf, ncap + 1);
            if (!b) {
                e = ENOMEM;
                goto out;
            }
            buf = b;
            cap = ncap;
        }
        ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            e = errno;
            goto out;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    if (n > max_bytes)
        e = EFBIG;
out:
    close(fd);
    if (e) {
        free(buf);
        return fail(path, what, max_bytes, size, e, err);
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return 0;
}
