/* main.c -- the `fabtwin` command line: usage and the table of commands.
 *
 * A thin client of the public API (fabtwin.h). Exit status: 0 success,
 * 1 the model or the run failed (message on stderr as file:line:col:),
 * 2 bad command-line usage. */
#include <string.h>

#include "cli.h"
#include "experiment/exp_mpi.h"

static const char usage[] =
    "usage: fabtwin <command> [options]\n"
    "\n"
    "commands:\n"
    "  check MODEL            validate a model; errors as file:line:col: message\n"
    "  run MODEL [options]    simulate and print the KPI table\n"
    "  experiment MODEL|FILE  replications and scenario sweeps with confidence intervals\n"
    "  export DB              a stored experiment's replications as CSV or JSON\n"
    "  twin MODEL --replay FILE|--mqtt URL   mirror a plant's telemetry, forecast the shift\n"
    "  emulate MODEL --out FILE|--mqtt URL   a simulated plant publishing telemetry\n"
    "  serve MODEL            the web dashboard: the model running at a multiple of real time\n"
    "  serve MODEL --twin --replay FILE|--mqtt URL   the dashboard of the live twin\n"
    "  mapf --map M --scen S --agents N   plan collision-free paths (MovingAI formats);\n"
    "                         --check --plan P validates a plan (docs/mapf.md)\n"
    "  version                print the version\n"
    "\n"
    "run options:\n"
    "  --seed N               random seed (default: the model's run.seed)\n"
    "  --warmup DURATION      warm-up deleted from the statistics, e.g. 2h\n"
    "  --length DURATION      measured period after the warm-up, e.g. 7d\n"
    "  --max-items N          cap on items in the plant at once (default: run.max_items)\n"
    "  --json FILE            write the KPIs as JSON (- for stdout)\n"
    "  --trace FILE           write every event as CSV\n"
    "  --quiet                no table on stdout\n"
    "  --check                check the engine's invariants as it runs; a violation\n"
    "                         stops the run (exit 1). Always on in Debug builds\n"
    "\n"
    "experiment options (docs/experiments.md):\n"
    "  --replications N|MIN..MAX   replications per scenario (default 10)\n"
    "  --half-width P         sequential: add replications until the CI half-width is\n"
    "                         at most P (like 2%) of the mean of --target-kpi\n"
    "  --target-kpi KPI       default: the goal KPI\n"
    "  --confidence P         confidence level (default 95%)\n"
    "  --warmup D|mser5       fixed warm-up, or chosen by MSER-5 on pilot runs\n"
    "  --length D             measured period of each replication\n"
    "  --seed N               base seed\n"
    "  --vary PATH=VALUES     a factor: 1,2,3 or 2..10:2 or 90s..120s:10s (repeatable)\n"
    "  --no-crn               independent random numbers per scenario (default: common)\n"
    "  --goal KPI[:max|min]   the best scenario by (default plant.throughput_per_hour:max)\n"
    "  --response KPI         a KPI to show in the table (repeatable; all are stored)\n"
    "  --threads N            default: all cores; under mpirun, MPI ranks are used\n"
    "  --db FILE              results database (default MODEL.results.sqlite) | --no-db\n"
    "  --json FILE            summary; --csv FILE: every replication; --report FILE: HTML\n"
    "\n"
    "export options: [--experiment ID] [--csv|--json [FILE]]\n"
    "\n"
    "serve options (docs/dashboard.md):\n"
    "  --port N               default 8080, on 127.0.0.1\n"
    "  --listen ADDR[:PORT]   listen beyond loopback; POST then needs --token (or FABTWIN_TOKEN)\n"
    "  --host NAME            a DNS name the server is reached by (repeatable; other Host: 421)\n"
    "  --timeout S            close a connection silent for S seconds (default 10)\n"
    "  --max-per-ip N         connections from one address (default 64)\n"
    "  --max-connections N    connections in all (default 2000)\n"
    "  --speed X              simulated seconds per real second (default 60)\n"
    "  --seed N               as for run (the plant starts empty at Monday 00:00)\n"
    "  --length D             how long the plant runs (default 52w)\n"
    "  --for D                stop after D of real time\n"
    "  --twin                 show the live twin instead: --replay FILE [--speed X|max] or\n"
    "                         --mqtt URL [--topic T], and the twin options --target N,\n"
    "                         --shift-end HH:MM, --forecast-every D, --replications N,\n"
    "                         --seed N, --stale-after D, --max-ahead D, --seq-jump N,\n"
    "                         --confirm N, --record F, --json F, --summary F\n"
    "                         (docs/twin.md); --speed is then the replay's (default 60)\n";

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
} command;

static const command commands[] = {
    {"check", cmd_check},
    {"run", cmd_run},
    {"mapf", cmd_mapf},
    {"experiment", cmd_experiment},
    {"export", cmd_export},
    {"twin", cmd_twin},
    {"emulate", cmd_emulate},
    {"serve", cmd_serve},
};

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("fabtwin %s%s\n", FT_VERSION, exp_mpi_available() ? " (MPI)" : "");
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(cmd, commands[i].name) == 0)
            return commands[i].run(argc - 2, argv + 2);
    return cli_usage_error("unknown command '%s'", cmd);
}
