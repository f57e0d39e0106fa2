// Compiling an account's API custom roles (RoleDefinition, plain data from the change log)
// against a PolicySet: the same rules as role files (policy_compiler.h), with inheritance
// among the account's custom roles resolved in dependency order.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/model.h"
#include "engine/policy_compiler.h"
#include "engine/policy_set.h"

namespace gatehouse {

// RoleDefinition → RoleDecl (errors for an unknown restrictFromLevel go to *errors).
RoleDecl ToRoleDecl(const RoleDefinition& def, std::vector<PolicyError>* errors);

// Compiles every role of `defs`; a role that does not compile (or inherits one that does
// not) is left out of *out and explained in *errors; `failed`, when given, gets the id of
// each such role with its first error message.
void CompileAccountRoles(const PolicySet& policies, const std::vector<RoleDefinition>& defs,
                         std::vector<CompiledRole>* out, std::vector<PolicyError>* errors,
                         std::map<std::string, std::string>* failed = nullptr);

}  // namespace gatehouse
