// GET /v1/changes: an account's committed changes in revision order, from the change log,
// with paging, long-polling, isolation between accounts, and no secrets.
#include <gtest/gtest.h>

#include <future>

#include "support/api_fixture.h"

namespace gatehouse {
namespace {

using nlohmann::json;
using testing::kSystemKey;

class ChangeFeedTest : public testing::ApiFixture {
 protected:
  json Feed(const std::string& query, const std::string& key = kSystemKey, const std::string& account = "acme") {
    auto r = Get("/v1/changes" + query, key, account);
    EXPECT_TRUE(r);
    EXPECT_EQ(r->status, 200) << r->body;
    return Body(r);
  }
};

// Retention: history forgotten by compaction (here retention 0) is 410 GONE in the feed
// and in the access review's at=REV, naming where readable history starts; compaction is
// a system-key admin call.
TEST_F(ChangeFeedTest, ForgottenHistoryIsGoneAndSaysWhereHistoryStarts) {
  CreateAccount("acme", "olga");
  PutUser("ann", "ann@acme.test", "Ann", "A");
  PutAsset("s1", "site", "S1");
  Assign("ann", "website-manager", nullptr);
  ASSERT_EQ(Feed("?since=0")["changes"].size(), 3U);  // the user is not the account's change
  auto denied = Post("/v1/admin/compact", json::object(), KeyFor("app1", "EXTERNAL_APP"));
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->status, 403) << denied->body;
  auto compacted = Post("/v1/admin/compact", json::object());
  ASSERT_TRUE(compacted);
  ASSERT_EQ(compacted->status, 200) << compacted->body;
  EXPECT_EQ(Body(compacted)["snapshotRevision"], 5);  // the key above was the 5th write
  EXPECT_EQ(Body(compacted)["forgottenThrough"], 5);
  auto gone = Get("/v1/changes?since=0");
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->status, 410) << gone->body;
  EXPECT_NE(gone->body.find("since=5"), std::string::npos) << gone->body;
  PutAsset("s2", "site", "S2");
  auto page = Feed("?since=5");
  ASSERT_EQ(page["changes"].size(), 1U);
  EXPECT_EQ(page["changes"][0]["revision"], 6);
  auto review = Get("/v1/access-review?at=2");
  ASSERT_TRUE(review);
  EXPECT_EQ(review->status, 410) << review->body;
  auto kept = Get("/v1/access-review?at=5");
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->status, 200) << kept->body;
  EXPECT_NE(kept->body.find("ann"), std::string::npos);
}

TEST_F(ChangeFeedTest, OneAccountsChangesInOrderAcrossPages) {
  CreateAccount("acme", "olga");
  CreateAccount("other", "oscar");
  PutUser("ann", "ann@acme.test", "Ann", "A");
  PutAsset("s1", "site", "S1");
  PutAsset("x1", "site", "X1", "", "other");
  Assign("ann", "website-designer", {{"site", {{"id", "s1"}}}});
  PutAsset("s2", "site", "S2");

  std::vector<json> all;
  std::uint64_t since = 0;
  for (int pages = 0; pages < 10; ++pages) {
    json page = Feed("?limit=2&since=" + std::to_string(since));
    for (const auto& c : page["changes"]) all.push_back(c);
    if (page["changes"].empty()) {
      EXPECT_EQ(page["nextSince"], since);  // nothing new: since comes back
      break;
    }
    EXPECT_LE(page["changes"].size(), 2U);
    since = page["nextSince"].get<std::uint64_t>();
    EXPECT_EQ(since, page["changes"].back()["revision"].get<std::uint64_t>());
  }
  // account.created, s1, the assignment, s2 — and nothing of "other" (the user profile is
  // global: in no account's feed).
  ASSERT_EQ(all.size(), 4U) << json(all).dump(2);
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i]["accountId"], "acme");
    if (i > 0) {
      EXPECT_GT(all[i]["revision"], all[i - 1]["revision"]);
    }
    EXPECT_TRUE(all[i]["revision"].is_number_integer());
    EXPECT_EQ(all[i]["actor"], "system");
    EXPECT_TRUE(all[i]["data"].is_object());
  }
  EXPECT_EQ(all[0]["type"], "account.created");
  EXPECT_EQ(all[2]["type"], "assignments.updated");
  const json head = Feed("");
  EXPECT_EQ(head["head"], holder_->Load()->revision());
  EXPECT_EQ(Feed("?since=" + std::to_string(holder_->Load()->revision() + 100))["changes"].size(), 0U);
}

