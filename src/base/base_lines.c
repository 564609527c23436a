/* base_lines.c -- walking line-oriented text (grid maps, MAPF scenarios and
 * plans) with 1-based line numbers, and small number scanners that keep the
 * column. The text comes from base_read_file. */
#include <string.h>

#include "base/base_text.h"

void base_lines_init(base_lines *it, const char *text, size_t len)
{
    it->text = text;
    it->len = len;
    it->pos = 0;
    it->line_no = 0;
}

bool base_lines_next(base_lines *it, const char **line, size_t *line_len)
{
    if (it->pos >= it->len)
        return false;
    const char *start = it->text + it->pos;
    const char *nl = memchr(start, '\n', it->len - it->pos);
    size_t n = nl ? (size_t)(nl - start) : it->len - it->pos;
    it->pos += n + (nl ? 1 : 0);
    if (n > 0 && start[n - 1] == '\r')
        n--;
    it->line_no++;
    *line = start;
    *line_len = n;
    return true;
}

void base_skip_blanks(const char *line, size_t len, size_t *pos)
{
    while (*pos < len && (line[*pos] == ' ' || line[*pos] == '\t'))
        (*pos)++;
}

bool base_blank_from(const char *line, size_t len, size_t pos)
{
    base_skip_blanks(line, len, &pos);
    return pos == len;
}

bool base_uint(const char *line, size_t len, size_t *pos, uint32_t max, uint32_t *out)
{
    size_t p = *pos;
    base_skip_blanks(line, len, &p);
    if (p >= len || line[p] < '0' || line[p] > '9')
        return false;
    uint64_t v = 0;
    while (p < len && line[p] >= '0' && line[p] <= '9') {
        v = v * 10 + (uint64_t)(line[p] - '0');
        if (v > max)
            return false;
        p++;
    }
    *out = (uint32_t)v;
    *pos = p;
    return true;
}
