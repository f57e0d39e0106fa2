// A notifier whose deliver throws (the C++ layer turns that into GH_ERR_INTERNAL) the first
// two times, then delivers. The host treated GH_ERR_INTERNAL as a permanent reject and
// skipped the events; it must retry them.
#include <gatehouse/plugin.hpp>
#include <stdexcept>

namespace {
class Flaky final : public gatehouse::sdk::NotifierPlugin {
 public:
  static std::unique_ptr<Flaky> Create(gatehouse::sdk::Host, const gatehouse::sdk::Options&) {
    return std::make_unique<Flaky>();
  }
  gh_status Deliver(const std::vector<Event>&, std::string*) override {
    if (++calls_ <= 2) throw std::runtime_error("backend hiccup #" + std::to_string(calls_));
    return GH_OK;
  }

 private:
  int calls_ = 0;
};
const gh_option_spec kOptions[] = {{sizeof(gh_option_spec), "unused", GH_OPT_STRING, "", "", 0}};
}  // namespace

GH_DEFINE_NOTIFIER_PLUGIN(Flaky, "throwing", "1.0.0", "throws twice, then delivers", kOptions)
