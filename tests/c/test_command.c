/* Commands: running other programs with environment, directory, streams
 * and descriptors; capture without deadlock; exit separate from EOF. */
#include "harness.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>

/* Where Windows has no sh, cat, sleep or true, the commands are the test
 * tool's actions (tests/helpers/test_tool.c) doing the same. */

static void capture(const char *const *argv, mproc_command_opts_t *opts,
                    const char *input, size_t input_len, char **out, size_t *out_len,
                    char **err, size_t *err_len, int *code) {
  assert_mproc_ok(test_capture(argv, opts, input, input_len, 60000, out, out_len,
                                        err, err_len, code));
}

static void capture_separates_stdout_stderr_and_status(void **state) {
  (void)state;
#ifdef _WIN32
  const char *argv[] = {TEST_TOOL_PATH, "out", "out", "err", "err", "exit", "3", NULL};
#else
  const char *argv[] = {"sh", "-c", "echo out; echo err >&2; exit 3", NULL};
#endif
  char *out = NULL, *err = NULL;
  size_t out_len = 0, err_len = 0;
  int code = -1;
  capture(argv, NULL, NULL, 0, &out, &out_len, &err, &err_len, &code);
  assert_string_equal(out, "out\n");
  assert_int_equal(out_len, 4);
  assert_string_equal(err, "err\n");
  assert_int_equal(code, 3);
  free(out);
  free(err);
}

static void capturing_ten_mib_on_each_stream_does_not_deadlock(void **state) {
  (void)state;
  /* stderr is written first and in full: a reader that drained stdout
   * before stderr would wait forever on a command blocked on stderr. */
#ifdef _WIN32
  const char *argv[] = {TEST_TOOL_PATH, "fill-err", "10485760", "e",
                        "fill-out", "10485760", "o", NULL};
#else
  const char *argv[] = {"sh", "-c",
                        "head -c 10485760 /dev/zero | tr '\\0' e >&2; "
                        "head -c 10485760 /dev/zero | tr '\\0' o",
                        NULL};
#endif
  char *out = NULL, *err = NULL;
  size_t out_len = 0, err_len = 0;
  int code = -1;
  capture(argv, NULL, NULL, 0, &out, &out_len, &err, &err_len, &code);
  assert_int_equal(code, 0);
  assert_int_equal(out_len, 10485760);
  assert_int_equal(err_len, 10485760);
  assert_int_equal(out[0], 'o');
  assert_int_equal(out[out_len - 1], 'o');
  assert_int_equal(err[err_len - 1], 'e');
  free(out);
  free(err);
}

static void capture_feeds_input(void **state) {
  (void)state;
  size_t len = (size_t)4 << 20;
  char *input = malloc(len);
  for (size_t i = 0; i < len; ++i) input[i] = (char)('a' + i % 26);
  const char *argv[] = TEST_CAT_ARGV;
  char *out = NULL;
  size_t out_len = 0;
  int code = -1;
  capture(argv, NULL, input, len, &out, &out_len, NULL, NULL, &code);
  assert_int_equal(code, 0);
  assert_int_equal(out_len, len);
  assert_memory_equal(out, input, len);
  free(out);
  free(input);
}

static void a_missing_executable_fails_at_start(void **state) {
  (void)state;
  const char *argv[] = {"mproc-no-such-program", "x", NULL};
  mproc_command_t *cmd = NULL;
  assert_mproc_ok(mproc_command_new(&cmd, argv, NULL));
  assert_mproc_code(mproc_command_start(cmd), MPROC_ENOENT);
  assert_non_null(strstr(mproc_last_error(), "mproc-no-such-program"));
  int code;
  assert_mproc_code(mproc_command_exitcode(cmd, &code), MPROC_ESTATE);
  mproc_command_free(cmd);
  const char *by_path[] = {"/nonexistent/dir/prog", NULL};
  assert_mproc_ok(mproc_command_new(&cmd, by_path, NULL));
  assert_mproc_code(mproc_command_start(cmd), MPROC_ENOENT);
  mproc_command_free(cmd);
  char *out = NULL;
  size_t out_len;
  assert_mproc_code(test_capture(argv, NULL, NULL, 0, 1000, &out, &out_len, NULL,
                                          NULL, &code),
                    MPROC_ENOENT);
  /* A file that is not executable. */
  char path[512];
  assert_int_equal(test_temp_file(path, sizeof path, "mproc-not-exec"), 0);
  const char *not_exec[] = {path, NULL};
  assert_mproc_ok(mproc_command_new(&cmd, not_exec, NULL));
  assert_mproc_code(mproc_command_start(cmd), MPROC_EACCES);
  mproc_command_free(cmd);
  remove(path);
}

