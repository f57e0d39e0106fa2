// gatehouse-notifier-log: one JSON line per event, to stderr (journald picks it up under
// systemd) or appended to a file. Never fails an event it could write.
#include <cstdio>
#include <ctime>
#include <gatehouse/plugin.hpp>
#include <mutex>
#include <nlohmann/json.hpp>

namespace {

using gatehouse::sdk::PluginError;

class LogNotifier final : public gatehouse::sdk::NotifierPlugin {
 public:
  static std::unique_ptr<LogNotifier> Create(gatehouse::sdk::Host, const gatehouse::sdk::Options& options) {
    auto self = std::make_unique<LogNotifier>();
    const std::string path = options.Get("path");
    if (!path.empty()) {
      self->file_ = std::fopen(path.c_str(), "a");
      if (self->file_ == nullptr)
        throw PluginError(GH_ERR_INVALID_ARGUMENT, "cannot open \"" + path + "\" for appending");
    }
    return self;
  }
  ~LogNotifier() override {
    if (file_ != nullptr) std::fclose(file_);
  }

  gh_status Deliver(const std::vector<Event>& events, std::string* error) override {
    std::lock_guard lock(mu_);
    FILE* out = file_ != nullptr ? file_ : stderr;
    for (const auto& e : events) {
      nlohmann::json line = {{"event", "gatehouse.change"},   {"revision", e.revision},
                             {"type", std::string(e.type)},   {"accountId", std::string(e.account_id)},
                             {"actor", std::string(e.actor)}, {"at", gatehouse::sdk::FormatRfc3339Utc(e.at_ms)}};
      line["data"] = nlohmann::json::parse(e.data_json, nullptr, false);
      if (line["data"].is_discarded()) line["data"] = std::string(e.data_json);
      const std::string text = line.dump() + "\n";
      if (std::fwrite(text.data(), 1, text.size(), out) != text.size()) {
        *error = "write failed";
        return GH_ERR_RETRYABLE;
      }
    }
    if (std::fflush(out) != 0) {
      *error = "flush failed";
      return GH_ERR_RETRYABLE;
    }
    return GH_OK;
  }

 private:
  std::mutex mu_;
  FILE* file_ = nullptr;
};

const gh_option_spec kOptions[] = {
    {sizeof(gh_option_spec), "path", GH_OPT_STRING, "", "File to append to; empty = stderr (journald)", 0},
};

}  // namespace

GH_DEFINE_NOTIFIER_PLUGIN(LogNotifier, "log", "1.0.0", "One JSON line per event, to stderr or a file", kOptions)
