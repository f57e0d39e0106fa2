// AccountState: everything one account holds — its asset tree, its assignments and its
// team (subjects) — in the compact, indexed form the decision path reads.
//
// Layout: assets are nodes in a vector (node 0 is the account itself) with parent links
// and depths (mirrored into a packed links_ vector for the decision path), found by id
// through a FlatIdIndex; subjects are interned per subject type (a FlatIdIndex each) and
// each keeps its own small vector of Grants (one per assignment). Role ids are interned
// into per-account "role slots" so a Grant is 56 bytes and a policy reload only has to
// rebind the slot table (RoleBinding), never touch the grants.
//
// Mutation: an AccountState is copied, changed through the Apply* methods, then frozen as
// shared_ptr<const AccountState> in a new Snapshot. Apply* methods trust their input:
// team/ validated it before it was committed. A published AccountState is never changed.
//
// Derived data (the Search Team index) may be cached on a published AccountState through
// CachedTeamIndex/CacheTeamIndex, and the reverse index of ListSubjects through
// CachedSubjectIndex/CacheSubjectIndex; caches are not copied with the state.
//
// Thread safety: a const AccountState may be read by any number of threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/model.h"
#include "core/status.h"
#include "engine/flat_id_index.h"

namespace gatehouse {

class TeamIndex;
class SubjectIndex;

// A slot for data derived from an immutable object: atomically readable and replaceable
// through a const owner, and empty in every copy (a copy is about to be changed).
template <typename T>
class DerivedCache {
 public:
  DerivedCache() = default;
  DerivedCache(const DerivedCache&) {}
  DerivedCache& operator=(const DerivedCache&) {
    value_.store(nullptr);
    return *this;
  }
  std::shared_ptr<const T> Load() const { return value_.load(std::memory_order_acquire); }
  void Store(std::shared_ptr<const T> value) const { value_.store(std::move(value), std::memory_order_release); }

 private:
  mutable std::atomic<std::shared_ptr<const T>> value_;
};

// The team index's slot, which also remembers where a copy came from: a copy starts with
// no index, but keeps its original's index (or, when the original had none, the
// original's own base) as `base`, and the subjects changed since that base in `touched`,
// so the copy's first Search Team can derive its index from the base instead of building
// it from nothing (TeamIndex::ForAccount). `rebuild` says a change happened that the
// derivation cannot follow (an asset deleted or brought back).
class TeamIndexSlot {
 public:
  TeamIndexSlot() = default;
  TeamIndexSlot(const TeamIndexSlot& other) { InheritFrom(other); }
  TeamIndexSlot& operator=(const TeamIndexSlot& other) {
    if (this != &other) {
      cache_.Store(nullptr);
      InheritFrom(other);
    }
    return *this;
  }
  std::shared_ptr<const TeamIndex> Load() const { return cache_.Load(); }
  void Store(std::shared_ptr<const TeamIndex> index) const { cache_.Store(std::move(index)); }

  const std::shared_ptr<const TeamIndex>& base() const { return base_; }
  const std::vector<std::uint32_t>& touched() const { return touched_; }  // unsorted, may repeat
  bool rebuild() const { return rebuild_; }
  // Past a few thousand changed subjects (many writes, no search between), a rebuild is as
  // cheap as a derivation, and the list stops growing.
  void Touch(std::uint32_t subject) {
    if (rebuild_) return;
    if (touched_.size() >= kMaxTouched) {
      RequireRebuild();
      return;
    }
    touched_.push_back(subject);
  }
  void RequireRebuild() {
    rebuild_ = true;
    touched_.clear();
  }
  static constexpr std::size_t kMaxTouched = 4096;

 private:
  void InheritFrom(const TeamIndexSlot& other) {
    if (auto built = other.cache_.Load()) {
      base_ = std::move(built);
      touched_.clear();
      rebuild_ = false;
    } else {
      base_ = other.base_;
      touched_ = other.touched_;
      rebuild_ = other.rebuild_;
    }
  }

  DerivedCache<TeamIndex> cache_;
  std::shared_ptr<const TeamIndex> base_;
  std::vector<std::uint32_t> touched_;
  bool rebuild_ = false;
};

class AccountState {
 public:
  static constexpr std::uint32_t kNoNode = std::numeric_limits<std::uint32_t>::max();
  static constexpr std::uint32_t kRootNode = 0;
  static constexpr Timestamp kNoStart = std::numeric_limits<Timestamp>::min();
  static constexpr Timestamp kNoEnd = std::numeric_limits<Timestamp>::max();

