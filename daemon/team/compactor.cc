#include "team/compactor.h"

#include <algorithm>
#include <limits>

#include "engine/state_image.h"

namespace gatehouse {

namespace {
constexpr const char* kLease = "compaction";
}

Compactor::Compactor(ChangeLog* log, const SnapshotHolder* holder, const Clock* clock, CompactionOptions options,
                     LogFn log_fn)
    : log_(log), holder_(holder), clock_(clock), options_(std::move(options)), log_fn_(std::move(log_fn)) {}

Compactor::~Compactor() { Stop(); }

void Compactor::Start() {
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      if (cv_.wait_for(lock, options_.check_interval, [this] { return stopping_; })) break;
      lock.unlock();
      auto report = RunOnce(false);
      if (!report.ok() && log_fn_) log_fn_("compaction failed (it is tried again later): " + report.status().message());
      lock.lock();
    }
  });
}

void Compactor::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Result<CompactionReport> Compactor::RunOnce(bool force) {
  std::lock_guard lock(run_mu_);
  return RunLocked(force);
}

std::uint64_t Compactor::DeliveredFloor() {
  std::uint64_t floor = std::numeric_limits<std::uint64_t>::max();
  for (const auto& name : options_.notifier_cursors) {
    auto value = log_->GetCursor(name);
    if (!value.ok()) return 0;          // unknown: forget nothing this time
    if (!value->has_value()) continue;  // never started: it will start at the head
    try {
      floor = std::min<std::uint64_t>(floor, std::stoull(**value));
    } catch (...) {
      return 0;
    }
  }
  return floor;
}

Result<CompactionReport> Compactor::RunLocked(bool force) {
  CompactionReport report;
  if (!log_->SupportsSnapshots()) {
    report.skipped = "the storage backend keeps no snapshots";
    return report;
  }
  auto leased = log_->TryLease(kLease);
  if (!leased.ok()) return leased.status();
  if (!*leased) {
    report.skipped = "another node holds the compaction lease";
    return report;
  }
  report.ran = true;
  auto history = log_->History();
  if (!history.ok()) return history.status();
  const std::uint64_t newest = history->snapshots.empty() ? 0 : history->snapshots.back().revision;
  const auto state = holder_->Load();
  const bool due = options_.snapshot_every > 0 && state->revision() >= newest + options_.snapshot_every;
  if ((due || force) && state->revision() > newest) {
    const auto started = std::chrono::steady_clock::now();
    std::vector<std::string> chunks;
    GH_RETURN_IF_ERROR(EncodeStateImage(*state, [&](std::string chunk) {
      report.snapshot_bytes += chunk.size();
      chunks.push_back(std::move(chunk));
      return Status::Ok();
    }));
    GH_RETURN_IF_ERROR(log_->PutSnapshot(state->revision(), clock_->Now(), chunks));
    report.snapshot_revision = state->revision();
    report.snapshot_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    history = log_->History();
    if (!history.ok()) return history.status();
  }

  // Forget: the newest snapshot taken before the retention boundary, not past what every
  // notifier has delivered.
  const Timestamp cutoff = clock_->Now() - options_.retention.count();
  const std::uint64_t floor = DeliveredFloor();
  std::uint64_t forget = 0;
  for (const auto& s : history->snapshots) {
    if (s.taken_at <= cutoff && s.revision <= floor) forget = std::max(forget, s.revision);
  }
  report.forgotten_through = history->forgotten_through;
  if (forget > history->forgotten_through) {
    GH_RETURN_IF_ERROR(log_->ForgetHistory(forget));
    report.forgotten_through = forget;
    history = log_->History();
    if (!history.ok()) return history.status();
  }

  // Thin out: keep the base, the newest, and the first snapshot taken in each period of
  // retention/8 (periods counted from the epoch, so a kept snapshot stays kept as it ages).
  const std::int64_t spacing = std::max<std::int64_t>(options_.retention.count() / 8, 1);
  const auto& snapshots = history->snapshots;
  std::int64_t last_period = std::numeric_limits<std::int64_t>::min();
  for (std::size_t i = 0; i < snapshots.size(); ++i) {
    const SnapshotInfo& s = snapshots[i];
    const std::int64_t period = s.taken_at / spacing;
    const bool keep = i + 1 == snapshots.size() || s.revision == history->forgotten_through || period != last_period;
    last_period = period;
    if (keep) {
      ++report.snapshots_kept;
      continue;
    }
    GH_RETURN_IF_ERROR(log_->DropSnapshot(s.revision));
    ++report.snapshots_dropped;
  }
  if (log_fn_ && (report.snapshot_revision != 0 || forget > 0 || report.snapshots_dropped > 0)) {
    log_fn_("compaction: " +
            (report.snapshot_revision != 0
                 ? "snapshot at revision " + std::to_string(report.snapshot_revision) + " (" +
                       std::to_string(report.snapshot_bytes) + " bytes, " +
                       std::to_string(static_cast<long long>(report.snapshot_seconds * 1000)) + " ms); "
                 : std::string()) +
            "history kept from revision " + std::to_string(report.forgotten_through) + "; " +
            std::to_string(report.snapshots_kept) + " snapshot(s) kept, " + std::to_string(report.snapshots_dropped) +
            " dropped");
  }
  return report;
}

}  // namespace gatehouse
