/* twin_mqtt_mosq.c -- the MQTT transport on libmosquitto (FT_MQTT).
 *
 * Twin: one client with a persistent session (clean_session false, a
 * client id derived from the topic prefix) subscribed to PREFIX/# at QoS 1,
 * so that a broker with persistence keeps what arrives while the twin is
 * away. libmosquitto's own reconnect is used (mosquitto_loop_forever-style
 * back-off, driven here by mosquitto_loop); every (re)connect subscribes
 * again, and a disconnection is recorded as a gap from the plant time it
 * happened to the plant time of the first message after it. Messages are
 * handled on the calling thread (mosquitto_loop), so the session needs no
 * locks.
 *
 * Emulator: one client per gateway, so that each gateway has its own last
 * will -- its death message, which the broker publishes if the gateway
 * vanishes without saying goodbye. Publishing is QoS 1 from the emulator's
 * thread while each client's network thread (mosquitto_loop_start) sends,
 * resends after a reconnect and collects acknowledgements; the final
 * counters are retained so that a twin that connects late still gets them. */
#ifdef FT_MQTT
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mosquitto.h>

#include "twin_mqtt.h"

static int parse_url(const char *url, char *host, size_t cap, int *port, ft_error *err)
{
    const char *p = strncmp(url, "mqtt://", 7) == 0 ? url + 7 : url;
    const char *colon = strrchr(p, ':');
    size_t n = colon ? (size_t)(colon - p) : strlen(p);
    *port = colon ? atoi(colon + 1) : 1883;
    if (n == 0 || n >= cap || *port <= 0 || *port > 65535)
        return ft_fail(err, NULL, 0, 0, "bad MQTT URL '%s' (mqtt://host:port)", url);
    memcpy(host, p, n);
    host[n] = '\0';
    return 0;
}

static double wall_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- the twin ------------------------------------------------------------------- */

typedef struct twin_client {
    twin_session *s;
    struct mosquitto *mosq;
    char filter[300], forecast_topic[300];
    bool connected, in_gap;
    double gap_from_s;
    int unacked;          /* forecasts published and not yet acknowledged (QoS 1) */
    twin_forecast_fn next_fn; /* the session's own forecast callback, called after ours */
    void *next_ctx;
} twin_client;

static void twin_on_publish(struct mosquitto *mosq, void *ctx, int mid)
{
    twin_client *c = ctx;
    (void)mosq;
    (void)mid;
    if (c->unacked > 0)
        c->unacked--;
}

static void twin_on_connect(struct mosquitto *mosq, void *ctx, int rc)
{
    twin_client *c = ctx;
    if (rc != 0)
        return;
    c->connected = true;
    mosquitto_subscribe(mosq, NULL, c->filter, 1);
}

static void twin_on_disconnect(struct mosquitto *mosq, void *ctx, int rc)
{
    twin_client *c = ctx;
    c->connected = false;
    if (!c->in_gap) {
        c->in_gap = true;
        c->gap_from_s = c->s->mirror.now_s;
    }
}

static void twin_on_message(struct mosquitto *mosq, void *ctx, const struct mosquitto_message *m)
{
    twin_client *c = ctx;
    twin_session_message(c->s, m->topic, m->payload ? (const char *)m->payload : "",
                         (size_t)(m->payloadlen > 0 ? m->payloadlen : 0));
    if (c->in_gap) {
        twin_session_gap(c->s, c->gap_from_s, c->s->mirror.now_s);
        c->in_gap = false;
    }
}

/* Each forecast also goes to twin/PREFIX/forecast, retained (the latest is
 * what a dashboard connecting later wants); outside PREFIX/# so that the
 * twin does not hear itself. open_memstream: the JSON writer is shared
 * with --json. */
static void publish_forecast(void *ctx, const twin_forecast *f)
{
    twin_client *c = ctx;
    char *buf = NULL;
    size_t n = 0;
    FILE *mf = open_memstream(&buf, &n);
    if (!mf)
        return;
    twin_forecast_write_json(f, mf);
    fclose(mf);
    if (n > 1 &&
        mosquitto_publish(c->mosq, NULL, c->forecast_topic, (int)n - 1, buf, 1, true) ==
            MOSQ_ERR_SUCCESS)
        c->unacked++;
    free(buf);
    if (c->next_fn)
        c->next_fn(c->next_ctx, f);
}

