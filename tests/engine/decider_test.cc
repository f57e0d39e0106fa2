#include "engine/decider.h"

#include <gtest/gtest.h>

#include <set>

#include "support/test_policies.h"

namespace gatehouse {
namespace {

constexpr Timestamp kNow = 1'800'000'000'000;

class DeciderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    policies_ = testing::Compile(testing::BasicSource());
    state_ = std::make_shared<AccountState>(Account{"acme", "Acme", "olga", 0});
    state_->ApplyAssetPut(Asset{"acme", "f1", "folder", "Folder 1", ""});
    state_->ApplyAssetPut(Asset{"acme", "f2", "folder", "Folder 2", "f1"});
    state_->ApplyAssetPut(Asset{"acme", "s1", "site", "Site 1", ""});
    state_->ApplyAssetPut(Asset{"acme", "s2", "site", "Site 2", "f2"});
    state_->ApplyAssetPut(Asset{"acme", "s3", "site", "Site 3", "f1"});
  }

  void Add(std::uint64_t id, std::string subject, std::string role, Restriction r = {},
           std::optional<Timestamp> nb = {}, std::optional<Timestamp> exp = {}, SubjectType type = SubjectType::kUser) {
    Assignment a;
    a.id = id;
    a.account_id = "acme";
    a.subject = Subject{std::move(subject), type};
    a.role_id = std::move(role);
    a.restriction = std::move(r);
    a.not_before = nb;
    a.expires_at = exp;
    state_->ApplyAssignmentAdded(a);
  }

  std::shared_ptr<Snapshot> Snap() {
    auto snap = std::make_shared<Snapshot>(policies_, 1);
    snap->PutAccount(std::make_shared<AccountState>(*state_));
    return snap;
  }

  bool Allowed(std::string_view subject, std::string_view perm, std::string_view asset, Timestamp now = kNow,
               SubjectType type = SubjectType::kUser) {
    auto snap = Snap();
    CheckQuery q{"acme", type, subject, perm, asset};
    const bool fast = Check(*snap, q, now);
    EXPECT_EQ(fast, Explain(*snap, q, now).allowed) << subject << " " << perm << " " << asset;
    return fast;
  }

  static Restriction Site(std::string id) { return Restriction{Restriction::Kind::kSite, {std::move(id)}}; }
  static Restriction Folders(std::vector<std::string> ids) {
    return Restriction{Restriction::Kind::kFolders, std::move(ids)};
  }

  std::shared_ptr<const PolicySet> policies_;
  std::shared_ptr<AccountState> state_;
};

TEST_F(DeciderTest, AccountWideCoversEverything) {
  Add(1, "olga", "owner");
  EXPECT_TRUE(Allowed("olga", "site.delete", "s2"));
  EXPECT_TRUE(Allowed("olga", "team.delete-member", "acme"));
  EXPECT_TRUE(Allowed("olga", "team.delete-member", "s1"));  // account-wide grant holds everywhere
}

TEST_F(DeciderTest, SiteRestrictionCoversOnlyThatSite) {
  Add(1, "ann", "editor", Site("s1"));
  EXPECT_TRUE(Allowed("ann", "site.edit", "s1"));
  EXPECT_TRUE(Allowed("ann", "site.view", "s1"));
  EXPECT_FALSE(Allowed("ann", "site.edit", "s3"));
  EXPECT_FALSE(Allowed("ann", "site.edit", "acme"));
}

TEST_F(DeciderTest, FolderCoversDescendantsAndFoldersCombineWithOr) {
  Add(1, "bob", "editor", Folders({"f2"}));
  EXPECT_TRUE(Allowed("bob", "site.edit", "s2"));
  EXPECT_TRUE(Allowed("bob", "site.edit", "f2"));
  EXPECT_FALSE(Allowed("bob", "site.edit", "s3"));
  EXPECT_FALSE(Allowed("bob", "site.edit", "f1"));
  Add(2, "cat", "editor", Folders({"f2", "s1"}));
  EXPECT_TRUE(Allowed("cat", "site.edit", "s1"));
  EXPECT_TRUE(Allowed("cat", "site.edit", "s2"));
  EXPECT_FALSE(Allowed("cat", "site.edit", "s3"));
}

