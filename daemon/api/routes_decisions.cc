// POST /v1/check, /v1/check/batch, /v1/access/assets, /v1/access/subjects (api.md §3.1).
#include <functional>

#include "api/request.h"
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

// A well-formed check read without copying: views into the parsed body, which outlives
// the request's decisions. Anything unusual (a wrong type, a missing or empty field, an
// unknown subjectType) yields nullopt, and CheckProblem then explains it with a field path.
struct CheckView {
  SubjectType subject_type = SubjectType::kUser;
  std::string_view subject_id, permission, asset_id;
  bool explain = false;
};

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

// Appends one decision's JSON to `out`: the constant bodies on the hot path, a tree only
// when an explanation was asked for.
void AppendDecision(std::string& out, const Snapshot& snap, const std::string& account, const CheckView& c,
                    Timestamp now) {
  const CheckQuery q{account, c.subject_type, c.subject_id, c.permission, c.asset_id};
  if (!c.explain) {
    out += Check(snap, q, now) ? kAllowed : kDenied;
    return;
  }
  const Explanation ex = Explain(snap, q, now);
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
  server.Post("/v1/check", [&services](const httplib::Request& req, httplib::Response& res) {
    Guard(res, [&] {
      auto call = AuthorizeWithBody(services, req, res, "access.check");
      if (!call) return;
      const Caller* caller = &call->caller;
      const json* body = &call->body;
      auto check = ReadCheck(*body, [] { return std::string(); });
      if (!check.ok()) return WriteError(res, check.status());
      std::string out;
      AppendDecision(out, *services.snapshots->Load(), caller->account_id, *check, services.clock->Now());
      res.set_content(out, "application/json");
    });
  });

  server.Post("/v1/check/batch", [&services, &options](const httplib::Request& req, httplib::Response& res) {
    Guard(res, [&] {
      auto call = AuthorizeWithBody(services, req, res, "access.check");
      if (!call) return;
      const Caller* caller = &call->caller;
      const json* body = &call->body;
      auto checks = body->find("checks");
      if (checks == body->end() || !checks->is_array()) {
        return WriteError(res, FieldError("checks", "is required: a list of checks", "REQUIRED_FIELD"));
      }
      if (checks->size() > options.batch_check_limit) {
        return WriteError(res, FieldError("checks",
                                          "at most " + std::to_string(options.batch_check_limit) +
                                              " checks per request, got " + std::to_string(checks->size()),
                                          "MAX_SIZE"));
      }
      std::vector<CheckView> parsed;
      parsed.reserve(checks->size());
      for (std::size_t i = 0; i < checks->size(); ++i) {
        auto c = ReadCheck((*checks)[i], [i] { return "checks[" + std::to_string(i) + "]"; });
        if (!c.ok()) return WriteError(res, c.status());
        parsed.push_back(*c);
      }
      auto snap = services.snapshots->Load();  // one snapshot: the batch is consistent
      const Timestamp now = services.clock->Now();
      std::string out;
      out.reserve(16 + parsed.size() * (kDenied.size() + 1));
      out += "{\"results\":[";
      for (std::size_t i = 0; i < parsed.size(); ++i) {
        if (i > 0) out += ',';
        AppendDecision(out, *snap, caller->account_id, parsed[i], now);
      }
      out += "]}";
      res.set_content(out, "application/json");
    });
  });

  server.Post("/v1/access/assets", [&services, &options](const httplib::Request& req, httplib::Response& res) {
    Guard(res, [&] {
      auto call = AuthorizeWithBody(services, req, res, "access.review");
      if (!call) return;
      const Caller* caller = &call->caller;
      const json* body = &call->body;
      auto subject = RequiredSubject(*body, "subject");
      if (!subject.ok()) return WriteError(res, subject.status());
      Status error;
      auto permission = OptString(*body, "permission", "", &error);
      auto type = OptString(*body, "assetType", "", &error);
      auto cursor = OptString(*body, "cursor", "", &error);
      if (!error.ok()) return WriteError(res, error);
      if (!permission || permission->empty())
        return WriteError(res, FieldError("permission", "must not be empty", "REQUIRED_FIELD"));
      auto limit = PageLimit(*body, options.page_size_limit);
      if (!limit.ok()) return WriteError(res, limit.status());
      auto snap = services.snapshots->Load();
      AssetPage page = ListAssets(*snap, caller->account_id, *subject, *permission, type.value_or(""), *limit,
                                  cursor.value_or(""), services.clock->Now());
      json assets = json::array();
      for (const auto& a : page.assets) {
        json item = {{"id", a.id}, {"type", a.type}};
        if (!a.name.empty()) item["name"] = a.name;
        assets.push_back(std::move(item));
      }
      json out = {{"assets", std::move(assets)}};
      if (!page.next_cursor.empty()) out["nextCursor"] = page.next_cursor;
      WriteJson(res, 200, out);
    });
  });

  server.Post("/v1/access/subjects", [&services, &options](const httplib::Request& req, httplib::Response& res) {
    Guard(res, [&] {
      auto call = AuthorizeWithBody(services, req, res, "access.review");
      if (!call) return;
      const Caller* caller = &call->caller;
      const json* body = &call->body;
      Status error;
      auto asset = body->find("asset");
      if (asset == body->end() || !asset->is_object()) {
        return WriteError(res, FieldError("asset", "is required: {\"id\": \"...\"}", "REQUIRED_FIELD"));
      }
      auto asset_id = OptString(*asset, "id", "asset", &error);
      auto permission = OptString(*body, "permission", "", &error);
      auto cursor = OptString(*body, "cursor", "", &error);
      if (!error.ok()) return WriteError(res, error);
      if (!asset_id || asset_id->empty())
        return WriteError(res, FieldError("asset.id", "must not be empty", "REQUIRED_FIELD"));
      if (!permission || permission->empty())
        return WriteError(res, FieldError("permission", "must not be empty", "REQUIRED_FIELD"));
      auto limit = PageLimit(*body, options.page_size_limit);
      if (!limit.ok()) return WriteError(res, limit.status());
      auto snap = services.snapshots->Load();
      SubjectPage page = ListSubjects(*snap, caller->account_id, *asset_id, *permission, *limit, cursor.value_or(""),
                                      services.clock->Now());
      json subjects = json::array();
      for (const auto& s : page.subjects) subjects.push_back({{"id", s.id}, {"subjectType", SubjectTypeName(s.type)}});
      json out = {{"subjects", std::move(subjects)}};
      if (!page.next_cursor.empty()) out["nextCursor"] = page.next_cursor;
      WriteJson(res, 200, out);
    });
  });
}

}  // namespace gatehouse::api
