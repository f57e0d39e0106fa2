// Snapshot's AccountView: how an account's state is held. A small account keeps its state
// as the account codec's bytes and decodes it per read; a big one (or one without an
// arena) keeps it decoded. These tests hold both forms to the state they were made from:
// the same bytes back, private copies, policy reloads, and the decisions that no longer
// read the state (Decide ranks a deny from the arena).
#include "engine/snapshot.h"

#include <gtest/gtest.h>

#include <set>

#include "engine/account_codec.h"
#include "engine/decider.h"
#include "support/test_policies.h"

namespace gatehouse {
namespace {

constexpr Timestamp kNow = 1'800'000'000'000;

Assignment Grant(std::uint64_t id, const std::string& account, const std::string& subject, const std::string& role,
                 Restriction r = {}) {
  Assignment a;
  a.id = id;
  a.account_id = account;
  a.subject = Subject{subject, SubjectType::kUser};
  a.role_id = role;
  a.restriction = std::move(r);
  a.created_at = 1000 + static_cast<Timestamp>(id);
  return a;
}

Restriction Site(const std::string& id) { return Restriction{Restriction::Kind::kSite, {id}}; }

// An account with every kind of data a state holds: assets (one deleted), grants of each
// restriction kind and with time windows, an invite, an API key and an API custom role.
std::shared_ptr<AccountState> RichAccount(const std::string& id, int members) {
  auto state = std::make_shared<AccountState>(Account{id, "Name of " + id, "owner", 7});
  state->ApplyAssetPut(Asset{id, "f1", "folder", "Folder one", ""});
  state->ApplyAssetPut(Asset{id, "s1", "site", "Site one", "f1"});
  state->ApplyAssetPut(Asset{id, "s2", "site", "Site two", ""});
  state->ApplyAssetPut(Asset{id, "gone", "site", "Deleted", ""});
  state->ApplyAssetDeleted("gone");
  std::uint64_t next = 1;
  state->ApplyAssignmentAdded(Grant(next++, id, "owner", "owner"), 3, "system");
  for (int m = 0; m < members; ++m) {
    const std::string user = "u" + std::to_string(m);
    state->ApplyAssignmentAdded(Grant(next++, id, user, "editor", Site(m % 2 ? "s1" : "s2")), 4, "key:k1");
    Assignment windowed = Grant(next++, id, user, "manager", Restriction{Restriction::Kind::kFolders, {"f1"}});
    windowed.not_before = kNow - 10;
    windowed.expires_at = kNow + (m % 3 == 0 ? -5 : 1000);
    state->ApplyAssignmentAdded(windowed);
  }
  Invite invite;
  invite.id = "inv1";
  invite.account_id = id;
  invite.email = "new@example.com";
  invite.token_hash = "hash-of-token";
  invite.assignments.push_back({"editor", Site("s1")});
  invite.expires_at = kNow + 1000;
  state->ApplyInvitePut(invite);
  ApiKey key;
  key.id = "k1";
  key.account_id = id;
  key.subject = Subject{"app", SubjectType::kExternalApp};
  key.key_hash = "hash-of-key";
  state->ApplyApiKeyCreated(key);
  RoleDefinition role;
  role.id = "api-viewer";
  role.account_id = id;
  role.title["en"] = "Viewer";
  role.statements.push_back({true, {"site.view"}});
  state->ApplyRolePut(role);
  state->ApplyAssignmentAdded(Grant(next++, id, "viewer", "api-viewer", Site("s2")));
  return state;
}

TEST(SnapshotTest, ASmallAccountIsKeptEncodedAndDecodesToTheSameState) {
  auto policies = testing::Compile(testing::BasicSource());
  auto original = RichAccount("small", 5);
  ASSERT_LE(original->GrantCount(), AccountView::kEncodeAtMostGrants);
  Snapshot snap(policies, 1);
  snap.PutAccount(original);
  const AccountView* view = snap.FindAccount("small");
  ASSERT_NE(view, nullptr);
  EXPECT_TRUE(view->encoded());
  EXPECT_EQ(view->held, nullptr);
  EXPECT_EQ(view->account_id(), "small");
  const auto decoded = view->State();
  ASSERT_NE(decoded, nullptr);
  EXPECT_NE(decoded.get(), original.get());
  EXPECT_EQ(EncodeAccountState(*decoded), EncodeAccountState(*original));
  EXPECT_EQ(decoded->GrantCount(), original->GrantCount());
  EXPECT_EQ(decoded->FindAsset("gone"), AccountState::kNoNode);
  ASSERT_NE(decoded->FindInvite("inv1"), nullptr);
  ASSERT_NE(decoded->FindApiKey("k1"), nullptr);
  ASSERT_NE(decoded->FindCustomRole("api-viewer"), nullptr);
  std::string appended;
  view->AppendEncoded(&appended);
  EXPECT_EQ(appended, EncodeAccountState(*original));
}

TEST(SnapshotTest, AMutableCopyIsPrivate) {
  auto policies = testing::Compile(testing::BasicSource());
  Snapshot snap(policies, 1);
  snap.PutAccount(RichAccount("small", 3));
  const AccountView* view = snap.FindAccount("small");
  ASSERT_TRUE(view->encoded());
  const std::string before = EncodeAccountState(*view->State());
  auto copy = view->MutableCopy();
  copy->ApplyAssignmentAdded(Grant(500, "small", "late", "owner"));
  copy->ApplyAssetDeleted("s1");
  EXPECT_EQ(EncodeAccountState(*view->State()), before);
  EXPECT_NE(EncodeAccountState(*copy), before);
  EXPECT_FALSE(Check(snap, CheckQuery{"small", SubjectType::kUser, "late", "site.view", "s2"}, kNow));
}

// A published view keeps its last decode while it is among the kRecentDecodes most
// recently decoded accounts: reads in a row share one decode, and decoding that many
// other accounts drops it (the memory of decoded small accounts stays bounded).
TEST(SnapshotTest, RecentDecodesAreKeptAndOldOnesDropped) {
  auto policies = testing::Compile(testing::BasicSource());
  auto snap = std::make_shared<Snapshot>(policies, 1);
  const std::size_t others = AccountView::kRecentDecodes + 8;
  std::vector<std::shared_ptr<const AccountState>> states;
  for (std::size_t i = 0; i <= others; ++i) {
    auto state = std::make_shared<AccountState>(Account{"a" + std::to_string(i), "A", "owner", 0});
    state->ApplyAssignmentAdded(Grant(i + 1, "a" + std::to_string(i), "owner", "owner"));
    states.push_back(std::move(state));
  }
  snap->PutAccounts(states);
  const AccountView* first = snap->FindAccount("a0");
  ASSERT_TRUE(first->encoded());
  const auto once = first->State();
  EXPECT_EQ(first->State().get(), once.get()) << "a second read shares the first decode";
  const AccountState* kept = once.get();
  for (std::size_t i = 1; i <= others; ++i) ASSERT_NE(snap->FindState("a" + std::to_string(i)), nullptr);
  const auto again = first->State();
  EXPECT_NE(again.get(), kept) << "decoded afresh once it was no longer among the recent";
  EXPECT_EQ(EncodeAccountState(*again), EncodeAccountState(*once));
  // A view no shared_ptr owns (a caller's own binding) decodes every time.
  const AccountView own = BindAccount(states[0], *policies);
  ASSERT_TRUE(own.encoded());
  EXPECT_NE(own.State().get(), own.State().get());
}

TEST(SnapshotTest, ABigAccountIsHeldDecoded) {
  auto policies = testing::Compile(testing::BasicSource());
  auto original = RichAccount("big", 200);
  ASSERT_GT(original->GrantCount(), AccountView::kEncodeAtMostGrants);
  Snapshot snap(policies, 1);
  snap.PutAccount(original);
  const AccountView* view = snap.FindAccount("big");
  ASSERT_NE(view, nullptr);
  EXPECT_FALSE(view->encoded());
  EXPECT_EQ(view->State().get(), original.get());  // the published object itself, every time
  EXPECT_EQ(view->account_id(), "big");
  ASSERT_NE(view->arena, nullptr);
  std::string appended;
  view->AppendEncoded(&appended);
  EXPECT_EQ(appended, EncodeAccountState(*original));
  auto copy = view->MutableCopy();
  EXPECT_NE(copy.get(), original.get());
}

TEST(SnapshotTest, APolicyReloadKeepsTheEncodingAndRebindsTheRoles) {
  auto policies = testing::Compile(testing::BasicSource());
  auto snap = std::make_shared<Snapshot>(policies, 1);
  snap->PutAccount(RichAccount("small", 4));
  const std::string bytes = snap->FindAccount("small")->encoding;
  ASSERT_FALSE(bytes.empty());
  EXPECT_TRUE(Check(*snap, CheckQuery{"small", SubjectType::kUser, "u1", "site.edit", "s1"}, kNow));

  PolicySource changed = testing::BasicSource();
  changed.roles = {testing::MakeRole("owner", {testing::Allow({"*"})}),
                   testing::MakeRole("editor", {testing::Allow({"site.view"})})};
  auto reloaded = snap->WithPolicies(testing::Compile(changed));
  const AccountView* view = reloaded->FindAccount("small");
  ASSERT_NE(view, nullptr);
  EXPECT_TRUE(view->encoded());
  EXPECT_EQ(view->encoding, bytes);
  EXPECT_FALSE(Check(*reloaded, CheckQuery{"small", SubjectType::kUser, "u1", "site.edit", "s1"}, kNow));
  EXPECT_TRUE(Check(*reloaded, CheckQuery{"small", SubjectType::kUser, "u1", "site.view", "s1"}, kNow));
  // The API custom role is compiled against the new files too, found through the view.
  EXPECT_TRUE(Check(*reloaded, CheckQuery{"small", SubjectType::kUser, "viewer", "site.view", "s2"}, kNow));
}

// Decide ranks a deny from the arena, Explain from the state: the same reason for each
// kind of miss, on an encoded account and on a held one.
TEST(SnapshotTest, DecideFromTheArenaGivesExplainsReason) {
  PolicySource src = testing::BasicSource();
  src.roles.push_back(testing::MakeRole("no-publish", {testing::Allow({"site.*"}), testing::Deny({"site.publish"})}));
  auto policies = testing::Compile(src);
  for (int members : {4, 200}) {
    auto state = RichAccount("a", members);
    state->ApplyAssignmentAdded(Grant(9000, "a", "u1", "no-publish", Site("s2")));
    state->ApplyAssignmentAdded(Grant(9001, "a", "u0", "remover", Site("s1")));  // an account-level permission
    Snapshot snap(policies, 1);
    snap.PutAccount(state);
    ASSERT_NE(snap.FindAccountHit("a").arena(), nullptr);
    std::set<DenyReason> seen;
    for (const char* subject : {"owner", "u0", "u1", "u3", "viewer", "nobody"}) {
      for (const char* perm : {"site.view", "site.edit", "site.publish", "site.delete", "team.delete-member", "nope"}) {
        for (const char* asset : {"a", "f1", "s1", "s2", "gone", "missing"}) {
          for (Timestamp now : {kNow, kNow + 2000, kNow - 100}) {
            const CheckQuery q{"a", SubjectType::kUser, subject, perm, asset};
            const DenyReason decided = Decide(snap, q, now);
            ASSERT_EQ(decided, Explain(snap, q, now).reason)
                << members << " " << subject << " " << perm << " " << asset;
            ASSERT_EQ(decided == DenyReason::kNone, Check(snap, q, now));
            seen.insert(decided);
          }
        }
      }
    }
    for (DenyReason r :
         {DenyReason::kNone, DenyReason::kUnknownSubject, DenyReason::kUnknownAsset, DenyReason::kUnknownPermission,
          DenyReason::kNoCoveringAssignment, DenyReason::kRoleLacksPermission, DenyReason::kDeniedByStatement,
          DenyReason::kAccountLevelOnly, DenyReason::kNotYetActive, DenyReason::kExpired}) {
      EXPECT_TRUE(seen.count(r)) << members << " members: no query gave " << DenyReasonName(r);
    }
  }
}

TEST(AccountCodecTest, BytesThatAreNotAnAccountNeverBecomeAState) {
  const std::string bytes = EncodeAccountState(*RichAccount("acc", 3));
  ASSERT_TRUE(DecodeAccountState(bytes).ok());
  for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
    auto decoded = DecodeAccountState(std::string_view(bytes).substr(0, cut));
    ASSERT_FALSE(decoded.ok()) << "cut at " << cut;
    EXPECT_EQ(decoded.status().code(), StatusCode::kInternal);
  }
  EXPECT_FALSE(DecodeAccountState(bytes + "x").ok());
}

}  // namespace
}  // namespace gatehouse
