#include "policy/policy_reloader.h"

#include "policy/policy_loader.h"

namespace gatehouse {

PolicyReloader::PolicyReloader(std::string dir, std::uint64_t first_generation, Replace replace, const Clock* clock,
                               Log log, std::function<void()> on_failure)
    : dir_(std::move(dir)),
      replace_(std::move(replace)),
      clock_(clock),
      log_(std::move(log)),
      on_failure_(std::move(on_failure)),
      generation_(first_generation) {}

Status PolicyReloader::Reload(bool force) {
  std::lock_guard lock(mu_);
  PolicyLoad next = LoadPolicyDirectory(dir_, ++generation_);
  Status st;
  if (!next.ok()) {
    std::string message;
    for (const auto& e : next.errors) {
      if (log_) log_(1, "reload: " + e.ToString());
      message += (message.empty() ? "" : "\n") + e.ToString();
    }
    if (log_) {
      log_(1, "reload failed (" + std::to_string(next.errors.size()) + " error(s)); the previous policies stay active");
    }
    st = InvalidArgument("reload failed; the previous policies stay active:\n" + message);
  } else {
    st = replace_(next.policy_set, force);
    if (!st.ok() && log_) log_(1, st.message());
  }
  last_.ok = st.ok();
  last_.message = st.ok() ? "policies replaced (" + std::to_string(next.files.size()) + " file(s))" : st.message();
  last_.at = FormatRfc3339(clock_->Now());
  if (st.ok()) {
    if (log_) log_(0, "reload: " + last_.message);
  } else if (on_failure_) {
    on_failure_();
  }
  return st;
}

PolicyReloader::Outcome PolicyReloader::LastOutcome() const {
  std::lock_guard lock(mu_);
  return last_;
}

}  // namespace gatehouse
