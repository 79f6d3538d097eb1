// Killing a child at one step of an operation on a shared object
// (core/fault.hpp's *-step sites): the parent names the object and the
// step, a child that is this program started again (child.hpp) opens the
// object by name, plans its own death and runs the operation.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "child.hpp"
#include "core/fault.hpp"
#include "core/sync/shared_region.hpp"

namespace mproc::testing {

// What a step-kill child is told: the object's name and its fault plan.
struct StepPlan {
  std::string name;
  std::string plan;  // "site:step"

  std::string arg() const { return name + " " + plan; }
  static StepPlan parse(const std::string& arg) {
    size_t space = arg.find(' ');
    return {arg.substr(0, space), space == std::string::npos ? "" : arg.substr(space + 1)};
  }
};

// Named options for an object a child opens, and its name unlinked when
// the test ends however it ends.
class NamedForTest {
 public:
  NamedForTest() { options_.named = true; }
  ~NamedForTest() {
    if (!name_.empty()) {
      try {
        core::unlink_shared(name_);
      } catch (...) {
      }
    }
  }
  NamedForTest(const NamedForTest&) = delete;
  NamedForTest& operator=(const NamedForTest&) = delete;

  const core::SharedOptions& options() const { return options_; }
  // Records the name the object was given (to unlink it).
  const std::string& adopt(const std::string& name) { return name_ = name; }

 private:
  core::SharedOptions options_;
  std::string name_;
};

// Starts child `piece` on the object `name`, planned to die at `step` of
// `site`; whether it did is its exit status (kFaultDeathExit) or 0 if it
// never reached that step.
inline ChildOutcome run_step_child(const char* piece, const std::string& name,
                                   const char* site, uint32_t step) {
  StepPlan plan{name, std::string(site) + ":" + std::to_string(step)};
  return run_child(piece, plan.arg(), 30000);
}

// Opens the object for a step-kill child and arms its plan: after this
// the child dies at the planned step.
template <class Object>
std::shared_ptr<Object> open_and_arm(const std::string& arg) {
  StepPlan plan = StepPlan::parse(arg);
  auto object = Object::open(plan.name);
  core::fault_plan_set(plan.plan.c_str());
  return object;
}

}  // namespace mproc::testing

// The tests need the fault hook compiled in.
#define SKIP_WITHOUT_FAULT_INJECTION()                                                \
  if (!::mproc::core::kFaultInjection)                                                \
  GTEST_SKIP() << "built without the fault hook (-Dfault_injection=disabled, or a " \
                  "release build): the steps cannot be killed"
