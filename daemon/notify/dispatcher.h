// NotificationDispatcher: delivers every committed change to every configured notifier,
// in log order, at least once, surviving restarts and receivers that are down.
//
// One thread per notifier. Each keeps a cursor — the last revision delivered — stored in
// the change log's named cursors ("notifier:<name>"), reads the next batch after it,
// hands it to the Notifier, and on success advances and stores the cursor. A batch that
// should be retried is retried, unchanged, with exponential backoff and full jitter
// (base → max); nothing after it is sent first, so order holds. A rejected batch is
// counted as failed and skipped. A cursor that cannot be stored is kept in memory and
// stored with the next batch: after a crash some events may come again (at least once),
// none is lost.
//
// A notifier with no stored cursor starts at the log's head when it is first started:
// adding a notifier to a long-running daemon does not replay its history.
//
// Wake() after each commit gets delivery going at once; a notifier also polls every
// `poll_interval` for changes other nodes appended.
//
// Several daemons on one shared log deliver each notifier's events once per cluster: a
// worker delivers only while it holds the log's lease "notifier:<name>" (checked before
// every batch), and on taking it over re-reads the stored cursor, which the previous holder
// advanced. A holder that dies loses the lease with its database session; another node's
// worker takes over within `poll_interval`. Delivery stays at least once and in order (a
// batch the old holder sent but had not yet recorded is sent again).
//
// Metrics (per notifier label): gatehouse_notifier_delivered_total,
// gatehouse_notifier_failures_total (failed attempts), gatehouse_notifier_rejected_total
// (events given up), gatehouse_notifier_backlog (head − cursor).
//
// Thread safety: Add before Start; Wake and Stop from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/change_log.h"
#include "core/metrics.h"
#include "core/notifier.h"

namespace gatehouse {

struct DispatcherOptions {
  std::size_t batch_size = 100;
  std::chrono::milliseconds backoff_base{100};
  std::chrono::milliseconds backoff_max{30000};
  std::chrono::milliseconds poll_interval{1000};
};

class NotificationDispatcher {
 public:
  // Messages for operators: `error` is true for events skipped for good (a notifier's
  // explicit permanent reject), false for warnings (a failure that will be retried).
  using LogFn = std::function<void(bool error, const std::string&)>;

  NotificationDispatcher(ChangeLog* log, Metrics* metrics, DispatcherOptions options = {}, LogFn warn = nullptr);
  ~NotificationDispatcher();

  void Add(std::string name, std::unique_ptr<Notifier> notifier);
  // Rewrites each event before delivery (e.g. adds accept links kept only in memory).
  void SetEnricher(std::function<void(ChangeRecord&)> enrich) { enrich_ = std::move(enrich); }
  Status Start();
  void Wake();
  void Stop();

  // The delivered revision of a notifier (for status and tests).
  std::uint64_t CursorOf(const std::string& name) const;

 private:
  struct Worker {
    std::string name;
    std::unique_ptr<Notifier> notifier;
    std::atomic<std::uint64_t> cursor{0};
    bool cursor_dirty = false;
    bool leading = false;  // holds the delivery lease (always, on a one-writer log)
    std::thread thread;
  };

  void Run(Worker* w);
  // Takes or confirms the worker's delivery lease; on taking it, reloads the cursor.
  bool HoldLease(Worker* w, const std::string& lease);
  bool SleepFor(std::chrono::milliseconds d);  // false when stopping

  ChangeLog* log_;
  Metrics* metrics_;
  DispatcherOptions options_;
  LogFn warn_;
  std::function<void(ChangeRecord&)> enrich_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::uint64_t wakeups_ = 0;
  bool stopping_ = false;
  bool started_ = false;
};

}  // namespace gatehouse
