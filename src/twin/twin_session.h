/* twin_session.h -- one running twin: the model, the mirror, the recorder
 * and the forecast schedule, fed message by message by whatever transport
 * delivers them (a replayed log, an MQTT subscription, a test).
 *
 * One thread feeds a session. Other threads may read it at the same time,
 * through twin_view.h only: the feeding thread holds `mu` while it changes
 * the state, and readers take consistent copies under it. */
#ifndef TWIN_SESSION_H
#define TWIN_SESSION_H

#include <pthread.h>
#include <stdatomic.h>

#include "twin_forecast.h"
#include "twin_record.h"

#define TWIN_FORECAST_KEEP 512  /* forecasts kept for readers: ten days at one per 30 min */
#define TWIN_CHANGE_KEEP 64     /* state changes kept per station */

typedef void (*twin_forecast_fn)(void *ctx, const twin_forecast *f);

typedef struct twin_session_options {
    double shift_end_tod_s;      /* time of day the shift ends (16:00 = 57600) */
    double forecast_every_s;     /* 0: no forecasts */
    int replications;
    uint64_t seed;
    double target;
    double stale_after_s;        /* twin_mirror.stale_after_s: silence that makes stations stale */
    /* admission of outliers (twin_admit.c); 0: the mirror's default */
    double max_ahead_s;          /* twin_mirror.max_future_s (1 h) */
    uint64_t seq_jump;           /* twin_mirror.seq_jump (65,536) */
    unsigned confirm;            /* twin_mirror.confirm (3) */
    const char *record_path;     /* NULL: do not record */
    FILE *out;                   /* forecasts as JSON lines; NULL: none */
    twin_forecast_fn on_forecast;/* called on the feeding thread, without the lock */
    void *forecast_ctx;
} twin_session_options;

/* A station's state from a plant time on. */
typedef struct twin_change {
    double time_s;
    twin_station_state state;
} twin_change;

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
    /* for readers on other threads (twin_view.h) */
    pthread_mutex_t mu;          /* held by the feeding thread while it changes anything above */
    uint64_t version;            /* +1 per change, from 1 */
    twin_forecast kept[TWIN_FORECAST_KEEP];          /* forecast k at kept[k % KEEP] */
    twin_change changes[TWIN_MAX_STATIONS][TWIN_CHANGE_KEEP];
    size_t n_changes[TWIN_MAX_STATIONS];             /* change k at changes[s][k % KEEP] */
    atomic_bool stop;            /* twin_session_request_stop */
    /* The first forecast that could not run (the engine failed): the
     * session then asks its transport to stop. Under mu. */
    bool failed;
    ft_error error;
} twin_session;

int twin_session_init(twin_session *s, const ft_model *m, const twin_session_options *o,
                      ft_error *err);
void twin_session_free(twin_session *s);
/* End the recording (fsync, close): 0, or -1 with err saying why the first
 * write, sync or the close failed ("No space left on device"). */
int twin_session_close_record(twin_session *s, ft_error *err);

/* Record, then apply one payload; a forecast due before the message's time
 * runs first, on the state up to it. */
twin_reject twin_session_message(twin_session *s, const char *topic, const char *payload,
                                 size_t len);
twin_reject twin_session_gap(twin_session *s, double from_s, double to_s);
/* The end of the input: quarantined messages are decided (twin_mirror_finish). */
void twin_session_finish(twin_session *s);
/* The plant clock (the newest accepted ts), for the feeding thread's pacing. */
double twin_session_now(const twin_session *s);

/* Ask the transport feeding the session to return (from any thread, or a
 * signal handler: it only sets an atomic flag). */
void twin_session_request_stop(twin_session *s);
bool twin_session_stop_requested(twin_session *s);
/* A forecast failed: true with *err (the first such error). */
bool twin_session_failed(twin_session *s, ft_error *err);

#endif