static void environment_can_be_added_to_removed_from_and_replaced(void **state) {
  (void)state;
  test_setenv("MPROC_TEST_KEEP", "kept");
  test_setenv("MPROC_TEST_DROP", "dropped");
#ifdef _WIN32
  const char *argv[] = {TEST_TOOL_PATH, "env", "-", "MPROC_TEST_KEEP", "MPROC_TEST_DROP",
                        "MPROC_TEST_NEW", NULL};
#else
  const char *argv[] = {"sh", "-c",
                        "echo \"$MPROC_TEST_KEEP-$MPROC_TEST_DROP-$MPROC_TEST_NEW\"", NULL};
#endif
  mproc_command_opts_t *opts;
  assert_mproc_ok(mproc_command_opts_new(&opts));
  assert_mproc_ok(mproc_command_opts_env_set(opts, "MPROC_TEST_NEW", "added"));
  assert_mproc_ok(mproc_command_opts_env_unset(opts, "MPROC_TEST_DROP"));
  char *out = NULL;
  size_t out_len;
  int code;
  capture(argv, opts, NULL, 0, &out, &out_len, NULL, NULL, &code);
  assert_string_equal(out, "kept--added\n");
  free(out);
  /* Replaced: only what is set survives (PATH included). */
  assert_mproc_ok(mproc_command_opts_env_clear(opts));
  assert_mproc_ok(mproc_command_opts_env_set(opts, "MPROC_TEST_NEW", "alone"));
#ifdef _WIN32
  const char *by_path[] = {TEST_TOOL_PATH, "env", "|", "MPROC_TEST_KEEP", "MPROC_TEST_NEW",
                           "PATH", NULL};
#else
  const char *by_path[] = {"/bin/sh", "-c", "echo \"$MPROC_TEST_KEEP|$MPROC_TEST_NEW|$PATH\"",
                           NULL};
#endif
  capture(by_path, opts, NULL, 0, &out, &out_len, NULL, NULL, &code);
  assert_true(strncmp(out, "|alone|", 7) == 0);
  free(out);
  assert_mproc_code(mproc_command_opts_env_set(opts, "A=B", "x"), MPROC_EINVAL);
  assert_mproc_code(mproc_command_opts_env_set(opts, "", "x"), MPROC_EINVAL);
  mproc_command_opts_free(opts);
}

static void working_directory(void **state) {
  (void)state;
#ifdef _WIN32
  const char *argv[] = {TEST_TOOL_PATH, "cwd", NULL};
  const char *dir = getenv("SystemRoot"); /* a folder every Windows has */
  assert_non_null(dir);
#else
  const char *argv[] = {"pwd", NULL};
  const char *dir = "/usr";
#endif
  char want[512];
  snprintf(want, sizeof want, "%s\n", dir);
  mproc_command_opts_t *opts;
  assert_mproc_ok(mproc_command_opts_new(&opts));
  assert_mproc_ok(mproc_command_opts_set_cwd(opts, dir));
  char *out = NULL;
  size_t out_len;
  int code;
  capture(argv, opts, NULL, 0, &out, &out_len, NULL, NULL, &code);
  assert_string_equal(out, want);
  free(out);
  assert_mproc_ok(mproc_command_opts_set_cwd(opts, "/no/such/directory"));
  mproc_command_t *cmd;
  assert_mproc_ok(mproc_command_new(&cmd, argv, opts));
  assert_mproc_code(mproc_command_start(cmd), MPROC_ENOENT);
  assert_non_null(strstr(mproc_last_error(), "/no/such/directory"));
  mproc_command_free(cmd);
  mproc_command_opts_free(opts);
}

