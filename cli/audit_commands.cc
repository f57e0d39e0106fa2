#include "audit_commands.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <vector>

#include "output.h"
#include "policy/policy_files.h"

namespace gatehouse::cli {
namespace {

using nlohmann::json;

// Reads the candidate directory as the daemon's own loader would select its files.
Result<json> CandidateFiles(const std::string& dir) {
  PolicyFileList listed = ListPolicyFiles(dir);
  if (!listed.ok()) {
    std::string message;
    for (const auto& e : listed.errors) message += (message.empty() ? "" : "\n") + e.ToString();
    return InvalidArgument(message);
  }
  json files = json::object();
  for (const auto& path : listed.files) {
    auto text = ReadPolicyFile(path);
    if (!text.ok()) return InvalidArgument(path + ": " + text.status().message());
    files[std::filesystem::path(path).lexically_relative(dir).generic_string()] = std::move(*text);
  }
  if (files.empty()) return InvalidArgument(dir + ": no *.yaml or *.yml files");
  return files;
}

}  // namespace

int RunDiff(const std::string& dir, const ClientOptions& options, bool json_output) {
  auto files = CandidateFiles(dir);
  if (!files.ok()) return Fail(files.status().message());
  auto client = Client::Open(options);
  if (!client.ok()) return Fail(client.status().message());
  auto r = client->Post("/v1/admin/policy-diff", json{{"files", std::move(*files)}}.dump());
  if (!r.ok()) return Fail(r.status().message());
  if (r->status != 200) return Refused("the policy diff", *r);
  const json body = json::parse(r->body, nullptr, false);
  if (!body.is_object() || !body.contains("valid")) return Fail("unexpected answer from the daemon: " + r->body);
  if (!body["valid"].get<bool>()) {
    if (json_output) std::printf("%s\n", body.dump(2).c_str());
    for (const auto& e : body["errors"]) std::fprintf(stderr, "%s\n", e.get<std::string>().c_str());
    std::fprintf(stderr, "gatehouse: %s is not a valid policy directory (%zu error(s))\n", dir.c_str(),
                 body["errors"].size());
    return 2;
  }
  const json& changes = body["changes"];
  const json& summary = body["summary"];
  if (json_output) {
    std::printf("%s\n", body.dump(2).c_str());
  } else if (changes.empty()) {
    std::printf("no access changes: every stored grant keeps its permissions under %s\n", dir.c_str());
  } else {
    Table table({"ACCOUNT", "SUBJECT", "ASSIGNMENT", "ROLE", "SCOPE", "GAINED", "LOST"});
    for (const auto& c : changes) {
      std::string role = c["roleId"].get<std::string>();
      if (c.contains("error")) role += " (" + c["error"].get<std::string>() + ")";
      table.Add(
          {c["accountId"], c["subject"]["subjectType"].get<std::string>() + ":" + c["subject"]["id"].get<std::string>(),
           c["assignmentId"], role, c["scope"]["type"].get<std::string>() + ":" + c["scope"]["id"].get<std::string>(),
           JoinedOrDash(c["gained"], ","), JoinedOrDash(c["lost"], ",")});
    }
    table.Print();
    std::printf("%zu grant(s) of %zu subject(s) in %zu account(s) change: +%zu / -%zu permission(s)\n",
                summary["grantsChanged"].get<std::size_t>(), summary["subjects"].get<std::size_t>(),
                summary["accounts"].get<std::size_t>(), summary["permissionsGained"].get<std::size_t>(),
                summary["permissionsLost"].get<std::size_t>());
  }
  return changes.empty() ? 0 : 1;
}

int RunReview(const ClientOptions& options, bool csv, std::optional<std::uint64_t> at, bool json_output) {
  auto client = Client::Open(options);
  if (!client.ok()) return Fail(client.status().message());
  std::string path = "/v1/access-review?format=" + std::string(csv ? "csv" : "json");
  if (at) path += "&at=" + std::to_string(*at);
  auto r = client->Get(path);
  if (!r.ok()) return Fail(r.status().message());
  if (r->status != 200) return Refused("the review", *r);
  if (csv) {
    std::fwrite(r->body.data(), 1, r->body.size(), stdout);
    return 0;
  }
  const json body = json::parse(r->body, nullptr, false);
  if (!body.is_object() || !body.contains("rows")) return Fail("unexpected answer from the daemon: " + r->body);
  if (json_output) {
    std::printf("%s\n", body.dump(2).c_str());
    return 0;
  }
  Table table({"SUBJECT", "NAME", "ROLE", "SCOPE", "STATUS", "PERMISSIONS"});
  for (const auto& row : body["rows"]) {
    const json& s = row["subject"];
    table.Add({s["subjectType"].get<std::string>() + ":" + s["id"].get<std::string>(), s.value("name", "-"),
               row["roleId"], JoinedOrDash(row["scope"]["path"], "/"), row["status"],
               JoinedOrDash(row["permissions"], " ")});
  }
  table.Print();
  std::printf("%zu grant(s) at revision %llu; %zu pending invite(s)\n", body["rows"].size(),
              static_cast<unsigned long long>(body["revision"].get<std::uint64_t>()), body["invites"].size());
  return 0;
}

}  // namespace gatehouse::cli
