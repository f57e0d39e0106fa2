#include "engine/policy_compiler.h"

#include <algorithm>
#include <set>

namespace gatehouse {

std::string PolicyError::ToString() const { return where.ToString() + ": " + message; }

namespace {

std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

bool IsWildcard(std::string_view p) { return p == "*" || (p.size() >= 2 && p.substr(p.size() - 2) == ".*"); }

bool Matches(std::string_view pattern, std::string_view id) {
  if (pattern == "*") return true;
  if (IsWildcard(pattern)) {
    auto prefix = pattern.substr(0, pattern.size() - 1);
    return id.substr(0, prefix.size()) == prefix;
  }
  return pattern == id;
}

const SourceLocation& At(const std::vector<SourceLocation>& where, std::size_t i, const SourceLocation& fallback) {
  return i < where.size() ? where[i] : fallback;
}

}  // namespace

std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    const std::size_t d = EditDistance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates) {
  std::string m = ClosestMatch(word, candidates);
  return m.empty() ? std::string() : " (did you mean \"" + m + "\"?)";
}

// Friend of PolicySet: fills its private indexes.
class PolicyCompiler {
 public:
  explicit PolicyCompiler(std::vector<PolicyError>* errors) : errors_(errors) {}

  void Error(const SourceLocation& where, std::string message) { errors_->push_back({where, std::move(message)}); }

  void CompilePermissions(const PolicySource& src, PolicySet* set) {
    for (const auto& decl : src.permissions) {
      if (decl.id.empty()) {
        Error(decl.where, "permission: id must not be empty");
        continue;
      }
      if (IsWildcard(decl.id) || decl.id.find('*') != std::string::npos) {
        Error(decl.where, "permission \"" + decl.id + "\": an id may not contain '*'");
        continue;
      }
      auto [it, inserted] =
          set->permission_index_.emplace(decl.id, static_cast<std::uint32_t>(set->permissions_.size()));
      if (!inserted) {
        Error(decl.where, "permission \"" + decl.id + "\" is declared twice (first at " +
                              set->permissions_[it->second].where.ToString() + ")");
        continue;
      }
      CompiledPermission p;
      p.id = decl.id;
      p.description = decl.description;
      p.account_level = decl.account_level;
      p.where = decl.where;
      set->permissions_.push_back(std::move(p));
    }
    const auto ids = set->PermissionIds();
    // Resolve implies once every id is known.
    for (const auto& decl : src.permissions) {
      auto self = set->permission_index_.find(decl.id);
      if (self == set->permission_index_.end()) continue;
      auto& perm = set->permissions_[self->second];
      if (perm.where.line != decl.where.line || perm.where.file != decl.where.file) continue;
      for (std::size_t i = 0; i < decl.implies.size(); ++i) {
        const auto& name = decl.implies[i];
        auto target = set->permission_index_.find(name);
        if (target == set->permission_index_.end()) {
          Error(At(decl.implies_where, i, decl.where),
                "permission \"" + decl.id + "\": implies unknown permission \"" + name + "\"" + DidYouMean(name, ids));
          continue;
        }
        perm.implies.push_back(target->second);
      }
    }
    // Transitive closure with cycle detection.
    const std::size_t n = set->permissions_.size();
    std::vector<int> state(n, 0);  // 0 new, 1 on stack, 2 done
    for (auto& p : set->permissions_) p.closure = PermissionBits(n);
    for (std::uint32_t i = 0; i < n; ++i) ClosePermission(set, i, &state);
  }

  void ClosePermission(PolicySet* set, std::uint32_t i, std::vector<int>* state) {
    if ((*state)[i] == 2) return;
    auto& p = set->permissions_[i];
    if ((*state)[i] == 1) {
      Error(p.where, "permission \"" + p.id + "\": `implies` forms a cycle through it");
      return;
    }
    (*state)[i] = 1;
    p.closure.Set(i);
    for (std::uint32_t j : p.implies) {
      if ((*state)[j] == 1) {
        Error(p.where, "permission \"" + p.id + "\": `implies` cycle: \"" + p.id + "\" -> \"" +
                           set->permissions_[j].id + "\" leads back to itself");
        continue;
      }
      ClosePermission(set, j, state);
      p.closure.Union(set->permissions_[j].closure);
    }
    (*state)[i] = 2;
  }

