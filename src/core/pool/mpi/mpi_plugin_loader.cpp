#include "core/pool/mpi/mpi_plugin_loader.hpp"

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "platform/error.hpp"
#include "platform/plugin.hpp"

namespace mproc::core {
namespace {

// Where the plug-in may be: named by MPROC_MPI_PLUGIN (an uninstalled
// build, a packager's layout); installed, in mproc/ beside the library;
// in a build tree, in mpi/ beside it (src/mpi/ builds it there).
std::vector<std::string> candidates() {
  std::vector<std::string> paths;
  const char* named = std::getenv("MPROC_MPI_PLUGIN");
  if (named != nullptr && named[0] != '\0') {
    paths.push_back(named);
    return paths;
  }
  std::string dir = platform::own_library_dir();
  if (dir.empty()) dir = ".";
  paths.push_back(dir + "/mproc/mproc-mpi.so");
  paths.push_back(dir + "/mpi/mproc-mpi.so");
  return paths;
}

const mproc_mpi_plugin_t* open_plugin() {
  std::string tried;
  for (const auto& path : candidates()) {
    try {
      auto entry = reinterpret_cast<mproc_mpi_plugin_fn>(
          platform::load_plugin_symbol(path, MPROC_MPI_PLUGIN_SYMBOL));
      const mproc_mpi_plugin_t* table = entry();
      if (table == nullptr || table->abi != MPROC_MPI_PLUGIN_ABI)
        fail(MPROC_ENOTSUP, "plug-in " + path + " is of another mproc version");
      return table;
    } catch (const Error& e) {
      tried += std::string(tried.empty() ? "" : "; ") + e.what();
    }
  }
  fail(MPROC_ENOTSUP,
       "MPI pools need mproc's MPI plug-in (mproc-mpi.so, built when Open MPI is found or "
       "with -Dmpi=enabled), and none would do: " + tried);
}

}  // namespace

const mproc_mpi_plugin_t& mpi_plugin() {
  // A failure is not kept: the plug-in may be installed while we run.
  static std::mutex mu;
  static const mproc_mpi_plugin_t* table = nullptr;
  std::lock_guard<std::mutex> lock(mu);
  if (table == nullptr) table = open_plugin();
  return *table;
}

void fail_mpi(int rc, const mproc_mpi_err_t& err, const char* context) {
  std::string text(err.text, strnlen(err.text, sizeof err.text));
  fail(rc < 0 ? rc : MPROC_EINTERNAL,
       std::string(context) + ": " + (text.empty() ? error_text(rc) : text));
}

}  // namespace mproc::core
