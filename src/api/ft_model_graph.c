/* ft_model_graph.c -- the public API's view of a model's structure: its
 * stations with their input buffers, and each product's route, which is
 * what a drawing of the plant (the web dashboard) needs. Plain reads of the
 * model description. */
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
