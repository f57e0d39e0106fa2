// A valid storage plugin with a typed option schema and a create() that can fail, for
// option validation and create-failure tests. It stores nothing.
#include <gatehouse/plugin.hpp>

namespace {
using gatehouse::sdk::PluginError;

class Strict final : public gatehouse::sdk::StoragePlugin {
 public:
  static std::unique_ptr<Strict> Create(gatehouse::sdk::Host, const gatehouse::sdk::Options& options) {
    if (options.GetBool("fail")) throw PluginError(GH_ERR_UNAVAILABLE, "backend refused the connection");
    if (options.Get("mode") == "throw-std") throw std::runtime_error("std exception escaped");
    return std::make_unique<Strict>();
  }
  std::uint64_t Load(const Sink&) override { return 0; }
  std::uint64_t Append(const std::vector<gatehouse::sdk::Record>&, std::uint64_t) override {
    throw PluginError(GH_ERR_UNAVAILABLE, "read-only");
  }
  std::size_t ReadSince(std::uint64_t, std::size_t, const Sink&) override { return 0; }
  std::uint64_t Head() override { return 0; }
  std::optional<std::string> CursorGet(std::string_view) override { return std::nullopt; }
  void CursorPut(std::string_view, std::string_view) override {}
};

const gh_option_spec kOptions[] = {
    {sizeof(gh_option_spec), "url", GH_OPT_STRING, nullptr, "Where the backend is", 1},
    {sizeof(gh_option_spec), "pool", GH_OPT_INT, "4", "Connections", 0},
    {sizeof(gh_option_spec), "fail", GH_OPT_BOOL, "false", "Fail in create", 0},
    {sizeof(gh_option_spec), "timeout", GH_OPT_DURATION, "5s", "Timeout", 0},
    {sizeof(gh_option_spec), "mode", GH_OPT_STRING, "", "Test mode", 0},
};
}  // namespace

GH_DEFINE_STORAGE_PLUGIN(Strict, "strict", "1.0.0", "test plugin with a strict schema", kOptions)
