#include "team/log_follower.h"

#include <random>

namespace gatehouse {

LogFollower::LogFollower(ChangeLog* log, Committer* committer, SnapshotHolder* holder, FollowerOptions options,
                         LogFn warn)
    : log_(log), committer_(committer), holder_(holder), options_(options), warn_(std::move(warn)) {}

LogFollower::~LogFollower() { Stop(); }

void LogFollower::Start() {
  {
    std::lock_guard lock(mu_);
    head_seen_ = holder_->Load()->revision();
  }
  thread_ = std::thread([this] { Run(); });
}

void LogFollower::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

FollowerReport LogFollower::Report() const {
  FollowerReport r;
  r.applied = holder_->Load()->revision();
  std::lock_guard lock(mu_);
  r.reachable = reachable_;
  r.head_seen = head_seen_;
  if (!reachable_) {
    r.error = error_;
    r.unreachable_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - unreachable_since_)
            .count();
  }
  return r;
}

bool LogFollower::Sleep(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  return !stop_cv_.wait_for(lock, d, [&] { return stopping_; });
}

void LogFollower::MarkUnreachable(const std::string& error) {
  bool was_reachable;
  {
    std::lock_guard lock(mu_);
    was_reachable = reachable_;
    if (reachable_) unreachable_since_ = std::chrono::steady_clock::now();
    reachable_ = false;
    error_ = error;
  }
  if (was_reachable && warn_) {
    warn_("change log unreachable; serving the last snapshot (revision " + std::to_string(holder_->Load()->revision()) +
          ") until it is back: " + error);
  }
}

void LogFollower::MarkReachable(std::uint64_t head) {
  bool was_unreachable;
  std::int64_t for_ms = 0;
  {
    std::lock_guard lock(mu_);
    was_unreachable = !reachable_;
    if (was_unreachable) {
      for_ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - unreachable_since_)
              .count();
    }
    reachable_ = true;
    error_.clear();
    head_seen_ = std::max(head_seen_, head);
  }
  if (was_unreachable && warn_) {
    warn_("change log reachable again after " + std::to_string(for_ms) + " ms; head " + std::to_string(head));
  }
}

void LogFollower::Run() {
  std::mt19937_64 rng(std::random_device{}());
  auto backoff = options_.retry_base;
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
    const std::uint64_t applied = holder_->Load()->revision();
    auto head = log_->WaitForChanges(applied, static_cast<std::uint32_t>(options_.wait.count()));
    Status caught_up = head.ok() && *head > applied ? committer_->CatchUp() : Status::Ok();
    if (!head.ok() || !caught_up.ok()) {
      MarkUnreachable(head.ok() ? caught_up.message() : head.status().message());
      const auto wait = std::chrono::milliseconds(rng() % (static_cast<std::uint64_t>(backoff.count()) + 1));
      backoff = std::min(backoff * 2, options_.retry_max);
      if (!Sleep(wait)) return;
      continue;
    }
    backoff = options_.retry_base;
    MarkReachable(*head);
  }
}

}  // namespace gatehouse
