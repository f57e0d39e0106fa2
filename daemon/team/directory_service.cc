#include "team/directory_service.h"

#include "core/guid.h"

namespace gatehouse {
namespace {

ChangeSet NewSet(std::string type, std::string account_id, const std::string& actor, Timestamp now) {
  ChangeSet set;
  set.type = std::move(type);
  set.account_id = std::move(account_id);
  set.actor = actor;
  set.at = now;
  return set;
}

}  // namespace

Result<User> DirectoryService::PutUser(const User& user, const std::string& actor, bool* created) {
  if (!IsValidId(user.id)) return FieldError("userId", "must be 1 to 128 printable ASCII characters without spaces");
  if (user.email.empty()) return FieldError("email", "must not be empty", "REQUIRED_FIELD");
  const auto at = user.email.find('@');
  if (at == std::string::npos || at == 0 || at + 1 == user.email.size() || user.email.find(' ') != std::string::npos) {
    return FieldError("email", "\"" + user.email + "\" is not an email address");
  }
  auto revision = committer_->Commit([&](const Snapshot& snap) -> Result<ChangeSet> {
    *created = snap.users().Find(user.id) == nullptr;
    ChangeSet set = NewSet(*created ? "user.created" : "user.updated", "", actor, clock_->Now());
    set.changes.push_back(UserPut{user});
    return set;
  });
  if (!revision.ok()) return revision.status();
  return user;
}

Result<Asset> DirectoryService::PutAsset(const Asset& asset, const std::string& actor, bool* created) {
  if (!IsValidId(asset.id)) return FieldError("assetId", "must be 1 to 128 printable ASCII characters without spaces");
  if (asset.type.empty()) return FieldError("type", "must not be empty", "REQUIRED_FIELD");
  auto revision = committer_->Commit([&](const Snapshot& snap) -> Result<ChangeSet> {
    const AccountView* view = snap.FindAccount(asset.account_id);
    if (view == nullptr) return NotFound("account not found");
    const auto held = view->State();
    const AccountState& state = *held;
    if (asset.id == asset.account_id) return FieldError("assetId", "the account itself is not an editable asset");
    if (asset.type == kAccountAssetType || !snap.policy_set().HasAssetType(asset.type)) {
      std::string known;
      for (const auto& t : snap.policy_set().asset_types()) known += (known.empty() ? "" : ", ") + t.id;
      return FieldError("type", "unknown asset type \"" + asset.type + "\" (declared: " + known + ")");
    }
    const std::uint32_t parent = asset.parent_id.empty() ? AccountState::kRootNode : state.FindAsset(asset.parent_id);
    if (parent == AccountState::kNoNode) return FieldError("parentId", "unknown asset \"" + asset.parent_id + "\"");
    const std::string& parent_type = state.Node(parent).type;
    if (!snap.policy_set().AllowsParent(asset.type, parent_type)) {
      return FieldError("parentId", "a " + asset.type + " may not sit under a " + parent_type);
    }
    const std::uint32_t existing = state.FindAsset(asset.id);
    *created = existing == AccountState::kNoNode;
    if (!*created) {
      if (state.Node(existing).type != asset.type) {
        return FieldError("type", "an asset's type cannot change (it is a " + state.Node(existing).type + ")");
      }
      if (state.IsWithin(parent, existing)) return FieldError("parentId", "an asset cannot move below itself");
    }
    ChangeSet set = NewSet(*created ? "asset.created" : "asset.updated", asset.account_id, actor, clock_->Now());
    set.changes.push_back(AssetPut{asset});
    return set;
  });
  if (!revision.ok()) return revision.status();
  return asset;
}

Status DirectoryService::DeleteAsset(const std::string& account_id, const std::string& asset_id,
                                     const std::string& actor) {
  auto revision = committer_->Commit([&](const Snapshot& snap) -> Result<ChangeSet> {
    const AccountView* view = snap.FindAccount(account_id);
    if (view == nullptr) return NotFound("account not found");
    const auto held = view->State();
    const AccountState& state = *held;
    const std::uint32_t node = state.FindAsset(asset_id);
    if (node == AccountState::kNoNode || node == AccountState::kRootNode) return NotFound("asset not found");
    if (const std::size_t n = state.CountGrantsRestrictedTo(node); n > 0) {
      return FailedPrecondition(std::to_string(n) + " assignment(s) are restricted to asset \"" + asset_id +
                                "\"; remove them first");
    }
    for (const auto& invite : state.invites()) {
      if (invite.EffectiveStatus(clock_->Now()) != InviteStatus::kPending) continue;
      for (const auto& a : invite.assignments) {
        for (const auto& id : a.restriction.asset_ids) {
          if (id == asset_id)
            return FailedPrecondition("pending invite " + invite.id + " refers to asset \"" + asset_id + "\"");
        }
      }
    }
    if (!state.Node(node).children.empty()) {
      return FailedPrecondition("asset \"" + asset_id + "\" has " + std::to_string(state.Node(node).children.size()) +
                                " child asset(s); move or delete them first");
    }
    ChangeSet set = NewSet("asset.deleted", account_id, actor, clock_->Now());
    set.changes.push_back(AssetDeleted{account_id, asset_id});
    return set;
  });
  return revision.ok() ? Status::Ok() : revision.status();
}

Result<DirectoryService::NewKey> DirectoryService::CreateApiKey(const std::string& account_id, const Subject& subject,
                                                                const std::string& description,
                                                                const std::string& actor) {
  if (!IsValidId(subject.id)) return FieldError("subject.id", "must be 1 to 128 printable ASCII characters");
  NewKey out;
  out.secret = secrets_->NewToken("gha_");
  out.key.id = NewGuid();
  out.key.account_id = account_id;
  out.key.subject = subject;
  out.key.description = description;
  out.key.key_hash = secrets_->Hash(out.secret);
  auto revision = committer_->Commit([&](const Snapshot& snap) -> Result<ChangeSet> {
    if (snap.FindAccount(account_id) == nullptr) return NotFound("account not found");
    out.key.created_at = clock_->Now();
    ChangeSet set = NewSet("apikey.created", account_id, actor, out.key.created_at);
    set.changes.push_back(ApiKeyCreated{out.key});
    return set;
  });
  if (!revision.ok()) return revision.status();
  return out;
}

Status DirectoryService::RevokeApiKey(const std::string& account_id, const std::string& key_id,
                                      const std::string& actor) {
  auto revision = committer_->Commit([&](const Snapshot& snap) -> Result<ChangeSet> {
    const AccountView* view = snap.FindAccount(account_id);
    if (view == nullptr || view->State()->FindApiKey(key_id) == nullptr) return NotFound("API key not found");
    ChangeSet set = NewSet("apikey.revoked", account_id, actor, clock_->Now());
    set.changes.push_back(ApiKeyRevoked{account_id, key_id});
    return set;
  });
  return revision.ok() ? Status::Ok() : revision.status();
}

}  // namespace gatehouse
