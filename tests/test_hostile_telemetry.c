/* test_hostile_telemetry.c -- the twin against hostile or broken telemetry
 * (docs/telemetry.md, "Hostile input"): an emulated clean shift, one kind of
 * bad input injected into its log, the log replayed from a file through a
 * session as `fabtwin twin --replay` does -- and the output must still be
 * exactly the emulator's ground truth, with the bad input counted under its
 * own reason. Each case fails on the code before the fix: a seq near 2^63
 * made every later message seq_too_old, a future first birth made every
 * real one ts_too_old, a runaway clock dragged the plant clock, counters of
 * 2^63-1 were taken, a NUL byte cut a line, nonsense gaps were counted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "testutil.h"
#include "twin/twin_emulate.h"
#include "twin/twin_view.h"

#define SEED 11          /* the plant's randomness: any seed must do */
#define SHIFT_START_S (6 * 3600.0)

typedef struct fixture {
    ft_model *model;
    twin_model tm;
    ft_lines log;        /* the clean shift, two gateways */
    twin_truth truth;
    char **line;         /* its lines, NUL-terminated copies */
    size_t n;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    ft_error err = {0};
    f->model = ft_model_load(FT_SOURCE_DIR "/models/elevator-line.yaml", &err);
    if (!f->model || twin_model_init(&f->tm, f->model, 86400, &err) != 0)
        return -1;
    printf("emulated plant seed %d\n", SEED);
    twin_emulate_options o = {.start_s = SHIFT_START_S, .end_s = 14 * 3600, .has_seed = true,
                              .seed = SEED, .gateways = 2, .counters_every_s = 300,
                              .kill_gateway = -1, .sink = ft_lines_append, .sink_ctx = &f->log};
    if (twin_emulate_run(f->model, &f->tm, &o, &f->truth, &err) != 0)
        return -1;
    f->line = calloc(f->log.n, sizeof *f->line);
    const char *p = f->log.buf, *end = f->log.buf + f->log.len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        f->line[f->n++] = strndup(p, (size_t)(nl - p));
        p = nl + 1;
    }
    *state = f;
    return f->n == f->log.n && f->truth.output > 0 ? 0 : -1;
}

static int teardown(void **state)
{
    fixture *f = *state;
    for (size_t i = 0; i < f->n; i++)
        free(f->line[i]);
    free(f->line);
    free(f->log.buf);
    twin_model_free(&f->tm);
    ft_model_free(f->model);
    free(f);
    return 0;
}

/* ---- building a hostile log ----------------------------------------------------- */

typedef struct hostile {
    char *buf;
    size_t len, cap, lines;
} hostile;

static void put(hostile *h, const char *s, size_t n)
{
    if (h->len + n + 1 > h->cap) {
        h->cap = 2 * (h->len + n + 1);
        h->buf = realloc(h->buf, h->cap);
        assert_non_null(h->buf);
    }
    memcpy(h->buf + h->len, s, n);
    h->len += n;
    h->buf[h->len++] = '\n';
    h->lines++;
}

static void put_line(hostile *h, const char *s) { put(h, s, strlen(s)); }

static json_t *msg_of(const char *line)
{
    json_t *o = json_loads(line, 0, NULL);
    assert_non_null(o);
    return o;
}

static void put_json(hostile *h, json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT);
    assert_non_null(s);
    put_line(h, s);
    free(s);
    json_decref(o);
}

static const char *gw_of(json_t *o) { return json_string_value(json_object_get(o, "gw")); }
static double ts_of(json_t *o) { return json_number_value(json_object_get(o, "ts")); }
static uint64_t seq_of(json_t *o)
{
    return (uint64_t)json_integer_value(json_object_get(o, "seq"));
}

