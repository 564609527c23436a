/* fuzz_telemetry.c -- libFuzzer harness: any bytes as a telemetry log into
 * the twin, through the same reader and mirror as `fabtwin twin --replay`.
 *
 * The input is a JSON Lines log (bare messages, recorded envelopes, gap
 * records -- whatever bytes). Each line goes through twin_replay_next into
 * the mirror of the elevator line; then the input ends (twin_mirror_finish).
 * Besides no crash, leak or undefined behaviour, it checks what must hold
 * for any input:
 *  - every message is counted exactly once: received = accepted + rejected
 *    (bad gaps aside, they are not messages), and nothing is held at the end;
 *  - the bounds hold: items in the plant, gateways;
 *  - the summary is valid JSON and no count in it is negative;
 *  - a payload the parser accepts encodes to one it accepts again, with the
 *    same type, gateway and seq. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "twin/twin_mirror.h"
#include "twin/twin_record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ft_model *model;
static twin_model tm;

/* The elevator line, found from this file's own path (fuzz/ in the tree). */
static void setup(void)
{
    if (model)
        return;
    char path[4096];
    const char *here = __FILE__, *slash = strrchr(here, '/');
    int dir = slash ? (int)(slash - here) : 0;
    snprintf(path, sizeof path, "%.*s%s../models/elevator-line.yaml", dir, here, slash ? "/" : "");
    ft_error err = {0};
    model = ft_model_load(path, &err);
    if (!model || twin_model_init(&tm, model, 86400, &err) != 0) {
        fprintf(stderr, "fuzz_telemetry: cannot load %s: %s\n", path, err.msg);
        abort();
    }
}

static void round_trip(const char *payload, size_t len)
{
    static twin_msg a, b;
    static char buf[6 * TWIN_MSG_MAX_BYTES];
    if (twin_msg_parse(payload, len, &a, NULL) != TWIN_OK)
        return;
    int n = twin_msg_encode(&a, buf, sizeof buf);
    if (n < 0)
        abort(); /* a message that parsed always fits */
    if (twin_msg_parse(buf, (size_t)n, &b, NULL) != TWIN_OK || a.type != b.type ||
        a.seq != b.seq || strcmp(a.gw, b.gw) != 0)
        abort();
}

/* Every number in the summary is >= 0, except a station's `since_s`. */
static void no_negative(json_t *v)
{
    const char *key;
    json_t *x;
    size_t i;
    if (json_is_object(v)) {
        json_object_foreach(v, key, x) no_negative(x);
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, x) no_negative(x);
    } else if (json_is_integer(v) && json_integer_value(v) < 0) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    if (size == 0)
        return 0;
    FILE *f = fmemopen((void *)data, size, "rb");
    ft_error err = {0};
    twin_replay *r = twin_replay_open_file(f, &err);
    twin_mirror *m = malloc(sizeof *m);
    if (!r || !m || twin_mirror_init(m, &tm, &err) != 0)
        abort();
    m->confirm = 1 + size % 3; /* vary the quarantine */
    twin_replay_line line;
    while (twin_replay_next(r, &line) == 1) {
        if (line.is_gap) {
            twin_mirror_mark_gap(m, line.gap_from_s, line.gap_to_s);
        } else {
            round_trip(line.payload, line.len);
            twin_mirror_ingest(m, line.payload, line.len);
        }
    }
    twin_replay_close(r);
    twin_mirror_finish(m);

    uint64_t rejected = 0;
    for (int k = 1; k < TWIN_REJ_N; k++)
        rejected += k == TWIN_REJ_BAD_GAP ? 0 : m->rejects[k];
    if (m->held != 0 || m->received != m->accepted + rejected)
        abort();
    if (m->n_live > TWIN_ITEM_LIVE_MAX || m->n_gws > TWIN_MAX_GATEWAYS)
        abort();

    char *text = NULL;
    size_t text_len = 0;
    FILE *out = open_memstream(&text, &text_len);
    if (!out)
        abort();
    twin_mirror_write_json(m, out);
    fclose(out);
    json_t *doc = json_loadb(text, text_len, 0, NULL);
    if (!doc)
        abort();
    no_negative(json_object_get(doc, "rejected"));
    no_negative(json_object_get(doc, "products"));
    no_negative(json_object_get(doc, "items"));
    no_negative(json_object_get(doc, "gateways"));
    json_t *output = json_object_get(doc, "output");
    if (!json_is_integer(output) || json_integer_value(output) < 0)
        abort();
    json_decref(doc);
    free(text);
    twin_mirror_free(m);
    free(m);
    return 0;
}
