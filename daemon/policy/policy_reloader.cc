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

Result<std::shared_ptr<const PolicySet>> PolicyReloader::Load(std::uint64_t generation, const char* what) {
  PolicyLoad next = LoadPolicyDirectory(dir_, generation);
  if (next.ok()) return next.policy_set;
  std::string message;
  for (const auto& e : next.errors) {
    if (log_) log_(1, std::string(what) + ": " + e.ToString());
    message += (message.empty() ? "" : "\n") + e.ToString();
  }
  if (log_) {
    log_(1, std::string(what) + " failed (" + std::to_string(next.errors.size()) +
                " error(s)); the previous policies stay active");
  }
  return InvalidArgument(std::string(what) + " failed; the previous policies stay active:\n" + message);
}

Status PolicyReloader::Reload(bool force) {
  std::lock_guard lock(mu_);
  auto next = Load(++generation_, "reload");
  Status st = next.ok() ? replace_(*next, force, false) : next.status();
  if (next.ok() && !st.ok() && log_) log_(1, st.message());
  last_.ok = st.ok();
  last_.message =
      st.ok() ? "policies replaced (" + std::to_string((*next)->files().size()) + " file(s))" : st.message();
  last_.at = FormatRfc3339(clock_->Now());
  if (st.ok()) {
    if (log_) log_(0, "reload: " + last_.message);
  } else if (on_failure_) {
    on_failure_();
  }
  return st;
}

Status PolicyReloader::DryRun(bool force) {
  std::lock_guard lock(mu_);
  auto next = Load(generation_ + 1, "reload dry run");
  if (!next.ok()) return next.status();
  Status st = replace_(*next, force, true);
  if (log_)
    log_(st.ok() ? 0 : 1, st.ok() ? "reload dry run: the policies would load" : "reload dry run: " + st.message());
  return st;
}

PolicyReloader::Outcome PolicyReloader::LastOutcome() const {
  std::lock_guard lock(mu_);
  return last_;
}

}  // namespace gatehouse
