// gatehouse-storage-memory: the change log in process memory. For tests and ephemeral
// use: everything is gone when the daemon stops.
#include <algorithm>
#include <gatehouse/plugin.hpp>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace {

using gatehouse::sdk::Host;
using gatehouse::sdk::Options;
using gatehouse::sdk::PluginError;
using gatehouse::sdk::Record;

class MemoryStorage final : public gatehouse::sdk::StoragePlugin {
 public:
  static constexpr bool kSnapshots = true;

  static std::unique_ptr<MemoryStorage> Create(Host host, const Options&) {
    host.Log(GH_LOG_WARN, "memory storage: nothing survives a restart");
    return std::make_unique<MemoryStorage>();
  }

  std::uint64_t Load(const Sink& sink) override { return ReadAll(0, 0, sink).second; }

  std::uint64_t Append(const std::vector<Record>& records, std::uint64_t expected_head) override {
    std::lock_guard lock(mu_);
    if (HeadLocked() != expected_head) {
      throw PluginError(GH_ERR_CONFLICT,
                        "log head is " + std::to_string(HeadLocked()) + ", expected " + std::to_string(expected_head));
    }
    for (const auto& r : records) {
      log_.push_back(
          Owned{std::string(r.type), std::string(r.account_id), std::string(r.actor), r.at_ms, std::string(r.payload)});
    }
    return HeadLocked();
  }

  std::size_t ReadSince(std::uint64_t since, std::size_t limit, const Sink& sink) override {
    return ReadAll(since, limit, sink).first;
  }

  std::uint64_t Head() override {
    std::lock_guard lock(mu_);
    return HeadLocked();
  }

  std::optional<std::string> CursorGet(std::string_view name) override {
    std::lock_guard lock(mu_);
    auto it = cursors_.find(std::string(name));
    if (it == cursors_.end()) return std::nullopt;
    return it->second;
  }

  void CursorPut(std::string_view name, std::string_view value) override {
    std::lock_guard lock(mu_);
    cursors_[std::string(name)] = std::string(value);
  }

  void SnapshotPut(std::uint64_t revision, std::int64_t taken_at_ms,
                   const std::vector<std::string_view>& chunks) override {
    std::lock_guard lock(mu_);
    if (revision > HeadLocked()) {
      throw PluginError(GH_ERR_INVALID_ARGUMENT, "snapshot revision " + std::to_string(revision) +
                                                     " is past the head " + std::to_string(HeadLocked()));
    }
    Snapshot& s = snapshots_[revision];
    s.taken_at_ms = taken_at_ms;
    s.chunks.assign(chunks.begin(), chunks.end());
  }

  std::vector<SnapshotInfo> SnapshotList(std::uint64_t* forgotten_through) override {
    std::lock_guard lock(mu_);
    std::vector<SnapshotInfo> out;
    for (const auto& [rev, s] : snapshots_) {
      std::uint64_t bytes = 0;
      for (const auto& c : s.chunks) bytes += c.size();
      out.push_back(SnapshotInfo{rev, s.taken_at_ms, bytes});
    }
    *forgotten_through = base_;
    return out;
  }

  void SnapshotRead(std::uint64_t revision, const std::function<void(std::string_view)>& chunk) override {
    std::vector<std::string> chunks;
    {
      std::lock_guard lock(mu_);
      auto it = snapshots_.find(revision);
      if (it == snapshots_.end()) {
        throw PluginError(GH_ERR_NOT_FOUND, "no snapshot at revision " + std::to_string(revision));
      }
      chunks = it->second.chunks;
    }
    for (const auto& c : chunks) chunk(c);
  }

  void ForgetHistory(std::uint64_t through) override {
    std::lock_guard lock(mu_);
    if (snapshots_.count(through) == 0) {
      throw PluginError(GH_ERR_NOT_FOUND, "no snapshot at revision " + std::to_string(through) +
                                              ": history is forgotten only up to a snapshot");
    }
    if (through <= base_) return;
    log_.erase(log_.begin(), log_.begin() + static_cast<std::ptrdiff_t>(through - base_));
    base_ = through;
    snapshots_.erase(snapshots_.begin(), snapshots_.find(through));
  }

  void SnapshotDrop(std::uint64_t revision) override {
    std::lock_guard lock(mu_);
    if (snapshots_.count(revision) == 0) {
      throw PluginError(GH_ERR_NOT_FOUND, "no snapshot at revision " + std::to_string(revision));
    }
    if (revision == base_) {
      throw PluginError(GH_ERR_INVALID_ARGUMENT,
                        "snapshot " + std::to_string(revision) + " is where the kept history starts");
    }
    snapshots_.erase(revision);
  }

 private:
  struct Snapshot {
    std::int64_t taken_at_ms = 0;
    std::vector<std::string> chunks;
  };
  std::uint64_t HeadLocked() const { return base_ + log_.size(); }

  struct Owned {
    std::string type, account_id, actor;
    std::int64_t at_ms;
    std::string payload;
  };

  // Copies the range under the lock, then calls the sink without it.
  std::pair<std::size_t, std::uint64_t> ReadAll(std::uint64_t since, std::size_t limit, const Sink& sink) {
    std::vector<std::pair<std::uint64_t, Owned>> batch;
    std::uint64_t head;
    {
      std::lock_guard lock(mu_);
      head = HeadLocked();
      for (std::uint64_t rev = std::max(since, base_) + 1; rev <= head && (limit == 0 || batch.size() < limit); ++rev) {
        batch.emplace_back(rev, log_[rev - base_ - 1]);
      }
    }
    for (const auto& [rev, o] : batch) sink(Record{rev, o.type, o.account_id, o.actor, o.at_ms, o.payload});
    return {batch.size(), head};
  }

  std::mutex mu_;
  std::vector<Owned> log_;  // revisions base_+1, base_+2, ...
  std::uint64_t base_ = 0;  // forgotten through
  std::map<std::uint64_t, Snapshot> snapshots_;
  std::map<std::string, std::string> cursors_;
};

const gh_option_spec kOptions[] = {
    {sizeof(gh_option_spec), "name", GH_OPT_STRING, "default", "A label for logs", 0},
};

}  // namespace

GH_DEFINE_STORAGE_PLUGIN(MemoryStorage, "memory", "1.0.0", "Change log in process memory (tests, ephemeral use)",
                         kOptions)
