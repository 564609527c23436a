/* base_utf8.c -- UTF-8 validation and byte offsets to line and column, for
 * every reader of text (models, order lists, experiment files, grid maps).
 * Columns count characters, not bytes, so a message points where an editor
 * shows the cursor. */
#include <stdint.h>
#include <string.h>

#include "base/base_text.h"

size_t base_utf8_check(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
        if (c >= 0xC2 && c <= 0xDF) {
            n = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 3;
            if (c == 0xE0)
                lo = 0xA0; /* overlong */
            else if (c == 0xED)
                hi = 0x9F; /* surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 4;
            if (c == 0xF0)
                lo = 0x90; /* overlong */
            else if (c == 0xF4)
                hi = 0x8F; /* above U+10FFFF */
        } else {
            return i;
        }
        /* a broken sequence is reported at its first byte */
        if (i + 1 >= len || s[i + 1] < lo || s[i + 1] > hi)
            return i;
        for (size_t k = 2; k < n; k++)
            if (i + k >= len || (s[i + k] & 0xC0) != 0x80)
                return i;
        i += n;
    }
    return len;
}

size_t base_utf8_chars(const char *s, size_t n)
{
    size_t chars = 0;
    for (size_t i = 0; i < n; i++)
        chars += ((unsigned char)s[i] & 0xC0) != 0x80;
    return chars;
}

/* Length of the line break at s[i] (0 if none): LF, CR, CR LF, and as
 * libyaml counts them also NEL, LS and PS. */
static size_t break_len(const unsigned char *s, size_t len, size_t i, bool unicode)
{
    if (s[i] == '\n')
        return 1;
    if (s[i] == '\r')
        return i + 1 < len && s[i + 1] == '\n' ? 2 : 1;
    if (!unicode)
        return 0;
    if (s[i] == 0xC2 && i + 1 < len && s[i + 1] == 0x85)
        return 2; /* NEL */
    if (s[i] == 0xE2 && i + 2 < len && s[i + 1] == 0x80 && (s[i + 2] == 0xA8 || s[i + 2] == 0xA9))
        return 3; /* LS, PS */
    return 0;
}

void base_text_pos(const char *text, size_t len, size_t off, bool unicode_breaks, int *line,
                    int *col)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    long l = 1, c = 1;
    if (off > len)
        off = len;
    while (i < off) {
        size_t b = break_len(s, len, i, unicode_breaks);
        if (b && i + b <= off) {
            l++;
            c = 1;
            i += b;
            continue;
        }
        if (b) /* off points into a CR LF or a multi-byte break */
            break;
        c += (s[i] & 0xC0) != 0x80; /* count characters, not bytes */
        i++;
    }
    *line = l > INT32_MAX ? INT32_MAX : (int)l;
    *col = c > INT32_MAX ? INT32_MAX : (int)c;
}
