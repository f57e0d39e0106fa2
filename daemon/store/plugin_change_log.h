// PluginChangeLog: the core ChangeLog interface over a storage plugin's C function table.
// It owns one plugin instance (create on Open, destroy in the destructor), converts
// records to and from borrowed gh_record views, copies every string the plugin hands
// back, and maps ABI statuses to Status codes (CONFLICT → kAborted, UNAVAILABLE →
// kUnavailable, ...), with the plugin's message.
//
// Thread safety: as the plugin's (plugin.h requires instances to allow concurrent calls).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/change_log.h"
#include "store/plugin_host.h"

namespace gatehouse {

// Where plugin log lines go (the app routes them to spdlog). level: GH_LOG_*.
using PluginLogFn = std::function<void(int level, std::string_view message)>;

class PluginChangeLog final : public ChangeLog {
 public:
  // Validates options, creates the instance. The plugin must be a storage plugin.
  static Result<std::unique_ptr<PluginChangeLog>> Open(const LoadedPlugin& plugin,
                                                       const std::map<std::string, std::string>& options,
                                                       PluginLogFn log);
  ~PluginChangeLog() override;

  Result<std::uint64_t> Load(const RecordSink& sink) override;
  Result<std::uint64_t> Append(const std::vector<ChangeRecord>& records, std::uint64_t expected_head) override;
  Result<std::size_t> ReadSince(std::uint64_t since, std::size_t limit, const RecordSink& sink) override;
  Result<std::uint64_t> Head() override;
  Result<std::optional<std::string>> GetCursor(const std::string& name) override;
  Status PutCursor(const std::string& name, const std::string& value) override;
  Status Compact();
  // The plugin's gauges (ABI 1.1 `metrics`); empty when it has none or predates 1.1.
  Result<std::vector<std::pair<std::string, double>>> Metrics();
  // ABI 1.2 (absent entries: one writer, every lease held).
  bool IsShared() const override;
  Result<std::uint64_t> WaitForChanges(std::uint64_t since, std::uint32_t timeout_ms) override;
  Result<bool> TryLease(const std::string& name) override;
  Status ReleaseLease(const std::string& name) override;
  // ABI 1.3 (absent entries: no snapshots; History() is empty).
  bool SupportsSnapshots() const override;
  Status PutSnapshot(std::uint64_t revision, Timestamp taken_at, const std::vector<std::string>& chunks) override;
  Result<LogHistory> History() override;
  Result<std::vector<std::string>> ReadSnapshot(std::uint64_t revision) override;
  Status ForgetHistory(std::uint64_t through) override;
  Status DropSnapshot(std::uint64_t revision) override;

 private:
  PluginChangeLog() = default;
  Status FromAbi(int status, const gh_error& err, const char* what) const;
  // Whether the plugin's table reaches `offset + size` (a field of a later minor version).
  bool TableHas(std::size_t offset, std::size_t size) const { return vt_->struct_size >= offset + size; }
  // ABI 1.2's lease pair is there (the host refuses a table with only one of the two).
  bool HasLeases() const;

  LoadedPlugin plugin_;
  const gh_storage_vtable* vt_ = nullptr;
  gh_storage* instance_ = nullptr;
  std::unique_ptr<PluginLogFn> log_;
  gh_host_api host_api_{};
};

// Maps an ABI status to a Status code.
StatusCode StatusCodeFromAbi(int status);

}  // namespace gatehouse
