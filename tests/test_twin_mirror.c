/* test_twin_mirror.c -- the twin's front door: every kind of bad message is
 * refused and counted under its own reason, never crashes, and a flood
 * cannot make the mirror grow past its documented bounds. Also the contract
 * itself: encode -> parse gives the message back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twin/twin_mirror.h"

typedef struct fixture {
    ft_model *model;
    twin_model tm;
    twin_mirror m;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    ft_error err = {0};
    f->model = ft_model_load(FT_SOURCE_DIR "/models/elevator-line.yaml", &err);
    if (!f->model || twin_model_init(&f->tm, f->model, 86400, &err) != 0 ||
        twin_mirror_init(&f->m, &f->tm, &err) != 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    twin_mirror_free(&f->m);
    twin_model_free(&f->tm);
    ft_model_free(f->model);
    free(f);
    return 0;
}

static twin_reject in(fixture *f, const char *json)
{
    return twin_mirror_ingest(&f->m, json, strlen(json));
}

#define STATION(seq, ts, station, state)                                                    \
    "{\"v\":1,\"type\":\"station\",\"gw\":\"g\",\"seq\":" #seq ",\"ts\":" #ts              \
    ",\"station\":\"" station "\",\"state\":\"" state "\"}"

static void test_each_bad_message_is_refused_with_its_reason(void **state)
{
    fixture *f = *state;
    /* the plant clock starts when 4 messages agree, or at the end of the input */
    assert_int_equal(in(f, STATION(1, 100000, "总装", "working")), TWIN_QUARANTINED);
    twin_mirror_finish(&f->m);
    assert_true(f->m.clock_set && f->m.now_s == 100000);
    assert_int_equal(in(f, "{\"v\":1,\"type\":"), TWIN_REJ_MALFORMED);
    assert_int_equal(in(f, "[1,2,3]"), TWIN_REJ_NOT_OBJECT);
    assert_int_equal(in(f, "{\"v\":1,\"type\":\"station\",\"gw\":\"g\",\"ts\":1}"),
                     TWIN_REJ_MISSING_FIELD);
    assert_int_equal(in(f, "{\"v\":1,\"type\":\"station\",\"gw\":\"g\",\"seq\":\"2\",\"ts\":100001,"
                           "\"station\":\"总装\",\"state\":\"idle\"}"),
                     TWIN_REJ_WRONG_TYPE);
    assert_int_equal(in(f, "{\"v\":2,\"type\":\"station\"}"), TWIN_REJ_BAD_VERSION);
    assert_int_equal(in(f, "{\"v\":1,\"type\":\"gossip\",\"gw\":\"g\",\"seq\":3,\"ts\":1}"),
                     TWIN_REJ_UNKNOWN_TYPE);
    assert_int_equal(in(f, STATION(4, 100002, "总装", "dancing")), TWIN_REJ_BAD_VALUE);
    assert_int_equal(in(f, STATION(5, 100003, "月球工厂", "idle")), TWIN_REJ_UNKNOWN_STATION);
    assert_int_equal(in(f, "{\"v\":1,\"type\":\"part\",\"gw\":\"g\",\"seq\":6,\"ts\":100004,"
                           "\"event\":\"entered\",\"item\":9,\"product\":\"电梯\",\"at\":\"nowhere\"}"),
                     TWIN_REJ_UNKNOWN_OBJECT);
    assert_int_equal(in(f, "{\"v\":1,\"type\":\"part\",\"gw\":\"g\",\"seq\":7,\"ts\":100005,"
                           "\"event\":\"started\",\"item\":9,\"product\":\"tea\",\"at\":\"总装\"}"),
                     TWIN_REJ_UNKNOWN_PRODUCT);
    /* the clock is at 100000: an hour and more ahead is held (and refused as
     * ts_in_future unless the gateway's next messages confirm it), a day
     * behind too old */
    assert_int_equal(in(f, STATION(8, 110000, "总装", "idle")), TWIN_QUARANTINED);
    assert_int_equal(in(f, STATION(9, 100, "总装", "idle")), TWIN_REJ_TOO_OLD);
    assert_int_equal(in(f, STATION(10, 1e12, "总装", "idle")), TWIN_REJ_BAD_VALUE);
    assert_int_equal(in(f, STATION(1, 100000, "总装", "working")), TWIN_REJ_DUPLICATE);
    char big[TWIN_MSG_MAX_BYTES + 10];
    memset(big, ' ', sizeof big);
    assert_int_equal(twin_mirror_ingest(&f->m, big, sizeof big), TWIN_REJ_TOO_LARGE);
    assert_int_equal(in(f, ""), TWIN_REJ_MALFORMED);
    assert_int_equal(f->m.held, 1);
    twin_mirror_finish(&f->m); /* the end: the unconfirmed jump ahead is refused */
    assert_int_equal(f->m.held, 0);
    /* each reason counted once; the one good message applied */
    for (int r = 1; r < TWIN_REJ_N; r++) {
        uint64_t want = r == TWIN_REJ_MALFORMED || r == TWIN_REJ_BAD_VALUE ? 2
                      : r == TWIN_REJ_SEQ_TOO_OLD || r == TWIN_REJ_TOO_MANY_GATEWAYS ||
                        r == TWIN_REJ_ITEM_TABLE_FULL || r == TWIN_REJ_SEQ_JUMP ||
                        r == TWIN_REJ_BAD_GAP ? 0 : 1;
        if (f->m.rejects[r] != want)
            fail_msg("%s: %llu, expected %llu", twin_reject_name((twin_reject)r),
                     (unsigned long long)f->m.rejects[r], (unsigned long long)want);
    }
    assert_int_equal(f->m.accepted, 1);
    assert_int_equal(f->m.st[twin_model_station(&f->tm, "总装")].state, TWIN_ST_WORKING);
}