TEST_F(DeciderTest, AccountLevelPermissionNeedsAccountWideAssignment) {
  Add(1, "rita", "remover", Folders({"f1"}));
  EXPECT_FALSE(Allowed("rita", "team.delete-member", "s3"));
  EXPECT_TRUE(Allowed("rita", "team.view", "s3"));  // implied permission is not account-level
  auto snap = Snap();
  auto ex = Explain(*snap, CheckQuery{"acme", SubjectType::kUser, "rita", "team.delete-member", "s3"}, kNow);
  EXPECT_EQ(ex.reason, DenyReason::kAccountLevelOnly);
}

TEST_F(DeciderTest, TimeWindows) {
  Add(1, "tess", "editor", Site("s1"), kNow, kNow + 1000);
  EXPECT_FALSE(Allowed("tess", "site.edit", "s1", kNow - 1));
  EXPECT_TRUE(Allowed("tess", "site.edit", "s1", kNow));
  EXPECT_FALSE(Allowed("tess", "site.edit", "s1", kNow + 1000));
  auto snap = Snap();
  EXPECT_EQ(Explain(*snap, {"acme", SubjectType::kUser, "tess", "site.edit", "s1"}, kNow - 1).reason,
            DenyReason::kNotYetActive);
  EXPECT_EQ(Explain(*snap, {"acme", SubjectType::kUser, "tess", "site.edit", "s1"}, kNow + 5000).reason,
            DenyReason::kExpired);
}

TEST_F(DeciderTest, SubjectTypesAreDistinct) {
  Add(1, "app1", "editor", {}, {}, {}, SubjectType::kExternalApp);
  EXPECT_TRUE(Allowed("app1", "site.edit", "s1", kNow, SubjectType::kExternalApp));
  EXPECT_FALSE(Allowed("app1", "site.edit", "s1", kNow, SubjectType::kUser));
}

TEST_F(DeciderTest, UnknownThingsDenyWithReason) {
  Add(1, "ann", "editor");
  auto snap = Snap();
  auto reason = [&](std::string_view account, std::string_view subject, std::string_view perm, std::string_view asset) {
    CheckQuery q{account, SubjectType::kUser, subject, perm, asset};
    EXPECT_FALSE(Check(*snap, q, kNow));
    return Explain(*snap, q, kNow).reason;
  };
  EXPECT_EQ(reason("nope", "ann", "site.edit", "s1"), DenyReason::kUnknownAccount);
  EXPECT_EQ(reason("acme", "zed", "site.edit", "s1"), DenyReason::kUnknownSubject);
  EXPECT_EQ(reason("acme", "ann", "site.fly", "s1"), DenyReason::kUnknownPermission);
  EXPECT_EQ(reason("acme", "ann", "site.edit", "s9"), DenyReason::kUnknownAsset);
  EXPECT_EQ(reason("acme", "ann", "site.delete", "s1"), DenyReason::kRoleLacksPermission);
}

TEST_F(DeciderTest, ExplainNamesGrantAndDenyStatement) {
  Add(7, "max", "manager", Folders({"f1"}));
  auto snap = Snap();
  auto allow = Explain(*snap, {"acme", SubjectType::kUser, "max", "site.publish", "s2"}, kNow);
  ASSERT_TRUE(allow.allowed);
  ASSERT_TRUE(allow.assignment);
  EXPECT_EQ(allow.assignment->id, 7U);
  EXPECT_EQ(allow.role_chain, std::vector<std::string>{"manager"});
  EXPECT_EQ(allow.asset_chain, (std::vector<std::string>{"s2", "f2", "f1"}));
  auto deny = Explain(*snap, {"acme", SubjectType::kUser, "max", "site.delete", "s2"}, kNow);
  EXPECT_EQ(deny.reason, DenyReason::kDeniedByStatement);
  EXPECT_NE(deny.statement.find("DENY site.delete"), std::string::npos);
  auto outside = Explain(*snap, {"acme", SubjectType::kUser, "max", "site.edit", "s1"}, kNow);
  EXPECT_EQ(outside.reason, DenyReason::kNoCoveringAssignment);
}

