// Runs `kind: PolicyTest` suites against a compiled PolicySet (policies.md §1): builds
// the fixture account (id "account"), evaluates every expectation with the real engine,
// and reports failures with the explanation of the actual decision, plus coverage —
// which roles and which statements the suites exercised.
//
// Thread safety: pure function.
#pragma once

#include <string>
#include <vector>

#include "engine/policy_set.h"
#include "policy/policy_loader.h"

namespace gatehouse {

inline constexpr std::string_view kFixtureAccountId = "account";

struct PolicyTestFailure {
  std::string suite;
  SourceLocation where;
  std::string message;  // what was expected, what happened, and why
};

struct PolicyTestReport {
  std::size_t suites = 0;
  std::size_t expectations = 0;
  std::size_t passed = 0;
  std::vector<PolicyTestFailure> failures;  // includes invalid fixtures
  std::vector<std::string> roles_exercised;
  std::vector<std::string> roles_not_exercised;
  std::size_t statements_total = 0;
  std::size_t statements_exercised = 0;
  std::vector<std::string> statements_not_exercised;  // "role: ALLOW [..] at file:line:col"
  bool ok() const { return failures.empty(); }
};

PolicyTestReport RunPolicyTests(const PolicySet& policies, const std::vector<PolicyTestSuite>& suites);

}  // namespace gatehouse
