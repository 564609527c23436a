/* test_exp_html.c -- the HTML experiment report (exp_html.h): one file that
 * needs no network, carries the summary so that it parses back to the same
 * JSON whatever text the names hold (no name can close the data block), has
 * the charting library inlined, and refuses input that is not an experiment
 * summary with a message that says why.
 *
 * Whether the page draws is checked by eye with scripts/render-report
 * (needs Chromium), not here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "experiment/exp_html.h"
#include "testutil.h"

/* A name that tries to end the data block, open a comment and start a new
 * script, with HTML entities, a line separator (U+2028) and Chinese. */
#define HOSTILE_NAME "焊接</script><!--<script>alert(1)</script> & <b>\xe2\x80\xa8总装</SCRIPT >"

/* An experiment summary as docs/experiment-json.md describes it: three
 * scenarios of the elevator line, Chinese names, one scenario with the
 * hostile name, one run with a single replication (sd and half_width null)
 * and lacking a product KPI. */
static const char SUMMARY[] =
    "{\n"
    "  \"format\": \"fabtwin-experiment/1\",\n"
    "  \"experiment\": \"焊接扩能\",\n"
    "  \"model\": { \"path\": \"models/elevator-line.yaml\", \"name\": \"西奥电梯总装线\" },\n"
    "  \"confidence\": 0.95, \"crn\": true, \"seed\": 1,\n"
    "  \"warmup\": { \"method\": \"mser5\", \"seconds\": 5400,\n"
    "              \"mser\": { \"replications\": 5, \"batch_s\": 600, \"batches\": 9 } },\n"
    "  \"length_s\": 86400,\n"
    "  \"replications\": { \"min\": 1, \"max\": 20, \"target_rel_half_width\": 0.05,\n"
    "                    \"target_kpi\": \"plant.throughput_per_hour\" },\n"
    "  \"factors\": [ { \"path\": \"stations.轿厢焊接.servers\", \"values\": [\"1\", \"2\", \"3\"] } ],\n"
    "  \"kpis\": [\n"
    "    { \"name\": \"plant.throughput_per_hour\", \"group\": \"plant\", \"entity\": \"\",\n"
    "      \"measure\": \"throughput_per_hour\" },\n"
    "    { \"name\": \"product.电梯.cycle_mean_s\", \"group\": \"product\", \"entity\": \"电梯\",\n"
    "      \"measure\": \"cycle_mean_s\" },\n"
    "    { \"name\": \"station.整机调试.working\", \"group\": \"station\", \"entity\": \"整机调试\",\n"
    "      \"measure\": \"working\" }\n"
    "  ],\n"
    "  \"scenarios\": [\n"
    "    { \"index\": 0, \"name\": \"stations.轿厢焊接.servers=1\",\n"
    "      \"set\": { \"stations.轿厢焊接.servers\": \"1\" }, \"replications\": 20,\n"
    "      \"kpis\": {\n"
    "        \"plant.throughput_per_hour\": { \"mean\": 27.19, \"sd\": 0.5, \"half_width\": 0.234,\n"
    "                                       \"lo\": 26.956, \"hi\": 27.424 },\n"
    "        \"product.电梯.cycle_mean_s\": { \"mean\": 1619.5, \"sd\": 60, \"half_width\": 28.08,\n"
    "                                    \"lo\": 1591.42, \"hi\": 1647.58 },\n"
    "        \"station.整机调试.working\": { \"mean\": 0.84, \"sd\": 0.01, \"half_width\": 0.0047,\n"
    "                                   \"lo\": 0.8353, \"hi\": 0.8447 } },\n"
    "      \"bottleneck\": [ { \"station\": \"整机调试\", \"replications\": 17 },\n"
    "                      { \"station\": \"\", \"replications\": 3 } ] },\n"
    "    { \"index\": 1, \"name\": \"" HOSTILE_NAME "\",\n"
    "      \"set\": { \"stations.轿厢焊接.servers\": \"2\" }, \"replications\": 1,\n"
    "      \"kpis\": {\n"
    "        \"plant.throughput_per_hour\": { \"mean\": 29.75, \"sd\": null, \"half_width\": null,\n"
    "                                       \"lo\": 29.75, \"hi\": 29.75 },\n"
    "        \"station.整机调试.working\": { \"mean\": 0.9, \"sd\": null, \"half_width\": null,\n"
    "                                   \"lo\": 0.9, \"hi\": 0.9 } },\n"
    "      \"bottleneck\": [ { \"station\": \"整机调试\", \"replications\": 1 } ] },\n"
    "    { \"index\": 2, \"name\": \"stations.轿厢焊接.servers=3\",\n"
    "      \"set\": { \"stations.轿厢焊接.servers\": \"3\" }, \"replications\": 20,\n"
    "      \"kpis\": {\n"
    "        \"plant.throughput_per_hour\": { \"mean\": 30.08, \"sd\": 0.5, \"half_width\": 0.234,\n"
    "                                       \"lo\": 29.846, \"hi\": 30.314 },\n"
    "        \"product.电梯.cycle_mean_s\": { \"mean\": 1566.25, \"sd\": 60, \"half_width\": 28.08,\n"
    "                                    \"lo\": 1538.17, \"hi\": 1594.33 },\n"
    "        \"station.整机调试.working\": { \"mean\": 0.9, \"sd\": 0.01, \"half_width\": 0.0047,\n"
    "                                   \"lo\": 0.8953, \"hi\": 0.9047 } },\n"
    "      \"bottleneck\": [ { \"station\": \"整机调试\", \"replications\": 20 } ] }\n"
    "  ],\n"
    "  \"goal\": { \"kpi\": \"plant.throughput_per_hour\", \"direction\": \"max\" },\n"
    "  \"best\": { \"scenario\": 2, \"mean\": 30.08, \"half_width\": 0.234, \"lo\": 29.846,\n"
    "            \"hi\": 30.314 },\n"
    "  \"comparisons\": [\n"
    "    { \"scenario\": 1, \"baseline\": 0, \"kpi\": \"plant.throughput_per_hour\", \"paired\": true,\n"
    "      \"mean_diff\": 2.56, \"half_width\": null, \"lo\": null, \"hi\": null,\n"
    "      \"significant\": false },\n"
    "    { \"scenario\": 2, \"baseline\": 0, \"kpi\": \"plant.throughput_per_hour\", \"paired\": false,\n"
    "      \"mean_diff\": 2.89, \"half_width\": 0.31, \"lo\": 2.58, \"hi\": 3.2, \"significant\": true }\n"
    "  ]\n"
    "}\n";

