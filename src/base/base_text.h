/* base_text.h -- the base layer's text utilities, shared by every layer that
 * reads or writes text: UTF-8 checks and positions (base_utf8.c), walking a
 * line-oriented file with 1-based line numbers (base_lines.c), and quoting a
 * field for CSV or a string for JSON (base_quote.c). They know nothing of
 * factories, models or simulations. */
#ifndef FABTWIN_BASE_TEXT_H
#define FABTWIN_BASE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- UTF-8 and positions (base_utf8.c) ----------------------------------- */

/* Offset of the first byte that is not part of valid UTF-8 (overlongs,
 * surrogates and code points above U+10FFFF are invalid), or len. */
size_t base_utf8_check(const char *s, size_t len);

/* Number of UTF-8 characters in s[0..n). */
size_t base_utf8_chars(const char *s, size_t n);

/* Line and column (1-based; the column counts characters, not bytes) of
 * byte offset off. Lines end at LF, CR or CR LF, and with unicode_breaks
 * also at NEL, LS and PS (as libyaml counts them in YAML). A leading
 * byte-order mark takes no column. */
void base_text_pos(const char *text, size_t len, size_t off, bool unicode_breaks, int *line,
                   int *col);

/* ---- lines (base_lines.c) ------------------------------------------------ */

typedef struct base_lines {
    const char *text;
    size_t len, pos;
    int line_no; /* of the line last returned */
} base_lines;

void base_lines_init(base_lines *it, const char *text, size_t len);
/* The next line without its "\n" or "\r\n"; false at the end. */
bool base_lines_next(base_lines *it, const char **line, size_t *line_len);

/* A decimal whole number at line[*pos] (after spaces/tabs), advancing *pos.
 * False if there is no digit there or it exceeds max. */
bool base_uint(const char *line, size_t len, size_t *pos, uint32_t max, uint32_t *out);
/* Skip spaces and tabs. */
void base_skip_blanks(const char *line, size_t len, size_t *pos);
/* True when only blanks remain from pos. */
bool base_blank_from(const char *line, size_t len, size_t pos);

/* ---- quoting (base_quote.c) ---------------------------------------------- */

/* s as one CSV field (RFC 4180): as it is, or in double quotes with quotes
 * doubled when it holds a comma, a quote, CR or LF. Write errors show in
 * ferror(out). */
void base_csv_put(FILE *out, const char *s);

/* s[0..len) as a JSON string with its quotes: '"' and '\\' escaped, control
 * bytes (< 0x20, 0x7f) as \u00XX, every other byte as it is (UTF-8 passes
 * through; bytes that are not UTF-8 too, so the caller checks that when it
 * matters). */
void base_json_put(FILE *out, const char *s, size_t len);
/* The same into dst as snprintf would: at most cap bytes with the NUL,
 * returns the length of the whole quoted string (>= cap: it was cut). */
size_t base_json_quote(char *dst, size_t cap, const char *s, size_t len);

#endif
