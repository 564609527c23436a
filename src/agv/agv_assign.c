/* agv_assign.c -- the Hungarian method for the dispatcher's batch
 * assignment: given the empty-travel cost of every (task, vehicle) pair,
 * pick one vehicle per task so that the total is least.
 *
 * The shortest-augmenting-path form with row and column potentials (Kuhn,
 * Munkres; as presented by Jonker and Volgenant): rows are added one at a
 * time, each by a Dijkstra-like search over columns with reduced costs.
 * O(rows^2 * cols); the fleet's problems are tens of rows. */
#include <float.h>
#include <stdlib.h>

#include "agv/agv_internal.h"

int agv_assign(const double *cost, int rows, int cols, int *assign)
{
    /* 1-based arrays; column 0 is the virtual start of each search. */
    double *u = calloc((size_t)rows + 1, sizeof *u);
    double *v = calloc((size_t)cols + 1, sizeof *v);
    double *minv = malloc(((size_t)cols + 1) * sizeof *minv);
    int *owner = calloc((size_t)cols + 1, sizeof *owner); /* row of each column, 0 = free */
    int *way = calloc((size_t)cols + 1, sizeof *way);
    char *used = malloc((size_t)cols + 1);
    if (!u || !v || !minv || !owner || !way || !used) {
        free(u), free(v), free(minv), free(owner), free(way), free(used);
        return -1;
    }
    for (int i = 1; i <= rows; i++) {
        owner[0] = i;
        int j0 = 0;
        for (int j = 0; j <= cols; j++) {
            minv[j] = DBL_MAX;
            used[j] = 0;
        }
        do {
            used[j0] = 1;
            int i0 = owner[j0], j1 = 0;
            double delta = DBL_MAX;
            for (int j = 1; j <= cols; j++) {
                if (used[j])
                    continue;
                double cur = cost[(size_t)(i0 - 1) * cols + (j - 1)] - u[i0] - v[j];
                if (cur < minv[j]) {
                    minv[j] = cur;
                    way[j] = j0;
                }
                if (minv[j] < delta) {
                    delta = minv[j];
                    j1 = j;
                }
            }
            for (int j = 0; j <= cols; j++) {
                if (used[j]) {
                    u[owner[j]] += delta;
                    v[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            }
            j0 = j1;
        } while (owner[j0] != 0);
        do { /* flip the augmenting path */
            int j1 = way[j0];
            owner[j0] = owner[j1];
            j0 = j1;
        } while (j0 != 0);
    }
    for (int j = 1; j <= cols; j++)
        if (owner[j])
            assign[owner[j] - 1] = j - 1;
    free(u), free(v), free(minv), free(owner), free(way), free(used);
    return 0;
}
