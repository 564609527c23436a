/* serve_http.c -- the dashboard's HTTP server: the page, the JSON API and
 * the live event stream, on libmicrohttpd, for any serve_source (the
 * simulation or the live twin: the server does not know which).
 *
 * Event-driven: a small pool of threads polls every connection with epoll,
 * so an idle or slowly-sending client costs a socket and a little memory,
 * not a thread, and cannot hold up the others; a connection silent for
 * --timeout seconds is closed, one address may hold at most --max-per-ip
 * connections and the server --max-connections. The event stream
 * (Server-Sent Events) cannot block a pool thread while it waits for news:
 * a stream with nothing to send suspends its connection and joins a list,
 * and one notifier thread, waiting on the source for a newer state, resumes
 * every listed stream when one comes (or every 15 s, for a keep-alive). The
 * road not taken, a thread per connection blocking on the source, was
 * simpler but let 1,000 slow clients exhaust the server.
 *
 * What a request may do is decided in serve_req.c, without the socket: the
 * Host must be one of ours (DNS rebinding), the path decodes to UTF-8
 * without NUL, and a POST -- everything that changes the plant; a twin
 * refuses them -- must be JSON from the page's own origin (CSRF) and, when
 * the server listens beyond loopback, carry the bearer token. Bodies are
 * capped at MAX_BODY bytes. */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "serve/serve.h"
#include "serve/serve_req.h"

#define MAX_BODY 4096
#define SSE_WAIT_MS 15000   /* a comment line keeps idle streams open this often */
#define NOTIFY_POLL_MS 250  /* the notifier looks at the stop flag this often */
#define POOL_THREADS 4      /* threads polling the connections */
#define SPARE_FDS 64        /* descriptors kept for the rest of the process */

extern const unsigned char ft_web_dash_html[], ft_web_dash_js[], ft_web_dash_fleet_js[],
    ft_web_dash_css[], ft_web_chart_js[];
extern const size_t ft_web_dash_html_len, ft_web_dash_js_len, ft_web_dash_fleet_js_len,
    ft_web_dash_css_len, ft_web_chart_js_len;

typedef struct stream stream;

