// POST /v1/check, /v1/check/batch, /v1/access/assets, /v1/access/subjects (api.md §3.1).
#include <functional>

#include "api/check_body.h"
#include "api/route_kernel.h"
#include "api/routes.h"
#include "engine/decider.h"

namespace gatehouse::api {
namespace {

// What is wrong with a check that FastCheck refused: the first problem, naming the field
// under `path` ("" for a whole body), or OK when nothing is.
Status CheckProblem(const json& body, const std::string& path) {
  if (!body.is_object()) return FieldError(path.empty() ? "body" : path, "must be an object");
  const std::string prefix = path.empty() ? "" : path + ".";
  auto subject = body.find("subject");
  if (subject == body.end()) return FieldError(prefix + "subject", "is required", "REQUIRED_FIELD");
  if (auto s = ParseSubject(*subject, prefix + "subject"); !s.ok()) return s.status();
  Status error;
  auto permission = OptString(body, "permission", path, &error);
  if (!error.ok()) return error;
  if (!permission || permission->empty())
    return FieldError(prefix + "permission", "must not be empty", "REQUIRED_FIELD");
  auto asset = body.find("asset");
  if (asset == body.end() || !asset->is_object()) {
    return FieldError(prefix + "asset", "is required: {\"id\": \"...\"}", "REQUIRED_FIELD");
  }
  auto asset_id = OptString(*asset, "id", prefix + "asset", &error);
  if (!error.ok()) return error;
  if (!asset_id || asset_id->empty()) return FieldError(prefix + "asset.id", "must not be empty", "REQUIRED_FIELD");
  (void)OptBool(body, "explain", path, &error);
  return error;
}

// The general path reads a well-formed check (a CheckView, check_body.h) without copying:
// views into the parsed body, which outlives the request's decisions. Anything unusual (a
// wrong type, a missing or empty field, an unknown subjectType) yields nullopt, and
// CheckProblem then explains it with a field path.

std::optional<std::string_view> NonEmptyString(const json& obj, const char* field) {
  auto it = obj.find(field);
  if (it == obj.end() || !it->is_string()) return std::nullopt;
  const std::string& s = it->get_ref<const std::string&>();
  if (s.empty()) return std::nullopt;
  return std::string_view(s);
}

std::optional<CheckView> FastCheck(const json& body) {
  if (!body.is_object()) return std::nullopt;
  CheckView c;
  auto subject = body.find("subject");
  if (subject == body.end() || !subject->is_object()) return std::nullopt;
  auto subject_id = NonEmptyString(*subject, "id");
  if (!subject_id) return std::nullopt;
  c.subject_id = *subject_id;
  if (auto type = subject->find("subjectType"); type != subject->end() && !type->is_null()) {
    if (!type->is_string()) return std::nullopt;
    auto parsed = ParseSubjectType(type->get_ref<const std::string&>());
    if (!parsed) return std::nullopt;
    c.subject_type = *parsed;
  }
  auto permission = NonEmptyString(body, "permission");
  if (!permission) return std::nullopt;
  c.permission = *permission;
  auto asset = body.find("asset");
  if (asset == body.end() || !asset->is_object()) return std::nullopt;
  auto asset_id = NonEmptyString(*asset, "id");
  if (!asset_id) return std::nullopt;
  c.asset_id = *asset_id;
  if (auto explain = body.find("explain"); explain != body.end() && !explain->is_null()) {
    if (!explain->is_boolean()) return std::nullopt;
    c.explain = explain->get<bool>();
  }
  return c;
}

json ExplanationJson(const Explanation& ex) {
  json j = {{"reason", DenyReasonName(ex.reason)}, {"message", ex.message}};
  if (ex.assignment) {
    const auto& a = *ex.assignment;
    j["assignmentId"] = std::to_string(a.id);
    j["policyId"] = a.role_id;
  }
  if (!ex.role_chain.empty()) j["roleChain"] = ex.role_chain;
  if (!ex.statement.empty()) j["statement"] = ex.statement;
  if (!ex.asset_chain.empty()) j["assetChain"] = ex.asset_chain;
  return j;
}

// {"allowed":true} without building a JSON tree: the hot path.
constexpr std::string_view kAllowed = "{\"allowed\":true}";
constexpr std::string_view kDenied = "{\"allowed\":false}";

// A check from a request body: read as views when well-formed; otherwise CheckProblem says
// what is wrong, naming the field under `path` (built only then).
Result<CheckView> ReadCheck(const json& body, const std::function<std::string()>& path) {
  if (auto c = FastCheck(body)) return *c;
  Status problem = CheckProblem(body, path());
  return problem.ok() ? Internal("the check at \"" + path() + "\" could not be read") : problem;
}

// A batch body's checks, by the general path: the errors name the field ("checks[3].asset").
// The views in *out point into `body`.
Status ReadBatch(const json& body, std::size_t limit, std::vector<CheckView>* out) {
  out->clear();
  auto checks = body.find("checks");
  if (checks == body.end() || !checks->is_array()) {
    return FieldError("checks", "is required: a list of checks", "REQUIRED_FIELD");
  }
  if (checks->size() > limit) {
    return FieldError("checks",
                      "at most " + std::to_string(limit) + " checks per request, got " + std::to_string(checks->size()),
                      "MAX_SIZE");
  }
  out->reserve(checks->size());
  for (std::size_t i = 0; i < checks->size(); ++i) {
    auto one = ReadCheck((*checks)[i], [i] { return "checks[" + std::to_string(i) + "]"; });
    if (!one.ok()) return one.status();
    out->push_back(*one);
  }
  return Status::Ok();
}

// Decisions by result and deny reason (gatehouse_decisions_total), one lock-free counter
// per reason.
using DecisionCounters = std::array<std::shared_ptr<ShardedCounter>, kDenyReasonCount>;

std::shared_ptr<const DecisionCounters> MakeDecisionCounters(Metrics* metrics) {
  auto counters = std::make_shared<DecisionCounters>();
  if (metrics != nullptr) {
    metrics->Describe("gatehouse_decisions_total", Metrics::Type::kCounter,
                      "Decisions made by /v1/check and /v1/check/batch, by result and deny reason");
  }
  for (std::size_t i = 0; i < kDenyReasonCount; ++i) {
    const auto reason = static_cast<DenyReason>(i);
    const std::string series = "gatehouse_decisions_total{" +
                               LabelList({{"result", reason == DenyReason::kNone ? "allowed" : "denied"},
                                          {"reason", DenyReasonName(reason)}}) +
                               "}";
    (*counters)[i] = metrics != nullptr ? metrics->Counter(series) : std::make_shared<ShardedCounter>();
  }
  return counters;
}

// Appends one decision's JSON to `out`: the constant bodies on the hot path, a tree only
// when an explanation was asked for.
void AppendDecision(std::string& out, const Snapshot& snap, const std::string& account, const CheckView& c,
                    Timestamp now, const DecisionCounters& counters) {
  const CheckQuery q{account, c.subject_type, c.subject_id, c.permission, c.asset_id};
  if (!c.explain) {
    const DenyReason reason = Decide(snap, q, now);
    counters[static_cast<std::size_t>(reason)]->Add();
    out += reason == DenyReason::kNone ? kAllowed : kDenied;
    return;
  }
  const Explanation ex = Explain(snap, q, now);
  counters[static_cast<std::size_t>(ex.reason)]->Add();
  out += json{{"allowed", ex.allowed}, {"explanation", ExplanationJson(ex)}}.dump();
}

Result<std::size_t> PageLimit(const json& body, std::size_t max) {
  Status error;
  auto limit = OptInt(body, "limit", "", &error);
  if (!error.ok()) return error;
  if (!limit) return std::min<std::size_t>(100, max);
  if (*limit < 1 || static_cast<std::size_t>(*limit) > max) {
    return FieldError("limit", "must be from 1 to " + std::to_string(max), "OUT_OF_RANGE");
  }
  return static_cast<std::size_t>(*limit);
}

}  // namespace

void RegisterDecisionRoutes(Router& server, const ApiServices& services, const ApiOptions& options) {
  const ApiOptions* o = &options;
  auto decisions = MakeDecisionCounters(services.metrics);
  Serve(server, services,
        {
            // The decision reads the request's one snapshot: the same the key was checked on.
            // Both check routes read their own bodies: simdjson on the hot path (check_body.h);
            // anything it does not take goes the general way, which names what is wrong.
            {"POST", "/v1/check", Access::kAccount, "access.check", false,
             [decisions](Call& c) -> Result<Reply> {
               Reply reply;
               CheckView fast;
               if (FastReadCheck(c.http.body, &fast)) {
                 AppendDecision(reply.body, *c.snapshot, c.account_id, fast, c.now, *decisions);
                 return reply;
               }
               auto body = ParseJsonObject(c.http.body);
               if (!body.ok()) return body.status();
               auto check = ReadCheck(*body, [] { return std::string(); });
               if (!check.ok()) return check.status();
               AppendDecision(reply.body, *c.snapshot, c.account_id, *check, c.now, *decisions);
               return reply;
             }},
            {"POST", "/v1/check/batch", Access::kAccount, "access.check", false,
             [o, decisions](Call& c) -> Result<Reply> {
               thread_local std::vector<CheckView> parsed;
               json general;  // the general path's tree, which its views point into
               if (!FastReadBatch(c.http.body, o->batch_check_limit, &parsed)) {
                 auto body = ParseJsonObject(c.http.body);
                 if (!body.ok()) return body.status();
                 general = std::move(*body);
                 auto checks = ReadBatch(general, o->batch_check_limit, &parsed);
                 if (!checks.ok()) return checks;
               }
               Reply reply;  // one snapshot: the batch is consistent
               std::string& out = reply.body;
               out.reserve(16 + parsed.size() * (kDenied.size() + 1));
               out += "{\"results\":[";
               for (std::size_t i = 0; i < parsed.size(); ++i) {
                 if (i > 0) out += ',';
                 AppendDecision(out, *c.snapshot, c.account_id, parsed[i], c.now, *decisions);
               }
               out += "]}";
               return reply;
             }},
            {"POST", "/v1/access/assets", Access::kAccount, "access.review", true,
             [o](Call& c) -> Result<Reply> {
               auto subject = RequiredSubject(c.body, "subject");
               if (!subject.ok()) return subject.status();
               Status error;
               auto permission = OptString(c.body, "permission", "", &error);
               auto type = OptString(c.body, "assetType", "", &error);
               auto cursor = OptString(c.body, "cursor", "", &error);
               if (!error.ok()) return error;
               if (!permission || permission->empty())
                 return FieldError("permission", "must not be empty", "REQUIRED_FIELD");
               auto limit = PageLimit(c.body, o->page_size_limit);
               if (!limit.ok()) return limit.status();
               AssetPage page = ListAssets(*c.snapshot, c.account_id, *subject, *permission, type.value_or(""), *limit,
                                           cursor.value_or(""), c.now);
               json assets = json::array();
               for (const auto& a : page.assets) {
                 json item = {{"id", a.id}, {"type", a.type}};
                 if (!a.name.empty()) item["name"] = a.name;
                 assets.push_back(std::move(item));
               }
               json out = {{"assets", std::move(assets)}};
               if (!page.next_cursor.empty()) out["nextCursor"] = page.next_cursor;
               return Reply::Json(200, out);
             }},
            {"POST", "/v1/access/subjects", Access::kAccount, "access.review", true,
             [o](Call& c) -> Result<Reply> {
               Status error;
               auto asset = c.body.find("asset");
               if (asset == c.body.end() || !asset->is_object()) {
                 return FieldError("asset", "is required: {\"id\": \"...\"}", "REQUIRED_FIELD");
               }
               auto asset_id = OptString(*asset, "id", "asset", &error);
               auto permission = OptString(c.body, "permission", "", &error);
               auto cursor = OptString(c.body, "cursor", "", &error);
               if (!error.ok()) return error;
               if (!asset_id || asset_id->empty()) return FieldError("asset.id", "must not be empty", "REQUIRED_FIELD");
               if (!permission || permission->empty())
                 return FieldError("permission", "must not be empty", "REQUIRED_FIELD");
               auto limit = PageLimit(c.body, o->page_size_limit);
               if (!limit.ok()) return limit.status();
               SubjectPage page =
                   ListSubjects(*c.snapshot, c.account_id, *asset_id, *permission, *limit, cursor.value_or(""), c.now);
               json subjects = json::array();
               for (const auto& sub : page.subjects) {
                 subjects.push_back({{"id", sub.id}, {"subjectType", SubjectTypeName(sub.type)}});
               }
               json out = {{"subjects", std::move(subjects)}};
               if (!page.next_cursor.empty()) out["nextCursor"] = page.next_cursor;
               return Reply::Json(200, out);
             }},
        });
}

}  // namespace gatehouse::api