/* Older news does not roll a station back; a seq far below the window is
 * refused once the gateway's jump past it is confirmed. */
static void test_station_state_only_moves_forward(void **state)
{
    fixture *f = *state;
    int s = twin_model_station(&f->tm, "整机调试");
    assert_int_equal(in(f, STATION(100, 31000, "整机调试", "failed")), TWIN_QUARANTINED);
    twin_mirror_finish(&f->m); /* the clock starts */
    assert_int_equal(in(f, STATION(99, 30990, "整机调试", "working")), TWIN_OK);
    assert_int_equal(f->m.st[s].state, TWIN_ST_FAILED);
    assert_int_equal(f->m.out_of_order, 1);
    /* a jump of 199,900 > seq_jump: held until three more messages confirm it */
    assert_int_equal(in(f, STATION(200000, 31001, "整机调试", "idle")), TWIN_QUARANTINED);
    assert_int_equal(in(f, STATION(200001, 31001, "整机调试", "idle")), TWIN_QUARANTINED);
    assert_int_equal(in(f, STATION(200002, 31001, "整机调试", "idle")), TWIN_QUARANTINED);
    assert_int_equal(in(f, STATION(200003, 31001, "整机调试", "idle")), TWIN_OK);
    assert_int_equal(f->m.gws[0]->max_seq, 200003);
    assert_int_equal(in(f, STATION(101, 31002, "整机调试", "idle")), TWIN_REJ_SEQ_TOO_OLD);
}

/* A lone seq jump is refused when the gateway's next three messages stay in
 * the old range; the others are applied as they come. */
