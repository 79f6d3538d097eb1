#include "core/pool/units.hpp"

#include <mproc/common.h>

#include <algorithm>

namespace mproc::core {

size_t map_chunksize(size_t requested, size_t count, size_t workers, size_t in_size,
                     size_t out_size, uint64_t limit) {
  size_t chunksize = requested;
  if (chunksize == 0) {
    size_t parts = std::max<size_t>(workers, 1) * 4;
    chunksize = count / parts + (count % parts != 0 ? 1 : 0);
  }
  if (in_size > 0 && chunksize > limit / in_size) chunksize = std::max<size_t>(1, limit / in_size);
  if (out_size > 0 && chunksize > limit / out_size)
    chunksize = std::max<size_t>(1, limit / out_size);
  return std::max<size_t>(chunksize, 1);
}

std::unique_ptr<WorkUnit> single_unit(const TaskHeader& header, const std::string& name,
                                      const void* in, size_t len, std::shared_ptr<Future> future) {
  auto unit = std::make_unique<WorkUnit>();
  unit->header = header;
  unit->header.kind = static_cast<uint32_t>(TaskKind::kSingle);
  unit->header.count = 1;
  unit->name = name;
  if (len > 0) unit->owned.assign(static_cast<const char*>(in), len);
  unit->future = std::move(future);
  return unit;
}

namespace {

// Cuts `count` items into chunks of `chunksize`, each a unit of `kind`
// that `fill` completes (its payload, weight and job).
template <class Fill>
UnitList cut_into_chunks(const TaskHeader& base, TaskKind kind, const std::string& name,
                         size_t count, size_t chunksize, Fill fill) {
  UnitList units;
  units.reserve(count / chunksize + 1);
  for (size_t first = 0; first < count; first += chunksize) {
    auto u = std::make_unique<WorkUnit>();
    u->header = base;
    u->header.kind = static_cast<uint32_t>(kind);
    u->header.count = std::min(chunksize, count - first);
    u->name = name;
    u->first = first;
    fill(*u);
    units.push_back(std::move(u));
  }
  return units;
}

}  // namespace

UnitList map_units(const TaskHeader& base, const std::string& name, const void* inputs,
                   size_t count, size_t chunksize, const std::shared_ptr<MapJob>& job,
                   uint32_t chunk_weight) {
  return cut_into_chunks(base, TaskKind::kFixedChunk, name, count, chunksize,
                         [&](WorkUnit& u) {
                           u.borrowed = static_cast<const char*>(inputs) + u.first * base.in_size;
                           u.borrowed_len = u.header.count * base.in_size;
                           u.weight = count > chunksize ? chunk_weight : 1;
                           u.map = job;
                         });
}

UnitList imap_units(const TaskHeader& base, const std::string& name, const void* const* inputs,
                    const size_t* lens, size_t count, size_t chunksize,
                    const std::shared_ptr<ImapJob>& job, uint32_t chunk_weight) {
  return cut_into_chunks(base, TaskKind::kVarChunk, name, count, chunksize,
                         [&](WorkUnit& u) {
                           for (size_t i = u.first; i < u.first + u.header.count; ++i) {
                             uint64_t len = lens[i];
                             u.owned.append(reinterpret_cast<const char*>(&len), sizeof len);
                             if (len > 0) u.owned.append(static_cast<const char*>(inputs[i]), len);
                           }
                           u.weight = u.header.count > 1 ? chunk_weight : 1;
                           u.imap = job;
                         });
}

void fail_units(UnitList units, int code, const std::string& why, AfterList& after) {
  for (auto& u : units) {
    if (u->future) {
      auto callback = u->future->complete(code, why, std::string());
      if (callback) after.push_back([callback, f = u->future] { callback(f); });
    } else if (u->map) {
      u->map->complete_chunk(u->first, nullptr, 0, code, 0, why);
    } else if (u->imap) {
      for (uint64_t i = 0; i < u->header.count; ++i) u->imap->complete_item(u->first + i, code, why);
    }
  }
}

void finish_unit(WorkUnit& unit, const ReplyView& reply, AfterList& after) {
  const ReplyHeader& h = reply.header;
  std::string why(reply.message);
  const char* mismatch = "pool: a worker's reply does not match its chunk";
  if (unit.future) {
    auto callback = unit.future->complete(
        h.code, why, h.code == 0 ? std::string(reply.payload) : std::string());
    if (callback) after.push_back([callback, f = unit.future] { callback(f); });
    return;
  }
  if (unit.map) {
    if (!fixed_reply_fits(reply, unit.header.count, unit.header.out_size)) {
      unit.map->complete_chunk(unit.first, nullptr, 0, MPROC_ECORRUPT, 0, mismatch);
      return;
    }
    unit.map->complete_chunk(unit.first, reply.payload.data(), reply.payload.size(), h.code,
                             h.failed_index, why);
    return;
  }
  if (unit.imap) {
    std::string_view rest = reply.payload;
    for (uint64_t i = 0; i < unit.header.count; ++i) {
      int32_t code;
      std::string_view bytes;
      if (!take_var_reply(&rest, &code, &bytes)) {
        rest = {};  // nothing after a malformed item can be trusted
        unit.imap->complete_item(unit.first + i, MPROC_ECORRUPT, mismatch);
        continue;
      }
      unit.imap->complete_item(unit.first + i, code, std::string(bytes));
    }
  }
}

}  // namespace mproc::core
