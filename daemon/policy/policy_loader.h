// Policy loading: reads the policy directory's YAML files (policies.md §1–2) into a
// PolicySource, then compiles it (engine/policy_compiler.h) into a PolicySet.
//
// Loading is all-or-nothing and strict: YAML syntax, unknown apiVersion/kind, unknown or
// missing fields, wrong value types, and everything the compiler checks. Every error names
// file:line:column and what was expected; every error of a load is reported, in file order.
// yaml-cpp stays inside this layer (its exceptions never leave it).
//
// Files under accounts/<accountId>/ declare custom roles of that account.
//
// Thread safety: pure functions.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"
#include "core/time.h"
#include "engine/policy_compiler.h"
#include "engine/policy_set.h"

namespace gatehouse {

// A `kind: PolicyTest` document.
struct PolicyTestSuite {
  struct FixtureAsset {
    std::string id, type, parent;
    SourceLocation where;
  };
  struct FixtureAssignment {
    Subject subject;
    std::string role;
    Restriction restriction;
    std::optional<Timestamp> not_before, expires_at;
    SourceLocation where;
  };
  struct Expectation {
    Subject subject;
    std::string permission;
    std::string asset;
    bool allowed = false;
    std::optional<Timestamp> at;
    SourceLocation where;
  };
  std::string name;
  SourceLocation where;
  std::vector<FixtureAsset> assets;
  std::vector<FixtureAssignment> assignments;
  std::vector<Expectation> expectations;
};

struct PolicyLoad {
  std::shared_ptr<const PolicySet> policy_set;  // set iff errors is empty
  std::vector<PolicyError> errors;
  std::vector<PolicyTestSuite> tests;
  std::vector<std::string> files;
  bool ok() const { return errors.empty(); }
};

// Loads every *.yaml / *.yml file below `dir` (sorted by path, so errors come in a stable
// order). A missing or empty directory is an error.
PolicyLoad LoadPolicyDirectory(const std::string& dir, std::uint64_t generation = 0);

// A policy file given as text: `path` names it in errors, `relative` is its path inside
// the policy directory (what decides accounts/<id>/ custom roles).
struct PolicyFileText {
  std::string path;
  std::string relative;
  std::string text;
};

// Parses and compiles the given files (in the given order) exactly as a directory load
// does, without touching the filesystem: how a candidate policy set sent over the API is
// judged. An empty list is an error.
PolicyLoad LoadPolicyTexts(const std::vector<PolicyFileText>& files, std::uint64_t generation = 0);

// A candidate policy directory given as (path inside the directory, text) pairs, judged
// by LoadPolicyTexts; errors name the paths as given. What POST /v1/admin/policy-diff uses.
CompileOutput CompileCandidatePolicies(const std::vector<std::pair<std::string, std::string>>& files);

// Parses one file's text into `source`/`tests`, appending errors. `account_id` non-empty
// makes Role documents custom roles of that account. Never throws.
void ParsePolicyText(std::string_view text, const std::string& file, const std::string& account_id,
                     PolicySource* source, std::vector<PolicyTestSuite>* tests, std::vector<PolicyError>* errors);

}  // namespace gatehouse
