/* serve_http.c -- the dashboard's HTTP server: the page, the JSON API and
 * the live event stream, on libmicrohttpd, for any serve_source (the
 * simulation or the live twin: the server does not know which).
 *
 * One thread per connection: the event stream (Server-Sent Events) blocks
 * its connection's thread on the source's condition variable until a newer
 * state exists (which also brings any new forecasts), which keeps the code
 * straight-line and costs a thread per open dashboard -- hundreds are fine;
 * a suspend/resume design would scale further at the price of a callback
 * maze. Everything that changes the plant is a POST (a twin refuses them:
 * it follows the plant); when the server listens beyond loopback, a POST
 * needs the bearer token. Bodies are capped at MAX_BODY bytes. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "serve/serve.h"

#define MAX_BODY 4096
#define SSE_WAIT_MS 15000   /* a comment line keeps idle streams open this often */

extern const unsigned char ft_web_dash_html[], ft_web_dash_js[], ft_web_dash_fleet_js[],
    ft_web_dash_css[], ft_web_chart_js[];
extern const size_t ft_web_dash_html_len, ft_web_dash_js_len, ft_web_dash_fleet_js_len,
    ft_web_dash_css_len, ft_web_chart_js_len;

struct serve_http {
    struct MHD_Daemon *daemon;
    const ft_model *model;
    serve_source src;
    char *model_json;
    bool exposed;          /* listening beyond loopback: POST needs the token */
    char *token;
};

typedef struct request {   /* one request's upload */
    char body[MAX_BODY + 1];
    size_t len;
    bool too_big;
} request;

/* ---- responses ---------------------------------------------------------- */

static enum MHD_Result send_bytes(struct MHD_Connection *c, unsigned status, const void *data,
                                  size_t len, const char *type, bool must_free)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        len, (void *)data, must_free ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!r) {
        if (must_free)
            free((void *)data);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    enum MHD_Result ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result send_json(struct MHD_Connection *c, unsigned status, char *json)
{
    if (!json)
        return send_bytes(c, 503, "{\"error\":\"no state yet\"}", 24, "application/json", false);
    return send_bytes(c, status, json, strlen(json), "application/json; charset=utf-8", true);
}

static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status, const char *msg)
{
    json_t *doc = json_pack("{s:s}", "error", msg);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return send_json(c, status, text);
}

/* ---- a station ----------------------------------------------------------- */

static enum MHD_Result station(serve_http *h, struct MHD_Connection *c, const char *name)
{
    size_t n = ft_model_station_count(h->model), i;
    for (i = 0; i < n && strcmp(ft_model_station_name(h->model, i), name) != 0; i++)
        ;
    if (i == n)
        return send_error(c, 404, "no such station");
    char *kpis = h->src.ops->kpis(h->src.impl), *hist = h->src.ops->history(h->src.impl, i);
    json_t *all = kpis ? json_loads(kpis, 0, NULL) : NULL, *k = NULL;
    json_t *list = json_object_get(all, "stations");
    for (size_t j = 0; j < json_array_size(list); j++) {
        json_t *s = json_array_get(list, j);
        const char *sname = json_string_value(json_object_get(s, "name"));
        if (sname && strcmp(sname, name) == 0)
            k = json_incref(s);
    }
    json_t *doc = json_pack("{s:s, s:o, s:o}", "name", name, "kpis", k ? k : json_null(),
                            "history", hist ? json_loads(hist, 0, NULL) : json_array());
    char *text = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(10));
    json_decref(doc);
    json_decref(all);
    free(kpis);
    free(hist);
    return send_json(c, 200, text);
}

/* ---- the event stream --------------------------------------------------- */

typedef struct stream {
    serve_source src;
    uint64_t version;
    size_t forecasts;      /* forecasts sent */
    char *pending;         /* the message being written */
    size_t len, off;
} stream;

/* The next message: any new forecasts, each an `event: forecast`, then the
 * new state as an `event: state`; a comment line when nothing changed. */