  struct AssetNode {
    std::string id;
    bool live = true;  // false once deleted (index kept stable); beside id: a lookup reads both
    std::uint32_t parent = kNoNode;
    std::uint32_t depth = 0;
    std::string type;
    std::string name;
    std::vector<std::uint32_t> children;
  };

  // One assignment, compactly. scope: node index (kSite/kFolders with one folder), or an
  // index into multi_scopes_ (kFolders with several folders); unused for kAccount.
  struct Grant {
    std::uint64_t id = 0;
    Timestamp not_before = kNoStart;
    Timestamp expires_at = kNoEnd;
    Timestamp created_at = 0;
    std::uint64_t granted_revision = 0;  // the change-log revision that added it (0: unknown)
    std::uint32_t scope = 0;
    std::uint32_t granted_by = 0;  // index into actors(): who added it
    std::uint16_t role_slot = 0;
    Restriction::Kind kind = Restriction::Kind::kAccount;
    bool multi_scope = false;
    bool ActiveAt(Timestamp now) const { return now >= not_before && now < expires_at; }
  };

  struct SubjectEntry {
    std::string id;
    SubjectType type = SubjectType::kUser;
    std::vector<Grant> grants;
  };

  explicit AccountState(Account account);

  const Account& account() const { return account_; }

  // --- assets ---
  std::uint32_t FindAsset(std::string_view id) const;  // kNoNode when unknown or deleted
  const AssetNode& Node(std::uint32_t i) const { return nodes_[i]; }
  std::size_t NodeCount() const { return nodes_.size(); }
  // True when `node` is `ancestor` or lies below it. Walks links_, the nodes' parent and
  // depth packed 8 bytes apiece, so a small account's tree is one or two cache lines.
  bool IsWithin(std::uint32_t node, std::uint32_t ancestor) const {
    const std::uint32_t target_depth = links_[ancestor].depth;
    while (node != kNoNode && links_[node].depth > target_depth) node = links_[node].parent;
    return node == ancestor;
  }
  // True when the grant's restriction covers `node` (ignores permission level).
  bool Covers(const Grant& g, std::uint32_t node) const;
  // The asset nodes a restricted grant names (empty for account-wide grants).
  std::vector<std::uint32_t> ScopesOf(const Grant& g) const;
  // The grant's scopes as the access review counts them: each named node once (sorted),
  // and the root for an account-wide grant.
  std::vector<std::uint32_t> DistinctScopesOf(const Grant& g) const;

  // --- subjects and grants ---
  const SubjectEntry* FindSubject(SubjectType type, std::string_view id) const;
  const std::vector<SubjectEntry>& subjects() const { return subjects_; }
  std::size_t GrantCount() const { return grant_count_; }
  // Who granted what: actors as the change log names them ("system", "key:<id>", ...),
  // interned; actors()[0] is "" (unknown, e.g. state built by hand in tests).
  const std::string& ActorOf(const Grant& g) const { return actors_[g.granted_by]; }
  // Role id bound to a slot.
  const std::string& RoleOfSlot(std::uint16_t slot) const { return role_slots_[slot]; }
  std::size_t RoleSlotCount() const { return role_slots_.size(); }
  // Full assignment value for a grant (for API responses).
  Assignment ToAssignment(const SubjectEntry& s, const Grant& g) const;
  // Finds an assignment by id.
  std::optional<Assignment> FindAssignment(std::uint64_t id) const;
  // Number of grants whose restriction names the asset (directly).
  std::size_t CountGrantsRestrictedTo(std::uint32_t node) const;
  std::size_t CountGrantsWithRole(std::string_view role_id) const;

  // --- team data ---
  const std::vector<Invite>& invites() const { return invites_; }
  const Invite* FindInvite(std::string_view id) const;
  const std::vector<ApiKey>& api_keys() const { return api_keys_; }
  const std::vector<RoleDefinition>& custom_roles() const { return custom_roles_; }
  const RoleDefinition* FindCustomRole(std::string_view id) const;
  const ApiKey* FindApiKey(std::string_view id) const;
  // When the subject's earliest current assignment was created (0 without assignments).
  static Timestamp JoinedAt(const SubjectEntry& s);
  // Holds an assignment active at `now` (what makes a USER a team member).
  static bool HasActiveGrant(const SubjectEntry& s, Timestamp now);

