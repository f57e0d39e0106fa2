// Audit benchmarks (make bench): the routes of the audit half, end to end over loopback
// HTTP against an in-process ApiServer, on a real SQLite change log.
//
//   1. an account of 100 k members (one change set per member: the user and an assignment)
//      — GET /v1/access-review as JSON and CSV (time, body size, peak extra memory of the
//      process while it streams), ?at=REV (the replay), the review diff, and the change
//      feed read page by page (changes/s);
//   2. 1 M stored assignments over 10 k accounts — POST /v1/admin/policy-diff with the
//      shipped policies unchanged, and with a DENY added to a widely held role.
//
// Peak extra memory: the kernel's high-water mark of the resident set (VmHWM) is reset
// (/proc/self/clear_refs) before a request; the number is VmHWM after it minus VmRSS before.
#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "api/api_server.h"
#include "codec/json_change_codec.h"
#include "policy/policy_loader.h"
#include "store/plugin_change_log.h"
#include "team/committer.h"

namespace gatehouse {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Steady = std::chrono::steady_clock;

constexpr const char* kKey = "ghs_bench-system-key";

long StatusKb(const char* field) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(std::strlen(field)));
  }
  return -1;
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "audit_bench: %s\n", what.c_str());
  std::exit(1);
}

void ResetPeak() { std::ofstream("/proc/self/clear_refs") << "5"; }

double Ms(Steady::time_point since) { return std::chrono::duration<double, std::milli>(Steady::now() - since).count(); }

std::shared_ptr<const PolicySet> Policies() {
  static auto set = LoadPolicyDirectory(std::string(GATEHOUSE_SOURCE_DIR) + "/policies").policy_set;
  return set;
}

// One in-process server over `holder`, with the audit routes' services.
struct Server {
  Server(SnapshotHolder* holder, ChangeLog* log, const ChangeCodec* codec)
      : feed(log, holder), history(log, codec), keys(std::vector<std::string>{Sha256Hex(kKey)}) {
    ApiServices s;
    s.snapshots = holder;
    s.feed = &feed;
    s.history = &history;
    s.compile_policies = CompileCandidatePolicies;
    s.keys = &keys;
    s.clock = &clock;
    ApiOptions o;
    o.port = 0;
    o.max_body_bytes = 16u << 20;
    o.worker_threads = 4;
    o.write_timeout_ms = 600'000;
    server = std::make_unique<ApiServer>(o, s);
    auto p = server->Start();
    if (!p.ok()) Die(p.status().message());
    port = *p;
  }
  ~Server() { server->Stop(); }

  // Sends a request and keeps only the answer's size and its last 4 kB (the client's copy
  // of a large body would otherwise count in the process's peak memory).
  struct Answer {
    int status = 0;
    std::size_t bytes = 0;
    std::string tail;
  };
  Answer Send(const std::string& method, const std::string& path, const std::string& body) {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(600, 0);
    c.set_write_timeout(600, 0);
    httplib::Request req;
    req.method = method;
    req.path = path;
    req.headers = {{"Authorization", std::string("Bearer ") + kKey}, {"wix-account-id", "big"}};
    if (method == "POST") {
      req.body = body;
      req.headers.emplace("Content-Type", "application/json");
    }
    Answer a;
    req.content_receiver = [&a](const char* data, std::size_t n, std::uint64_t, std::uint64_t) {
      a.bytes += n;
      a.tail.append(data, n);
      if (a.tail.size() > 8192) a.tail.erase(0, a.tail.size() - 4096);
      return true;
    };
    auto r = c.send(req);
    if (r) a.status = r->status;
    return a;
  }

  httplib::Result Get(const std::string& path) {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(600, 0);
    return c.Get(path, httplib::Headers{{"Authorization", std::string("Bearer ") + kKey}, {"wix-account-id", "big"}});
  }

  ChangeFeed feed;
  ReviewHistory history;
  KeyAuthenticator keys;
  SystemClock clock;
  std::unique_ptr<ApiServer> server;
  int port = 0;
};

