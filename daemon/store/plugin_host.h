// PluginHost: finds, loads and checks plugins — shared libraries named
// gatehouse-<kind>-<name>.so in one directory — through Boost.DLL, speaking the C ABI of
// sdk/include/gatehouse/plugin.h.
//
// Loading refuses, each with a message naming the file and what was wrong: a missing file,
// a file that is not an ELF shared library, a library that does not load (with the loader's
// reason), a missing entry symbol, no common ABI major, a descriptor, option spec or
// function table smaller than its ABI 1.0 layout, a NULL required function (by name), a
// kind or name other than the file name says. Options are validated against the plugin's
// declared schema (unknown option, missing required option, wrong type) and defaults are
// filled in before the plugin sees them.
//
// Before calling into a library the host logs "loading plugin file PATH", so when a plugin
// crashes the process the last log line names it. ProbeFile/ProbeAll load each library in
// a child process instead, so a crashing plugin is reported (with its signal) rather than
// taking the caller down: `gatehouse plugins list` uses them.
//
// Libraries are loaded with RTLD_NOW|RTLD_LOCAL and are never unloaded while the process
// runs (their code may still be on some thread's stack; unloading buys nothing).
//
// Thread safety: PluginHost is safe for concurrent use.
#pragma once

#include <gatehouse/plugin.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace gatehouse {

inline constexpr std::uint32_t kHostAbiMajors[] = {GH_ABI_MAJOR};

struct PluginOptionSpec {
  std::string name;
  std::uint32_t type = GH_OPT_STRING;
  std::optional<std::string> default_value;
  std::string description;
  bool required = false;
};

std::string_view OptionTypeName(std::uint32_t type);  // "string", "int", ...
std::string_view PluginKindName(std::uint32_t kind);  // "storage", "notifier"

struct PluginInfo {
  std::string path;
  std::uint32_t kind = 0;
  std::string name;
  std::string version;
  std::string description;
  std::uint32_t abi_major = 0;
  std::uint32_t abi_minor = 0;
  std::vector<PluginOptionSpec> options;
};

// A loaded, checked plugin. Cheap to copy; the library stays loaded for good.
struct LoadedPlugin {
  PluginInfo info;
  const gh_plugin_descriptor* descriptor = nullptr;
};

// Ordered name → value pairs, validated and with defaults filled in.
using PluginOptions = std::vector<std::pair<std::string, std::string>>;

// A zeroed error buffer for one call into a plugin.
gh_error NewPluginError();
// The plugin's message, read only within the buffer (a missing NUL is tolerated), or
// `fallback` when it wrote none.
std::string PluginErrorMessage(const gh_error& err, std::string_view fallback);

class PluginHost {
 public:
  using LogFn = std::function<void(const std::string&)>;
  explicit PluginHost(std::string dir, LogFn log = nullptr) : dir_(std::move(dir)), log_(std::move(log)) {}

  const std::string& dir() const { return dir_; }
  std::string PathFor(std::string_view kind, std::string_view name) const;

  // Loads gatehouse-<kind>-<name>.so from the directory; `kind` is "storage"/"notifier".
  Result<LoadedPlugin> Load(std::string_view kind, std::string_view name) const;

  // Loads one file and checks it, expecting `kind` (0 = any) and `name` (empty = any).
  Result<LoadedPlugin> LoadFile(const std::string& path, std::uint32_t kind = 0, std::string_view name = {}) const;

  // Every gatehouse-*.so in the directory, loaded and checked (failures included).
  std::vector<std::pair<std::string, Result<LoadedPlugin>>> List() const;

  // LoadFile in a child process: a library that crashes, exits or hangs (10 s) while being
  // loaded and checked is reported as kInternal naming what happened ("crashed with signal
  // 11 (SIGSEGV)"); this process never runs its code.
  Result<PluginInfo> ProbeFile(const std::string& path) const;
  // ProbeFile for every gatehouse-*.so in the directory, sorted by path.
  std::vector<std::pair<std::string, Result<PluginInfo>>> ProbeAll() const;

  // Checks `given` against the schema; kInvalidArgument naming the option otherwise.
  static Result<PluginOptions> ValidateOptions(const PluginInfo& info, const std::map<std::string, std::string>& given);

 private:
  std::vector<std::string> PluginFiles() const;

  std::string dir_;
  LogFn log_;
};

}  // namespace gatehouse
