// Job objects: how a child's whole tree of processes is held together.
//
// One job per child, not one per group or per parent: terminating a child
// started as a group leader then ends exactly its descendants (as killpg
// does), and kill-on-close can be chosen per child (daemons only). Jobs
// nest on Windows 8 and later, so a child's own children sit in jobs inside
// its job, and killing an outer job reaches every generation. Breakaway is
// not allowed, so a descendant cannot leave.
#include <iterator>
#include <mutex>
#include <unordered_map>

#include "platform/error.hpp"
#include "winproc.hpp"

namespace mproc::platform::winproc {

Job::Job(bool kill_on_close) : job_(::CreateJobObjectW(nullptr, nullptr)) {
  if (!job_) fail_last_error("CreateJobObject");
  if (kill_on_close) {
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION info{};
    info.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
    if (!::SetInformationJobObject(job_.get(), JobObjectExtendedLimitInformation, &info,
                                   sizeof info))
      fail_last_error("SetInformationJobObject(kill on close)");
  }
}

int Job::terminate(DWORD exit_code) noexcept {
  if (::TerminateJobObject(job_.get(), exit_code)) return 0;
  return code_from_win32(::GetLastError());
}

bool Job::empty() const {
  JOBOBJECT_BASIC_ACCOUNTING_INFORMATION info{};
  if (!::QueryInformationJobObject(job_.get(), JobObjectBasicAccountingInformation, &info,
                                   sizeof info, nullptr))
    fail_last_error("QueryInformationJobObject");
  return info.ActiveProcesses == 0;
}

}  // namespace mproc::platform::winproc

namespace mproc::platform::winproc {
namespace {

struct JobTable {
  std::mutex mu;
  std::unordered_map<DWORD, std::shared_ptr<Job>> jobs;
};

JobTable& job_table() {
  static auto* table = new JobTable;  // never destroyed: used until exit
  return *table;
}

}  // namespace

void remember_job(DWORD pid, std::shared_ptr<Job> job) {
  JobTable& t = job_table();
  std::lock_guard<std::mutex> lock(t.mu);
  // An emptied job holds nothing to end or to keep alive.
  for (auto it = t.jobs.begin(); it != t.jobs.end();) {
    bool empty = false;
    try {
      empty = it->second->empty();
    } catch (const Error&) {
    }
    it = empty ? t.jobs.erase(it) : std::next(it);
  }
  t.jobs[pid] = std::move(job);
}

std::shared_ptr<Job> job_of(DWORD pid) {
  JobTable& t = job_table();
  std::lock_guard<std::mutex> lock(t.mu);
  auto it = t.jobs.find(pid);
  return it == t.jobs.end() ? nullptr : it->second;
}

}  // namespace mproc::platform::winproc
