#include "store/plugin_host.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/dll/shared_library.hpp>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <sstream>

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

// Why `path` is not something dlopen should see, or "" when it looks like an ELF object.
std::string NotElfReason(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::string("cannot be read: ") + std::strerror(errno);
  unsigned char magic[4] = {0, 0, 0, 0};
  const ssize_t n = ::read(fd, magic, sizeof magic);
  ::close(fd);
  if (n != 4 || magic[0] != 0x7f || magic[1] != 'E' || magic[2] != 'L' || magic[3] != 'F') {
    return "is not a shared library (no ELF header)";
  }
  return "";
}

// The first NULL among the named required entries of a function table, or nullptr.
struct Entry {
  const char* name;
  const void* fn;
};
const char* FirstNull(std::initializer_list<Entry> entries) {
  for (const auto& e : entries) {
    if (e.fn == nullptr) return e.name;
  }
  return nullptr;
}

template <typename Fn>
const void* Ptr(Fn fn) {
  return reinterpret_cast<const void*>(fn);
}

// Checks the kind's function table: at least its ABI 1.0 size, every required entry set.
Status CheckTable(const gh_plugin_descriptor& d, const std::string& path) {
  const std::uint32_t table_size = *static_cast<const std::uint32_t*>(d.vtable);
  const std::size_t needed = d.kind == GH_KIND_STORAGE ? GH_STORAGE_VTABLE_SIZE_1_0 : GH_NOTIFIER_VTABLE_SIZE_1_0;
  if (table_size < needed) {
    return FailedPrecondition("plugin " + path + ": function table too small (" + std::to_string(table_size) +
                              " bytes; ABI 1.0 needs " + std::to_string(needed) + ")");
  }
  const char* missing = nullptr;
  if (d.kind == GH_KIND_STORAGE) {
    const auto* t = static_cast<const gh_storage_vtable*>(d.vtable);
    missing = FirstNull({{"create", Ptr(t->create)},
                         {"destroy", Ptr(t->destroy)},
                         {"load", Ptr(t->load)},
                         {"append", Ptr(t->append)},
                         {"read_since", Ptr(t->read_since)},
                         {"head", Ptr(t->head)},
                         {"cursor_get", Ptr(t->cursor_get)},
                         {"cursor_put", Ptr(t->cursor_put)}});
    // ABI 1.2: the lease entries come as a pair; one without the other is a broken table.
    if (missing == nullptr && table_size >= offsetof(gh_storage_vtable, release_lease) + sizeof(t->release_lease) &&
        (t->try_lease == nullptr) != (t->release_lease == nullptr)) {
      return InvalidArgument("plugin " + path + ": function table sets one of \"try_lease\" and \"release_lease\" " +
                             "without the other (ABI 1.2: both or neither)");
    }
    // ABI 1.3: the snapshot entries come as a set of five.
    if (missing == nullptr && table_size >= offsetof(gh_storage_vtable, snapshot_drop) + sizeof(t->snapshot_drop)) {
      const int set = (t->snapshot_put != nullptr) + (t->snapshot_list != nullptr) + (t->snapshot_read != nullptr) +
                      (t->forget_history != nullptr) + (t->snapshot_drop != nullptr);
      if (set != 0 && set != 5) {
        return InvalidArgument("plugin " + path + ": function table sets " + std::to_string(set) +
                               " of \"snapshot_put\", \"snapshot_list\", \"snapshot_read\", \"forget_history\" and " +
                               "\"snapshot_drop\" (ABI 1.3: all five or none)");
      }
    }
  } else {
    const auto* t = static_cast<const gh_notifier_vtable*>(d.vtable);
    missing = FirstNull({{"create", Ptr(t->create)}, {"destroy", Ptr(t->destroy)}, {"deliver", Ptr(t->deliver)}});
  }
  if (missing != nullptr) {
    return InvalidArgument("plugin " + path + ": function table entry \"" + missing + "\" is NULL (required by the " +
                           std::string(PluginKindName(d.kind)) + " ABI)");
  }
  return Status::Ok();
}

std::string SignalName(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return "signal " + std::to_string(sig) + (abbrev != nullptr ? " (SIG" + std::string(abbrev) + ")" : "");
}

