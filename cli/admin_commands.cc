#include "admin_commands.h"

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "output.h"

namespace gatehouse::cli {
namespace {

using nlohmann::json;

// One call with the common failure handling: nullopt after printing the error; else the
// parsed JSON answer of a 2xx (an empty object for an empty body).
std::optional<json> Call(const AdminArgs& a, const std::string& what, const std::string& method,
                         const std::string& path, const json* body, int* rc) {
  *rc = 2;
  auto client = Client::Open(a.client);
  if (!client.ok()) {
    Fail(client.status().message());
    return std::nullopt;
  }
  auto r = method == "GET"    ? client->Get(path)
           : method == "POST" ? client->Post(path, body != nullptr ? body->dump() : std::string())
                              : client->Delete(path);
  if (!r.ok()) {
    Fail(r.status().message());
    return std::nullopt;
  }
  if (r->status < 200 || r->status >= 300) {
    Refused(what, *r);
    return std::nullopt;
  }
  json out = r->body.empty() ? json::object() : json::parse(r->body, nullptr, false);
  if (out.is_discarded()) {
    Fail("unexpected answer from the daemon to " + what + ": " + r->body.substr(0, 200));
    return std::nullopt;
  }
  *rc = 0;
  return out;
}

json SubjectOf(const std::string& id, const std::string& type) { return {{"id", id}, {"subjectType", type}}; }

bool NeedArgs(const AdminArgs& a, std::size_t n, const char* usage) {
  if (a.positional.size() == n) return true;
  Fail(std::string("usage: gatehouse ") + usage);
  return false;
}

// Every page of a reverse query: `key` is the list in each answer.
std::optional<json> AllPages(const AdminArgs& a, const std::string& what, const std::string& path, json body,
                             const char* key, int* rc) {
  json all = json::array();
  body["limit"] = 1000;
  for (;;) {
    auto page = Call(a, what, "POST", path, &body, rc);
    if (!page) return std::nullopt;
    for (auto& item : (*page)[key]) all.push_back(std::move(item));
    const std::string cursor = page->value("nextCursor", std::string());
    if (cursor.empty()) break;
    body["cursor"] = cursor;
  }
  return json{{key, std::move(all)}};
}

}  // namespace

int RunCheck(const AdminArgs& a) {
  if (!NeedArgs(a, 3, "check SUBJECT PERMISSION ASSET [--type T] [--explain]")) return 2;
  json body = {{"subject", SubjectOf(a.positional[0], a.subject_type)},
               {"permission", a.positional[1]},
               {"asset", {{"id", a.positional[2]}}}};
  if (a.explain) body["explain"] = true;
  int rc = 2;
  auto out = Call(a, "the check", "POST", "/v1/check", &body, &rc);
  if (!out) return rc;
  const bool allowed = out->value("allowed", false);
  if (a.json) {
    std::printf("%s\n", out->dump(2).c_str());
  } else {
    std::printf("%s\n", allowed ? "ALLOWED" : "DENIED");
    if (out->contains("explanation")) {
      const json& ex = (*out)["explanation"];
      std::printf("  reason:     %s\n  why:        %s\n", ex.value("reason", "").c_str(),
                  ex.value("message", "").c_str());
      if (ex.contains("assignmentId")) {
        std::printf("  assignment: %s (role %s)\n", ex["assignmentId"].get<std::string>().c_str(),
                    ex.value("policyId", "").c_str());
      }
      if (ex.contains("roleChain")) std::printf("  roles:      %s\n", JoinedOrDash(ex["roleChain"], " -> ").c_str());
      if (ex.contains("statement")) std::printf("  statement:  %s\n", ex["statement"].get<std::string>().c_str());
      if (ex.contains("assetChain")) std::printf("  assets:     %s\n", JoinedOrDash(ex["assetChain"], " <- ").c_str());
    }
  }
  return allowed ? 0 : 1;
}

int RunWhoCan(const AdminArgs& a) {
  if (!NeedArgs(a, 2, "who-can PERMISSION ASSET")) return 2;
  int rc = 2;
  auto out = AllPages(a, "who-can", "/v1/access/subjects",
                      {{"permission", a.positional[0]}, {"asset", {{"id", a.positional[1]}}}}, "subjects", &rc);
  if (!out) return rc;
  if (a.json) {
    std::printf("%s\n", out->dump(2).c_str());
    return 0;
  }
  Table table({"SUBJECT_TYPE", "SUBJECT"});
  for (const auto& s : (*out)["subjects"]) table.Add({s["subjectType"], s["id"]});
  table.Print();
  std::printf("%zu subject(s) may %s on %s\n", (*out)["subjects"].size(), a.positional[0].c_str(),
              a.positional[1].c_str());
  return 0;
}

int RunWhatCan(const AdminArgs& a) {
  if (!NeedArgs(a, 2, "what-can SUBJECT PERMISSION [--type T] [--asset-type A]")) return 2;
  json body = {{"subject", SubjectOf(a.positional[0], a.subject_type)}, {"permission", a.positional[1]}};
  if (!a.asset_type.empty()) body["assetType"] = a.asset_type;
  int rc = 2;
  auto out = AllPages(a, "what-can", "/v1/access/assets", body, "assets", &rc);
  if (!out) return rc;
  if (a.json) {
    std::printf("%s\n", out->dump(2).c_str());
    return 0;
  }
  Table table({"ASSET", "TYPE", "NAME"});
  for (const auto& s : (*out)["assets"]) table.Add({s["id"], s["type"], s.value("name", "")});
  table.Print();
  std::printf("%zu asset(s)\n", (*out)["assets"].size());
  return 0;
}

int RunStatus(const AdminArgs& a) {
  int rc = 2;
  auto out = Call(a, "the status request", "GET", "/v1/admin/status", nullptr, &rc);
  if (!out) return rc;
  if (a.json) {
    std::printf("%s\n", out->dump(2).c_str());
    return 0;
  }
  const json& last = (*out)["lastReload"];
  std::printf("revision:          %s\naccounts:          %s\npolicy generation: %s\npolicy files:      %zu\n",
              (*out)["revision"].dump().c_str(), (*out)["accounts"].dump().c_str(),
              (*out)["policyGeneration"].dump().c_str(), (*out)["policyFiles"].size());
  std::printf("last reload:       %s%s%s\n", last.value("ok", true) ? "ok" : "FAILED",
              last.contains("at") ? (" at " + last["at"].get<std::string>()).c_str() : "",
              last.contains("message") ? (": " + last["message"].get<std::string>()).c_str() : "");
  for (const auto& p : (*out)["plugins"]) std::printf("plugin:            %s\n", p.get<std::string>().c_str());
  if (out->contains("history")) {
    const json& h = (*out)["history"];
    std::printf("history kept from: revision %llu\nsnapshots:         %s (newest at revision %s)\n",
                static_cast<unsigned long long>(h.value("forgottenThrough", std::uint64_t{0}) + 1),
                h["snapshots"].dump().c_str(), h["newestSnapshot"].dump().c_str());
  }
  return 0;
}

int RunReload(const AdminArgs& a) {
  std::string path = "/v1/admin/reload";
  if (a.dry_run || a.force) path += "?";
  if (a.dry_run) path += "dryRun=true";
  if (a.force) path += std::string(a.dry_run ? "&" : "") + "force=true";
  int rc = 2;
  auto out = Call(a, a.dry_run ? "the reload dry run" : "the reload", "POST", path, nullptr, &rc);
  if (!out) return rc;
  if (a.json) {
    std::printf("%s\n", out->dump(2).c_str());
  } else if (a.dry_run) {
    std::printf("the policies would load; nothing was replaced\n");
  } else {
    std::printf("policies reloaded (generation %s)\n", (*out)["policyGeneration"].dump().c_str());
  }
  return 0;
}

int RunCompact(const AdminArgs& a) {
  int rc = 2;
  auto out = Call(a, "the compaction", "POST", "/v1/admin/compact", nullptr, &rc);
  if (!out) return rc;
  if (a.json) {
    std::printf("%s\n", out->dump(2).c_str());
    return 0;
  }
  if (!out->value("ran", false)) {
    std::printf("compaction did not run: %s\n", out->value("skipped", std::string("?")).c_str());
    return 0;
  }
  const std::uint64_t revision = out->value("snapshotRevision", std::uint64_t{0});
  if (revision != 0) {
    std::printf("snapshot:          revision %llu, %llu bytes, %lld ms\n", static_cast<unsigned long long>(revision),
                static_cast<unsigned long long>(out->value("snapshotBytes", std::uint64_t{0})),
                static_cast<long long>(out->value("snapshotMs", std::int64_t{0})));
  } else {
    std::printf("snapshot:          none needed (the newest is current)\n");
  }
  std::printf("history kept from: revision %llu\nsnapshots:         %llu kept, %llu dropped\n",
              static_cast<unsigned long long>(out->value("forgottenThrough", std::uint64_t{0}) + 1),
              static_cast<unsigned long long>(out->value("snapshotsKept", std::uint64_t{0})),
              static_cast<unsigned long long>(out->value("snapshotsDropped", std::uint64_t{0})));
  return 0;
}

int RunKeysCreate(const AdminArgs& a) {
  if (!NeedArgs(a, 1, "keys create SUBJECT [--type T] [--description D]")) return 2;
  json body = {{"subject", SubjectOf(a.positional[0], a.subject_type)}};
  if (!a.description.empty()) body["description"] = a.description;
  int rc = 2;
  auto out = Call(a, "the key", "POST", "/v1/api-keys", &body, &rc);
  if (!out) return rc;
  if (a.json) {
    std::printf("%s\n", out->dump(2).c_str());
  } else {
    std::printf("id:  %s\nkey: %s\n(the key is shown once; store it now)\n", (*out)["id"].get<std::string>().c_str(),
                (*out)["key"].get<std::string>().c_str());
  }
  return 0;
}

int RunKeysList(const AdminArgs& a) {
  int rc = 2;
  auto out = Call(a, "the key list", "GET", "/v1/api-keys", nullptr, &rc);
  if (!out) return rc;
  if (a.json) {
    std::printf("%s\n", out->dump(2).c_str());
    return 0;
  }
  Table table({"ID", "SUBJECT", "CREATED", "DESCRIPTION"});
  for (const auto& k : (*out)["keys"]) {
    table.Add({k["id"], k["subject"]["subjectType"].get<std::string>() + ":" + k["subject"]["id"].get<std::string>(),
               k["createdAt"], k.value("description", "")});
  }
  table.Print();
  return 0;
}

int RunKeysRevoke(const AdminArgs& a) {
  if (!NeedArgs(a, 1, "keys revoke ID")) return 2;
  int rc = 2;
  auto out = Call(a, "the revocation", "DELETE", "/v1/api-keys/" + a.positional[0], nullptr, &rc);
  if (!out) return rc;
  if (!a.json) std::printf("key %s revoked\n", a.positional[0].c_str());
  return 0;
}

int RunExport(const AdminArgs& a) {
  auto client = Client::Open(a.client);
  if (!client.ok()) return Fail(client.status().message());
  std::FILE* out = stdout;
  const std::string partial = a.output.empty() ? "" : a.output + ".partial";
  if (!a.output.empty()) {
    out = std::fopen(partial.c_str(), "wb");
    if (out == nullptr) return Fail("cannot write " + partial);
  }
  auto r = client->Download("/v1/admin/export", out);
  bool ok = r.ok() && r->status == 200;
  if (out != stdout) ok = (std::fclose(out) == 0) && ok;
  if (!r.ok()) return Fail(r.status().message());
  if (r->status != 200) return Refused("the export", *r);
  if (!ok) return Fail("writing " + partial + " failed");
  // Only a complete export takes the asked name: a cut-off one stays .partial.
  if (!a.output.empty() && std::rename(partial.c_str(), a.output.c_str()) != 0) {
    return Fail("cannot rename " + partial + " to " + a.output);
  }
  return 0;
}

int RunImport(const AdminArgs& a) {
  if (!NeedArgs(a, 1, "import FILE")) return 2;
  std::ifstream in(a.positional[0], std::ios::binary);
  if (!in) return Fail("cannot read " + a.positional[0]);
  std::stringstream data;
  data << in.rdbuf();
  auto client = Client::Open(a.client);
  if (!client.ok()) return Fail(client.status().message());
  auto r = client->Post("/v1/admin/import", data.str(), "application/x-ndjson");
  if (!r.ok()) return Fail(r.status().message());
  if (r->status != 200) return Refused("the import", *r);
  const json out = json::parse(r->body, nullptr, false);
  if (a.json || out.is_discarded()) {
    std::printf("%s\n", r->body.c_str());
  } else {
    std::printf("imported %s change(s) in %s change set(s); revision %s\n", out["changes"].dump().c_str(),
                out["changeSets"].dump().c_str(), out["revision"].dump().c_str());
  }
  return 0;
}

}  // namespace gatehouse::cli
