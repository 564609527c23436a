/* ft_model_graph.c -- the public API's view of a model's structure: its
 * stations with their input buffers, each product's route and the AGV
 * layout, which is what a drawing of the plant (the web dashboard) needs.
 * Plain reads of the model description. */
#include "api_internal.h"
#include "model/model.h"

void ft_model_station_info(const ft_model *m, size_t station, ft_station_info *out)
{
    static const char *const kinds[] = {"process", "assembly", "split", "inspection"};
    const model_station *st = &m->desc.stations[station];
    int b = model_station_input(&m->desc, (int)station);
    *out = (ft_station_info){.name = st->name,
                             .kind = kinds[st->kind],
                             .servers = st->servers,
                             .buffer = b == MODEL_NONE ? NULL : m->desc.buffers[b].name,
                             .capacity = b == MODEL_NONE ? -1 : m->desc.buffers[b].capacity,
                             .has_position = st->has_at,
                             .x_m = st->at_m[0],
                             .y_m = st->at_m[1]};
}

size_t ft_model_product_count(const ft_model *m)
{
    return m->desc.n_products;
}

const char *ft_model_product_name(const ft_model *m, size_t product)
{
    return product < m->desc.n_products ? m->desc.products[product].name : NULL;
}

size_t ft_model_route_length(const ft_model *m, size_t product)
{
    return product < m->desc.n_products ? m->desc.products[product].n_steps : 0;
}

size_t ft_model_route_station(const ft_model *m, size_t product, size_t step)
{
    return (size_t)m->desc.products[product].steps[step].station;
}

size_t ft_model_node_count(const ft_model *m)
{
    return m->desc.layout.present ? m->desc.layout.n_nodes : 0;
}

static bool listed(const int *nodes, size_t n, int node)
{
    for (size_t k = 0; k < n; k++)
        if (nodes[k] == node)
            return true;
    return false;
}

void ft_model_node_info(const ft_model *m, size_t node, ft_node_info *out)
{
    const model_layout *l = &m->desc.layout;
    const model_node *nd = &l->nodes[node];
    const char *role = "";
    if (listed(l->parking, l->n_parking, (int)node))
        role = "parking";
    else if (listed(l->chargers, l->n_chargers, (int)node))
        role = "charger";
    else if (l->shipping == (int)node)
        role = "shipping";
    else
        for (size_t i = 0; i < m->desc.n_sources; i++)
            if (m->desc.sources[i].pick == (int)node)
                role = "store";
    *out = (ft_node_info){nd->name, nd->at_m[0], nd->at_m[1], role};
}

size_t ft_model_edge_count(const ft_model *m)
{
    return m->desc.layout.present ? m->desc.layout.n_edges : 0;
}

void ft_model_edge_info(const ft_model *m, size_t edge, ft_edge_info *out)
{
    const model_edge *e = &m->desc.layout.edges[edge];
    *out = (ft_edge_info){(size_t)e->from, (size_t)e->to, e->length_m, e->one_way};
}

int ft_model_vehicle_count(const ft_model *m)
{
    return m->desc.fleet.present ? m->desc.fleet.vehicles : 0;
}

int ft_model_station_pick(const ft_model *m, size_t station)
{
    return m->desc.stations[station].pick;
}

int ft_model_station_drop(const ft_model *m, size_t station)
{
    return m->desc.stations[station].drop;
}
