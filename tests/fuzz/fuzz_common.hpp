// What the fuzz targets share: the rule every decoder must keep (refuse
// bad bytes with one of its documented error codes, never crash, hang or
// read out of bounds), and live shared objects for records to refer to,
// made exactly as a parent makes the ones it hands to a child.
#pragma once

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "core/shareable.hpp"
#include "platform/error.hpp"
#include "platform/fd.hpp"

namespace mproc::fuzz {

// A finding: prints `what` and aborts, so that libFuzzer saves the input.
[[noreturn]] void finding(const std::string& what);
inline void require(bool ok, const char* what) {
  if (!ok) finding(what);
}

// Whether `rc` is one of `codes` (the codes a call documents).
inline bool one_of(int rc, std::initializer_list<int> codes) {
  for (int c : codes)
    if (rc == c) return true;
  return false;
}

// Prints a clean refusal when MPROC_FUZZ_VERBOSE is set (to see what a
// seed reaches: `MPROC_FUZZ_VERBOSE=1 fuzz-args corpus/args/seed-x`).
void note_refusal(const Error& e);

// Runs `step`. True when it returned; false when it threw an mproc::Error
// whose code is one of `allowed` (a clean refusal). Any other error or
// exception is a finding.
template <class F>
bool runs_or_refuses(F&& step, std::initializer_list<int> allowed) {
  try {
    step();
    return true;
  } catch (const Error& e) {
    if (one_of(e.code(), allowed)) {
      note_refusal(e);
      return false;
    }
    finding(std::string("unexpected error ") + error_name(e.code()) + ": " + e.what());
  } catch (const std::exception& e) {
    finding(std::string("unexpected exception: ") + e.what());
  }
}

// A fresh shared object of MPROC_ARG_* type `type`, as a parent makes one;
// `variant` picks among its flavours (a condition with its own lock or a
// caller's, a bounded semaphore, a queue's maxsize, ...).
std::shared_ptr<core::Shareable> make_object(int type, unsigned variant);

// What a parent sends for a set of objects: the record and the
// descriptors it refers to by index.
struct Sent {
  core::WireWriter record;
  std::vector<int> fds;
};

// The receiving side's copy of `fds`: what SCM_RIGHTS would deliver.
std::vector<platform::UniqueFd> received_copies(const std::vector<int>& fds);

// One object of every shareable type and one plain descriptor, made once.
// Records of task arguments refer to descriptors by index; the argument
// and launch targets hand every record these, in this order, and the seed
// generator encodes the same objects in the same order, so seed records
// refer to descriptors that hold what they say.
struct Fixtures {
  std::vector<std::shared_ptr<core::Shareable>> objects;
  platform::UniqueFd plain;  // for an MPROC_ARG_FD argument
  std::vector<int> fds;      // objects' descriptors in encoding order, then `plain`
};
const Fixtures& fixtures();

// A task decode_launch can resolve.
inline constexpr const char* kTaskName = "fuzz-task";
void register_fuzz_task();

}  // namespace mproc::fuzz