#define DATA_OPEN "<script type=\"application/json\" id=\"summary\">"

/* The report for summary_json in memory; fails the test if writing fails. */
static char *report_of(const char *summary_json, size_t *len)
{
    char *html = NULL;
    size_t n = 0;
    FILE *out = open_memstream(&html, &n);
    assert_non_null(out);
    ft_error err = {0};
    int rc = exp_html_write(out, summary_json, &err);
    assert_int_equal(fclose(out), 0);
    if (rc != 0)
        fail_msg("exp_html_write: %s", err.msg);
    if (len)
        *len = n;
    return html;
}

/* Try to write a report, expect failure; returns what was written (must be
 * nothing) and fills err. */
static void expect_rejected(const char *summary_json, ft_error *err)
{
    char *html = NULL;
    size_t n = 0;
    FILE *out = open_memstream(&html, &n);
    assert_non_null(out);
    assert_int_equal(exp_html_write(out, summary_json, err), -1);
    assert_int_equal(fclose(out), 0);
    assert_int_equal(n, 0); /* nothing half-written */
    free(html);
    printf("rejected as expected: %s\n", err->msg);
}

static const char *find_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return hay;
    return NULL;
}

static size_t count_ci(const char *hay, const char *needle)
{
    size_t count = 0;
    for (const char *p = find_ci(hay, needle); p; p = find_ci(p + 1, needle))
        count++;
    return count;
}

