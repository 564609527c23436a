/* ft_report.c -- writing a KPI report: JSON for programs, a table for people.
 *
 * The JSON layout is documented in docs/report-json.md; keys are written in
 * a fixed order so the same run gives byte-identical files. The table pads
 * by display width, so Chinese names (two columns per character) line up. */
#include <jansson.h>
#include <string.h>

#include "fabtwin/fabtwin.h"

/* ---- JSON --------------------------------------------------------------- */

static json_t *station_json(const ft_station_kpis *k)
{
    json_t *states = json_object();
    for (int s = 0; s < FT_N_STATES; s++)
        json_object_set_new(states, ft_state_name((ft_state)s), json_real(k->state_frac[s]));
    return json_pack("{s:s, s:i, s:o, s:f, s:f, s:f, s:f, s:f, s:I, s:I, s:I, s:f, s:f}",
                     "name", k->name, "servers", k->servers, "states", states,
                     "utilization", k->utilization, "availability", k->availability,
                     "performance", k->performance, "quality", k->quality, "oee", k->oee,
                     "processed", (json_int_t)k->processed, "scrapped", (json_int_t)k->scrapped,
                     "reworked", (json_int_t)k->reworked, "bottleneck_sole",
                     k->bottleneck_sole_frac, "bottleneck_shifting", k->bottleneck_shifting_frac);
}

static double consumed_per_hour(const ft_report *r, const ft_product_kpis *p)
{
    return r->length_s > 0 ? (double)p->consumed * 3600 / r->length_s : 0;
}

static json_t *product_json(const ft_product_kpis *p)
{
    return json_pack("{s:s, s:s, s:I, s:I, s:f, s:f, s:f, s:f, s:f, s:f, s:{s:f, s:f, s:f, s:f}}",
                     "name", p->name, "unit", p->unit, "produced", (json_int_t)p->produced,
                     "scrapped", (json_int_t)p->scrapped, "quantity", p->quantity, "per_hour",
                     p->per_hour, "per_day", p->per_day, "quantity_per_day", p->quantity_per_day,
                     "quantity_per_hour", p->quantity_per_hour, "takt_s", p->takt_s,
                     "cycle_time_s", "mean", p->cycle_mean_s, "p50", p->cycle_p50_s, "p95",
                     p->cycle_p95_s, "max", p->cycle_max_s);
}

static json_t *fleet_json(const ft_report *r)
{
    const ft_fleet_kpis *k = r->fleet;
    json_t *vehicles = json_array();
    for (size_t i = 0; i < r->n_vehicles; i++) {
        const ft_vehicle_kpis *v = &r->vehicles[i];
        json_t *states = json_object();
        for (int s = 0; s < FT_VEH_N_STATES; s++)
            json_object_set_new(states, ft_vehicle_state_name((ft_vehicle_state)s),
                                json_real(v->state_frac[s]));
        json_array_append_new(
            vehicles, json_pack("{s:s, s:o, s:f, s:f, s:f, s:I, s:I, s:f}", "name", v->name,
                                "states", states, "utilization", v->utilization, "loaded_m",
                                v->loaded_m, "empty_m", v->empty_m, "trips", (json_int_t)v->trips,
                                "charges", (json_int_t)v->charges, "battery_min",
                                v->battery_min));
    }
    return json_pack("{s:i, s:I, s:{s:f, s:f}, s:{s:f, s:f}, s:f, s:f, s:f, s:f, s:I, s:f, s:f, "
                     "s:f, s:f, s:o}",
                     "vehicles", k->vehicles, "items", (json_int_t)k->items, "wait_s", "mean",
                     k->wait_mean_s, "p95", k->wait_p95_s, "delivery_s", "mean",
                     k->delivery_mean_s, "p95", k->delivery_p95_s, "utilization",
                     k->utilization, "blocked", k->blocked_frac, "loaded_m", k->loaded_m,
                     "empty_m", k->empty_m, "depleted", (json_int_t)k->depleted,
                     "bottleneck_sole", k->bottleneck_sole_frac, "bottleneck_shifting",
                     k->bottleneck_shifting_frac, "chargers_bottleneck_sole",
                     k->chargers_bottleneck_sole_frac, "chargers_bottleneck_shifting",
                     k->chargers_bottleneck_shifting_frac, "per_vehicle", vehicles);
}

