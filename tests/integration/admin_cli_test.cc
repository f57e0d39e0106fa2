// The CLI as a client of real gatehoused binaries: check, who-can, what-can, status,
// reload, keys, and export → import into a second daemon that then answers a sample of
// checks exactly as the first.
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

// One daemon in its own directory, with helpers to call it and to run the CLI at it.
struct Node {
  Node() {
    process =
        std::make_unique<testing::DaemonProcess>(std::vector<std::string>{"--config", testing::WriteDaemonConfig(dir)});
    port = process->WaitForPort();
    std::ifstream in(dir.File("system-key"));
    in >> key;
    http = std::make_unique<httplib::Client>("127.0.0.1", port);
  }
  httplib::Headers Headers(const std::string& account = "acme", const std::string& with_key = "") const {
    httplib::Headers h{{"Authorization", "Bearer " + (with_key.empty() ? key : with_key)}};
    if (!account.empty()) h.emplace("wix-account-id", account);
    return h;
  }
  json Call(const std::string& method, const std::string& path, const json& body, const std::string& account = "acme") {
    auto r = method == "PUT" ? http->Put(path, Headers(account), body.dump(), "application/json")
                             : http->Post(path, Headers(account), body.dump(), "application/json");
    EXPECT_TRUE(r && r->status < 300) << method << " " << path << ": " << (r ? r->body : "no answer");
    return r ? json::parse(r->body, nullptr, false) : json();
  }
  bool Allowed(const std::string& subject, const std::string& permission, const std::string& asset) {
    auto r = http->Post("/v1/check", Headers(),
                        json{{"subject", {{"id", subject}, {"subjectType", "USER"}}},
                             {"permission", permission},
                             {"asset", {{"id", asset}}}}
                            .dump(),
                        "application/json");
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
    return r && r->body == R"({"allowed":true})";
  }
  std::string Cli(const std::string& args, const std::string& account = "acme") const {
    return std::string(GATEHOUSE_BINARY_DIR) + "/bin/gatehouse " + args +
           " --server http://127.0.0.1:" + std::to_string(port) + " --key-file " + dir.File("system-key") +
           (account.empty() ? "" : " --account " + account);
  }

  testing::TempDir dir;
  std::unique_ptr<testing::DaemonProcess> process;
  int port = 0;
  std::string key;
  std::unique_ptr<httplib::Client> http;
};

class AdminCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_GT(a_.port, 0) << a_.process->Output();
    a_.Call("POST", "/v1/accounts", {{"id", "acme"}, {"name", "Acme"}, {"ownerUserId", "olga"}}, "");
    for (const char* u : {"ann", "bob", "cy"}) {
      a_.Call("PUT", std::string("/v1/users/") + u,
              {{"email", std::string(u) + "@acme.test"}, {"name", {{"firstName", u}, {"lastName", "X"}}}}, "");
    }
    a_.Call("PUT", "/v1/assets/f1", {{"type", "folder"}, {"name", "Folder"}});
    a_.Call("PUT", "/v1/assets/s1", {{"type", "site"}, {"name", "Shop"}, {"parentId", "f1"}});
    a_.Call("PUT", "/v1/assets/s2", {{"type", "site"}, {"name", "Blog"}});
    a_.Call("POST", "/v1/assignments",
            {{"subject", {{"id", "ann"}, {"subjectType", "USER"}}},
             {"policyId", "website-designer"},
             {"restrictions", {{"site", {{"id", "s1"}}}}}});
    a_.Call("POST", "/v1/roles",
            {{"id", "publisher"},
             {"title", "Publisher"},
             {"statements", {{{"effect", "ALLOW"}, {"permissions", {"site.publish"}}}}}});
    a_.Call("POST", "/v1/assignments",
            {{"subject", {{"id", "bob"}, {"subjectType", "USER"}}},
             {"policyId", "publisher"},
             {"restrictions",
              json::parse(R"({"conditions": {"conditions": [{"conditionType": "FOLDER", "id": "f1"}]}})")}});
    a_.Call("POST", "/invites/account-invite/create",
            {{"subjectsAssignments",
              {{{"subjectEmail", "new@acme.test"}, {"assignments", {{{"policyId", "website-manager"}}}}}}}});
  }

  Node a_;
};

