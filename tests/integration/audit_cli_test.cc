// `gatehouse diff` and `gatehouse review` against the real gatehoused binary: the routes
// they call (policy-diff, access-review) served by the daemon, the CLI's tables, JSON and
// CSV, and its exit codes (0 no change, 1 changes, 2 error).
#include <gtest/gtest.h>
#include <httplib.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "support/command.h"
#include "support/daemon_process.h"
#include "support/temp_dir.h"

namespace gatehouse {
namespace {

using nlohmann::json;
using testing::RunCommand;

class AuditCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_ = std::make_unique<testing::DaemonProcess>(
        std::vector<std::string>{"--config", testing::WriteDaemonConfig(dir_)});
    port_ = daemon_->WaitForPort();
    ASSERT_GT(port_, 0) << daemon_->Output();
    std::ifstream in(dir_.File("system-key"));
    in >> key_;
    ASSERT_FALSE(key_.empty());
    http_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    Call("POST", "/v1/accounts", {{"id", "acme"}, {"name", "Acme"}, {"ownerUserId", "olga"}}, "");
    Call("PUT", "/v1/users/ann", {{"email", "ann@acme.test"}, {"name", {{"firstName", "Ann"}, {"lastName", "A"}}}}, "");
    Call("PUT", "/v1/assets/s1", {{"type", "site"}, {"name", "Shop"}});
    Call("POST", "/v1/assignments",
         {{"subject", {{"id", "ann"}, {"subjectType", "USER"}}},
          {"policyId", "website-designer"},
          {"restrictions", {{"site", {{"id", "s1"}}}}}});
  }

  json Call(const std::string& method, const std::string& path, const json& body, const std::string& account = "acme") {
    httplib::Headers h{{"Authorization", "Bearer " + key_}};
    if (!account.empty()) h.emplace("wix-account-id", account);
    auto r = method == "PUT" ? http_->Put(path, h, body.dump(), "application/json")
                             : http_->Post(path, h, body.dump(), "application/json");
    EXPECT_TRUE(r && r->status < 300) << method << " " << path << ": " << (r ? r->body : "no answer");
    return r ? json::parse(r->body, nullptr, false) : json();
  }

  std::string Cli(const std::string& args) const {
    return std::string(GATEHOUSE_BINARY_DIR) + "/bin/gatehouse " + args +
           " --server http://127.0.0.1:" + std::to_string(port_) + " --key-file " + dir_.File("system-key");
  }

