// ReviewHistory: one account as it stood after past revisions, for the access review's
// `at=REV` and the review diff. It replays the change log — the source of truth — into a
// private Snapshot, starting from the newest stored snapshot at or before the first
// revision asked for (only that account decoded from it) or from the beginning when there
// is none; a revision older than the kept history is kGone. Only the account's own change sets and the
// global ones (user profiles) are decoded and applied; everything else is skipped
// unread. The live snapshot is never touched. The replayed state is bound to the policy
// set passed in (the review judges past data by the policy files active now).
//
// Cost: one pass over the log up to the last revision asked for (records of other
// accounts are read but not decoded), plus the account's own state in memory.
//
// Thread safety: safe for concurrent use (each call replays on its own).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/change_codec.h"
#include "core/change_log.h"
#include "core/status.h"
#include "engine/snapshot.h"

namespace gatehouse {

class ReviewHistory {
 public:
  ReviewHistory(ChangeLog* log, const ChangeCodec* codec) : log_(log), codec_(codec) {}

  // Snapshots of `account_id` after each of `revisions` (ascending), in one pass. A
  // snapshot's FindAccount(account_id) is null when the account did not exist yet.
  Result<std::vector<std::shared_ptr<const Snapshot>>> StatesAt(const std::string& account_id,
                                                                const std::vector<std::uint64_t>& revisions,
                                                                std::shared_ptr<const PolicySet> policies) const;

 private:
  ChangeLog* log_;
  const ChangeCodec* codec_;
};

}  // namespace gatehouse