  void CompileAssetTypes(const PolicySource& src, PolicySet* set) {
    for (const auto& decl : src.asset_types) {
      if (decl.id == "account") {
        Error(decl.where, "asset type \"account\" is built in and cannot be declared");
        continue;
      }
      if (decl.id.empty()) {
        Error(decl.where, "asset type: id must not be empty");
        continue;
      }
      auto [it, inserted] = set->asset_type_index_.emplace(decl.id, set->asset_types_.size());
      if (!inserted) {
        Error(decl.where, "asset type \"" + decl.id + "\" is declared twice (first at " +
                              set->asset_types_[it->second].where.ToString() + ")");
        continue;
      }
      set->asset_types_.push_back(decl);
    }
    std::vector<std::string> names{"account"};
    for (const auto& t : set->asset_types_) names.push_back(t.id);
    for (const auto& t : set->asset_types_) {
      if (t.parents.empty()) {
        Error(t.where, "asset type \"" + t.id + "\": `parents` must name at least one type");
      }
      for (const auto& parent : t.parents) {
        if (!set->HasAssetType(parent)) {
          Error(t.where,
                "asset type \"" + t.id + "\": unknown parent type \"" + parent + "\"" + DidYouMean(parent, names));
        }
      }
    }
  }

  // Expands a statement entry; reports unknown names and wildcards that match nothing.
  bool Expand(const PolicySet& set, const std::string& role_id, const std::string& pattern, const SourceLocation& where,
              PermissionBits* into, bool with_implies, const std::vector<std::string>& ids) {
    bool matched = false;
    if (IsWildcard(pattern)) {
      for (std::uint32_t i = 0; i < set.permissions_.size(); ++i) {
        if (!Matches(pattern, set.permissions_[i].id)) continue;
        matched = true;
        if (with_implies) {
          into->Union(set.permissions_[i].closure);
        } else {
          into->Set(i);
        }
      }
      if (!matched) {
        Error(where, "role \"" + role_id + "\": wildcard \"" + pattern + "\" matches no declared permission");
      }
      return matched;
    }
    auto it = set.permission_index_.find(pattern);
    if (it == set.permission_index_.end()) {
      Error(where, "role \"" + role_id + "\": unknown permission \"" + pattern + "\"" + DidYouMean(pattern, ids));
      return false;
    }
    if (with_implies) {
      into->Union(set.permissions_[it->second].closure);
    } else {
      into->Set(it->second);
    }
    return true;
  }

  // Computes role.granted from its statements and already compiled parents.
  void CompileRoleBody(const PolicySet& set, CompiledRole* role, const std::vector<const CompiledRole*>& parents,
                       const std::vector<std::string>& ids) {
    const auto& d = role->decl;
    const std::size_t n = set.permissions_.size();
    PermissionBits allow(n), deny(n);
    for (const auto* parent : parents) allow.Union(parent->granted);
    for (const auto& st : d.statements) {
      if (st.permissions.empty()) {
        Error(st.where, "role \"" + d.id + "\": a statement must list at least one permission");
      }
      for (std::size_t i = 0; i < st.permissions.size(); ++i) {
        const bool is_allow = st.effect == Effect::kAllow;
        Expand(set, d.id, st.permissions[i], At(st.permissions_where, i, st.where), is_allow ? &allow : &deny, is_allow,
               ids);
      }
    }
    for (std::uint32_t i = 0; i < n; ++i) {
      if (deny.Test(i)) allow.Reset(i);
    }
    role->granted = std::move(allow);
    if (d.restrict_from_level == RestrictFromLevel::kAccount) {
      for (std::uint32_t i = 0; i < n; ++i) {
        if (role->granted.Test(i) && set.permissions_[i].account_level) {
          Error(d.where, "role \"" + d.id +
                             "\": restrictFromLevel Account (per-site only) "
                             "but grants permission \"" +
                             set.permissions_[i].id + "\" which is level Account (DENY it or narrow the statements)");
        }
      }
    }
  }

  void CompileRoles(const PolicySource& src, PolicySet* set) {
    const auto ids = set->PermissionIds();
    // Register ids first so inheritance can refer forward.
    std::vector<const RoleDecl*> predefined, custom;
    for (const auto& decl : src.roles) {
      if (decl.id.empty()) {
        Error(decl.where, "role: id must not be empty");
        continue;
      }
      if (decl.account_id.empty()) {
        auto [it, inserted] = set->predefined_index_.emplace(decl.id, set->predefined_.size());
        if (!inserted) {
          Error(decl.where, "role \"" + decl.id + "\" is declared twice (first at " +
                                set->predefined_[it->second].decl.where.ToString() + ")");
          continue;
        }
        set->predefined_.push_back(CompiledRole{decl, {}});
      } else {
        custom.push_back(&decl);
      }
    }
    for (const auto* decl : custom) {
      if (set->predefined_index_.contains(decl->id)) {
        Error(decl->where, "custom role \"" + decl->id + "\" of account \"" + decl->account_id +
                               "\" has the id of a predefined role (" + set->FindRole(decl->id)->decl.where.ToString() +
                               ")");
        continue;
      }
      auto& acct = set->custom_index_[decl->account_id];
      auto [it, inserted] = acct.emplace(decl->id, set->custom_.size());
      if (!inserted) {
        Error(decl->where, "custom role \"" + decl->id + "\" of account \"" + decl->account_id +
                               "\" is declared twice (first at " + set->custom_[it->second].decl.where.ToString() +
                               ")");
        continue;
      }
      set->custom_.push_back(CompiledRole{*decl, {}});
    }
    if (!set->predefined_index_.contains("owner")) {
      Error(SourceLocation{},
            "the reserved role \"owner\" is not declared (every policy set "
            "needs it: account owners hold it account-wide)");
    }
    std::vector<int> state_pre(set->predefined_.size(), 0), state_custom(set->custom_.size(), 0);
    for (auto& role : set->predefined_) Visit(set, &role, &state_pre, &state_custom, ids);
    for (auto& role : set->custom_) Visit(set, &role, &state_pre, &state_custom, ids);
  }

