/* serve.h -- the web dashboard: an HTTP server (libmicrohttpd) in front of
 * either a simulation running at a multiple of real time or the live twin
 * of a plant.
 *
 * serve_sim (serve_sim.c) runs the model on its own thread; serve_twin
 * (serve_twin.c) feeds a twin session from a replayed log or an MQTT broker.
 * Both publish the plant's state as versioned JSON and present themselves
 * to the server as a serve_source; serve_http (serve_http.c) serves the
 * page, the JSON API under /api/ and a live event stream from whichever it
 * is given, after serve_req (serve_req.c) has checked the request's Host,
 * path and, for a change, its origin; serve_model (serve_model.c) writes the
 * model document. The API and its security are documented in
 * docs/dashboard.md. */
#ifndef FABTWIN_SERVE_H
#define FABTWIN_SERVE_H

#include <stdbool.h>
#include <stdint.h>

#include "fabtwin/fabtwin.h"
#include "twin/twin_session.h"

/* ---- what the server shows --------------------------------------------- */

/* The documents behind the API. Every text returned is JSON, malloc'd, for
 * the caller to free; NULL when there is none (yet). Called from the
 * server's connection threads, any number at once. */
typedef struct serve_source_ops {
    const char *mode;      /* "simulation" or "twin" */
    /* The latest state document newer than version `since`, waiting up to
     * timeout_ms for one (0: no wait); *version is the latest version. */
    char *(*state)(void *impl, uint64_t since, int timeout_ms, uint64_t *version);
    char *(*kpis)(void *impl);
    /* A station's latest state changes: [{time_s, state}], oldest first. */
    char *(*history)(void *impl, size_t station);
    /* The latest forecast with the history of forecasts; a NULL op: this
     * source makes none. */
    char *(*forecast)(void *impl);
    /* Forecasts after the first *seen, one JSON document per line; *seen
     * becomes their number. A NULL op: none ever. */
    char *(*forecasts_after)(void *impl, size_t *seen);
    /* running: 1 run, 0 pause, -1 unchanged; speed > 0 sets it; restart.
     * 0 when done, else an HTTP status with a message in *why. */
    int (*control)(void *impl, int running, double speed, bool restart, const char **why);
    bool (*stopping)(void *impl);
} serve_source_ops;

typedef struct serve_source {
    const serve_source_ops *ops;
    void *impl;
} serve_source;

/* ---- the simulation ------------------------------------------------------ */

typedef struct serve_sim serve_sim;

/* Build the simulation and start its thread, running at `speed` x real time. */
serve_sim *serve_sim_new(const ft_model *m, const ft_run_options *opt, double speed,
                         ft_error *err);
/* Stop the thread and wake every waiting reader (they see the end of the
 * stream); the last state stays readable until serve_sim_free. */
void serve_sim_shutdown(serve_sim *ss);
void serve_sim_free(serve_sim *ss);
serve_source serve_sim_source(serve_sim *ss);

/* running: 1 run, 0 pause, -1 unchanged; speed > 0 sets it; restart starts
 * the run again from its beginning. */
void serve_sim_control(serve_sim *ss, int running, double speed, bool restart);

/* A copy of the latest state document newer than version `since`, waiting
 * up to timeout_ms for one (0: no wait); NULL when there is none. *version
 * is the latest version. The caller frees the copy. */
char *serve_sim_state(serve_sim *ss, uint64_t since, int timeout_ms, uint64_t *version);
/* The KPI report (docs/report-json.md) as of the latest state. */
char *serve_sim_kpis(serve_sim *ss);
/* The latest state changes of a station: [{time_s, state}], oldest first. */
char *serve_sim_history(serve_sim *ss, size_t station);
bool serve_sim_stopping(serve_sim *ss);
/* The simulation could not go on (an event was lost): true with *err; the
 * thread has ended and the last good state stays readable. */
bool serve_sim_failed(serve_sim *ss, ft_error *err);

/* ---- the live twin ------------------------------------------------------- */

typedef struct serve_twin serve_twin;

typedef struct serve_twin_options {
    const char *replay;          /* a JSON Lines log to replay ... */
    const char *mqtt, *topic;    /* ... or a broker and topic prefix to subscribe to */
    double speed;                /* replay pace, x real time; 0: as fast as possible */
    twin_session_options session;
} serve_twin_options;

/* Build the twin session and start feeding it (a missing log fails here). */
serve_twin *serve_twin_new(const ft_model *m, const serve_twin_options *o, ft_error *err);
/* Stop feeding and wake every waiting reader; the last state stays
 * readable until serve_twin_free. */
void serve_twin_shutdown(serve_twin *st);
void serve_twin_free(serve_twin *st);
serve_source serve_twin_source(serve_twin *st);
/* The feeding failed (a read error, no MQTT support): true with *err. */
bool serve_twin_failed(serve_twin *st, ft_error *err);
/* The session, to read through twin_view.h (a summary at exit). */
twin_session *serve_twin_session(serve_twin *st);

/* ---- the server --------------------------------------------------------- */

/* The model document of /api/model (serve_model.c), malloc'd; NULL when out
 * of memory. */
char *serve_model_json(const ft_model *m);

/* The limits a hostile or broken client meets (0 in serve_options: these). */
#define SERVE_TIMEOUT_S 10          /* a connection silent this long is closed */
#define SERVE_MAX_PER_IP 64         /* connections open from one address */
#define SERVE_MAX_CONNECTIONS 2000  /* connections open in all (fewer if ulimit -n says so) */

typedef struct serve_options {
    const char *address;   /* numeric IPv4 address to bind, "127.0.0.1" by default */
    unsigned short port;
    const char *token;     /* required for POST when the address is not loopback */
    /* Host names to answer to besides the loopback ones and the address
     * (on 0.0.0.0: this machine's addresses and host name); others get 421. */
    const char *const *hosts;
    size_t n_hosts;
    unsigned timeout_s, max_per_ip, max_connections; /* 0: the defaults above */
} serve_options;

typedef struct serve_http serve_http;

/* Serve `src` (copied; its implementation must outlive the server). */
serve_http *serve_http_start(const ft_model *m, const serve_source *src, const serve_options *o,
                             ft_error *err);
void serve_http_stop(serve_http *h);

#endif
