/* base_quote.c -- one CSV field quoting and one JSON string escaper for every
 * writer of CSV (traces, experiment exports) and of hand-made JSON (the
 * twin's messages, recordings and summaries). Hand-made JSON is kept where
 * it is written a line at a time with no tree to build; elsewhere jansson
 * writes the JSON. */
#include <string.h>

#include "base/base_text.h"

void base_csv_put(FILE *out, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

/* The escape of byte c into e (at most 6 bytes), its length; 0: c as it is. */
static size_t json_escape(unsigned char c, char e[7])
{
    static const char hex[] = "0123456789abcdef";
    if (c == '"' || c == '\\') {
        e[0] = '\\';
        e[1] = (char)c;
        return 2;
    }
    if (c >= 0x20 && c != 0x7f)
        return 0;
    memcpy(e, "\\u00", 4);
    e[4] = hex[c >> 4];
    e[5] = hex[c & 15];
    return 6;
}

void base_json_put(FILE *out, const char *s, size_t len)
{
    char e[7];
    fputc('"', out);
    size_t run = 0; /* bytes written as they are, not yet handed to stdio */
    for (size_t i = 0; i < len; i++) {
        size_t k = json_escape((unsigned char)s[i], e);
        if (!k) {
            run++;
            continue;
        }
        fwrite(s + i - run, 1, run, out);
        fwrite(e, 1, k, out);
        run = 0;
    }
    fwrite(s + len - run, 1, run, out);
    fputc('"', out);
}

size_t base_json_quote(char *dst, size_t cap, const char *s, size_t len)
{
    char e[7];
    size_t n = 0;
#define PUT(p, k)                                                  \
    do {                                                           \
        for (size_t j_ = 0; j_ < (k); j_++, n++)                   \
            if (n + 1 < cap)                                       \
                dst[n] = (p)[j_];                                  \
    } while (0)
    PUT("\"", 1);
    for (size_t i = 0; i < len; i++) {
        size_t k = json_escape((unsigned char)s[i], e);
        if (k)
            PUT(e, k);
        else
            PUT(s + i, 1);
    }
    PUT("\"", 1);
#undef PUT
    if (cap)
        dst[n < cap ? n : cap - 1] = '\0';
    return n;
}
