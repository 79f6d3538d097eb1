// Units of pool work, as every pool backend makes and completes them: one
// task (apply), or one chunk of a map or an imap, together with where its
// outcome goes (a Future, a MapJob, an ImapJob). A unit travels to a
// worker as one task message (pool_wire.hpp) and comes back as one reply.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/pool/jobs.hpp"
#include "core/pool/pool_wire.hpp"

namespace mproc::core {

struct WorkUnit {
  TaskHeader header{};
  std::string name;
  std::string owned;
  const void* borrowed = nullptr;  // a map's inputs stay the caller's
  size_t borrowed_len = 0;
  uint32_t weight = 1;
  int64_t timeout_ms = -1;
  bool timed_out = false;
  std::shared_ptr<Future> future;
  std::shared_ptr<MapJob> map;
  std::shared_ptr<ImapJob> imap;
  uint64_t first = 0;  // index of a chunk's first item

  const void* payload() const { return borrowed != nullptr ? borrowed : owned.data(); }
  size_t payload_len() const { return borrowed != nullptr ? borrowed_len : owned.size(); }
  size_t message_len() const { return sizeof header + name.size() + payload_len(); }
};

using UnitList = std::vector<std::unique_ptr<WorkUnit>>;
// Completion callbacks to run once no lock is held.
using AfterList = std::vector<std::function<void()>>;

// The chunk size of a map of `count` items over `workers` workers:
// `requested`, or 0 for Python's choice (four chunks per worker), made
// small enough that a chunk's inputs and outputs each fit in `limit`
// bytes.
size_t map_chunksize(size_t requested, size_t count, size_t workers, size_t in_size,
                     size_t out_size, uint64_t limit);

// One apply task: `header`'s kind and function set, `name` resolved.
std::unique_ptr<WorkUnit> single_unit(const TaskHeader& header, const std::string& name,
                                      const void* in, size_t len, std::shared_ptr<Future> future);
// The chunks of a map of `count` items of base.in_size bytes at `inputs`
// (borrowed), chunk after chunk of `chunksize` items; each weighs
// `chunk_weight` when there are several (a local worker's load).
UnitList map_units(const TaskHeader& base, const std::string& name, const void* inputs,
                   size_t count, size_t chunksize, const std::shared_ptr<MapJob>& job,
                   uint32_t chunk_weight);
// The chunks of an imap over inputs[i] of lens[i] bytes (copied); a chunk
// of several items weighs `chunk_weight`.
UnitList imap_units(const TaskHeader& base, const std::string& name, const void* const* inputs,
                    const size_t* lens, size_t count, size_t chunksize,
                    const std::shared_ptr<ImapJob>& job, uint32_t chunk_weight);

// Fails every unit with `code` and `why`; callbacks go into `after`.
void fail_units(UnitList units, int code, const std::string& why, AfterList& after);
// Completes a unit from its worker's reply (checked against the unit: a
// reply that does not fit its chunk fails the chunk with ECORRUPT).
void finish_unit(WorkUnit& unit, const ReplyView& reply, AfterList& after);

}  // namespace mproc::core