int ft_report_write_json(const ft_report *r, FILE *out)
{
    json_t *stations = json_array(), *buffers = json_array(), *products = json_array();
    for (size_t i = 0; i < r->n_stations; i++)
        json_array_append_new(stations, station_json(&r->stations[i]));
    for (size_t i = 0; i < r->n_buffers; i++) {
        const ft_buffer_kpis *b = &r->buffers[i];
        json_t *cap = b->capacity < 0 ? json_null() : json_integer(b->capacity);
        json_array_append_new(buffers, json_pack("{s:s, s:o, s:f, s:f}", "name", b->name,
                                                 "capacity", cap, "mean_level", b->mean_level,
                                                 "max_level", b->max_level));
    }
    json_t *parts = json_array();
    for (size_t i = 0; i < r->n_products; i++) {
        const ft_product_kpis *p = &r->products[i];
        if (p->part)
            json_array_append_new(parts, json_pack("{s:s, s:s, s:I, s:f, s:I}", "name", p->name,
                                                   "unit", p->unit, "consumed",
                                                   (json_int_t)p->consumed, "consumed_per_hour",
                                                   consumed_per_hour(r, p), "scrapped",
                                                   (json_int_t)p->scrapped));
        else
            json_array_append_new(products, product_json(p));
    }
    json_t *root = json_pack(
        "{s:s, s:s, s:s, s:I, s:f, s:f, s:I, s:o, s:o, s:o, s:{s:f, s:f, s:f, s:f}, s:o}",
        "fabtwin", FT_VERSION, "schema", "fabtwin-report/1", "model", r->model, "seed",
        (json_int_t)r->seed, "warmup_s", r->warmup_s, "length_s", r->length_s, "events",
        (json_int_t)r->events, "stations", stations, "buffers", buffers, "products", products,
        "plant", "wip_mean", r->wip_mean, "exit_rate_per_h", r->exit_rate_per_s * 3600,
        "time_in_system_mean_s", r->sojourn_mean_s, "little_lambda_w", r->little_lambda_w,
        "bottleneck", r->bottleneck ? json_string(r->bottleneck) : json_null());
    if (!root)
        return -1;
    if (json_array_size(parts))
        json_object_set_new(root, "parts", parts);
    else
        json_decref(parts);
    if (r->fleet)
        json_object_set_new(root, "fleet", fleet_json(r));
    json_t *warnings = json_array();
    for (size_t i = 0; i < r->n_warnings; i++) {
        const ft_warning *w = &r->warnings[i];
        json_array_append_new(warnings,
                              json_pack("{s:s, s:s, s:f, s:I, s:s}", "what",
                                        ft_warning_kind_name(w->kind), "where", w->where,
                                        "since_s", w->since_s, "items", (json_int_t)w->items,
                                        "message", w->message));
    }
    json_object_set_new(root, "warnings", warnings);
    int rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
    fputc('\n', out);
    json_decref(root);
    return rc;
}

/* ---- table -------------------------------------------------------------- */

/* Terminal columns taken by one code point: 2 for East Asian wide and
 * full-width characters (CJK, Hangul, full-width forms), else 1. */
static int cp_width(unsigned cp)
{
    if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
        (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
        (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
        (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD))
        return 2;
    return 1;
}

static int display_width(const char *s)
{
    int w = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned cp = *p;
        int len = cp < 0x80 ? 1 : cp < 0xE0 ? 2 : cp < 0xF0 ? 3 : 4;
        if (len > 1) {
            cp &= 0x3F >> (len - 1);
            for (int i = 1; i < len && p[i]; i++)
                cp = (cp << 6) | (p[i] & 0x3F);
        }
        for (int i = 0; i < len && *p; i++)
            p++;
        w += cp_width(cp);
    }
    return w;
}

static void pad(FILE *out, const char *s, int width)
{
    fputs(s, out);
    for (int w = display_width(s); w < width; w++)
        fputc(' ', out);
}

static int name_width(const ft_report *r)
{
    int w = 8;
    for (size_t i = 0; i < r->n_stations; i++)
        if (display_width(r->stations[i].name) > w)
            w = display_width(r->stations[i].name);
    for (size_t i = 0; i < r->n_buffers; i++)
        if (display_width(r->buffers[i].name) > w)
            w = display_width(r->buffers[i].name);
    for (size_t i = 0; i < r->n_products; i++)
        if (display_width(r->products[i].name) > w)
            w = display_width(r->products[i].name);
    return w + 2;
}

static void print_duration(FILE *out, double s)
{
    if (s >= 86400)
        fprintf(out, "%8.2f d  ", s / 86400);
    else if (s >= 3600)
        fprintf(out, "%8.2f h  ", s / 3600);
    else if (s >= 60)
        fprintf(out, "%8.2f min", s / 60);
    else
        fprintf(out, "%8.2f s  ", s);
}

static void print_fleet(const ft_report *r, FILE *out)
{
    const ft_fleet_kpis *k = r->fleet;
    fprintf(out, "\nvehicle %6s %6s %6s %6s %6s %6s  %6s %10s %10s %7s %7s %8s\n", "idle%",
            "empty%", "loaded%", "block%", "handl%", "charg%", "util%", "loaded m", "empty m",
            "trips", "charges", "batt min");
    for (size_t i = 0; i < r->n_vehicles; i++) {
        const ft_vehicle_kpis *v = &r->vehicles[i];
        fprintf(out, "%-7s ", v->name);
        for (int s = 0; s < FT_VEH_N_STATES; s++)
            fprintf(out, "%6.1f ", 100 * v->state_frac[s]);
        fprintf(out, " %6.1f %10.0f %10.0f %7llu %7llu %7.0f%%\n", 100 * v->utilization,
                v->loaded_m, v->empty_m, (unsigned long long)v->trips,
                (unsigned long long)v->charges, 100 * v->battery_min);
    }
    fprintf(out, "fleet   %d vehicles, %llu items delivered, utilization %.1f%%, "
            "held by traffic %.1f%%\n", k->vehicles, (unsigned long long)k->items,
            100 * k->utilization, 100 * k->blocked_frac);
    fprintf(out, "        item wait for a vehicle mean %.1f s, P95 %.1f s; "
            "delivery mean %.1f s, P95 %.1f s\n", k->wait_mean_s, k->wait_p95_s,
            k->delivery_mean_s, k->delivery_p95_s);
    fprintf(out, "        sole bottleneck %.1f%% of the time (chargers %.1f%%)\n",
            100 * k->bottleneck_sole_frac, 100 * k->chargers_bottleneck_sole_frac);
    if (k->depleted)
        fprintf(out, "        batteries ran empty %llu times: charge earlier\n",
                (unsigned long long)k->depleted);
}