/* Done when every gateway heard of has closed its shift or died. */
static bool shift_over(const twin_mirror *m)
{
    if (m->n_gws == 0)
        return false;
    for (size_t i = 0; i < m->n_gws; i++)
        if (m->gws[i]->alive && !m->gws[i]->final_seen)
            return false;
    return true;
}

int twin_mqtt_run_twin(twin_session *s, const char *url, const char *prefix, ft_error *err)
{
    char host[256], id[64];
    int port;
    if (parse_url(url, host, sizeof host, &port, err))
        return -1;
    twin_client c = {.s = s};
    snprintf(c.filter, sizeof c.filter, "%s/#", prefix);
    snprintf(c.forecast_topic, sizeof c.forecast_topic, "twin/%s/forecast", prefix);
    unsigned long h = 5381;
    for (const char *p = prefix; *p; p++)
        h = h * 33 + (unsigned char)*p;
    snprintf(id, sizeof id, "fabtwin-twin-%08lx", h & 0xffffffffUL);
    mosquitto_lib_init();
    struct mosquitto *mosq = mosquitto_new(id, false, &c);
    if (!mosq) {
        mosquitto_lib_cleanup();
        return ft_fail(err, NULL, 0, 0, "cannot create an MQTT client");
    }
    c.mosq = mosq;
    c.next_fn = s->o.on_forecast;
    c.next_ctx = s->o.forecast_ctx;
    s->o.on_forecast = publish_forecast;
    s->o.forecast_ctx = &c;
    mosquitto_connect_callback_set(mosq, twin_on_connect);
    mosquitto_disconnect_callback_set(mosq, twin_on_disconnect);
    mosquitto_message_callback_set(mosq, twin_on_message);
    mosquitto_publish_callback_set(mosq, twin_on_publish);
    int rc = mosquitto_connect(mosq, host, port, 10);
    double backoff_s = 0.1, next_try_s = 0;
    if (rc != MOSQ_ERR_SUCCESS) {
        c.in_gap = true; /* not there yet: keep trying, as after a drop */
        next_try_s = wall_s() + backoff_s;
    }
    while (!twin_session_stop_requested(s) && !shift_over(&s->mirror)) {
        rc = mosquitto_loop(mosq, 100, 1);
        if (rc == MOSQ_ERR_SUCCESS) {
            if (c.connected)
                backoff_s = 0.1;
            continue;
        }
        if (!c.in_gap) {
            c.in_gap = true;
            c.gap_from_s = s->mirror.now_s;
        }
        double now = wall_s();
        if (now < next_try_s) {
            struct timespec ts = {0, 50 * 1000 * 1000};
            nanosleep(&ts, NULL);
            continue;
        }
        mosquitto_reconnect(mosq);
        backoff_s = fmin(backoff_s * 2, 2.0);
        next_try_s = now + backoff_s;
    }
    /* the last forecasts may still be on their way: wait (a bounded time)
     * for the broker to acknowledge them before hanging up */
    double give_up_s = wall_s() + 2.0;
    while (c.unacked > 0 && c.connected && wall_s() < give_up_s &&
           mosquitto_loop(mosq, 100, 1) == MOSQ_ERR_SUCCESS)
        ;
    mosquitto_disconnect(mosq);
    mosquitto_destroy(mosq);
    mosquitto_lib_cleanup();
    s->o.on_forecast = c.next_fn;
    s->o.forecast_ctx = c.next_ctx;
    return 0;
}

/* ---- the emulator ----------------------------------------------------------------- */

typedef struct emu_clients {
    struct mosquitto *gw[16];
    int n;
    const char *prefix;
    double speed, first_ts_s, start_wall_s;
    int qos_failures;
    long sent;
    atomic_long acked;         /* by the network threads */
} emu_clients;

static void emu_on_publish(struct mosquitto *mosq, void *ctx, int mid)
{
    emu_clients *e = ctx;
    atomic_fetch_add(&e->acked, 1);
}

