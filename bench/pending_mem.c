/* pending_mem.c -- bytes of memory per pending event in the fabtwin kernel.
 *
 * Schedules N (default 1e7) events on a fresh sim (src/sim/sim.h) at random future times,
 * with nothing run in between, and reports (resident set after - before) / N, read from
 * /proc/self/statm, plus the same for the peak resident set (VmHWM in /proc/self/status,
 * which also sees the transient copy when an array grows). Then it runs them all to check
 * they fire in time order. Built and run by bench/run.sh against build-bench/libfabtwin_core.a:
 *   cc -O2 -I include -I src bench/pending_mem.c build-bench/libfabtwin_core.a -lm
 * usage: pending_mem [N]   prints key=value pairs on one line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/sim.h"

static long rss_bytes(void)
{
    long pages_total = 0, pages_resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f || fscanf(f, "%ld %ld", &pages_total, &pages_resident) != 2) {
        perror("/proc/self/statm");
        exit(1);
    }
    fclose(f);
    return pages_resident * sysconf(_SC_PAGESIZE);
}

static long hwm_bytes(void)
{
    char line[256];
    long kb = -1;
    FILE *f = fopen("/proc/self/status", "r");
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0)
            kb = strtol(line + 6, NULL, 10);
    if (f)
        fclose(f);
    return kb * 1024;
}

static double last_t = -1;
static long out_of_order = 0;

static void handler(sim *s, void *obj, intptr_t arg)
{
    (void)obj, (void)arg;
    double t = sim_now(s);
    if (t < last_t)
        out_of_order++;
    last_t = t;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? (long)strtod(argv[1], NULL) : 10000000L;
    sim *s = sim_new();
    if (!s)
        return 1;
    long rss0 = rss_bytes(), hwm0 = hwm_bytes();
    uint64_t x = 88172645463325252ull; /* xorshift64: random delays in [0, 1e6) s */
    for (long i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        if (sim_schedule(s, (double)(x >> 11) * 0x1.0p-53 * 1e6, handler, NULL, i) ==
            SIM_NO_EVENT) {
            fprintf(stderr, "pending_mem: sim_schedule failed at %ld\n", i);
            return 1;
        }
    }
    long rss1 = rss_bytes(), hwm1 = hwm_bytes();
    size_t pending = sim_pending(s);
    uint64_t ran = sim_run_until(s, 2e6);
    printf("pending=%zu rss_bytes_per_event=%.1f peak_bytes_per_event=%.1f ran=%llu "
           "out_of_order=%ld\n",
           pending, (double)(rss1 - rss0) / (double)n, (double)(hwm1 - hwm0) / (double)n,
           (unsigned long long)ran, out_of_order);
    sim_free(s);
    return pending == (size_t)n && ran == (uint64_t)n && out_of_order == 0 ? 0 : 1;
}