// PluginInfo (without options) through a pipe: one field per line, newlines flattened.
std::string Flat(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  return s;
}
std::string EncodeProbe(const Result<LoadedPlugin>& r) {
  if (!r.ok()) return "err\n" + std::to_string(static_cast<int>(r.status().code())) + "\n" + r.status().message();
  const PluginInfo& i = r->info;
  return "ok\n" + std::to_string(i.kind) + "\n" + Flat(i.name) + "\n" + Flat(i.version) + "\n" +
         std::to_string(i.abi_major) + "\n" + std::to_string(i.abi_minor) + "\n" + Flat(i.description);
}
Result<PluginInfo> DecodeProbe(const std::string& text, const std::string& path) {
  std::istringstream in(text);
  std::string tag, line;
  std::getline(in, tag);
  if (tag == "err") {
    std::getline(in, line);
    const auto code = static_cast<StatusCode>(std::atoi(line.c_str()));
    std::string message((std::istreambuf_iterator<char>(in)), {});
    return Status(code, std::move(message));
  }
  if (tag != "ok") return Internal("plugin " + path + ": the probe process answered nothing");
  PluginInfo info;
  info.path = path;
  std::getline(in, line);
  info.kind = static_cast<std::uint32_t>(std::stoul(line));
  std::getline(in, info.name);
  std::getline(in, info.version);
  std::getline(in, line);
  info.abi_major = static_cast<std::uint32_t>(std::stoul(line));
  std::getline(in, line);
  info.abi_minor = static_cast<std::uint32_t>(std::stoul(line));
  std::getline(in, info.description);
  return info;
}

}  // namespace

gh_error NewPluginError() {
  gh_error e;
  std::memset(&e, 0, sizeof e);
  e.struct_size = sizeof(gh_error);
  return e;
}

std::string PluginErrorMessage(const gh_error& err, std::string_view fallback) {
  const std::size_t n = ::strnlen(err.message, sizeof err.message);
  if (n == 0) return std::string(fallback);
  return std::string(err.message, n);
}

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
  if (std::string why = NotElfReason(path); !why.empty()) {
    return InvalidArgument("plugin " + path + ": cannot be loaded: " + why);
  }
  if (log_) log_("loading plugin file " + path);
  auto lib = std::make_shared<boost::dll::shared_library>();
  boost::dll::fs::error_code ec;
  ::dlerror();  // clear, so the loader's reason below is this load's
  lib->load(boost::dll::fs::path(path), boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local, ec);
  if (ec) {
    const char* why = ::dlerror();
    return InvalidArgument("plugin " + path + ": cannot be loaded: " + (why != nullptr ? why : ec.message()));
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
  if (d->struct_size < GH_PLUGIN_DESCRIPTOR_SIZE_1_0 || d->abi_major != GH_ABI_MAJOR) {
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
  if (Status table = CheckTable(*d, path); !table.ok()) return table;
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
    if (o.struct_size < GH_OPTION_SPEC_SIZE_1_0 || !ValidCString(o.name)) {
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

std::vector<std::string> PluginHost::PluginFiles() const {
  std::error_code ec;
  std::vector<std::string> paths;
  for (const auto& e : std::filesystem::directory_iterator(dir_, ec)) {
    const auto file = e.path().filename().string();
    if (file.rfind("gatehouse-", 0) == 0 && e.path().extension() == ".so") paths.push_back(e.path().string());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

std::vector<std::pair<std::string, Result<LoadedPlugin>>> PluginHost::List() const {
  std::vector<std::pair<std::string, Result<LoadedPlugin>>> out;
  for (const auto& p : PluginFiles()) out.emplace_back(p, LoadFile(p));
  return out;
}

Result<PluginInfo> PluginHost::ProbeFile(const std::string& path) const {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Internal(std::string("probe: pipe: ") + std::strerror(errno));
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return Internal(std::string("probe: fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::close(fds[0]);
    // A crash must end the child with its signal, for the parent to name it, whatever
    // handlers this process had installed (a sanitizer's, say).
    for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT}) ::signal(sig, SIG_DFL);
    PluginHost quiet(dir_);  // the child only reports through the pipe
    const std::string answer = EncodeProbe(quiet.LoadFile(path));
    std::size_t done = 0;
    while (done < answer.size()) {
      const ssize_t n = ::write(fds[1], answer.data() + done, answer.size() - done);
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string answer;
  bool timed_out = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char buf[4096];
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n <= 0) break;
    answer.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) return Internal("plugin " + path + ": did not finish loading within 10 s (killed)");
  if (WIFSIGNALED(status)) {
    return Internal("plugin " + path + ": crashed with " + SignalName(WTERMSIG(status)) + " while being loaded");
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
    return Internal("plugin " + path + ": exited the process with code " + std::to_string(WEXITSTATUS(status)) +
                    " while being loaded");
  }
  return DecodeProbe(answer, path);
}

std::vector<std::pair<std::string, Result<PluginInfo>>> PluginHost::ProbeAll() const {
  std::vector<std::pair<std::string, Result<PluginInfo>>> out;
  for (const auto& p : PluginFiles()) out.emplace_back(p, ProbeFile(p));
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
        if (auto ms = ParseDurationMs(value)) {
          value = std::to_string(*ms) + "ms";  // plugins get one form: no second parser to disagree
        } else {
          ok = false;
        }
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
