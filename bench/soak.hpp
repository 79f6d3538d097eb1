// What the soak parts share: the run's settings, its random source, the
// clock, and the report every part fills in (one JSON line on stdout, a
// readable summary on stderr, and whether a must-be-zero figure was not).
// Linux only: the soak sends SIGKILL at random moments and counts what a
// process holds in /proc.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace soak {

struct Settings {
  double scale = 1.0;         // the counts below are multiplied by this
  uint64_t seed = 0;          // of every random choice (printed, to rerun one)
  int64_t bound_ms = 10000;   // "serves again" / "recovered" / "no hang" within this
  int64_t count(int64_t full) const;
};

// Random choices: the moments kills land at, sizes, victims.
class Rng {
 public:
  explicit Rng(uint64_t seed) : g_(seed) {}
  uint64_t below(uint64_t n) { return n == 0 ? 0 : g_() % n; }
  // Sleeps 0..max_us microseconds: places a kill at a random point of what
  // the children are doing. Never used to wait for anything.
  void pause_up_to_us(uint64_t max_us);

 private:
  std::mt19937_64 g_;
};

// Steady-clock time in nanoseconds and milliseconds.
int64_t now_ns();
inline double ms_between(int64_t from_ns, int64_t to_ns) { return (to_ns - from_ns) / 1e6; }

// The p-th percentile (0..100) of `v` (nearest rank); 0 for none.
double percentile(std::vector<double> v, double p);

// One part's figures, printed as one JSON object.
class Report {
 public:
  explicit Report(std::string part) : part_(std::move(part)) {}
  // A figure that must be zero: a non-zero value fails the run.
  void must_be_zero(const std::string& key, int64_t value);
  // A count that must equal `expected` (e.g. every lock recovered).
  void must_equal(const std::string& key, int64_t value, int64_t expected);
  void figure(const std::string& key, double value);
  void text(const std::string& key, const std::string& value);
  // A failure the figures do not show (the message names it).
  void fail(const std::string& why);
  bool ok() const { return failures_.empty(); }
  // Prints the JSON line on stdout and the summary on stderr.
  void print() const;

 private:
  std::string part_;
  std::vector<std::pair<std::string, std::string>> fields_;  // key, JSON value
  std::vector<std::string> failures_;
};

// The parts; each returns its report.
Report queue_kills(const Settings& s);
Report lock_kills(const Settings& s);
Report pool_kills(const Settings& s);
Report start_cycles(const Settings& s);
Report timed_waits(const Settings& s);

// Ends the program when the soak itself cannot go on (an mproc call that
// must work failed): names it and mproc_last_error() on stderr, exits 2.
[[noreturn]] void die(const std::string& what);

}  // namespace soak
