/* model_desc.c -- owning and querying a model description: model_free and
 * the lookups the layers above use (by name, a station's input buffer, the
 * conveyor between two stations, a layout node by name).
 *
 * model_free accepts a description in any state of construction: arrays
 * are allocated zeroed with their counts set, so every pointer is either
 * owned or NULL. Lookups are linear: models have tens of entities, and the
 * engine resolves names once when it builds a factory. */
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"

void model_free(model_desc *m)
{
    if (!m)
        return;
    for (size_t i = 0; m->products && i < m->n_products; i++) {
        model_product *p = &m->products[i];
        for (size_t k = 0; p->steps && k < p->n_steps; k++)
            sim_dist_free(&p->steps[k].time_s);
        free(p->steps);
        free(p->name);
        free(p->unit);
    }
    for (size_t i = 0; m->sources && i < m->n_sources; i++) {
        model_source *s = &m->sources[i];
        sim_dist_free(&s->interarrival_s);
        free(s->orders);
        free(s->orders_file);
        free(s->name);
    }
    for (size_t i = 0; m->buffers && i < m->n_buffers; i++)
        free(m->buffers[i].name);
    for (size_t i = 0; m->stations && i < m->n_stations; i++) {
        model_station *st = &m->stations[i];
        for (size_t k = 0; st->failures && k < st->n_failures; k++) {
            sim_dist_free(&st->failures[k].ttf_s);
            sim_dist_free(&st->failures[k].ttr_s);
            free(st->failures[k].name);
        }
        free(st->failures);
        sim_dist_free(&st->setup_s);
        free(st->bom);
        free(st->name);
    }
    for (size_t i = 0; m->conveyors && i < m->n_conveyors; i++)
        free(m->conveyors[i].name);
    for (size_t i = 0; m->calendars && i < m->n_calendars; i++) {
        free(m->calendars[i].on);
        free(m->calendars[i].name);
    }
    for (size_t i = 0; m->layout.nodes && i < m->layout.n_nodes; i++)
        free(m->layout.nodes[i].name);
    free(m->layout.nodes);
    free(m->layout.edges);
    free(m->layout.parking);
    free(m->layout.chargers);
    sim_dist_free(&m->fleet.load_s);
    sim_dist_free(&m->fleet.unload_s);
    free(m->products);
    free(m->sources);
    free(m->buffers);
    free(m->stations);
    free(m->conveyors);
    free(m->calendars);
    free(m->name);
    free(m->path);
    free(m);
}

int model_find_product(const model_desc *m, const char *name)
{
    for (size_t i = 0; name && i < m->n_products; i++)
        if (strcmp(m->products[i].name, name) == 0)
            return (int)i;
    return MODEL_NONE;
}

int model_find_station(const model_desc *m, const char *name)
{
    for (size_t i = 0; name && i < m->n_stations; i++)
        if (strcmp(m->stations[i].name, name) == 0)
            return (int)i;
    return MODEL_NONE;
}

int model_find_buffer(const model_desc *m, const char *name)
{
    for (size_t i = 0; name && i < m->n_buffers; i++)
        if (strcmp(m->buffers[i].name, name) == 0)
            return (int)i;
    return MODEL_NONE;
}

int model_find_node(const model_desc *m, const char *name)
{
    for (size_t i = 0; name && i < m->layout.n_nodes; i++)
        if (strcmp(m->layout.nodes[i].name, name) == 0)
            return (int)i;
    return MODEL_NONE;
}

int model_station_input(const model_desc *m, int station)
{
    for (size_t i = 0; i < m->n_buffers; i++)
        if (m->buffers[i].feeds == station)
            return (int)i;
    return MODEL_NONE;
}

int model_find_conveyor(const model_desc *m, int from, int to)
{
    for (size_t i = 0; i < m->n_conveyors; i++)
        if (m->conveyors[i].from == from && m->conveyors[i].to == to)
            return (int)i;
    return MODEL_NONE;
}
