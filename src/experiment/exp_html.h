/* exp_html.h -- the self-contained HTML report of an experiment
 * (`fabtwin experiment … --report FILE`).
 *
 * The report is one HTML file that works offline (also from file://): the
 * page (web/report/), the charting library and its error-bar plugin
 * (web/vendor/) are embedded into the binary at build time and inlined into
 * the file, and the experiment summary (docs/experiment-json.md) is embedded
 * as a JSON data block that the page's script draws from. */
#ifndef FABTWIN_EXP_HTML_H
#define FABTWIN_EXP_HTML_H

#include <stdio.h>

#include "fabtwin/fabtwin.h"

/* Write the report for summary_json, a `fabtwin-experiment/1` document, to
 * out. Returns 0, or -1 with err filled when the summary is not JSON, is not
 * an experiment summary, or the report cannot be written. */
int exp_html_write(FILE *out, const char *summary_json, ft_error *err);

#endif