static char *stream_next(stream *s, size_t *len)
{
    char *state = s->src.ops->state(s->src.impl, s->version, SSE_WAIT_MS, &s->version);
    if (!state) {
        char *ping = strdup(": keep-alive\n\n");
        *len = ping ? strlen(ping) : 0;
        return ping;
    }
    char *forecasts = s->src.ops->forecasts_after
                          ? s->src.ops->forecasts_after(s->src.impl, &s->forecasts)
                          : NULL;
    char *text = NULL;
    FILE *f = open_memstream(&text, len);
    if (f) {
        for (char *line = forecasts, *nl; line && *line; line = nl + 1) {
            if (!(nl = strchr(line, '\n')))
                break;
            fprintf(f, "event: forecast\ndata: %.*s\n\n", (int)(nl - line), line);
        }
        fprintf(f, "event: state\ndata: %s\n\n", state);
        if (fclose(f) != 0) {
            free(text);
            text = NULL;
        }
    }
    free(forecasts);
    free(state);
    return text;
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    stream *s = cls;
    (void)pos;
    if (s->off == s->len) {
        free(s->pending);
        s->pending = NULL;
        s->len = s->off = 0;
        if (s->src.ops->stopping(s->src.impl))
            return MHD_CONTENT_READER_END_OF_STREAM;
        if (!(s->pending = stream_next(s, &s->len)))
            return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    size_t n = s->len - s->off < max ? s->len - s->off : max;
    memcpy(buf, s->pending + s->off, n);
    s->off += n;
    return (ssize_t)n;
}

static void stream_free(void *cls)
{
    stream *s = cls;
    free(s->pending);
    free(s);
}

static enum MHD_Result events(serve_http *h, struct MHD_Connection *c)
{
    stream *s = calloc(1, sizeof *s);
    if (!s)
        return MHD_NO;
    s->src = h->src;
    struct MHD_Response *r =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384, stream_read, s, stream_free);
    if (!r) {
        free(s);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", "text/event-stream");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    enum MHD_Result ok = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return ok;
}

/* ---- control ------------------------------------------------------------ */

/* Constant-time comparison, so that the token cannot be guessed by timing. */
static bool same(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned char d = la != lb;
    for (size_t i = 0; i < la && i < lb; i++)
        d |= (unsigned char)(a[i] ^ b[i]);
    return d == 0;
}

static bool authorised(serve_http *h, struct MHD_Connection *c)
{
    if (!h->exposed)
        return true;
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    return auth && strncmp(auth, "Bearer ", 7) == 0 && same(auth + 7, h->token);
}

static enum MHD_Result control(serve_http *h, struct MHD_Connection *c, const request *rq)
{
    if (!authorised(h, c))
        return send_error(c, 401, "this server is exposed: send 'Authorization: Bearer TOKEN'");
    if (rq->too_big)
        return send_error(c, 413, "the body is larger than 4096 bytes");
    json_error_t je;
    json_t *doc = json_loadb(rq->body, rq->len, 0, &je);
    if (!doc || !json_is_object(doc)) {
        json_decref(doc);
        return send_error(c, 400, "expected a JSON object like {\"action\": \"pause\"}");
    }
    const char *action = json_string_value(json_object_get(doc, "action"));
    json_t *speed = json_object_get(doc, "speed");
    enum MHD_Result ok;
    if (speed && (!json_is_number(speed) || !(json_number_value(speed) > 0) ||
                  json_number_value(speed) > 1e6)) {
        ok = send_error(c, 400, "'speed' must be a number > 0 and <= 1e6");
    } else if (!action) {
        ok = send_error(c, 400, "'action' must be one of run, pause, restart, speed");
    } else if (!strcmp(action, "run") || !strcmp(action, "pause") || !strcmp(action, "speed") ||
               !strcmp(action, "restart")) {
        if (!strcmp(action, "speed") && !speed) {
            ok = send_error(c, 400, "'speed' action needs a 'speed' number");
        } else {
            int run = !strcmp(action, "run") ? 1 : !strcmp(action, "pause") ? 0 : -1;
            const char *why = "refused";
            int status = h->src.ops->control(h->src.impl, run,
                                             speed ? json_number_value(speed) : 0,
                                             !strcmp(action, "restart"), &why);
            ok = status ? send_error(c, (unsigned)status, why)
                        : send_json(c, 200, strdup("{\"ok\":true}"));
        }
    } else {
        ok = send_error(c, 400, "'action' must be one of run, pause, restart, speed");
    }
    json_decref(doc);
    return ok;
}

/* ---- routing ------------------------------------------------------------ */

static enum MHD_Result get(serve_http *h, struct MHD_Connection *c, const char *url)
{
    uint64_t v;
    if (!strcmp(url, "/") || !strcmp(url, "/index.html"))
        return send_bytes(c, 200, ft_web_dash_html, ft_web_dash_html_len,
                          "text/html; charset=utf-8", false);
    if (!strcmp(url, "/app.js"))
        return send_bytes(c, 200, ft_web_dash_js, ft_web_dash_js_len,
                          "text/javascript; charset=utf-8", false);
    if (!strcmp(url, "/fleet.js"))
        return send_bytes(c, 200, ft_web_dash_fleet_js, ft_web_dash_fleet_js_len,
                          "text/javascript; charset=utf-8", false);
    if (!strcmp(url, "/app.css"))
        return send_bytes(c, 200, ft_web_dash_css, ft_web_dash_css_len,
                          "text/css; charset=utf-8", false);
    if (!strcmp(url, "/vendor/chart.js"))
        return send_bytes(c, 200, ft_web_chart_js, ft_web_chart_js_len,
                          "text/javascript; charset=utf-8", false);
    if (!strcmp(url, "/api/model"))
        return send_json(c, 200, strdup(h->model_json));
    if (!strcmp(url, "/api/state"))
        return send_json(c, 200, h->src.ops->state(h->src.impl, 0, 0, &v));
    if (!strcmp(url, "/api/kpis"))
        return send_json(c, 200, h->src.ops->kpis(h->src.impl));
    if (!strcmp(url, "/api/forecast"))
        return h->src.ops->forecast
                   ? send_json(c, 200, h->src.ops->forecast(h->src.impl))
                   : send_error(c, 404, "forecasts exist only in twin mode "
                                        "(fabtwin serve MODEL --twin --replay FILE | --mqtt URL)");
    if (!strcmp(url, "/api/events"))
        return events(h, c);
    if (!strncmp(url, "/api/stations/", 14))
        return station(h, c, url + 14);
    return send_error(c, 404, "no such page; the API is under /api/ (docs/dashboard.md)");
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    serve_http *h = cls;
    (void)version;
    bool post = strcmp(method, "POST") == 0;
    if (!*con_cls) { /* first call: headers only */
        request *rq = post ? calloc(1, sizeof *rq) : NULL;
        *con_cls = post ? (void *)rq : (void *)h;
        return post && !rq ? MHD_NO : MHD_YES;
    }
    if (post) {
        request *rq = *con_cls;
        if (*upload_size) {
            if (rq->len + *upload_size > MAX_BODY)
                rq->too_big = true;
            else
                memcpy(rq->body + rq->len, upload, *upload_size), rq->len += *upload_size;
            *upload_size = 0;
            return MHD_YES;
        }
        if (strcmp(url, "/api/control") != 0)
            return send_error(c, 404, "the only POST is /api/control");
        return control(h, c, rq);
    }
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return send_error(c, 405, "use GET, or POST /api/control");
    return get(h, c, url);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode code)
{
    (void)c;
    (void)code;
    if (*con_cls && *con_cls != cls)
        free(*con_cls);
    *con_cls = NULL;
}

serve_http *serve_http_start(const ft_model *m, const serve_source *src, const serve_options *o,
                             ft_error *err)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(o->port)};
    const char *address = o->address ? o->address : "127.0.0.1";
    if (inet_pton(AF_INET, address, &addr.sin_addr) != 1) {
        ft_fail(err, NULL, 0, 0, "'%s' is not an IPv4 address like 127.0.0.1 or 0.0.0.0",
                address);
        return NULL;
    }
    serve_http *h = calloc(1, sizeof *h);
    if (!h || !(h->model_json = serve_model_json(m))) {
        free(h);
        ft_fail(err, NULL, 0, 0, "out of memory");
        return NULL;
    }
    h->model = m;
    h->src = *src;
    h->exposed = (ntohl(addr.sin_addr.s_addr) >> 24) != 127;
    if (h->exposed && (!o->token || strlen(o->token) < 16)) {
        free(h->model_json);
        free(h);
        ft_fail(err, NULL, 0, 0, "listening beyond loopback needs a token of 16 characters "
                                 "or more (--token or FABTWIN_TOKEN)");
        return NULL;
    }
    h->token = o->token ? strdup(o->token) : NULL;
    h->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION,
        o->port, NULL, NULL, handle, h, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_CONNECTION_LIMIT, 1000u, MHD_OPTION_NOTIFY_COMPLETED, completed, h,
        MHD_OPTION_END);
    if (!h->daemon) {
        ft_fail(err, NULL, 0, 0, "cannot listen on %s:%u (in use, or not allowed)", address,
                (unsigned)o->port);
        serve_http_stop(h);
        return NULL;
    }
    return h;
}

void serve_http_stop(serve_http *h)
{
    if (!h)
        return;
    if (h->daemon)
        MHD_stop_daemon(h->daemon);
    free(h->model_json);
    free(h->token);
    free(h);
}