/* The newest ts in the clean log of gateway gw (NULL: any). */
static double newest_ts(const fixture *f, const char *gw)
{
    double t = 0;
    for (size_t i = 0; i < f->n; i++) {
        json_t *o = msg_of(f->line[i]);
        if ((!gw || strcmp(gw_of(o), gw) == 0) && ts_of(o) > t)
            t = ts_of(o);
        json_decref(o);
    }
    return t;
}

/* The first line at or after `from` of gateway gw that is not a birth or death. */
static size_t line_of(const fixture *f, size_t from, const char *gw)
{
    for (size_t i = from; i < f->n; i++) {
        json_t *o = msg_of(f->line[i]);
        const char *type = json_string_value(json_object_get(o, "type"));
        bool ok = strcmp(gw_of(o), gw) == 0 && strcmp(type, "birth") && strcmp(type, "death");
        json_decref(o);
        if (ok)
            return i;
    }
    fail_msg("no message of %s after line %zu", gw, from);
    return 0;
}

/* ---- replaying it --------------------------------------------------------------- */

/* Write the log to a file and replay it through a session, as `fabtwin
 * twin --replay FILE` does (gap lines too), then finish the input. */
static twin_session *replay(fixture *f, const hostile *h)
{
    char path[] = "/tmp/fabtwin-test-hostile-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, h->buf, h->len), (ssize_t)h->len);
    close(fd);
    twin_session_options so = {.shift_end_tod_s = 14 * 3600};
    twin_session *s = calloc(1, sizeof *s);
    ft_error err = {0};
    assert_int_equal(twin_session_init(s, f->model, &so, &err), 0);
    twin_replay *r = twin_replay_open(path, &err);
    assert_non_null(r);
    twin_replay_line line;
    while (twin_replay_next(r, &line) == 1) {
        if (line.is_gap)
            twin_session_gap(s, line.gap_from_s, line.gap_to_s);
        else
            twin_session_message(s, line.topic, line.payload, line.len);
    }
    twin_replay_close(r);
    unlink(path);
    twin_session_finish(s);
    return s;
}

static void done(twin_session *s, hostile *h)
{
    twin_session_free(s);
    free(s);
    free(h->buf);
}

/* The output, per product, and the releases are the ground truth's --
 * in the mirror and in what the dashboard reads (twin_view). */
static void assert_exact(const fixture *f, twin_session *s)
{
    const twin_mirror *m = &s->mirror;
    assert_int_equal(twin_mirror_released(m), f->truth.released);
    assert_int_equal(twin_mirror_output(m), f->truth.output);
    for (size_t p = 0; p < f->tm.n_products; p++) {
        assert_int_equal(twin_mirror_produced(m, (int)p), f->truth.produced[p]);
        assert_int_equal(twin_mirror_scrapped(m, (int)p), f->truth.scrapped[p]);
    }
    twin_view *v = malloc(sizeof *v);
    assert_true(twin_session_view(s, 0, v));
    assert_int_equal(v->output, f->truth.output);
    assert_int_equal(v->released, f->truth.released);
    free(v);
    assert_int_equal(m->held, 0);
}

static uint64_t rejected(const twin_mirror *m)
{
    uint64_t n = 0;
    for (int r = 1; r < TWIN_REJ_N; r++)
        n += m->rejects[r];
    return n;
}

/* ---- the cases ---------------------------------------------------------------------- */

static void test_clean_shift_is_exact_and_nothing_is_refused(void **state)
{
    fixture *f = *state;
    hostile h = {0};
    for (size_t i = 0; i < f->n; i++)
        put_line(&h, f->line[i]);
    twin_session *s = replay(f, &h);
    assert_exact(f, s);
    assert_int_equal(rejected(&s->mirror), 0);
    assert_int_equal(s->mirror.accepted, f->n);
    assert_true(s->mirror.now_s == newest_ts(f, NULL));
    done(s, &h);
}

/* Before: max_seq became 2^63-1 and every later message was seq_too_old
 * (output 0). Now a seq beyond 2^53-1 is out of range: refused unread. */
