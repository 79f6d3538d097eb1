/* Version, error codes and their texts, library memory, process facts. */
#include "harness.h"

#include <string.h>

static void version_matches_the_header(void **state) {
  (void)state;
  assert_int_equal(mproc_version(), MPROC_VERSION_NUMBER);
  assert_string_equal(mproc_version_string(), MPROC_VERSION_STRING);
}

static void every_code_has_a_name_and_a_text(void **state) {
  (void)state;
#define CHECK_CODE(name, value, message)                        \
  assert_int_equal(MPROC_##name, value);                        \
  assert_true(value < 0);                                       \
  assert_string_equal(mproc_err_name(MPROC_##name), #name);     \
  assert_string_equal(mproc_strerror(MPROC_##name), message);
  MPROC_ERRNO_MAP(CHECK_CODE)
#undef CHECK_CODE
  assert_string_equal(mproc_err_name(0), "OK");
}

static void os_errors_outside_the_table_are_still_named(void **state) {
  (void)state;
  /* EHOSTUNREACH (113) is not in the table but is an errno. */
  assert_string_equal(mproc_err_name(-113), "EHOSTUNREACH");
  assert_true(strlen(mproc_strerror(-113)) > 0);
  assert_string_equal(mproc_err_name(12345), "UNKNOWN");
  assert_string_equal(mproc_strerror(-999999), "unknown error");
}

static void codes_are_distinct(void **state) {
  (void)state;
  static const int codes[] = {
#define LIST_CODE(name, value, message) MPROC_##name,
      MPROC_ERRNO_MAP(LIST_CODE)
#undef LIST_CODE
  };
  size_t n = sizeof codes / sizeof codes[0];
  for (size_t i = 0; i < n; ++i)
    for (size_t j = i + 1; j < n; ++j) assert_int_not_equal(codes[i], codes[j]);
}

static void last_error_starts_empty(void **state) {
  (void)state;
  assert_non_null(mproc_last_error());
  assert_string_equal(mproc_last_error(), "");
  assert_int_equal(mproc_last_error_code(), 0);
}

static void process_facts_match_the_os(void **state) {
  (void)state;
  long online = test_os_cpus_online();
  int n = mproc_cpu_count();
  assert_true(n >= 1);
  assert_true(n <= online);
  assert_int_equal(mproc_getpid(), test_os_pid());
  /* This program was not started by mproc: no mproc parent. */
  assert_int_equal(mproc_parent_pid(), 0);
}

int main(int argc, char **argv) {
  MPROC_TEST_MAIN_PROLOGUE(argc, argv);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(version_matches_the_header),
      cmocka_unit_test(every_code_has_a_name_and_a_text),
      cmocka_unit_test(os_errors_outside_the_table_are_still_named),
      cmocka_unit_test(codes_are_distinct),
      cmocka_unit_test(last_error_starts_empty),
      cmocka_unit_test(process_facts_match_the_os),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
