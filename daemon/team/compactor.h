// Compactor: keeps the change log from growing without bound while keeping the history
// the daemon promises (docs/storage.md, "Snapshots and retention").
//
// One run (RunOnce):
//  1. On a shared log, only the holder of the lease "compaction" runs; others skip.
//  2. Writes a snapshot of the served state (engine/state_image.h) when `snapshot_every`
//     revisions were committed since the newest snapshot — or, when `force` (the
//     `gatehouse compact` command), whenever the state moved past it.
//  3. Forgets history: the newest snapshot older than `retention` (by when it was taken)
//     becomes where the kept history starts — unless a notifier has not delivered past it
//     yet (its stored cursor "notifier:<name>" is the floor): undelivered events are never
//     forgotten.
//  4. Thins out the snapshots inside the window: besides the newest and the one history
//     starts from, only the first snapshot taken in each period of retention/8 is kept
//     (periods counted from the epoch, so a kept one stays kept as it ages): the next
//     forget point is never more than a period from the retention boundary, and about ten
//     snapshots are kept.
//
// Crash safety: the snapshot is stored atomically before anything is forgotten, and
// forgetting is one atomic storage call that requires that snapshot: a kill -9 at any
// point leaves either the old log or the new one, both complete.
//
// Start runs RunOnce(false) every `check_interval` on a thread of its own; the served
// state is an immutable snapshot, so reads and writes go on while it encodes.
//
// Thread safety: RunOnce may be called from any thread; runs are serialized.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/change_log.h"
#include "core/status.h"
#include "core/time.h"
#include "engine/snapshot.h"

namespace gatehouse {

struct CompactionOptions {
  std::uint64_t snapshot_every = 20000;  // revisions between automatic snapshots; 0 = on request only
  std::chrono::milliseconds retention{720LL * 3600 * 1000};  // history kept for the feed and at=REV
  std::chrono::milliseconds check_interval{60000};
  std::vector<std::string> notifier_cursors;  // "notifier:<name>" of each configured notifier
};

struct CompactionReport {
  bool ran = false;                     // false: another node holds the lease, or the log keeps no snapshots
  std::string skipped;                  // why it did not run
  std::uint64_t snapshot_revision = 0;  // the snapshot written (0: none was due)
  std::uint64_t snapshot_bytes = 0;
  double snapshot_seconds = 0;          // encoding and storing it
  std::uint64_t forgotten_through = 0;  // where the kept history starts after the run
  std::size_t snapshots_dropped = 0;
  std::size_t snapshots_kept = 0;
};

class Compactor {
 public:
  using LogFn = std::function<void(const std::string&)>;
  Compactor(ChangeLog* log, const SnapshotHolder* holder, const Clock* clock, CompactionOptions options,
            LogFn log_fn = nullptr);
  ~Compactor();

  Result<CompactionReport> RunOnce(bool force);

  void Start();
  void Stop();

 private:
  Result<CompactionReport> RunLocked(bool force);
  std::uint64_t DeliveredFloor();

  ChangeLog* log_;
  const SnapshotHolder* holder_;
  const Clock* clock_;
  CompactionOptions options_;
  LogFn log_fn_;
  std::mutex run_mu_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace gatehouse
