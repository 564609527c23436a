/* twin_record.c -- append-only, crash-safe recording and its replay.
 *
 * Crash safety comes from three choices: the file is opened O_APPEND, each
 * envelope is one write(2) of one whole line (so a crash leaves at worst a
 * torn last line, which replay counts as malformed and skips), and the data
 * is fdatasync'ed every TWIN_RECORD_SYNC_EVERY messages and on close. Syncing
 * every message would be safer and ~100x slower on a disk; a crash loses at
 * most the last second-or-so of unsynced lines, which the broker's
 * persistent session (QoS 1) delivers again on reconnect. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "base/base_text.h"
#include "twin_msg.h"
#include "twin_record.h"

#define TWIN_RECORD_SYNC_EVERY 1000
#define TWIN_REPLAY_LINE_MAX (4 * TWIN_MSG_MAX_BYTES + 512) /* longer lines are cut and refused */

struct twin_recorder {
    int fd;
    int err_no;        /* the first failed write's or sync's; then nothing more is written */
    unsigned unsynced;
    char *line;
    size_t cap;
};

twin_recorder *twin_recorder_open(const char *path, ft_error *err)
{
    twin_recorder *r = calloc(1, sizeof *r);
    if (!r) {
        ft_fail(err, NULL, 0, 0, "out of memory");
        return NULL;
    }
    r->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    /* the longest envelope: rx (a %.3f double, < 400 bytes), a 256-byte topic and a
     * payload of TWIN_MSG_MAX_BYTES + 1, every byte escaped to 6 */
    r->cap = 6 * (TWIN_MSG_MAX_BYTES + 1) + 6 * 256 + 1024;
    r->line = malloc(r->cap);
    if (r->fd < 0 || !r->line) {
        ft_fail(err, path, 0, 0, "cannot record: %s", r->fd < 0 ? strerror(errno) : "out of memory");
        if (r->fd >= 0)
            close(r->fd);
        free(r->line);
        free(r);
        return NULL;
    }
    return r;
}

static int failed(twin_recorder *r, int e)
{
    if (!r->err_no)
        r->err_no = e;
    return -1;
}

static int write_line(twin_recorder *r, size_t n)
{
    if (r->err_no)
        return -1;
    size_t done = 0;
    while (done < n) {
        ssize_t k = write(r->fd, r->line + done, n - done);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return failed(r, k < 0 ? errno : EIO);
        done += (size_t)k;
    }
    if (++r->unsynced >= TWIN_RECORD_SYNC_EVERY)
        return twin_recorder_sync(r);
    return 0;
}

int twin_recorder_write(twin_recorder *r, double rx_s, const char *topic, const char *payload,
                        size_t len)
{
    if (len > TWIN_MSG_MAX_BYTES)
        len = TWIN_MSG_MAX_BYTES + 1; /* kept refusable: replay sees it as too large */
    size_t tlen = strlen(topic);
    if (tlen > 256)
        tlen = 256;
    /* The payload as a JSON string: a payload that is not UTF-8 makes an
     * envelope jansson refuses; replay then hands the raw line on, and it is
     * refused as malformed -- as the payload itself was when it arrived. */
    int k = snprintf(r->line, r->cap, "{\"rx\":%.3f,\"topic\":", rx_s);
    size_t n = (size_t)k;
    n += base_json_quote(r->line + n, r->cap - n, topic, tlen);
    memcpy(r->line + n, ",\"payload\":", 11);
    n += 11;
    n += base_json_quote(r->line + n, r->cap - n, payload, len);
    memcpy(r->line + n, "}\n", 2);
    return write_line(r, n + 2);
}

int twin_recorder_gap(twin_recorder *r, double from_s, double to_s)
{
    int k = snprintf(r->line, r->cap, "{\"gap\":[%.3f,%.3f]}\n", from_s, to_s);
    return write_line(r, (size_t)k);
}

int twin_recorder_sync(twin_recorder *r)
{
    r->unsynced = 0;
    /* EINVAL, EROFS: a file that cannot be synced (a pipe, /dev/null) */
    if (!r->err_no && fdatasync(r->fd) != 0 && errno != EINVAL && errno != EROFS)
        failed(r, errno);
    return r->err_no ? -1 : 0;
}

int twin_recorder_close(twin_recorder *r)
{
    if (!r)
        return 0;
    twin_recorder_sync(r);
    if (close(r->fd) != 0 && errno != EINTR)
        failed(r, errno);
    int e = r->err_no;
    free(r->line);
    free(r);
    errno = e;
    return e ? -1 : 0;
}

