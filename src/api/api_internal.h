/* api_internal.h -- what the files of the public API share: an ft_model is
 * a validated model_desc (the first and only member, so a cast converts). */
#ifndef FABTWIN_API_INTERNAL_H
#define FABTWIN_API_INTERNAL_H

#include "fabtwin/fabtwin.h"
#include "model/model.h"

struct ft_model {
    model_desc desc;
};

/* The kernel under a simulation: for tests that inject a scheduling
 * failure (sim_fail_schedule_after). */
struct sim *ft_sim_kernel(ft_sim *s);

#endif
