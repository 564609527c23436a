/* serve.h -- the web dashboard: an HTTP server (libmicrohttpd) in front of
 * a simulation running at a multiple of real time.
 *
 * serve_sim (serve_sim.c) runs the model on its own thread and publishes
 * the plant's state as versioned JSON; serve_http (serve_http.c) serves the
 * page, the JSON API under /api/ and a live event stream from it. The API
 * is documented in docs/dashboard.md. */
#ifndef FABTWIN_SERVE_H
#define FABTWIN_SERVE_H

#include <stdbool.h>
#include <stdint.h>

#include "fabtwin/fabtwin.h"

/* ---- the simulation ------------------------------------------------------ */

typedef struct serve_sim serve_sim;

/* Build the simulation and start its thread, running at `speed` x real time. */
serve_sim *serve_sim_new(const ft_model *m, const ft_run_options *opt, double speed,
                         ft_error *err);
/* Stop the thread and wake every waiting reader (they see the end of the
 * stream); the last state stays readable until serve_sim_free. */
void serve_sim_shutdown(serve_sim *ss);
void serve_sim_free(serve_sim *ss);

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

/* ---- the server --------------------------------------------------------- */

typedef struct serve_options {
    const char *address;   /* numeric IPv4 address to bind, "127.0.0.1" by default */
    unsigned short port;
    const char *token;     /* required for POST when the address is not loopback */
} serve_options;

typedef struct serve_http serve_http;

serve_http *serve_http_start(const ft_model *m, serve_sim *ss, const serve_options *o,
                             ft_error *err);
void serve_http_stop(serve_http *h);

#endif