  // A copy of the shipped policies to edit.
  std::string CandidateDir() {
    const std::string dir = dir_.File("candidate");
    EXPECT_EQ(RunCommand("rm -rf " + dir + " && cp -r " GATEHOUSE_SOURCE_DIR "/policies " + dir).rc, 0);
    return dir;
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::DaemonProcess> daemon_;
  int port_ = 0;
  std::string key_;
  std::unique_ptr<httplib::Client> http_;
};

TEST_F(AuditCliTest, DiffExitsZeroOneOrTwo) {
  auto same = RunCommand(Cli("diff " GATEHOUSE_SOURCE_DIR "/policies"));
  EXPECT_EQ(same.rc, 0) << same.output;
  EXPECT_NE(same.output.find("no access changes"), std::string::npos) << same.output;

  const std::string candidate = CandidateDir();
  std::ofstream(candidate + "/roles/website-designer.yaml", std::ios::app)
      << "  - effect: DENY\n    permissions: [site.publish]\n";
  auto changed = RunCommand(Cli("diff " + candidate));
  EXPECT_EQ(changed.rc, 1) << changed.output;
  EXPECT_NE(changed.output.find("ACCOUNT"), std::string::npos) << changed.output;
  EXPECT_NE(changed.output.find("USER:ann"), std::string::npos) << changed.output;
  EXPECT_NE(changed.output.find("site:s1"), std::string::npos) << changed.output;
  EXPECT_NE(changed.output.find("site.publish"), std::string::npos) << changed.output;
  EXPECT_NE(changed.output.find("1 grant(s) of 1 subject(s) in 1 account(s) change: +0 / -1"), std::string::npos)
      << changed.output;
  auto as_json = RunCommand(Cli("diff --json " + candidate) + " 2>/dev/null");
  EXPECT_EQ(as_json.rc, 1);
  const json parsed = json::parse(as_json.output, nullptr, false);
  ASSERT_TRUE(parsed.is_object()) << as_json.output;
  EXPECT_EQ(parsed["summary"]["grantsChanged"], 1);

  // The daemon still serves the active policies: nothing was loaded.
  httplib::Headers h{{"Authorization", "Bearer " + key_}, {"wix-account-id", "acme"}};
  auto check = http_->Post("/v1/check", h,
                           json{{"subject", {{"id", "ann"}, {"subjectType", "USER"}}},
                                {"permission", "site.publish"},
                                {"asset", {{"id", "s1"}}}}
                               .dump(),
                           "application/json");
  ASSERT_TRUE(check);
  EXPECT_EQ(check->body, R"({"allowed":true})");

  std::ofstream(candidate + "/roles/website-designer.yaml", std::ios::app) << "  - effect: MAYBE\n";
  auto invalid = RunCommand(Cli("diff " + candidate));
  EXPECT_EQ(invalid.rc, 2) << invalid.output;
  EXPECT_NE(invalid.output.find("roles/website-designer.yaml:"), std::string::npos) << invalid.output;
  EXPECT_NE(invalid.output.find("is not a valid policy directory"), std::string::npos) << invalid.output;
}

TEST_F(AuditCliTest, DiffReportsErrorsWithExitTwo) {
  const std::string gh = std::string(GATEHOUSE_BINARY_DIR) + "/bin/gatehouse";
  // No daemon there.
  auto refused = RunCommand(gh + " diff " GATEHOUSE_SOURCE_DIR "/policies --server http://127.0.0.1:1 --key-file " +
                            dir_.File("system-key"));
  EXPECT_EQ(refused.rc, 2) << refused.output;
  EXPECT_NE(refused.output.find("http://127.0.0.1:1"), std::string::npos) << refused.output;
  // No key: the daemon's own message comes through.
  auto no_key =
      RunCommand(gh + " diff " GATEHOUSE_SOURCE_DIR "/policies --server http://127.0.0.1:" + std::to_string(port_));
  EXPECT_EQ(no_key.rc, 2) << no_key.output;
  EXPECT_NE(no_key.output.find("(401)"), std::string::npos) << no_key.output;
  // A missing directory, a missing argument.
  auto missing = RunCommand(Cli("diff " + dir_.File("nowhere")));
  EXPECT_EQ(missing.rc, 2) << missing.output;
  EXPECT_EQ(RunCommand(gh + " diff").rc, 2);
}

TEST_F(AuditCliTest, ReviewPrintsATableCsvOrJsonFromTheEnvironmentsServer) {
  const std::string env = "GATEHOUSE_URL=http://127.0.0.1:" + std::to_string(port_) +
                          " GATEHOUSE_KEY_FILE=" + dir_.File("system-key") + " GATEHOUSE_ACCOUNT=acme ";
  const std::string gh = std::string(GATEHOUSE_BINARY_DIR) + "/bin/gatehouse";
  auto table = RunCommand(env + gh + " review");
  EXPECT_EQ(table.rc, 0) << table.output;
  EXPECT_NE(table.output.find("USER:ann"), std::string::npos) << table.output;
  EXPECT_NE(table.output.find("acme/s1"), std::string::npos) << table.output;
  EXPECT_NE(table.output.find("USER:olga"), std::string::npos) << table.output;
  EXPECT_NE(table.output.find("2 grant(s) at revision 4; 0 pending invite(s)"), std::string::npos) << table.output;

  auto csv = RunCommand(env + gh + " review --csv");
  EXPECT_EQ(csv.rc, 0) << csv.output;
  EXPECT_EQ(csv.output.rfind("subject_type,subject_id,", 0), 0U) << csv.output;

  auto past = RunCommand(env + gh + " review --json --at 1");
  EXPECT_EQ(past.rc, 0) << past.output;
  const json parsed = json::parse(past.output, nullptr, false);
  ASSERT_TRUE(parsed.is_object()) << past.output;
  EXPECT_EQ(parsed["revision"], 1);
  ASSERT_EQ(parsed["rows"].size(), 1U);
  EXPECT_EQ(parsed["rows"][0]["subject"]["id"], "olga");

  auto beyond = RunCommand(env + gh + " review --at 99");
  EXPECT_EQ(beyond.rc, 2) << beyond.output;
  EXPECT_NE(beyond.output.find("beyond the head"), std::string::npos) << beyond.output;
}

TEST_F(AuditCliTest, FeedAndReviewDiffOnTheRealBinary) {
  httplib::Headers h{{"Authorization", "Bearer " + key_}, {"wix-account-id", "acme"}};
  auto feed = http_->Get("/v1/changes?since=0", h);
  ASSERT_TRUE(feed);
  ASSERT_EQ(feed->status, 200) << feed->body;
  const json changes = json::parse(feed->body)["changes"];
  ASSERT_EQ(changes.size(), 3U) << feed->body;  // account, asset, assignment (the user is global)
  EXPECT_EQ(changes[2]["type"], "assignments.updated");
  auto diff = http_->Get("/v1/access-review/diff?from=1&to=4", h);
  ASSERT_TRUE(diff);
  ASSERT_EQ(diff->status, 200) << diff->body;
  EXPECT_EQ(diff->get_header_value("X-Gatehouse-Revision"), "4");
  const json d = json::parse(diff->body);
  ASSERT_EQ(d["gained"].size(), 1U) << diff->body;
  EXPECT_EQ(d["gained"][0]["subject"]["id"], "ann");
  EXPECT_EQ(d["gained"][0]["grantedRevision"], 4);
  EXPECT_TRUE(d["lost"].empty() && d["changed"].empty());
}

}  // namespace
}  // namespace gatehouse
