#include "engine/account_state.h"

#include <algorithm>

namespace gatehouse {

AccountState::AccountState(Account account) : account_(std::move(account)) {
  AssetNode root;
  root.id = account_.id;
  root.type = std::string(kAccountAssetType);
  root.name = account_.name;
  nodes_.push_back(std::move(root));
  links_.push_back(NodeLink{});
  node_index_.Insert(account_.id, kRootNode);
}

void AccountState::ShrinkToFit() {
  for (auto& index : subject_index_) index.ShrinkToFit();
  node_index_.ShrinkToFit();
  subjects_.shrink_to_fit();
  for (auto& s : subjects_) s.grants.shrink_to_fit();
  links_.shrink_to_fit();
  nodes_.shrink_to_fit();
  for (auto& n : nodes_) n.children.shrink_to_fit();
  multi_scopes_.shrink_to_fit();
  role_slots_.shrink_to_fit();
  actors_.shrink_to_fit();
  invites_.shrink_to_fit();
  api_keys_.shrink_to_fit();
  custom_roles_.shrink_to_fit();
}

std::uint32_t AccountState::FindAsset(std::string_view id) const {
  const std::uint32_t n = node_index_.Find(id, [&](std::uint32_t i) -> std::string_view { return nodes_[i].id; });
  if (n == FlatIdIndex::kNotFound || !nodes_[n].live) return kNoNode;
  return n;
}

bool AccountState::Covers(const Grant& g, std::uint32_t node) const {
  switch (g.kind) {
    case Restriction::Kind::kAccount:
      return true;
    case Restriction::Kind::kSite:
    case Restriction::Kind::kFolders:
      if (!g.multi_scope) return IsWithin(node, g.scope);
      for (std::uint32_t scope : multi_scopes_[g.scope]) {
        if (IsWithin(node, scope)) return true;
      }
      return false;
  }
  return false;
}

std::vector<std::uint32_t> AccountState::ScopesOf(const Grant& g) const {
  if (g.kind == Restriction::Kind::kAccount) return {};
  if (g.multi_scope) return multi_scopes_[g.scope];
  return {g.scope};
}

std::vector<std::uint32_t> AccountState::DistinctScopesOf(const Grant& g) const {
  if (g.kind == Restriction::Kind::kAccount) return {kRootNode};
  std::vector<std::uint32_t> scopes = ScopesOf(g);
  std::sort(scopes.begin(), scopes.end());
  scopes.erase(std::unique(scopes.begin(), scopes.end()), scopes.end());
  return scopes;
}

const AccountState::SubjectEntry* AccountState::FindSubject(SubjectType type, std::string_view id) const {
  const std::uint32_t i = subject_index_[static_cast<int>(type)].Find(
      id, [&](std::uint32_t s) -> std::string_view { return subjects_[s].id; });
  return i == FlatIdIndex::kNotFound ? nullptr : &subjects_[i];
}

Assignment AccountState::ToAssignment(const SubjectEntry& s, const Grant& g) const {
  Assignment a;
  a.id = g.id;
  a.account_id = account_.id;
  a.subject = Subject{s.id, s.type};
  a.role_id = role_slots_[g.role_slot];
  a.restriction.kind = g.kind;
  for (std::uint32_t n : ScopesOf(g)) a.restriction.asset_ids.push_back(nodes_[n].id);
  if (g.not_before != kNoStart) a.not_before = g.not_before;
  if (g.expires_at != kNoEnd) a.expires_at = g.expires_at;
  a.created_at = g.created_at;
  return a;
}

std::optional<Assignment> AccountState::FindAssignment(std::uint64_t id) const {
  for (const auto& s : subjects_) {
    for (const auto& g : s.grants) {
      if (g.id == id) return ToAssignment(s, g);
    }
  }
  return std::nullopt;
}

std::size_t AccountState::CountGrantsRestrictedTo(std::uint32_t node) const {
  std::size_t n = 0;
  for (const auto& s : subjects_) {
    for (const auto& g : s.grants) {
      if (g.kind == Restriction::Kind::kAccount) continue;
      if (g.multi_scope) {
        const auto& scopes = multi_scopes_[g.scope];
        n += std::count(scopes.begin(), scopes.end(), node) > 0 ? 1 : 0;
      } else if (g.scope == node) {
        ++n;
      }
    }
  }
  return n;
}

std::size_t AccountState::CountGrantsWithRole(std::string_view role_id) const {
  std::size_t n = 0;
  for (const auto& s : subjects_) {
    for (const auto& g : s.grants) n += role_slots_[g.role_slot] == role_id ? 1 : 0;
  }
  return n;
}

const Invite* AccountState::FindInvite(std::string_view id) const {
  for (const auto& i : invites_) {
    if (i.id == id) return &i;
  }
  return nullptr;
}

const ApiKey* AccountState::FindApiKey(std::string_view id) const {
  for (const auto& k : api_keys_) {
    if (k.id == id) return &k;
  }
  return nullptr;
}

Timestamp AccountState::JoinedAt(const SubjectEntry& s) {
  if (s.grants.empty()) return 0;
  // A creation time of 0 is a time like any other (the epoch), not "unset".
  Timestamp first = s.grants.front().created_at;
  for (const auto& g : s.grants) first = std::min(first, g.created_at);
  return first;
}

bool AccountState::HasActiveGrant(const SubjectEntry& s, Timestamp now) {
  for (const auto& g : s.grants) {
    if (g.ActiveAt(now)) return true;
  }
  return false;
}

void AccountState::ApplyInvitePut(const Invite& invite) {
  for (auto& i : invites_) {
    if (i.id == invite.id) {
      i = invite;
      return;
    }
  }
  invites_.push_back(invite);
}

const RoleDefinition* AccountState::FindCustomRole(std::string_view id) const {
  for (const auto& r : custom_roles_) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

void AccountState::ApplyRolePut(const RoleDefinition& role) {
  for (auto& r : custom_roles_) {
    if (r.id == role.id) {
      r = role;
      return;
    }
  }
  custom_roles_.push_back(role);
}

void AccountState::ApplyRoleDeleted(std::string_view role_id) {
  custom_roles_.erase(std::remove_if(custom_roles_.begin(), custom_roles_.end(),
                                     [&](const RoleDefinition& r) { return r.id == role_id; }),
                      custom_roles_.end());
}

void AccountState::ApplyApiKeyCreated(const ApiKey& key) { api_keys_.push_back(key); }

void AccountState::ApplyApiKeyRevoked(std::string_view key_id) {
  api_keys_.erase(std::remove_if(api_keys_.begin(), api_keys_.end(), [&](const ApiKey& k) { return k.id == key_id; }),
                  api_keys_.end());
}

void AccountState::SetDepths(std::uint32_t node) {
  std::vector<std::uint32_t> stack{node};
  while (!stack.empty()) {
    const std::uint32_t n = stack.back();
    stack.pop_back();
    const std::uint32_t parent = nodes_[n].parent;
    nodes_[n].depth = parent == kNoNode ? 0 : nodes_[parent].depth + 1;
    links_[n] = NodeLink{parent, nodes_[n].depth};
    for (std::uint32_t c : nodes_[n].children) stack.push_back(c);
  }
}

void AccountState::ApplyAssetPut(const Asset& asset) {
  const std::uint32_t parent = asset.parent_id.empty() ? kRootNode : FindAsset(asset.parent_id);
  std::uint32_t index = node_index_.Find(asset.id, [&](std::uint32_t i) -> std::string_view { return nodes_[i].id; });
  if (index == FlatIdIndex::kNotFound) {
    index = static_cast<std::uint32_t>(nodes_.size());
    nodes_.emplace_back();
    links_.emplace_back();
    node_index_.Insert(asset.id, index);
  } else {
    auto& node = nodes_[index];
    if (node.parent != kNoNode) {
      auto& siblings = nodes_[node.parent].children;
      siblings.erase(std::remove(siblings.begin(), siblings.end(), index), siblings.end());
    }
  }
  auto& node = nodes_[index];
  if (!node.live && !node.id.empty()) team_index_.RequireRebuild();  // a deleted asset comes back
  node.id = asset.id;
  node.type = asset.type;
  node.name = asset.name;
  node.live = true;
  node.parent = parent == kNoNode ? kRootNode : parent;
  nodes_[node.parent].children.push_back(index);
  SetDepths(index);
}

void AccountState::ApplyAssetDeleted(std::string_view asset_id) {
  const std::uint32_t index = FindAsset(asset_id);
  if (index == kNoNode || index == kRootNode) return;
  auto& node = nodes_[index];
  node.live = false;
  team_index_.RequireRebuild();  // rows list only live scopes
  auto& siblings = nodes_[node.parent].children;
  siblings.erase(std::remove(siblings.begin(), siblings.end(), index), siblings.end());
  // Children (validated to be none) would be re-parented to the root.
  for (std::uint32_t c : node.children) {
    nodes_[c].parent = kRootNode;
    nodes_[kRootNode].children.push_back(c);
    SetDepths(c);
  }
  node.children.clear();
}

std::uint16_t AccountState::SlotForRole(const std::string& role_id) {
  for (std::size_t i = 0; i < role_slots_.size(); ++i) {
    if (role_slots_[i] == role_id) return static_cast<std::uint16_t>(i);
  }
  role_slots_.push_back(role_id);
  return static_cast<std::uint16_t>(role_slots_.size() - 1);
}

void AccountState::ApplyAssignmentAdded(const Assignment& a, std::uint64_t revision, std::string_view actor) {
  auto& index = subject_index_[static_cast<int>(a.subject.type)];
  std::uint32_t si = index.Find(a.subject.id, [&](std::uint32_t s) -> std::string_view { return subjects_[s].id; });
  if (si == FlatIdIndex::kNotFound) {
    si = static_cast<std::uint32_t>(subjects_.size());
    subjects_.push_back(SubjectEntry{a.subject.id, a.subject.type, {}});
    index.Insert(a.subject.id, si);
  }
  Grant g;
  g.id = a.id;
  g.not_before = a.not_before.value_or(kNoStart);
  g.expires_at = a.expires_at.value_or(kNoEnd);
  g.created_at = a.created_at;
  g.granted_revision = revision;
  if (!actor.empty()) {
    // Few distinct actors per account: a linear search from the newest is cheap.
    auto it = std::find(actors_.rbegin(), actors_.rend(), actor);
    if (it != actors_.rend()) {
      g.granted_by = static_cast<std::uint32_t>(actors_.rend() - it - 1);
    } else {
      g.granted_by = static_cast<std::uint32_t>(actors_.size());
      actors_.emplace_back(actor);
    }
  }
  g.role_slot = SlotForRole(a.role_id);
  g.kind = a.restriction.kind;
  if (a.restriction.kind != Restriction::Kind::kAccount) {
    std::vector<std::uint32_t> scopes;
    for (const auto& id : a.restriction.asset_ids) {
      const std::uint32_t n = FindAsset(id);
      if (n != kNoNode) scopes.push_back(n);
    }
    if (scopes.size() == 1) {
      g.scope = scopes.front();
    } else {
      // Zero resolvable scopes cannot pass validation; keep it covering nothing.
      g.multi_scope = true;
      g.scope = static_cast<std::uint32_t>(multi_scopes_.size());
      multi_scopes_.push_back(std::move(scopes));
    }
  }
  subjects_[si].grants.push_back(g);
  team_index_.Touch(si);
  ++grant_count_;
}

void AccountState::ApplyAssignmentRemoved(std::uint64_t assignment_id) {
  for (std::size_t si = 0; si < subjects_.size(); ++si) {
    auto& s = subjects_[si];
    auto it = std::find_if(s.grants.begin(), s.grants.end(), [&](const Grant& g) { return g.id == assignment_id; });
    if (it != s.grants.end()) {
      s.grants.erase(it);
      team_index_.Touch(static_cast<std::uint32_t>(si));
      --grant_count_;
      return;
    }
  }
}

}  // namespace gatehouse

namespace gatehouse {

Result<std::unique_ptr<AccountState>> AccountState::Restore(Image image) {
  const std::string where = "account \"" + image.account.id + "\": ";
  const auto node_count = static_cast<std::uint32_t>(image.nodes.size());
  if (node_count == 0 || image.nodes[kRootNode].id != image.account.id || image.nodes[kRootNode].parent != kNoNode) {
    return Internal(where + "node 0 is not the account itself");
  }
  if (image.actors.empty() || !image.actors[0].empty()) return Internal(where + "actor 0 is not the unknown actor");
  // Parent links: in range, acyclic, and along live nodes strictly shallower upwards (the
  // decision path's IsWithin walks them and relies on that to stop).
  std::vector<std::uint8_t> seen(node_count, 0);  // 0 unvisited, 1 on the current path, 2 checked
  for (std::uint32_t start = 0; start < node_count; ++start) {
    std::vector<std::uint32_t> path;
    std::uint32_t n = start;
    while (n != kNoNode && seen[n] == 0) {
      seen[n] = 1;
      path.push_back(n);
      const AssetNode& node = image.nodes[n];
      if (node.parent != kNoNode && node.parent >= node_count) {
        return Internal(where + "asset \"" + node.id + "\" has a parent out of range");
      }
      n = node.parent;
    }
    if (n != kNoNode && seen[n] == 1) return Internal(where + "the asset tree has a cycle");
    for (std::uint32_t p : path) seen[p] = 2;
  }
  for (std::uint32_t n = 1; n < node_count; ++n) {
    const AssetNode& node = image.nodes[n];
    if (!node.live) continue;
    if (node.parent == kNoNode || !image.nodes[node.parent].live || image.nodes[node.parent].depth >= node.depth) {
      return Internal(where + "asset \"" + node.id + "\" is not below a live parent");
    }
    for (std::uint32_t c : node.children) {
      if (c >= node_count) return Internal(where + "asset \"" + node.id + "\" has a child out of range");
    }
  }
  for (std::uint32_t c : image.nodes[kRootNode].children) {
    if (c >= node_count) return Internal(where + "the account has a child out of range");
  }
  for (const auto& scopes : image.multi_scopes) {
    for (std::uint32_t s : scopes) {
      if (s >= node_count) return Internal(where + "a folder restriction names an asset out of range");
    }
  }
  std::size_t grants = 0;
  for (const auto& subject : image.subjects) {
    for (const Grant& g : subject.grants) {
      ++grants;
      const std::string what = where + "assignment " + std::to_string(g.id) + " ";
      if (g.role_slot >= image.role_slots.size()) return Internal(what + "has a role slot out of range");
      if (g.granted_by >= image.actors.size()) return Internal(what + "has an actor out of range");
      if (g.kind != Restriction::Kind::kAccount) {
        const std::size_t limit = g.multi_scope ? image.multi_scopes.size() : image.nodes.size();
        if (g.scope >= limit) return Internal(what + "has a scope out of range");
      }
    }
  }

  auto state = std::make_unique<AccountState>(image.account);
  state->nodes_ = std::move(image.nodes);
  state->links_.resize(state->nodes_.size());
  std::vector<std::uint32_t> positions(node_count);
  for (std::uint32_t n = 0; n < node_count; ++n) {
    positions[n] = n;
    state->links_[n] = NodeLink{state->nodes_[n].parent, state->nodes_[n].depth};
  }
  if (!state->node_index_.Rebuild(positions,
                                  [&](std::uint32_t i) -> std::string_view { return state->nodes_[i].id; })) {
    return Internal(where + "two assets share an id");
  }
  state->subjects_ = std::move(image.subjects);
  for (int type = 0; type < kSubjectTypeCount; ++type) {
    positions.clear();
    for (std::uint32_t s = 0; s < state->subjects_.size(); ++s) {
      if (static_cast<int>(state->subjects_[s].type) == type) positions.push_back(s);
    }
    if (!state->subject_index_[type].Rebuild(
            positions, [&](std::uint32_t i) -> std::string_view { return state->subjects_[i].id; })) {
      return Internal(where + "two subjects of one type share an id");
    }
  }
  state->multi_scopes_ = std::move(image.multi_scopes);
  state->role_slots_ = std::move(image.role_slots);
  state->actors_ = std::move(image.actors);
  state->grant_count_ = grants;
  state->invites_ = std::move(image.invites);
  state->api_keys_ = std::move(image.api_keys);
  state->custom_roles_ = std::move(image.custom_roles);
  return state;
}

}  // namespace gatehouse
