#include "store/plugin_notifier.h"

namespace gatehouse {
namespace {

gh_str Str(std::string_view s) { return gh_str{s.data(), s.size()}; }

void HostLog(void* ctx, int32_t level, gh_str message) {
  auto* fn = static_cast<PluginLogFn*>(ctx);
  if (fn != nullptr && *fn) (*fn)(level, std::string_view(message.data, message.len));
}

}  // namespace

Result<std::unique_ptr<PluginNotifier>> PluginNotifier::Open(const LoadedPlugin& plugin,
                                                             const std::map<std::string, std::string>& options,
                                                             PluginLogFn log) {
  if (plugin.info.kind != GH_KIND_NOTIFIER) {
    return InvalidArgument("plugin " + plugin.info.path + " is not a notifier plugin");
  }
  auto validated = PluginHost::ValidateOptions(plugin.info, options);
  if (!validated.ok()) return validated.status();
  std::unique_ptr<PluginNotifier> self(new PluginNotifier());
  self->plugin_ = plugin;
  self->vt_ = static_cast<const gh_notifier_vtable*>(plugin.descriptor->vtable);
  self->log_ = std::make_unique<PluginLogFn>(std::move(log));
  self->host_api_ = gh_host_api{sizeof(gh_host_api), GH_ABI_MAJOR, GH_ABI_MINOR, self->log_.get(), &HostLog};
  std::vector<gh_option> opts;
  for (const auto& [name, value] : *validated) opts.push_back(gh_option{Str(name), Str(value)});
  gh_error err = NewPluginError();
  const gh_status st = self->vt_->create(&self->host_api_, opts.data(), opts.size(), &self->instance_, &err);
  if (st != GH_OK || self->instance_ == nullptr) {
    self->instance_ = nullptr;
    return Status(StatusCodeFromAbi(st == GH_OK ? GH_ERR_INTERNAL : st),
                  "notifier \"" + plugin.info.name + "\": open: " + PluginErrorMessage(err, "failed"));
  }
  return self;
}

PluginNotifier::~PluginNotifier() {
  if (instance_ != nullptr) vt_->destroy(instance_);
}

DeliveryResult PluginNotifier::Deliver(const std::vector<ChangeRecord>& events) {
  std::vector<gh_event> es;
  es.reserve(events.size());
  for (const auto& e : events) {
    es.push_back(
        gh_event{sizeof(gh_event), e.revision, Str(e.type), Str(e.account_id), Str(e.actor), e.at, Str(e.payload)});
  }
  gh_error err = NewPluginError();
  const gh_status st = vt_->deliver(instance_, es.data(), es.size(), &err);
  if (st == GH_OK) return {DeliveryOutcome::kDelivered, ""};
  const std::string message = PluginErrorMessage(err, "delivery failed");
  // Only an explicit permanent answer skips events. GH_ERR_INTERNAL (a notifier that threw),
  // and any status this host does not know, may succeed later: retry, never skip.
  if (st == GH_ERR_PERMANENT) return {DeliveryOutcome::kRejected, message};
  return {DeliveryOutcome::kRetryLater, message + " (status " + std::to_string(st) + ")"};
}

}  // namespace gatehouse
