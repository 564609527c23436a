/* twin_session.h -- one running twin: the model, the mirror, the recorder
 * and the forecast schedule, fed message by message by whatever transport
 * delivers them (a replayed log, an MQTT subscription, a test). */
#ifndef TWIN_SESSION_H
#define TWIN_SESSION_H

#include "twin_forecast.h"
#include "twin_record.h"

typedef void (*twin_forecast_fn)(void *ctx, const twin_forecast *f);

typedef struct twin_session_options {
    double shift_end_tod_s;      /* time of day the shift ends (16:00 = 57600) */
    double forecast_every_s;     /* 0: no forecasts */
    int replications;
    uint64_t seed;
    double target;
    const char *record_path;     /* NULL: do not record */
    FILE *out;                   /* forecasts as JSON lines; NULL: none */
    twin_forecast_fn on_forecast;
    void *forecast_ctx;
} twin_session_options;

typedef struct twin_session {
    twin_model tm;
    twin_mirror mirror;
    twin_recorder *rec;
    twin_session_options o;
    double shift_end_s;          /* plant time, fixed by the first message's day */
    double next_forecast_s;      /* < 0: not scheduled yet */
    size_t n_forecasts;
    twin_forecast last;
    twin_msg msg;
} twin_session;

int twin_session_init(twin_session *s, const ft_model *m, const twin_session_options *o,
                      ft_error *err);
void twin_session_free(twin_session *s);

/* Record, then apply one payload; a forecast due before the message's time
 * runs first, on the state up to it. */
twin_reject twin_session_message(twin_session *s, const char *topic, const char *payload,
                                 size_t len);
void twin_session_gap(twin_session *s, double from_s, double to_s);

#endif
