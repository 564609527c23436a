/* twin_msg.c -- telemetry messages: JSON payload <-> twin_msg.
 *
 * Parsing uses jansson (already a dependency) and is strict about types: a
 * number where a string belongs is refused, not coerced, because a gateway
 * that sends the wrong type is broken and should show up in the reject
 * counters rather than be half-understood. Encoding is hand-written with
 * snprintf: the emulator and the benchmark produce millions of messages and
 * building a json_t tree for each would cost more than the simulation. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "base/base_text.h"
#include "twin_msg.h"

static const char *const reject_names[TWIN_REJ_N] = {
    "ok", "too_large", "malformed_json", "not_an_object", "missing_field", "wrong_type",
    "bad_version", "unknown_type", "bad_value", "unknown_station", "unknown_object",
    "unknown_product", "ts_in_future", "ts_too_old", "duplicate", "seq_too_old",
    "too_many_gateways", "item_table_full", "seq_jump", "bad_gap"};
static const char *const state_words[TWIN_ST_N] = {"working", "idle", "blocked",
                                                   "failed", "setup", "off"};
static const char *const part_words[TWIN_PART_N] = {
    "released", "entered", "started", "finished", "blocked", "kitted", "consumed", "exited",
    "scrapped"};
static const char *const type_words[TWIN_MSG_N_TYPES] = {"birth", "death", "station", "part",
                                                         "counters"};

const char *twin_reject_name(twin_reject r)
{
    return r < TWIN_REJ_N ? reject_names[r] : r == TWIN_QUARANTINED ? "held" : "?";
}
const char *twin_state_word(twin_station_state s) { return s < TWIN_ST_N ? state_words[s] : "?"; }
const char *twin_part_word(twin_part_event e) { return e < TWIN_PART_N ? part_words[e] : "?"; }
const char *twin_type_word(twin_msg_type t) { return t < TWIN_MSG_N_TYPES ? type_words[t] : "?"; }

static int word_index(const char *const *words, int n, const char *w)
{
    for (int i = 0; i < n; i++)
        if (strcmp(words[i], w) == 0)
            return i;
    return -1;
}

static twin_reject fail(char *why, twin_reject r, const char *field)
{
    if (why)
        snprintf(why, 160, "%s: %.120s", twin_reject_name(r), field);
    return r;
}

/* A required or optional string field copied into `dst`. */
static twin_reject get_str(json_t *o, const char *key, bool required, char *dst, char *why)
{
    json_t *v = json_object_get(o, key);
    dst[0] = '\0';
    if (!v)
        return required ? fail(why, TWIN_REJ_MISSING_FIELD, key) : TWIN_OK;
    if (!json_is_string(v))
        return fail(why, TWIN_REJ_WRONG_TYPE, key);
    size_t n = json_string_length(v);
    if (n == 0 || n >= TWIN_NAME_MAX)
        return fail(why, TWIN_REJ_BAD_VALUE, key);
    memcpy(dst, json_string_value(v), n + 1);
    return TWIN_OK;
}

static twin_reject get_num(json_t *o, const char *key, bool required, double lo, double hi,
                           double *dst, char *why)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return required ? fail(why, TWIN_REJ_MISSING_FIELD, key) : TWIN_OK;
    if (!json_is_number(v))
        return fail(why, TWIN_REJ_WRONG_TYPE, key);
    double x = json_number_value(v);
    if (!isfinite(x) || x < lo || x > hi)
        return fail(why, TWIN_REJ_BAD_VALUE, key);
    *dst = x;
    return TWIN_OK;
}

static twin_reject get_uint(json_t *o, const char *key, bool required, uint64_t *dst, char *why)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return required ? fail(why, TWIN_REJ_MISSING_FIELD, key) : TWIN_OK;
    if (!json_is_integer(v))
        return fail(why, TWIN_REJ_WRONG_TYPE, key);
    json_int_t x = json_integer_value(v);
    if (x < 0 || (uint64_t)x > TWIN_INT_MAX)
        return fail(why, TWIN_REJ_BAD_VALUE, key);
    *dst = (uint64_t)x;
    return TWIN_OK;
}

