// The access review of one account: who holds what, one row per grant, computed from a
// Snapshot by the engine's own rules (decider.h's GrantGives), never re-implemented.
//
// A grant is one (assignment, scope) pair: an assignment restricted to several folders is
// one grant per folder; an account-wide assignment has the account itself as its scope.
// Rows come in review order: subject type name (alphabetically), subject id, role id,
// scope id. A row's permissions are the permission ids (sorted) the grant gives on its
// scope while active: the role's effective set (inheritance, implies and DENY already
// expanded by the compiler), less `level: Account` permissions on a restricted grant. A
// role that no longer exists gives nothing.
//
// AccessReview is a cursor: Next() yields one row at a time, so a caller can stream an
// account of 100 k members while holding only the sorted subject order and one subject's
// rows. It keeps a reference to the Snapshot and the AccountView; both must outlive it.
//
// Thread safety: a cursor is used by one thread; the Snapshot it reads is immutable.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/model.h"
#include "core/time.h"
#include "engine/snapshot.h"

namespace gatehouse {

enum class GrantStatus : std::uint8_t { kActive, kNotYetActive, kExpired };
std::string_view GrantStatusName(GrantStatus s);  // "ACTIVE", "NOT_YET_ACTIVE", "EXPIRED"
GrantStatus StatusOf(const AccountState::Grant& g, Timestamp now);

// One grant, materialized (plain values, independent of the snapshot once built).
struct ReviewRow {
  Subject subject;
  std::string subject_name;   // users: "First Last" (may be empty)
  std::string subject_email;  // users only
  std::uint64_t assignment_id = 0;
  std::string role_id;
  std::string role_title;  // the role's English title; empty when the role no longer exists
  std::string scope_id;
  std::string scope_type;
  std::vector<std::string> scope_path;  // asset ids from the account down to the scope
  std::optional<Timestamp> not_before;
  std::optional<Timestamp> expires_at;
  GrantStatus status = GrantStatus::kActive;
  std::vector<std::string> permissions;  // sorted
  Timestamp granted_at = 0;
  std::string granted_by;
  std::uint64_t granted_revision = 0;

  // Same status, time window and permission set: what the review diff calls "unchanged".
  bool SameAccessAs(const ReviewRow& o) const {
    return status == o.status && not_before == o.not_before && expires_at == o.expires_at &&
           permissions == o.permissions;
  }
};

// The permission ids (sorted) a role gives through a grant of this kind, by GrantGives.
// `sorted_permissions` is the policy set's permission indices ordered by id.
std::vector<std::string> GrantPermissionIds(const PolicySet& policies,
                                            const std::vector<std::uint32_t>& sorted_permissions,
                                            const CompiledRole* role, Restriction::Kind kind);

// The policy set's permission indices ordered by permission id.
std::vector<std::uint32_t> PermissionsById(const PolicySet& policies);

class AccessReview {
 public:
  AccessReview(const Snapshot& snapshot, const AccountView& view, Timestamp now);

  // The next row in review order; false when there are no more.
  bool Next(ReviewRow* row);

 private:
  void FillSubject(std::uint32_t subject_index);
  const std::vector<std::string>& PermissionsOf(std::uint16_t slot, Restriction::Kind kind);

  const Snapshot& snapshot_;
  const AccountView& view_;
  std::shared_ptr<const AccountState> state_;  // the view's state, decoded once for the whole review
  Timestamp now_;
  std::vector<std::uint32_t> subject_order_;
  std::size_t next_subject_ = 0;
  std::vector<ReviewRow> pending_;  // the current subject's rows, in reverse order
  std::vector<std::uint32_t> permissions_by_id_;
  std::map<std::pair<std::uint16_t, bool>, std::vector<std::string>> permission_cache_;
};

// The total order rows come in: subject type name, subject id, role id, scope id,
// assignment id.
bool ReviewOrderLess(const ReviewRow& a, const ReviewRow& b);

// What DiffReviews reports; every callback is required.
struct ReviewDiffSink {
  std::function<void(const ReviewRow&)> gained;                                  // only in `after`
  std::function<void(const ReviewRow&)> lost;                                    // only in `before`
  std::function<void(const ReviewRow& before, const ReviewRow& after)> changed;  // !SameAccessAs
};

// Walks two reviews of one account in step — both come in review order, and a grant
// (assignment, scope) keeps its subject and role for life, so equal positions in the
// order are the same grant — and reports the differences in review order. Holds one row
// of each side at a time. A null review is an account that did not exist (no rows).
void DiffReviews(AccessReview* before, AccessReview* after, const ReviewDiffSink& sink);

}  // namespace gatehouse