static void streams_to_files_and_null(void **state) {
  (void)state;
  char path[512];
  assert_int_equal(test_temp_file(path, sizeof path, "mproc-test"), 0);
  mproc_command_opts_t *opts;
  assert_mproc_ok(mproc_command_opts_new(&opts));
  assert_mproc_ok(mproc_command_opts_set_stdio_file(opts, MPROC_STDOUT, path, 0));
  assert_mproc_ok(mproc_command_opts_set_stdio(opts, MPROC_STDERR, MPROC_STDIO_STDOUT));
  assert_mproc_ok(mproc_command_opts_set_stdio(opts, MPROC_STDIN, MPROC_STDIO_NULL));
#ifdef _WIN32
  const char *argv[] = {TEST_TOOL_PATH, "out", "to-file", "err", "also", "cat", NULL};
#else
  const char *argv[] = {"sh", "-c", "echo to-file; echo also >&2; cat", NULL};
#endif
  mproc_command_t *cmd;
  assert_mproc_ok(mproc_command_new(&cmd, argv, opts));
  assert_mproc_ok(mproc_command_start(cmd));
  assert_mproc_ok(mproc_command_join(cmd, 30000));
  int code = -1;
  assert_mproc_ok(mproc_command_exitcode(cmd, &code));
  assert_int_equal(code, 0);
  mproc_command_free(cmd);
  FILE *f = fopen(path, "r");
  char content[64] = "";
  size_t n = fread(content, 1, sizeof content - 1, f);
  fclose(f);
  content[n] = '\0';
  assert_string_equal(content, "to-file\nalso\n");
  /* Append mode adds to what is there. */
  assert_mproc_ok(mproc_command_opts_set_stdio_file(opts, MPROC_STDOUT, path, 1));
  assert_mproc_ok(mproc_command_new(&cmd, argv, opts));
  assert_mproc_ok(mproc_command_start(cmd));
  assert_mproc_ok(mproc_command_join(cmd, 30000));
  mproc_command_free(cmd);
  struct stat st;
  stat(path, &st);
  assert_int_equal(st.st_size, 2 * 13);
  remove(path);
  assert_mproc_code(mproc_command_opts_set_stdio(opts, 5, MPROC_STDIO_NULL), MPROC_EINVAL);
  assert_mproc_code(mproc_command_opts_set_stdio(opts, MPROC_STDOUT, MPROC_STDIO_STDOUT),
                    MPROC_EINVAL);
  assert_mproc_code(mproc_command_opts_set_stdio_file(opts, MPROC_STDIN, NULL, 0),
                    MPROC_EINVAL);
  mproc_command_opts_free(opts);
}

static void expect_bad_stdio_fds_refused(mproc_command_opts_t *opts) {
  assert_mproc_code(mproc_command_opts_set_stdio_fd(opts, MPROC_STDOUT, -1), MPROC_EBADF);
  assert_mproc_code(mproc_command_opts_set_stdio_fd(opts, 3, 1), MPROC_EINVAL);
  assert_mproc_code(mproc_command_opts_set_stdio_fd(NULL, MPROC_STDOUT, 1), MPROC_EINVAL);
}

/* Streams can be descriptors the caller opened (subprocess's stdout=f). */
static void streams_to_descriptors_the_caller_opened(void **state) {
  (void)state;
  int in[2], out[2];
  assert_int_equal(test_pipe(in), 0);
  assert_int_equal(test_pipe(out), 0);
  assert_int_equal(write(in[1], "abc", 3), 3);
  close(in[1]);
  mproc_command_opts_t *opts;
  assert_mproc_ok(mproc_command_opts_new(&opts));
  assert_mproc_ok(mproc_command_opts_set_stdio_fd(opts, MPROC_STDIN, in[0]));
  assert_mproc_ok(mproc_command_opts_set_stdio_fd(opts, MPROC_STDOUT, out[1]));
  assert_mproc_ok(mproc_command_opts_set_stdio(opts, MPROC_STDERR, MPROC_STDIO_STDOUT));
  close(in[0]); /* the options hold their own copies */
  close(out[1]);
#ifdef _WIN32
  const char *argv[] = {TEST_TOOL_PATH, "cat", "err", "+err", NULL};
#else
  const char *argv[] = {"sh", "-c", "cat; echo +err >&2", NULL};
#endif
  mproc_command_t *cmd;
  assert_mproc_ok(mproc_command_new(&cmd, argv, opts));
  expect_bad_stdio_fds_refused(opts);
  mproc_command_opts_free(opts);
  assert_mproc_ok(mproc_command_start(cmd));
  assert_mproc_ok(mproc_command_join(cmd, 30000));
  mproc_command_free(cmd);
  /* Every copy of the write end is closed now: reading reaches the end. */
  char got[64];
  size_t total = 0;
  int n;
  while ((n = (int)read(out[0], got + total, sizeof got - 1 - total)) > 0) total += (size_t)n;
  got[total] = '\0';
  close(out[0]);
  assert_string_equal(got, "abc+err\n");
}

