// Issue 12: Wix's own published JavaScript SDK (@wix/sdk 1.21.16 with
// @wix/identity_account-invite 1.0.1, pinned in wix_sdk/package-lock.json) drives the real
// daemon over HTTPS, exactly as a Wix user's code would with only the base URL and key
// changed. The SDK's own request building and response handling are the judge: the test
// reads what it returned or threw.
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/command.h"
#include "support/daemon_process.h"
#include "support/temp_dir.h"

namespace gatehouse {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

using testing::CommandResult;
using testing::RunCommand;

// The SDK packages, installed once per build tree from the committed lock file.
std::string InstallSdk() {
  const std::string dir = std::string(GATEHOUSE_BINARY_DIR) + "/wix-sdk";
  const std::string src = std::string(GATEHOUSE_SOURCE_DIR) + "/tests/integration/wix_sdk";
  fs::create_directories(dir);
  for (const char* f : {"package.json", "package-lock.json", "invite_client.mjs"}) {
    fs::copy_file(src + "/" + f, dir + "/" + f, fs::copy_options::overwrite_existing);
  }
  if (!fs::exists(dir + "/node_modules/@wix/identity_account-invite/package.json")) {
    const CommandResult npm = RunCommand("cd '" + dir + "' && npm ci --no-audit --no-fund");
    EXPECT_EQ(npm.rc, 0) << "npm ci failed:\n" << npm.output;
  }
  return dir;
}

class WixSdkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A throwaway certificate for 127.0.0.1: the SDK always speaks https.
    const CommandResult cert = RunCommand(
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
        "-addext subjectAltName=IP:127.0.0.1 -keyout '" +
        dir_.File("key.pem") + "' -out '" + dir_.File("cert.pem") + "'");
    ASSERT_EQ(cert.rc, 0) << cert.output;
    const std::string config =
        testing::WriteDaemonConfig(dir_, "", GATEHOUSE_SOURCE_DIR "/policies",
                                   ", tls: {cert: " + dir_.File("cert.pem") + ", key: " + dir_.File("key.pem") + "}");
    daemon_.emplace(std::vector<std::string>{"--config", config});
    port_ = daemon_->WaitForPort();
    ASSERT_GT(port_, 0) << daemon_->Output();
    ASSERT_NE(daemon_->Output().find("listening on https://"), std::string::npos);
    std::ifstream in(dir_.File("system-key"));
    in >> system_key_;
    httplib::SSLClient c("127.0.0.1", port_);
    c.enable_server_certificate_verification(false);
    const httplib::Headers sys{{"Authorization", system_key_}};
    const httplib::Headers acct{{"Authorization", system_key_}, {"wix-account-id", "acme"}};
    ASSERT_EQ(
        c.Post("/v1/accounts", sys, R"({"id":"acme","name":"Acme","ownerUserId":"olga"})", "application/json")->status,
        201);
    ASSERT_EQ(c.Put("/v1/users/olga", sys, R"({"email":"olga@acme.test","name":{"firstName":"O","lastName":"L"}})",
                    "application/json")
                  ->status,
              201);
    ASSERT_EQ(c.Put("/v1/assets/s1", acct, R"({"type":"site","name":"S1"})", "application/json")->status, 201);
    auto key = c.Post("/v1/api-keys", acct, R"({"subject":{"id":"olga"}})", "application/json");
    ASSERT_EQ(key->status, 201) << key->body;
    account_key_ = json::parse(key->body)["key"];
  }

  json RunSdk(const std::string& sdk_dir) {
    const CommandResult run =
        RunCommand("cd '" + sdk_dir + "' && GATEHOUSE_HOST=127.0.0.1:" + std::to_string(port_) + " GATEHOUSE_KEY='" +
                   account_key_ + "' GATEHOUSE_ACCOUNT=acme NODE_EXTRA_CA_CERTS='" + dir_.File("cert.pem") +
                   "' node invite_client.mjs");
    EXPECT_EQ(run.rc, 0) << run.output;
    const std::string last = run.output.substr(run.output.find('{'));
    json out = json::parse(last, nullptr, false);
    EXPECT_FALSE(out.is_discarded()) << run.output;
    return out;
  }

  testing::TempDir dir_;
  std::optional<testing::DaemonProcess> daemon_;
  int port_ = -1;
  std::string system_key_, account_key_;
};