static void test_unconfirmed_seq_jump_is_refused(void **state)
{
    fixture *f = *state;
    assert_int_equal(in(f, STATION(1, 31000, "整机调试", "working")), TWIN_QUARANTINED);
    twin_mirror_finish(&f->m);
    assert_int_equal(in(f, STATION(900000, 31001, "整机调试", "failed")), TWIN_QUARANTINED);
    assert_int_equal(in(f, STATION(2, 31002, "整机调试", "idle")), TWIN_OK);
    assert_int_equal(in(f, STATION(3, 31003, "整机调试", "working")), TWIN_OK);
    assert_int_equal(f->m.held, 1);
    assert_int_equal(in(f, STATION(4, 31004, "整机调试", "idle")), TWIN_OK);
    assert_int_equal(f->m.held, 0);
    assert_int_equal(f->m.rejects[TWIN_REJ_SEQ_JUMP], 1);
    assert_int_equal(f->m.gws[0]->max_seq, 4);
    assert_int_equal(f->m.st[twin_model_station(&f->tm, "整机调试")].failures, 0);
}

/* A gateway that is alone jumps ahead in time (the plant was silent for two
 * hours): the next three messages confirm it and the clock follows. */
static void test_confirmed_time_jump_of_a_lone_gateway_moves_the_clock(void **state)
{
    fixture *f = *state;
    assert_int_equal(in(f, STATION(1, 31000, "整机调试", "working")), TWIN_QUARANTINED);
    twin_mirror_finish(&f->m);
    for (int k = 0; k < 3; k++)
        assert_int_equal(in(f, k == 0 ? STATION(2, 38200, "整机调试", "idle")
                             : k == 1 ? STATION(3, 38210, "整机调试", "working")
                                      : STATION(4, 38220, "整机调试", "idle")),
                         TWIN_QUARANTINED);
    assert_true(f->m.now_s == 31000);
    assert_int_equal(in(f, STATION(5, 38230, "整机调试", "working")), TWIN_OK);
    assert_true(f->m.now_s == 38230);
    assert_false(f->m.gws[0]->clock_ahead);
    assert_int_equal(f->m.accepted, 5);
}

#define STATION_OF(gw, seq, ts, station, state)                                             \
    "{\"v\":1,\"type\":\"station\",\"gw\":\"" gw "\",\"seq\":" #seq ",\"ts\":" #ts              \
    ",\"station\":\"" station "\",\"state\":\"" state "\"}"

/* Gateway b jumps two hours ahead while a is live: confirmed, b is
 * clock_ahead (applied, the plant clock stays with a); when a dies, b is
 * alone and its clock is the plant's again. */
static void test_clock_ahead_gateway_is_followed_once_alone(void **state)
{
    fixture *f = *state;
    assert_int_equal(in(f, STATION_OF("a", 1, 31000, "总装", "working")), TWIN_QUARANTINED);
    assert_int_equal(in(f, STATION_OF("b", 1, 31000, "包装发运", "working")), TWIN_QUARANTINED);
    assert_int_equal(in(f, STATION_OF("a", 2, 31010, "总装", "idle")), TWIN_QUARANTINED);
    assert_int_equal(in(f, STATION_OF("b", 2, 31010, "包装发运", "idle")), TWIN_OK);
    assert_true(f->m.now_s == 31010);
    for (int k = 0; k < 3; k++)
        assert_int_equal(in(f, k == 0 ? STATION_OF("b", 3, 38300, "包装发运", "working")
                             : k == 1 ? STATION_OF("b", 4, 38310, "包装发运", "idle")
                                      : STATION_OF("b", 5, 38320, "包装发运", "working")),
                         TWIN_QUARANTINED);
    assert_int_equal(in(f, STATION_OF("b", 6, 38330, "包装发运", "idle")), TWIN_OK);
    assert_true(f->m.gws[1]->clock_ahead);
    assert_true(f->m.now_s == 31010);           /* a contradicts: the clock stays */
    assert_int_equal(f->m.accepted, 8);         /* and b's messages count */
    assert_int_equal(in(f, STATION_OF("a", 3, 31100, "总装", "working")), TWIN_OK);
    assert_true(f->m.now_s == 31100);
    assert_int_equal(in(f, "{\"v\":1,\"type\":\"death\",\"gw\":\"a\",\"seq\":4,\"ts\":31200}"),
                     TWIN_OK);
    assert_int_equal(in(f, STATION_OF("b", 7, 38400, "包装发运", "working")), TWIN_OK);
    assert_false(f->m.gws[1]->clock_ahead);
    assert_true(f->m.now_s == 38400);
    assert_int_equal(f->m.rejects[TWIN_REJ_FUTURE] + f->m.rejects[TWIN_REJ_TOO_OLD], 0);
}

