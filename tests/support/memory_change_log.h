// MemoryChangeLog: a ChangeLog in a vector, for unit tests of the layers above storage
// (team/, api/). The real backends are tested through the plugin host. It keeps snapshots
// and forgets history as the storage contract says (core/change_log.h).
#pragma once

#include <map>
#include <mutex>
#include <vector>

#include "core/change_log.h"

namespace gatehouse::testing {

class MemoryChangeLog final : public ChangeLog {
 public:
  Result<std::uint64_t> Load(const RecordSink& sink) override {
    auto n = ReadSince(0, 0, sink);
    if (!n.ok()) return n.status();
    return Head();
  }
  Result<std::uint64_t> Append(const std::vector<ChangeRecord>& records, std::uint64_t expected_head) override {
    std::lock_guard lock(mu_);
    if (HeadLocked() != expected_head) return Aborted("head moved");
    for (auto r : records) {
      r.revision = HeadLocked() + 1;
      records_.push_back(std::move(r));
    }
    return HeadLocked();
  }
  Result<std::size_t> ReadSince(std::uint64_t since, std::size_t limit, const RecordSink& sink) override {
    std::vector<ChangeRecord> batch;
    {
      std::lock_guard lock(mu_);
      for (std::size_t i = since > base_ ? since - base_ : 0;
           i < records_.size() && (limit == 0 || batch.size() < limit); ++i) {
        batch.push_back(records_[i]);
      }
    }
    for (const auto& r : batch) GH_RETURN_IF_ERROR(sink(r));
    return batch.size();
  }
  Result<std::uint64_t> Head() override {
    std::lock_guard lock(mu_);
    return HeadLocked();
  }
  Result<std::optional<std::string>> GetCursor(const std::string& name) override {
    std::lock_guard lock(mu_);
    auto it = cursors_.find(name);
    if (it == cursors_.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }
  Status PutCursor(const std::string& name, const std::string& value) override {
    std::lock_guard lock(mu_);
    cursors_[name] = value;
    return Status::Ok();
  }

  bool SupportsSnapshots() const override { return true; }
  Status PutSnapshot(std::uint64_t revision, Timestamp taken_at, const std::vector<std::string>& chunks) override {
    std::lock_guard lock(mu_);
    if (revision > HeadLocked()) return InvalidArgument("snapshot past the head");
    snapshots_[revision] = {taken_at, chunks};
    return Status::Ok();
  }
  Result<LogHistory> History() override {
    std::lock_guard lock(mu_);
    LogHistory h;
    h.forgotten_through = base_;
    for (const auto& [rev, s] : snapshots_) {
      std::uint64_t bytes = 0;
      for (const auto& c : s.second) bytes += c.size();
      h.snapshots.push_back(SnapshotInfo{rev, s.first, bytes});
    }
    return h;
  }
  Result<std::vector<std::string>> ReadSnapshot(std::uint64_t revision) override {
    std::lock_guard lock(mu_);
    auto it = snapshots_.find(revision);
    if (it == snapshots_.end()) return NotFound("no snapshot");
    return it->second.second;
  }
  Status ForgetHistory(std::uint64_t through) override {
    std::lock_guard lock(mu_);
    if (snapshots_.count(through) == 0) return NotFound("no snapshot");
    if (through <= base_) return Status::Ok();
    records_.erase(records_.begin(), records_.begin() + static_cast<std::ptrdiff_t>(through - base_));
    base_ = through;
    snapshots_.erase(snapshots_.begin(), snapshots_.find(through));
    return Status::Ok();
  }
  Status DropSnapshot(std::uint64_t revision) override {
    std::lock_guard lock(mu_);
    if (snapshots_.count(revision) == 0) return NotFound("no snapshot");
    if (revision == base_) return InvalidArgument("history starts there");
    snapshots_.erase(revision);
    return Status::Ok();
  }

 private:
  std::uint64_t HeadLocked() const { return base_ + records_.size(); }

  std::mutex mu_;
  std::uint64_t base_ = 0;  // forgotten through
  std::map<std::uint64_t, std::pair<Timestamp, std::vector<std::string>>> snapshots_;
  std::vector<ChangeRecord> records_;
  std::map<std::string, std::string> cursors_;
};

}  // namespace gatehouse::testing