struct serve_http {
    struct MHD_Daemon *daemon;
    const ft_model *model;
    serve_source src;
    char *model_json;
    bool exposed;          /* listening beyond loopback: POST needs the token */
    char *token;
    char **hosts;          /* the Host names answered besides loopback ones */
    size_t n_hosts;
    /* the event streams: guarded by mu */
    pthread_mutex_t mu;
    pthread_t notifier;
    bool notifier_started;
    uint64_t latest;       /* the newest state version the notifier has seen */
    uint64_t pings;        /* keep-alive rounds so far */
    bool stop;             /* serve_http_stop was called */
    bool ended;            /* no stream may suspend any more */
    stream *waiting;       /* streams whose connection is suspended */
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

struct stream {
    serve_http *h;
    struct MHD_Connection *c;
    stream *next;          /* in h->waiting while suspended */
    uint64_t version;      /* of the last state sent */
    uint64_t pings;        /* keep-alive rounds seen */
    size_t forecasts;      /* forecasts sent */
    char *pending;         /* the message being written */
    size_t len, off;
};

/* The next message: any new forecasts, each an `event: forecast`, then the
 * new state as an `event: state`; a comment line when there is none. */
static char *stream_next(stream *s, size_t *len)
{
    serve_source src = s->h->src;
    char *state = src.ops->state(src.impl, s->version, 0, &s->version);
    if (!state) {
        char *ping = strdup(": keep-alive\n\n");
        *len = ping ? strlen(ping) : 0;
        return ping;
    }
    char *forecasts = src.ops->forecasts_after ? src.ops->forecasts_after(src.impl, &s->forecasts)
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

/* Called by a pool thread whenever the connection can take more bytes.
 * With nothing new to send the stream suspends its connection (returning 0
 * bytes) and waits in h->waiting for the notifier to resume it. The check
 * for news and the suspension happen under h->mu, where the notifier also
 * records news before it takes the list, so no wake-up is lost. */
static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    stream *s = cls;
    serve_http *h = s->h;
    (void)pos;
    if (s->off == s->len) {
        free(s->pending);
        s->pending = NULL;
        s->len = s->off = 0;
        if (h->src.ops->stopping(h->src.impl))
            return MHD_CONTENT_READER_END_OF_STREAM;
        pthread_mutex_lock(&h->mu);
        bool news = h->latest > s->version, ping = h->pings != s->pings, ended = h->ended;
        if (!news && !ping && !ended) {
            s->next = h->waiting;
            h->waiting = s;
            MHD_suspend_connection(s->c);
        }
        s->pings = h->pings;
        pthread_mutex_unlock(&h->mu);
        if (!news && !ping)
            return ended ? MHD_CONTENT_READER_END_OF_STREAM : 0;
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

/* Resume every suspended stream; with `end`, none may suspend again. */
static void wake_streams(serve_http *h, uint64_t version, bool ping, bool end)
{
    pthread_mutex_lock(&h->mu);
    if (version > h->latest)
        h->latest = version;
    h->pings += ping;
    h->ended |= end;
    stream *list = h->waiting;
    h->waiting = NULL;
    pthread_mutex_unlock(&h->mu);
    while (list) {
        stream *next = list->next; /* once resumed, a stream may end and be freed */
        MHD_resume_connection(list->c);
        list = next;
    }
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The notifier: waits on the source for a newer state and wakes the
 * streams; a keep-alive round after SSE_WAIT_MS without one. */
static void *notifier(void *arg)
{
    serve_http *h = arg;
    uint64_t seen = 0;
    double quiet_since = now_s();
    for (;;) {
        uint64_t v = seen;
        free(h->src.ops->state(h->src.impl, seen, NOTIFY_POLL_MS, &v));
        pthread_mutex_lock(&h->mu);
        bool stop = h->stop;
        pthread_mutex_unlock(&h->mu);
        stop |= h->src.ops->stopping(h->src.impl);
        bool news = v > seen, ping = !news && now_s() - quiet_since >= SSE_WAIT_MS / 1000.0;
        if (news || ping || stop) {
            wake_streams(h, v, ping, stop);
            quiet_since = now_s();
            seen = news ? v : seen;
        }
        if (stop)
            return NULL;
    }
}

static enum MHD_Result events(serve_http *h, struct MHD_Connection *c)
{
    stream *s = calloc(1, sizeof *s);
    if (!s)
        return MHD_NO;
    s->h = h;
    s->c = c;
    struct MHD_Response *r =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384, stream_read, s, stream_free);
    if (!r) {
        free(s);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", "text/event-stream");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
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
    const char *why = "refused";
    int status = serve_req_post_check(
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type"),
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin"),
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Sec-Fetch-Site"),
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host"), &why);
    if (status)
        return send_error(c, (unsigned)status, why);
    if (!authorised(h, c))
        return send_error(c, 401, "this server is exposed: send 'Authorization: Bearer TOKEN'");
    if (rq->too_big)
        return send_error(c, 413, "the body is larger than 4096 bytes");
    serve_control ctl;
    if ((status = serve_req_control(rq->body, rq->len, &ctl, &why)))
        return send_error(c, (unsigned)status, why);
    status = h->src.ops->control(h->src.impl, ctl.running, ctl.speed, ctl.restart, &why);
    return status ? send_error(c, (unsigned)status, why)
                  : send_json(c, 200, strdup("{\"ok\":true}"));
}

/* ---- routing ------------------------------------------------------------ */

static enum MHD_Result get(serve_http *h, struct MHD_Connection *c, const char *url)
{
    uint64_t v;
    const char *arg;
    switch (serve_req_route(url, &arg)) {
    case SERVE_ROUTE_PAGE:
        return send_bytes(c, 200, ft_web_dash_html, ft_web_dash_html_len,
                          "text/html; charset=utf-8", false);
    case SERVE_ROUTE_APP_JS:
        return send_bytes(c, 200, ft_web_dash_js, ft_web_dash_js_len,
                          "text/javascript; charset=utf-8", false);
    case SERVE_ROUTE_FLEET_JS:
        return send_bytes(c, 200, ft_web_dash_fleet_js, ft_web_dash_fleet_js_len,
                          "text/javascript; charset=utf-8", false);
    case SERVE_ROUTE_CSS:
        return send_bytes(c, 200, ft_web_dash_css, ft_web_dash_css_len,
                          "text/css; charset=utf-8", false);
    case SERVE_ROUTE_CHART_JS:
        return send_bytes(c, 200, ft_web_chart_js, ft_web_chart_js_len,
                          "text/javascript; charset=utf-8", false);
    case SERVE_ROUTE_MODEL:
        return send_json(c, 200, strdup(h->model_json));
    case SERVE_ROUTE_STATE:
        return send_json(c, 200, h->src.ops->state(h->src.impl, 0, 0, &v));
    case SERVE_ROUTE_KPIS:
        return send_json(c, 200, h->src.ops->kpis(h->src.impl));
    case SERVE_ROUTE_FORECAST:
        return h->src.ops->forecast
                   ? send_json(c, 200, h->src.ops->forecast(h->src.impl))
                   : send_error(c, 404, "forecasts exist only in twin mode "
                                        "(fabtwin serve MODEL --twin --replay FILE | --mqtt URL)");
    case SERVE_ROUTE_EVENTS:
        return events(h, c);
    case SERVE_ROUTE_STATION:
        return station(h, c, arg);
    case SERVE_ROUTE_CONTROL:
        return send_error(c, 405, "use POST for /api/control");
    case SERVE_ROUTE_NONE:
        break;
    }
    return send_error(c, 404, "no such page; the API is under /api/ (docs/dashboard.md)");
}

/* What every request must pass before anything else: a Host of ours and a
 * path that decodes to UTF-8 without NUL; 0 or the status refused with. */
static unsigned admissible(serve_http *h, struct MHD_Connection *c, const char *url,
                           const char **why)
{
    serve_hosts extra = {(const char *const *)h->hosts, h->n_hosts};
    if (!serve_req_host_ok(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host"), &extra)) {
        *why = "unknown Host: this server answers to its loopback names, its --listen "
               "address and the names given with --host";
        return 421;
    }
    if (!serve_req_path_ok(url)) {
        *why = "the path must decode to UTF-8 text without NUL or control characters";
        return 400;
    }
    return 0;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    serve_http *h = cls;
    (void)version;
    bool post = strcmp(method, "POST") == 0;
    if (!*con_cls) { /* first call: headers only */
        const char *why;
        unsigned refused = admissible(h, c, url, &why);
        if (refused) {
            *con_cls = h;
            return send_error(c, refused, why);
        }
        request *rq = post ? calloc(1, sizeof *rq) : NULL;
        *con_cls = post ? (void *)rq : (void *)h;
        return post && !rq ? MHD_NO : MHD_YES;
    }
    if (post && *con_cls == h) { /* refused at the headers: drop the body */
        *upload_size = 0;
        return MHD_YES;
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
        const char *arg;
        if (serve_req_route(url, &arg) != SERVE_ROUTE_CONTROL)
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

static size_t unescape(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls;
    (void)c;
    return serve_req_unescape(s);
}

/* ---- starting and stopping --------------------------------------------------- */

static bool add_host(serve_http *h, const char *name)
{
    char **more = realloc(h->hosts, (h->n_hosts + 1) * sizeof *more);
    if (!more)
        return false;
    h->hosts = more;
    return (h->hosts[h->n_hosts] = strdup(name)) && ++h->n_hosts;
}

/* The Host names to answer to besides loopback: the --host names, the
 * address listened on, or, on 0.0.0.0, every IPv4 address of this machine
 * and its host name. */
static bool collect_hosts(serve_http *h, const serve_options *o, const char *address)
{
    for (size_t i = 0; i < o->n_hosts; i++)
        if (!add_host(h, o->hosts[i]))
            return false;
    if (strcmp(address, "0.0.0.0") != 0)
        return add_host(h, address);
    char name[256];
    if (gethostname(name, sizeof name) == 0 && (name[sizeof name - 1] = '\0', name[0]) &&
        !add_host(h, name))
        return false;
    struct ifaddrs *all;
    if (getifaddrs(&all) != 0)
        return true;
    bool ok = true;
    for (struct ifaddrs *i = all; i && ok; i = i->ifa_next) {
        char text[INET_ADDRSTRLEN];
        if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET &&
            inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, text, sizeof text))
            ok = add_host(h, text);
    }
    freeifaddrs(all);
    return ok;
}

/* Room for `conns` connections among the open files: raise the soft limit
 * as far as the hard one allows; the connections there is room for. */
static unsigned room_for(unsigned conns)
{
    struct rlimit r;
    if (getrlimit(RLIMIT_NOFILE, &r) != 0)
        return conns;
    rlim_t want = (rlim_t)conns + SPARE_FDS;
    if (r.rlim_cur != RLIM_INFINITY && r.rlim_cur < want) {
        r.rlim_cur = r.rlim_max == RLIM_INFINITY || r.rlim_max >= want ? want : r.rlim_max;
        setrlimit(RLIMIT_NOFILE, &r);
        getrlimit(RLIMIT_NOFILE, &r);
    }
    if (r.rlim_cur == RLIM_INFINITY || r.rlim_cur >= want)
        return conns;
    return r.rlim_cur > 2 * SPARE_FDS ? (unsigned)(r.rlim_cur - SPARE_FDS) : 0;
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
    unsigned conns = o->max_connections ? o->max_connections : SERVE_MAX_CONNECTIONS;
    unsigned per_ip = o->max_per_ip ? o->max_per_ip : SERVE_MAX_PER_IP;
    unsigned timeout_s = o->timeout_s ? o->timeout_s : SERVE_TIMEOUT_S;
    unsigned room = room_for(conns);
    if (room < conns && !o->max_connections && room >= 2 * SPARE_FDS)
        conns = room; /* the default is what the open-file limit allows */
    if (room < conns) {
        ft_fail(err, NULL, 0, 0, "%u connections need %u open files, and this process may "
                                 "open %u (ulimit -n): lower --max-connections",
                conns, conns + SPARE_FDS, room + SPARE_FDS);
        return NULL;
    }
    serve_http *h = calloc(1, sizeof *h);
    if (!h || !(h->model_json = serve_model_json(m))) {
        free(h);
        ft_fail(err, NULL, 0, 0, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&h->mu, NULL);
    h->model = m;
    h->src = *src;
    h->exposed = (ntohl(addr.sin_addr.s_addr) >> 24) != 127;
    if (h->exposed && (!o->token || strlen(o->token) < 16)) {
        ft_fail(err, NULL, 0, 0, "listening beyond loopback needs a token of 16 characters "
                                 "or more (--token or FABTWIN_TOKEN)");
        serve_http_stop(h);
        return NULL;
    }
    if ((o->token && !(h->token = strdup(o->token))) || !collect_hosts(h, o, address)) {
        ft_fail(err, NULL, 0, 0, "out of memory");
        serve_http_stop(h);
        return NULL;
    }
    if (pthread_create(&h->notifier, NULL, notifier, h) != 0) {
        ft_fail(err, NULL, 0, 0, "cannot start a thread");
        serve_http_stop(h);
        return NULL;
    }
    h->notifier_started = true;
    h->daemon = MHD_start_daemon(
        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME, o->port, NULL, NULL, handle,
        h, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)POOL_THREADS, MHD_OPTION_CONNECTION_LIMIT, conns,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip, MHD_OPTION_CONNECTION_TIMEOUT, timeout_s,
        MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL, MHD_OPTION_NOTIFY_COMPLETED, completed, h,
        MHD_OPTION_END);
    if (!h->daemon) {
        ft_fail(err, NULL, 0, 0, "cannot listen on %s:%u (in use, or not allowed)", address,
                (unsigned)o->port);
        serve_http_stop(h);
        return NULL;
    }
    return h;
}

/* The notifier resumes every suspended stream and lets none suspend again
 * before the daemon stops: stopping it with a suspended connection is an
 * error in libmicrohttpd. */
void serve_http_stop(serve_http *h)
{
    if (!h)
        return;
    pthread_mutex_lock(&h->mu);
    h->stop = true;
    pthread_mutex_unlock(&h->mu);
    if (h->notifier_started)
        pthread_join(h->notifier, NULL);
    if (h->daemon)
        MHD_stop_daemon(h->daemon);
    pthread_mutex_destroy(&h->mu);
    for (size_t i = 0; i < h->n_hosts; i++)
        free(h->hosts[i]);
    free(h->hosts);
    free(h->model_json);
    free(h->token);
    free(h);
}
