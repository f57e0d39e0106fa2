// LogFollower: keeps this daemon's snapshot up with a change log that other daemons append
// to (a shared log: ChangeLog::IsShared, e.g. PostgreSQL), so reads on every node converge.
//
// One thread. It asks the log to wait for a head past the revision this node has applied
// (ChangeLog::WaitForChanges; PostgreSQL wakes it with LISTEN/NOTIFY), and when the head has
// moved, Committer::CatchUp applies the new records in revision order and publishes a
// snapshot — the same path a local append conflict takes, under the committer's write lock,
// so the follower and local writes never apply a record twice or out of order.
//
// When the log cannot be reached, nothing is published: reads keep serving the last
// snapshot, the follower retries with jittered backoff (`retry_base` doubling to
// `retry_max`), and Report() says since when it is unreachable, why, and by how many
// revisions this node may lag (the last head it saw minus what it applied). Local writes
// fail on their own (their append is refused), and nothing acknowledged is lost.
//
// Thread safety: Start and Stop from one thread; Report from any.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "core/change_log.h"
#include "engine/snapshot.h"
#include "team/committer.h"

namespace gatehouse {

struct FollowerReport {
  bool reachable = true;
  std::uint64_t applied = 0;    // this node's snapshot revision
  std::uint64_t head_seen = 0;  // the log's head when last reached
  std::int64_t unreachable_ms = 0;
  std::string error = {};  // the last failure while unreachable
  std::uint64_t lag() const { return head_seen > applied ? head_seen - applied : 0; }
};

struct FollowerOptions {
  std::chrono::milliseconds wait{1000};  // one WaitForChanges call at most
  std::chrono::milliseconds retry_base{100};
  std::chrono::milliseconds retry_max{5000};
};

class LogFollower {
 public:
  // `warn` gets one line when the log becomes unreachable and one when it is back.
  using LogFn = std::function<void(const std::string&)>;

  LogFollower(ChangeLog* log, Committer* committer, SnapshotHolder* holder, FollowerOptions options = {},
              LogFn warn = nullptr);
  ~LogFollower();
  LogFollower(const LogFollower&) = delete;
  LogFollower& operator=(const LogFollower&) = delete;

  void Start();
  void Stop();
  FollowerReport Report() const;

 private:
  void Run();
  void MarkUnreachable(const std::string& error);
  void MarkReachable(std::uint64_t head);
  bool Sleep(std::chrono::milliseconds d);  // false when stopping

  ChangeLog* log_;
  Committer* committer_;
  SnapshotHolder* holder_;
  FollowerOptions options_;
  LogFn warn_;
  mutable std::mutex mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  bool reachable_ = true;
  std::uint64_t head_seen_ = 0;
  std::chrono::steady_clock::time_point unreachable_since_{};
  std::string error_;
  std::thread thread_;
};

}  // namespace gatehouse
