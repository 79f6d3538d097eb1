/* Fault scenarios (src/core/fault.hpp): the fault plan is read once per
 * process, so each scenario runs in a fresh copy of the test program
 * (argv: self, method, "--fault", scenario) with MPROC_TEST_FAULT=plan, and
 * reports like any cmocka group. A scenario must end well within the time
 * given: a hang fails it. */
#ifndef MPROC_TEST_FAULT_SCENARIO_H
#define MPROC_TEST_FAULT_SCENARIO_H

#include "harness.h"

static inline void test_run_fault_scenario(const char *self, const char *method,
                                           const char *scenario, const char *plan) {
  if (!MPROC_TEST_FAULTS)
    test_skip_because("this build has no fault hook (meson -Dfault_injection)");
  const char *argv[] = {self, method, "--fault", scenario, NULL};
  mproc_command_opts_t *opts = NULL;
  assert_mproc_ok(mproc_command_opts_new(&opts));
  assert_mproc_ok(mproc_command_opts_env_set(opts, "MPROC_TEST_FAULT", plan));
  /* Its output goes to ours, so that a failure or a hang shows its story. */
  mproc_command_t *cmd = NULL;
  assert_mproc_ok(mproc_command_new(&cmd, argv, opts));
  mproc_command_opts_free(opts);
  assert_mproc_ok(mproc_command_start(cmd));
  int code = -1;
  if (mproc_command_join(cmd, 150000) == MPROC_ETIMEDOUT) {
    assert_mproc_ok(mproc_command_kill(cmd));
    assert_mproc_ok(mproc_command_join(cmd, 60000));
    mproc_command_free(cmd);
    fail_msg("scenario %s (MPROC_TEST_FAULT=%s) hung", scenario, plan);
  }
  assert_mproc_ok(mproc_command_exitcode(cmd, &code));
  mproc_command_free(cmd);
  if (code != 0) fail_msg("scenario %s (MPROC_TEST_FAULT=%s) exited with %d", scenario, plan, code);
}

#endif
