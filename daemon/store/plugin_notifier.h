// PluginNotifier: the core Notifier interface over a notifier plugin's C function table.
// Owns one plugin instance; maps GH_OK / GH_ERR_RETRYABLE / anything else to delivered /
// retry later / rejected, with the plugin's message. Unavailable (a connection problem)
// counts as retryable.
//
// Thread safety: one caller at a time (the dispatcher's thread for this notifier).
#pragma once

#include <memory>

#include "core/notifier.h"
#include "core/status.h"
#include "store/plugin_change_log.h"
#include "store/plugin_host.h"

namespace gatehouse {

class PluginNotifier final : public Notifier {
 public:
  static Result<std::unique_ptr<PluginNotifier>> Open(const LoadedPlugin& plugin,
                                                      const std::map<std::string, std::string>& options,
                                                      PluginLogFn log);
  ~PluginNotifier() override;
  DeliveryResult Deliver(const std::vector<ChangeRecord>& events) override;

 private:
  PluginNotifier() = default;
  LoadedPlugin plugin_;
  const gh_notifier_vtable* vt_ = nullptr;
  gh_notifier* instance_ = nullptr;
  std::unique_ptr<PluginLogFn> log_;
  gh_host_api host_api_{};
};

}  // namespace gatehouse
