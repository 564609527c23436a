/* serve_req.h -- what the dashboard server decides about a request before
 * it touches the plant: the decoded path, the route, whether the Host is
 * one of ours, whether a POST may change anything (CSRF), and the control
 * body. Pure functions of their text arguments, with no socket, so that
 * tests and fuzz/fuzz_http.c drive them directly; serve_http.c calls them. */
#ifndef FABTWIN_SERVE_REQ_H
#define FABTWIN_SERVE_REQ_H

#include <stdbool.h>
#include <stddef.h>

/* ---- the path ------------------------------------------------------------- */

/* Decode the %HH escapes of the NUL-terminated `s` in place and return the
 * new length. A path that decodes to a NUL byte or to bytes that are not
 * UTF-8 (overlong forms and surrogates included), or with a '%' not
 * followed by two hex digits, becomes SERVE_REQ_BAD_PATH instead: a text
 * no valid decoding yields (it is not UTF-8), so serve_req_path_ok can
 * tell afterwards. Used as libmicrohttpd's unescape callback. */
#define SERVE_REQ_BAD_PATH "\xff"
size_t serve_req_unescape(char *s);

/* The decoded path is valid UTF-8 with no control character (so neither
 * a NUL nor the mark of a bad escape). */
bool serve_req_path_ok(const char *path);

/* True when [s, s+len) is well-formed UTF-8 (RFC 3629: no overlong form,
 * no surrogate, nothing above U+10FFFF). */
bool serve_req_utf8(const char *s, size_t len);

typedef enum serve_route {
    SERVE_ROUTE_NONE,       /* no such page */
    SERVE_ROUTE_PAGE,       /* / and /index.html */
    SERVE_ROUTE_APP_JS,
    SERVE_ROUTE_FLEET_JS,
    SERVE_ROUTE_CSS,
    SERVE_ROUTE_CHART_JS,
    SERVE_ROUTE_MODEL,
    SERVE_ROUTE_STATE,
    SERVE_ROUTE_KPIS,
    SERVE_ROUTE_FORECAST,
    SERVE_ROUTE_EVENTS,
    SERVE_ROUTE_STATION,    /* /api/stations/NAME: *arg is NAME */
    SERVE_ROUTE_CONTROL,    /* POST /api/control */
} serve_route;

/* The route of a decoded path; *arg points into `path` (the station name)
 * or is NULL. */
serve_route serve_req_route(const char *path, const char **arg);

/* ---- the Host header (DNS rebinding) ---------------------------------------- */

/* The names the server answers to, besides the loopback ones (localhost,
 * 127.0.0.0/8, [::1]), which it always answers to. */
typedef struct serve_hosts {
    const char *const *names; /* host names or address literals, no port */
    size_t n;
} serve_hosts;

/* True when `host` (the Host header: NAME or NAME:PORT, [V6] or [V6]:PORT)
 * names a loopback address or one of `extra`, case-insensitively. NULL or
 * a malformed Host is false. */
bool serve_req_host_ok(const char *host, const serve_hosts *extra);

/* ---- a request that changes something (CSRF) ---------------------------------- */

/* 0 when a state-changing request may go ahead; else 415 (not JSON) or 403
 * (from another site) with the reason in *why. Each argument is the header
 * or NULL when absent:
 * - Content-Type must be application/json (parameters allowed): an HTML
 *   form or a "simple" cross-site fetch cannot send that without a CORS
 *   preflight, which this server never grants;
 * - Sec-Fetch-Site, when sent, must be same-origin or none;
 * - Origin, when sent, must be http:// or https:// followed by `host`
 *   (the Host header, already checked by serve_req_host_ok). Tools such as
 *   curl send neither header and are let through. */
int serve_req_post_check(const char *content_type, const char *origin,
                         const char *fetch_site, const char *host, const char **why);

/* ---- the control body ------------------------------------------------------------ */

typedef struct serve_control {
    int running;      /* 1 run, 0 pause, -1 unchanged */
    double speed;     /* > 0 sets it; 0 unchanged */
    bool restart;
} serve_control;

/* Parse {"action": "run" | "pause" | "restart" | "speed", "speed": N} from
 * [body, body+len): 0 with *c filled, or 400 with the reason in *why. */
int serve_req_control(const char *body, size_t len, serve_control *c, const char **why);

#endif