static void test_seq_near_2_63_is_refused_and_the_gateway_goes_on(void **state)
{
    fixture *f = *state;
    hostile h = {0};
    size_t k = line_of(f, f->n / 4, "gw0");
    for (size_t i = 0; i < f->n; i++) {
        put_line(&h, f->line[i]);
        if (i == k) {
            json_t *o = msg_of(f->line[i]);
            json_object_set_new(o, "seq", json_integer(INT64_MAX));
            put_json(&h, o);
            o = msg_of(f->line[i]);
            json_object_set_new(o, "seq", json_integer((json_int_t)1 << 53));
            put_json(&h, o);
        }
    }
    twin_session *s = replay(f, &h);
    assert_exact(f, s);
    assert_int_equal(s->mirror.rejects[TWIN_REJ_BAD_VALUE], 2);
    assert_int_equal(rejected(&s->mirror), 2);
    assert_int_equal(s->mirror.accepted, f->n);
    done(s, &h);
}

/* A seq in range but 10^12 past the gateway's newest: held; its gateway's
 * next messages stay in the old range, so it is refused as seq_jump. */
static void test_a_lone_seq_jump_is_quarantined_then_refused(void **state)
{
    fixture *f = *state;
    hostile h = {0};
    size_t k = line_of(f, f->n / 3, "gw1");
    for (size_t i = 0; i < f->n; i++) {
        put_line(&h, f->line[i]);
        if (i == k) {
            json_t *o = msg_of(f->line[i]);
            json_object_set_new(o, "seq", json_integer((json_int_t)(seq_of(o) + 1000000000000ull)));
            json_object_set_new(o, "item", json_integer(999999)); /* an item nobody has */
            put_json(&h, o);
        }
    }
    twin_session *s = replay(f, &h);
    assert_exact(f, s);
    assert_int_equal(s->mirror.rejects[TWIN_REJ_SEQ_JUMP], 1);
    assert_int_equal(rejected(&s->mirror), 1);
    assert_int_equal(s->mirror.accepted, f->n);
    done(s, &h);
}

/* A gateway that restarts numbering in a new range (seq + 10^9 from some
 * message on, never reused): the next messages confirm it, nothing is lost. */
static void test_a_confirmed_seq_jump_is_followed(void **state)
{
    fixture *f = *state;
    hostile h = {0};
    size_t k = line_of(f, f->n / 2, "gw0");
    for (size_t i = 0; i < f->n; i++) {
        json_t *o = msg_of(f->line[i]);
        if (i >= k && strcmp(gw_of(o), "gw0") == 0)
            json_object_set_new(o, "seq", json_integer((json_int_t)(seq_of(o) + 1000000000)));
        put_json(&h, o);
    }
    twin_session *s = replay(f, &h);
    assert_exact(f, s);
    assert_int_equal(rejected(&s->mirror), 0);
    assert_int_equal(s->mirror.accepted, f->n);
    done(s, &h);
}

/* Before: the first birth, stamped 9e6 s, set the plant clock and every
 * real message was ts_too_old. Now the clock starts only when confirm + 1
 * messages agree; the birth is held and refused as ts_in_future. */
static void test_a_future_first_birth_cannot_set_the_clock(void **state)
{
    fixture *f = *state;
    hostile h = {0};
    json_t *o = msg_of(f->line[0]);
    assert_string_equal(json_string_value(json_object_get(o, "type")), "birth");
    json_object_set_new(o, "ts", json_real(9e6));
    put_json(&h, o);
    for (size_t i = 1; i < f->n; i++)
        put_line(&h, f->line[i]);
    twin_session *s = replay(f, &h);
    assert_exact(f, s);
    assert_int_equal(s->mirror.rejects[TWIN_REJ_FUTURE], 1);
    assert_int_equal(rejected(&s->mirror), 1);
    assert_true(s->mirror.now_s == newest_ts(f, NULL));
    assert_true(s->shift_end_s == 14 * 3600); /* the day of the real messages */
    done(s, &h);
}

