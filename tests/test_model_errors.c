/* test_model_errors.c -- every class of model error points at the right
 * line and column and says what was found and what was expected.
 *
 * Expected positions are counted by hand from the YAML text (lines and
 * columns 1-based, columns in characters), following the rules in
 * docs/model-language.md; each test notes the count. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/model.h"

static ft_error load_fail_n(const char *yaml, size_t len)
{
    ft_error err = {0};
    model_desc *m = model_load_string(yaml, len, "t.yaml", &err);
    if (m) {
        model_free(m);
        fail_msg("the model loaded, but it should have failed");
    }
    printf("  -> %s:%d:%d: %s\n", err.file, err.line, err.col, err.msg);
    return err;
}

static void expect_error_n(const char *yaml, size_t len, int line, int col, const char *needle)
{
    ft_error err = load_fail_n(yaml, len);
    assert_string_equal(err.file, "t.yaml");
    assert_int_equal(err.line, line);
    assert_int_equal(err.col, col);
    if (!strstr(err.msg, needle))
        fail_msg("message '%s' does not contain '%s'", err.msg, needle);
}

static void expect_error(const char *yaml, int line, int col, const char *needle)
{
    expect_error_n(yaml, strlen(yaml), line, col, needle);
}

static void expect_ok(const char *yaml)
{
    ft_error err = {0};
    model_desc *m = model_load_string(yaml, strlen(yaml), "t.yaml", &err);
    if (!m)
        fail_msg("should load: %s:%d:%d: %s", err.file, err.line, err.col, err.msg);
    model_free(m);
}

/* Lines 1-8 of most models below; the station list starts on line 9. */
#define HEAD                                                                                      \
    "model: m\n"                                                                                  \
    "products:\n"                                                                                 \
    "  - name: p\n"                                                                               \
    "    routing:\n"                                                                              \
    "      - { station: weld, time: 90s }\n"                                                      \
    "sources:\n"                                                                                  \
    "  - { name: s, product: p, interarrival: 2min }\n"                                           \
    "stations:\n"

/* A one-step routing whose step (line 5) has the given time; the value
 * starts at column 32: "      - { station: weld, time: " is 31 characters. */
#define STEP(time)                                                                                \
    "model: m\n"                                                                                  \
    "products:\n"                                                                                 \
    "  - name: p\n"                                                                               \
    "    routing:\n"                                                                              \
    "      - { station: weld, time: " time " }\n"                                                 \
    "sources:\n"                                                                                  \
    "  - { name: s, product: p, interarrival: 2min }\n"                                           \
    "stations:\n"                                                                                 \
    "  - name: weld\n"

/* ---- the file ----------------------------------------------------------- */

/* "products: x: y": the second ':' (column 12) starts a mapping value
 * where a plain scalar cannot have one. */
static void test_yaml_syntax_error_gives_libyaml_problem_and_position(void **state)
{
    (void)state;
    expect_error("model: m\nproducts: x: y\n", 2, 12,
                 "invalid YAML: mapping values are not allowed in this context");
}

static void test_empty_file_is_an_error_at_its_start(void **state)
{
    (void)state;
    expect_error("", 1, 1, "empty model file");
    expect_error("# only a comment\n\n   \n", 1, 1, "empty model file");
    expect_error("---\n", 1, 1, "empty model file");
}

/* "model: m\n" is 9 bytes and "products: " 10 more: 0xff is at offset 19,
 * line 2, column 11. */
static void test_invalid_utf8_names_the_byte_and_its_position(void **state)
{
    (void)state;
    expect_error("model: m\nproducts: \xff\n", 2, 11, "not valid UTF-8 (byte 0xff at offset 19)");
}

/* The column counts characters: "model: 电" is 8 characters (10 bytes). */
static void test_invalid_utf8_column_counts_characters_not_bytes(void **state)
{
    (void)state;
    expect_error("model: \xe7\x94\xb5\xff\n", 1, 9, "byte 0xff at offset 10");
}

/* 0xC0 0xAF is an overlong '/', 0xED 0xA0 0x80 a UTF-16 surrogate: both
 * are invalid UTF-8 though each byte looks like a lead or continuation. */
static void test_overlong_and_surrogate_sequences_are_invalid(void **state)
{
    (void)state;
    expect_error("model: \xc0\xaf\n", 1, 8, "byte 0xc0 at offset 7");
    expect_error("model: \xed\xa0\x80\n", 1, 8, "byte 0xed at offset 7");
}

static void test_nul_byte_is_an_error(void **state)
{
    (void)state;
    expect_error_n("model: m\0x\n", 11, 1, 9, "NUL byte at offset 8");
}

/* A 100 MB file is rejected from its size (fstat), without reading it: a
 * sparse file of that size costs no disk. The message gives the exact size,
 * which only fstat knows -- a reader stops at 16 MiB + 1 byte. */
static void test_file_larger_than_16_mib_is_rejected_by_its_size(void **state)
{
    (void)state;
    char path[] = "/tmp/fabtwin-big-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, 100L * 1024 * 1024), 0);
    close(fd);
    ft_error err = {0};
    model_desc *m = model_load_file(path, &err);
    unlink(path);
    printf("  -> %s:%d:%d: %s\n", err.file, err.line, err.col, err.msg);
    assert_null(m);
    assert_string_equal(err.file, path);
    assert_int_equal(err.line, 0); /* about the file as a whole: no line */
    assert_int_equal(err.col, 0);
    assert_non_null(strstr(err.msg, "104857600 bytes"));
    assert_non_null(strstr(err.msg, "16 MiB"));
}

