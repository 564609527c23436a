/* exp_kpi.c -- a report's KPIs as a flat, named vector: what an experiment
 * stores per replication and summarises per scenario.
 *
 * The order is fixed by the report's structure (plant, then each product,
 * station and buffer in model order, each with its measures in the order of
 * the tables below), so a name's index is the same in every replication and
 * every scenario of an experiment. docs/experiment-json.md lists the
 * measures; docs/kpis.md defines them. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiment/exp_result.h"

/* "warnings": how many the run ended with (ft_report.warnings): a
 * replication that stalled is flagged, not just averaged in */
static const char *const plant_measures[] = {"throughput_per_hour", "wip_mean", "sojourn_mean_s",
                                             "exit_rate_per_s", "warnings"};
static const char *const product_measures[] = {
    "per_hour", "per_day",      "quantity_per_day", "produced",    "scrapped",
    "takt_s",   "cycle_mean_s", "cycle_p50_s",      "cycle_p95_s", "cycle_max_s"};
/* the FT_N_STATES state shares come first, named by ft_state_name */
static const char *const station_measures[] = {
    "utilization", "availability", "performance",     "quality",            "oee",
    "processed",   "scrapped",     "reworked",        "bottleneck_sole",    "bottleneck_shifting"};
static const char *const buffer_measures[] = {"mean_level", "max_level"};
/* fleet-wide only: per-vehicle figures would change the vector's length
 * when an experiment varies fleet.vehicles */
static const char *const fleet_measures[] = {
    "items",       "wait_mean_s", "wait_p95_s", "delivery_mean_s", "delivery_p95_s",
    "utilization", "blocked",     "loaded_m",   "empty_m",         "depleted"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define N_STATION (FT_N_STATES + COUNT(station_measures))

static int add(exp_kpi_defs *d, const char *group, const char *entity, const char *measure)
{
    exp_kpi_def *k = &d->defs[d->n];
    size_t len = strlen(group) + strlen(entity) + strlen(measure) + 3;
    k->name = malloc(len);
    k->group = strdup(group);
    k->entity = strdup(entity);
    k->measure = strdup(measure);
    d->n++;
    if (!k->name || !k->group || !k->entity || !k->measure)
        return -1;
    if (*entity)
        snprintf(k->name, len, "%s.%s.%s", group, entity, measure);
    else
        snprintf(k->name, len, "%s.%s", group, measure);
    return 0;
}

int exp_kpi_defs_from_report(exp_kpi_defs *d, const ft_report *r, ft_error *err)
{
    size_t n = COUNT(plant_measures) + r->n_products * COUNT(product_measures) +
               r->n_stations * N_STATION + r->n_buffers * COUNT(buffer_measures) +
               (r->fleet ? COUNT(fleet_measures) : 0);
    d->n = 0;
    if (!(d->defs = calloc(n, sizeof *d->defs)))
        goto oom;
    for (size_t i = 0; i < COUNT(plant_measures); i++)
        if (add(d, "plant", "", plant_measures[i]))
            goto oom;
    for (size_t p = 0; p < r->n_products; p++)
        for (size_t i = 0; i < COUNT(product_measures); i++)
            if (add(d, "product", r->products[p].name, product_measures[i]))
                goto oom;
    for (size_t s = 0; s < r->n_stations; s++) {
        for (int st = 0; st < FT_N_STATES; st++)
            if (add(d, "station", r->stations[s].name, ft_state_name((ft_state)st)))
                goto oom;
        for (size_t i = 0; i < COUNT(station_measures); i++)
            if (add(d, "station", r->stations[s].name, station_measures[i]))
                goto oom;
    }
    for (size_t b = 0; b < r->n_buffers; b++)
        for (size_t i = 0; i < COUNT(buffer_measures); i++)
            if (add(d, "buffer", r->buffers[b].name, buffer_measures[i]))
                goto oom;
    for (size_t i = 0; r->fleet && i < COUNT(fleet_measures); i++)
        if (add(d, "fleet", "", fleet_measures[i]))
            goto oom;
    return 0;
oom:
    exp_kpi_defs_free(d);
    return ft_fail(err, NULL, 0, 0, "out of memory naming the KPIs");
}

void exp_kpi_defs_free(exp_kpi_defs *d)
{
    for (size_t i = 0; d->defs && i < d->n; i++) {
        free(d->defs[i].name);
        free(d->defs[i].group);
        free(d->defs[i].entity);
        free(d->defs[i].measure);
    }
    free(d->defs);
    d->defs = NULL;
    d->n = 0;
}

int exp_kpi_find(const exp_kpi_defs *d, const char *name)
{
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->defs[i].name, name) == 0)
            return (int)i;
    return -1;
}

void exp_kpi_values(const exp_kpi_defs *d, const ft_report *r, double *v)
{
    size_t k = 0;
    double throughput = 0;
    for (size_t p = 0; p < r->n_products; p++)
        throughput += r->products[p].per_hour;
    v[k++] = throughput;
    v[k++] = r->wip_mean;
    v[k++] = r->sojourn_mean_s;
    v[k++] = r->exit_rate_per_s;
    v[k++] = (double)r->n_warnings;
    for (size_t p = 0; p < r->n_products; p++) {
        const ft_product_kpis *x = &r->products[p];
        const double row[] = {x->per_hour,         x->per_day,      x->quantity_per_day,
                              (double)x->produced, (double)x->scrapped, x->takt_s,
                              x->cycle_mean_s,     x->cycle_p50_s,  x->cycle_p95_s,
                              x->cycle_max_s};
        _Static_assert(COUNT(row) == COUNT(product_measures), "one value per product measure");
        memcpy(v + k, row, sizeof row);
        k += COUNT(row);
    }
    for (size_t s = 0; s < r->n_stations; s++) {
        const ft_station_kpis *x = &r->stations[s];
        memcpy(v + k, x->state_frac, sizeof x->state_frac);
        k += FT_N_STATES;
        const double row[] = {x->utilization,        x->availability,       x->performance,
                              x->quality,            x->oee,                (double)x->processed,
                              (double)x->scrapped,   (double)x->reworked,   x->bottleneck_sole_frac,
                              x->bottleneck_shifting_frac};
        _Static_assert(COUNT(row) == COUNT(station_measures), "one value per station measure");
        memcpy(v + k, row, sizeof row);
        k += COUNT(row);
    }
    for (size_t b = 0; b < r->n_buffers; b++) {
        v[k++] = r->buffers[b].mean_level;
        v[k++] = r->buffers[b].max_level;
    }
    if (r->fleet) {
        const ft_fleet_kpis *x = r->fleet;
        const double row[] = {(double)x->items,   x->wait_mean_s,  x->wait_p95_s,
                              x->delivery_mean_s, x->delivery_p95_s, x->utilization,
                              x->blocked_frac,    x->loaded_m,     x->empty_m,
                              (double)x->depleted};
        _Static_assert(COUNT(row) == COUNT(fleet_measures), "one value per fleet measure");
        memcpy(v + k, row, sizeof row);
        k += COUNT(row);
    }
    assert(k == d->n);
    (void)d;
}