// Times one GET and reports its size and the process's peak extra memory.
void Measure(Server& server, const std::string& label, const std::string& path) {
  const long rss_before = StatusKb("VmRSS:");
  ResetPeak();
  const auto start = Steady::now();
  auto r = server.Send("GET", path, "");
  const double ms = Ms(start);
  if (r.status != 200) {
    std::printf("%-44s FAILED %d %s\n", label.c_str(), r.status, r.tail.substr(0, 200).c_str());
    return;
  }
  const long peak = StatusKb("VmHWM:");
  std::printf("%-44s %9.1f ms  %8.1f MB body  peak extra %7.1f MB\n", label.c_str(), ms, r.bytes / 1e6,
              (peak - rss_before) / 1024.0);
}

void ReviewOfAHundredThousandMembers(std::size_t members) {
  const fs::path dir = fs::temp_directory_path() / "gatehouse-audit-bench";
  fs::remove_all(dir);
  fs::create_directories(dir);
  PluginHost host(GATEHOUSE_PLUGIN_DIR);
  auto plugin = host.Load("storage", "sqlite");
  if (!plugin.ok()) Die(plugin.status().message());
  auto log =
      PluginChangeLog::Open(*plugin, {{"path", (dir / "audit.db").string()}, {"synchronous", "NORMAL"}}, nullptr);
  if (!log.ok()) Die(log.status().message());
  JsonChangeCodec codec;

  // The log: the account, 20 sites, then one change set per member.
  const Timestamp at = 1'800'000'000'000;
  std::vector<ChangeRecord> batch;
  std::uint64_t head = 0;
  auto flush = [&] {
    auto h = (*log)->Append(batch, head);
    if (!h.ok()) Die(h.status().message());
    head = *h;
    batch.clear();
  };
  {
    ChangeSet set{"account.created", "big", "system", at, {}};
    set.changes.push_back(AccountCreated{Account{"big", "Big", "owner", at}});
    Assignment owner;
    owner.id = 1;
    owner.account_id = "big";
    owner.subject = Subject{"owner", SubjectType::kUser};
    owner.role_id = "owner";
    owner.created_at = at;
    set.changes.push_back(AssignmentAdded{owner});
    for (int s = 0; s < 20; ++s)
      set.changes.push_back(AssetPut{Asset{"big", "s" + std::to_string(s), "site", "Site", ""}});
    batch.push_back(codec.ToRecord(set));
  }
  const char* roles[] = {"website-manager", "website-designer", "back-office-manager", "admin", "billing-manager"};
  for (std::size_t i = 0; i < members; ++i) {
    ChangeSet set{"assignments.updated", "big", "key:k1", at + static_cast<Timestamp>(i), {}};
    const std::string id = "user-" + std::to_string(i);
    set.changes.push_back(UserPut{User{id, id + "@big.test", "First" + std::to_string(i), "Last", ""}});
    Assignment a;
    a.id = i + 2;
    a.account_id = "big";
    a.subject = Subject{id, SubjectType::kUser};
    a.role_id = roles[i % 5];
    if (i % 5 != 4) a.restriction = Restriction{Restriction::Kind::kSite, {"s" + std::to_string(i % 20)}};
    a.created_at = set.at;
    set.changes.push_back(AssignmentAdded{a});
    batch.push_back(codec.ToRecord(set));
    if (batch.size() == 1000) flush();
  }
  flush();

  SnapshotHolder holder(std::make_shared<Snapshot>(Policies(), 0));
  Committer committer(log->get(), &codec, &holder);
  auto t = Steady::now();
  if (auto loaded = committer.LoadAll(); !loaded.ok()) Die(loaded.status().message());
  std::printf("account of %zu members: %llu revisions, loaded in %.0f ms\n", members,
              static_cast<unsigned long long>(head), Ms(t));

  Server server(&holder, log->get(), &codec);
  Measure(server, "GET /v1/access-review (json)", "/v1/access-review");
  Measure(server, "GET /v1/access-review?format=csv", "/v1/access-review?format=csv");
  Measure(server, "GET /v1/access-review?at=head-1 (replay)", "/v1/access-review?at=" + std::to_string(head - 1));
  Measure(server, "GET /v1/access-review/diff (half the log)",
          "/v1/access-review/diff?from=" + std::to_string(head / 2) + "&to=" + std::to_string(head));

  // The feed, page by page from the beginning.
  t = Steady::now();
  std::uint64_t since = 0;
  std::size_t read = 0;
  for (;;) {
    auto r = server.Get("/v1/changes?limit=1000&since=" + std::to_string(since));
    if (!r || r->status != 200) Die("change feed: " + (r ? r->body : std::string("no answer")));
    const json page = json::parse(r->body);
    if (page["changes"].empty()) break;
    read += page["changes"].size();
    since = page["nextSince"].get<std::uint64_t>();
  }
  const double feed_ms = Ms(t);
  std::printf("%-44s %9.1f ms  %zu changes = %.0f changes/s\n", "GET /v1/changes?limit=1000, every page", feed_ms, read,
              read / (feed_ms / 1000.0));
  fs::remove_all(dir);
}