static void pipes_with_timeouts(void **state) {
  (void)state;
  mproc_command_opts_t *opts;
  assert_mproc_ok(mproc_command_opts_new(&opts));
  assert_mproc_ok(mproc_command_opts_set_stdio(opts, MPROC_STDIN, MPROC_STDIO_PIPE));
  assert_mproc_ok(mproc_command_opts_set_stdio(opts, MPROC_STDOUT, MPROC_STDIO_PIPE));
  const char *argv[] = TEST_CAT_ARGV;
  mproc_command_t *cmd;
  assert_mproc_ok(mproc_command_new(&cmd, argv, opts));
  mproc_command_opts_free(opts);
  char buf[64];
  size_t n = 0;
  assert_mproc_code(mproc_command_read(cmd, MPROC_STDOUT, buf, sizeof buf, &n, 0),
                    MPROC_ESTATE);
  assert_mproc_ok(mproc_command_start(cmd));
  int64_t t0 = test_now_ms();
  assert_mproc_code(mproc_command_read(cmd, MPROC_STDOUT, buf, sizeof buf, &n, 200),
                    MPROC_ETIMEDOUT);
  assert_true(test_now_ms() - t0 >= 190);
  size_t written = 0;
  assert_mproc_ok(mproc_command_write(cmd, "ping", 4, &written, 5000));
  assert_int_equal(written, 4);
  size_t got = 0;
  while (got < 4) {
    assert_mproc_ok(mproc_command_read(cmd, MPROC_STDOUT, buf + got, sizeof buf - got, &n,
                                       5000));
    got += n;
  }
  assert_memory_equal(buf, "ping", 4);
  assert_mproc_code(mproc_command_read(cmd, MPROC_STDERR, buf, sizeof buf, &n, 0),
                    MPROC_ESTATE); /* stderr is not a pipe */
  assert_mproc_ok(mproc_command_close_stdin(cmd));
  assert_mproc_code(mproc_command_read(cmd, MPROC_STDOUT, buf, sizeof buf, &n, 5000),
                    MPROC_EOF);
  assert_mproc_ok(mproc_command_join(cmd, 30000));
  int code = -1;
  assert_mproc_ok(mproc_command_exitcode(cmd, &code));
  assert_int_equal(code, 0);
  assert_mproc_code(mproc_command_write(cmd, "x", 1, &written, 0), MPROC_ESTATE);
  mproc_command_free(cmd);
}

#ifdef _WIN32
/* Wine (8.0) gives a console child started with CREATE_NO_WINDOW (what mproc
 * uses when it has no console of its own) a conhost.exe that its
 * kernelbase starts with bInheritHandles=TRUE (dlls/kernelbase/console.c),
 * so the console host holds the child's inherited stdin until it notices
 * the console is empty, up to ~150 ms after the child ended. Windows' own
 * console host inherits none of its client's handles. Under Wine, then,
 * the reader is gone only once that console host is: this waits for it
 * (by its process, with a deadline; nothing on Windows). */
static uint64_t creation_time(HANDLE process) {
  FILETIME created, exited, kernel, user;
  if (!GetProcessTimes(process, &created, &exited, &kernel, &user)) return 0;
  return ((uint64_t)created.dwHighDateTime << 32) | created.dwLowDateTime;
}

