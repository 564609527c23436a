/* model_lines.h -- what the readers of line-oriented files (grid maps,
 * MAPF scenarios and plans) share: slurping a file and walking it line by
 * line with 1-based line numbers. Used by src/model and src/agv. */
#ifndef FABTWIN_MODEL_LINES_H
#define FABTWIN_MODEL_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fabtwin/fabtwin.h"

/* The whole file, NUL-terminated, in *text (free it); -1 with err filled. */
int ml_read_file(const char *path, char **text, size_t *len, ft_error *err);

typedef struct ml_lines {
    const char *text;
    size_t len, pos;
    int line_no; /* of the line last returned */
} ml_lines;

void ml_lines_init(ml_lines *it, const char *text, size_t len);
/* The next line without its "\n" or "\r\n"; false at the end. */
bool ml_lines_next(ml_lines *it, const char **line, size_t *line_len);

/* A decimal whole number at line[*pos] (after spaces/tabs), advancing *pos.
 * False if there is no digit there or it exceeds max. */
bool ml_uint(const char *line, size_t len, size_t *pos, uint32_t max, uint32_t *out);
/* Skip spaces and tabs. */
void ml_skip_blanks(const char *line, size_t len, size_t *pos);
/* True when only blanks remain from pos. */
bool ml_blank_from(const char *line, size_t len, size_t pos);

#endif
