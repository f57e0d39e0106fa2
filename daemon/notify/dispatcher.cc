#include "notify/dispatcher.h"

#include <random>

namespace gatehouse {

NotificationDispatcher::NotificationDispatcher(ChangeLog* log, Metrics* metrics, DispatcherOptions options, LogFn warn)
    : log_(log), metrics_(metrics), options_(options), warn_(std::move(warn)) {
  metrics_->Describe("gatehouse_notifier_delivered_total", Metrics::Type::kCounter, "Events delivered, per notifier");
  metrics_->Describe("gatehouse_notifier_failures_total", Metrics::Type::kCounter,
                     "Failed delivery attempts (batches), per notifier");
  metrics_->Describe("gatehouse_notifier_rejected_total", Metrics::Type::kCounter,
                     "Events a notifier rejected permanently, per notifier");
  metrics_->Describe("gatehouse_notifier_backlog", Metrics::Type::kGauge,
                     "Committed events not yet delivered, per notifier");
}

NotificationDispatcher::~NotificationDispatcher() { Stop(); }

void NotificationDispatcher::Add(std::string name, std::unique_ptr<Notifier> notifier) {
  auto w = std::make_unique<Worker>();
  w->name = std::move(name);
  w->notifier = std::move(notifier);
  workers_.push_back(std::move(w));
}

Status NotificationDispatcher::Start() {
  for (auto& w : workers_) {
    auto stored = log_->GetCursor("notifier:" + w->name);
    if (!stored.ok()) return stored.status();
    if (stored->has_value()) {
      w->cursor = std::stoull(**stored);
    } else {
      auto head = log_->Head();
      if (!head.ok()) return head.status();
      w->cursor = *head;
      GH_RETURN_IF_ERROR(log_->PutCursor("notifier:" + w->name, std::to_string(*head)));
    }
  }
  metrics_->AddCollector([this](Metrics& m) {
    auto head = log_->Head();
    if (!head.ok()) return;
    for (const auto& w : workers_) {
      const std::uint64_t c = w->cursor.load();
      m.Set(Series("gatehouse_notifier_backlog", "notifier", w->name), static_cast<double>(*head > c ? *head - c : 0));
    }
  });
  started_ = true;
  for (auto& w : workers_) {
    Worker* raw = w.get();
    w->thread = std::thread([this, raw] { Run(raw); });
  }
  return Status::Ok();
}

void NotificationDispatcher::Wake() {
  std::lock_guard lock(mu_);
  ++wakeups_;
  cv_.notify_all();
}

void NotificationDispatcher::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    cv_.notify_all();
  }
  for (auto& w : workers_) {
    if (w->thread.joinable()) w->thread.join();
    // Hand delivery to another node now rather than when this session ends.
    if (w->leading) (void)log_->ReleaseLease("notifier:" + w->name);
    w->leading = false;
  }
}

std::uint64_t NotificationDispatcher::CursorOf(const std::string& name) const {
  for (const auto& w : workers_) {
    if (w->name == name) return w->cursor.load();
  }
  return 0;
}

bool NotificationDispatcher::SleepFor(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, d, [&] { return stopping_; });
  return !stopping_;
}

bool NotificationDispatcher::HoldLease(Worker* w, const std::string& lease) {
  auto held = log_->TryLease(lease);
  if (!held.ok() || !*held) {
    if (w->leading && warn_) {
      warn_(false, "notifier " + w->name + ": no longer holds the delivery lease (" +
                       (held.ok() ? std::string("another node took it") : held.status().message()) +
                       "); delivery pauses here");
    }
    w->leading = false;
    return false;
  }
  if (w->leading) return true;
  // Taking over: the stored cursor is where the previous holder got to.
  auto stored = log_->GetCursor(lease);
  if (!stored.ok()) {
    (void)log_->ReleaseLease(lease);
    return false;
  }
  if (stored->has_value()) {
    w->cursor = std::stoull(**stored);
    w->cursor_dirty = false;
  }
  w->leading = true;
  if (log_->IsShared() && warn_) {
    warn_(false, "notifier " + w->name + ": this node now delivers (from revision " +
                     std::to_string(w->cursor.load() + 1) + ")");
  }
  return true;
}