static void wait_for_wine_console_host(mproc_command_t *cmd) {
  if (GetProcAddress(GetModuleHandleA("ntdll.dll"), "wine_get_version") == NULL) return;
  int64_t pid = 0;
  int sentinel = -1;
  assert_mproc_ok(mproc_command_pid(cmd, &pid));
  assert_mproc_ok(mproc_command_sentinel(cmd, &sentinel));
  /* Its pid is not reused while we hold its handle, but a dead process's
   * pid may have been ours before: only a host made after it counts. */
  uint64_t born = creation_time((HANDLE)(intptr_t)sentinel);
  assert_true(born != 0);
  HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
  assert_true(snap != INVALID_HANDLE_VALUE);
  PROCESSENTRY32 e;
  e.dwSize = sizeof e;
  for (BOOL more = Process32First(snap, &e); more; more = Process32Next(snap, &e)) {
    if ((int64_t)e.th32ParentProcessID != pid || _stricmp(e.szExeFile, "conhost.exe") != 0)
      continue;
    HANDLE host = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION | SYNCHRONIZE, FALSE,
                              e.th32ProcessID);
    if (host == NULL) continue; /* gone already */
    if (creation_time(host) >= born) assert_true(WaitForSingleObject(host, 10000) == WAIT_OBJECT_0);
    CloseHandle(host);
  }
  CloseHandle(snap);
}
#endif

static void writing_to_a_command_that_stopped_reading_is_epipe(void **state) {
  (void)state;
#ifndef _WIN32 /* Windows has no SIGPIPE */
  signal(SIGPIPE, SIG_DFL); /* a SIGPIPE would kill the test */
#endif
  mproc_command_opts_t *opts;
  assert_mproc_ok(mproc_command_opts_new(&opts));
  assert_mproc_ok(mproc_command_opts_set_stdio(opts, MPROC_STDIN, MPROC_STDIO_PIPE));
#ifdef _WIN32
  const char *argv[] = {TEST_TOOL_PATH, NULL}; /* no actions: exits 0 */
#else
  const char *argv[] = {"true", NULL};
#endif
  mproc_command_t *cmd;
  assert_mproc_ok(mproc_command_new(&cmd, argv, opts));
  mproc_command_opts_free(opts);
  assert_mproc_ok(mproc_command_start(cmd));
  assert_mproc_ok(mproc_command_join(cmd, 30000));
#ifdef _WIN32
  wait_for_wine_console_host(cmd);
#endif
  size_t written = 0;
  assert_mproc_code(mproc_command_write(cmd, "anyone?", 7, &written, 1000), MPROC_EPIPE);
  mproc_command_free(cmd);
}

/* Runs the fd lister with `opts` and returns its output (free it). */
static char *list_fds(mproc_command_opts_t *opts) {
  const char *argv[] = {FD_LISTER_PATH, NULL};
  char *out = NULL;
  size_t len;
  int code = -1;
  capture(argv, opts, NULL, 0, &out, &len, NULL, NULL, &code);
  assert_int_equal(code, 0);
  return out;
}

static void no_descriptor_leaks_into_a_command(void **state) {
  (void)state;
  /* A descriptor the host left inheritable, and mproc's own objects. */
  int stray = test_open_null();
  assert_true(stray >= 0);
  mproc_conn_t *a, *b;
  assert_mproc_ok(mproc_conn_pipe(&a, &b, 1));
  char *out = list_fds(NULL);
  assert_string_equal(out, "");
  free(out);
  close(stray);
  mproc_conn_free(a);
  mproc_conn_free(b);
}

