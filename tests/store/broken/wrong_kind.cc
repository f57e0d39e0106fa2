// A notifier plugin installed under a storage plugin's file name.
#include <gatehouse/plugin.hpp>

namespace {
class Quiet final : public gatehouse::sdk::NotifierPlugin {
 public:
  static std::unique_ptr<Quiet> Create(gatehouse::sdk::Host, const gatehouse::sdk::Options&) {
    return std::make_unique<Quiet>();
  }
  gh_status Deliver(const std::vector<Event>&, std::string*) override { return GH_OK; }
};
const gh_option_spec kOptions[] = {{sizeof(gh_option_spec), "unused", GH_OPT_STRING, "", "", 0}};
}  // namespace

GH_DEFINE_NOTIFIER_PLUGIN(Quiet, "wrong-kind", "1.0.0", "a notifier", kOptions)