TEST_F(AdminCliTest, CheckWhoCanWhatCanAndStatus) {
  auto allowed = RunCommand(a_.Cli("check ann site.publish s1 --explain"));
  EXPECT_EQ(allowed.rc, 0) << allowed.output;
  EXPECT_NE(allowed.output.find("ALLOWED"), std::string::npos) << allowed.output;
  EXPECT_NE(allowed.output.find("website-designer"), std::string::npos) << allowed.output;
  auto denied = RunCommand(a_.Cli("check ann site.publish s2 --explain"));
  EXPECT_EQ(denied.rc, 1) << denied.output;
  EXPECT_NE(denied.output.find("NO_COVERING_ASSIGNMENT"), std::string::npos) << denied.output;
  auto as_json = RunCommand(a_.Cli("check ann site.publish s1 --json"));
  EXPECT_EQ(json::parse(as_json.output, nullptr, false)["allowed"], true) << as_json.output;

  auto who = RunCommand(a_.Cli("who-can site.publish s1"));
  EXPECT_EQ(who.rc, 0) << who.output;
  for (const char* s : {"ann", "bob", "olga"}) EXPECT_NE(who.output.find(s), std::string::npos) << who.output;
  EXPECT_NE(who.output.find("3 subject(s)"), std::string::npos) << who.output;

  auto what = RunCommand(a_.Cli("what-can bob site.publish"));
  EXPECT_EQ(what.rc, 0) << what.output;
  EXPECT_NE(what.output.find("s1"), std::string::npos) << what.output;
  EXPECT_EQ(what.output.find("s2"), std::string::npos) << what.output;

  auto status = RunCommand(a_.Cli("status", ""));
  EXPECT_EQ(status.rc, 0) << status.output;
  EXPECT_NE(status.output.find("accounts:          1"), std::string::npos) << status.output;
  EXPECT_NE(status.output.find("plugin:            storage sqlite"), std::string::npos) << status.output;

  auto unknown_account = RunCommand(a_.Cli("check ann site.publish s1", "nowhere"));
  EXPECT_EQ(unknown_account.rc, 1) << unknown_account.output;  // an unknown account is a deny
  auto missing_arg = RunCommand(a_.Cli("check ann site.publish"));
  EXPECT_EQ(missing_arg.rc, 2) << missing_arg.output;
}

TEST_F(AdminCliTest, ReloadAndItsDryRun) {
  auto dry = RunCommand(a_.Cli("reload --dry-run", ""));
  EXPECT_EQ(dry.rc, 0) << dry.output;
  EXPECT_NE(dry.output.find("would load"), std::string::npos) << dry.output;
  auto real = RunCommand(a_.Cli("reload", ""));
  EXPECT_EQ(real.rc, 0) << real.output;
  EXPECT_NE(real.output.find("policies reloaded (generation 2)"), std::string::npos) << real.output;
}

// gatehouse compact against the real daemon (default retention: 30 days, so the snapshot is
// written and nothing is forgotten), then status shows the snapshot; a second compact
// needs no new snapshot.
TEST_F(AdminCliTest, CompactWritesASnapshotAndStatusShowsIt) {
  auto compact = RunCommand(a_.Cli("compact", ""));
  EXPECT_EQ(compact.rc, 0) << compact.output;
  EXPECT_NE(compact.output.find("snapshot:          revision "), std::string::npos) << compact.output;
  EXPECT_NE(compact.output.find("history kept from: revision 1\n"), std::string::npos) << compact.output;
  auto again = RunCommand(a_.Cli("compact --json", ""));
  EXPECT_EQ(again.rc, 0) << again.output;
  EXPECT_EQ(json::parse(again.output, nullptr, false)["snapshotRevision"], 0) << again.output;
  auto status = RunCommand(a_.Cli("status", ""));
  EXPECT_EQ(status.rc, 0) << status.output;
  EXPECT_NE(status.output.find("snapshots:         1 (newest at revision "), std::string::npos) << status.output;
}

