/* mproc_set_executable: what a spawned child runs. The test binary and
 * tests/helpers/other_program.c register the same task names with other
 * bodies, so a child's answer says which program ran it. */
#include "harness.h"

static const char *const other_argv[] = {"other-program", "--script", "tasks.mproc"};

/* The bodies in this program: the parent needs each name registered to
 * start it (mproc_process_new and apply_async look it up), and a child of
 * this program runs these. */
MPROC_TASK(exe_ident) { return 7; }
MPROC_POOL_TASK(exe_tag) { return mproc_result_set(out, "self", 4); }

static int back_to_default(void **state) {
  (void)state;
  return mproc_set_executable(NULL, NULL, 0);
}

/* Starts exe_ident and returns its exit status (-1000 if it would not
 * start, with the error code in *rc). */
static int run_ident(int *rc) {
  mproc_process_t *p = NULL;
  assert_mproc_ok(mproc_process_new(&p, "exe_ident", NULL, NULL));
  *rc = mproc_process_start(p);
  int code = -1000;
  if (*rc == 0) {
    assert_mproc_ok(mproc_process_join(p, MPROC_FOREVER));
    assert_mproc_ok(mproc_process_exitcode(p, &code));
  }
  mproc_process_free(p);
  return code;
}

static void a_child_runs_the_named_program_with_its_arguments(void **state) {
  (void)state;
  int rc = 0;
  assert_int_equal(run_ident(&rc), 7);  /* this program, by default */
  assert_mproc_ok(mproc_set_executable(OTHER_PROGRAM_PATH, other_argv, 3));
  /* 42: the other program ran the task, and had its arguments. */
  assert_int_equal(run_ident(&rc), 42);
  assert_mproc_ok(rc);
  /* Without argv the child's argv is {path}: the helper says 41. */
  assert_mproc_ok(mproc_set_executable(OTHER_PROGRAM_PATH, NULL, 0));
  assert_int_equal(run_ident(&rc), 41);
  assert_mproc_ok(mproc_set_executable(NULL, NULL, 0));
  assert_int_equal(run_ident(&rc), 7);
}

static void pool_workers_run_the_named_program(void **state) {
  (void)state;
  assert_mproc_ok(mproc_set_executable(OTHER_PROGRAM_PATH, other_argv, 3));
  mproc_pool_opts_t *opts = NULL;
  assert_mproc_ok(mproc_pool_opts_new(&opts));
  assert_mproc_ok(mproc_pool_opts_set_processes(opts, 2));
  assert_mproc_ok(mproc_pool_opts_set_start_method(opts, MPROC_START_SPAWN));
  mproc_pool_t *pool = NULL;
  assert_mproc_ok(mproc_pool_new(&pool, opts));
  mproc_pool_opts_free(opts);
  for (int i = 0; i < 4; i++) {
    mproc_msg_t *msg = NULL;
    assert_mproc_ok(mproc_pool_apply(pool, "exe_tag", "abc", 3, NULL, &msg, 60000));
    assert_int_equal(test_msg_size(msg), 9);
    assert_memory_equal(test_msg_data(msg), "other:abc", 9);
    mproc_msg_free(msg);
  }
  assert_mproc_ok(mproc_pool_close(pool));
  assert_mproc_ok(mproc_pool_join(pool, 60000));
  mproc_pool_free(pool);
}

static void bad_paths_are_refused_naming_them(void **state) {
  (void)state;
  const char *missing = "/nonexistent-mproc-dir/no-such-program";
  assert_mproc_code(mproc_set_executable(missing, NULL, 0), MPROC_ENOENT);
  assert_non_null(strstr(mproc_last_error(), missing));
  assert_mproc_code(mproc_set_executable("mproc-no-such-program-in-path", NULL, 0),
                    MPROC_ENOENT);
  assert_non_null(strstr(mproc_last_error(), "mproc-no-such-program-in-path"));
#ifndef _WIN32
  /* A directory is not a program. */
  assert_mproc_code(mproc_set_executable("/", NULL, 0), MPROC_EACCES);
  assert_non_null(strstr(mproc_last_error(), "'/'"));
#endif
  /* A refused setting leaves the previous one: this program still runs. */
  int rc = 0;
  assert_int_equal(run_ident(&rc), 7);
}

static void bad_arguments_are_einval(void **state) {
  (void)state;
  const char *with_null[] = {"a", NULL};
  assert_mproc_code(mproc_set_executable("", NULL, 0), MPROC_EINVAL);
  assert_mproc_code(mproc_set_executable(OTHER_PROGRAM_PATH, NULL, 2), MPROC_EINVAL);
  assert_mproc_code(mproc_set_executable(OTHER_PROGRAM_PATH, with_null, 2), MPROC_EINVAL);
  assert_non_null(strstr(mproc_last_error(), "argv[1]"));
  assert_mproc_code(mproc_set_executable(NULL, other_argv, 3), MPROC_EINVAL);
}

/* A program that never calls mproc_main (here one that does not use mproc
 * at all) fails the start at once with the reason, rather than hanging. */
static void a_program_without_mproc_main_fails_the_start(void **state) {
  (void)state;
  assert_mproc_ok(mproc_set_executable(FD_LISTER_PATH, NULL, 0));
  int rc = 0;
  assert_int_equal(run_ident(&rc), -1000);
  assert_int_equal(rc, MPROC_EBOOTSTRAP);
  assert_non_null(strstr(mproc_last_error(), "mproc_main"));
}

int main(int argc, char **argv) {
  MPROC_TEST_MAIN_PROLOGUE(argc, argv);
  const char *method = test_start_method_from_args(argc, argv);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_teardown(a_child_runs_the_named_program_with_its_arguments,
                                back_to_default),
      cmocka_unit_test_teardown(pool_workers_run_the_named_program, back_to_default),
      cmocka_unit_test_teardown(bad_paths_are_refused_naming_them, back_to_default),
      cmocka_unit_test_teardown(bad_arguments_are_einval, back_to_default),
      cmocka_unit_test_teardown(a_program_without_mproc_main_fails_the_start,
                                back_to_default),
  };
  return cmocka_run_group_tests_name(method, tests, NULL, NULL);
}