static twin_reject parse_counts(json_t *o, twin_msg *m, char *why)
{
    json_t *prod = json_object_get(o, "produced"), *scr = json_object_get(o, "scrapped");
    if (!prod)
        return fail(why, TWIN_REJ_MISSING_FIELD, "produced");
    if (!json_is_object(prod) || (scr && !json_is_object(scr)))
        return fail(why, TWIN_REJ_WRONG_TYPE, "produced/scrapped");
    m->n_counts = 0;
    for (int pass = 0; pass < 2; pass++) {
        json_t *obj = pass == 0 ? prod : scr;
        const char *key;
        json_t *v;
        if (!obj)
            continue;
        json_object_foreach(obj, key, v) {
            if (!json_is_integer(v))
                return fail(why, TWIN_REJ_WRONG_TYPE, key);
            json_int_t x = json_integer_value(v);
            if (x < 0 || (uint64_t)x > TWIN_INT_MAX || key[0] == '\0' ||
                strlen(key) >= TWIN_NAME_MAX)
                return fail(why, TWIN_REJ_BAD_VALUE, key);
            size_t i = 0;
            while (i < m->n_counts && strcmp(m->counts[i].product, key) != 0)
                i++;
            if (i == m->n_counts) {
                if (m->n_counts == TWIN_MSG_MAX_PRODUCTS)
                    return fail(why, TWIN_REJ_BAD_VALUE, "too many products");
                m->n_counts++;
                strcpy(m->counts[i].product, key);
                m->counts[i].produced = m->counts[i].scrapped = 0;
            }
            uint64_t n = (uint64_t)x;
            if (pass == 0)
                m->counts[i].produced = n;
            else
                m->counts[i].scrapped = n;
        }
    }
    return TWIN_OK;
}

static twin_reject parse_body(json_t *o, twin_msg *m, char *why)
{
    twin_reject r;
    char word[TWIN_NAME_MAX];
    double v = 0;
    if ((r = get_num(o, "v", true, 0, 1e9, &v, why)))
        return r;
    if (v != 1)
        return fail(why, TWIN_REJ_BAD_VERSION, "v");
    if ((r = get_str(o, "type", true, word, why)))
        return r;
    int t = word_index(type_words, TWIN_MSG_N_TYPES, word);
    if (t < 0)
        return fail(why, TWIN_REJ_UNKNOWN_TYPE, "type");
    m->type = (twin_msg_type)t;
    if ((r = get_str(o, "gw", true, m->gw, why)) || (r = get_uint(o, "seq", true, &m->seq, why)) ||
        (r = get_num(o, "ts", true, -1e300, 1e300, &m->ts_s, why)))
        return r;
    if (m->ts_s < 0 || m->ts_s > TWIN_TS_MAX_S)
        return fail(why, TWIN_REJ_BAD_VALUE, "ts");
    switch (m->type) {
    case TWIN_MSG_BIRTH: {
        json_t *st = json_object_get(o, "stations");
        m->n_stations = 0;
        if (!st)
            return fail(why, TWIN_REJ_MISSING_FIELD, "stations");
        if (!json_is_array(st))
            return fail(why, TWIN_REJ_WRONG_TYPE, "stations");
        if (json_array_size(st) > 16)
            return fail(why, TWIN_REJ_BAD_VALUE, "stations (at most 16 per gateway)");
        for (size_t i = 0; i < json_array_size(st); i++) {
            json_t *s = json_array_get(st, i);
            if (!json_is_string(s))
                return fail(why, TWIN_REJ_WRONG_TYPE, "stations[]");
            if (json_string_length(s) == 0 || json_string_length(s) >= TWIN_NAME_MAX)
                return fail(why, TWIN_REJ_BAD_VALUE, "stations[]");
            strcpy(m->stations[m->n_stations++], json_string_value(s));
        }
        return TWIN_OK;
    }
    case TWIN_MSG_DEATH:
        return TWIN_OK;
    case TWIN_MSG_STATION: {
        if ((r = get_str(o, "station", true, m->station, why)) ||
            (r = get_str(o, "state", true, word, why)))
            return r;
        int s = word_index(state_words, TWIN_ST_N, word);
        if (s < 0)
            return fail(why, TWIN_REJ_BAD_VALUE, "state");
        m->state = (twin_station_state)s;
        return TWIN_OK;
    }
    case TWIN_MSG_PART: {
        if ((r = get_str(o, "event", true, word, why)))
            return r;
        int e = word_index(part_words, TWIN_PART_N, word);
        if (e < 0)
            return fail(why, TWIN_REJ_BAD_VALUE, "event");
        m->part = (twin_part_event)e;
        m->quantity = 1;
        m->released_s = m->ts_s;
        m->into = 0;
        if ((r = get_uint(o, "item", true, &m->item, why)) ||
            (r = get_str(o, "product", true, m->product, why)) ||
            (r = get_str(o, "at", true, m->at, why)) ||
            (r = get_num(o, "qty", false, 0, 1e12, &m->quantity, why)) ||
            (r = get_num(o, "released", false, 0, TWIN_TS_MAX_S, &m->released_s, why)) ||
            (r = get_uint(o, "into", false, &m->into, why)))
            return r;
        if (m->item == 0)
            return fail(why, TWIN_REJ_BAD_VALUE, "item");
        return TWIN_OK;
    }
    case TWIN_MSG_COUNTERS: {
        json_t *fin = json_object_get(o, "final");
        if (fin && !json_is_boolean(fin))
            return fail(why, TWIN_REJ_WRONG_TYPE, "final");
        m->final = fin && json_is_true(fin);
        m->released = 0;
        if ((r = get_uint(o, "released", true, &m->released, why)))
            return r;
        json_t *q = json_object_get(o, "queues"), *qv;
        m->n_queues = 0;
        if (q && !json_is_object(q))
            return fail(why, TWIN_REJ_WRONG_TYPE, "queues");
        const char *key;
        json_object_foreach(q, key, qv) {
            if (!json_is_integer(qv))
                return fail(why, TWIN_REJ_WRONG_TYPE, "queues{}");
            json_int_t level = json_integer_value(qv);
            if (m->n_queues == 16 || level < 0 || level > TWIN_QUEUE_MAX || key[0] == '\0' ||
                strlen(key) >= TWIN_NAME_MAX)
                return fail(why, TWIN_REJ_BAD_VALUE, "queues{}");
            strcpy(m->queue_station[m->n_queues], key);
            m->queue_level[m->n_queues++] = (long)level;
        }
        return parse_counts(o, m, why);
    }
    case TWIN_MSG_N_TYPES:
        break;
    }
    return fail(why, TWIN_REJ_UNKNOWN_TYPE, "type");
}

