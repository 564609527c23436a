/* base_out.c -- an output file that appears whole or not at all.
 *
 * The data goes to a temporary file beside the destination (same folder, so
 * rename(2) is atomic on one file system); commit flushes, fsyncs, closes and
 * renames, checking each result. The stream is a stdio FILE over our own
 * write function (fopencookie), so the errno of the first failing write(2)
 * is kept: stdio alone only says "an error happened" by the time the caller
 * asks. The road not taken: writing into memory and saving at the end --
 * simple, but a trace of millions of events would sit in memory.
 *
 * A destination that exists and is not a regular file (/dev/null, a pipe,
 * a terminal) cannot be replaced by a rename and is written directly, with
 * the same checks; so is standard output. */
#define _GNU_SOURCE /* fopencookie */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base_file.h"

static ssize_t cookie_write(void *c, const char *buf, size_t size)
{
    base_out *o = c;
    size_t done = 0;
    while (done < size) {
        ssize_t k = write(o->fd, buf + done, size - done);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            if (!o->err_no)
                o->err_no = k < 0 ? errno : EIO;
            return 0; /* stdio: 0 is the error return of a cookie writer */
        }
        done += (size_t)k;
    }
    return (ssize_t)size;
}

/* The descriptor is closed by commit/abort, which check the result. */
static int cookie_close(void *c)
{
    (void)c;
    return 0;
}

static int attach(base_out *o, ft_error *err)
{
    static const cookie_io_functions_t io = {.write = cookie_write, .close = cookie_close};
    if (!(o->f = fopencookie(o, "w", io)))
        return ft_fail(err, o->name, 0, 0, "cannot write: out of memory");
    return 0;
}

/* A copy of s with n more bytes of room, or NULL. */
static char *dup_room(const char *s, size_t n)
{
    size_t len = strlen(s);
    char *d = malloc(len + n + 1);
    if (d)
        memcpy(d, s, len + 1);
    return d;
}

static void clear(base_out *o)
{
    free(o->dest);
    free(o->tmp);
    o->dest = o->tmp = NULL;
    o->f = NULL;
    o->fd = -1;
}

static int open_fail(base_out *o, int e, ft_error *err)
{
    if (o->fd >= 0)
        close(o->fd);
    if (o->tmp)
        unlink(o->tmp);
    clear(o);
    return ft_fail(err, o->name, 0, 0, "cannot write: %s", strerror(e));
}

int base_out_open(base_out *o, const char *path, ft_error *err)
{
    *o = (base_out){.name = path, .fd = -1};
    if (strcmp(path, "-") == 0) {
        o->is_stdout = true;
        o->f = stdout;
        return 0;
    }
    struct stat st;
    bool exists = stat(path, &st) == 0;
    if (exists && S_ISDIR(st.st_mode))
        return open_fail(o, EISDIR, err);
    if (exists && !S_ISREG(st.st_mode)) {
        /* /dev/full, a FIFO: write it as it is */
        o->fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
        if (o->fd < 0)
            return open_fail(o, errno, err);
        return attach(o, err) ? (close(o->fd), clear(o), -1) : 0;
    }
    /* through a symlink: replace the file it points to, not the link */
    char real[PATH_MAX];
    const char *dest = exists && realpath(path, real) ? real : path;
    if (!(o->dest = dup_room(dest, 0)) || !(o->tmp = dup_room(dest, 16)))
        return open_fail(o, ENOMEM, err);
    /* "<folder>/.<name>.XXXXXX": hidden, in the destination's folder */
    char *slash = strrchr(o->tmp, '/');
    char *base = slash ? slash + 1 : o->tmp;
    const char *name = slash ? strrchr(dest, '/') + 1 : dest;
    snprintf(base, strlen(name) + 16, ".%s.XXXXXX", name);
    /* umask can only be read by setting it: done before any thread runs
     * (outputs are opened first), and put back at once */
    mode_t mask = umask(0);
    umask(mask);
    o->fd = mkstemp(o->tmp);
    if (o->fd < 0) {
        int e = errno;
        free(o->tmp);
        o->tmp = NULL;
        return open_fail(o, e, err);
    }
    /* the mode a new file would get, or the one the replaced file had */
    mode_t mode = exists ? st.st_mode & 07777 : 0666 & ~mask;
    if (fchmod(o->fd, mode) != 0)
        return open_fail(o, errno, err);
    if (attach(o, err)) {
        close(o->fd);
        unlink(o->tmp);
        clear(o);
        return -1;
    }
    return 0;
}