void ft_report_print(const ft_report *r, FILE *out)
{
    int w = name_width(r);
    fprintf(out, "model %s   seed %llu   warm-up ", r->model, (unsigned long long)r->seed);
    print_duration(out, r->warmup_s);
    fputs("   measured ", out);
    print_duration(out, r->length_s);
    fprintf(out, "   events %llu\n\n", (unsigned long long)r->events);

    pad(out, "product", w);
    fprintf(out, "%10s %10s %14s %10s %12s %12s %12s\n", "produced", "per hour", "qty per day",
            "takt s", "cycle mean", "cycle P50", "cycle P95");
    bool any_part = false;
    for (size_t i = 0; i < r->n_products; i++) {
        const ft_product_kpis *p = &r->products[i];
        any_part |= p->part;
        if (p->part)
            continue;
        pad(out, p->name, w);
        char qty[48];
        snprintf(qty, sizeof qty, "%.0f %s", p->quantity_per_day, p->unit);
        fprintf(out, "%10llu %10.2f %14s %10.1f ", (unsigned long long)p->produced, p->per_hour,
                qty, p->takt_s);
        print_duration(out, p->cycle_mean_s);
        fputc(' ', out);
        print_duration(out, p->cycle_p50_s);
        fputc(' ', out);
        print_duration(out, p->cycle_p95_s);
        fputc('\n', out);
        if (p->scrapped)
            fprintf(out, "%*s(scrapped %llu)\n", w, "", (unsigned long long)p->scrapped);
    }
    if (any_part) {
        fputc('\n', out);
        pad(out, "part", w);
        fprintf(out, "%10s %10s\n", "consumed", "per hour");
    }
    for (size_t i = 0; i < r->n_products; i++) {
        const ft_product_kpis *p = &r->products[i];
        if (!p->part)
            continue;
        pad(out, p->name, w);
        fprintf(out, "%10llu %10.2f\n", (unsigned long long)p->consumed, consumed_per_hour(r, p));
        if (p->scrapped)
            fprintf(out, "%*s(scrapped %llu)\n", w, "", (unsigned long long)p->scrapped);
    }

    fputc('\n', out);
    pad(out, "station", w);
    fprintf(out, "%6s %6s %6s %6s %6s %6s %6s  %6s %6s %6s %6s %6s  %9s\n", "work%", "setup%",
            "starv%", "block%", "fail%", "maint%", "off%", "avail", "perf", "qual", "OEE",
            "bottl%", "processed");
    for (size_t i = 0; i < r->n_stations; i++) {
        const ft_station_kpis *k = &r->stations[i];
        pad(out, k->name, w);
        for (int s = 0; s < FT_N_STATES; s++)
            fprintf(out, "%6.1f ", 100 * k->state_frac[s]);
        fprintf(out, " %6.3f %6.3f %6.3f %6.3f %6.1f  %9llu\n", k->availability, k->performance,
                k->quality, k->oee, 100 * k->bottleneck_sole_frac,
                (unsigned long long)k->processed);
    }

    fputc('\n', out);
    pad(out, "buffer", w);
    fprintf(out, "%10s %10s %10s\n", "capacity", "mean", "max");
    for (size_t i = 0; i < r->n_buffers; i++) {
        const ft_buffer_kpis *b = &r->buffers[i];
        pad(out, b->name, w);
        if (b->capacity < 0)
            fprintf(out, "%10s", "inf");
        else
            fprintf(out, "%10ld", b->capacity);
        fprintf(out, " %10.2f %10.0f\n", b->mean_level, b->max_level);
    }

    fprintf(out, "\nWIP (time average)      %.3f items\n", r->wip_mean);
    fprintf(out, "Little's law  lambda*W  %.3f items  (exit rate %.3f/h x time in system %.1f s)\n",
            r->little_lambda_w, r->exit_rate_per_s * 3600, r->sojourn_mean_s);
    fprintf(out, "bottleneck              %s\n", r->bottleneck ? r->bottleneck : "none");
    if (r->fleet)
        print_fleet(r, out);
    if (r->n_warnings)
        fputc('\n', out);
    for (size_t i = 0; i < r->n_warnings; i++)
        fprintf(out, "WARNING %s since %.1f s: %s\n", ft_warning_kind_name(r->warnings[i].kind),
                r->warnings[i].since_s, r->warnings[i].message);
}
