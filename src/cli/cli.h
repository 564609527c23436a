/* cli.h -- what the files of the command line share: each command is a
 * function taking the arguments after its name, and a few helpers for
 * messages and output files. Exit status everywhere: 0 success, 1 the model,
 * the input or the run failed (message on stderr as file:line:col:), 2 bad
 * command-line usage, 3 the run finished but found work that can never
 * start or figures that do not add up (ft_report.warnings). */
#ifndef FABTWIN_CLI_H
#define FABTWIN_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "base/base_file.h"
#include "fabtwin/fabtwin.h"

#define CLI_EXIT_WARNINGS 3

int cmd_check(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_mapf(int argc, char **argv);
int cmd_experiment(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_twin(int argc, char **argv);
int cmd_emulate(int argc, char **argv);
int cmd_serve(int argc, char **argv);

/* "fabtwin: <fmt with arg>" and a hint on stderr; returns 2. */
int cli_usage_error(const char *fmt, const char *arg);
/* "fabtwin: file:line:col: message" on stderr; returns 1. */
int cli_fail(const ft_error *err);
/* Output files are base_out (base/base_file.h): written whole or not at
 * all. Two output options naming the same file (other than "-", stdout)
 * are a usage error:
 * names[i] is the option of paths[i] (NULL paths are skipped); returns 2
 * (after the message) or 0. */
int cli_distinct_outputs(const char *const names[], const char *const paths[], size_t n);
/* One step of the argument loop of a command with one positional MODEL:
 * argv[*i] is the model (into *model; a second one is an error) or an
 * option "--x" with a value (into *value; *i moves past it). 1: an option,
 * 0: the model, 2: a usage error (printed). */
int cli_model_or_option(int argc, char **argv, int *i, const char **model, const char **value);
/* Is s one of the NULL-terminated names? */
bool cli_is_one_of(const char *s, const char *const *names);
/* Option o came last, without a value: "needs a value" when it is one of
 * the command's options that take one (valued), else "unknown option".
 * Returns 2. */
int cli_missing_value(const char *o, const char *const *valued);
/* "16:00" or "16:00:30" -> seconds of the day; -1 if it is not one. */
int cli_parse_tod(const char *text, double *tod_s);
/* A number in [lo, hi] and nothing after it; -1 otherwise. */
int cli_parse_number(const char *text, double lo, double hi, double *x);

#endif
