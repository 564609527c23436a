/* serve_model.c -- the model document of the dashboard (/api/model): what a
 * drawing of the plant needs, read once through the public API when the
 * server starts. Stations with their buffers, floor positions and AGV
 * pick-up / drop-off nodes; each product's route; and, for a model with a
 * `layout:`, the path network and the size of the fleet.
 *
 * Edges and a station's `pick`/`drop` name nodes by their index in
 * `layout.nodes`, as the API does; a model without a layout has `layout`
 * null and `vehicles` 0, so a page needs no second way to ask. */
#include <jansson.h>

#include "serve/serve.h"

static json_t *node_or_null(int node)
{
    return node < 0 ? json_null() : json_integer(node);
}

static json_t *stations_doc(const ft_model *m)
{
    json_t *stations = json_array();
    for (size_t i = 0; i < ft_model_station_count(m); i++) {
        ft_station_info si;
        ft_model_station_info(m, i, &si);
        json_array_append_new(
            stations,
            json_pack("{s:s, s:s, s:i, s:s?, s:I, s:o, s:o, s:o}", "name", si.name, "kind",
                      si.kind, "servers", si.servers, "buffer", si.buffer, "capacity",
                      (json_int_t)si.capacity, "at",
                      si.has_position ? json_pack("[f, f]", si.x_m, si.y_m) : json_null(),
                      "pick", node_or_null(ft_model_station_pick(m, i)), "drop",
                      node_or_null(ft_model_station_drop(m, i))));
    }
    return stations;
}

static json_t *products_doc(const ft_model *m)
{
    json_t *products = json_array();
    for (size_t p = 0; p < ft_model_product_count(m); p++) {
        json_t *route = json_array();
        for (size_t k = 0; k < ft_model_route_length(m, p); k++)
            json_array_append_new(
                route, json_string(ft_model_station_name(m, ft_model_route_station(m, p, k))));
        json_array_append_new(products, json_pack("{s:s, s:o}", "name",
                                                  ft_model_product_name(m, p), "route", route));
    }
    return products;
}

/* The path network, or null without one. */
static json_t *layout_doc(const ft_model *m)
{
    size_t n_nodes = ft_model_node_count(m);
    if (n_nodes == 0)
        return json_null();
    json_t *nodes = json_array(), *edges = json_array();
    for (size_t i = 0; i < n_nodes; i++) {
        ft_node_info n;
        ft_model_node_info(m, i, &n);
        json_array_append_new(nodes, json_pack("{s:s, s:f, s:f, s:o}", "name", n.name, "x",
                                               n.x_m, "y", n.y_m, "role",
                                               n.role[0] ? json_string(n.role) : json_null()));
    }
    for (size_t i = 0; i < ft_model_edge_count(m); i++) {
        ft_edge_info e;
        ft_model_edge_info(m, i, &e);
        json_array_append_new(edges, json_pack("{s:I, s:I, s:f, s:b}", "from", (json_int_t)e.from,
                                               "to", (json_int_t)e.to, "length_m", e.length_m,
                                               "one_way", e.one_way));
    }
    return json_pack("{s:o, s:o}", "nodes", nodes, "edges", edges);
}

char *serve_model_json(const ft_model *m)
{
    json_t *doc = json_pack("{s:s, s:o, s:o, s:o, s:i}", "name", ft_model_name(m), "stations",
                            stations_doc(m), "products", products_doc(m), "layout",
                            layout_doc(m), "vehicles", ft_model_vehicle_count(m));
    char *text = doc ? json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(10)) : NULL;
    json_decref(doc);
    return text;
}
