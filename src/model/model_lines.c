/* model_lines.c -- reading line-oriented text files (grid maps, scenarios,
 * plans): whole-file slurp, line walking with line numbers, and small
 * number scanners that keep the column. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model_lines.h"

int ml_read_file(const char *path, char **text, size_t *len, ft_error *err)
{
    *text = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return ft_fail(err, path, 0, 0, "cannot open: %s", strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n - 1, f);
        if (n < cap - 1)
            break;
        char *bigger = realloc(buf, cap * 2);
        if (!bigger) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    int read_error = ferror(f);
    fclose(f);
    if (!buf)
        return ft_fail(err, path, 0, 0, "out of memory reading the file");
    if (read_error) {
        free(buf);
        return ft_fail(err, path, 0, 0, "read error");
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return 0;
}

void ml_lines_init(ml_lines *it, const char *text, size_t len)
{
    it->text = text;
    it->len = len;
    it->pos = 0;
    it->line_no = 0;
}

bool ml_lines_next(ml_lines *it, const char **line, size_t *line_len)
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

void ml_skip_blanks(const char *line, size_t len, size_t *pos)
{
    while (*pos < len && (line[*pos] == ' ' || line[*pos] == '\t'))
        (*pos)++;
}

bool ml_blank_from(const char *line, size_t len, size_t pos)
{
    ml_skip_blanks(line, len, &pos);
    return pos == len;
}

bool ml_uint(const char *line, size_t len, size_t *pos, uint32_t max, uint32_t *out)
{
    size_t p = *pos;
    ml_skip_blanks(line, len, &p);
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
