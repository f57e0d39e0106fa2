#include "engine/access_review.h"

#include <algorithm>
#include <numeric>

#include "engine/decider.h"

namespace gatehouse {

std::string_view GrantStatusName(GrantStatus s) {
  switch (s) {
    case GrantStatus::kActive:
      return "ACTIVE";
    case GrantStatus::kNotYetActive:
      return "NOT_YET_ACTIVE";
    case GrantStatus::kExpired:
      return "EXPIRED";
  }
  return "ACTIVE";
}

GrantStatus StatusOf(const AccountState::Grant& g, Timestamp now) {
  if (now < g.not_before) return GrantStatus::kNotYetActive;
  if (now >= g.expires_at) return GrantStatus::kExpired;
  return GrantStatus::kActive;
}

std::vector<std::uint32_t> PermissionsById(const PolicySet& policies) {
  std::vector<std::uint32_t> order(policies.PermissionCount());
  std::iota(order.begin(), order.end(), 0U);
  std::sort(order.begin(), order.end(),
            [&](std::uint32_t a, std::uint32_t b) { return policies.Permission(a).id < policies.Permission(b).id; });
  return order;
}

std::vector<std::string> GrantPermissionIds(const PolicySet& policies,
                                            const std::vector<std::uint32_t>& sorted_permissions,
                                            const CompiledRole* role, Restriction::Kind kind) {
  std::vector<std::string> ids;
  for (std::uint32_t p : sorted_permissions) {
    if (GrantGives(role, kind, p, policies.Permission(p).account_level)) ids.push_back(policies.Permission(p).id);
  }
  return ids;
}

AccessReview::AccessReview(const Snapshot& snapshot, const AccountView& view, Timestamp now)
    : snapshot_(snapshot),
      view_(view),
      state_(view.State()),
      now_(now),
      permissions_by_id_(PermissionsById(snapshot.policy_set())) {
  const auto& subjects = state_->subjects();
  subject_order_.reserve(subjects.size());
  for (std::uint32_t i = 0; i < subjects.size(); ++i) {
    if (!subjects[i].grants.empty()) subject_order_.push_back(i);
  }
  std::sort(subject_order_.begin(), subject_order_.end(), [&](std::uint32_t a, std::uint32_t b) {
    const auto& x = subjects[a];
    const auto& y = subjects[b];
    const std::string_view tx = SubjectTypeName(x.type);
    const std::string_view ty = SubjectTypeName(y.type);
    if (tx != ty) return tx < ty;
    return x.id < y.id;
  });
}

const std::vector<std::string>& AccessReview::PermissionsOf(std::uint16_t slot, Restriction::Kind kind) {
  const bool account_wide = kind == Restriction::Kind::kAccount;
  auto key = std::make_pair(slot, account_wide);
  auto it = permission_cache_.find(key);
  if (it == permission_cache_.end()) {
    it = permission_cache_
             .emplace(key, GrantPermissionIds(snapshot_.policy_set(), permissions_by_id_, view_.roles[slot], kind))
             .first;
  }
  return it->second;
}

void AccessReview::FillSubject(std::uint32_t subject_index) {
  const AccountState& state = *state_;
  const auto& entry = state.subjects()[subject_index];
  std::string name;
  std::string email;
  if (entry.type == SubjectType::kUser) {
    if (const User* user = snapshot_.users().Find(entry.id); user != nullptr) {
      name = user->first_name;
      if (!user->last_name.empty()) name += (name.empty() ? "" : " ") + user->last_name;
      email = user->email;
    }
  }
  for (const auto& g : entry.grants) {
    const std::vector<std::uint32_t> scopes = state.DistinctScopesOf(g);
    const std::string& role_id = state.RoleOfSlot(g.role_slot);
    const CompiledRole* role = view_.roles[g.role_slot];
    for (std::uint32_t scope : scopes) {
      ReviewRow row;
      row.subject = Subject{entry.id, entry.type};
      row.subject_name = name;
      row.subject_email = email;
      row.assignment_id = g.id;
      row.role_id = role_id;
      if (role != nullptr) row.role_title = Localize(role->decl.title, "en");
      const auto& node = state.Node(scope);
      row.scope_id = node.id;
      row.scope_type = node.type;
      for (std::uint32_t n = scope; n != AccountState::kNoNode; n = state.Node(n).parent) {
        row.scope_path.push_back(state.Node(n).id);
      }
      std::reverse(row.scope_path.begin(), row.scope_path.end());
      if (g.not_before != AccountState::kNoStart) row.not_before = g.not_before;
      if (g.expires_at != AccountState::kNoEnd) row.expires_at = g.expires_at;
      row.status = StatusOf(g, now_);
      row.permissions = PermissionsOf(g.role_slot, g.kind);
      row.granted_at = g.created_at;
      row.granted_by = state.ActorOf(g);
      row.granted_revision = g.granted_revision;
      pending_.push_back(std::move(row));
    }
  }
  // Review order within a subject (kept reversed: Next pops from the back).
  std::sort(pending_.begin(), pending_.end(),
            [](const ReviewRow& a, const ReviewRow& b) { return ReviewOrderLess(b, a); });
}

bool ReviewOrderLess(const ReviewRow& a, const ReviewRow& b) {
  const std::string_view ta = SubjectTypeName(a.subject.type);
  const std::string_view tb = SubjectTypeName(b.subject.type);
  if (ta != tb) return ta < tb;
  if (a.subject.id != b.subject.id) return a.subject.id < b.subject.id;
  if (a.role_id != b.role_id) return a.role_id < b.role_id;
  if (a.scope_id != b.scope_id) return a.scope_id < b.scope_id;
  return a.assignment_id < b.assignment_id;
}

void DiffReviews(AccessReview* before, AccessReview* after, const ReviewDiffSink& sink) {
  ReviewRow x, y;
  bool has_x = before != nullptr && before->Next(&x);
  bool has_y = after != nullptr && after->Next(&y);
  while (has_x || has_y) {
    if (has_x && (!has_y || ReviewOrderLess(x, y))) {
      sink.lost(x);
      has_x = before->Next(&x);
    } else if (has_y && (!has_x || ReviewOrderLess(y, x))) {
      sink.gained(y);
      has_y = after->Next(&y);
    } else {
      if (!x.SameAccessAs(y)) sink.changed(x, y);
      has_x = before->Next(&x);
      has_y = after->Next(&y);
    }
  }
}

bool AccessReview::Next(ReviewRow* row) {
  while (pending_.empty()) {
    if (next_subject_ >= subject_order_.size()) return false;
    FillSubject(subject_order_[next_subject_++]);
  }
  *row = std::move(pending_.back());
  pending_.pop_back();
  return true;
}

}  // namespace gatehouse
