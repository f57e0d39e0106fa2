// ChangeFeed: an account's committed changes, read back from the change log — the source
// of truth — never from a second copy (GET /v1/changes).
//
// Read(account, since, limit, wait) returns up to `limit` change records of that account
// with since < revision <= head, in revision order, where head is the revision the served
// snapshot reflects (what this node has applied). Revisions are global, so an account's
// feed has gaps. With nothing to return and `wait` > 0 it waits for the next commit (any
// account's: each wakes the reader, which reads again) until something of this account
// arrives or `wait` passes. A `since` before the history the log still holds (retention
// forgot it: team/compactor.h) is kGone, naming the first `since` that can be read. The
// log is scanned from `since` in chunks; a feed read far
// behind the head of a log that is mostly other accounts' changes costs that scan.
//
// Thread safety: safe for concurrent use. Notify may be called from the commit path (the
// Committer's listener): it only takes a mutex and signals.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "core/change.h"
#include "core/change_log.h"
#include "core/status.h"
#include "engine/snapshot.h"

namespace gatehouse {

class ChangeFeed {
 public:
  ChangeFeed(ChangeLog* log, const SnapshotHolder* snapshots) : log_(log), snapshots_(snapshots) {}

  struct Page {
    std::vector<ChangeRecord> changes;
    std::uint64_t next_since = 0;  // the last returned revision, or `since` when none
    std::uint64_t head = 0;        // the revision the served state reflects
  };

  Result<Page> Read(const std::string& account_id, std::uint64_t since, std::size_t limit,
                    std::chrono::milliseconds wait);

  // A commit reached `revision`: wakes waiting readers.
  void Notify(std::uint64_t revision);

 private:
  Result<Page> ReadOnce(const std::string& account_id, std::uint64_t since, std::size_t limit);

  ChangeLog* log_;
  const SnapshotHolder* snapshots_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::uint64_t notified_ = 0;
};

}  // namespace gatehouse