static void descriptors_passed_at_chosen_numbers(void **state) {
  (void)state;
  int fds[2];
  assert_int_equal(test_pipe(fds), 0);
  mproc_command_opts_t *opts;
  assert_mproc_ok(mproc_command_opts_new(&opts));
  assert_mproc_ok(mproc_command_opts_pass_fd(opts, 5, fds[1]));
  close(fds[1]); /* the options hold a copy */
  char *out = list_fds(opts);
  assert_string_equal(out, "5\n"); /* 3 and 4 are closed, only 5 is there */
  free(out);
#ifdef _WIN32
  const char *argv[] = {TEST_TOOL_PATH, "fd-write", "5", "through-five", NULL};
#else
  const char *argv[] = {"sh", "-c", "echo through-five >&5", NULL};
#endif
  mproc_command_t *cmd;
  assert_mproc_ok(mproc_command_new(&cmd, argv, opts));
  assert_mproc_ok(mproc_command_start(cmd));
  assert_mproc_ok(mproc_command_join(cmd, 30000));
  mproc_command_free(cmd);
  mproc_command_opts_free(opts); /* our last copy of the write end */
  char buf[32] = "";
  assert_int_equal(read(fds[0], buf, sizeof buf - 1), 13);
  assert_string_equal(buf, "through-five\n");
  close(fds[0]);
  assert_mproc_ok(mproc_command_opts_new(&opts));
  assert_mproc_code(mproc_command_opts_pass_fd(opts, 2, 0), MPROC_EINVAL);
  assert_mproc_code(mproc_command_opts_pass_fd(opts, 4, -1), MPROC_EBADF);
  mproc_command_opts_free(opts);
}

static void a_grandchild_holding_the_pipe_cannot_hang_join(void **state) {
  (void)state;
  mproc_command_opts_t *opts;
  assert_mproc_ok(mproc_command_opts_new(&opts));
  assert_mproc_ok(mproc_command_opts_set_stdio(opts, MPROC_STDOUT, MPROC_STDIO_PIPE));
  assert_mproc_ok(mproc_command_opts_set_new_group(opts, 1));
#ifdef _WIN32
  const char *argv[] = {TEST_TOOL_PATH, "sleeper", NULL};
#else
  const char *argv[] = {"sh", "-c", "sleep 300 & echo $!", NULL};
#endif
  mproc_command_t *cmd;
  assert_mproc_ok(mproc_command_new(&cmd, argv, opts));
  assert_mproc_ok(mproc_command_start(cmd));
  int64_t t0 = test_now_ms();
  assert_mproc_ok(mproc_command_join(cmd, 30000));
  assert_true(test_now_ms() - t0 < 10000);
  char buf[32] = "";
  size_t n = 0;
  assert_mproc_ok(mproc_command_read(cmd, MPROC_STDOUT, buf, sizeof buf - 1, &n, 5000));
  assert_true(atoll(buf) > 0);
  /* The pipe is still open: the sleeping grandchild holds it. */
  assert_mproc_code(mproc_command_read(cmd, MPROC_STDOUT, buf, sizeof buf, &n, 100),
                    MPROC_ETIMEDOUT);
  assert_mproc_ok(mproc_command_kill(cmd)); /* the group: the sleeper too */
  assert_mproc_code(mproc_command_read(cmd, MPROC_STDOUT, buf, sizeof buf, &n, 30000),
                    MPROC_EOF);
  mproc_command_free(cmd);

  /* capture returns too, with what the command itself wrote. */
  char *out = NULL;
  size_t out_len = 0;
  int code = -1;
  t0 = test_now_ms();
  capture(argv, opts, NULL, 0, &out, &out_len, NULL, NULL, &code);
  assert_true(test_now_ms() - t0 < 10000);
  assert_int_equal(code, 0);
  int64_t sleeper = atoll(out); /* all the command itself wrote */
  assert_true(sleeper > 0);
  assert_int_equal(out[out_len - 1], '\n');
  free(out);
  mproc_command_opts_free(opts);
  /* That capture's sleeper is orphaned now; end it. */
  test_kill_process(sleeper);
}