/* One message mid-shift stamped 5 h ahead: held, refused as ts_in_future
 * when its gateway's next messages stay in the present; the clock never
 * jumps (it ends at the newest real stamp). */
static void test_a_lone_future_stamp_is_quarantined_then_refused(void **state)
{
    fixture *f = *state;
    hostile h = {0};
    size_t k = line_of(f, f->n / 2, "gw1");
    for (size_t i = 0; i < f->n; i++) {
        json_t *o = msg_of(f->line[i]);
        if (i == k)
            json_object_set_new(o, "ts", json_real(ts_of(o) + 5 * 3600));
        put_json(&h, o);
    }
    twin_session *s = replay(f, &h);
    assert_exact(f, s);
    assert_int_equal(s->mirror.rejects[TWIN_REJ_FUTURE], 1);
    assert_int_equal(rejected(&s->mirror), 1);
    assert_true(s->mirror.now_s == newest_ts(f, NULL));
    done(s, &h);
}

/* Before: gw1's clock, running 10x fast, dragged the plant clock ahead and
 * gw0's messages became ts_too_old. Now gw1 is confirmed clock_ahead: its
 * messages count, its stamps do not move the plant clock, which ends at
 * gw0's newest stamp. */
static void test_a_runaway_gateway_clock_does_not_drag_the_plant_clock(void **state)
{
    fixture *f = *state;
    hostile h = {0};
    for (size_t i = 0; i < f->n; i++) {
        json_t *o = msg_of(f->line[i]);
        if (strcmp(gw_of(o), "gw1") == 0)
            json_object_set_new(o, "ts",
                                json_real(SHIFT_START_S + 10 * (ts_of(o) - SHIFT_START_S)));
        put_json(&h, o);
    }
    twin_session *s = replay(f, &h);
    assert_exact(f, s);
    assert_int_equal(rejected(&s->mirror), 0);
    assert_true(s->mirror.now_s == newest_ts(f, "gw0"));
    assert_int_equal(s->mirror.n_gws, 2);
    assert_false(s->mirror.gws[0]->clock_ahead);
    assert_true(s->mirror.gws[1]->clock_ahead);
    for (size_t st = 0; st < f->tm.n_stations; st++) /* gw0's stations are heard */
        if (s->mirror.st[st].gw == 0)
            assert_false(twin_mirror_station_stale(&s->mirror, st));
    done(s, &h);
}

/* Before: counters of 2^63-1 were taken and the dashboard showed a
 * negative `produced`. Now every count is at most 2^53-1: refused unread. */
static void test_huge_counters_are_refused(void **state)
{
    fixture *f = *state;
    hostile h = {0};
    size_t k = 0;
    for (size_t i = f->n / 2; i < f->n && !k; i++)
        if (strstr(f->line[i], "\"counters\""))
            k = i;
    assert_true(k > 0);
    for (size_t i = 0; i < f->n; i++) {
        put_line(&h, f->line[i]);
        if (i != k)
            continue;
        json_int_t bad[3] = {INT64_MAX, (json_int_t)1 << 53, INT64_MAX};
        for (int c = 0; c < 3; c++) {
            json_t *o = msg_of(f->line[i]), *prod = json_object_get(o, "produced");
            json_object_set_new(o, "seq", json_integer((json_int_t)seq_of(o) + 1000 + c));
            const char *key;
            json_t *v;
            if (c == 2)
                json_object_set_new(o, "released", json_integer(bad[c]));
            else
                json_object_foreach(prod, key, v)
                    json_object_set_new(prod, key, json_integer(bad[c]));
            put_json(&h, o);
        }
    }
    twin_session *s = replay(f, &h);
    assert_exact(f, s);
    assert_int_equal(s->mirror.rejects[TWIN_REJ_BAD_VALUE], 3);
    assert_int_equal(rejected(&s->mirror), 3);
    done(s, &h);
}

