/* test_twin_e2e.c -- the emulated plant and the twin end to end, without a
 * broker: the emulator's telemetry (clean, or with 10 % drops, duplicates,
 * late and swapped messages) fed to the mirror gives exactly the emulator's
 * ground-truth counts; a dead gateway's stations go stale; the same seeds
 * give the same bytes; a recorded day replays to the same state. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "twin/twin_emulate.h"
#include "twin/twin_session.h"
#include "testutil.h"


typedef struct fixture {
    ft_model *model;
    twin_model tm;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    ft_error err = {0};
    f->model = ft_model_load(FT_SOURCE_DIR "/models/elevator-line.yaml", &err);
    if (!f->model || twin_model_init(&f->tm, f->model, 86400, &err) != 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    twin_model_free(&f->tm);
    ft_model_free(f->model);
    free(f);
    return 0;
}

/* A shift 06:00-14:00 on Monday, emulated into memory. */
static void emulate(fixture *f, twin_emulate_options *o, ft_lines *out, twin_truth *truth)
{
    ft_error err = {0};
    o->start_s = 6 * 3600;
    o->end_s = 14 * 3600;
    if (o->gateways == 0)
        o->gateways = 1;
    if (o->counters_every_s == 0)
        o->counters_every_s = 300;
    if (o->kill_gateway == 0 && o->kill_at_s == 0)
        o->kill_gateway = -1;
    o->sink = ft_lines_append;
    o->sink_ctx = out;
    assert_int_equal(twin_emulate_run(f->model, &f->tm, o, truth, &err), 0);
}

/* Every line of `in` into the mirror. */
static void mirror_all(twin_mirror *m, const ft_lines *in)
{
    const char *p = in->buf, *end = in->buf + in->len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        twin_mirror_ingest(m, p, (size_t)(nl - p));
        p = nl + 1;
    }
}

static void assert_counts_equal_truth(const fixture *f, const twin_mirror *m, const twin_truth *t)
{
    assert_true(t->output > 200); /* a real shift: ~235 elevators in 8 h at 30/h */
    assert_int_equal(twin_mirror_output(m), t->output);
    assert_int_equal(twin_mirror_released(m), t->released);
    for (size_t p = 0; p < f->tm.n_products; p++) {
        assert_int_equal(twin_mirror_produced(m, (int)p), t->produced[p]);
        assert_int_equal(twin_mirror_scrapped(m, (int)p), t->scrapped[p]);
    }
}

static void test_twin_counts_equal_ground_truth(void **state)
{
    fixture *f = *state;
    twin_emulate_options o = {0};
    ft_lines l = {0};
    twin_truth truth;
    emulate(f, &o, &l, &truth);
    twin_mirror m;
    ft_error err;
    assert_int_equal(twin_mirror_init(&m, &f->tm, &err), 0);
    mirror_all(&m, &l);
    assert_int_equal(m.received, truth.messages);
    assert_int_equal(m.accepted, truth.messages); /* clean telemetry: nothing refused */
    assert_counts_equal_truth(f, &m, &truth);
    /* at the end of the shift the plant is still full: every mirrored station is known */
    for (size_t s = 0; s < f->tm.n_stations; s++)
        assert_true(m.st[s].known && !m.st[s].stale);
    twin_mirror_free(&m);
    free(l.buf);
}

/* 10 % dropped, 10 % duplicated, 10 % swapped with the next, 5 % 5-50
 * messages late, over two gateways: the counts are still exact because the
 * final cumulative counters close the books, and each duplicate is refused
 * exactly once. */
static void test_twin_counts_exact_despite_noise(void **state)
{
    fixture *f = *state;
    twin_emulate_options o = {.gateways = 2,
                              .noise = {.drop = 0.1, .dup = 0.1, .late = 0.05, .swap = 0.1, .seed = 7}};
    ft_lines l = {0};
    twin_truth truth;
    emulate(f, &o, &l, &truth);
    assert_true(truth.dropped > 500 && truth.duplicated > 500 && truth.delayed > 500);
    twin_mirror m;
    ft_error err;
    assert_int_equal(twin_mirror_init(&m, &f->tm, &err), 0);
    mirror_all(&m, &l);
    assert_int_equal(m.received, truth.messages - truth.dropped + truth.duplicated);
    assert_int_equal(m.rejects[TWIN_REJ_DUPLICATE], truth.duplicated);
    assert_true(m.out_of_order > 0);
    assert_counts_equal_truth(f, &m, &truth);
    twin_mirror_free(&m);
    free(l.buf);
}

