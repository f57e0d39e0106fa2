// MemoryChangeLog: a ChangeLog in a vector, for unit tests of the layers above storage
// (team/, api/). The real backends are tested through the plugin host.
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
    if (records_.size() != expected_head) return Aborted("head moved");
    for (auto r : records) {
      r.revision = records_.size() + 1;
      records_.push_back(std::move(r));
    }
    return records_.size();
  }
  Result<std::size_t> ReadSince(std::uint64_t since, std::size_t limit, const RecordSink& sink) override {
    std::vector<ChangeRecord> batch;
    {
      std::lock_guard lock(mu_);
      for (std::size_t i = since; i < records_.size() && (limit == 0 || batch.size() < limit); ++i) {
        batch.push_back(records_[i]);
      }
    }
    for (const auto& r : batch) GH_RETURN_IF_ERROR(sink(r));
    return batch.size();
  }
  Result<std::uint64_t> Head() override {
    std::lock_guard lock(mu_);
    return records_.size();
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

 private:
  std::mutex mu_;
  std::vector<ChangeRecord> records_;
  std::map<std::string, std::string> cursors_;
};

}  // namespace gatehouse::testing