/* Counts beyond 2^53 - 1, queues beyond 10^9: out of range, refused unread. */
static void test_numbers_out_of_range_are_refused(void **state)
{
    fixture *f = *state;
    const char *bad[] = {
        "{\"v\":1,\"type\":\"counters\",\"gw\":\"g\",\"seq\":1,\"ts\":1,\"released\":9007199254740992,"
        "\"produced\":{}}",
        "{\"v\":1,\"type\":\"counters\",\"gw\":\"g\",\"seq\":1,\"ts\":1,\"released\":0,"
        "\"produced\":{\"电梯\":9223372036854775807}}",
        "{\"v\":1,\"type\":\"counters\",\"gw\":\"g\",\"seq\":1,\"ts\":1,\"released\":0,"
        "\"produced\":{},\"scrapped\":{\"电梯\":9007199254740992}}",
        "{\"v\":1,\"type\":\"counters\",\"gw\":\"g\",\"seq\":1,\"ts\":1,\"released\":0,"
        "\"produced\":{},\"queues\":{\"总装\":1000000001}}",
        "{\"v\":1,\"type\":\"counters\",\"gw\":\"g\",\"seq\":1,\"ts\":1,\"released\":0,"
        "\"produced\":{\"\":1}}",
        STATION(9223372036854775807, 1, "总装", "idle"),
        STATION(18446744073709551615, 1, "总装", "idle"),
        "{\"v\":1,\"type\":\"part\",\"gw\":\"g\",\"seq\":1,\"ts\":1,\"event\":\"started\","
        "\"item\":9007199254740992,\"product\":\"电梯\",\"at\":\"总装\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        twin_reject r = in(f, bad[i]);
        if (r != TWIN_REJ_BAD_VALUE && r != TWIN_REJ_MALFORMED)
            fail_msg("message %zu: %s", i, twin_reject_name(r));
    }
    assert_int_equal(f->m.rejects[TWIN_REJ_BAD_VALUE] + f->m.rejects[TWIN_REJ_MALFORMED], 8);
    /* the largest in range is taken */
    assert_int_equal(in(f, "{\"v\":1,\"type\":\"counters\",\"gw\":\"g\",\"seq\":1,\"ts\":1,"
                           "\"released\":9007199254740991,\"produced\":{\"电梯\":9007199254740991}}"),
                     TWIN_QUARANTINED);
    twin_mirror_finish(&f->m);
    assert_int_equal(twin_mirror_output(&f->m), 9007199254740991ull);
}

/* 100,000 distinct items flooding in: the table stops at its bound, the
 * rest are refused and counted; then 100,000 messages of garbage. */