static void terminate_kill_and_group(void **state) {
  (void)state;
  mproc_command_opts_t *opts;
  assert_mproc_ok(mproc_command_opts_new(&opts));
  assert_mproc_ok(mproc_command_opts_set_stdio(opts, MPROC_STDOUT, MPROC_STDIO_PIPE));
  assert_mproc_ok(mproc_command_opts_set_new_group(opts, 1));
#ifdef _WIN32
  const char *argv[] = {TEST_TOOL_PATH, "sleeper", "wait", NULL};
#else
  const char *argv[] = {"sh", "-c", "sleep 300 & echo $!; wait", NULL};
#endif
  mproc_command_t *cmd;
  assert_mproc_ok(mproc_command_new(&cmd, argv, opts));
  mproc_command_opts_free(opts);
  assert_mproc_ok(mproc_command_start(cmd));
  char buf[32] = "";
  size_t n = 0;
  assert_mproc_ok(mproc_command_read(cmd, MPROC_STDOUT, buf, sizeof buf - 1, &n, 10000));
  buf[n] = '\0';
  int64_t sleeper = atoll(buf);
  assert_true(sleeper > 0);
  int alive = 0, code = 0;
  assert_mproc_ok(mproc_command_is_alive(cmd, &alive));
  assert_int_equal(alive, 1);
  assert_mproc_code(mproc_command_exitcode(cmd, &code), MPROC_ESTATE);
  assert_mproc_ok(mproc_command_terminate(cmd));
  assert_mproc_ok(mproc_command_join(cmd, 30000));
  assert_mproc_ok(mproc_command_exitcode(cmd, &code));
  assert_int_equal(code, -SIGTERM);
  assert_true(test_wait_gone(sleeper, 20000));
  int fd = -1;
  assert_mproc_ok(mproc_command_sentinel(cmd, &fd));
  assert_int_equal(test_fd_ready(fd, 0), 1);
  mproc_command_free(cmd);
}

static void bad_arguments(void **state) {
  (void)state;
  mproc_command_t *cmd = NULL;
  const char *empty[] = {NULL};
  assert_mproc_code(mproc_command_new(&cmd, NULL, NULL), MPROC_EINVAL);
  assert_mproc_code(mproc_command_new(&cmd, empty, NULL), MPROC_EINVAL);
  assert_mproc_code(mproc_command_start(NULL), MPROC_EINVAL);
  assert_mproc_code(mproc_command_join(NULL, 0), MPROC_EINVAL);
#ifdef _WIN32
  const char *argv[] = {TEST_TOOL_PATH, NULL}; /* no actions: exits 0 */
#else
  const char *argv[] = {"true", NULL};
#endif
  assert_mproc_ok(mproc_command_new(&cmd, argv, NULL));
  assert_mproc_code(mproc_command_join(cmd, 0), MPROC_ESTATE);
  assert_mproc_ok(mproc_command_start(cmd));
  assert_mproc_code(mproc_command_start(cmd), MPROC_ESTATE);
  char buf[4];
  size_t n;
  assert_mproc_code(mproc_command_read(cmd, 0, buf, sizeof buf, &n, 0), MPROC_EINVAL);
  /* A byte stream has no next message to size: cap 0 is refused
   * (mproc/common.h, "Buffers"), with or without a buffer. */
  assert_mproc_code(mproc_command_read(cmd, MPROC_STDOUT, NULL, 0, &n, 0), MPROC_EINVAL);
  assert_non_null(strstr(mproc_last_error(), "cap is 0"));
  assert_mproc_code(mproc_command_read(cmd, MPROC_STDOUT, buf, 0, &n, 0), MPROC_EINVAL);
  assert_mproc_code(mproc_command_read(cmd, MPROC_STDOUT, NULL, 4, &n, 0), MPROC_EINVAL);
  assert_mproc_ok(mproc_command_join(cmd, 30000));
  mproc_command_free(cmd);
  mproc_command_free(NULL);
  mproc_command_opts_free(NULL);
  int code;
  assert_mproc_code(mproc_command_capture(argv, NULL, NULL, 0, 1000, NULL), MPROC_EINVAL);
  assert_mproc_code(mproc_command_capture(argv, NULL, NULL, 1, 1000, &(mproc_capture_t *){NULL}),
                    MPROC_EINVAL);
  mproc_capture_t *c = NULL;
  assert_mproc_ok(mproc_command_capture(argv, NULL, NULL, 0, 10000, &c));
  assert_mproc_ok(mproc_capture_exitcode(c, &code));
  assert_int_equal(code, 0);
  const char *bytes = NULL;
  size_t len = 1;
  assert_mproc_ok(mproc_capture_stdout(c, &bytes, &len));
  assert_int_equal(len, 0);
  assert_string_equal(bytes, "");
  assert_mproc_code(mproc_capture_stderr(c, NULL, &len), MPROC_EINVAL);
  assert_mproc_code(mproc_capture_exitcode(c, NULL), MPROC_EINVAL);
  mproc_capture_free(c);
  assert_mproc_code(mproc_capture_exitcode(c, &code), MPROC_EINVAL); /* freed */
  mproc_capture_free(NULL);
}

