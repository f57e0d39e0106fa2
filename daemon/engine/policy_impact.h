// Policy impact: which stored grants would give different permissions if a candidate
// PolicySet replaced the active one (POST /v1/admin/policy-diff). Nothing is loaded.
//
// A grant is an (assignment, scope) pair, as in the access review (access_review.h). Its
// permissions under a policy set are GrantPermissionIds of its role bound in that set —
// predefined and file custom roles from the set, API custom roles compiled against it —
// so the comparison uses the engine's own rule, and permissions are compared by id (the
// two sets number them differently). A role that exists now but not under the candidate
// (removed, or an API custom role that no longer compiles against it) loses everything,
// with the reason in `error`. Time windows do not matter: a grant's access is what it
// gives while active.
//
// PolicyImpact is a cursor over accounts (sorted by id) so a caller can stream the answer;
// per-role results are cached, so a million grants of a few roles cost a million lookups.
//
// Thread safety: a cursor is used by one thread; the Snapshot and candidate are immutable
// and must outlive it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "core/model.h"
#include "engine/snapshot.h"

namespace gatehouse {

struct Impact {
  std::string account_id;
  Subject subject;
  std::uint64_t assignment_id = 0;
  std::string role_id;
  std::string scope_id;
  std::string scope_type;
  std::vector<std::string> gained;  // sorted
  std::vector<std::string> lost;    // sorted
  std::string error;                // set when the role no longer exists or compiles
};

struct ImpactSummary {
  std::size_t accounts = 0;  // distinct accounts with an impact
  std::size_t subjects = 0;  // distinct (account, subject) pairs
  std::size_t grants_changed = 0;
  std::size_t permissions_gained = 0;
  std::size_t permissions_lost = 0;
};

class PolicyImpact {
 public:
  PolicyImpact(const Snapshot& live, std::shared_ptr<const PolicySet> candidate);

  // Appends the next account's impacts (in access-review order) to *out; false when every
  // account has been judged. An account with no impact appends nothing and returns true.
  bool NextAccount(std::vector<Impact>* out);

  const ImpactSummary& summary() const { return summary_; }

 private:
  struct RoleDiff {
    std::vector<std::string> gained, lost;
  };
  const RoleDiff& Diff(const CompiledRole* now, const CompiledRole* then, bool account_wide);

  const Snapshot& live_;
  std::shared_ptr<const PolicySet> candidate_;
  std::vector<const AccountView*> accounts_;
  std::size_t next_ = 0;
  std::vector<std::uint32_t> live_order_;
  std::vector<std::uint32_t> candidate_order_;
  std::map<std::tuple<const CompiledRole*, const CompiledRole*, bool>, RoleDiff> diffs_;
  ImpactSummary summary_;
};

}  // namespace gatehouse
