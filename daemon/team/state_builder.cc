#include "team/state_builder.h"

#include <variant>

namespace gatehouse {

AccountState* StateBuilder::Mutable(const std::string& account_id) {
  auto it = touched_.find(account_id);
  if (it != touched_.end()) return it->second.get();
  const AccountView* view = base_->FindAccount(account_id);
  if (view == nullptr) return nullptr;
  auto copy = view->MutableCopy();
  auto* raw = copy.get();
  touched_.emplace(account_id, std::move(copy));
  return raw;
}

Status StateBuilder::Apply(const ChangeSet& set, std::uint64_t revision) {
  if (!applied_) max_assignment_id_ = base_->max_assignment_id();
  applied_ = true;
  revision_ = revision;
  for (const auto& change : set.changes) {
    Status st = std::visit(
        [&](const auto& c) -> Status {
          using T = std::decay_t<decltype(c)>;
          if constexpr (std::is_same_v<T, AccountCreated>) {
            auto existing = touched_.find(c.account.id);
            if (existing != touched_.end() || base_->FindAccount(c.account.id) != nullptr) {
              return Internal("revision " + std::to_string(revision) + ": account \"" + c.account.id +
                              "\" created twice");
            }
            touched_.emplace(c.account.id, std::make_unique<AccountState>(c.account));
            return Status::Ok();
          } else if constexpr (std::is_same_v<T, UserPut>) {
            user_edits_.emplace_back(c.user.id, c.user);
            return Status::Ok();
          } else {
            const std::string& account_id = AccountOf(change);
            AccountState* state = Mutable(account_id);
            if (state == nullptr) {
              return Internal("revision " + std::to_string(revision) + ": unknown account \"" + account_id + "\"");
            }
            if constexpr (std::is_same_v<T, AssetPut>) {
              state->ApplyAssetPut(c.asset);
            } else if constexpr (std::is_same_v<T, AssetDeleted>) {
              state->ApplyAssetDeleted(c.asset_id);
            } else if constexpr (std::is_same_v<T, AssignmentAdded>) {
              state->ApplyAssignmentAdded(c.assignment, revision, set.actor);
              if (c.assignment.id > max_assignment_id_) max_assignment_id_ = c.assignment.id;
            } else if constexpr (std::is_same_v<T, AssignmentRemoved>) {
              state->ApplyAssignmentRemoved(c.assignment_id);
            } else if constexpr (std::is_same_v<T, InvitePut>) {
              if (const Invite* old = state->FindInvite(c.invite.id);
                  old != nullptr && old->token_hash != c.invite.token_hash) {
                token_edits_.emplace_back(old->token_hash, std::nullopt);  // a resent invite's old token is unknown
              }
              token_edits_.emplace_back(c.invite.token_hash, c.invite.account_id);
              state->ApplyInvitePut(c.invite);
            } else if constexpr (std::is_same_v<T, ApiKeyCreated>) {
              key_edits_.emplace_back(c.key.key_hash, ApiKeyRef{c.key.account_id, c.key.id, c.key.subject});
              state->ApplyApiKeyCreated(c.key);
            } else if constexpr (std::is_same_v<T, RolePut>) {
              state->ApplyRolePut(c.role);
            } else if constexpr (std::is_same_v<T, RoleDeleted>) {
              state->ApplyRoleDeleted(c.role_id);
            } else if constexpr (std::is_same_v<T, ApiKeyRevoked>) {
              if (const ApiKey* key = state->FindApiKey(c.key_id); key != nullptr) {
                key_edits_.emplace_back(key->key_hash, std::nullopt);
              }
              state->ApplyApiKeyRevoked(c.key_id);
            }
            return Status::Ok();
          }
        },
        change);
    GH_RETURN_IF_ERROR(st);
  }
  return Status::Ok();
}

std::shared_ptr<const Snapshot> StateBuilder::Build() {
  if (!applied_) return base_;
  auto next = base_->Next(revision_);
  next->set_max_assignment_id(max_assignment_id_);
  std::vector<std::shared_ptr<const AccountState>> states;
  states.reserve(touched_.size());
  for (auto& [id, state] : touched_) {
    state->ShrinkToFit();
    states.push_back(std::move(state));
  }
  touched_.clear();
  next->PutAccounts(std::move(states));
  next->mutable_users().Apply(user_edits_);
  next->mutable_api_keys().Apply(key_edits_);
  next->mutable_invite_tokens().Apply(token_edits_);
  user_edits_.clear();
  key_edits_.clear();
  token_edits_.clear();
  applied_ = false;
  base_ = next;
  return next;
}

}  // namespace gatehouse
