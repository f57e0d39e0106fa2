#include "team/assignment_service.h"

#include <algorithm>

#include "team/account_service.h"

namespace gatehouse {
namespace {

Assignment MakeAssignment(std::uint64_t id, const std::string& account_id, const Subject& subject,
                          const GrantRequest& g, Timestamp now) {
  Assignment a;
  a.id = id;
  a.account_id = account_id;
  a.subject = subject;
  a.role_id = g.role_id;
  a.restriction = g.restriction;
  a.not_before = g.not_before;
  a.expires_at = g.expires_at;
  a.created_at = now;
  return a;
}

// Does the owner keep an `owner` assignment after removing `removed`?
bool OwnerKeepsOwnerRole(const AccountState& state, const std::vector<std::uint64_t>& removed,
                         const std::vector<Assignment>& added) {
  const auto* owner = state.FindSubject(SubjectType::kUser, state.account().owner_user_id);
  if (owner != nullptr) {
    for (const auto& g : owner->grants) {
      if (state.RoleOfSlot(g.role_slot) == kOwnerRoleId &&
          std::find(removed.begin(), removed.end(), g.id) == removed.end()) {
        return true;
      }
    }
  }
  return std::any_of(added.begin(), added.end(), [](const Assignment& a) { return a.role_id == kOwnerRoleId; });
}

}  // namespace

Result<std::vector<Assignment>> AssignmentService::UpdateMember(const std::string& account_id,
                                                                const std::string& user_id,
                                                                const std::vector<GrantRequest>& add,
                                                                const std::vector<std::string>& remove_ids,
                                                                const std::string& actor) {
  if (user_id.empty()) return FieldError("userId", "must not be empty", "REQUIRED_FIELD");
  std::vector<Assignment> result;
  auto revision = committer_->Commit([&](const Snapshot& snap) -> Result<ChangeSet> {
    result.clear();
    const Timestamp now = clock_->Now();
    const auto state = snap.FindState(account_id);
    if (state == nullptr) return NotFound("account not found");
    if (!IsMember(*state, user_id, now)) return NotFound("team member not found");
    const auto* entry = state->FindSubject(SubjectType::kUser, user_id);
    ChangeSet set;
    set.type = "assignments.updated";
    set.account_id = account_id;
    set.actor = actor;
    set.at = now;
    std::vector<std::uint64_t> removed;
    for (std::size_t i = 0; i < remove_ids.size(); ++i) {
      const std::string field = "assignmentIdsToRemove[" + std::to_string(i) + "]";
      std::uint64_t id = 0;
      try {
        std::size_t used = 0;
        id = std::stoull(remove_ids[i], &used);
        if (used != remove_ids[i].size()) throw std::invalid_argument("trailing");
      } catch (const std::exception&) {
        return FieldError(field, "\"" + remove_ids[i] + "\" is not an assignment id");
      }
      const bool held = std::any_of(entry->grants.begin(), entry->grants.end(),
                                    [&](const AccountState::Grant& g) { return g.id == id; });
      if (!held) return FieldError(field, "the user holds no assignment " + remove_ids[i]);
      if (std::find(removed.begin(), removed.end(), id) != removed.end()) continue;
      removed.push_back(id);
      set.changes.push_back(AssignmentRemoved{account_id, id});
    }
    std::uint64_t next_id = snap.max_assignment_id();
    std::vector<Assignment> added;
    for (std::size_t i = 0; i < add.size(); ++i) {
      GH_RETURN_IF_ERROR(ValidateGrant(snap, *state, add[i], now, "newAssignments[" + std::to_string(i) + "]"));
      Assignment candidate = MakeAssignment(0, account_id, Subject{user_id, SubjectType::kUser}, add[i], now);
      // Identical to one held (and not being removed), or to one added just before: reuse it.
      const Assignment* same = nullptr;
      std::optional<Assignment> existing;
      for (const auto& g : entry->grants) {
        if (std::find(removed.begin(), removed.end(), g.id) != removed.end()) continue;
        Assignment held = state->ToAssignment(*entry, g);
        if (held.SameGrantAs(candidate)) {
          existing = held;
          break;
        }
      }
      for (const auto& a : added) {
        if (a.SameGrantAs(candidate)) same = &a;
      }
      if (existing) {
        result.push_back(*existing);
      } else if (same != nullptr) {
        result.push_back(*same);
      } else {
        candidate.id = ++next_id;
        added.push_back(candidate);
        result.push_back(candidate);
        set.changes.push_back(AssignmentAdded{candidate});
      }
    }
    if (user_id == state->account().owner_user_id && !OwnerKeepsOwnerRole(*state, removed, added)) {
      return FailedPrecondition(
          "the account owner's last Owner assignment cannot be removed; transfer ownership first");
    }
    return set;
  });
  if (!revision.ok()) return revision.status();
  return result;
}

Status AssignmentService::RemoveMember(const std::string& account_id, const std::string& user_id,
                                       const std::string& actor) {
  if (user_id.empty()) return FieldError("userId", "must not be empty", "REQUIRED_FIELD");
  auto revision = committer_->Commit([&](const Snapshot& snap) -> Result<ChangeSet> {
    const auto state = snap.FindState(account_id);
    if (state == nullptr) return NotFound("account not found");
    const Timestamp now = clock_->Now();
    if (!IsMember(*state, user_id, now)) return NotFound("team member not found");
    if (user_id == state->account().owner_user_id) {
      return FailedPrecondition("the account owner cannot be removed; transfer ownership first");
    }
    ChangeSet set;
    set.type = "member.removed";
    set.account_id = account_id;
    set.actor = actor;
    set.at = now;
    for (const auto& g : state->FindSubject(SubjectType::kUser, user_id)->grants) {
      set.changes.push_back(AssignmentRemoved{account_id, g.id});
    }
    return set;
  });
  return revision.ok() ? Status::Ok() : revision.status();
}

Result<Assignment> AssignmentService::Add(const std::string& account_id, const Subject& subject,
                                          const GrantRequest& grant, const std::string& actor, bool* created) {
  Assignment out;
  *created = false;
  auto revision = committer_->Commit([&](const Snapshot& snap) -> Result<ChangeSet> {
    *created = false;
    const auto state = snap.FindState(account_id);
    if (state == nullptr) return NotFound("account not found");
    if (!IsValidId(subject.id)) return FieldError("subject.id", "must be 1 to 128 printable ASCII characters");
    if (subject.type == SubjectType::kUser && snap.users().Find(subject.id) == nullptr) {
      return NotFound("user \"" + subject.id + "\" not found (create it with PUT /v1/users/{userId})");
    }
    const Timestamp now = clock_->Now();
    GH_RETURN_IF_ERROR(ValidateGrant(snap, *state, grant, now, "assignment"));
    Assignment candidate = MakeAssignment(snap.max_assignment_id() + 1, account_id, subject, grant, now);
    ChangeSet set;
    if (const auto* entry = state->FindSubject(subject.type, subject.id)) {
      for (const auto& g : entry->grants) {
        Assignment held = state->ToAssignment(*entry, g);
        if (held.SameGrantAs(candidate)) {
          out = held;
          return set;  // no change: the identical assignment is returned
        }
      }
    }
    out = candidate;
    *created = true;
    set.type = "assignments.updated";
    set.account_id = account_id;
    set.actor = actor;
    set.at = now;
    set.changes.push_back(AssignmentAdded{candidate});
    return set;
  });
  if (!revision.ok()) return revision.status();
  return out;
}

Status AssignmentService::Delete(const std::string& account_id, std::uint64_t assignment_id, const std::string& actor) {
  auto revision = committer_->Commit([&](const Snapshot& snap) -> Result<ChangeSet> {
    const auto state = snap.FindState(account_id);
    if (state == nullptr) return NotFound("account not found");
    auto existing = state->FindAssignment(assignment_id);
    if (!existing) return NotFound("assignment not found");
    if (existing->subject.type == SubjectType::kUser && existing->subject.id == state->account().owner_user_id &&
        !OwnerKeepsOwnerRole(*state, {assignment_id}, {})) {
      return FailedPrecondition(
          "the account owner's last Owner assignment cannot be removed; transfer ownership first");
    }
    ChangeSet set;
    set.type = "assignments.updated";
    set.account_id = account_id;
    set.actor = actor;
    set.at = clock_->Now();
    set.changes.push_back(AssignmentRemoved{account_id, assignment_id});
    return set;
  });
  return revision.ok() ? Status::Ok() : revision.status();
}

}  // namespace gatehouse
