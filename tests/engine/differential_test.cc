// Randomized differential test: thousands of generated policy sets, asset trees and
// assignments; Check, Explain, batch-style repeated checks on one snapshot, ListAssets
// and ListSubjects (paged with random page sizes) must all agree with the naive
// ReferenceEvaluator. The account lives among neighbours in the snapshot's account
// tables, and some worlds lose assignments and leaf assets after they were built (as
// writes do), so the decision arena is checked against removals and deleted assets
// too. A failure prints the seed to replay.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include "engine/access_review.h"
#include "engine/decider.h"
#include "engine/policy_compiler.h"
#include "reference_evaluator.h"

namespace gatehouse {
namespace {

using testing::ReferenceEvaluator;
using testing::ReferenceWorld;

struct DeletedAsset {
  std::string id, parent, type;
};

struct Generated {
  ReferenceWorld world;  // the final world, after the removals below
  std::vector<Subject> subjects;
  std::vector<std::string> permissions;
  std::vector<Timestamp> instants;
  std::vector<Assignment> removed;           // added, then removed
  std::vector<DeletedAsset> deleted_assets;  // created, then deleted (leaves, unreferenced)
  std::size_t neighbours = 0;                // other accounts in the same snapshot
};

Generated Generate(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  auto chance = [&](int percent) { return static_cast<int>(rng() % 100) < percent; };
  Generated g;
  PolicySource& src = g.world.source;
  // Permissions in a few namespaces so wildcards mean something; implies only point to
  // earlier permissions, so there is no cycle.
  const char* spaces[] = {"site", "team", "bill"};
  const std::size_t n_perms = 3 + pick(10);
  for (std::size_t i = 0; i < n_perms; ++i) {
    PermissionDecl p;
    p.id = std::string(spaces[pick(3)]) + ".p" + std::to_string(i);
    p.account_level = chance(20);
    for (std::size_t j = 0; j < i; ++j) {
      if (chance(15)) p.implies.push_back(src.permissions[j].id);
    }
    src.permissions.push_back(p);
    g.permissions.push_back(p.id);
  }
  g.permissions.push_back("undeclared.perm");
  src.asset_types = {AssetTypeDecl{"folder", {"account", "folder"}, {}},
                     AssetTypeDecl{"site", {"account", "folder"}, {}}};
  // Roles: owner plus a few random ones inheriting earlier roles.
  auto random_patterns = [&](std::size_t max) {
    std::vector<std::string> out;
    const std::size_t n = 1 + pick(max);
    for (std::size_t k = 0; k < n; ++k) {
      const int kind = static_cast<int>(pick(10));
      if (kind == 0) {
        out.push_back("*");
      } else if (kind <= 2) {
        // A namespace wildcard that matches at least one declared permission.
        const auto& id = src.permissions[pick(src.permissions.size())].id;
        out.push_back(id.substr(0, id.find('.')) + ".*");
      } else {
        out.push_back(src.permissions[pick(src.permissions.size())].id);
      }
    }
    return out;
  };
  RoleDecl owner;
  owner.id = "owner";
  owner.statements.push_back(StatementDecl{Effect::kAllow, {"*"}, {}, {}});
  src.roles.push_back(owner);
  const std::size_t n_roles = 1 + pick(6);
  for (std::size_t i = 0; i < n_roles; ++i) {
    RoleDecl r;
    r.id = "role" + std::to_string(i);
    r.statements.push_back(StatementDecl{Effect::kAllow, random_patterns(3), {}, {}});
    if (chance(40)) r.statements.push_back(StatementDecl{Effect::kDeny, random_patterns(2), {}, {}});
    for (std::size_t j = 1; j < src.roles.size(); ++j) {
      if (chance(25)) r.inherits.push_back(src.roles[j].id);
    }
    src.roles.push_back(r);
  }
  // Asset tree.
  ReferenceWorld& w = g.world;
  w.type_of[w.account_id] = "account";
  std::vector<std::string> folders{w.account_id};
  const std::size_t n_assets = 1 + pick(14);
  for (std::size_t i = 0; i < n_assets; ++i) {
    const bool folder = chance(40);
    const std::string id = (folder ? "f" : "s") + std::to_string(i);
    w.parent_of[id] = folders[pick(folders.size())];
    w.type_of[id] = folder ? "folder" : "site";
    if (folder) folders.push_back(id);
  }
  std::vector<std::string> asset_ids;
  for (const auto& [id, type] : w.type_of) {
    if (id != w.account_id) asset_ids.push_back(id);
  }
  // Subjects and assignments.
  const std::size_t n_subjects = 1 + pick(6);
  for (std::size_t i = 0; i < n_subjects; ++i) {
    g.subjects.push_back(Subject{"u" + std::to_string(i), chance(80) ? SubjectType::kUser : SubjectType::kExternalApp});
  }
  g.subjects.push_back(Subject{"nobody", SubjectType::kUser});
  const Timestamp base = 1'800'000'000'000;
  g.instants = {base - 10'000, base, base + 5'000, base + 20'000};
  const std::size_t n_assignments = pick(12);
  for (std::size_t i = 0; i < n_assignments; ++i) {
    Assignment a;
    a.id = i + 1;
    a.account_id = w.account_id;
    a.subject = g.subjects[pick(n_subjects)];
    a.role_id = src.roles[pick(src.roles.size())].id;
    if (chance(10)) a.role_id = "missing-role";
    const int kind = static_cast<int>(pick(3));
    if (kind == 1 && !asset_ids.empty()) {
      a.restriction = Restriction{Restriction::Kind::kSite, {asset_ids[pick(asset_ids.size())]}};
    } else if (kind == 2 && !asset_ids.empty()) {
      a.restriction.kind = Restriction::Kind::kFolders;
      const std::size_t n = 1 + pick(3);
      for (std::size_t k = 0; k < n; ++k) a.restriction.asset_ids.push_back(asset_ids[pick(asset_ids.size())]);
    }
    if (chance(25)) a.not_before = base + static_cast<Timestamp>(pick(3)) * 5'000 - 5'000;
    if (chance(25)) a.expires_at = base + 1'000 + static_cast<Timestamp>(pick(3)) * 10'000;
    w.assignments.push_back(a);
  }
  // Later writes: a few assignments removed, a few unreferenced leaf assets deleted.
  if (chance(40)) {
    for (std::size_t k = 0, n = 1 + pick(3); k < n && !w.assignments.empty(); ++k) {
      const std::size_t i = pick(w.assignments.size());
      g.removed.push_back(w.assignments[i]);
      w.assignments.erase(w.assignments.begin() + static_cast<std::ptrdiff_t>(i));
    }
  }
  if (chance(40)) {
    for (std::size_t k = 0, n = 1 + pick(3); k < n; ++k) {
      std::vector<std::string> leaves;
      for (const auto& [id, type] : w.type_of) {
        if (id == w.account_id) continue;
        bool used = false;
        for (const auto& [child, parent] : w.parent_of) used = used || parent == id;
        for (const auto& a : w.assignments) {
          for (const auto& scope : a.restriction.asset_ids) used = used || scope == id;
        }
        if (!used) leaves.push_back(id);
      }
      if (leaves.empty()) break;
      const std::string id = leaves[pick(leaves.size())];
      g.deleted_assets.push_back(DeletedAsset{id, w.parent_of.at(id), w.type_of.at(id)});
      w.parent_of.erase(id);
      w.type_of.erase(id);
    }
  }
  g.neighbours = pick(3) == 0 ? 0 : pick(300);
  return g;
}

std::shared_ptr<Snapshot> BuildSnapshot(const Generated& g, std::shared_ptr<const PolicySet> policies) {
  const ReferenceWorld& w = g.world;
  auto state = std::make_shared<AccountState>(Account{w.account_id, "Account", "owner", 0});
  // Every asset ever created, parents before children (ids sort f0 < f1 ..., but parents
  // may have any index).
  std::map<std::string, std::pair<std::string, std::string>> created;  // id → (parent, type)
  for (const auto& [id, parent] : w.parent_of) created[id] = {parent, w.type_of.at(id)};
  for (const auto& d : g.deleted_assets) created[d.id] = {d.parent, d.type};
  std::set<std::string> placed{w.account_id};
  while (placed.size() < created.size() + 1) {
    for (const auto& [id, where] : created) {
      const auto& [parent, type] = where;
      if (placed.count(id) || !placed.count(parent)) continue;
      state->ApplyAssetPut(Asset{w.account_id, id, type, "name-" + id, parent == w.account_id ? "" : parent});
      placed.insert(id);
    }
  }
  for (const auto& a : w.assignments) state->ApplyAssignmentAdded(a);
  for (const auto& a : g.removed) state->ApplyAssignmentAdded(a);
  auto snap = std::make_shared<Snapshot>(std::move(policies), 1);
  snap->PutAccount(state);
  if (!g.removed.empty() || !g.deleted_assets.empty()) {  // a later write: copy, change, publish
    auto next = std::make_shared<AccountState>(*state);
    for (const auto& a : g.removed) next->ApplyAssignmentRemoved(a.id);
    for (const auto& d : g.deleted_assets) next->ApplyAssetDeleted(d.id);
    snap = snap->Next(2);
    snap->PutAccount(next);
  }
  std::vector<std::shared_ptr<const AccountState>> others;
  for (std::size_t i = 0; i < g.neighbours; ++i) {
    const std::string id = "other-" + std::to_string(i);
    auto other = std::make_shared<AccountState>(Account{id, id, "owner", 0});
    for (const auto& a : w.assignments) {  // the same subjects and roles, account-wide
      Assignment copy = a;
      copy.account_id = id;
      copy.restriction = Restriction{};
      other->ApplyAssignmentAdded(copy);
    }
    others.push_back(std::move(other));
  }
  snap->PutAccounts(std::move(others));
  return snap;
}

// The generated world's policies compiled and its state built; null (and a failure) when
// the generator made policies that do not compile.
std::shared_ptr<Snapshot> CompileAndBuild(const Generated& g) {
  auto compiled = CompilePolicySet(g.world.source);
  if (!compiled.ok()) {
    ADD_FAILURE() << compiled.errors[0].ToString();
    return nullptr;
  }
  return BuildSnapshot(g, compiled.policy_set);
}

void RunWorld(std::uint64_t seed) {
  SCOPED_TRACE("seed " + std::to_string(seed));
  const Generated g = Generate(seed);
  auto snap = CompileAndBuild(g);
  ASSERT_NE(snap, nullptr);
  ReferenceEvaluator ref(g.world);
  const auto assets = ref.Assets();
  std::mt19937_64 rng(seed ^ 0x9e3779b97f4a7c15ULL);
  // Every neighbour is found under its own id (the account tables grew and probed).
  ASSERT_EQ(snap->AccountCount(), g.neighbours + 1);
  for (std::size_t i = 0; i < g.neighbours; ++i) {
    const std::string id = "other-" + std::to_string(i);
    const AccountView* other = snap->FindAccount(id);
    ASSERT_NE(other, nullptr) << id;
    ASSERT_EQ(other->account_id(), id);
  }
  // Deleted assets and an unknown account decide nothing.
  for (const auto& subject : g.subjects) {
    for (const auto& perm : g.permissions) {
      for (const auto& d : g.deleted_assets) {
        CheckQuery q{g.world.account_id, subject.type, subject.id, perm, d.id};
        ASSERT_FALSE(Check(*snap, q, g.instants[1])) << "deleted asset " << d.id;
        ASSERT_NE(Decide(*snap, q, g.instants[1]), DenyReason::kNone) << d.id;
      }
      CheckQuery q{"no-such-account", subject.type, subject.id, perm, g.world.account_id};
      ASSERT_FALSE(Check(*snap, q, g.instants[1]));
    }
  }
  for (Timestamp now : g.instants) {
    for (const auto& subject : g.subjects) {
      for (const auto& perm : g.permissions) {
        std::set<std::string> expected_assets;
        for (const auto& asset : assets) {
          const bool expected = ref.Allowed(subject, perm, asset, now);
          CheckQuery q{g.world.account_id, subject.type, subject.id, perm, asset};
          ASSERT_EQ(Check(*snap, q, now), expected) << subject.id << " " << perm << " " << asset << " @" << now;
          const Explanation ex = Explain(*snap, q, now);
          ASSERT_EQ(ex.allowed, expected) << "explain " << subject.id << " " << perm << " " << asset;
          ASSERT_EQ(Decide(*snap, q, now), ex.reason) << "decide " << subject.id << " " << perm << " " << asset;
          if (expected) expected_assets.insert(asset);
        }
        // Reverse query, paged with a random page size: complete, no repeats.
        const std::size_t limit = 1 + rng() % 4;
        std::vector<std::string> listed;
        std::string cursor;
        for (int pages = 0; pages < 100; ++pages) {
          auto page = ListAssets(*snap, g.world.account_id, subject, perm, "", limit, cursor, now);
          for (const auto& a : page.assets) listed.push_back(a.id);
          cursor = page.next_cursor;
          if (cursor.empty()) break;
        }
        ASSERT_TRUE(std::is_sorted(listed.begin(), listed.end()));
        ASSERT_EQ(std::set<std::string>(listed.begin(), listed.end()).size(), listed.size()) << "repeat";
        ASSERT_EQ(std::set<std::string>(listed.begin(), listed.end()), expected_assets)
            << "ListAssets " << subject.id << " " << perm;
      }
    }
    for (const auto& perm : g.permissions) {
      for (const auto& asset : assets) {
        std::set<std::pair<int, std::string>> expected;
        for (const auto& subject : g.subjects) {
          if (ref.Allowed(subject, perm, asset, now)) expected.insert({static_cast<int>(subject.type), subject.id});
        }
        const std::size_t limit = 1 + rng() % 3;
        std::set<std::pair<int, std::string>> listed;
        std::size_t count = 0;
        std::string cursor;
        for (int pages = 0; pages < 100; ++pages) {
          auto page = ListSubjects(*snap, g.world.account_id, asset, perm, limit, cursor, now);
          for (const auto& s : page.subjects) listed.insert({static_cast<int>(s.type), s.id});
          count += page.subjects.size();
          cursor = page.next_cursor;
          if (cursor.empty()) break;
        }
        ASSERT_EQ(count, listed.size()) << "repeat in ListSubjects";
        ASSERT_EQ(listed, expected) << "ListSubjects " << perm << " " << asset;
      }
    }
  }
}

// The access review against the reference: a subject may do P on asset A exactly when one
// of its ACTIVE rows has P and a scope on A's path; rows come in review order.
void ReviewWorld(std::uint64_t seed) {
  SCOPED_TRACE("seed " + std::to_string(seed));
  const Generated g = Generate(seed);
  auto snap = CompileAndBuild(g);
  ASSERT_NE(snap, nullptr);
  ReferenceEvaluator ref(g.world);
  const AccountView* view = snap->FindAccount(g.world.account_id);
  ASSERT_NE(view, nullptr);
  auto path_of = [&](std::string asset) {
    std::vector<std::string> path{asset};
    while (asset != g.world.account_id) path.push_back(asset = g.world.parent_of.at(asset));
    return std::set<std::string>(path.begin(), path.end());
  };
  for (Timestamp now : g.instants) {
    std::vector<ReviewRow> rows;
    AccessReview review(*snap, *view, now);
    for (ReviewRow row; review.Next(&row);) rows.push_back(row);
    for (std::size_t i = 1; i < rows.size(); ++i) {
      const auto key = [](const ReviewRow& r) {
        return std::make_tuple(std::string(SubjectTypeName(r.subject.type)), r.subject.id, r.role_id, r.scope_id);
      };
      ASSERT_LE(key(rows[i - 1]), key(rows[i])) << "review order";
    }
    std::set<std::pair<std::uint64_t, std::string>> grants;
    for (const auto& r : rows) ASSERT_TRUE(grants.emplace(r.assignment_id, r.scope_id).second) << "grant twice";
    for (const auto& subject : g.subjects) {
      for (const auto& asset : ref.Assets()) {
        const auto path = path_of(asset);
        for (const auto& perm : g.permissions) {
          bool by_rows = false;
          for (const auto& r : rows) {
            if (r.subject == subject && r.status == GrantStatus::kActive && path.count(r.scope_id) == 1 &&
                std::find(r.permissions.begin(), r.permissions.end(), perm) != r.permissions.end()) {
              by_rows = true;
            }
          }
          ASSERT_EQ(by_rows, ref.Allowed(subject, perm, asset, now))
              << subject.id << " " << perm << " " << asset << " @" << now;
        }
      }
    }
  }
}

TEST(DifferentialTest, AccessReviewAgreesWithReferenceOnRandomWorlds) {
  for (std::uint64_t seed = 1; seed <= 1500; ++seed) {
    ReviewWorld(seed);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST(DifferentialTest, EngineAgreesWithReferenceOnRandomWorlds) {
  const std::uint64_t first = 1;
  const std::uint64_t worlds = 3000;
  for (std::uint64_t seed = first; seed < first + worlds; ++seed) {
    RunWorld(seed);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace gatehouse
