#include "team/committer.h"

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

#include "engine/custom_roles.h"
#include "engine/state_image.h"
#include "team/state_builder.h"

namespace gatehouse {

namespace {
// Several nodes writing at once lose the append race to each other; a write keeps trying
// (8 attempts were not enough for three busy nodes under ASan). After the first retries it
// waits a random 0..2^attempt ms (at most 50) so two nodes stop colliding in step.
constexpr int kMaxConflictRetries = 40;
void BackOffAfterConflict(int attempt) {
  if (attempt < 2) return;
  thread_local std::mt19937 rng(std::random_device{}());
  const int ceiling_ms = std::min(50, 1 << std::min(attempt, 6));
  std::this_thread::sleep_for(std::chrono::microseconds(rng() % (static_cast<unsigned>(ceiling_ms) * 1000 + 1)));
}
}  // namespace

Committer::Committer(ChangeLog* log, const ChangeCodec* codec, SnapshotHolder* holder)
    : log_(log), codec_(codec), holder_(holder) {}

void Committer::AddListener(Listener listener) {
  std::lock_guard lock(write_mu_);
  listeners_.push_back(std::move(listener));
}

Status Committer::ReplacePolicies(std::shared_ptr<const PolicySet> policies, bool force, bool dry_run) {
  std::lock_guard lock(write_mu_);
  auto current = holder_->Load();
  if (!force) {
    std::string missing;
    current->ForEachAccount([&](const AccountView& view) {
      const auto held = view.State();
      const AccountState& state = *held;
      // Roles made over the API are compiled against the new files too: one that inherits
      // a role the reload removes would stop compiling and silently grant nothing.
      std::vector<CompiledRole> custom;
      std::vector<PolicyError> custom_errors;
      if (!state.custom_roles().empty()) CompileAccountRoles(*policies, state.custom_roles(), &custom, &custom_errors);
      for (std::size_t slot = 0; slot < state.RoleSlotCount(); ++slot) {
        const std::string& role = state.RoleOfSlot(static_cast<std::uint16_t>(slot));
        if (policies->FindRole(role, state.account().id) != nullptr) continue;
        const bool api_role = state.FindCustomRole(role) != nullptr;
        if (api_role &&
            std::any_of(custom.begin(), custom.end(), [&](const CompiledRole& r) { return r.decl.id == role; })) {
          continue;
        }
        const std::size_t n = state.CountGrantsWithRole(role);
        if (n == 0) continue;
        missing += (missing.empty() ? "" : "; ") + std::string("account \"") + state.account().id +
                   "\": " + std::to_string(n) + " assignment(s) of role \"" + role + "\"";
        if (api_role) {
          missing += " (made over the API; it would no longer compile";
          for (const auto& e : custom_errors) {
            if (e.message.find("\"" + role + "\"") != std::string::npos) {
              missing += ": " + e.message;
              break;
            }
          }
          missing += ")";
        }
      }
    });
    if (!missing.empty()) {
      return FailedPrecondition("reload refused: it removes roles that stored assignments use (" + missing +
                                "); reassign them first, or force the reload");
    }
  }
  if (!dry_run) Publish(current->WithPolicies(std::move(policies)));
  return Status::Ok();
}

Status Committer::LoadNewestSnapshotLocked() {
  if (!log_->SupportsSnapshots()) return Status::Ok();
  auto history = log_->History();
  if (!history.ok()) return history.status();
  const auto current = holder_->Load();
  if (!history->snapshots.empty() && history->snapshots.back().revision > current->revision()) {
    const std::uint64_t revision = history->snapshots.back().revision;
    auto chunks = log_->ReadSnapshot(revision);
    if (!chunks.ok()) {
      return Status(chunks.status().code(),
                    "reading the snapshot at revision " + std::to_string(revision) + ": " + chunks.status().message());
    }
    auto state = DecodeStateImage(*chunks, current->policies());
    if (!state.ok()) {
      return Internal("the snapshot at revision " + std::to_string(revision) +
                      " cannot be loaded: " + state.status().message());
    }
    if ((*state)->revision() != revision) {
      return Internal("the snapshot stored at revision " + std::to_string(revision) + " holds revision " +
                      std::to_string((*state)->revision()));
    }
    Publish(*state);
  }
  if (history->forgotten_through > holder_->Load()->revision()) {
    return Internal("the log's history was forgotten through revision " + std::to_string(history->forgotten_through) +
                    ", but it holds no snapshot at or after it to start from");
  }
  return Status::Ok();
}

Result<std::uint64_t> Committer::LoadAll() {
  // Two threads share the work: this one reads the log and decodes most batches of
  // records; an applier thread decodes the rest and applies every change set in log order.
  // Decoding is the largest part (about 70 % of a replay), so each thread takes a share of
  // it: of every kCycle batches, the applier decodes kApplierDecodes. Batches pass through
  // a bounded queue, so memory stays bounded whatever the log's length.
  constexpr std::size_t kBatch = 512, kMaxQueuedBatches = 8, kCycle = 3, kApplierDecodes = 1;
  struct Item {
    std::uint64_t revision = 0;
    std::optional<ChangeSet> decoded;  // empty: `raw` still needs decoding
    ChangeRecord raw;
  };
  using Batch = std::vector<Item>;
  std::lock_guard lock(write_mu_);
  GH_RETURN_IF_ERROR(LoadNewestSnapshotLocked());
  StateBuilder builder(holder_->Load());
  const std::uint64_t expected = holder_->Load()->revision();
  std::mutex mu;
  std::condition_variable changed;
  std::deque<Batch> queue;
  bool done = false;
  Status apply_status = Status::Ok();
  std::thread applier([&] {
    auto fail = [&](Status st) {
      std::lock_guard queue_lock(mu);
      apply_status = std::move(st);
      queue.clear();
      done = true;
      changed.notify_all();
    };
    for (;;) {
      Batch batch;
      {
        std::unique_lock queue_lock(mu);
        changed.wait(queue_lock, [&] { return !queue.empty() || done; });
        if (queue.empty()) return;
        batch = std::move(queue.front());
        queue.pop_front();
      }
      changed.notify_all();
      for (auto& item : batch) {
        if (!item.decoded) {
          auto set = codec_->Decode(item.raw);
          if (!set.ok()) return fail(set.status());
          item.decoded = std::move(*set);
        }
        Status st = builder.Apply(*item.decoded, item.revision);
        if (!st.ok()) return fail(std::move(st));
      }
    }
  });
  auto hand_over = [&](Batch& batch) -> Status {
    std::unique_lock queue_lock(mu);
    changed.wait(queue_lock, [&] { return queue.size() < kMaxQueuedBatches || done; });
    if (done) return apply_status;
    queue.push_back(std::move(batch));
    batch.clear();
    changed.notify_all();
    return Status::Ok();
  };
  Batch batch;
  std::size_t batches = 0;
  std::uint64_t last = expected;
  auto read_one = [&](const ChangeRecord& record) -> Status {
    if (record.revision != last + 1) {
      return Internal("the change log skips from revision " + std::to_string(last) + " to " +
                      std::to_string(record.revision));
    }
    last = record.revision;
    Item item;
    item.revision = record.revision;
    if (batches % kCycle < kCycle - kApplierDecodes) {
      auto set = codec_->Decode(record);
      if (!set.ok()) return set.status();
      item.decoded = std::move(*set);
    } else {
      item.raw = record;
    }
    batch.push_back(std::move(item));
    if (batch.size() < kBatch) return Status::Ok();
    ++batches;
    return hand_over(batch);
  };
  constexpr std::size_t kReadChunk = 100000;
  Result<std::uint64_t> head = expected;
  for (;;) {
    auto n = log_->ReadSince(last, kReadChunk, read_one);
    if (!n.ok()) {
      head = n.status();
      break;
    }
    if (*n < kReadChunk) break;
  }
  if (head.ok()) head = last;
  Status handed = head.ok() && !batch.empty() ? hand_over(batch) : Status::Ok();
  {
    std::lock_guard queue_lock(mu);
    done = true;
  }
  changed.notify_all();
  applier.join();
  if (!apply_status.ok()) return apply_status;
  if (!head.ok()) return head.status();
  if (!handed.ok()) return handed;
  Publish(builder.Build());
  return *head;
}

Status Committer::CatchUp() {
  std::lock_guard lock(write_mu_);
  return CatchUpLocked();
}

Status Committer::CatchUpLocked() {
  constexpr std::size_t kBatch = 10000;
  StateBuilder builder(holder_->Load());
  std::uint64_t since = holder_->Load()->revision();
  bool reloaded = false;
  for (;;) {
    bool gap = false;
    auto n = log_->ReadSince(since, kBatch, [&](const ChangeRecord& record) -> Status {
      if (record.revision != since + 1) {
        gap = true;
        return Aborted("gap");
      }
      auto set = codec_->Decode(record);
      if (!set.ok()) return set.status();
      since = record.revision;
      return builder.Apply(*set, record.revision);
    });
    if (gap && !reloaded) {
      // The records after our revision were forgotten: start again from the newest snapshot.
      reloaded = true;
      Publish(builder.Build());
      GH_RETURN_IF_ERROR(LoadNewestSnapshotLocked());
      builder = StateBuilder(holder_->Load());
      since = holder_->Load()->revision();
      continue;
    }
    if (gap) {
      return Internal("the change log skips past revision " + std::to_string(since) +
                      " and no snapshot covers the gap");
    }
    if (!n.ok()) return n.status();
    if (*n == 0) break;
    Publish(builder.Build());
    if (*n < kBatch) break;
  }
  return Status::Ok();
}

namespace {
std::int64_t NanosSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count();
}
}  // namespace

