// An example notifier plugin, built out of tree against the installed Gatehouse SDK:
// appends "<revision> <type> <accountId>" per event to a file. See docs/plugins.md.
#include <fstream>
#include <gatehouse/plugin.hpp>

namespace {

class ExampleNotifier final : public gatehouse::sdk::NotifierPlugin {
 public:
  static std::unique_ptr<ExampleNotifier> Create(gatehouse::sdk::Host host, const gatehouse::sdk::Options& options) {
    auto self = std::make_unique<ExampleNotifier>();
    self->path_ = options.Get("path");
    if (self->path_.empty()) throw gatehouse::sdk::PluginError(GH_ERR_INVALID_ARGUMENT, "option \"path\" is empty");
    host.Log(GH_LOG_INFO, "example notifier writing to " + self->path_);
    return self;
  }

  gh_status Deliver(const std::vector<Event>& events, std::string* error) override {
    std::ofstream out(path_, std::ios::app);
    for (const auto& e : events) out << e.revision << ' ' << e.type << ' ' << e.account_id << '\n';
    out.flush();
    if (!out) {
      *error = "cannot write " + path_;
      return GH_ERR_RETRYABLE;
    }
    return GH_OK;
  }

 private:
  std::string path_;
};

const gh_option_spec kOptions[] = {
    {sizeof(gh_option_spec), "path", GH_OPT_STRING, nullptr, "File the events are appended to", 1},
};

}  // namespace

GH_DEFINE_NOTIFIER_PLUGIN(ExampleNotifier, "example", "1.0.0", "Appends one line per event to a file", kOptions)