twin_reject twin_msg_parse(const char *payload, size_t len, twin_msg *m, char *why)
{
    if (why)
        why[0] = '\0';
    if (len > TWIN_MSG_MAX_BYTES)
        return fail(why, TWIN_REJ_TOO_LARGE, "payload");
    json_error_t jerr;
    json_t *o = json_loadb(payload, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!o)
        return fail(why, TWIN_REJ_MALFORMED, jerr.text);
    twin_reject r = json_is_object(o) ? parse_body(o, m, why) : fail(why, TWIN_REJ_NOT_OBJECT, "payload");
    json_decref(o);
    return r;
}

/* ---- encoding ------------------------------------------------------------ */

typedef struct out {
    char *p;
    size_t n, cap;
    bool overflow;
} out;

static void put(out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(o->p + o->n, o->n < o->cap ? o->cap - o->n : 0, fmt, ap);
    va_end(ap);
    if (k < 0 || o->n + (size_t)k >= o->cap)
        o->overflow = true;
    else
        o->n += (size_t)k;
}

/* Names are UTF-8 from the model; base_json_quote escapes the rest. */
static void put_str(out *o, const char *s)
{
    size_t room = o->n < o->cap ? o->cap - o->n : 0;
    size_t k = base_json_quote(o->p + o->n, room, s, strlen(s));
    if (k >= room)
        o->overflow = true;
    else
        o->n += k;
}

int twin_msg_encode(const twin_msg *m, char *buf, size_t cap)
{
    out o = {buf, 0, cap, false};
    put(&o, "{\"v\":1,\"type\":\"%s\",\"gw\":", twin_type_word(m->type));
    put_str(&o, m->gw);
    put(&o, ",\"seq\":%llu,\"ts\":%.3f", (unsigned long long)m->seq, m->ts_s);
    switch (m->type) {
    case TWIN_MSG_BIRTH:
        put(&o, ",\"stations\":[");
        for (size_t i = 0; i < m->n_stations; i++) {
            put(&o, i ? "," : "");
            put_str(&o, m->stations[i]);
        }
        put(&o, "]");
        break;
    case TWIN_MSG_DEATH:
        break;
    case TWIN_MSG_STATION:
        put(&o, ",\"station\":");
        put_str(&o, m->station);
        put(&o, ",\"state\":\"%s\"", twin_state_word(m->state));
        break;
    case TWIN_MSG_PART:
        put(&o, ",\"event\":\"%s\",\"item\":%llu,\"product\":", twin_part_word(m->part),
            (unsigned long long)m->item);
        put_str(&o, m->product);
        put(&o, ",\"at\":");
        put_str(&o, m->at);
        put(&o, ",\"qty\":%.17g,\"released\":%.3f", m->quantity, m->released_s);
        if (m->into)
            put(&o, ",\"into\":%llu", (unsigned long long)m->into);
        break;
    case TWIN_MSG_COUNTERS:
        put(&o, ",\"released\":%llu,\"produced\":{", (unsigned long long)m->released);
        for (size_t i = 0; i < m->n_counts; i++) {
            put(&o, i ? "," : "");
            put_str(&o, m->counts[i].product);
            put(&o, ":%llu", (unsigned long long)m->counts[i].produced);
        }
        put(&o, "},\"scrapped\":{");
        for (size_t i = 0; i < m->n_counts; i++) {
            put(&o, i ? "," : "");
            put_str(&o, m->counts[i].product);
            put(&o, ":%llu", (unsigned long long)m->counts[i].scrapped);
        }
        put(&o, "},\"queues\":{");
        for (size_t i = 0; i < m->n_queues; i++) {
            put(&o, i ? "," : "");
            put_str(&o, m->queue_station[i]);
            put(&o, ":%ld", m->queue_level[i]);
        }
        put(&o, "}%s", m->final ? ",\"final\":true" : "");
        break;
    case TWIN_MSG_N_TYPES:
        return -1;
    }
    put(&o, "}");
    return o.overflow ? -1 : (int)o.n;
}