/* The text of the JSON data block (malloc'ed). */
static char *data_block(const char *html)
{
    const char *start = strstr(html, DATA_OPEN);
    assert_non_null(start);
    start += strlen(DATA_OPEN);
    const char *end = find_ci(start, "</script");
    assert_non_null(end);
    char *s = strndup(start, (size_t)(end - start));
    assert_non_null(s);
    return s;
}

static void test_summary_block_parses_back_to_the_same_json(void **state)
{
    (void)state;
    char *html = report_of(SUMMARY, NULL);
    char *block = data_block(html);

    json_error_t jerr;
    json_t *expected = json_loads(SUMMARY, 0, &jerr);
    assert_non_null(expected);
    json_t *embedded = json_loads(block, 0, &jerr);
    if (!embedded)
        fail_msg("the embedded summary is not JSON: %s (line %d)", jerr.text, jerr.line);
    assert_true(json_equal(expected, embedded));

    /* The hostile name made it through intact, as data. */
    const json_t *sc1 = json_array_get(json_object_get(embedded, "scenarios"), 1);
    assert_string_equal(json_string_value(json_object_get(sc1, "name")), HOSTILE_NAME);

    json_decref(embedded);
    json_decref(expected);
    free(block);
    free(html);
}

/* In a <script> element the HTML parser ends the element at the first
 * `</script` and treats `<!--` specially, so neither may appear in the data;
 * the raw U+2028 is escaped too (a JS string literal could not hold it in
 * older engines). */
static void test_no_name_can_close_the_data_block(void **state)
{
    (void)state;
    char *html = report_of(SUMMARY, NULL);
    char *block = data_block(html);
    assert_null(find_ci(block, "</script"));
    assert_null(strstr(block, "<!--"));
    assert_null(strchr(block, '<'));
    assert_null(strstr(block, "\xe2\x80\xa8"));
    assert_non_null(strstr(block, "\\u003c/script\\u003e\\u003c!--"));
    assert_non_null(strstr(block, "\\u2028"));
    /* Chinese stays readable UTF-8, not \u escapes. */
    assert_non_null(strstr(block, "\"experiment\":\"焊接扩能\""));

    /* The page has exactly its four script elements -- two libraries, the
     * data, the page's script -- and the only comment is the template's
     * own, before <html>. */
    assert_int_equal(count_ci(html, "<script"), 4);
    assert_int_equal(count_ci(html, "</script"), 4);
    const char *comment = strstr(html, "<!--");
    assert_non_null(comment);
    assert_true(comment < strstr(html, "<html"));
    assert_null(strstr(strstr(html, "<html"), "<!--"));
    free(block);
    free(html);
}

/* Every tag that could load something (script, link, img, iframe, …) must
 * load nothing: the report works offline from file://. */
static void test_report_loads_nothing_from_outside(void **state)
{
    (void)state;
    char *html = report_of(SUMMARY, NULL);
    static const char *const tags[] = {"<script", "<link", "<img", "<iframe", "<object",
                                       "<embed", "<source", "<base"};
    for (size_t t = 0; t < sizeof tags / sizeof tags[0]; t++) {
        for (const char *p = find_ci(html, tags[t]); p; p = find_ci(p + 1, tags[t])) {
            const char *end = strchr(p, '>');
            assert_non_null(end);
            char *tag = strndup(p, (size_t)(end - p));
            if (find_ci(tag, "src=") || find_ci(tag, "href="))
                fail_msg("the report loads a resource: %s>", tag);
            free(tag);
        }
    }
    static const char *const remote[] = {"src=\"http", "src='http", "href=\"http", "href='http",
                                         "src=http", "href=http", "src=\"//", "href=\"//"};
    for (size_t r = 0; r < sizeof remote / sizeof remote[0]; r++)
        assert_null(find_ci(html, remote[r]));
    /* UTF-8 is declared, so the Chinese names render. */
    assert_non_null(strstr(html, "<meta charset=\"utf-8\">"));
    /* And the browser is told to refuse any network access. */
    assert_non_null(strstr(html, "default-src 'none'"));
    free(html);
}

