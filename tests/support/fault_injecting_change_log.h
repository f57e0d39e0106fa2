// FaultInjectingChangeLog: wraps a real ChangeLog and fails chosen calls with
// kUnavailable, as a storage outage would, without touching the wrapped log. Used to
// prove that a failed append changes nothing in memory and surfaces as 503.
#pragma once

#include <atomic>

#include "core/change_log.h"

namespace gatehouse::testing {

class FaultInjectingChangeLog final : public ChangeLog {
 public:
  explicit FaultInjectingChangeLog(ChangeLog* inner) : inner_(inner) {}

  void FailAppends(bool fail) { fail_appends_ = fail; }
  void FailReads(bool fail) { fail_reads_ = fail; }
  int failed_appends() const { return failed_appends_; }

  Result<std::uint64_t> Load(const RecordSink& sink) override {
    if (fail_reads_) return Unavailable("injected: storage unreachable");
    return inner_->Load(sink);
  }
  Result<std::uint64_t> Append(const std::vector<ChangeRecord>& records, std::uint64_t expected_head) override {
    if (fail_appends_) {
      ++failed_appends_;
      return Unavailable("injected: storage unreachable");
    }
    return inner_->Append(records, expected_head);
  }
  Result<std::size_t> ReadSince(std::uint64_t since, std::size_t limit, const RecordSink& sink) override {
    if (fail_reads_) return Unavailable("injected: storage unreachable");
    return inner_->ReadSince(since, limit, sink);
  }
  Result<std::uint64_t> Head() override {
    if (fail_reads_) return Unavailable("injected: storage unreachable");
    return inner_->Head();
  }
  Result<std::optional<std::string>> GetCursor(const std::string& name) override { return inner_->GetCursor(name); }
  Status PutCursor(const std::string& name, const std::string& value) override {
    return inner_->PutCursor(name, value);
  }
  bool SupportsSnapshots() const override { return inner_->SupportsSnapshots(); }
  Status PutSnapshot(std::uint64_t revision, Timestamp taken_at, const std::vector<std::string>& chunks) override {
    if (fail_appends_) return Unavailable("injected: storage unreachable");
    return inner_->PutSnapshot(revision, taken_at, chunks);
  }
  Result<LogHistory> History() override {
    if (fail_reads_) return Unavailable("injected: storage unreachable");
    return inner_->History();
  }
  Result<std::vector<std::string>> ReadSnapshot(std::uint64_t revision) override {
    if (fail_reads_) return Unavailable("injected: storage unreachable");
    return inner_->ReadSnapshot(revision);
  }
  Status ForgetHistory(std::uint64_t through) override {
    if (fail_appends_) return Unavailable("injected: storage unreachable");
    return inner_->ForgetHistory(through);
  }
  Status DropSnapshot(std::uint64_t revision) override { return inner_->DropSnapshot(revision); }

 private:
  ChangeLog* inner_;
  std::atomic<bool> fail_appends_{false};
  std::atomic<bool> fail_reads_{false};
  std::atomic<int> failed_appends_{0};
};

}  // namespace gatehouse::testing