/* ---- replay ------------------------------------------------------------------------ */

struct twin_replay {
    FILE *f;
    int read_errno;    /* why the last read failed, 0 when it did not */
    char *line;
    json_t *envelope;  /* the current line's, owning payload and topic */
};

static twin_replay *replay_on(FILE *f, const char *path, ft_error *err)
{
    twin_replay *p = calloc(1, sizeof *p);
    char *line = malloc(TWIN_REPLAY_LINE_MAX + 1);
    struct stat sb;
    if (f && fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        /* a log is a file, a FIFO or standard input; the words of base_read */
        ft_fail(err, path, 0, 0, "cannot read: is a directory");
        fclose(f);
        free(line);
        free(p);
        return NULL;
    }
    if (!f || !p || !line) {
        ft_fail(err, path, 0, 0, "cannot read: %s", !f ? strerror(errno) : "out of memory");
        if (f && f != stdin)
            fclose(f);
        free(line);
        free(p);
        return NULL;
    }
    p->f = f;
    p->line = line;
    return p;
}

twin_replay *twin_replay_open(const char *path, ft_error *err)
{
    return replay_on(strcmp(path, "-") == 0 ? stdin : fopen(path, "r"), path, err);
}

const char *twin_replay_error(const twin_replay *p)
{
    return strerror(p->read_errno ? p->read_errno : EIO);
}

twin_replay *twin_replay_open_file(FILE *f, ft_error *err)
{
    return replay_on(f, NULL, err);
}

/* One line of at most TWIN_REPLAY_LINE_MAX bytes into p->line, its length
 * counted as it is read: a NUL byte is a byte of the line like any other
 * (strlen would cut the line there). The rest of a longer line is skipped.
 * Returns the length, or -1 at the end of the file. */
static long read_line(twin_replay *p)
{
    size_t n = 0;
    int c;
    flockfile(p->f);
    while ((c = getc_unlocked(p->f)) != EOF && c != '\n')
        if (n < TWIN_REPLAY_LINE_MAX)
            p->line[n++] = (char)c;
    funlockfile(p->f);
    if (c == EOF && n == 0)
        return -1;
    p->line[n] = '\0';
    return (long)n;
}

/* A gap's end: a finite JSON number, else NaN (the mirror refuses it). */
static double gap_end(json_t *v)
{
    return json_is_number(v) ? json_number_value(v) : NAN;
}

int twin_replay_next(twin_replay *p, twin_replay_line *out)
{
    if (p->envelope) {
        json_decref(p->envelope);
        p->envelope = NULL;
    }
    long got = read_line(p);
    if (got < 0) {
        if (ferror(p->f)) {
            p->read_errno = errno ? errno : EIO;
            return -1;
        }
        return 0;
    }
    size_t n = (size_t)got;
    if (n > 0 && p->line[n - 1] == '\r')
        p->line[--n] = '\0';
    *out = (twin_replay_line){.payload = p->line, .len = n, .topic = ""};
    if (n < 7 || (memcmp(p->line, "{\"rx\":", 6) != 0 && memcmp(p->line, "{\"gap\":", 7) != 0))
        return 1; /* a bare message */
    json_t *e = json_loadb(p->line, n, JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, NULL);
    json_t *gap = e ? json_object_get(e, "gap") : NULL;
    json_t *payload = e ? json_object_get(e, "payload") : NULL;
    if (gap || memcmp(p->line, "{\"gap\":", 7) == 0) {
        /* a gap record: [FROM_S, TO_S], both numbers; anything else (also
         * what is not JSON, 1e400) is a gap the mirror refuses (bad_gap) */
        bool pair = json_is_array(gap) && json_array_size(gap) == 2 && json_object_size(e) == 1;
        out->is_gap = true;
        out->gap_from_s = pair ? gap_end(json_array_get(gap, 0)) : NAN;
        out->gap_to_s = pair ? gap_end(json_array_get(gap, 1)) : NAN;
        json_decref(e);
        return 1;
    }
    if (payload && json_is_string(payload)) {
        p->envelope = e;
        out->payload = json_string_value(payload);
        out->len = json_string_length(payload);
        json_t *topic = json_object_get(e, "topic");
        out->topic = json_is_string(topic) ? json_string_value(topic) : "";
        return 1;
    }
    json_decref(e); /* a torn envelope: handed on as it is, to be refused */
    return 1;
}

void twin_replay_close(twin_replay *p)
{
    if (!p)
        return;
    if (p->envelope)
        json_decref(p->envelope);
    if (p->f != stdin)
        fclose(p->f);
    free(p->line);
    free(p);
}
