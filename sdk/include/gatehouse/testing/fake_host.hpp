// FakeHost: a stand-in for gatehoused in a plugin's own unit tests. It negotiates with a
// plugin's entry point exactly as the real host does, passes a host table that records
// log lines, and opens instances through the plugin's C function table — so a test
// exercises the same C boundary the daemon uses, without the daemon.
//
//   FakeHost host;
//   auto* d = host.Negotiate(&GH_PLUGIN_ENTRY);            // null → test failure
//   auto notifier = host.OpenNotifier(d, {{"path", "/tmp/x"}});
//   gh_status st = notifier.Deliver({{1, "account.created", "acme", "system", 0, "{}"}});
//
// Options are passed as given (the real host also fills defaults and checks types;
// FakeHost fills defaults so plugins see what they would see in the daemon).
// Thread safety: single-threaded test helper.
#ifndef GATEHOUSE_TESTING_FAKE_HOST_HPP_
#define GATEHOUSE_TESTING_FAKE_HOST_HPP_

#include <gatehouse/plugin.hpp>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace gatehouse::sdk::testing {

class FakeHost {
 public:
  struct LogLine {
    int32_t level;
    std::string message;
  };

  FakeHost() {
    api_.struct_size = sizeof(gh_host_api);
    api_.abi_major = GH_ABI_MAJOR;
    api_.abi_minor = GH_ABI_MINOR;
    api_.host_ctx = this;
    api_.log = [](void* ctx, int32_t level, gh_str message) {
      static_cast<FakeHost*>(ctx)->logs.push_back({level, std::string(View(message))});
    };
  }

  const gh_host_api* api() const { return &api_; }
  std::vector<LogLine> logs;

  // Calls the entry point with the majors this SDK speaks; throws if the plugin refuses.
  const gh_plugin_descriptor* Negotiate(gh_plugin_entry_fn entry) const {
    const uint32_t majors[] = {GH_ABI_MAJOR};
    const gh_plugin_descriptor* d = entry(majors, 1);
    if (d == nullptr) throw std::runtime_error("plugin supports none of the offered ABI majors");
    if (d->struct_size < sizeof(gh_plugin_descriptor)) throw std::runtime_error("descriptor too small");
    return d;
  }

  class Notifier {
   public:
    Notifier(const gh_notifier_vtable* vt, gh_notifier* self) : vt_(vt), self_(self) {}
    Notifier(Notifier&& o) noexcept : vt_(o.vt_), self_(std::exchange(o.self_, nullptr)) {}
    ~Notifier() {
      if (self_ != nullptr) vt_->destroy(self_);
    }
    // Delivers events; the error message (if any) is left in last_error().
    gh_status Deliver(const std::vector<Record>& events) {
      std::vector<gh_event> es;
      for (const auto& e : events) {
        es.push_back(gh_event{sizeof(gh_event), e.revision, Str(e.type), Str(e.account_id), Str(e.actor), e.at_ms,
                              Str(e.payload)});
      }
      gh_error err{};
      err.struct_size = sizeof(gh_error);
      const gh_status st = vt_->deliver(self_, es.data(), es.size(), &err);
      last_error_ = err.message;
      return st;
    }
    const std::string& last_error() const { return last_error_; }

   private:
    const gh_notifier_vtable* vt_;
    gh_notifier* self_;
    std::string last_error_;
  };

  // Opens a notifier instance; throws with the plugin's message on failure.
  Notifier OpenNotifier(const gh_plugin_descriptor* d, const std::map<std::string, std::string>& options) const {
    if (d->kind != GH_KIND_NOTIFIER) throw std::runtime_error("not a notifier plugin");
    auto opts = WithDefaults(d, options);
    std::vector<gh_option> c_opts;
    for (const auto& [k, v] : opts) c_opts.push_back(gh_option{Str(k), Str(v)});
    const auto* vt = static_cast<const gh_notifier_vtable*>(d->vtable);
    gh_notifier* self = nullptr;
    gh_error err{};
    err.struct_size = sizeof(gh_error);
    if (vt->create(&api_, c_opts.data(), c_opts.size(), &self, &err) != GH_OK) throw std::runtime_error(err.message);
    return Notifier(vt, self);
  }

 private:
  static std::map<std::string, std::string> WithDefaults(const gh_plugin_descriptor* d,
                                                         std::map<std::string, std::string> options) {
    for (size_t i = 0; i < d->option_count; ++i) {
      const gh_option_spec& spec = d->options[i];
      if (options.count(spec.name) == 0 && spec.default_value != nullptr) options[spec.name] = spec.default_value;
    }
    return options;
  }

  gh_host_api api_{};
};

}  // namespace gatehouse::sdk::testing

#endif  // GATEHOUSE_TESTING_FAKE_HOST_HPP_