Result<std::uint64_t> Committer::Commit(const Build& build) {
  const auto start = std::chrono::steady_clock::now();
  auto result = CommitQueued(build);
  if (instruments_.commit_seconds) instruments_.commit_seconds->Observe(NanosSince(start));
  return result;
}

Result<std::uint64_t> Committer::Append(const std::vector<ChangeRecord>& records, std::uint64_t expected_head) {
  const auto start = std::chrono::steady_clock::now();
  auto head = log_->Append(records, expected_head);
  if (instruments_.append_seconds) instruments_.append_seconds->Observe(NanosSince(start));
  return head;
}

void Committer::Publish(std::shared_ptr<const Snapshot> next) {
  holder_->Publish(std::move(next));
  if (instruments_.publishes) instruments_.publishes->Add();
}

Result<std::uint64_t> Committer::CommitQueued(const Build& build) {
  Pending self{&build, std::nullopt};
  std::unique_lock queue_lock(queue_mu_);
  queue_.push_back(&self);
  queue_cv_.wait(queue_lock, [&] { return self.result.has_value() || !leader_active_; });
  if (self.result) return *self.result;
  // Lead one batch: everything queued so far, this write included.
  leader_active_ = true;
  std::vector<Pending*> batch(queue_.begin(), queue_.end());
  queue_.clear();
  queue_lock.unlock();
  std::vector<Result<std::uint64_t>> results = ProcessBatch(batch);
  // Results are handed over under queue_mu_, the lock the waiters read them under; a
  // waiter returns (and its Pending goes away) only after this.
  queue_lock.lock();
  for (std::size_t i = 0; i < batch.size(); ++i) batch[i]->result = std::move(results[i]);
  leader_active_ = false;
  queue_cv_.notify_all();
  return *self.result;
}

