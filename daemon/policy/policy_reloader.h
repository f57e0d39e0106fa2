// PolicyReloader: one policy reload, however it was asked for (SIGHUP, a policies.watch
// change, POST /v1/admin/reload): load the directory with the same loader as start-up
// (policy_loader.h), hand a valid set to `replace` (the Committer's ReplacePolicies, which
// refuses to strand assigned roles unless forced), and remember the outcome for
// /v1/admin/status. A failed reload changes nothing: the previous policies stay active.
//
// Outcomes go to `log` (one line per problem, then a summary) and to `on_failure` (the
// daemon counts them in gatehouse_policy_reload_failures_total).
//
// Thread safety: Reload and LastOutcome may be called concurrently; reloads run one at a
// time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "core/status.h"
#include "core/time.h"
#include "engine/policy_set.h"

namespace gatehouse {

class PolicyReloader {
 public:
  using Replace = std::function<Status(std::shared_ptr<const PolicySet>, bool force, bool dry_run)>;
  // level: 0 info, 1 error.
  using Log = std::function<void(int level, const std::string& message)>;

  struct Outcome {
    bool ok = true;
    std::string message;  // "policies replaced (N file(s))" or why not
    std::string at;       // RFC 3339; empty before the first reload
  };

  // `first_generation` is the generation of the set loaded at start-up.
  PolicyReloader(std::string dir, std::uint64_t first_generation, Replace replace, const Clock* clock, Log log,
                 std::function<void()> on_failure);

  Status Reload(bool force);
  // Everything a reload checks — the directory loads, and no assigned role would vanish
  // (unless `force`) — with nothing replaced, recorded or counted.
  Status DryRun(bool force);
  Outcome LastOutcome() const;

 private:
  const std::string dir_;
  Replace replace_;
  const Clock* clock_;
  Log log_;
  std::function<void()> on_failure_;
  mutable std::mutex mu_;
  // Loads the directory; the error (logged) when it does not load.
  Result<std::shared_ptr<const PolicySet>> Load(std::uint64_t generation, const char* what);

  std::uint64_t generation_;
  Outcome last_;
};

}  // namespace gatehouse