TEST_F(DeciderTest, ListAssetsPagesCompletelyInIdOrder) {
  Add(1, "bob", "editor", Folders({"f1"}));
  auto snap = Snap();
  std::vector<std::string> all;
  std::string cursor;
  do {
    auto page = ListAssets(*snap, "acme", Subject{"bob", SubjectType::kUser}, "site.edit", "", 2, cursor, kNow);
    for (const auto& a : page.assets) all.push_back(a.id);
    cursor = page.next_cursor;
  } while (!cursor.empty());
  EXPECT_EQ(all, (std::vector<std::string>{"f1", "f2", "s2", "s3"}));
  auto sites = ListAssets(*snap, "acme", Subject{"bob", SubjectType::kUser}, "site.edit", "site", 10, "", kNow);
  ASSERT_EQ(sites.assets.size(), 2U);
  EXPECT_TRUE(sites.next_cursor.empty());
}

TEST_F(DeciderTest, ListAssetsIncludesAccountForAccountWideHolders) {
  Add(1, "olga", "owner");
  auto snap = Snap();
  auto page = ListAssets(*snap, "acme", Subject{"olga", SubjectType::kUser}, "team.view", "account", 10, "", kNow);
  ASSERT_EQ(page.assets.size(), 1U);
  EXPECT_EQ(page.assets[0].id, "acme");
}

TEST_F(DeciderTest, ListSubjectsPagesCompletely) {
  Add(1, "olga", "owner");
  Add(2, "ann", "editor", Site("s1"));
  Add(3, "bob", "editor", Folders({"f1"}));
  Add(4, "app", "editor", {}, {}, {}, SubjectType::kWixApp);
  auto snap = Snap();
  std::vector<std::string> all;
  std::string cursor;
  do {
    auto page = ListSubjects(*snap, "acme", "s1", "site.edit", 1, cursor, kNow);
    for (const auto& s : page.subjects) all.push_back(std::string(SubjectTypeName(s.type)) + ":" + s.id);
    cursor = page.next_cursor;
  } while (!cursor.empty());
  EXPECT_EQ(all, (std::vector<std::string>{"USER:ann", "USER:olga", "WIX_APP:app"}));
}

TEST_F(DeciderTest, PagingIsStableWhileAssetsComeAndGo) {
  Add(1, "olga", "owner");
  for (int i = 0; i < 30; ++i) state_->ApplyAssetPut(Asset{"acme", "p" + std::to_string(100 + i), "site", "", ""});
  std::set<std::string> throughout;  // assets that exist from the first page to the last
  for (std::uint32_t n = 0; n < state_->NodeCount(); ++n) throughout.insert(state_->Node(n).id);
  std::vector<std::string> seen;
  std::string cursor;
  int page_no = 0;
  do {
    auto snap = Snap();  // every page reads the newest state
    auto page = ListAssets(*snap, "acme", Subject{"olga", SubjectType::kUser}, "site.view", "", 4, cursor, kNow);
    for (const auto& a : page.assets) seen.push_back(a.id);
    cursor = page.next_cursor;
    // Between pages: new assets before and after the cursor, and one deleted.
    state_->ApplyAssetPut(Asset{"acme", "a-new-" + std::to_string(page_no), "site", "", ""});
    state_->ApplyAssetPut(Asset{"acme", "z-new-" + std::to_string(page_no), "site", "", ""});
    if (page_no == 2) {
      state_->ApplyAssetDeleted("p125");
      throughout.erase("p125");
    }
    ++page_no;
  } while (!cursor.empty() && page_no < 100);
  std::set<std::string> unique(seen.begin(), seen.end());
  EXPECT_EQ(unique.size(), seen.size()) << "an item was repeated";
  for (const auto& id : throughout) EXPECT_TRUE(unique.count(id)) << id << " was skipped";
}

TEST_F(DeciderTest, DeletedRoleGrantsNothing) {
  Add(1, "ghost", "vanished-role");
  EXPECT_FALSE(Allowed("ghost", "site.view", "s1"));
}

TEST_F(DeciderTest, RemovedAssignmentGrantsNothing) {
  Add(1, "ann", "editor");
  state_->ApplyAssignmentRemoved(1);
  EXPECT_FALSE(Allowed("ann", "site.edit", "s1"));
}

TEST_F(DeciderTest, MovingAnAssetChangesCoverage) {
  Add(1, "bob", "editor", Folders({"f2"}));
  EXPECT_FALSE(Allowed("bob", "site.edit", "s1"));
  state_->ApplyAssetPut(Asset{"acme", "s1", "site", "Site 1", "f2"});
  EXPECT_TRUE(Allowed("bob", "site.edit", "s1"));
}

}  // namespace
}  // namespace gatehouse