std::string ShippedFilesJson(const std::string& extra_deny_role) {
  const fs::path root = fs::path(GATEHOUSE_SOURCE_DIR) / "policies";
  json files = json::object();
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path());
    std::stringstream text;
    text << in.rdbuf();
    std::string body = text.str();
    const std::string rel = e.path().lexically_relative(root).string();
    if (!extra_deny_role.empty() && rel == "roles/" + extra_deny_role + ".yaml") {
      body += "  - effect: DENY\n    permissions: [site.publish]\n";
    }
    files[rel] = body;
  }
  return json{{"files", files}}.dump();
}

void PolicyDiffOverAMillionAssignments(std::size_t accounts, std::size_t per_account) {
  auto snapshot = std::make_shared<Snapshot>(Policies(), 1);
  const char* roles[] = {"website-manager", "website-designer", "back-office-manager", "admin", "billing-manager"};
  std::vector<std::shared_ptr<const AccountState>> states;
  std::uint64_t next = 1;
  for (std::size_t a = 0; a < accounts; ++a) {
    const std::string id = "acct-" + std::to_string(a);
    auto state = std::make_shared<AccountState>(Account{id, id, "owner", 0});
    for (int s = 0; s < 10; ++s) state->ApplyAssetPut(Asset{id, "s" + std::to_string(s), "site", "Site", ""});
    for (std::size_t m = 0; m < per_account; ++m) {
      Assignment g;
      g.id = next++;
      g.account_id = id;
      g.subject = Subject{m == 0 ? "owner" : "u" + std::to_string(m), SubjectType::kUser};
      g.role_id = m == 0 ? "owner" : roles[m % 5];
      if (m != 0 && m % 5 != 4) g.restriction = Restriction{Restriction::Kind::kSite, {"s" + std::to_string(m % 10)}};
      state->ApplyAssignmentAdded(g);
    }
    states.push_back(std::move(state));
  }
  snapshot->PutAccounts(std::move(states));
  SnapshotHolder holder(snapshot);
  JsonChangeCodec codec;
  Server server(&holder, nullptr, &codec);
  std::printf("%zu accounts x %zu assignments = %zu stored assignments\n", accounts, per_account,
              accounts * per_account);
  for (const auto& [label, role] : {std::pair<const char*, const char*>{"unchanged policies", ""},
                                    {"DENY site.publish added to website-designer", "website-designer"}}) {
    const std::string body = ShippedFilesJson(role);
    for (int run = 1; run <= 3; ++run) {
      const long rss_before = StatusKb("VmRSS:");
      ResetPeak();
      const auto t = Steady::now();
      auto r = server.Send("POST", "/v1/admin/policy-diff", body);
      const double ms = Ms(t);
      if (r.status != 200) Die("policy diff: " + r.tail.substr(0, 300));
      const auto at = r.tail.rfind("\"summary\":");
      const json summary = json::parse(r.tail.substr(at + 10, r.tail.size() - at - 11), nullptr, false);
      std::printf("POST /v1/admin/policy-diff, %-44s run %d: %7.1f ms  %s changes  %.1f MB body  peak extra %.1f MB\n",
                  label, run, ms, summary.is_object() ? summary["grantsChanged"].dump().c_str() : "?", r.bytes / 1e6,
                  (StatusKb("VmHWM:") - rss_before) / 1024.0);
    }
  }
}

}  // namespace
}  // namespace gatehouse

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  const std::size_t members = argc > 1 ? std::stoul(argv[1]) : 100'000;
  const std::size_t accounts = argc > 2 ? std::stoul(argv[2]) : 10'000;
  std::printf("== access review, diff and change feed\n");
  gatehouse::ReviewOfAHundredThousandMembers(members);
  std::printf("== policy impact\n");
  gatehouse::PolicyDiffOverAMillionAssignments(accounts, 100);
  return 0;
}
