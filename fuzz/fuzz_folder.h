/* fuzz_folder.h -- a private folder for the harnesses that need files on
 * disk (a model path, and the order list it names): made once per process
 * (a harness's only state), removed at exit. Header-only: each harness is
 * its own executable built from one fuzz_NAME.c. */
#ifndef FABTWIN_FUZZ_FOLDER_H
#define FABTWIN_FUZZ_FOLDER_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char fuzz_folder[64];
static char fuzz_model_path[96], fuzz_csv_path[96];

static void fuzz_folder_remove(void)
{
    unlink(fuzz_csv_path);
    rmdir(fuzz_folder);
}

/* Make the folder (once) with the paths of `model` and `csv` in it; 0 when
 * it is there. */
static int fuzz_folder_setup(const char *model, const char *csv)
{
    if (fuzz_folder[0])
        return 0;
    snprintf(fuzz_folder, sizeof fuzz_folder, "/tmp/fabtwin-fuzz-XXXXXX");
    if (!mkdtemp(fuzz_folder))
        return -1;
    snprintf(fuzz_model_path, sizeof fuzz_model_path, "%s/%s", fuzz_folder, model);
    snprintf(fuzz_csv_path, sizeof fuzz_csv_path, "%s/%s", fuzz_folder, csv);
    atexit(fuzz_folder_remove);
    return 0;
}

#endif
