// ApiFixture: the whole HTTP surface in-process — a real ApiServer on a loopback port,
// real HTTP through cpp-httplib's client, the shipped policies, and the real SQLite
// plugin behind a fault-injecting wrapper — with helpers to call it.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "api/api_server.h"
#include "codec/json_change_codec.h"
#include "policy/policy_loader.h"
#include "store/plugin_change_log.h"
#include "support/fault_injecting_change_log.h"
#include "support/temp_dir.h"

namespace gatehouse::testing {

using nlohmann::json;

inline constexpr const char* kSystemKey = "ghs_test-system-key";

class ApiFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    PolicyLoad policies = LoadPolicyDirectory(std::string(GATEHOUSE_SOURCE_DIR) + "/policies");
    ASSERT_TRUE(policies.ok());
    PluginHost host(GATEHOUSE_PLUGIN_DIR);
    auto plugin = host.Load("storage", "sqlite");
    ASSERT_TRUE(plugin.ok());
    auto log = PluginChangeLog::Open(*plugin, {{"path", dir_.File("api.db")}}, nullptr);
    ASSERT_TRUE(log.ok());
    log_ = std::move(*log);
    faulty_ = std::make_unique<FaultInjectingChangeLog>(log_.get());
    holder_ = std::make_unique<SnapshotHolder>(std::make_shared<Snapshot>(policies.policy_set, 0));
    committer_ = std::make_unique<Committer>(faulty_.get(), &codec_, holder_.get());
    accounts_ = std::make_unique<AccountService>(committer_.get(), &clock_);
    assignments_ = std::make_unique<AssignmentService>(committer_.get(), &clock_);
    directory_ = std::make_unique<DirectoryService>(committer_.get(), &clock_, &secrets_);
    invites_ = std::make_unique<InviteService>(committer_.get(), &clock_, &secrets_, 7LL * 24 * 3600 * 1000);
    roles_ = std::make_unique<RoleService>(committer_.get(), &clock_);
    feed_ = std::make_unique<ChangeFeed>(faulty_.get(), holder_.get());
    committer_->AddListener([feed = feed_.get()](std::uint64_t revision) { feed->Notify(revision); });
    history_ = std::make_unique<ReviewHistory>(faulty_.get(), &codec_);
    keys_ = std::make_unique<KeyAuthenticator>(std::vector<std::string>{Sha256Hex(kSystemKey)});
    CompactionOptions compaction;
    compaction.snapshot_every = 0;
    compaction.retention = std::chrono::milliseconds(0);
    compactor_ = std::make_unique<Compactor>(faulty_.get(), holder_.get(), &clock_, compaction);
    ApiServices services;
    services.snapshots = holder_.get();
    services.accounts = accounts_.get();
    services.assignments = assignments_.get();
    services.directory = directory_.get();
    services.invites = invites_.get();
    services.roles = roles_.get();
    services.feed = feed_.get();
    services.history = history_.get();
    services.compact = [this] { return compactor_->RunOnce(true); };
    importer_ = std::make_unique<ImportService>(committer_.get(), &clock_);
    services.codec = &codec_;
    services.importer = importer_.get();
    services.compile_policies = CompileCandidatePolicies;
    services.accept_links = &accept_links_;
    services.keys = keys_.get();
    services.clock = &clock_;
    services.metrics = &metrics_;
    services.readiness = [this]() -> Status {
      auto h = faulty_->Head();
      return h.ok() ? Status::Ok() : h.status();
    };
    ApiOptions options;
    options.port = 0;
    options.max_body_bytes = 64 * 1024;
    options.batch_check_limit = 5;
    options.worker_threads = 8;
    Configure(options, services);
    server_ = std::make_unique<ApiServer>(options, services);
    auto port = server_->Start();
    ASSERT_TRUE(port.ok()) << port.status().ToString();
    port_ = *port;
    client_ = std::make_unique<httplib::Client>("127.0.0.1", *port);
  }

  void TearDown() override {
    if (server_) server_->Stop();
  }

  // A test suite's last word on the server's options and services before it starts.
  virtual void Configure(ApiOptions& /*options*/, ApiServices& /*services*/) {}

  httplib::Headers Headers(const std::string& key, const std::string& account) {
    httplib::Headers h;
    if (!key.empty()) h.emplace("Authorization", "Bearer " + key);
    if (!account.empty()) h.emplace("wix-account-id", account);
    return h;
  }

  httplib::Result Post(const std::string& path, const json& body, const std::string& key = kSystemKey,
                       const std::string& account = "acme") {
    return client_->Post(path.c_str(), Headers(key, account), body.dump(), "application/json");
  }
  httplib::Result Patch(const std::string& path, const json& body, const std::string& key = kSystemKey,
                        const std::string& account = "acme") {
    return client_->Patch(path.c_str(), Headers(key, account), body.dump(), "application/json");
  }
  httplib::Result Put(const std::string& path, const json& body, const std::string& key = kSystemKey,
                      const std::string& account = "acme") {
    return client_->Put(path.c_str(), Headers(key, account), body.dump(), "application/json");
  }
  httplib::Result Get(const std::string& path, const std::string& key = kSystemKey,
                      const std::string& account = "acme") {
    return client_->Get(path.c_str(), Headers(key, account));
  }
  httplib::Result Delete(const std::string& path, const std::string& key = kSystemKey,
                         const std::string& account = "acme") {
    return client_->Delete(path.c_str(), Headers(key, account));
  }

  // POST /v1/accounts for `id` with owner `owner`.
  void CreateAccount(const std::string& id = "acme", const std::string& owner = "olga") {
    auto r = Post("/v1/accounts", {{"id", id}, {"name", id}, {"ownerUserId", owner}}, kSystemKey, "");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 201) << r->body;
  }
  void PutUser(const std::string& id, const std::string& email, const std::string& first, const std::string& last) {
    auto r = Put("/v1/users/" + id, {{"email", email}, {"name", {{"firstName", first}, {"lastName", last}}}},
                 kSystemKey, "");
    ASSERT_TRUE(r);
    ASSERT_TRUE(r->status == 201 || r->status == 200) << r->body;
  }
  void PutAsset(const std::string& id, const std::string& type, const std::string& name, const std::string& parent = "",
                const std::string& account = "acme") {
    json body = {{"type", type}, {"name", name}};
    if (!parent.empty()) body["parentId"] = parent;
    auto r = Put("/v1/assets/" + id, body, kSystemKey, account);
    ASSERT_TRUE(r);
    ASSERT_TRUE(r->status == 201 || r->status == 200) << r->body;
  }
  // POST /v1/assignments for a USER; returns the assignment id.
  std::string Assign(const std::string& user, const std::string& role, const json& restrictions = nullptr,
                     const std::string& account = "acme") {
    json body = {{"subject", {{"id", user}, {"subjectType", "USER"}}}, {"policyId", role}};
    if (!restrictions.is_null()) body["restrictions"] = restrictions;
    auto r = Post("/v1/assignments", body, kSystemKey, account);
    EXPECT_TRUE(r && (r->status == 201 || r->status == 200)) << (r ? r->body : "no response");
    return r ? json::parse(r->body).value("assignmentId", std::string()) : "";
  }
  // An account key bound to `subject` with `role` account-wide (or restricted).
  std::string KeyFor(const std::string& subject_id, const std::string& subject_type,
                     const std::string& account = "acme") {
    auto r =
        Post("/v1/api-keys", {{"subject", {{"id", subject_id}, {"subjectType", subject_type}}}}, kSystemKey, account);
    EXPECT_TRUE(r && r->status == 201) << (r ? r->body : "");
    return json::parse(r->body)["key"].get<std::string>();
  }

  static json Body(const httplib::Result& r) { return json::parse(r->body); }
  static std::string Code(const httplib::Result& r) {
    const json b = Body(r);
    if (b.contains("details") && b["details"].contains("applicationError")) {
      return b["details"]["applicationError"]["code"];
    }
    return "";
  }
  static std::string Field(const httplib::Result& r) {
    const json b = Body(r);
    return b["details"]["validationError"]["fieldViolations"][0]["field"];
  }

  TempDir dir_;
  std::unique_ptr<PluginChangeLog> log_;
  std::unique_ptr<FaultInjectingChangeLog> faulty_;
  std::unique_ptr<Compactor> compactor_;
  JsonChangeCodec codec_;
  OpenSslSecrets secrets_;
  ManualClock clock_{1'800'000'000'000};
  Metrics metrics_;
  std::unique_ptr<SnapshotHolder> holder_;
  std::unique_ptr<Committer> committer_;
  std::unique_ptr<AccountService> accounts_;
  std::unique_ptr<AssignmentService> assignments_;
  std::unique_ptr<DirectoryService> directory_;
  std::unique_ptr<InviteService> invites_;
  std::unique_ptr<RoleService> roles_;
  std::unique_ptr<ChangeFeed> feed_;
  std::unique_ptr<ReviewHistory> history_;
  std::unique_ptr<ImportService> importer_;
  AcceptTokenVault accept_tokens_;
  AcceptLinks accept_links_{"https://team.example/accept", &accept_tokens_, AddAcceptLinks};
  int port_ = 0;
  std::unique_ptr<KeyAuthenticator> keys_;
  std::unique_ptr<ApiServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

}  // namespace gatehouse::testing
