#include "engine/custom_roles.h"

#include <algorithm>

namespace gatehouse {

RoleDecl ToRoleDecl(const RoleDefinition& def, std::vector<PolicyError>* errors) {
  RoleDecl d;
  d.id = def.id;
  d.account_id = def.account_id;
  d.title = LocalizedText(def.title.begin(), def.title.end());
  d.description = LocalizedText(def.description.begin(), def.description.end());
  if (auto level = ParseRestrictFromLevel(def.restrict_from_level)) {
    d.restrict_from_level = *level;
  } else {
    errors->push_back({SourceLocation{}, "role \"" + def.id +
                                             "\": restrictFromLevel must be NoRestriction, Site or Account, got \"" +
                                             def.restrict_from_level + "\""});
  }
  d.editor_types = def.editor_types;
  d.inherits = def.inherits;
  for (const auto& st : def.statements) {
    StatementDecl s;
    s.effect = st.allow ? Effect::kAllow : Effect::kDeny;
    s.permissions = st.permissions;
    d.statements.push_back(std::move(s));
  }
  return d;
}

void CompileAccountRoles(const PolicySet& policies, const std::vector<RoleDefinition>& defs,
                         std::vector<CompiledRole>* out, std::vector<PolicyError>* errors,
                         std::map<std::string, std::string>* failed) {
  out->clear();
  out->reserve(defs.size());
  std::vector<bool> done(defs.size(), false);
  auto compiled = [&](std::string_view id) -> const CompiledRole* {
    for (const auto& r : *out) {
      if (r.decl.id == id) return &r;
    }
    return nullptr;
  };
  // Compile in dependency order: each pass takes the roles whose custom parents are ready.
  for (bool progress = true; progress;) {
    progress = false;
    for (std::size_t i = 0; i < defs.size(); ++i) {
      if (done[i]) continue;
      const bool ready = std::all_of(defs[i].inherits.begin(), defs[i].inherits.end(), [&](const std::string& p) {
        const bool custom = std::any_of(defs.begin(), defs.end(), [&](const RoleDefinition& d) { return d.id == p; });
        return !custom || compiled(p) != nullptr;
      });
      if (!ready) continue;
      done[i] = true;
      progress = true;
      std::vector<PolicyError> role_errors;
      RoleDecl decl = ToRoleDecl(defs[i], &role_errors);
      CompiledRole role;
      auto compile_errors = CompileCustomRole(policies, decl, compiled, &role);
      role_errors.insert(role_errors.end(), compile_errors.begin(), compile_errors.end());
      if (role_errors.empty()) {
        out->push_back(std::move(role));
      } else {
        if (failed != nullptr) failed->emplace(defs[i].id, role_errors.front().message);
        errors->insert(errors->end(), role_errors.begin(), role_errors.end());
      }
    }
  }
  for (std::size_t i = 0; i < defs.size(); ++i) {
    if (!done[i]) {
      if (failed != nullptr)
        failed->emplace(defs[i].id, "inherits a role that does not compile, or an inheritance cycle");
      errors->push_back({SourceLocation{}, "role \"" + defs[i].id +
                                               "\": inherits a role that does not compile, or an inheritance cycle"});
    }
  }
}

}  // namespace gatehouse
