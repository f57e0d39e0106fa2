#include "team/review_history.h"

#include <limits>

#include "team/state_builder.h"

namespace gatehouse {

Result<std::vector<std::shared_ptr<const Snapshot>>> ReviewHistory::StatesAt(
    const std::string& account_id, const std::vector<std::uint64_t>& revisions,
    std::shared_ptr<const PolicySet> policies) const {
  std::vector<std::shared_ptr<const Snapshot>> out;
  auto empty = std::make_shared<const Snapshot>(std::move(policies), 0);
  StateBuilder builder(empty);
  std::shared_ptr<const Snapshot> current = empty;
  std::size_t next = 0;
  // Snapshots for every asked revision below `revision` (the next record's).
  auto emit_before = [&](std::uint64_t revision) {
    while (next < revisions.size() && revisions[next] < revision) {
      current = builder.Build();
      out.push_back(current);
      ++next;
    }
  };
  constexpr std::size_t kChunk = 1000;
  std::uint64_t scanned = 0;
  while (next < revisions.size()) {
    std::uint64_t last = scanned;
    auto n = log_->ReadSince(scanned, kChunk, [&](const ChangeRecord& r) -> Status {
      last = r.revision;
      emit_before(r.revision);
      if (next >= revisions.size()) return Status::Ok();
      if (r.account_id != account_id && !r.account_id.empty()) return Status::Ok();
      auto set = codec_->Decode(r);
      if (!set.ok()) return set.status();
      return builder.Apply(*set, r.revision);
    });
    if (!n.ok()) return n.status();
    if (*n == 0 || last == scanned) break;
    scanned = last;
  }
  emit_before(std::numeric_limits<std::uint64_t>::max());
  return out;
}

}  // namespace gatehouse