static int commit_fail(base_out *o, int e, ft_error *err)
{
    if (o->tmp)
        unlink(o->tmp);
    clear(o);
    return ft_fail(err, o->name, 0, 0, "cannot write: %s", strerror(e ? e : EIO));
}

int base_out_finish(base_out *o, ft_error *err)
{
    if (o->is_stdout) {
        if (!o->f)
            return 0;
        o->f = NULL;
        int e = 0;
        if (ferror(stdout)) {
            /* stdio keeps what it could not write: flushing again fails again
             * and tells why (the first failure's errno is long gone) */
            clearerr(stdout);
            errno = 0;
            e = fflush(stdout) != 0 && errno ? errno : EIO;
        } else if (fflush(stdout) != 0) {
            e = errno;
        }
        return e ? ft_fail(err, "standard output", 0, 0, "cannot write: %s", strerror(e)) : 0;
    }
    if (o->fd < 0)
        return 0; /* finished already */
    int e = 0;
    if (fflush(o->f) != 0 || ferror(o->f))
        e = o->err_no ? o->err_no : EIO;
    fclose(o->f); /* our cookie: closes nothing, so it cannot fail on its own */
    o->f = NULL;
    if (!e && o->tmp && fsync(o->fd) != 0)
        e = errno;
    if (close(o->fd) != 0 && !e && errno != EINTR)
        e = errno;
    o->fd = -1;
    return e ? commit_fail(o, e, err) : 0;
}

int base_out_commit(base_out *o, ft_error *err)
{
    if (base_out_finish(o, err))
        return -1;
    if (o->tmp && rename(o->tmp, o->dest) != 0)
        return commit_fail(o, errno, err);
    clear(o);
    return 0;
}

void base_out_abort(base_out *o)
{
    if (!o || (!o->f && o->fd < 0 && !o->tmp))
        return;
    if (o->is_stdout) {
        fflush(stdout);
        o->f = NULL;
        return;
    }
    if (o->f)
        fclose(o->f);
    if (o->fd >= 0)
        close(o->fd);
    if (o->tmp)
        unlink(o->tmp);
    clear(o);
}

int base_out_open_stream(base_out *o, const char *path, ft_error *err)
{
    *o = (base_out){.name = path, .fd = -1};
    if (strcmp(path, "-") == 0) {
        o->is_stdout = true;
        o->f = stdout;
        return 0;
    }
    o->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0666);
    if (o->fd < 0)
        return open_fail(o, errno, err);
    if (attach(o, err)) {
        close(o->fd);
        clear(o);
        return -1;
    }
    return 0;
}

/* The folder of p after realpath, and its last name, joined. */
static bool canonical(const char *p, char *out, size_t cap)
{
    char buf[PATH_MAX], real[PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", p) >= (int)sizeof buf)
        return false;
    char *slash = strrchr(buf, '/');
    const char *dir = slash ? (slash == buf ? "/" : buf) : ".";
    const char *name = slash ? slash + 1 : buf;
    if (slash)
        *slash = '\0';
    if (!realpath(dir, real))
        return false;
    return snprintf(out, cap, "%s/%s", real, name) < (int)cap;
}

bool base_same_path(const char *a, const char *b)
{
    bool sa = strcmp(a, "-") == 0, sb = strcmp(b, "-") == 0;
    if (sa || sb)
        return sa && sb;
    struct stat x, y;
    bool ea = stat(a, &x) == 0, eb = stat(b, &y) == 0;
    if (ea && eb)
        return x.st_dev == y.st_dev && x.st_ino == y.st_ino;
    if (ea != eb)
        return false;
    char ca[PATH_MAX + 256], cb[PATH_MAX + 256];
    if (!canonical(a, ca, sizeof ca) || !canonical(b, cb, sizeof cb))
        return strcmp(a, b) == 0;
    return strcmp(ca, cb) == 0;
}
