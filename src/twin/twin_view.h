/* twin_view.h -- reading a running twin from other threads: consistent
 * copies of its state, its forecasts and its stations' state changes, taken
 * under the session's lock while the thread that feeds it (a replay, an
 * MQTT subscription) goes on. The dashboard (src/serve/serve_twin.c) reads
 * the twin this way; nothing here changes it. Names in the copies point
 * into the session (the model's, the gateways') and live as long as it. */
#ifndef TWIN_VIEW_H
#define TWIN_VIEW_H

#include "twin_session.h"

typedef struct twin_station_view {
    const char *name;
    const char *gateway;         /* NULL: no gateway has claimed it yet */
    bool known;                  /* a state was reported */
    twin_station_state state;
    double since_s;
    bool stale;                  /* twin_mirror_station_stale */
    int servers;                 /* the model's */
    long capacity;               /* of its input buffer; -1 unbounded */
    size_t queued, processing, held; /* items the mirror places there */
    uint64_t jobs;               /* observed start -> finish */
    double state_s[TWIN_ST_N];   /* plant time in each state, the current one up to now_s */
} twin_station_view;

typedef struct twin_gateway_view {
    const char *name;
    bool alive, final;           /* final: its last counters of the shift came */
    double last_s;               /* plant time of its newest message */
} twin_gateway_view;

typedef struct twin_view {
    uint64_t version;            /* the session's: a newer view has a larger one */
    bool clock_set;              /* a message was accepted */
    double now_s, first_s;       /* the plant clock; the earliest birth (0: none) */
    double shift_end_s;          /* 0 until the first message fixes it */
    uint64_t received, accepted, rejected, gaps;
    uint64_t released, output, scrapped, wip;
    size_t n_stations;
    twin_station_view stations[TWIN_MAX_STATIONS];
    size_t n_gateways;
    twin_gateway_view gateways[TWIN_MAX_GATEWAYS];
    size_t n_forecasts;          /* made so far */
    twin_forecast forecast;      /* the latest, when n_forecasts > 0 */
} twin_view;

/* Fill *v if the session changed after version `since` (0: always).
 * Returns whether it did. */
bool twin_session_view(twin_session *s, uint64_t since, twin_view *v);

/* Copy forecasts number `from` (0: the first ever) and on, oldest first, at
 * most `max`. Only the latest TWIN_FORECAST_KEEP are kept: *first is the
 * number of the first one copied (> from when older ones are gone). Returns
 * how many were copied. */
size_t twin_session_forecasts(twin_session *s, size_t from, twin_forecast *out, size_t max,
                              size_t *first);

/* A station's latest state changes, oldest first, at most `max`. */
size_t twin_session_changes(twin_session *s, size_t station, twin_change *out, size_t max);

/* The mirror as JSON (twin_mirror_write_json), as of now. */
void twin_session_write_summary(twin_session *s, FILE *out);

#endif