TEST_F(WixSdkTest, AccountInvitesThroughWixsPublishedSdk) {
  const std::string sdk = InstallSdk();
  const json out = RunSdk(sdk);

  // Account-wide: the SDK's declared AccountInvite, with the request's form and role ids.
  ASSERT_TRUE(out["accountWide"]["ok"].get<bool>()) << out["accountWide"].dump(2);
  const json wide = out["accountWide"]["value"]["successfulInvites"][0];
  EXPECT_EQ(wide["email"], "wide@acme.test");
  EXPECT_EQ(wide["status"], "Pending");
  EXPECT_EQ(wide["accountId"], "acme");
  EXPECT_EQ(wide["inviterId"], "olga");  // the subject of the key that sent it
  EXPECT_EQ(wide["policyIds"], json::array({"website-manager"}));
  EXPECT_EQ(wide["assignments"], json::parse(R"([{"policyId":"website-manager","assignments":[]}])"));
  EXPECT_TRUE(wide.contains("_id"));  // the SDK renamed our id, as it does for Wix's answers
  EXPECT_EQ(wide["acceptLink"].get<std::string>().rfind("https://example.invalid/accept?token=", 0), 0U);
  EXPECT_TRUE(out["accountWide"]["value"]["failedInvites"].empty());

  // Site-scoped.
  ASSERT_TRUE(out["siteScoped"]["ok"].get<bool>()) << out["siteScoped"].dump(2);
  const json site = out["siteScoped"]["value"]["successfulInvites"][0];
  EXPECT_EQ(site["assignments"], json::parse(R"([{"policyId":"website-designer",
      "assignments":[{"fullNameResource":{"siteContext":{"metasiteId":"s1"}}}]}])"));

  // A partial failure is a success with failedInvites, as the SDK expects.
  ASSERT_TRUE(out["partial"]["ok"].get<bool>()) << out["partial"].dump(2);
  EXPECT_EQ(out["partial"]["value"]["successfulInvites"].size(), 1U);
  const json failed = out["partial"]["value"]["failedInvites"];
  ASSERT_EQ(failed.size(), 2U);
  EXPECT_EQ(failed[0]["subjectEmail"], "not an email");
  EXPECT_EQ(failed[1]["subjectEmail"], "role@acme.test");

  // Errors come back through the SDK's own error handling, with the Wix error body.
  EXPECT_FALSE(out["tooMany"]["ok"].get<bool>());
  EXPECT_EQ(out["tooMany"]["status"], 400);
  EXPECT_EQ(out["tooMany"]["details"]["validationError"]["fieldViolations"][0]["field"], "subjectsAssignments");
  EXPECT_FALSE(out["badKey"]["ok"].get<bool>());
  EXPECT_EQ(out["badKey"]["status"], 401);
  EXPECT_EQ(out["badKey"]["details"]["applicationError"]["code"], "UNAUTHENTICATED");

  // And the daemon holds what the SDK was told.
  httplib::SSLClient c("127.0.0.1", port_);
  c.enable_server_certificate_verification(false);
  auto got = c.Get("/v1/invites/" + wide["_id"].get<std::string>(),
                   httplib::Headers{{"Authorization", system_key_}, {"wix-account-id", "acme"}});
  ASSERT_EQ(got->status, 200) << got->body;
  EXPECT_EQ(json::parse(got->body)["email"], "wide@acme.test");
}

}  // namespace
}  // namespace gatehouse
