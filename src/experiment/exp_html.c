/* exp_html.c -- writes the self-contained HTML report of an experiment: the
 * page template with its stylesheet, the vendored charting library and the
 * page's script inlined, and the experiment summary embedded as a JSON data
 * block (see exp_html.h).
 *
 * The template (web/report/report.html) marks where each piece goes with
 * comments `<!--fabtwin:NAME-->`; everything else is copied as is. The files
 * are compiled into the library by cmake/embed.cmake.
 *
 * Escaping. Inside <script> and <style> the HTML parser looks for nothing
 * but the closing tag (and, in scripts, `<!--` which can start an "escaped"
 * state that swallows a later `</script>`), so those are the sequences that
 * must never appear in inlined text:
 *   - the summary is re-serialised by jansson and every `<`, `>` and `&` is
 *     written as a \u escape -- they can occur in JSON only inside strings,
 *     where the escape means the same character, so no data whatsoever can
 *     close the block or open a comment. U+2028/U+2029 are escaped as well,
 *     so the text stays valid even if someone pastes it into a JS literal.
 *   - inlined code has `</script` / `</style` written as `<\/…` and `<!--`
 *     as `<\!--`: the same text inside JS and CSS strings and comments,
 *     which is where such sequences occur in real code. (The vendored files
 *     contain neither today; tests/test_exp_html.c checks the output.) */
#include "experiment/exp_html.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Generated at build time by cmake/embed.cmake (see CMakeLists.txt): each
 * file's bytes, followed by a 0 byte that _len does not count. */
extern const unsigned char ft_web_report_html[], ft_web_report_css[], ft_web_report_js[],
    ft_web_chart_js[], ft_web_errorbars_js[];
extern const size_t ft_web_report_html_len, ft_web_report_css_len, ft_web_report_js_len,
    ft_web_chart_js_len, ft_web_errorbars_js_len;

#define EXP_HTML_FORMAT "fabtwin-experiment/1"
#define EXP_HTML_MARK "<!--fabtwin:"
#define EXP_HTML_MARK_END "-->"

static bool put(FILE *out, const void *data, size_t len)
{
    return len == 0 || fwrite(data, 1, len, out) == len;
}

static bool puts_(FILE *out, const char *s)
{
    return put(out, s, strlen(s));
}

/* Copy code into a <script> or <style> element whose closing tag is `tag`
 * ("</script" or "</style"), escaping as described at the top. */
static bool put_inline_code(FILE *out, const unsigned char *code, size_t len, const char *tag)
{
    const char *s = (const char *)code;
    size_t tag_len = strlen(tag), from = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '<')
            continue;
        const char *escaped = NULL;
        size_t skip = 0;
        if (len - i >= tag_len && strncasecmp(s + i, tag, tag_len) == 0) {
            escaped = "<\\/";
            skip = 2;
        } else if (len - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
            escaped = "<\\!";
            skip = 2;
        }
        if (escaped) {
            if (!put(out, s + from, i - from) || !puts_(out, escaped))
                return false;
            from = i + skip;
        }
    }
    return put(out, s + from, len - from);
}

/* Copy serialised JSON, escaping `<`, `>`, `&`, U+2028 and U+2029 (all of
 * which JSON allows only inside strings) as \u sequences. */
static bool put_json_data(FILE *out, const char *json)
{
    const char *from = json;
    for (const char *p = json; *p; p++) {
        const char *escaped = NULL;
        size_t skip = 1;
        switch (*p) {
        case '<': escaped = "\\u003c"; break;
        case '>': escaped = "\\u003e"; break;
        case '&': escaped = "\\u0026"; break;
        case '\xe2':
            /* U+2028 and U+2029 are E2 80 A8 and E2 80 A9 in UTF-8. */
            if (p[1] == '\x80' && (p[2] == '\xa8' || p[2] == '\xa9')) {
                escaped = p[2] == '\xa8' ? "\\u2028" : "\\u2029";
                skip = 3;
            }
            break;
        default: break;
        }
        if (escaped) {
            if (!put(out, from, (size_t)(p - from)) || !puts_(out, escaped))
                return false;
            p += skip - 1;
            from = p + 1;
        }
    }
    return puts_(out, from);
}

