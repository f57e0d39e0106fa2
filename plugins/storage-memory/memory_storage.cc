// gatehouse-storage-memory: the change log in process memory. For tests and ephemeral
// use: everything is gone when the daemon stops.
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
  static std::unique_ptr<MemoryStorage> Create(Host host, const Options&) {
    host.Log(GH_LOG_WARN, "memory storage: nothing survives a restart");
    return std::make_unique<MemoryStorage>();
  }

  std::uint64_t Load(const Sink& sink) override { return ReadAll(0, 0, sink).second; }

  std::uint64_t Append(const std::vector<Record>& records, std::uint64_t expected_head) override {
    std::lock_guard lock(mu_);
    if (log_.size() != expected_head) {
      throw PluginError(GH_ERR_CONFLICT,
                        "log head is " + std::to_string(log_.size()) + ", expected " + std::to_string(expected_head));
    }
    for (const auto& r : records) {
      log_.push_back(
          Owned{std::string(r.type), std::string(r.account_id), std::string(r.actor), r.at_ms, std::string(r.payload)});
    }
    return log_.size();
  }

  std::size_t ReadSince(std::uint64_t since, std::size_t limit, const Sink& sink) override {
    return ReadAll(since, limit, sink).first;
  }

  std::uint64_t Head() override {
    std::lock_guard lock(mu_);
    return log_.size();
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

 private:
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
      head = log_.size();
      for (std::uint64_t rev = since + 1; rev <= head && (limit == 0 || batch.size() < limit); ++rev) {
        batch.emplace_back(rev, log_[rev - 1]);
      }
    }
    for (const auto& [rev, o] : batch) sink(Record{rev, o.type, o.account_id, o.actor, o.at_ms, o.payload});
    return {batch.size(), head};
  }

  std::mutex mu_;
  std::vector<Owned> log_;
  std::map<std::string, std::string> cursors_;
};

const gh_option_spec kOptions[] = {
    {sizeof(gh_option_spec), "name", GH_OPT_STRING, "default", "A label for logs", 0},
};

}  // namespace

GH_DEFINE_STORAGE_PLUGIN(MemoryStorage, "memory", "1.0.0", "Change log in process memory (tests, ephemeral use)",
                         kOptions)
