// PolicySet: the compiled, immutable form of the policy files — the permission catalogue,
// the asset types, and every role with its effective permission set already expanded
// (implies, wildcards, inheritance, DENY). The engine asks it two things on the hot path:
// "which index has permission P" and "does role R grant index I"; both are O(1).
//
// A PolicySet is built by CompilePolicySet (policy_compiler.h) from a PolicySource, which
// policy/ produces from YAML (or tests build by hand). Once built it never changes; a
// reload builds a new one beside it and the daemon swaps the pointer.
//
// Thread safety: immutable after construction; share it as shared_ptr<const PolicySet>.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace gatehouse {

// file:line:column of a declaration, for error messages and explanations.
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;
  std::string ToString() const;  // "file:line:column" (or just "file", or "<api>")
};

enum class Effect : std::uint8_t { kAllow, kDeny };
enum class RestrictFromLevel : std::uint8_t { kNoRestriction, kSite, kAccount };

std::string_view RestrictFromLevelName(RestrictFromLevel l);  // "NoRestriction", ...
std::optional<RestrictFromLevel> ParseRestrictFromLevel(std::string_view s);

// locale → text; "en" is the fallback locale.
using LocalizedText = std::map<std::string, std::string>;
// The text for `locale`, falling back to "en", then to any text.
std::string Localize(const LocalizedText& text, std::string_view locale);

// --- Declarations: what the files (or the API) say, before compilation. ---

struct PermissionDecl {
  std::string id;
  std::string description;
  bool account_level = false;  // `level: Account`
  std::vector<std::string> implies;
  std::vector<SourceLocation> implies_where;  // parallel to implies (may be empty)
  SourceLocation where;
};

struct AssetTypeDecl {
  std::string id;
  std::vector<std::string> parents;
  SourceLocation where;
};

struct StatementDecl {
  Effect effect = Effect::kAllow;
  std::vector<std::string> permissions;           // names or wildcards ("*", "site.*")
  std::vector<SourceLocation> permissions_where;  // parallel (may be empty)
  SourceLocation where;
};

struct RoleDecl {
  std::string id;
  std::string account_id;  // empty: predefined; else a custom role of that account
  LocalizedText title;
  LocalizedText description;
  RestrictFromLevel restrict_from_level = RestrictFromLevel::kNoRestriction;
  std::vector<std::string> editor_types;
  std::vector<std::string> inherits;
  std::vector<SourceLocation> inherits_where;  // parallel (may be empty)
  std::vector<StatementDecl> statements;
  SourceLocation where;
};

struct PolicySource {
  std::vector<PermissionDecl> permissions;
  std::vector<AssetTypeDecl> asset_types;
  std::vector<RoleDecl> roles;
  std::vector<std::string> files;  // every file read, for status reporting
};

// A fixed-size set of permission indices.
class PermissionBits {
 public:
  PermissionBits() = default;
  explicit PermissionBits(std::size_t n) : words_((n + 63) / 64, 0) {}
  bool Test(std::uint32_t i) const {
    const std::size_t w = i >> 6;
    return w < words_.size() && ((words_[w] >> (i & 63)) & 1U) != 0;
  }
  void Set(std::uint32_t i) { words_[i >> 6] |= std::uint64_t{1} << (i & 63); }
  void Reset(std::uint32_t i) { words_[i >> 6] &= ~(std::uint64_t{1} << (i & 63)); }
  void Union(const PermissionBits& o) {
    for (std::size_t i = 0; i < words_.size() && i < o.words_.size(); ++i) words_[i] |= o.words_[i];
  }
  std::size_t Count() const;
  bool operator==(const PermissionBits&) const = default;

 private:
  std::vector<std::uint64_t> words_;
};

struct CompiledPermission {
  std::string id;
  std::string description;
  bool account_level = false;
  std::vector<std::uint32_t> implies;  // direct
  PermissionBits closure;              // itself + everything it implies, transitively
  SourceLocation where;
};

struct CompiledRole {
  RoleDecl decl;
  PermissionBits granted;  // effective set: (ALLOW ∪ inherited) − DENY, implies expanded
};

// Why a role grants (or lacks) a permission — for explanations; slow path.
struct GrantTrace {
  bool granted = false;
  std::vector<std::string> chain;            // role ids from the assigned role to the one whose
                                             // statement decided; e.g. [website-manager, designer]
  const StatementDecl* statement = nullptr;  // the deciding ALLOW or DENY statement
  std::string matched_pattern;               // the statement entry that matched
};

class PolicySet {
 public:
  PolicySet() = default;
  PolicySet(const PolicySet&) = delete;
  PolicySet& operator=(const PolicySet&) = delete;

  std::optional<std::uint32_t> PermissionIndex(std::string_view id) const;
  const CompiledPermission& Permission(std::uint32_t index) const { return permissions_[index]; }
  std::size_t PermissionCount() const { return permissions_.size(); }

  // Predefined role by id, or a custom role from the files of `account_id`.
  const CompiledRole* FindRole(std::string_view id, std::string_view account_id = {}) const;
  const std::vector<CompiledRole>& predefined_roles() const { return predefined_; }
  // Custom roles declared in files under accounts/<account_id>/.
  std::vector<const CompiledRole*> FileCustomRoles(std::string_view account_id) const;

  bool HasAssetType(std::string_view type) const;
  // May an asset of `type` sit directly under an asset of `parent_type`?
  bool AllowsParent(std::string_view type, std::string_view parent_type) const;
  const std::vector<AssetTypeDecl>& asset_types() const { return asset_types_; }

  // Finds a role by id for Trace: an account's view adds the roles made over the API.
  using RoleLookup = std::function<const CompiledRole*(std::string_view id)>;

  // Explains how `role` comes to grant or lack `permission` (slow path). Inherited roles
  // are found through `lookup` when given, else among this set's roles (predefined, and
  // the custom roles of the role's account).
  GrantTrace Trace(const CompiledRole& role, std::uint32_t permission, const RoleLookup& lookup = nullptr) const;

  // Every permission id, sorted; for did-you-mean and docs.
  std::vector<std::string> PermissionIds() const;

  const std::vector<std::string>& files() const { return files_; }
  std::uint64_t generation() const { return generation_; }

 private:
  friend class PolicyCompiler;

  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  template <typename V>
  using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

  bool TraceInto(const CompiledRole& role, std::uint32_t permission, const RoleLookup& lookup, GrantTrace* out,
                 int depth) const;

  std::vector<CompiledPermission> permissions_;
  StringMap<std::uint32_t> permission_index_;
  std::vector<CompiledRole> predefined_;
  StringMap<std::size_t> predefined_index_;
  std::vector<CompiledRole> custom_;                // from accounts/<id>/ files
  StringMap<StringMap<std::size_t>> custom_index_;  // account → role id → index
  std::vector<AssetTypeDecl> asset_types_;
  StringMap<std::size_t> asset_type_index_;
  std::vector<std::string> files_;
  std::uint64_t generation_ = 0;
};

}  // namespace gatehouse