  void Visit(PolicySet* set, CompiledRole* role, std::vector<int>* state_pre, std::vector<int>* state_custom,
             const std::vector<std::string>& ids) {
    const bool is_custom = !role->decl.account_id.empty();
    auto& state = is_custom ? (*state_custom)[static_cast<std::size_t>(role - set->custom_.data())]
                            : (*state_pre)[static_cast<std::size_t>(role - set->predefined_.data())];
    if (state == 2) return;
    if (state == 1) return;  // reported by the caller that found the back edge
    state = 1;
    std::vector<const CompiledRole*> parents;
    const auto& d = role->decl;
    for (std::size_t i = 0; i < d.inherits.size(); ++i) {
      const auto& name = d.inherits[i];
      const CompiledRole* found = set->FindRole(name, d.account_id);
      if (found == nullptr) {
        std::vector<std::string> names;
        for (const auto& r : set->predefined_) names.push_back(r.decl.id);
        Error(At(d.inherits_where, i, d.where),
              "role \"" + d.id + "\": inherits unknown role \"" + name + "\"" + DidYouMean(name, names));
        continue;
      }
      auto* parent = const_cast<CompiledRole*>(found);
      const bool parent_custom = !parent->decl.account_id.empty();
      int parent_state = parent_custom ? (*state_custom)[static_cast<std::size_t>(parent - set->custom_.data())]
                                       : (*state_pre)[static_cast<std::size_t>(parent - set->predefined_.data())];
      if (parent_state == 1) {
        Error(At(d.inherits_where, i, d.where), "role \"" + d.id + "\": inheritance cycle: it inherits \"" + name +
                                                    "\", which leads back to \"" + d.id + "\"");
        continue;
      }
      Visit(set, parent, state_pre, state_custom, ids);
      parents.push_back(parent);
    }
    CompileRoleBody(*set, role, parents, ids);
    state = 2;
  }

  void SetIdentity(PolicySet* set, const std::vector<std::string>& files, std::uint64_t generation) {
    set->files_ = files;
    set->generation_ = generation;
  }

 private:
  std::vector<PolicyError>* errors_;
};

CompileOutput CompilePolicySet(const PolicySource& source, std::uint64_t generation) {
  CompileOutput out;
  auto set = std::make_shared<PolicySet>();
  PolicyCompiler compiler(&out.errors);
  compiler.CompilePermissions(source, set.get());
  compiler.CompileAssetTypes(source, set.get());
  compiler.CompileRoles(source, set.get());
  compiler.SetIdentity(set.get(), source.files, generation);
  if (out.errors.empty()) out.policy_set = std::move(set);
  return out;
}

std::vector<PolicyError> CompileCustomRole(const PolicySet& policies, const RoleDecl& decl,
                                           const std::function<const CompiledRole*(std::string_view)>& find_custom,
                                           CompiledRole* out) {
  std::vector<PolicyError> errors;
  PolicyCompiler compiler(&errors);
  if (policies.FindRole(decl.id) != nullptr) {
    compiler.Error(decl.where, "role \"" + decl.id + "\" is a predefined role");
  }
  std::vector<const CompiledRole*> parents;
  for (std::size_t i = 0; i < decl.inherits.size(); ++i) {
    const auto& name = decl.inherits[i];
    const CompiledRole* parent = policies.FindRole(name, decl.account_id);
    if (parent == nullptr && find_custom) parent = find_custom(name);
    if (parent == nullptr || name == decl.id) {
      compiler.Error(decl.where, "role \"" + decl.id + "\": inherits unknown role \"" + name + "\"");
      continue;
    }
    parents.push_back(parent);
  }
  CompiledRole role{decl, {}};
  compiler.CompileRoleBody(policies, &role, parents, policies.PermissionIds());
  if (errors.empty()) *out = std::move(role);
  return errors;
}

}  // namespace gatehouse