void NotificationDispatcher::Run(Worker* w) {
  std::mt19937_64 rng(std::random_device{}());
  auto backoff = options_.backoff_base;
  const std::string cursor_name = "notifier:" + w->name;
  const std::string delivered = Series("gatehouse_notifier_delivered_total", "notifier", w->name);
  const std::string failures = Series("gatehouse_notifier_failures_total", "notifier", w->name);
  const std::string rejected = Series("gatehouse_notifier_rejected_total", "notifier", w->name);
  for (const auto* series : {&delivered, &failures, &rejected}) metrics_->Add(*series, 0);  // present from the start
  auto retry_later = [&]() {
    metrics_->Add(failures);
    // Full jitter: a random wait in [0, backoff], then double the ceiling.
    const auto wait = std::chrono::milliseconds(rng() % (static_cast<std::uint64_t>(backoff.count()) + 1));
    backoff = std::min(backoff * 2, options_.backoff_max);
    return SleepFor(wait);
  };
  for (;;) {
    std::uint64_t seen_wakeups;
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      seen_wakeups = wakeups_;
    }
    if (!HoldLease(w, cursor_name)) {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, options_.poll_interval, [&] { return stopping_; });
      continue;
    }
    std::vector<ChangeRecord> batch;
    auto n = log_->ReadSince(w->cursor.load(), options_.batch_size, [&](const ChangeRecord& r) {
      batch.push_back(r);
      return Status::Ok();
    });
    if (!n.ok()) {
      if (warn_) warn_(false, "notifier " + w->name + ": reading the change log: " + n.status().message());
      if (!retry_later()) return;
      continue;
    }
    if (batch.empty()) {
      if (w->cursor_dirty && log_->PutCursor(cursor_name, std::to_string(w->cursor.load())).ok()) {
        w->cursor_dirty = false;
      }
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, options_.poll_interval, [&] { return stopping_ || wakeups_ != seen_wakeups; });
      continue;
    }
    if (batch.front().revision != w->cursor.load() + 1 && warn_) {
      // Only a notifier that was not configured while history was forgotten can see this:
      // the compactor never forgets past a configured notifier's cursor.
      warn_(true, "notifier " + w->name + ": revisions " + std::to_string(w->cursor.load() + 1) + ".." +
                      std::to_string(batch.front().revision - 1) +
                      " were forgotten (history.retention) before this notifier delivered them; it goes on from " +
                      std::to_string(batch.front().revision));
    }
    if (enrich_) {
      for (auto& r : batch) enrich_(r);
    }
    const DeliveryResult result = w->notifier->Deliver(batch);
    if (result.outcome == DeliveryOutcome::kRetryLater) {
      if (warn_) warn_(false, "notifier " + w->name + ": delivery failed, will retry: " + result.message);
      if (!retry_later()) return;
      continue;
    }
    if (result.outcome == DeliveryOutcome::kRejected) {
      metrics_->Add(rejected, static_cast<double>(batch.size()));
      if (warn_) {
        warn_(true, "notifier " + w->name + ": skipped revisions " + std::to_string(batch.front().revision) + ".." +
                        std::to_string(batch.back().revision) +
                        " (the notifier rejected them permanently; they will not be delivered): " + result.message);
      }
    } else {
      metrics_->Add(delivered, static_cast<double>(batch.size()));
    }
    backoff = options_.backoff_base;
    w->cursor = batch.back().revision;
    w->cursor_dirty = !log_->PutCursor(cursor_name, std::to_string(w->cursor.load())).ok();
  }
}

}  // namespace gatehouse
