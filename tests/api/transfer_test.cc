// GET /v1/admin/export and POST /v1/admin/import over real HTTP (the round trip between
// two real daemons is tests/integration/admin_cli_test.cc): who may call them, the
// export's shape, and how an import refuses — always changing nothing.
#include <gtest/gtest.h>

#include <sstream>

#include "support/api_fixture.h"

namespace gatehouse {
namespace {

using nlohmann::json;
using testing::kSystemKey;

class TransferTest : public testing::ApiFixture {
 protected:
  void Configure(ApiOptions& options, ApiServices&) override { options.max_import_bytes = 4096; }
  httplib::Result Import(const std::string& body, const std::string& key = kSystemKey) {
    httplib::Headers h{{"Authorization", "Bearer " + key}};
    return client_->Post("/v1/admin/import", h, body, "application/x-ndjson");
  }
  static std::string Header() { return R"({"format":"gatehouse-export/1","revision":1,"exportedAt":"x"})"; }
};

TEST_F(TransferTest, ExportIsOneHeaderThenOneChangePerLineWithoutSecrets) {
  CreateAccount();
  PutUser("ann", "ann@acme.test", "Ann", "A");
  PutAsset("f1", "folder", "F");
  PutAsset("s1", "site", "S", "f1");
  const std::string key = KeyFor("ann", "USER");
  auto r = Get("/v1/admin/export", kSystemKey, "");
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/x-ndjson");
  std::stringstream in(r->body);
  std::vector<json> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
  ASSERT_GE(lines.size(), 6U);
  EXPECT_EQ(lines[0]["format"], "gatehouse-export/1");
  EXPECT_EQ(lines[0]["revision"], holder_->Load()->revision());
  std::vector<std::string> ops;
  for (std::size_t i = 1; i < lines.size(); ++i) ops.push_back(lines[i]["op"]);
  // Users first, then the account with its assets parent first, keys, assignments.
  EXPECT_EQ(ops, (std::vector<std::string>{"user.put", "account.put", "asset.put", "asset.put", "apikey.create",
                                           "assignment.add"}));
  EXPECT_EQ(lines[3]["id"], "f1");
  EXPECT_EQ(lines[4]["id"], "s1");
  EXPECT_EQ(r->body.find(key), std::string::npos);
  // An account key may do neither.
  EXPECT_EQ(Get("/v1/admin/export", key, "acme")->status, 403);
  EXPECT_EQ(Import(Header() + "\n", key)->status, 403);
}

TEST_F(TransferTest, ImportRefusesAndChangesNothing) {
  // Not an export.
  auto no_header = Import(R"({"op":"user.put"})");
  EXPECT_EQ(no_header->status, 400) << no_header->body;
  EXPECT_EQ(Import("")->status, 400);
  // A change that cannot apply: an asset of an account that is not in the import.
  auto orphan =
      Import(Header() + "\n" + R"({"op":"account.put","id":"a","name":"A","ownerUserId":"o","createdAt":0})" + "\n" +
             R"({"op":"asset.put","accountId":"zzz","id":"s","type":"site","name":"S","parentId":""})" + "\n");
  EXPECT_EQ(orphan->status, 400) << orphan->body;
  EXPECT_NE(orphan->body.find("does not apply"), std::string::npos) << orphan->body;
  // Over its own limit, named.
  auto big = Import(Header() + "\n" + std::string(5000, ' '));
  EXPECT_EQ(big->status, 413) << big->body;
  EXPECT_NE(big->body.find("http.maxImportBytes is 4096"), std::string::npos) << big->body;
  EXPECT_EQ(holder_->Load()->revision(), 0U);
  // Into a daemon with data: 412.
  CreateAccount();
  auto full = Import(Header() + "\n" + R"({"op":"account.put","id":"b","name":"B","ownerUserId":"o","createdAt":0})");
  EXPECT_EQ(full->status, 412) << full->body;
  EXPECT_EQ(Code(full), "FAILED_PRECONDITION");
}

}  // namespace
}  // namespace gatehouse
