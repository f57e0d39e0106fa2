#include "team/review_history.h"

#include <limits>

#include "engine/state_image.h"
#include "team/state_builder.h"

namespace gatehouse {

Result<std::vector<std::shared_ptr<const Snapshot>>> ReviewHistory::StatesAt(
    const std::string& account_id, const std::vector<std::uint64_t>& revisions,
    std::shared_ptr<const PolicySet> policies) const {
  std::vector<std::shared_ptr<const Snapshot>> out;
  std::shared_ptr<const Snapshot> current = std::make_shared<const Snapshot>(policies, 0);
  if (!revisions.empty() && log_->SupportsSnapshots()) {
    // Start from the newest snapshot at or before the first revision asked for.
    auto history = log_->History();
    if (!history.ok()) return history.status();
    if (revisions.front() < history->forgotten_through) {
      return Gone("revision " + std::to_string(revisions.front()) + " is older than the history kept (from revision " +
                  std::to_string(history->forgotten_through) + " on; history.retention)");
    }
    std::uint64_t base = 0;
    for (const auto& s : history->snapshots) {
      if (s.revision <= revisions.front()) base = s.revision;
    }
    if (base != 0) {
      auto chunks = log_->ReadSnapshot(base);
      if (!chunks.ok()) return chunks.status();
      auto state = DecodeStateImageAccount(*chunks, account_id, policies);
      if (!state.ok()) return state.status();
      current = std::move(*state);
    }
  }
  StateBuilder builder(current);
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
  std::uint64_t scanned = current->revision();
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