TEST_F(AdminCliTest, KeysCreateListRevoke) {
  auto created = RunCommand(a_.Cli("keys create cy --description ci --json"));
  ASSERT_EQ(created.rc, 0) << created.output;
  const json key = json::parse(created.output, nullptr, false);
  ASSERT_TRUE(key.is_object()) << created.output;
  const std::string id = key["id"], secret = key["key"];
  auto list = RunCommand(a_.Cli("keys list"));
  EXPECT_EQ(list.rc, 0) << list.output;
  EXPECT_NE(list.output.find(id), std::string::npos) << list.output;
  EXPECT_NE(list.output.find("USER:cy"), std::string::npos) << list.output;
  EXPECT_EQ(list.output.find(secret), std::string::npos) << "a listed key shows its secret";
  // The key works until it is revoked (it authenticates; cy holds no role, so 403 not 401).
  EXPECT_EQ(a_.http->Get("/v1/access-review", a_.Headers("acme", secret))->status, 403);
  auto revoked = RunCommand(a_.Cli("keys revoke " + id));
  EXPECT_EQ(revoked.rc, 0) << revoked.output;
  EXPECT_EQ(a_.http->Get("/v1/access-review", a_.Headers("acme", secret))->status, 401);
  auto again = RunCommand(a_.Cli("keys revoke " + id));
  EXPECT_EQ(again.rc, 2) << again.output;
  EXPECT_NE(again.output.find("(404)"), std::string::npos) << again.output;
}

TEST_F(AdminCliTest, ExportImportsIntoASecondDaemonThatAnswersTheSame) {
  auto key = RunCommand(a_.Cli("keys create ann --json"));
  ASSERT_EQ(key.rc, 0) << key.output;
  const std::string ann_key = json::parse(key.output)["key"];
  const std::string file = a_.dir.File("backup.ndjson");
  auto exported = RunCommand(a_.Cli("export -o " + file, ""));
  ASSERT_EQ(exported.rc, 0) << exported.output;
  std::ifstream in(file);
  std::string header;
  std::getline(in, header);
  const json h = json::parse(header, nullptr, false);
  EXPECT_EQ(h["format"], "gatehouse-export/1") << header;
  EXPECT_TRUE(h["revision"].is_number_integer());
  std::stringstream rest;
  rest << in.rdbuf();
  EXPECT_EQ(rest.str().find(ann_key), std::string::npos) << "the export holds a key in clear";
  EXPECT_NE(rest.str().find("keyHash"), std::string::npos);

  Node b;
  ASSERT_GT(b.port, 0) << b.process->Output();
  // A broken export changes nothing: all or nothing.
  const std::string broken = b.dir.File("broken.ndjson");
  {
    std::ifstream whole(file);
    std::ofstream out(broken);
    std::string line;
    for (int i = 0; std::getline(whole, line); ++i) out << (i == 3 ? line.substr(0, line.size() / 2) : line) << "\n";
  }
  auto refused = RunCommand(b.Cli("import " + broken, ""));
  EXPECT_EQ(refused.rc, 2) << refused.output;
  EXPECT_NE(refused.output.find("line 4"), std::string::npos) << refused.output;
  auto still_empty = RunCommand(b.Cli("status --json", ""));
  EXPECT_EQ(json::parse(still_empty.output, nullptr, false)["revision"], 0) << still_empty.output;

  auto imported = RunCommand(b.Cli("import " + file, ""));
  ASSERT_EQ(imported.rc, 0) << imported.output;
  EXPECT_NE(imported.output.find("imported"), std::string::npos) << imported.output;
  // The same answers for every user, permission and asset of the sample.
  for (const char* subject : {"olga", "ann", "bob", "cy"}) {
    for (const char* permission : {"site.publish", "site.view", "site.delete", "team.view", "account.transfer"}) {
      for (const char* asset : {"acme", "f1", "s1", "s2"}) {
        EXPECT_EQ(a_.Allowed(subject, permission, asset), b.Allowed(subject, permission, asset))
            << subject << " " << permission << " " << asset;
      }
    }
  }
  // Keys keep working (their hashes were carried), the pending invite is still there, and
  // a second import is refused: the daemon is no longer empty.
  EXPECT_EQ(b.http->Get("/v1/access-review", b.Headers("acme", ann_key))->status, 403);
  auto review = b.http->Get("/v1/access-review", b.Headers());
  ASSERT_EQ(review->status, 200) << review->body;
  EXPECT_EQ(json::parse(review->body)["invites"].size(), 1U) << review->body;
  auto twice = RunCommand(b.Cli("import " + file, ""));
  EXPECT_EQ(twice.rc, 2) << twice.output;
  EXPECT_NE(twice.output.find("(412)"), std::string::npos) << twice.output;
  // New writes on the second daemon continue the assignment ids, never reuse them.
  const json added = b.Call("POST", "/v1/assignments",
                            {{"subject", {{"id", "cy"}, {"subjectType", "USER"}}}, {"policyId", "website-designer"}});
  EXPECT_GT(std::stoull(added["assignmentId"].get<std::string>()), 3U) << added.dump();
}

}  // namespace
}  // namespace gatehouse
