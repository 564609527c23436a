/* mapf_text.h -- what the MAPF file readers (maps, scenarios, plans) share:
 * slurping a file and walking it line by line with 1-based line numbers.
 * Internal to src/agv. */
#ifndef FABTWIN_AGV_MAPF_TEXT_H
#define FABTWIN_AGV_MAPF_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fabtwin/fabtwin.h"

/* The whole file, NUL-terminated, in *text (free it); -1 with err filled. */
int mapf_text_read_file(const char *path, char **text, size_t *len, ft_error *err);

typedef struct mapf_lines {
    const char *text;
    size_t len, pos;
    int line_no; /* of the line last returned */
} mapf_lines;

void mapf_lines_init(mapf_lines *it, const char *text, size_t len);
/* The next line without its "\n" or "\r\n"; false at the end. */
bool mapf_lines_next(mapf_lines *it, const char **line, size_t *line_len);

/* A decimal whole number at line[*pos] (after spaces/tabs), advancing *pos.
 * False if there is no digit there or it exceeds max. */
bool mapf_text_uint(const char *line, size_t len, size_t *pos, uint32_t max, uint32_t *out);
/* Skip spaces and tabs. */
void mapf_text_skip_blanks(const char *line, size_t len, size_t *pos);
/* True when only blanks remain from pos. */
bool mapf_text_blank_from(const char *line, size_t len, size_t pos);

#endif