static void to_broker(void *ctx, const char *gw, const char *type, double ts_s,
                      const char *payload, size_t len)
{
    emu_clients *e = ctx;
    int g = atoi(gw + 2); /* "gwK" */
    if (g < 0 || g >= e->n)
        return;
    if (e->speed > 0) { /* plant time -> wall time */
        if (e->first_ts_s < 0) {
            e->first_ts_s = ts_s;
            e->start_wall_s = wall_s();
        }
        double due = e->start_wall_s + (ts_s - e->first_ts_s) / e->speed, now = wall_s();
        if (due > now) {
            double d = due - now;
            struct timespec t = {(time_t)d, (long)((d - floor(d)) * 1e9)};
            nanosleep(&t, NULL);
        }
    }
    char topic[400];
    snprintf(topic, sizeof topic, "%s/%s/%s", e->prefix, gw, type);
    /* the final counters are retained; twin_msg_encode ends them with this
     * (the payload is not NUL-terminated: no strstr) */
    static const char final_tail[] = ",\"final\":true}";
    size_t tail = sizeof final_tail - 1;
    bool retain = strcmp(type, "counters") == 0 && len >= tail &&
                  memcmp(payload + len - tail, final_tail, tail) == 0;
    /* QoS 1 while the broker is away: libmosquitto queues the message and
     * says MOSQ_ERR_NO_CONN; its network thread reconnects and sends it */
    int rc = mosquitto_publish(e->gw[g], NULL, topic, (int)len, payload, 1, retain);
    if (rc == MOSQ_ERR_SUCCESS || rc == MOSQ_ERR_NO_CONN)
        e->sent++;
    else
        e->qos_failures++;
}

int twin_mqtt_run_emulate(const ft_model *m, const twin_model *tm, twin_emulate_options *o,
                          const char *url, const char *prefix, double speed, twin_truth *truth,
                          ft_error *err)
{
    char host[256];
    int port;
    if (parse_url(url, host, sizeof host, &port, err))
        return -1;
    emu_clients e = {.n = o->gateways, .prefix = prefix, .speed = speed, .first_ts_s = -1};
    mosquitto_lib_init();
    int rc = 0;
    for (int g = 0; g < e.n && rc == 0; g++) {
        char id[64], topic[400], will[256];
        unsigned long h = 5381;
        for (const char *p = prefix; *p; p++)
            h = h * 33 + (unsigned char)*p;
        snprintf(id, sizeof id, "fabtwin-emulate-%08lx-gw%d", h & 0xffffffffUL, g);
        e.gw[g] = mosquitto_new(id, false, &e); /* persistent: QoS 1 survives a reconnect */
        if (!e.gw[g]) {
            rc = ft_fail(err, NULL, 0, 0, "cannot create an MQTT client");
            break;
        }
        snprintf(topic, sizeof topic, "%s/gw%d/death", prefix, g);
        int n = snprintf(will, sizeof will,
                         "{\"v\":1,\"type\":\"death\",\"gw\":\"gw%d\",\"seq\":0,\"ts\":%.3f}", g,
                         o->start_s);
        mosquitto_will_set(e.gw[g], topic, n, will, 1, false);
        mosquitto_max_inflight_messages_set(e.gw[g], 1000);
        mosquitto_publish_callback_set(e.gw[g], emu_on_publish);
        if (mosquitto_connect(e.gw[g], host, port, 10) != MOSQ_ERR_SUCCESS ||
            mosquitto_loop_start(e.gw[g]) != MOSQ_ERR_SUCCESS)
            rc = ft_fail(err, NULL, 0, 0, "cannot connect to the MQTT broker at %s", url);
    }
    if (rc == 0) {
        o->sink = to_broker;
        o->sink_ctx = &e;
        rc = twin_emulate_run(m, tm, o, truth, err);
    }
    /* every message acknowledged by the broker before saying goodbye (the
     * network threads resend across a broker restart); at most 30 s */
    for (double until = wall_s() + 30; atomic_load(&e.acked) < e.sent && wall_s() < until;) {
        struct timespec t = {0, 20 * 1000 * 1000};
        nanosleep(&t, NULL);
    }
    long unacked = e.sent - atomic_load(&e.acked);
    for (int g = 0; g < e.n; g++) {
        if (!e.gw[g])
            continue;
        mosquitto_disconnect(e.gw[g]);
        mosquitto_loop_stop(e.gw[g], false);
        mosquitto_destroy(e.gw[g]);
    }
    mosquitto_lib_cleanup();
    if (rc == 0 && (e.qos_failures > 0 || unacked > 0))
        rc = ft_fail(err, NULL, 0, 0, "%d messages could not be queued and %ld were not "
                     "acknowledged by the broker", e.qos_failures, unacked);
    return rc;
}
#else
typedef int twin_mqtt_mosq_c_needs_ft_mqtt; /* ISO C wants a declaration */
#endif
