// Turns a PolicySource (declarations with their source locations) into a PolicySet, or
// into the complete list of what is wrong with it. Compilation expands `implies`
// transitively, wildcards against the catalogue, inheritance, and DENY statements, so that
// a check never has to.
//
// Rules enforced (policies.md §1–2): unique ids (an error names both places), known
// permission / role / asset-type names (with a did-you-mean), no `implies` or inheritance
// cycles, wildcards that match something, the reserved `owner` role exists, and a role that
// may only be assigned below account level grants no `level: Account` permission.
//
// Thread safety: pure functions.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/policy_set.h"

namespace gatehouse {

struct PolicyError {
  SourceLocation where;
  std::string message;
  std::string ToString() const;  // "file:line:col: message"
};

struct CompileOutput {
  std::shared_ptr<const PolicySet> policy_set;  // set iff errors is empty
  std::vector<PolicyError> errors;
  bool ok() const { return errors.empty(); }
};

CompileOutput CompilePolicySet(const PolicySource& source, std::uint64_t generation = 0);

// Compiles one custom role of an account against an existing PolicySet. `find_custom`
// resolves the account's other custom roles by id for `inherits` (may return null).
// On success fills *out and returns no errors.
std::vector<PolicyError> CompileCustomRole(const PolicySet& policies, const RoleDecl& decl,
                                           const std::function<const CompiledRole*(std::string_view)>& find_custom,
                                           CompiledRole* out);

// The candidate closest to `word` by edit distance, if it is close enough to be a likely
// typo; empty otherwise. Used for "did you mean" hints everywhere.
std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates);

// " (did you mean \"x\"?)" or "".
std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace gatehouse
