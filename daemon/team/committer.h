// Committer: the write pipeline. Every write of the daemon goes through Commit():
//
//   build(current snapshot) → ChangeSet      (validation; may refuse with a Status)
//   → ChangeLog::Append(record, head)        (durable; the write is acknowledged after this)
//   → StateBuilder applies it → Publish       (readers see it atomically)
//   → listeners are told (notifier dispatch wakes up)
//
// Writes are serialized, so validation always sees the state the append will extend.
// Group commit: writers that arrive while an append is in flight queue up; the next
// leader validates each queued write in order against the state including the ones
// before it, appends all that validated in ONE storage call (one fsync), publishes once,
// and answers each writer with its own revision or its own error. If another node
// appended first (kAborted), the committer catches up with the log and validates the
// batch again, up to 40 times, with a jittered backoff after the second try so nodes
// that keep colliding fall out of step. If the append fails, nothing is applied and
// every write of the batch gets the error: memory and log never disagree.
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "core/change_codec.h"
#include "core/change_log.h"
#include "core/instruments.h"
#include "core/status.h"
#include "engine/snapshot.h"

namespace gatehouse {

class Committer {
 public:
  using Build = std::function<Result<ChangeSet>(const Snapshot&)>;
  using Listener = std::function<void(std::uint64_t revision)>;

  Committer(ChangeLog* log, const ChangeCodec* codec, SnapshotHolder* holder);

  // Start-up: loads the log's newest snapshot (when the log keeps snapshots and has one
  // past the holder's revision) and replays the records after it into the holder's
  // snapshot. Returns the revision published. Refuses a log that skips a revision, and
  // one whose history was forgotten past every snapshot it still has.
  Result<std::uint64_t> LoadAll();

  // Applies records another writer appended since our revision. When the log no longer
  // holds the next record (another node forgot history past this node's revision while it
  // was away), it loads the newest snapshot first and replays from there.
  Status CatchUp();

  // Runs the pipeline above; returns the committed revision. When `build` returns a
  // ChangeSet with no changes, nothing is appended and the current revision is returned.
  Result<std::uint64_t> Commit(const Build& build);

  // Appends `sets` as consecutive records in ONE storage call, all or nothing, but only
  // into an empty log (revision 0; else kFailedPrecondition): how an import restores an
  // export. Each set is applied first; one that cannot apply (an account-scoped change
  // before its account) is kInvalidArgument naming its position, and nothing is stored.
  // Returns the new head.
  Result<std::uint64_t> CommitAllIntoEmpty(const std::vector<ChangeSet>& sets);

  void AddListener(Listener listener);

  // What the write path measures (optional; set before the first write): each Commit's
  // latency (queueing, validation, append and publish), each storage append's latency,
  // and every snapshot published (writes, catch-ups, policy swaps, the start-up replay).
  struct Instruments {
    std::shared_ptr<Histogram> commit_seconds;
    std::shared_ptr<Histogram> append_seconds;
    std::shared_ptr<ShardedCounter> publishes;
  };
  void SetInstruments(Instruments instruments) { instruments_ = std::move(instruments); }

  // Swaps in a new policy set, rebinding every account, between two writes. Refuses with
  // kFailedPrecondition (listing the count per account) when roles that stored
  // assignments use would disappear, unless `force`. `dry_run` checks and publishes nothing.
  Status ReplacePolicies(std::shared_ptr<const PolicySet> policies, bool force, bool dry_run = false);

 private:
  struct Pending {
    const Build* build;
    std::optional<Result<std::uint64_t>> result;
  };
  Status CatchUpLocked();
  // Publishes the log's newest snapshot when it is past the holder's revision.
  Status LoadNewestSnapshotLocked();
  // Validates, appends and publishes a batch; returns each write's result, in order. Does
  // not touch the Pendings' result fields (Commit hands the results over under queue_mu_).
  std::vector<Result<std::uint64_t>> ProcessBatch(const std::vector<Pending*>& batch);
  Result<std::uint64_t> CommitQueued(const Build& build);
  Result<std::uint64_t> Append(const std::vector<ChangeRecord>& records, std::uint64_t expected_head);
  void Publish(std::shared_ptr<const Snapshot> next);

  ChangeLog* log_;
  const ChangeCodec* codec_;
  SnapshotHolder* holder_;
  std::mutex write_mu_;  // held while a batch is validated, appended and published
  std::vector<Listener> listeners_;
  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Pending*> queue_;
  bool leader_active_ = false;
  Instruments instruments_;
};

}  // namespace gatehouse