  // --- derived data (engine/team_index.h) ---
  std::shared_ptr<const TeamIndex> CachedTeamIndex() const { return team_index_.Load(); }
  void CacheTeamIndex(std::shared_ptr<const TeamIndex> index) const { team_index_.Store(std::move(index)); }
  // What this state's team index may be derived from (see TeamIndexSlot).
  const TeamIndexSlot& team_index_lineage() const { return team_index_; }
  std::shared_ptr<const SubjectIndex> CachedSubjectIndex() const { return reverse_index_.Load(); }
  void CacheSubjectIndex(std::shared_ptr<const SubjectIndex> index) const { reverse_index_.Store(std::move(index)); }

  // --- the persisted form (engine/state_image.h) ---
  // Everything a state holds that is not derived from the rest, with the same indices:
  // nodes (node 0 is the account, deleted nodes kept), subjects and their grants, the
  // grants' multi-folder scopes, role slots, actors (actors[0] is ""), invites, keys and
  // API custom roles. Restore rebuilds the id indexes, links and counts, and refuses
  // (kInternal, saying what) an image whose indices point out of range, whose live tree
  // is not a tree, or whose ids repeat — so a corrupt image never becomes a state.
  struct Image {
    Account account;
    std::vector<AssetNode> nodes;
    std::vector<SubjectEntry> subjects;
    std::vector<std::vector<std::uint32_t>> multi_scopes;
    std::vector<std::string> role_slots;
    std::vector<std::string> actors;
    std::vector<Invite> invites;
    std::vector<ApiKey> api_keys;
    std::vector<RoleDefinition> custom_roles;
  };
  static Result<std::unique_ptr<AccountState>> Restore(Image image);
  const std::vector<std::vector<std::uint32_t>>& multi_scopes() const { return multi_scopes_; }
  const std::vector<std::string>& role_slots() const { return role_slots_; }
  const std::vector<std::string>& actors() const { return actors_; }

  // --- mutation (on a private copy only) ---
  // Gives back the spare capacity the Apply* methods' vectors grew; the writer calls it
  // once before publishing (a state is read for a long time and never grows again).
  void ShrinkToFit();
  void ApplyInvitePut(const Invite& invite);
  void ApplyApiKeyCreated(const ApiKey& key);
  void ApplyApiKeyRevoked(std::string_view key_id);
  void ApplyRolePut(const RoleDefinition& role);
  void ApplyRoleDeleted(std::string_view role_id);
  void ApplyAssetPut(const Asset& asset);  // create or replace (parent may change)
  void ApplyAssetDeleted(std::string_view asset_id);
  // `revision` and `actor` record where the grant came from (the access review's
  // grantedRevision / grantedBy); 0 and "" when not known.
  void ApplyAssignmentAdded(const Assignment& a, std::uint64_t revision = 0, std::string_view actor = {});
  void ApplyAssignmentRemoved(std::uint64_t assignment_id);

 private:
  struct NodeLink {
    std::uint32_t parent = kNoNode;
    std::uint32_t depth = 0;
  };

  void SetDepths(std::uint32_t node);
  std::uint16_t SlotForRole(const std::string& role_id);

  // What a check reads comes first, so it shares the object's first two cache lines.
  FlatIdIndex subject_index_[kSubjectTypeCount];
  FlatIdIndex node_index_;  // every node ever created, live or not
  std::vector<SubjectEntry> subjects_;
  std::vector<NodeLink> links_;  // parallel to nodes_: the fields IsWithin reads
  std::vector<AssetNode> nodes_;
  std::vector<std::vector<std::uint32_t>> multi_scopes_;
  Account account_;
  std::vector<std::string> role_slots_;
  std::vector<std::string> actors_{std::string()};
  std::size_t grant_count_ = 0;
  std::vector<Invite> invites_;
  std::vector<ApiKey> api_keys_;
  std::vector<RoleDefinition> custom_roles_;
  TeamIndexSlot team_index_;
  DerivedCache<SubjectIndex> reverse_index_;
};

}  // namespace gatehouse