/* Chart.js (about 200 kB minified) and the error-bar plugin are inside the
 * file, each in its own script element, as are the stylesheet and the
 * page's script; no template marker is left over. */
static void test_chart_library_is_inlined(void **state)
{
    (void)state;
    size_t len = 0;
    char *html = report_of(SUMMARY, &len);
    const char *banner = strstr(html, "Chart.js v4");
    assert_non_null(banner);
    const char *open = strstr(html, "<script>");
    assert_non_null(open);
    assert_true(open < banner);
    const char *close = strstr(open, "</script>");
    assert_non_null(close);
    assert_true(close - open > 100 * 1000);
    assert_non_null(strstr(close, "ChartErrorBars"));
    assert_non_null(strstr(html, "<style>"));
    assert_non_null(strstr(html, "function drawThroughput"));
    assert_null(strstr(html, "<!--fabtwin:"));
    assert_true(len > 200 * 1000);
    free(html);
}

static void test_bad_json_is_rejected_with_its_position(void **state)
{
    (void)state;
    ft_error err = {0};
    expect_rejected("{\n  \"format\": \"fabtwin-experiment/1\",\n  \"scenarios\": [\n}", &err);
    assert_non_null(strstr(err.msg, "not valid JSON"));
    assert_non_null(strstr(err.msg, "line 4"));
    assert_int_equal(err.line, 4);

    expect_rejected("", &err);
    assert_non_null(strstr(err.msg, "not valid JSON"));
}

static void test_other_documents_are_rejected_with_the_reason(void **state)
{
    (void)state;
    ft_error err = {0};
    /* A run report (docs/report-json.md) is JSON but not a summary. */
    expect_rejected("{\"format\": \"fabtwin-report/1\", \"scenarios\": []}", &err);
    assert_non_null(strstr(err.msg, "\"fabtwin-report/1\""));
    assert_non_null(strstr(err.msg, "\"fabtwin-experiment/1\""));

    expect_rejected("{\"experiment\": \"x\", \"scenarios\": []}", &err);
    assert_non_null(strstr(err.msg, "no \"format\""));

    expect_rejected("[1, 2, 3]", &err);
    assert_non_null(strstr(err.msg, "not a JSON object"));

    expect_rejected("{\"format\": \"fabtwin-experiment/1\"}", &err);
    assert_non_null(strstr(err.msg, "\"scenarios\""));

    expect_rejected(NULL, &err);
    assert_non_null(strstr(err.msg, "no experiment summary"));
}

/* The smallest summary the page must cope with: one scenario, no KPIs
 * list, nothing else. */
static void test_minimal_summary_is_accepted(void **state)
{
    (void)state;
    const char *minimal = "{\"format\":\"fabtwin-experiment/1\",\"scenarios\":[{\"index\":0,"
                          "\"name\":\"基线\",\"replications\":1,\"kpis\":{}}]}";
    char *html = report_of(minimal, NULL);
    char *block = data_block(html);
    assert_string_equal(block, minimal);
    free(block);
    free(html);
}

/* A full disk or closed pipe is reported, not ignored. */
static void test_write_failure_is_reported(void **state)
{
    (void)state;
    FILE *out = fopen("/dev/full", "w");
    if (!out)
        ft_skip("/dev/full cannot be opened: no device to fill");
    ft_error err = {0};
    assert_int_equal(exp_html_write(out, SUMMARY, &err), -1);
    assert_non_null(strstr(err.msg, "cannot write the report"));
    fclose(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_summary_block_parses_back_to_the_same_json),
        cmocka_unit_test(test_no_name_can_close_the_data_block),
        cmocka_unit_test(test_report_loads_nothing_from_outside),
        cmocka_unit_test(test_chart_library_is_inlined),
        cmocka_unit_test(test_bad_json_is_rejected_with_its_position),
        cmocka_unit_test(test_other_documents_are_rejected_with_the_reason),
        cmocka_unit_test(test_minimal_summary_is_accepted),
        cmocka_unit_test(test_write_failure_is_reported),
    };
    return ft_tests_status(cmocka_run_group_tests(tests, NULL, NULL));
}