/* A FIFO with no writer is turned away, not waited on: were the open
 * blocking, this test would hang until ctest's TIMEOUT fails it. */
static void test_fifo_is_refused_without_waiting_for_a_writer(void **state)
{
    (void)state;
    char dir[] = "/tmp/fabtwin-fifo-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/model.yaml", dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    ft_error err = {0};
    model_desc *m = model_load_file(path, &err);
    unlink(path);
    rmdir(dir);
    assert_null(m);
    assert_string_equal(err.file, path);
    assert_non_null(strstr(err.msg, "not a regular file"));
}

static void test_missing_file_names_it(void **state)
{
    (void)state;
    ft_error err = {0};
    assert_null(model_load_file("/nonexistent/model.yaml", &err));
    assert_string_equal(err.file, "/nonexistent/model.yaml");
    assert_non_null(strstr(err.msg, "No such file"));
}

/* 70 nested lists: the root mapping is level 1, the k-th '[' (column 7 + k)
 * level k + 1, so the 64th '[' at column 71 is level 65, one too deep. */
static void test_nesting_deeper_than_64_levels_is_an_error(void **state)
{
    (void)state;
    char yaml[256] = "model: ";
    for (int i = 0; i < 70; i++)
        strcat(yaml, "[");
    for (int i = 0; i < 70; i++)
        strcat(yaml, "]");
    strcat(yaml, "\n");
    expect_error(yaml, 1, 71, "nested deeper than 64 levels");
}

/* Aliases could expand exponentially ("billion laughs"): refused at the anchor. */
static void test_anchors_and_aliases_are_refused(void **state)
{
    (void)state;
    expect_error("model: &n m\n", 1, 8, "anchors and aliases are not supported");
    expect_error("a: [x]\nb: *n\n", 2, 4, "anchors and aliases are not supported");
}

static void test_second_document_is_an_error(void **state)
{
    (void)state;
    expect_error("model: a\n---\nmodel: b\n", 2, 1, "one YAML document");
}

