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
#include <stdlib.h>
#include <string.h>
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
    char *line;
    json_t *envelope;  /* the current line's, owning payload and topic */
};

twin_replay *twin_replay_open(const char *path, ft_error *err)
{
    twin_replay *p = calloc(1, sizeof *p);
    if (!p) {
        ft_fail(err, NULL, 0, 0, "out of memory");
        return NULL;
    }
    p->f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    p->line = malloc(TWIN_REPLAY_LINE_MAX + 1);
    if (!p->f || !p->line) {
        ft_fail(err, path, 0, 0, "cannot read: %s", !p->f ? strerror(errno) : "out of memory");
        if (p->f && p->f != stdin)
            fclose(p->f);
        free(p->line);
        free(p);
        return NULL;
    }
    return p;
}

int twin_replay_next(twin_replay *p, twin_replay_line *out)
{
    if (p->envelope) {
        json_decref(p->envelope);
        p->envelope = NULL;
    }
    if (!fgets(p->line, TWIN_REPLAY_LINE_MAX + 1, p->f))
        return ferror(p->f) ? -1 : 0;
    size_t n = strlen(p->line);
    if (n == TWIN_REPLAY_LINE_MAX && p->line[n - 1] != '\n') {
        int c; /* an over-long line: skip its rest, hand on the part (it is refused) */
        while ((c = fgetc(p->f)) != EOF && c != '\n')
            ;
    }
    while (n > 0 && (p->line[n - 1] == '\n' || p->line[n - 1] == '\r'))
        p->line[--n] = '\0';
    *out = (twin_replay_line){.payload = p->line, .len = n, .topic = ""};
    if (strncmp(p->line, "{\"rx\":", 6) != 0 && strncmp(p->line, "{\"gap\":", 7) != 0)
        return 1; /* a bare message */
    json_t *e = json_loadb(p->line, n, JSON_ALLOW_NUL, NULL);
    json_t *gap = e ? json_object_get(e, "gap") : NULL;
    json_t *payload = e ? json_object_get(e, "payload") : NULL;
    if (gap && json_is_array(gap) && json_array_size(gap) == 2) {
        out->is_gap = true;
        out->gap_from_s = json_number_value(json_array_get(gap, 0));
        out->gap_to_s = json_number_value(json_array_get(gap, 1));
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