static void test_dead_gateway_marks_its_stations_stale(void **state)
{
    fixture *f = *state;
    twin_emulate_options o = {.gateways = 2, .kill_gateway = 1, .kill_at_s = 10 * 3600};
    ft_lines l = {0};
    twin_truth truth;
    emulate(f, &o, &l, &truth);
    twin_mirror m;
    ft_error err;
    assert_int_equal(twin_mirror_init(&m, &f->tm, &err), 0);
    mirror_all(&m, &l);
    assert_int_equal(m.n_gws, 2);
    assert_true(m.gws[0]->alive);
    assert_false(m.gws[1]->alive);
    for (size_t s = 0; s < f->tm.n_stations; s++)
        assert_int_equal(m.st[s].stale, twin_station_gateway((int)s, 2) == 1);
    /* what gw1 saw after its death never arrived: the twin counts less than
     * happened, and does not pretend otherwise */
    assert_true(twin_mirror_output(&m) <= truth.output);
    twin_mirror_free(&m);
    free(l.buf);
}

static void test_same_seeds_same_telemetry(void **state)
{
    fixture *f = *state;
    ft_lines a = {0}, b = {0}, c = {0};
    twin_truth t;
    twin_emulate_options o = {.noise = {.drop = 0.05, .dup = 0.05, .swap = 0.05, .seed = 3}};
    emulate(f, &o, &a, &t);
    twin_emulate_options o2 = o;
    emulate(f, &o2, &b, &t);
    twin_emulate_options o3 = o;
    o3.noise.seed = 4;
    emulate(f, &o3, &c, &t);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.buf, b.buf, a.len);
    assert_true(a.len != c.len || memcmp(a.buf, c.buf, a.len) != 0);
    free(a.buf), free(b.buf), free(c.buf);
}

/* Record through a session, replay the recording: the same state, and a
 * torn last line (a crash mid-write) is refused as malformed, nothing else. */
static void test_recorded_shift_replays_to_the_same_state(void **state)
{
    fixture *f = *state;
    twin_emulate_options o = {.noise = {.dup = 0.05, .swap = 0.05, .seed = 5}};
    ft_lines l = {0};
    twin_truth truth;
    emulate(f, &o, &l, &truth);
    char path[] = "/tmp/fabtwin-test-record-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
    twin_session_options so = {.shift_end_tod_s = 14 * 3600, .record_path = path};
    twin_session *live = calloc(1, sizeof *live), *again = calloc(1, sizeof *again);
    ft_error err = {0};
    assert_int_equal(twin_session_init(live, f->model, &so, &err), 0);
    const char *p = l.buf, *end = l.buf + l.len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        twin_session_message(live, "plant/line1/gw0/part", p, (size_t)(nl - p));
        p = nl + 1;
    }
    twin_session_gap(live, 30000, 30060);
    twin_recorder_write(live->rec, 0, "t", "{\"v\":1,\"type\":\"par", 19); /* torn */
    twin_session_free(live);

    so.record_path = NULL;
    assert_int_equal(twin_session_init(again, f->model, &so, &err), 0);
    twin_replay *r = twin_replay_open(path, &err);
    assert_non_null(r);
    twin_replay_line line;
    while (twin_replay_next(r, &line) == 1) {
        if (line.is_gap)
            twin_session_gap(again, line.gap_from_s, line.gap_to_s);
        else
            twin_session_message(again, line.topic, line.payload, line.len);
    }
    twin_replay_close(r);
    unlink(path);
    assert_int_equal(again->mirror.received, truth.messages - truth.dropped + truth.duplicated + 1);
    assert_int_equal(again->mirror.rejects[TWIN_REJ_MALFORMED], 1);
    assert_int_equal(again->mirror.gaps, 1);
    assert_counts_equal_truth(f, &again->mirror, &truth);
    twin_session_free(again);
    free(live), free(again);
    free(l.buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_twin_counts_equal_ground_truth),
        cmocka_unit_test(test_twin_counts_exact_despite_noise),
        cmocka_unit_test(test_dead_gateway_marks_its_stations_stale),
        cmocka_unit_test(test_same_seeds_same_telemetry),
        cmocka_unit_test(test_recorded_shift_replays_to_the_same_state),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