Result<std::uint64_t> Committer::CommitAllIntoEmpty(const std::vector<ChangeSet>& sets) {
  std::unique_lock lock(write_mu_);
  auto base = holder_->Load();
  auto log_head = log_->Head();
  if (!log_head.ok()) return log_head.status();
  if (base->revision() != 0 || *log_head != 0) {
    return FailedPrecondition("the daemon is not empty (revision " +
                              std::to_string(std::max(base->revision(), *log_head)) +
                              "): import only into a daemon with no data");
  }
  if (sets.empty()) return std::uint64_t{0};
  StateBuilder builder(base);
  std::vector<ChangeRecord> records;
  records.reserve(sets.size());
  for (std::size_t i = 0; i < sets.size(); ++i) {
    Status applied = builder.Apply(sets[i], i + 1);
    if (!applied.ok())
      return InvalidArgument("change set " + std::to_string(i + 1) + " does not apply: " + applied.message());
    records.push_back(codec_->ToRecord(sets[i]));
  }
  auto next = builder.Build();
  auto head = Append(records, 0);
  if (!head.ok()) return head.status();
  Publish(next);
  auto listeners = listeners_;
  lock.unlock();
  for (const auto& l : listeners) l(*head);
  return *head;
}

std::vector<Result<std::uint64_t>> Committer::ProcessBatch(const std::vector<Pending*>& batch) {
  std::vector<Result<std::uint64_t>> results(batch.size(), Internal("write was not processed"));
  std::unique_lock lock(write_mu_);
  for (int attempt = 0;; ++attempt) {
    auto base = holder_->Load();
    StateBuilder builder(base);
    std::shared_ptr<const Snapshot> current = base;
    std::vector<ChangeRecord> records;
    std::vector<std::size_t> accepted;  // indices into batch
    for (std::size_t i = 0; i < batch.size(); ++i) {
      auto set = (*batch[i]->build)(*current);
      if (!set.ok()) {
        results[i] = set.status();
        continue;
      }
      if (set->changes.empty()) {
        results[i] = current->revision();
        continue;
      }
      const std::uint64_t revision = base->revision() + records.size() + 1;
      Status applied = builder.Apply(*set, revision);
      if (!applied.ok()) {  // validation let through what state cannot apply: a bug
        results[i] = applied;
        builder = StateBuilder(current);
        continue;
      }
      records.push_back(codec_->ToRecord(*set));
      accepted.push_back(i);
      current = builder.Build();
    }
    if (records.empty()) return results;
    auto head = Append(records, base->revision());
    if (!head.ok()) {
      if (head.status().code() == StatusCode::kAborted && attempt < kMaxConflictRetries) {
        BackOffAfterConflict(attempt);
        Status caught_up = CatchUpLocked();
        if (caught_up.ok()) continue;  // validate everything again
        for (std::size_t i : accepted) results[i] = caught_up;
        return results;
      }
      for (std::size_t i : accepted) results[i] = head.status();
      return results;
    }
    Publish(current);
    for (std::size_t k = 0; k < accepted.size(); ++k) results[accepted[k]] = base->revision() + k + 1;
    auto listeners = listeners_;
    lock.unlock();
    for (const auto& l : listeners) l(*head);
    return results;
  }
}

}  // namespace gatehouse
