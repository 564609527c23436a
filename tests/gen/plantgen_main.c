/* plantgen_main.c -- `plantgen SEED DIR`: write the random plant of SEED
 * into the folder DIR (model.yaml, maybe orders.csv and grid.map) and print
 * the model's path and the features it uses. For bench/soak.sh and for
 * looking at a plant a failing test named. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "plantgen.h"

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: plantgen SEED DIR\n");
        return 2;
    }
    char *end;
    errno = 0;
    unsigned long long seed = strtoull(argv[1], &end, 10);
    if (errno || *end || !argv[1][0]) {
        fprintf(stderr, "plantgen: SEED must be a whole number, got '%s'\n", argv[1]);
        return 2;
    }
    if (mkdir(argv[2], 0777) && errno != EEXIST) {
        perror(argv[2]);
        return 1;
    }
    char path[1024];
    unsigned features;
    if (plantgen_write(seed, argv[2], path, sizeof path, &features)) {
        fprintf(stderr, "plantgen: cannot write into %s\n", argv[2]);
        return 1;
    }
    printf("%s", path);
    for (int i = 0; i < PG_N_FEATURES; i++)
        if (features & (1u << i))
            printf(" [%s]", plantgen_feature_name(i));
    printf("\n");
    return 0;
}
