// DecisionArena: the compact block a check reads. The differential test holds the check
// (and so the arena) to the reference over random worlds; these tests cover what random
// small worlds do not reach: large accounts, the fallback when an account does not fit the
// compact form, a policy reload rebinding the arena's roles, and the block's size.
#include "engine/decision_arena.h"

#include <gtest/gtest.h>

#include "engine/decider.h"
#include "support/test_policies.h"

namespace gatehouse {
namespace {

constexpr Timestamp kNow = 1'800'000'000'000;

Assignment MakeAssignment(std::uint64_t id, std::string account, std::string subject, std::string role,
                          Restriction r = {}) {
  Assignment a;
  a.id = id;
  a.account_id = std::move(account);
  a.subject = Subject{std::move(subject), SubjectType::kUser};
  a.role_id = std::move(role);
  a.restriction = std::move(r);
  return a;
}

Restriction Site(std::string id) { return Restriction{Restriction::Kind::kSite, {std::move(id)}}; }

bool Allowed(const Snapshot& snap, std::string_view account, std::string_view subject, std::string_view perm,
             std::string_view asset) {
  const CheckQuery q{account, SubjectType::kUser, subject, perm, asset};
  const bool fast = Check(snap, q, kNow);
  EXPECT_EQ(fast, Explain(snap, q, kNow).allowed) << subject << " " << perm << " " << asset;
  return fast;
}

TEST(DecisionArenaTest, ALargeAccountFindsEverySubjectAndAsset) {
  auto policies = testing::Compile(testing::BasicSource());
  auto state = std::make_shared<AccountState>(Account{"big", "Big", "owner", 0});
  for (int s = 0; s < 3000; ++s) state->ApplyAssetPut(Asset{"big", "s" + std::to_string(s), "site", "Site", ""});
  for (int u = 0; u < 5000; ++u) {
    state->ApplyAssignmentAdded(MakeAssignment(static_cast<std::uint64_t>(u) + 1, "big", "u" + std::to_string(u),
                                               "editor", Site("s" + std::to_string(u % 3000))));
  }
  auto snap = std::make_shared<Snapshot>(policies, 1);
  snap->PutAccount(state);
  ASSERT_NE(snap->FindAccountHit("big").arena(), nullptr);
  for (int u = 0; u < 5000; u += 7) {
    const std::string user = "u" + std::to_string(u);
    EXPECT_TRUE(Allowed(*snap, "big", user, "site.edit", "s" + std::to_string(u % 3000)));
    EXPECT_FALSE(Allowed(*snap, "big", user, "site.edit", "s" + std::to_string((u + 1) % 3000)));
    EXPECT_FALSE(Allowed(*snap, "big", user, "site.delete", "s" + std::to_string(u % 3000)));
  }
  EXPECT_FALSE(Allowed(*snap, "big", "u5000", "site.edit", "s0"));
  EXPECT_FALSE(Allowed(*snap, "big", "u1", "site.edit", "s3000"));
}

TEST(DecisionArenaTest, AnAccountTooBigForTheCompactFormIsDecidedFromItsState) {
  // One subject with more assignments than a slot can count: no arena, same answers.
  auto policies = testing::Compile(testing::BasicSource());
  auto state = std::make_shared<AccountState>(Account{"huge", "Huge", "owner", 0});
  state->ApplyAssetPut(Asset{"huge", "s0", "site", "Site", ""});
  state->ApplyAssetPut(Asset{"huge", "s1", "site", "Site", ""});
  for (std::uint64_t i = 1; i <= 65'536; ++i) {
    state->ApplyAssignmentAdded(MakeAssignment(i, "huge", "busy", "editor", Site("s0")));
  }
  state->ApplyAssignmentAdded(MakeAssignment(70'000, "huge", "busy", "manager", Site("s1")));
  auto snap = std::make_shared<Snapshot>(policies, 1);
  snap->PutAccount(state);
  const AccountTable::Hit hit = snap->FindAccountHit("huge");
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit.arena(), nullptr);
  EXPECT_TRUE(Allowed(*snap, "huge", "busy", "site.edit", "s0"));
  EXPECT_FALSE(Allowed(*snap, "huge", "busy", "site.publish", "s0"));
  EXPECT_TRUE(Allowed(*snap, "huge", "busy", "site.publish", "s1"));
  EXPECT_FALSE(Allowed(*snap, "huge", "nobody", "site.edit", "s0"));
  EXPECT_EQ(Decide(*snap, CheckQuery{"huge", SubjectType::kUser, "busy", "site.edit", "s0"}, kNow), DenyReason::kNone);
}

TEST(DecisionArenaTest, APolicyReloadRebindsTheArenasRoles) {
  auto before = testing::Compile(testing::BasicSource());
  auto state = std::make_shared<AccountState>(Account{"acme", "Acme", "owner", 0});
  state->ApplyAssetPut(Asset{"acme", "s1", "site", "Site", ""});
  state->ApplyAssignmentAdded(MakeAssignment(1, "acme", "ed", "editor", Site("s1")));
  state->ApplyAssignmentAdded(MakeAssignment(2, "acme", "gone", "manager", Site("s1")));
  auto snap = std::make_shared<Snapshot>(before, 1);
  snap->PutAccount(state);
  EXPECT_TRUE(Allowed(*snap, "acme", "ed", "site.edit", "s1"));
  EXPECT_TRUE(Allowed(*snap, "acme", "gone", "site.publish", "s1"));

  PolicySource changed = testing::BasicSource();
  changed.roles = {testing::MakeRole("owner", {testing::Allow({"*"})}),
                   testing::MakeRole("editor", {testing::Allow({"site.view"})})};  // manager removed
  auto reloaded = snap->WithPolicies(testing::Compile(changed));
  ASSERT_NE(reloaded->FindAccountHit("acme").arena(), nullptr);
  EXPECT_FALSE(Allowed(*reloaded, "acme", "ed", "site.edit", "s1"));
  EXPECT_TRUE(Allowed(*reloaded, "acme", "ed", "site.view", "s1"));
  EXPECT_FALSE(Allowed(*reloaded, "acme", "gone", "site.publish", "s1"));
  EXPECT_TRUE(Allowed(*snap, "acme", "gone", "site.publish", "s1"));  // the old snapshot is untouched
}

TEST(DecisionArenaTest, ATypicalAccountIsASmallBlock) {
  // 8 members, 15 assignments, 2 folders and 6 sites: the block a check reads.
  auto policies = testing::Compile(testing::BasicSource());
  auto state = std::make_shared<AccountState>(Account{"acct-12345", "A", "owner-acct-12345", 0});
  for (int f = 0; f < 2; ++f) state->ApplyAssetPut(Asset{"acct-12345", "f" + std::to_string(f), "folder", "F", ""});
  for (int s = 0; s < 6; ++s) {
    state->ApplyAssetPut(Asset{"acct-12345", "s" + std::to_string(s), "site", "S", s % 2 ? "f1" : ""});
  }
  std::uint64_t id = 1;
  state->ApplyAssignmentAdded(MakeAssignment(id++, "acct-12345", "owner-acct-12345", "owner"));
  for (int m = 1; m < 8; ++m) {
    for (int k = 0; k < 2; ++k) {
      state->ApplyAssignmentAdded(
          MakeAssignment(id++, "acct-12345", "u" + std::to_string(m), "editor", Site("s" + std::to_string(k + m % 5))));
    }
  }
  auto snap = std::make_shared<Snapshot>(policies, 1);
  snap->PutAccount(state);
  const DecisionArena* arena = snap->FindAccountHit("acct-12345").arena();
  ASSERT_NE(arena, nullptr);
  EXPECT_EQ(arena->account_id(), "acct-12345");
  EXPECT_LE(arena->size_bytes(), 768u) << "a typical account is a dozen cache lines";
  EXPECT_LE(arena->size_bytes(), std::size_t{DecisionArena::kMaxPrefetchLines} * 64)
      << "a lookup no longer asks for the whole block";
  EXPECT_TRUE(Allowed(*snap, "acct-12345", "u3", "site.edit", "s3"));
  EXPECT_TRUE(Allowed(*snap, "acct-12345", "owner-acct-12345", "team.delete-member", "acct-12345"));
}

}  // namespace
}  // namespace gatehouse