/* Write what the marker `name` (length len) of the template stands for. */
static int put_piece(FILE *out, const char *name, size_t len, const char *json, ft_error *err)
{
#define IS(lit) (len == sizeof(lit) - 1 && memcmp(name, lit, len) == 0)
    bool ok;
    if (IS("style")) {
        ok = puts_(out, "<style>\n") &&
             put_inline_code(out, ft_web_report_css, ft_web_report_css_len, "</style") &&
             puts_(out, "</style>");
    } else if (IS("libraries")) {
        ok = puts_(out, "<script>\n") &&
             put_inline_code(out, ft_web_chart_js, ft_web_chart_js_len, "</script") &&
             puts_(out, "\n</script>\n<script>\n") &&
             put_inline_code(out, ft_web_errorbars_js, ft_web_errorbars_js_len, "</script") &&
             puts_(out, "\n</script>");
    } else if (IS("summary")) {
        ok = puts_(out, "<script type=\"application/json\" id=\"summary\">") &&
             put_json_data(out, json) && puts_(out, "</script>");
    } else if (IS("script")) {
        ok = puts_(out, "<script>\n") &&
             put_inline_code(out, ft_web_report_js, ft_web_report_js_len, "</script") &&
             puts_(out, "</script>");
    } else {
        return ft_fail(err, NULL, 0, 0, "the report template has an unknown marker '%.*s'",
                       (int)len, name);
    }
#undef IS
    return ok ? 0 : ft_fail(err, NULL, 0, 0, "cannot write the report");
}

/* Copy the template to out, replacing each marker by its piece. */
static int put_template(FILE *out, const char *json, ft_error *err)
{
    const char *t = (const char *)ft_web_report_html;
    const char *end = t + ft_web_report_html_len;
    for (;;) {
        const char *mark = strstr(t, EXP_HTML_MARK);
        if (!mark)
            break;
        const char *name = mark + strlen(EXP_HTML_MARK);
        const char *close = strstr(name, EXP_HTML_MARK_END);
        if (!close)
            return ft_fail(err, NULL, 0, 0, "the report template has an unclosed marker");
        if (!put(out, t, (size_t)(mark - t)))
            return ft_fail(err, NULL, 0, 0, "cannot write the report");
        if (put_piece(out, name, (size_t)(close - name), json, err) != 0)
            return -1;
        t = close + strlen(EXP_HTML_MARK_END);
    }
    if (!put(out, t, (size_t)(end - t)))
        return ft_fail(err, NULL, 0, 0, "cannot write the report");
    return 0;
}

/* The summary must be a `fabtwin-experiment/1` object with a scenarios array:
 * everything else on the page copes with missing parts. */
static int check_summary(const json_t *root, ft_error *err)
{
    if (!json_is_object(root))
        return ft_fail(err, NULL, 0, 0,
                       "the experiment summary is not a JSON object (expected a \"%s\" document)",
                       EXP_HTML_FORMAT);
    const json_t *format = json_object_get(root, "format");
    if (!json_is_string(format))
        return ft_fail(err, NULL, 0, 0,
                       "the JSON document has no \"format\": it is not an experiment summary "
                       "(expected \"format\": \"%s\")",
                       EXP_HTML_FORMAT);
    if (strcmp(json_string_value(format), EXP_HTML_FORMAT) != 0)
        return ft_fail(err, NULL, 0, 0,
                       "the JSON document has \"format\": \"%s\"; the report needs \"%s\"",
                       json_string_value(format), EXP_HTML_FORMAT);
    if (!json_is_array(json_object_get(root, "scenarios")))
        return ft_fail(err, NULL, 0, 0, "the experiment summary has no \"scenarios\" array");
    return 0;
}

int exp_html_write(FILE *out, const char *summary_json, ft_error *err)
{
    if (!summary_json)
        return ft_fail(err, NULL, 0, 0, "no experiment summary to report");
    json_error_t jerr;
    json_t *root = json_loads(summary_json, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return ft_fail(err, NULL, jerr.line, jerr.column,
                       "the experiment summary is not valid JSON (line %d, column %d): %s",
                       jerr.line, jerr.column, jerr.text);
    int rc = -1;
    char *json = NULL;
    if (check_summary(root, err) != 0)
        goto done;
    json = json_dumps(root, JSON_COMPACT | JSON_REAL_PRECISION(17));
    if (!json) {
        ft_fail(err, NULL, 0, 0, "cannot serialise the experiment summary: out of memory");
        goto done;
    }
    if (put_template(out, json, err) != 0)
        goto done;
    if (fflush(out) != 0 || ferror(out)) {
        ft_fail(err, NULL, 0, 0, "cannot write the report");
        goto done;
    }
    rc = 0;
done:
    free(json);
    json_decref(root);
    return rc;
}
