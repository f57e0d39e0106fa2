#include "store/plugin_host.h"

#include <algorithm>
#include <boost/dll/shared_library.hpp>
#include <filesystem>
#include <mutex>

#include "core/time.h"

namespace gatehouse {
namespace {

// Libraries live for the whole process.
std::vector<std::shared_ptr<boost::dll::shared_library>>& Keep() {
  static auto* libs = new std::vector<std::shared_ptr<boost::dll::shared_library>>();
  return *libs;
}
std::mutex& KeepMu() {
  static std::mutex mu;
  return mu;
}

bool ValidCString(const char* s) { return s != nullptr && s[0] != '\0'; }

}  // namespace

std::string_view OptionTypeName(std::uint32_t type) {
  switch (type) {
    case GH_OPT_STRING:
      return "string";
    case GH_OPT_INT:
      return "int";
    case GH_OPT_BOOL:
      return "bool";
    case GH_OPT_DURATION:
      return "duration";
    default:
      return "unknown";
  }
}

std::string_view PluginKindName(std::uint32_t kind) {
  switch (kind) {
    case GH_KIND_STORAGE:
      return "storage";
    case GH_KIND_NOTIFIER:
      return "notifier";
    default:
      return "unknown";
  }
}

std::string PluginHost::PathFor(std::string_view kind, std::string_view name) const {
  return (std::filesystem::path(dir_) / ("gatehouse-" + std::string(kind) + "-" + std::string(name) + ".so")).string();
}

Result<LoadedPlugin> PluginHost::Load(std::string_view kind, std::string_view name) const {
  std::uint32_t k = kind == "storage" ? GH_KIND_STORAGE : kind == "notifier" ? GH_KIND_NOTIFIER : 0;
  if (k == 0) return InvalidArgument("unknown plugin kind \"" + std::string(kind) + "\"");
  return LoadFile(PathFor(kind, name), k, name);
}

Result<LoadedPlugin> PluginHost::LoadFile(const std::string& path, std::uint32_t kind, std::string_view name) const {
  std::error_code fs_ec;
  if (!std::filesystem::exists(path, fs_ec)) {
    return NotFound("plugin " + path + ": no such file (plugins.dir is \"" + dir_ + "\")");
  }
  auto lib = std::make_shared<boost::dll::shared_library>();
  boost::dll::fs::error_code ec;
  lib->load(boost::dll::fs::path(path), boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local, ec);
  if (ec) {
    return InvalidArgument("plugin " + path + ": cannot be loaded: " + ec.message());
  }
  if (!lib->has(GH_PLUGIN_ENTRY_NAME)) {
    return InvalidArgument("plugin " + path +
                           ": no exported symbol \"" GH_PLUGIN_ENTRY_NAME
                           "\" (not a Gatehouse plugin, or built without GH_DEFINE_*_PLUGIN)");
  }
  auto entry = lib->get<const gh_plugin_descriptor*(const std::uint32_t*, std::size_t)>(GH_PLUGIN_ENTRY_NAME);
  const gh_plugin_descriptor* d = entry(kHostAbiMajors, std::size(kHostAbiMajors));
  if (d == nullptr) {
    return FailedPrecondition("plugin " + path + ": supports none of the ABI majors this host speaks (" +
                              std::to_string(GH_ABI_MAJOR) + ")");
  }
  if (d->struct_size < sizeof(gh_plugin_descriptor) || d->abi_major != GH_ABI_MAJOR) {
    return FailedPrecondition("plugin " + path + ": descriptor for ABI " + std::to_string(d->abi_major) + "." +
                              std::to_string(d->abi_minor) + " (struct_size " + std::to_string(d->struct_size) +
                              "); this host speaks ABI " + std::to_string(GH_ABI_MAJOR));
  }
  if (!ValidCString(d->name) || d->vtable == nullptr || (d->kind != GH_KIND_STORAGE && d->kind != GH_KIND_NOTIFIER) ||
      (d->option_count > 0 && d->options == nullptr)) {
    return InvalidArgument("plugin " + path + ": malformed descriptor (name, kind, vtable or options)");
  }
  if (kind != 0 && d->kind != kind) {
    return InvalidArgument("plugin " + path + ": is a " + std::string(PluginKindName(d->kind)) +
                           " plugin, expected a " + std::string(PluginKindName(kind)) + " plugin");
  }
  if (!name.empty() && name != d->name) {
    return InvalidArgument("plugin " + path + ": calls itself \"" + d->name + "\", expected \"" + std::string(name) +
                           "\"");
  }
  const std::uint32_t table_size = *static_cast<const std::uint32_t*>(d->vtable);
  const std::size_t needed = d->kind == GH_KIND_STORAGE ? sizeof(gh_storage_vtable) : sizeof(gh_notifier_vtable);
  if (table_size < needed) {
    return FailedPrecondition("plugin " + path + ": function table too small (" + std::to_string(table_size) + " < " +
                              std::to_string(needed) + ")");
  }
  LoadedPlugin out;
  out.descriptor = d;
  out.info.path = path;
  out.info.kind = d->kind;
  out.info.name = d->name;
  out.info.version = ValidCString(d->version) ? d->version : "";
  out.info.description = ValidCString(d->description) ? d->description : "";
  out.info.abi_major = d->abi_major;
  out.info.abi_minor = d->abi_minor;
  for (std::size_t i = 0; i < d->option_count; ++i) {
    const gh_option_spec& o = d->options[i];
    if (o.struct_size < sizeof(gh_option_spec) || !ValidCString(o.name)) {
      return InvalidArgument("plugin " + path + ": malformed option spec #" + std::to_string(i));
    }
    PluginOptionSpec spec;
    spec.name = o.name;
    spec.type = o.type;
    if (o.default_value != nullptr) spec.default_value = o.default_value;
    spec.description = o.description != nullptr ? o.description : "";
    spec.required = o.required != 0;
    out.info.options.push_back(std::move(spec));
  }
  std::lock_guard lock(KeepMu());
  Keep().push_back(std::move(lib));
  return out;
}

std::vector<std::pair<std::string, Result<LoadedPlugin>>> PluginHost::List() const {
  std::vector<std::pair<std::string, Result<LoadedPlugin>>> out;
  std::error_code ec;
  std::vector<std::string> paths;
  for (const auto& e : std::filesystem::directory_iterator(dir_, ec)) {
    const auto file = e.path().filename().string();
    if (file.rfind("gatehouse-", 0) == 0 && e.path().extension() == ".so") paths.push_back(e.path().string());
  }
  std::sort(paths.begin(), paths.end());
  for (const auto& p : paths) out.emplace_back(p, LoadFile(p));
  return out;
}

Result<PluginOptions> PluginHost::ValidateOptions(const PluginInfo& info,
                                                  const std::map<std::string, std::string>& given) {
  const std::string who = std::string(PluginKindName(info.kind)) + " plugin \"" + info.name + "\"";
  for (const auto& entry : given) {
    const std::string& name = entry.first;
    auto it = std::find_if(info.options.begin(), info.options.end(),
                           [&](const PluginOptionSpec& s) { return s.name == name; });
    if (it == info.options.end()) {
      std::string known;
      for (const auto& s : info.options) known += (known.empty() ? "" : ", ") + s.name;
      return InvalidArgument(who + ": unknown option \"" + name + "\" (it takes: " + (known.empty() ? "none" : known) +
                             ")");
    }
  }
  PluginOptions out;
  for (const auto& spec : info.options) {
    auto it = given.find(spec.name);
    std::string value;
    if (it != given.end()) {
      value = it->second;
    } else if (spec.default_value) {
      value = *spec.default_value;
    } else if (spec.required) {
      return InvalidArgument(who + ": option \"" + spec.name + "\" is required (" + spec.description + ")");
    } else {
      continue;
    }
    bool ok = true;
    switch (spec.type) {
      case GH_OPT_INT:
        ok = !value.empty() && std::all_of(value.begin() + (value[0] == '-' ? 1 : 0), value.end(),
                                           [](char c) { return c >= '0' && c <= '9'; });
        break;
      case GH_OPT_BOOL:
        ok = value == "true" || value == "false";
        break;
      case GH_OPT_DURATION:
        ok = ParseDurationMs(value).has_value();
        break;
      default:
        break;
    }
    if (!ok) {
      return InvalidArgument(who + ": option \"" + spec.name + "\" must be a " +
                             std::string(OptionTypeName(spec.type)) + ", got \"" + value + "\"");
    }
    out.emplace_back(spec.name, std::move(value));
  }
  return out;
}

}  // namespace gatehouse