static void test_flood_is_bounded_and_counted(void **state)
{
    fixture *f = *state;
    char msg[256];
    uint64_t ok = 0;
    for (int i = 1; i <= 100000; i++) {
        int n = snprintf(msg, sizeof msg,
                         "{\"v\":1,\"type\":\"part\",\"gw\":\"flood\",\"seq\":%d,\"ts\":30000,"
                         "\"event\":\"entered\",\"item\":%d,\"product\":\"轿厢\",\"at\":\"喷涂前缓存\"}",
                         i, i);
        twin_reject r = twin_mirror_ingest(&f->m, msg, (size_t)n);
        ok += r == TWIN_OK || r == TWIN_QUARANTINED; /* the first 3 wait for the clock */
    }
    assert_int_equal(f->m.held, 0);
    assert_int_equal(ok, TWIN_ITEM_LIVE_MAX);
    assert_int_equal(f->m.n_live, TWIN_ITEM_LIVE_MAX);
    assert_int_equal(f->m.rejects[TWIN_REJ_ITEM_TABLE_FULL], 100000 - TWIN_ITEM_LIVE_MAX);
    uint64_t x = 42;
    for (int i = 0; i < 100000; i++) {
        for (int k = 0; k < 64; k++) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            msg[k] = (char)(x >> 56);
        }
        assert_int_not_equal(twin_mirror_ingest(&f->m, msg, 64), TWIN_OK);
    }
    /* gateways are bounded too */
    for (int g = 0; g < 40; g++) {
        int n = snprintf(msg, sizeof msg, "{\"v\":1,\"type\":\"death\",\"gw\":\"gw%d\",\"seq\":1,"
                                          "\"ts\":30000}", g);
        twin_mirror_ingest(&f->m, msg, (size_t)n);
    }
    assert_int_equal(f->m.n_gws, TWIN_MAX_GATEWAYS);
}

static void test_exited_items_free_their_slot(void **state)
{
    fixture *f = *state;
    char msg[256];
    /* 60,000 items (far more than the tombstones kept) pass through one after
     * the other: the table never fills */
    for (int i = 1; i <= 60000; i++) {
        const char *ev[2] = {"started", "exited"};
        for (int k = 0; k < 2; k++) {
            int n = snprintf(msg, sizeof msg,
                             "{\"v\":1,\"type\":\"part\",\"gw\":\"g\",\"seq\":%d,\"ts\":%d,"
                             "\"event\":\"%s\",\"item\":%d,\"product\":\"电梯\",\"at\":\"包装发运\"}",
                             2 * i + k, 30000 + i / 100, ev[k], i);
            twin_reject r = twin_mirror_ingest(&f->m, msg, (size_t)n);
            /* the first 3 wait until 4 agree on the clock */
            assert_true(r == TWIN_OK || (r == TWIN_QUARANTINED && 2 * i + k < 5));
        }
    }
    assert_int_equal(f->m.n_live, 0);
    assert_int_equal(f->m.n_gone, TWIN_GONE_KEEP);
    assert_int_equal(twin_mirror_output(&f->m), 60000);
}

static void test_encode_parse_round_trip(void **state)
{
    twin_msg a = {.type = TWIN_MSG_PART, .seq = 17, .ts_s = 123.5, .part = TWIN_PART_CONSUMED,
                  .item = 5, .into = 9, .quantity = 2};
    strcpy(a.gw, "gw\"1");
    strcpy(a.product, "轿厢");
    strcpy(a.at, "总装");
    char buf[TWIN_MSG_MAX_BYTES];
    int n = twin_msg_encode(&a, buf, sizeof buf);
    assert_true(n > 0);
    twin_msg b;
    assert_int_equal(twin_msg_parse(buf, (size_t)n, &b, NULL), TWIN_OK);
    assert_int_equal(b.type, TWIN_MSG_PART);
    assert_string_equal(b.gw, "gw\"1");
    assert_int_equal(b.seq, 17);
    assert_true(b.ts_s == 123.5 && b.quantity == 2);
    assert_int_equal(b.part, TWIN_PART_CONSUMED);
    assert_int_equal(b.item, 5);
    assert_int_equal(b.into, 9);
    assert_string_equal(b.product, "轿厢");
    assert_int_equal(twin_msg_encode(&a, buf, 20), -1); /* does not fit: said so */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_each_bad_message_is_refused_with_its_reason, setup, teardown),
        cmocka_unit_test_setup_teardown(test_station_state_only_moves_forward, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unconfirmed_seq_jump_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_confirmed_time_jump_of_a_lone_gateway_moves_the_clock,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_numbers_out_of_range_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clock_ahead_gateway_is_followed_once_alone, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_flood_is_bounded_and_counted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exited_items_free_their_slot, setup, teardown),
        cmocka_unit_test(test_encode_parse_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
