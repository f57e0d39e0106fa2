#include "team/invite_service.h"

#include <algorithm>
#include <cctype>

#include "core/guid.h"

namespace gatehouse {
namespace {

bool ValidEmail(std::string_view e) {
  const auto at = e.find('@');
  return at != std::string_view::npos && at > 0 && at + 1 < e.size() && e.find('@', at + 1) == std::string_view::npos &&
         e.find(' ') == std::string_view::npos && e.find('.', at) != std::string_view::npos && e.size() <= 254;
}

ChangeSet NewSet(std::string type, std::string account_id, std::string actor, Timestamp now) {
  ChangeSet set;
  set.type = std::move(type);
  set.account_id = std::move(account_id);
  set.actor = std::move(actor);
  set.at = now;
  return set;
}

// Is a user with this email an active member of the account?
bool EmailIsMember(const Snapshot& snap, const AccountState& state, std::string_view email, Timestamp now) {
  for (const auto& s : state.subjects()) {
    if (s.type != SubjectType::kUser || !AccountState::HasActiveGrant(s, now)) continue;
    const User* u = snap.users().Find(s.id);
    if (u != nullptr && SameEmail(u->email, email)) return true;
  }
  return false;
}

// A Pending or Expired invite of the account (what revoke and resend act on).
Result<Invite> OpenInvite(const Snapshot& snap, const std::string& account_id, const std::string& invite_id,
                          Timestamp now, const char* verb) {
  const auto state = snap.FindState(account_id);
  const Invite* inv = state == nullptr ? nullptr : state->FindInvite(invite_id);
  if (inv == nullptr) return NotFound("invite not found");
  const InviteStatus status = inv->EffectiveStatus(now);
  if (status != InviteStatus::kPending && status != InviteStatus::kExpired) {
    return FailedPrecondition("invite is " + std::string(InviteStatusName(status)) + " and cannot be " + verb);
  }
  return *inv;
}

}  // namespace

bool SameEmail(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

Result<InviteCreateResult> InviteService::Create(const std::string& account_id, const std::vector<InviteEntry>& entries,
                                                 const std::string& actor, const std::string& inviter_id) {
  if (entries.empty() || entries.size() > 50) {
    return FieldError("subjectsAssignments", "must hold 1 to 50 entries, got " + std::to_string(entries.size()),
                      entries.empty() ? "REQUIRED_FIELD" : "MAX_SIZE");
  }
  InviteCreateResult result;
  // Tokens are drawn outside the commit (a retry re-validates but keeps them).
  std::vector<std::string> tokens;
  for (std::size_t i = 0; i < entries.size(); ++i) tokens.push_back(secrets_->NewToken("inv_"));
  if (vault_ != nullptr) {  // before the commit: the event may be delivered before Commit returns
    const Timestamp now = clock_->Now();
    for (const auto& t : tokens) vault_->Put(secrets_->Hash(t), t, now + ttl_ms_, now);
  }
  auto revision = committer_->Commit([&](const Snapshot& snap) -> Result<ChangeSet> {
    result = InviteCreateResult{};
    const auto held = snap.FindState(account_id);
    if (held == nullptr) return NotFound("account not found");
    const AccountState& state = *held;
    const Timestamp now = clock_->Now();
    ChangeSet set = NewSet("invite.created", account_id, actor, now);
    std::vector<std::string> taken;  // emails invited earlier in this same request
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const InviteEntry& e = entries[i];
      auto fail = [&](std::string why) { result.failed.emplace_back(e.email, std::move(why)); };
      if (!ValidEmail(e.email)) {
        fail("invalid email address");
        continue;
      }
      if (EmailIsMember(snap, state, e.email, now)) {
        fail("already a team member");
        continue;
      }
      const bool pending = std::any_of(state.invites().begin(), state.invites().end(), [&](const Invite& inv) {
        return SameEmail(inv.email, e.email) && inv.EffectiveStatus(now) == InviteStatus::kPending;
      });
      if (pending ||
          std::any_of(taken.begin(), taken.end(), [&](const std::string& t) { return SameEmail(t, e.email); })) {
        fail("a pending invite for this email already exists");
        continue;
      }
      Status invalid;
      for (std::size_t k = 0; k < e.grants.size() && invalid.ok(); ++k) {
        invalid = ValidateGrant(snap, state, e.grants[k], now, "assignments[" + std::to_string(k) + "]");
      }
      if (!invalid.ok()) {
        fail(invalid.message());
        continue;
      }
      if (e.grants.empty()) {
        fail("no role to invite to");
        continue;
      }
      InviteWithToken created;
      Invite& inv = created.invite;
      inv.id = NewGuid();
      inv.account_id = account_id;
      inv.email = e.email;
      inv.token_hash = secrets_->Hash(tokens[i]);
      for (const auto& g : e.grants) inv.assignments.push_back({g.role_id, g.restriction});
      inv.inviter = actor;
      inv.inviter_id = inviter_id;
      inv.created_at = inv.updated_at = now;
      inv.expires_at = now + ttl_ms_;
      created.token = tokens[i];
      set.changes.push_back(InvitePut{inv});
      taken.push_back(e.email);
      result.created.push_back(std::move(created));
    }
    return set;
  });
  if (!revision.ok()) return revision.status();
  return result;
}

Result<Invite> InviteService::Revoke(const std::string& account_id, const std::string& invite_id,
                                     const std::string& actor) {
  Invite out;
  auto revision = committer_->Commit([&](const Snapshot& snap) -> Result<ChangeSet> {
    const Timestamp now = clock_->Now();
    auto inv = OpenInvite(snap, account_id, invite_id, now, "revoked");
    if (!inv.ok()) return inv.status();
    out = *inv;
    out.status = InviteStatus::kDeleted;
    out.updated_at = now;
    ChangeSet set = NewSet("invite.revoked", account_id, actor, now);
    set.changes.push_back(InvitePut{out});
    return set;
  });
  if (!revision.ok()) return revision.status();
  return out;
}

Result<InviteWithToken> InviteService::Resend(const std::string& account_id, const std::string& invite_id,
                                              const std::string& actor) {
  InviteWithToken out;
  out.token = secrets_->NewToken("inv_");
  if (vault_ != nullptr) {
    const Timestamp now = clock_->Now();
    vault_->Put(secrets_->Hash(out.token), out.token, now + ttl_ms_, now);
  }
  auto revision = committer_->Commit([&](const Snapshot& snap) -> Result<ChangeSet> {
    const Timestamp now = clock_->Now();
    auto inv = OpenInvite(snap, account_id, invite_id, now, "resent");
    if (!inv.ok()) return inv.status();
    out.invite = *inv;
    out.invite.status = InviteStatus::kPending;
    out.invite.token_hash = secrets_->Hash(out.token);
    out.invite.updated_at = now;
    out.invite.expires_at = now + ttl_ms_;
    ChangeSet set = NewSet("invite.resent", account_id, actor, now);
    set.changes.push_back(InvitePut{out.invite});
    return set;
  });
  if (!revision.ok()) return revision.status();
  return out;
}

Result<Invite> InviteService::Usable(const Snapshot& snap, const std::string& token, Timestamp now) const {
  if (token.empty()) return FieldError("token", "must not be empty", "REQUIRED_FIELD");
  const std::string hash = secrets_->Hash(token);
  const std::string* account_id = snap.invite_tokens().Find(hash);
  const auto state = account_id == nullptr ? nullptr : snap.FindState(*account_id);
  if (state == nullptr) return NotFound("invite not found");
  for (const auto& inv : state->invites()) {
    if (inv.token_hash != hash) continue;
    const InviteStatus status = inv.EffectiveStatus(now);
    if (status == InviteStatus::kExpired) {
      return FailedPrecondition("invite expired at " + FormatRfc3339(inv.expires_at));
    }
    if (status != InviteStatus::kPending) {
      return FailedPrecondition("invite is " + std::string(InviteStatusName(status)) + ", not Pending");
    }
    return inv;
  }
  return NotFound("invite not found");
}

Result<InviteService::Accepted> InviteService::Accept(const std::string& token, const std::string& user_id) {
  if (user_id.empty()) return FieldError("userId", "must not be empty", "REQUIRED_FIELD");
  Accepted out;
  auto revision = committer_->Commit([&](const Snapshot& snap) -> Result<ChangeSet> {
    out = Accepted{};
    const Timestamp now = clock_->Now();
    auto inv = Usable(snap, token, now);
    if (!inv.ok()) return inv.status();
    if (snap.users().Find(user_id) == nullptr) {
      return NotFound("user \"" + user_id + "\" not found (create it with PUT /v1/users/{userId})");
    }
    const auto account_state = snap.FindState(inv->account_id);
    const AccountState& state = *account_state;
    ChangeSet set = NewSet("invite.accepted", inv->account_id, "user:" + user_id, now);
    std::uint64_t next_id = snap.max_assignment_id();
    const auto* entry = state.FindSubject(SubjectType::kUser, user_id);
    for (const auto& a : inv->assignments) {
      Assignment assignment;
      assignment.account_id = inv->account_id;
      assignment.subject = Subject{user_id, SubjectType::kUser};
      assignment.role_id = a.role_id;
      assignment.restriction = a.restriction;
      assignment.created_at = now;
      bool held = false;
      if (entry != nullptr) {
        for (const auto& g : entry->grants) held = held || state.ToAssignment(*entry, g).SameGrantAs(assignment);
      }
      if (held) continue;
      // The invite was valid when made; an asset deleted since would make it ungrantable.
      GH_RETURN_IF_ERROR(ValidateGrant(snap, state, GrantRequest{a.role_id, a.restriction, {}, {}}, now, "invite"));
      assignment.id = ++next_id;
      set.changes.push_back(AssignmentAdded{assignment});
      out.assignments.push_back(assignment);
    }
    out.invite = *inv;
    out.invite.status = InviteStatus::kUsed;
    out.invite.accepted_by = user_id;
    out.invite.updated_at = now;
    set.changes.push_back(InvitePut{out.invite});
    return set;
  });
  if (!revision.ok()) return revision.status();
  return out;
}

Result<Invite> InviteService::Decline(const std::string& token) {
  Invite out;
  auto revision = committer_->Commit([&](const Snapshot& snap) -> Result<ChangeSet> {
    const Timestamp now = clock_->Now();
    auto inv = Usable(snap, token, now);
    if (!inv.ok()) return inv.status();
    out = *inv;
    out.status = InviteStatus::kDeclined;
    out.updated_at = now;
    ChangeSet set = NewSet("invite.declined", out.account_id, "invitee", now);
    set.changes.push_back(InvitePut{out});
    return set;
  });
  if (!revision.ok()) return revision.status();
  return out;
}

}  // namespace gatehouse