static void test_bad_fixture_files_fail_with_position(void **state)
{
    (void)state;
    struct { const char *file; int line, col; const char *needle; } cases[] = {
        /* "  - name: p: q": the second ':' at column 12 */
        {"syntax-error.yaml", 3, 12, "mapping values are not allowed"},
        /* "Straße" in Latin-1: 14 + 10 + 14 bytes before the 0xdf */
        {"bad-utf8.yaml", 3, 15, "not valid UTF-8 (byte 0xdf at offset 38)"},
        {"empty.yaml", 1, 1, "empty model file"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/tests/models/%s", FT_SOURCE_DIR, cases[i].file);
        ft_error err = {0};
        assert_null(model_load_file(path, &err));
        printf("  -> %s:%d:%d: %s\n", err.file, err.line, err.col, err.msg);
        assert_string_equal(err.file, path);
        assert_int_equal(err.line, cases[i].line);
        assert_int_equal(err.col, cases[i].col);
        assert_non_null(strstr(err.msg, cases[i].needle));
    }
}

/* ---- keys and fields ---------------------------------------------------- */

static void test_unknown_key_suggests_the_closest_valid_key(void **state)
{
    (void)state;
    expect_error(HEAD "  - name: weld\n    sever: 2\n", 10, 5,
                 "unknown key 'sever' in station 'weld'; did you mean 'servers'?");
}

static void test_unknown_key_without_close_match_lists_the_valid_keys(void **state)
{
    (void)state;
    expect_error(HEAD "  - name: weld\n    frobnicate: 2\n", 10, 5,
                 "unknown key 'frobnicate' in station 'weld'; expected one of: name, servers");
}

static void test_duplicate_key_is_an_error_at_the_second(void **state)
{
    (void)state;
    expect_error(HEAD "  - name: weld\n    servers: 1\n    servers: 2\n", 11, 5,
                 "duplicate key 'servers' in station 'weld' (first given at line 10, column 5)");
}

/* The product's mapping starts at "name" (line 3, column 5). */
static void test_missing_required_field_is_an_error_at_its_mapping(void **state)
{
    (void)state;
    expect_error("model: m\nproducts:\n  - name: elevator\nstations:\n  - name: weld\n", 3, 5,
                 "missing required field 'routing' in product 'elevator'");
}

static void test_missing_model_name_is_an_error(void **state)
{
    (void)state;
    expect_error("products: []\n", 1, 1, "missing required field 'model'");
}

/* ---- values ------------------------------------------------------------- */

static void test_duration_without_unit_is_an_error(void **state)
{
    (void)state;
    expect_error(STEP("90"), 5, 32,
                 "expected a duration with a unit (ms, s, min, h, d, w), got '90'");
}

/* "90 sec": the unit starts 3 characters into the value. */
static void test_unknown_time_unit_points_at_the_unit(void **state)
{
    (void)state;
    expect_error(STEP("90 sec"), 5, 35, "unknown time unit 'sec'");
}

/* In "tri(100s, 115s, 130)" the max starts 16 characters into the value. */
static void test_distribution_parameter_without_unit_points_at_the_parameter(void **state)
{
    (void)state;
    expect_error(STEP("tri(100s, 115s, 130)"), 5, 48,
                 "expected the max of tri() with a unit (ms, s, min, h, d, w), got '130'");
}

static void test_zero_duration_is_an_error(void **state)
{
    (void)state;
    expect_error(STEP("0s"), 5, 32, "duration must be > 0, got '0s'");
}

/* "  - { name: s, product: p, interarrival: " is 41 characters. */
static void test_negative_interarrival_is_an_error(void **state)
{
    (void)state;
    expect_error("model: m\n"
                 "products:\n"
                 "  - name: p\n"
                 "    routing:\n"
                 "      - { station: weld, time: 90s }\n"
                 "sources:\n"
                 "  - { name: s, product: p, interarrival: -5s }\n"
                 "stations:\n"
                 "  - name: weld\n",
                 7, 42, "duration must be > 0, got '-5s'");
}

static void test_distribution_with_zero_mean_is_an_error(void **state)
{
    (void)state;
    expect_error(STEP("uniform(0s, 0s)"), 5, 32, "duration must be > 0, but the mean");
}

static void test_invalid_distribution_parameters_are_an_error(void **state)
{
    (void)state;
    expect_error(STEP("tri(1s, 9s, 8s)"), 5, 32, "mode must lie between min and max");
    expect_error(STEP("uniform(10s, 8s)"), 5, 32, "min must be <= max");
    expect_error(STEP("gamma(2s, 5s)"), 5, 38, "the shape of gamma() is a plain number, got '2s'");
    expect_error(STEP("erlang(0, 5s)"), 5, 39, "the k of erlang() must be a whole number from 1");
    expect_error(STEP("triangle(1s, 2s, 3s)"), 5, 32, "unknown distribution 'triangle'");
    expect_error(STEP("normal(5s)"), 5, 32, "normal() needs 2 parameters (mean, sd), got 1");
}

/* strtod would read these; the model language does not. */
static void test_nan_inf_and_hex_are_not_numbers(void **state)
{
    (void)state;
    expect_error(STEP("nans"), 5, 32, "unknown distribution 'nans'");
    expect_error(STEP("infs"), 5, 32, "unknown distribution 'infs'");
    expect_error(STEP("0x10s"), 5, 33, "unknown time unit 'x10s'");
    expect_error(HEAD "  - { name: weld, servers: 1e3 }\n", 9, 28, "expected a whole number");
}

/* A rate is a whole value; inside a distribution it is an error. */
static void test_rate_inside_a_distribution_is_an_error(void **state)
{
    (void)state;
    expect_error(STEP("exp(30/h)"), 5, 36, "got the rate '30/h'");
}

/* ---- names -------------------------------------------------------------- */

/* "      - { station: " is 19 characters. */
static void test_undefined_station_suggests_the_closest_name(void **state)
{
    (void)state;
    expect_error("model: m\n"
                 "products:\n"
                 "  - name: p\n"
                 "    routing:\n"
                 "      - { station: wled, time: 90s }\n"
                 "stations:\n"
                 "  - name: weld\n",
                 5, 20, "station 'wled' is not defined; did you mean 'weld'?");
}

/* "  - { name: s, product: " is 24 characters. */
static void test_undefined_product_suggests_the_closest_name(void **state)
{
    (void)state;
    expect_error("model: m\n"
                 "products:\n"
                 "  - name: elevator\n"
                 "    routing: [{ station: weld, time: 1min }]\n"
                 "sources:\n"
                 "  - { name: s, product: elevatr, interarrival: 2min }\n"
                 "stations:\n"
                 "  - name: weld\n",
                 6, 25, "product 'elevatr' is not defined; did you mean 'elevator'?");
}

/* A transposition counts as one edit: "tow-shift" is 1 from "two-shift". */
static void test_undefined_calendar_suggests_across_a_transposition(void **state)
{
    (void)state;
    expect_error(HEAD "  - { name: weld, calendar: tow-shift }\n"
                      "calendars:\n"
                      "  two-shift: { days: [mon], shifts: [{ from: \"06:00\", to: \"14:00\" }] }\n",
                 9, 29, "calendar 'tow-shift' is not defined; did you mean 'two-shift'?");
}

static void test_duplicate_station_name_is_an_error_at_the_second(void **state)
{
    (void)state;
    expect_error(HEAD "  - name: weld\n  - name: weld\n", 10, 5,
                 "duplicate station name 'weld' (first defined at line 9, column 5)");
}

static void test_buffer_may_not_take_a_station_name(void **state)
{
    (void)state;
    expect_error(HEAD "  - name: weld\nbuffers:\n  - { name: weld, capacity: 2, feeds: weld }\n", 11,
                 13, "buffer 'weld' has the name of a station");
}

/* ---- the plant as a whole ----------------------------------------------- */

/* Lines 1-12: product p goes A -> qc; station qc (line 11) inspects. */
#define REWORK(inspection, buffers)                                                               \
    "model: m\n"                                                                                  \
    "products:\n"                                                                                 \
    "  - name: p\n"                                                                               \
    "    routing:\n"                                                                              \
    "      - { station: A, time: 1min }\n"                                                        \
    "      - { station: qc, time: 1min }\n"                                                       \
    "sources:\n"                                                                                  \
    "  - { name: s, product: p, interarrival: 2min }\n"                                           \
    "stations:\n"                                                                                 \
    "  - name: A\n"                                                                               \
    "  - name: qc\n"                                                                              \
    "    inspection: " inspection "\n" buffers

/* "    inspection: { scrap: 0, rework: " is 36 characters. */
static void test_rework_probability_1_is_a_cycle_without_exit(void **state)
{
    (void)state;
    expect_error(REWORK("{ scrap: 0, rework: 100%, rework_to: A }", ""), 12, 37,
                 "inspection 'qc': rework probability 1 makes a cycle without exit");
}

static void test_scrap_and_rework_adding_to_one_let_nothing_pass(void **state)
{
    (void)state;
    expect_error(REWORK("{ scrap: 0.5, rework: 0.5, rework_to: A }", ""), 12, 39,
                 "no item ever passes");
}

/* rework_to must be visited before the inspection: p visits qc at step 2
 * (line 6) and C only after it. */
static void test_rework_to_must_be_an_earlier_step(void **state)
{
    (void)state;
    expect_error("model: m\n"
                 "products:\n"
                 "  - name: p\n"
                 "    routing:\n"
                 "      - { station: A, time: 1min }\n"
                 "      - { station: qc, time: 1min }\n"
                 "      - { station: C, time: 1min }\n"
                 "sources:\n"
                 "  - { name: s, product: p, interarrival: 2min }\n"
                 "stations:\n"
                 "  - { name: A }\n"
                 "  - { name: C }\n"
                 "  - { name: qc, inspection: { rework: 5%, rework_to: C } }\n",
                 6, 9,
                 "inspection 'qc' sends items back to 'C', but product 'p' does not visit 'C' "
                 "before it");
}

/* "    inspection: { rework: 5%, rework_to: " is 41 characters. */
static void test_rework_to_the_inspection_itself_is_an_error(void **state)
{
    (void)state;
    expect_error(REWORK("{ rework: 5%, rework_to: qc }", ""), 12, 42,
                 "inspection 'qc' cannot send items back to itself");
}

/* Both stations of the loop A..qc have capacity-0 buffers: qc, holding a
 * reworked item for A, blocks while A (busy) waits to hand its item to qc. */
static void test_rework_loop_with_only_capacity_0_buffers_deadlocks(void **state)
{
    (void)state;
    expect_error(REWORK("{ rework: 5%, rework_to: A }",
                        "buffers:\n"
                        "  - { name: b1, capacity: 0, feeds: A }\n"
                        "  - { name: b2, capacity: 0, feeds: qc }\n"),
                 11, 5, "inspection 'qc': every station on its rework loop");
}

/* One station of the loop with room, or without a buffer (an unbounded
 * queue), breaks the deadlock rule. */
static void test_rework_loop_with_room_somewhere_is_legal(void **state)
{
    (void)state;
    expect_ok(REWORK("{ rework: 5%, rework_to: A }",
                     "buffers:\n"
                     "  - { name: b1, capacity: 0, feeds: A }\n"
                     "  - { name: b2, capacity: 1, feeds: qc }\n"));
    expect_ok(REWORK("{ rework: 5%, rework_to: A }",
                     "buffers:\n"
                     "  - { name: b1, capacity: 0, feeds: A }\n"));
}

static void test_capacity_0_in_a_plain_line_is_legal(void **state)
{
    (void)state;
    expect_ok(REWORK("{ scrap: 5% }", "buffers:\n  - { name: b1, capacity: 0, feeds: qc }\n"));
}

/* Lines 1-10: door (x2) and car feed assembly 'final'; the buffer on line
 * 10 starts at its '{' (column 5). The bill needs 2 + 1 = 3 parts. */
#define ASSEMBLY(capacity)                                                                        \
    "model: m\n"                                                                                  \
    "products:\n"                                                                                 \
    "  - {name: door, routing: [{station: press, time: 20s}, {station: final}]}\n"                \
    "  - {name: car, routing: [{station: weld, time: 50s}, {station: final}]}\n"                  \
    "  - {name: elevator, routing: [{station: final, time: 40s}]}\n"                              \
    "sources:\n"                                                                                  \
    "  - {name: doors, product: door, interarrival: 30s}\n"                                       \
    "  - {name: cars, product: car, interarrival: 60s}\n"                                         \
    "buffers:\n"                                                                                  \
    "  - {name: B3, capacity: " capacity ", feeds: final}\n"                                      \
    "stations:\n"                                                                                 \
    "  - {name: press}\n"                                                                         \
    "  - {name: weld}\n"                                                                          \
    "  - {name: final, assembly: {produces: elevator, parts: {door: 2, car: 1}}}\n"

static void test_capacity_0_buffer_feeding_an_assembly_deadlocks(void **state)
{
    (void)state;
    expect_error(ASSEMBLY("0"), 10, 5,
                 "buffer 'B3' has capacity 0 but feeds assembly 'final' which needs 3 parts at once");
}

static void test_assembly_buffer_must_hold_a_whole_kit(void **state)
{
    (void)state;
    expect_error(ASSEMBLY("2"), 10, 5, "buffer 'B3' has capacity 2 but feeds assembly 'final'");
    expect_ok(ASSEMBLY("3"));
    expect_ok(ASSEMBLY("inf"));
}

static void test_part_step_at_assembly_takes_no_time(void **state)
{
    (void)state;
    expect_error("model: m\n"
                 "products:\n"
                 "  - {name: door, routing: [{station: final, time: 5s}]}\n"
                 "  - {name: elevator, routing: [{station: final, time: 40s}]}\n"
                 "sources:\n"
                 "  - {name: doors, product: door, interarrival: 30s}\n"
                 "stations:\n"
                 "  - {name: final, assembly: {produces: elevator, parts: {door: 2}}}\n",
                 3, 51, "takes no 'time'");
}

/* "elevator" lists 'final' second: an assembled product starts there. */
static void test_assembled_product_must_start_at_its_assembly(void **state)
{
    (void)state;
    expect_error("model: m\n"
                 "products:\n"
                 "  - {name: door, routing: [{station: final}]}\n"
                 "  - {name: elevator, routing: [{station: pack, time: 5s}, {station: final, time: 40s}]}\n"
                 "sources:\n"
                 "  - {name: doors, product: door, interarrival: 30s}\n"
                 "stations:\n"
                 "  - {name: pack}\n"
                 "  - {name: final, assembly: {produces: elevator, parts: {door: 2}}}\n",
                 4, 59, "product 'elevator' is made by assembly 'final', so its routing must start");
}

static void test_product_that_nothing_releases_is_an_error(void **state)
{
    (void)state;
    expect_error("model: m\n"
                 "products:\n"
                 "  - {name: p, routing: [{station: S, time: 1s}]}\n"
                 "  - {name: q, routing: [{station: S, time: 1s}]}\n"
                 "sources:\n"
                 "  - {name: s, product: p, interarrival: 30s}\n"
                 "stations:\n"
                 "  - {name: S}\n",
                 4, 5, "product 'q' is never released");
}

static void test_source_cannot_release_what_a_station_makes(void **state)
{
    (void)state;
    expect_error("model: m\n"
                 "products:\n"
                 "  - {name: door, routing: [{station: final}]}\n"
                 "  - {name: elevator, routing: [{station: final, time: 40s}]}\n"
                 "sources:\n"
                 "  - {name: doors, product: door, interarrival: 30s}\n"
                 "  - {name: e, product: elevator, interarrival: 30s}\n"
                 "stations:\n"
                 "  - {name: final, assembly: {produces: elevator, parts: {door: 2}}}\n",
                 7, 24, "a source cannot release it");
}

/* x is made from y and y from x: neither can ever be had. */
static void test_bill_of_materials_cycle_is_an_error(void **state)
{
    (void)state;
    expect_error("model: m\n"
                 "products:\n"
                 "  - {name: x, routing: [{station: A, time: 1s}, {station: B}]}\n"
                 "  - {name: y, routing: [{station: B, time: 1s}, {station: A}]}\n"
                 "stations:\n"
                 "  - {name: A, assembly: {produces: x, parts: {y: 1}}}\n"
                 "  - {name: B, assembly: {produces: y, parts: {x: 1}}}\n",
                 3, 5, "product 'x' can never be made: station 'A' that makes it never gets");
}

/* roll becomes pieces at 'cut', so its step at 'pack' would never be
 * reached; the error points at the split step (line 3, its '{' is the 28th
 * character: "  - {name: roll, routing: [" is 27). */
static void test_steps_after_a_producing_split_are_an_error(void **state)
{
    (void)state;
    expect_error("model: m\n"
                 "products:\n"
                 "  - {name: roll, routing: [{station: cut, time: 1s}, {station: pack, time: 1s}]}\n"
                 "  - {name: piece, routing: [{station: cut}, {station: pack, time: 1s}]}\n"
                 "sources:\n"
                 "  - {name: s, product: roll, interarrival: 1h}\n"
                 "stations:\n"
                 "  - {name: cut, split: {count: 4, produces: piece}}\n"
                 "  - {name: pack}\n",
                 3, 28, "split 'cut' turns 'roll' into 'piece', so the routing of 'roll' must end there");
}

/* "  - {name: B, assembly: {produces: " is 35 characters. */
static void test_product_made_by_two_stations_is_an_error(void **state)
{
    (void)state;
    expect_error("model: m\n"
                 "products:\n"
                 "  - {name: door, routing: [{station: A}]}\n"
                 "  - {name: x, routing: [{station: A, time: 1s}]}\n"
                 "sources:\n"
                 "  - {name: s, product: door, interarrival: 1h}\n"
                 "stations:\n"
                 "  - {name: A, assembly: {produces: x, parts: {door: 1}}}\n"
                 "  - {name: B, assembly: {produces: x, parts: {door: 1}}}\n",
                 9, 36, "product 'x' is already made by station 'A'");
}

static void test_station_in_no_routing_is_unused(void **state)
{
    (void)state;
    expect_error(HEAD "  - name: weld\n  - name: paint\n", 10, 5,
                 "station 'paint' appears in no routing (unused station)");
}

static void test_conveyor_that_no_item_rides_is_an_error(void **state)
{
    (void)state;
    expect_error(REWORK("{ scrap: 1% }",
                        "conveyors:\n"
                        "  - { name: belt, from: qc, to: A, length: 5m, speed: 1m/s, spacing: 1m }\n"),
                 14, 5, "conveyor 'belt' is never used: no item goes from 'qc' straight to 'A'");
}

static void test_always_source_needs_a_finite_first_buffer(void **state)
{
    (void)state;
    expect_error("model: m\n"
                 "products:\n"
                 "  - {name: p, routing: [{station: S, time: 1s}]}\n"
                 "sources:\n"
                 "  - {name: raw, product: p, always: true}\n"
                 "stations:\n"
                 "  - {name: S}\n",
                 5, 5, "source 'raw' is always available, so station 'S' needs a buffer");
}

static void test_source_releasing_nothing_is_an_error(void **state)
{
    (void)state;
    expect_error("model: m\n"
                 "products:\n"
                 "  - {name: p, routing: [{station: S, time: 1s}]}\n"
                 "sources:\n"
                 "  - {name: raw, product: p, always: false}\n"
                 "stations:\n"
                 "  - {name: S}\n",
                 5, 37, "source 'raw' releases nothing");
}

/* ---- calendars ---------------------------------------------------------- */

#define CALENDAR(body)                                                                            \
    HEAD "  - { name: weld, calendar: day }\n"                                                    \
         "calendars:\n"                                                                           \
         "  day:\n" body

static void test_calendar_never_on_is_an_error(void **state)
{
    (void)state;
    expect_error(CALENDAR("    days: [mon]\n"
                          "    shifts: [{ from: \"06:00\", to: \"14:00\" }]\n"
                          "    breaks: [{ from: \"06:00\", to: \"14:00\" }]\n"),
                 11, 3, "calendar 'day' is never on shift");
}

static void test_break_in_no_shift_is_an_error(void **state)
{
    (void)state;
    expect_error(CALENDAR("    days: [mon]\n"
                          "    shifts: [{ from: \"06:00\", to: \"14:00\" }]\n"
                          "    breaks: [{ from: \"15:00\", to: \"15:30\" }]\n"),
                 14, 14, "break #1 of calendar 'day' falls in no shift");
}

static void test_unknown_day_suggests_the_closest(void **state)
{
    (void)state;
    expect_error(CALENDAR("    days: [mon, tues]\n"
                          "    shifts: [{ from: \"06:00\", to: \"14:00\" }]\n"),
                 12, 17, "unknown day 'tues' in calendar 'day'; did you mean 'tue'?");
}

/* ---- order lists -------------------------------------------------------- */

/* plan-bad.csv line 3 is "2h,fraem,1": the product starts at column 4. */
static void test_csv_error_names_the_csv_file_line_and_column(void **state)
{
    (void)state;
    char model[1024], csv[1024];
    snprintf(model, sizeof model, "%s/tests/models/inline.yaml", FT_SOURCE_DIR);
    snprintf(csv, sizeof csv, "%s/tests/models/plan-bad.csv", FT_SOURCE_DIR);
    const char *yaml = "model: m\n"
                       "products:\n"
                       "  - { name: frame, routing: [{ station: S, time: 1min }] }\n"
                       "sources:\n"
                       "  - { name: plan, orders: plan-bad.csv }\n"
                       "stations:\n"
                       "  - { name: S }\n";
    ft_error err = {0};
    assert_null(model_load_string(yaml, strlen(yaml), model, &err));
    printf("  -> %s:%d:%d: %s\n", err.file, err.line, err.col, err.msg);
    assert_string_equal(err.file, csv);
    assert_int_equal(err.line, 3);
    assert_int_equal(err.col, 4);
    assert_non_null(strstr(err.msg, "product 'fraem' is not defined; did you mean 'frame'?"));
}

/* "  - { name: plan, orders: " is 26 characters. */
static void test_missing_csv_is_an_error_at_the_orders_value(void **state)
{
    (void)state;
    expect_error("model: m\n"
                 "products:\n"
                 "  - { name: frame, routing: [{ station: S, time: 1min }] }\n"
                 "sources:\n"
                 "  - { name: plan, orders: no-such-plan.csv }\n"
                 "stations:\n"
                 "  - { name: S }\n",
                 5, 27, "cannot read order list 'no-such-plan.csv'");
}


/* ---- a byte-order mark -------------------------------------------------- */

#define BOM "\xEF\xBB\xBF"

/* The docs allow a UTF-8 byte-order mark. It is not a character of the text:
 * the model loads, and positions after it count as in the same file without
 * it. */
static void test_model_with_a_byte_order_mark_loads(void **state)
{
    expect_ok(BOM HEAD "  - name: weld\n");
}

/* Line 5 of STEP: the time value starts at column 32, the unit 'x' of "90x"
 * at column 34 -- the same as without the mark (the mark takes no column). */
static void test_error_after_a_byte_order_mark_keeps_its_column(void **state)
{
    expect_error(BOM STEP("90x"), 5, 34, "unknown time unit 'x'");
}

/* An error on line 1 itself: "model: [m" -- the '[' opens a flow sequence
 * at column 8 that the end of the file never closes; libyaml reports it at
 * the next token (line 2, column 1) and names line 1, column 8 as where the
 * sequence began. */
static void test_yaml_error_on_the_marked_line_counts_from_after_the_mark(void **state)
{
    ft_error err = load_fail_n(BOM "model: [m\n", strlen(BOM "model: [m\n"));
    assert_int_equal(err.line, 2);
    if (!strstr(err.msg, "line 1, column 8"))
        fail_msg("message '%s' does not name line 1, column 8", err.msg);
}

/* A control character on the marked line: "model: x" is 8 characters, so the
 * U+0001 after it is at column 9 (libyaml's reader reports a byte offset,
 * which must be taken past the mark). */
static void test_reader_error_after_a_byte_order_mark_keeps_its_column(void **state)
{
    expect_error(BOM "model: x\x01\n", 1, 9, "control characters are not allowed");
}


/* ---- an unclosed distribution ------------------------------------------- */

/* In a flow mapping the ',' inside "uniform(1s, 2s }" ends the value, and
 * YAML reads "2s" as the next key. The error names the unclosed '(' (line 5:
 * the value starts at column 32, "uniform" is 7 characters, so '(' is at
 * column 39), not "unknown key '2s'". */
static void test_unclosed_distribution_in_a_flow_mapping_names_the_parenthesis(void **state)
{
    expect_error(STEP("uniform(1s, 2s"), 5, 39,
                 "the '(' of 'uniform(1s' is not closed");
}

/* In block style the whole "uniform(1s, 2s }" is the value: line 6,
 * "        time: " is 14 characters, the value starts at column 15 and its
 * '(' is at column 22. */
static void test_unclosed_distribution_in_block_style_names_the_parenthesis(void **state)
{
    expect_error("model: m\n"
                 "products:\n"
                 "  - name: p\n"
                 "    routing:\n"
                 "      - station: weld\n"
                 "        time: uniform(1s, 2s }\n"
                 "sources:\n"
                 "  - { name: s, product: p, interarrival: 2min }\n"
                 "stations:\n"
                 "  - name: weld\n",
                 6, 22, "the '(' of uniform(...) is not closed");
}


/* ---- the clock's resolution (docs/model-language.md, "Time resolution") -- */

/* The smallest step is the 90 s process time (line 5, column 32), so the
 * latest time the model can simulate is 90 s * 2^32 = 3.87e11 s. A source
 * starting at 1e17 s is past it: the error is at that value (line 7:
 * "  - { name: s, product: p, interarrival: 2min, start: " is 54
 * characters, the value at column 55) and names the step's position. */
static void test_a_start_past_the_time_limit_is_an_error_at_the_start(void **state)
{
    ft_error err = load_fail_n("model: m\n"
                               "products:\n"
                               "  - name: p\n"
                               "    routing:\n"
                               "      - { station: weld, time: 90s }\n"
                               "sources:\n"
                               "  - { name: s, product: p, interarrival: 2min, start: 1e17s }\n"
                               "stations:\n"
                               "  - name: weld\n",
                               strlen("model: m\n"
                                      "products:\n"
                                      "  - name: p\n"
                                      "    routing:\n"
                                      "      - { station: weld, time: 90s }\n"
                                      "sources:\n"
                                      "  - { name: s, product: p, interarrival: 2min, start: "
                                      "1e17s }\n"
                                      "stations:\n"
                                      "  - name: weld\n"));
    assert_int_equal(err.line, 7);
    assert_int_equal(err.col, 55);
    if (!strstr(err.msg, "past 3.86547e+11 s") || !strstr(err.msg, "line 5, column 32"))
        fail_msg("message '%s' lacks the limit or the step's position", err.msg);
}

/* A run (warm-up + length) ending past the limit: at the length (line 2,
 * "run: { warmup: 1h, length: " is 27 characters, the value at column 28). */
static void test_a_run_length_past_the_time_limit_is_an_error_at_the_length(void **state)
{
    expect_error("model: m\n"
                 "run: { warmup: 1h, length: 1e17s }\n"
                 "products:\n"
                 "  - name: p\n"
                 "    routing: [{ station: weld, time: 90s }]\n"
                 "sources:\n"
                 "  - { name: s, product: p, interarrival: 2min }\n"
                 "stations:\n"
                 "  - name: weld\n",
                 2, 28, "the latest time this model can simulate");
}

/* 1e-300 s is below the 1 us floor of a time step: at the interarrival
 * (line 7: "  - { name: s, product: p, interarrival: " is 41 characters). */
static void test_an_interarrival_of_1e_300_s_is_an_error_at_the_interarrival(void **state)
{
    expect_error("model: m\n"
                 "products:\n"
                 "  - name: p\n"
                 "    routing:\n"
                 "      - { station: weld, time: 90s }\n"
                 "sources:\n"
                 "  - { name: s, product: p, interarrival: 1e-300s }\n"
                 "stations:\n"
                 "  - name: weld\n",
                 7, 42, "below the 1 us that fabtwin resolves");
}

/* An order in a CSV list past the limit (1 min step: 60 s * 2^32): the
 * error names the CSV file, the order's line (4) and its time's column (1). */
static void test_an_order_past_the_time_limit_is_an_error_in_the_csv(void **state)
{
    char model[1024], csv[1024];
    snprintf(model, sizeof model, "%s/tests/models/inline.yaml", FT_SOURCE_DIR);
    snprintf(csv, sizeof csv, "%s/tests/models/orders-far.csv", FT_SOURCE_DIR);
    const char *yaml = "model: m\n"
                       "products:\n"
                       "  - { name: frame, routing: [{ station: S, time: 1min }] }\n"
                       "sources:\n"
                       "  - { name: plan, orders: orders-far.csv }\n"
                       "stations:\n"
                       "  - { name: S }\n";
    ft_error err = {0};
    assert_null(model_load_string(yaml, strlen(yaml), model, &err));
    printf("  -> %s:%d:%d: %s\n", err.file, err.line, err.col, err.msg);
    assert_string_equal(err.file, csv);
    assert_int_equal(err.line, 4);
    assert_int_equal(err.col, 1);
    assert_non_null(strstr(err.msg, "past 2.57698e+11 s")); /* 60 s * 2^32 */
}

/* run.max_items is a whole number >= 1 (line 2: "run: { max_items: " is
 * 18 characters). */
static void test_max_items_must_be_a_whole_number_of_at_least_1(void **state)
{
    expect_error("model: m\n"
                 "run: { max_items: 0 }\n"
                 "products:\n"
                 "  - name: p\n"
                 "    routing: [{ station: weld, time: 90s }]\n"
                 "sources:\n"
                 "  - { name: s, product: p, interarrival: 2min }\n"
                 "stations:\n"
                 "  - name: weld\n",
                 2, 19, "max_items");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_yaml_syntax_error_gives_libyaml_problem_and_position),
        cmocka_unit_test(test_empty_file_is_an_error_at_its_start),
        cmocka_unit_test(test_invalid_utf8_names_the_byte_and_its_position),
        cmocka_unit_test(test_invalid_utf8_column_counts_characters_not_bytes),
        cmocka_unit_test(test_overlong_and_surrogate_sequences_are_invalid),
        cmocka_unit_test(test_nul_byte_is_an_error),
        cmocka_unit_test(test_file_larger_than_16_mib_is_rejected_by_its_size),
        cmocka_unit_test(test_fifo_is_refused_without_waiting_for_a_writer),
        cmocka_unit_test(test_missing_file_names_it),
        cmocka_unit_test(test_nesting_deeper_than_64_levels_is_an_error),
        cmocka_unit_test(test_anchors_and_aliases_are_refused),
        cmocka_unit_test(test_second_document_is_an_error),
        cmocka_unit_test(test_bad_fixture_files_fail_with_position),
        cmocka_unit_test(test_unknown_key_suggests_the_closest_valid_key),
        cmocka_unit_test(test_unknown_key_without_close_match_lists_the_valid_keys),
        cmocka_unit_test(test_duplicate_key_is_an_error_at_the_second),
        cmocka_unit_test(test_missing_required_field_is_an_error_at_its_mapping),
        cmocka_unit_test(test_missing_model_name_is_an_error),
        cmocka_unit_test(test_duration_without_unit_is_an_error),
        cmocka_unit_test(test_unknown_time_unit_points_at_the_unit),
        cmocka_unit_test(test_distribution_parameter_without_unit_points_at_the_parameter),
        cmocka_unit_test(test_zero_duration_is_an_error),
        cmocka_unit_test(test_negative_interarrival_is_an_error),
        cmocka_unit_test(test_distribution_with_zero_mean_is_an_error),
        cmocka_unit_test(test_invalid_distribution_parameters_are_an_error),
        cmocka_unit_test(test_nan_inf_and_hex_are_not_numbers),
        cmocka_unit_test(test_rate_inside_a_distribution_is_an_error),
        cmocka_unit_test(test_undefined_station_suggests_the_closest_name),
        cmocka_unit_test(test_undefined_product_suggests_the_closest_name),
        cmocka_unit_test(test_undefined_calendar_suggests_across_a_transposition),
        cmocka_unit_test(test_duplicate_station_name_is_an_error_at_the_second),
        cmocka_unit_test(test_buffer_may_not_take_a_station_name),
        cmocka_unit_test(test_rework_probability_1_is_a_cycle_without_exit),
        cmocka_unit_test(test_scrap_and_rework_adding_to_one_let_nothing_pass),
        cmocka_unit_test(test_rework_to_must_be_an_earlier_step),
        cmocka_unit_test(test_rework_to_the_inspection_itself_is_an_error),
        cmocka_unit_test(test_rework_loop_with_only_capacity_0_buffers_deadlocks),
        cmocka_unit_test(test_rework_loop_with_room_somewhere_is_legal),
        cmocka_unit_test(test_capacity_0_in_a_plain_line_is_legal),
        cmocka_unit_test(test_capacity_0_buffer_feeding_an_assembly_deadlocks),
        cmocka_unit_test(test_assembly_buffer_must_hold_a_whole_kit),
        cmocka_unit_test(test_part_step_at_assembly_takes_no_time),
        cmocka_unit_test(test_assembled_product_must_start_at_its_assembly),
        cmocka_unit_test(test_product_that_nothing_releases_is_an_error),
        cmocka_unit_test(test_source_cannot_release_what_a_station_makes),
        cmocka_unit_test(test_bill_of_materials_cycle_is_an_error),
        cmocka_unit_test(test_steps_after_a_producing_split_are_an_error),
        cmocka_unit_test(test_product_made_by_two_stations_is_an_error),
        cmocka_unit_test(test_station_in_no_routing_is_unused),
        cmocka_unit_test(test_conveyor_that_no_item_rides_is_an_error),
        cmocka_unit_test(test_always_source_needs_a_finite_first_buffer),
        cmocka_unit_test(test_source_releasing_nothing_is_an_error),
        cmocka_unit_test(test_calendar_never_on_is_an_error),
        cmocka_unit_test(test_break_in_no_shift_is_an_error),
        cmocka_unit_test(test_unknown_day_suggests_the_closest),
        cmocka_unit_test(test_csv_error_names_the_csv_file_line_and_column),
        cmocka_unit_test(test_missing_csv_is_an_error_at_the_orders_value),
        cmocka_unit_test(test_model_with_a_byte_order_mark_loads),
        cmocka_unit_test(test_a_start_past_the_time_limit_is_an_error_at_the_start),
        cmocka_unit_test(test_a_run_length_past_the_time_limit_is_an_error_at_the_length),
        cmocka_unit_test(test_an_interarrival_of_1e_300_s_is_an_error_at_the_interarrival),
        cmocka_unit_test(test_an_order_past_the_time_limit_is_an_error_in_the_csv),
        cmocka_unit_test(test_max_items_must_be_a_whole_number_of_at_least_1),
        cmocka_unit_test(test_unclosed_distribution_in_a_flow_mapping_names_the_parenthesis),
        cmocka_unit_test(test_unclosed_distribution_in_block_style_names_the_parenthesis),
        cmocka_unit_test(test_error_after_a_byte_order_mark_keeps_its_column),
        cmocka_unit_test(test_yaml_error_on_the_marked_line_counts_from_after_the_mark),
        cmocka_unit_test(test_reader_error_after_a_byte_order_mark_keeps_its_column),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
