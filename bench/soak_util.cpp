// The soak's shared pieces: settings, random pauses, the clock,
// percentiles and the report (soak.hpp).
#include <mproc/mproc.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "soak.hpp"

namespace soak {

int64_t Settings::count(int64_t full) const {
  auto n = static_cast<int64_t>(std::llround(static_cast<double>(full) * scale));
  return std::max<int64_t>(n, 1);
}

void Rng::pause_up_to_us(uint64_t max_us) {
  uint64_t us = below(max_us + 1);
  timespec ts{static_cast<time_t>(us / 1000000), static_cast<long>(us % 1000000) * 1000};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

int64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  // Nearest rank: the smallest value with at least p% of them at or below.
  auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
  return v[std::min(v.size() - 1, rank == 0 ? 0 : rank - 1)];
}

namespace {

std::string json_number(double v) {
  char buf[64];
  if (v == std::floor(v) && std::fabs(v) < 1e15)
    std::snprintf(buf, sizeof buf, "%.0f", v);
  else
    std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\u%04x", c);
      out += esc;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

void Report::must_be_zero(const std::string& key, int64_t value) {
  must_equal(key, value, 0);
}

void Report::must_equal(const std::string& key, int64_t value, int64_t expected) {
  figure(key, static_cast<double>(value));
  if (value != expected)
    fail(key + " is " + std::to_string(value) + ", must be " + std::to_string(expected));
}

void Report::figure(const std::string& key, double value) {
  fields_.emplace_back(key, json_number(value));
}

void Report::text(const std::string& key, const std::string& value) {
  fields_.emplace_back(key, json_string(value));
}

void Report::fail(const std::string& why) {
  // The first few say what went wrong; a thousand alike say no more.
  if (failures_.size() < 20) failures_.push_back(why);
}

void Report::print() const {
  std::string line = "{\"part\": " + json_string(part_);
  for (const auto& [k, v] : fields_) line += ", " + json_string(k) + ": " + v;
  line += ", \"ok\": ";
  line += ok() ? "true" : "false";
  line += ", \"failures\": [";
  for (size_t i = 0; i < failures_.size(); ++i)
    line += (i ? ", " : "") + json_string(failures_[i]);
  line += "]}";
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
  std::fprintf(stderr, "soak %-14s %s\n", part_.c_str(), ok() ? "ok" : "FAILED");
  for (const auto& [k, v] : fields_) std::fprintf(stderr, "  %-34s %s\n", k.c_str(), v.c_str());
  for (const auto& f : failures_) std::fprintf(stderr, "  FAILED: %s\n", f.c_str());
}

void die(const std::string& what) {
  std::fprintf(stderr, "mproc-soak: %s failed: %s\n", what.c_str(), mproc_last_error());
  std::exit(2);
}

}  // namespace soak
