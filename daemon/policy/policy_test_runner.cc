#include "policy/policy_test_runner.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "engine/decider.h"

namespace gatehouse {
namespace {

std::string SubjectLabel(const Subject& s) {
  return s.type == SubjectType::kUser ? s.id : std::string(SubjectTypeName(s.type)) + ":" + s.id;
}

std::string StatementLabel(const RoleDecl& role, const StatementDecl& st) {
  std::string perms;
  for (const auto& p : st.permissions) perms += (perms.empty() ? "" : ", ") + p;
  return "role \"" + role.id + "\": " + (st.effect == Effect::kAllow ? "ALLOW [" : "DENY [") + perms + "] at " +
         st.where.ToString();
}

}  // namespace

PolicyTestReport RunPolicyTests(const PolicySet& policies, const std::vector<PolicyTestSuite>& suites) {
  PolicyTestReport report;
  std::set<std::string> roles_used;
  std::set<const StatementDecl*> statements_used;
  const auto shared = std::shared_ptr<const PolicySet>(&policies, [](const PolicySet*) {});

  for (const auto& suite : suites) {
    ++report.suites;
    auto fail = [&](const SourceLocation& where, std::string message) {
      report.failures.push_back({suite.name, where, std::move(message)});
    };
    Account account;
    account.id = std::string(kFixtureAccountId);
    account.name = "fixture";
    auto state = std::make_shared<AccountState>(account);
    bool fixtures_ok = true;
    // Assets may be listed in any order: place each once its parent exists.
    std::vector<const PolicyTestSuite::FixtureAsset*> pending;
    for (const auto& a : suite.assets) pending.push_back(&a);
    for (bool progress = true; progress && !pending.empty();) {
      progress = false;
      for (auto it = pending.begin(); it != pending.end();) {
        const auto* a = *it;
        const bool parent_ready =
            a->parent.empty() || a->parent == kFixtureAccountId || state->FindAsset(a->parent) != AccountState::kNoNode;
        if (!parent_ready) {
          ++it;
          continue;
        }
        if (!policies.HasAssetType(a->type) || a->type == kAccountAssetType) {
          fail(a->where, "fixture asset \"" + a->id + "\": unknown asset type \"" + a->type + "\"");
          fixtures_ok = false;
        } else if (state->FindAsset(a->id) != AccountState::kNoNode) {
          fail(a->where, "fixture asset \"" + a->id + "\" is listed twice");
          fixtures_ok = false;
        } else {
          const std::string parent = a->parent.empty() ? std::string(kFixtureAccountId) : a->parent;
          const std::string parent_type = state->Node(state->FindAsset(parent)).type;
          if (!policies.AllowsParent(a->type, parent_type)) {
            fail(a->where, "fixture asset \"" + a->id + "\": a " + a->type + " may not sit under a " + parent_type);
            fixtures_ok = false;
          }
          state->ApplyAssetPut(
              Asset{account.id, a->id, a->type, a->id, a->parent == kFixtureAccountId ? "" : a->parent});
        }
        it = pending.erase(it);
        progress = true;
      }
    }
    for (const auto* a : pending) {
      fail(a->where, "fixture asset \"" + a->id + "\": unknown parent \"" + a->parent + "\"");
      fixtures_ok = false;
    }
    std::uint64_t next_id = 1;
    for (const auto& fa : suite.assignments) {
      if (policies.FindRole(fa.role, account.id) == nullptr) {
        std::vector<std::string> names;
        for (const auto& r : policies.predefined_roles()) names.push_back(r.decl.id);
        fail(fa.where, "fixture assignment: unknown role \"" + fa.role + "\"" + DidYouMean(fa.role, names));
        fixtures_ok = false;
        continue;
      }
      bool scopes_ok = true;
      for (const auto& id : fa.restriction.asset_ids) {
        if (state->FindAsset(id) == AccountState::kNoNode) {
          fail(fa.where, "fixture assignment: restriction names unknown asset \"" + id + "\"");
          scopes_ok = fixtures_ok = false;
        }
      }
      if (!scopes_ok) continue;
      Assignment a;
      a.id = next_id++;
      a.account_id = account.id;
      a.subject = fa.subject;
      a.role_id = fa.role;
      a.restriction = fa.restriction;
      a.not_before = fa.not_before;
      a.expires_at = fa.expires_at;
      state->ApplyAssignmentAdded(a);
      roles_used.insert(fa.role);
    }
    if (!fixtures_ok) {
      report.expectations += suite.expectations.size();
      continue;
    }
    auto snapshot = std::make_shared<Snapshot>(shared, 1);
    snapshot->PutAccount(state);
    for (const auto& ex : suite.expectations) {
      ++report.expectations;
      // Without `at:` an expectation is evaluated at a fixed instant, 2026-01-01T00:00:00Z,
      // so suites give the same answer every day (docs/policies.md).
      const Timestamp now = ex.at ? *ex.at : Timestamp{1767225600000};
      CheckQuery q{account.id, ex.subject.type, ex.subject.id, ex.permission, ex.asset};
      Explanation explanation = Explain(*snapshot, q, now);
      const bool fast = Check(*snapshot, q, now);
      if (fast != explanation.allowed) {
        fail(ex.where, "engine disagreement: check says " + std::string(fast ? "allow" : "deny") +
                           " but explain says " + (explanation.allowed ? "allow" : "deny"));
        continue;
      }
      // Coverage: the statement that decided, for allows and statement denies.
      if (explanation.assignment) {
        const CompiledRole* role = policies.FindRole(explanation.assignment->role_id, account.id);
        if (const auto perm = policies.PermissionIndex(ex.permission); role != nullptr && perm) {
          GrantTrace trace = policies.Trace(*role, *perm);
          if (trace.statement != nullptr) statements_used.insert(trace.statement);
        }
      }
      if (explanation.allowed == ex.allowed) {
        ++report.passed;
        continue;
      }
      std::string message = SubjectLabel(ex.subject) + " " + ex.permission + " on " + ex.asset + ": expected " +
                            (ex.allowed ? "allowed" : "denied") + ", got " +
                            (explanation.allowed ? "allowed" : "denied") + " — " +
                            std::string(DenyReasonName(explanation.reason)) + ": " + explanation.message;
      if (!explanation.role_chain.empty()) {
        std::string chain;
        for (const auto& r : explanation.role_chain) chain += (chain.empty() ? "" : " -> ") + r;
        message += "; role chain " + chain;
      }
      if (!explanation.statement.empty()) message += "; statement " + explanation.statement;
      fail(ex.where, std::move(message));
    }
  }
  // Coverage over predefined roles and their statements.
  for (const auto& role : policies.predefined_roles()) {
    (roles_used.count(role.decl.id) ? report.roles_exercised : report.roles_not_exercised).push_back(role.decl.id);
    for (const auto& st : role.decl.statements) {
      ++report.statements_total;
      if (statements_used.count(&st)) {
        ++report.statements_exercised;
      } else {
        report.statements_not_exercised.push_back(StatementLabel(role.decl, st));
      }
    }
  }
  return report;
}

}  // namespace gatehouse