TEST_F(ChangeFeedTest, ParametersAreChecked) {
  CreateAccount();
  for (const char* bad : {"?since=-1", "?since=x", "?limit=0", "?limit=1001", "?wait=61", "?wait=1.5"}) {
    auto r = Get(std::string("/v1/changes") + bad);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << bad << ": " << r->body;
  }
}

TEST_F(ChangeFeedTest, LongPollReturnsWhenThisAccountCommits) {
  CreateAccount("acme", "olga");
  CreateAccount("other", "oscar");
  const std::uint64_t head = holder_->Load()->revision();
  auto waiting = std::async(std::launch::async, [&] {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(30);
    auto r = c.Get(("/v1/changes?wait=20&since=" + std::to_string(head)).c_str(), Headers(kSystemKey, "acme"));
    return r ? json::parse(r->body) : json();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  PutAsset("x1", "site", "X1", "", "other");  // another account's commit wakes, but does not answer, the poll
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(waiting.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout);
  PutAsset("s1", "site", "S1");
  const json got = waiting.get();
  ASSERT_EQ(got["changes"].size(), 1U) << got.dump();  // had it waited out its 20 s, this would be empty
  EXPECT_EQ(got["changes"][0]["data"]["changes"][0]["id"], "s1");
  // With nothing for this account, a short wait ends empty.
  const json none = Feed("?wait=1&since=" + std::to_string(holder_->Load()->revision()));
  EXPECT_TRUE(none["changes"].empty());
}

TEST_F(ChangeFeedTest, NoSecretsEvenHashed) {
  CreateAccount();
  const std::string key = KeyFor("olga", "USER");
  auto invite = Post("/invites/account-invite/create",
                     {{"subjectsAssignments",
                       {{{"subjectEmail", "new@acme.test"}, {"assignments", {{{"policyId", "website-designer"}}}}}}}});
  ASSERT_EQ(invite->status, 200) << invite->body;
  const std::string link = Body(invite)["successfulInvites"][0]["acceptLink"];
  const std::string token = link.substr(link.find("token=") + 6);
  auto r = Get("/v1/changes?limit=1000");
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->body.find(key), std::string::npos);
  EXPECT_EQ(r->body.find(token), std::string::npos);
  EXPECT_EQ(r->body.find(Sha256Hex(key)), std::string::npos);
  EXPECT_EQ(r->body.find(Sha256Hex(token)), std::string::npos);
  EXPECT_EQ(r->body.find("keyHash"), std::string::npos);
  EXPECT_EQ(r->body.find("tokenHash"), std::string::npos);
  EXPECT_NE(r->body.find("new@acme.test"), std::string::npos);  // what changed is named
}

TEST_F(ChangeFeedTest, NeedsAuditReadOnTheAccount) {
  CreateAccount("acme", "olga");
  CreateAccount("other", "oscar");
  PutUser("dan", "dan@acme.test", "Dan", "D");
  PutAsset("s1", "site", "S1");
  Assign("dan", "website-designer", {{"site", {{"id", "s1"}}}});
  const std::string owner_key = KeyFor("olga", "USER");
  const std::string designer_key = KeyFor("dan", "USER");
  EXPECT_EQ(Get("/v1/changes", owner_key)->status, 200);
  EXPECT_EQ(Get("/v1/changes", designer_key)->status, 403);
  EXPECT_EQ(Get("/v1/changes", owner_key, "other")->status, 403);
  EXPECT_EQ(Get("/v1/changes", "")->status, 401);
}

}  // namespace
}  // namespace gatehouse