/* Before: a NUL byte in a line made strlen() cut it: the part before the
 * NUL was taken as a message. Now a line is its bytes: one message, and
 * JSON with a raw NUL is malformed. */
static void test_a_line_with_a_nul_byte_is_one_malformed_message(void **state)
{
    fixture *f = *state;
    hostile h = {0};
    size_t k = f->n / 2;
    for (size_t i = 0; i < f->n; i++) {
        if (i == k) { /* line k, a NUL, line k+1: one line */
            size_t a = strlen(f->line[k]), b = strlen(f->line[k + 1]);
            char *joined = malloc(a + b + 1);
            memcpy(joined, f->line[k], a);
            joined[a] = '\0';
            memcpy(joined + a + 1, f->line[k + 1], b);
            put(&h, joined, a + b + 1);
            free(joined);
            i++;
        } else {
            put_line(&h, f->line[i]);
        }
    }
    twin_session *s = replay(f, &h);
    assert_exact(f, s);
    assert_int_equal(s->mirror.received, h.lines);
    assert_int_equal(s->mirror.rejects[TWIN_REJ_MALFORMED], 1);
    assert_int_equal(rejected(&s->mirror), 1);
    assert_int_equal(s->mirror.accepted, f->n - 2);
    done(s, &h);
}

/* Before: any {"gap":[a,b]} counted as a gap. Now a gap must be a span of
 * plant time near the clock; one real gap among nonsense ones is counted. */
static void test_nonsense_gap_records_are_refused(void **state)
{
    fixture *f = *state;
    hostile h = {0};
    size_t k = f->n / 2;
    json_t *at = msg_of(f->line[k]);
    char good[96];
    snprintf(good, sizeof good, "{\"gap\":[%.3f,%.3f]}", ts_of(at), ts_of(at) + 60);
    json_decref(at);
    const char *bad[] = {"{\"gap\":[1e308,-1e308]}", "{\"gap\":[\"a\",1]}",
                         "{\"gap\":[-5,10]}",        "{\"gap\":[30000,1e7]}",
                         "{\"gap\":[2,1]}",          "{\"gap\":[1,2,3]}",
                         "{\"gap\":null}",           "{\"gap\":[1e400,1e400]}"};
    size_t n_bad = sizeof bad / sizeof bad[0];
    for (size_t i = 0; i < f->n; i++) {
        put_line(&h, f->line[i]);
        if (i == k) {
            for (size_t b = 0; b < n_bad; b++)
                put_line(&h, bad[b]);
            put_line(&h, good);
        }
    }
    twin_session *s = replay(f, &h);
    assert_exact(f, s);
    assert_int_equal(s->mirror.rejects[TWIN_REJ_BAD_GAP], n_bad);
    assert_int_equal(rejected(&s->mirror), n_bad);
    assert_int_equal(s->mirror.gaps, 1);
    assert_true(fabs(s->mirror.gap_s - 60) < 1e-6);
    done(s, &h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clean_shift_is_exact_and_nothing_is_refused),
        cmocka_unit_test(test_seq_near_2_63_is_refused_and_the_gateway_goes_on),
        cmocka_unit_test(test_a_lone_seq_jump_is_quarantined_then_refused),
        cmocka_unit_test(test_a_confirmed_seq_jump_is_followed),
        cmocka_unit_test(test_a_future_first_birth_cannot_set_the_clock),
        cmocka_unit_test(test_a_lone_future_stamp_is_quarantined_then_refused),
        cmocka_unit_test(test_a_runaway_gateway_clock_does_not_drag_the_plant_clock),
        cmocka_unit_test(test_huge_counters_are_refused),
        cmocka_unit_test(test_a_line_with_a_nul_byte_is_one_malformed_message),
        cmocka_unit_test(test_nonsense_gap_records_are_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