/* Only documented codes leave the library (mproc/common.h, "Errors"): exec
 * failing with ELOOP, an OS error the table does not list, arrives as
 * MPROC_EIO, the message naming ELOOP and its number. */
static void an_os_error_outside_the_table_arrives_as_eio(void **state) {
  (void)state;
#ifdef _WIN32
  test_skip_because("a symbolic-link loop (ELOOP) is a POSIX path error; Windows reports "
                    "its own codes, translated by the platform layer");
#else
  char dir[] = "/tmp/mproc-eloop-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char a[64], b[64];
  snprintf(a, sizeof a, "%s/a", dir);
  snprintf(b, sizeof b, "%s/b", dir);
  assert_int_equal(symlink(b, a), 0);
  assert_int_equal(symlink(a, b), 0);
  const char *argv[] = {a, NULL};
  mproc_command_t *cmd = NULL;
  assert_mproc_ok(mproc_command_new(&cmd, argv, NULL));
  assert_mproc_code(mproc_command_start(cmd), MPROC_EIO);
  assert_int_equal(mproc_last_error_code(), MPROC_EIO);
  if (strstr(mproc_last_error(), "ELOOP") == NULL || strstr(mproc_last_error(), "-40") == NULL)
    fail_msg("last error: %s", mproc_last_error());
  mproc_command_free(cmd);
  assert_mproc_code(test_capture(argv, NULL, NULL, 0, 10000, NULL, NULL, NULL, NULL, NULL),
                    MPROC_EIO);
  unlink(a);
  unlink(b);
  rmdir(dir);
#endif
}

static void capture_times_out_and_kills(void **state) {
  (void)state;
#ifdef _WIN32
  const char *argv[] = {TEST_TOOL_PATH, "sleep", "300000", NULL};
#else
  const char *argv[] = {"sleep", "300", NULL};
#endif
  int code;
  int64_t t0 = test_now_ms();
  assert_mproc_code(test_capture(argv, NULL, NULL, 0, 300, NULL, NULL, NULL, NULL,
                                          &code),
                    MPROC_ETIMEDOUT);
  assert_true(test_now_ms() - t0 < 10000);
  /* A command that never stops writing times out too. */
#ifdef _WIN32
  const char *chatty[] = {TEST_TOOL_PATH, "chatter", NULL};
#else
  const char *chatty[] = {"sh", "-c", "while :; do echo chatter; done", NULL};
#endif
  char *out = NULL;
  size_t out_len = 0;
  t0 = test_now_ms();
  assert_mproc_code(test_capture(chatty, NULL, NULL, 0, 300, &out, &out_len, NULL,
                                          NULL, &code),
                    MPROC_ETIMEDOUT);
  assert_true(test_now_ms() - t0 < 10000);
  assert_null(out);
}

int main(int argc, char **argv) {
  MPROC_TEST_MAIN_PROLOGUE(argc, argv);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(capture_separates_stdout_stderr_and_status),
      cmocka_unit_test(capturing_ten_mib_on_each_stream_does_not_deadlock),
      cmocka_unit_test(capture_feeds_input),
      cmocka_unit_test(a_missing_executable_fails_at_start),
      cmocka_unit_test(environment_can_be_added_to_removed_from_and_replaced),
      cmocka_unit_test(working_directory),
      cmocka_unit_test(streams_to_files_and_null),
      cmocka_unit_test(streams_to_descriptors_the_caller_opened),
      cmocka_unit_test(pipes_with_timeouts),
      cmocka_unit_test(writing_to_a_command_that_stopped_reading_is_epipe),
      cmocka_unit_test(no_descriptor_leaks_into_a_command),
      cmocka_unit_test(descriptors_passed_at_chosen_numbers),
      cmocka_unit_test(a_grandchild_holding_the_pipe_cannot_hang_join),
      cmocka_unit_test(terminate_kill_and_group),
      cmocka_unit_test(bad_arguments),
      cmocka_unit_test(capture_times_out_and_kills),
      cmocka_unit_test(an_os_error_outside_the_table_arrives_as_eio),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
