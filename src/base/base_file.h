/* base_file.h -- the one way fabtwin reads a whole file and writes an output
 * file.
 *
 * Reading (base_read.c): regular files only, opened O_NONBLOCK so a FIFO
 * cannot hang the reader, with a size cap checked before and while reading
 * (a growing file or /dev/zero stops at the cap), EINTR retried, and a
 * message that says what went wrong ("is a directory", "not a regular
 * file", "larger than N bytes", or the system's own words).
 *
 * Writing (base_out.c): an output is written to a temporary file in the
 * destination's folder and renamed over it only when every write, the
 * flush, the fsync and the close succeeded; a failed run leaves an earlier
 * file as it was. Standard output ("-") and destinations that are not
 * regular files (/dev/null, /dev/full, a pipe) are written directly, with
 * the same checks. The first failing system call's errno is kept for the
 * message ("No space left on device"). */
#ifndef FABTWIN_BASE_FILE_H
#define FABTWIN_BASE_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "fabtwin/fabtwin.h"

/* Caps, each named where the kind of file is read; these are the shared ones. */
#define BASE_MIB ((size_t)1024 * 1024)
#define BASE_TEXT_MAX_BYTES (64 * BASE_MIB) /* grid maps, scenarios, plans */

/* The whole of the regular file at path, NUL-terminated, in *text (free it),
 * its length (without the NUL) in *len. -1 with err filled ("cannot read
 * WHAT: REASON", err->file = path) and errno kept: EISDIR, EINVAL (not a
 * regular file), EFBIG (over max_bytes), ENOMEM, or open's/read's own. */
int base_read_file(const char *path, size_t max_bytes, const char *what, char **text, size_t *len,
                   ft_error *err);

typedef struct base_out {
    FILE *f;            /* write here with stdio */
    char *dest;         /* the destination (after symlinks), NULL when direct */
    char *tmp;          /* the temporary file, renamed to dest on commit */
    const char *name;   /* the path as given, for messages (not owned) */
    int fd;             /* the descriptor under f */
    int err_no;         /* the first failing write's errno, 0 if none */
    bool is_stdout;
} base_out;

/* Open an output; "-" is standard output. -1 with err filled when the
 * folder cannot take a new file or the destination cannot be opened. */
int base_out_open(base_out *o, const char *path, ft_error *err);
/* A stream that readers follow while it is written (a live twin's
 * forecasts): written in place from the start, no temporary file; the
 * same checks at commit. */
int base_out_open_stream(base_out *o, const char *path, ft_error *err);
/* The first half of commit: flush, fsync (regular files), close; the
 * temporary file stays until commit renames it or abort removes it. Lets a
 * command that writes several files check them all before any replaces an
 * earlier one. 0, or -1 with err filled and the temporary file removed. */
int base_out_finish(base_out *o, ft_error *err);
/* Finish (if not yet) and rename. 0, or -1 with err
 * filled ("cannot write: No space left on device") and the temporary file
 * removed, the destination untouched. *o is closed either way. */
int base_out_commit(base_out *o, ft_error *err);
/* Give up: close and remove the temporary file; the destination is
 * untouched (a direct destination keeps what was written). NULL-safe. */
void base_out_abort(base_out *o);

/* True when a and b name the same file: both "-", the same device and
 * inode when both exist, or the same folder (after realpath) and name. */
bool base_same_path(const char *a, const char *b);

#endif
