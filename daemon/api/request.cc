#include "api/request.h"

#include "engine/decider.h"

namespace gatehouse::api {

void WriteError(httplib::Response& res, const Status& status) {
  res.status = HttpStatusFor(status.code());
  res.set_content(ErrorBody(status), "application/json");
}

void WriteJson(httplib::Response& res, int http_status, const json& body) {
  res.status = http_status;
  res.set_content(body.dump(), "application/json");
}

std::optional<Caller> Authorize(const ApiServices& services, const httplib::Request& req, httplib::Response& res,
                                std::string_view permission, bool account_scoped) {
  auto principal = services.keys->Authenticate(req.get_header_value("Authorization"));
  if (!principal.ok()) {
    WriteError(res, principal.status());
    return std::nullopt;
  }
  Caller caller{*principal, {}};
  if (!account_scoped) {
    if (!caller.principal.system) {
      WriteError(res, PermissionDenied("this operation needs a system key"));
      return std::nullopt;
    }
    return caller;
  }
  std::string account = req.get_header_value("wix-account-id");
  if (account.empty()) account = req.get_header_value("x-account-id");
  if (account.empty()) {
    WriteError(res, FieldError("wix-account-id", "header is required for this request", "REQUIRED_FIELD"));
    return std::nullopt;
  }
  caller.account_id = account;
  if (caller.principal.system) return caller;
  // An account key used with another account's id: 403, revealing nothing about it.
  if (caller.principal.account_id != account) {
    WriteError(res, PermissionDenied("this key may not act on the requested account"));
    return std::nullopt;
  }
  if (services.account_rate_limiter != nullptr) {
    std::int64_t retry_after_ms = 0;
    if (!services.account_rate_limiter->Admit(account, services.clock->Now(), &retry_after_ms)) {
      if (services.metrics != nullptr) services.metrics->Add("gatehouse_rate_limited_total");
      res.set_header("Retry-After", std::to_string((retry_after_ms + 999) / 1000));
      WriteError(res, ResourceExhausted("account \"" + account + "\" is over its request rate; retry in " +
                                        std::to_string(retry_after_ms) + " ms"));
      return std::nullopt;
    }
  }
  auto snapshot = services.snapshots->Load();
  CheckQuery q{account, caller.principal.subject.type, caller.principal.subject.id, permission, account};
  if (!Check(*snapshot, q, services.clock->Now())) {
    WriteError(res, PermissionDenied("the key's subject lacks permission \"" + std::string(permission) + "\""));
    return std::nullopt;
  }
  return caller;
}

std::optional<JsonCall> AuthorizeWithBody(const ApiServices& services, const httplib::Request& req,
                                          httplib::Response& res, std::string_view permission, bool account_scoped) {
  auto caller = Authorize(services, req, res, permission, account_scoped);
  if (!caller) return std::nullopt;
  auto body = ParseBody(req, res);
  if (!body) return std::nullopt;
  return JsonCall{std::move(*caller), std::move(*body)};
}

Result<Subject> RequiredSubject(const json& body, const char* field) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return FieldError(field, "is required", "REQUIRED_FIELD");
  return ParseSubject(*it, field);
}

std::optional<json> ParseBody(const httplib::Request& req, httplib::Response& res) {
  // No body (a bare `curl -X POST`) reads as {}: required fields are then reported by name.
  if (req.body.find_first_not_of(" \t\r\n") == std::string::npos) return json::object();
  json body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    WriteError(res, InvalidArgument("request body is not valid JSON"));
    return std::nullopt;
  }
  if (!body.is_object()) {
    WriteError(res, InvalidArgument("request body must be a JSON object"));
    return std::nullopt;
  }
  return body;
}

namespace {
std::string Join(const std::string& path, const char* field) {
  return path.empty() ? std::string(field) : path + "." + field;
}
}  // namespace

std::optional<std::string> OptString(const json& obj, const char* field, const std::string& path, Status* error) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) {
    *error = FieldError(Join(path, field), "must be a string");
    return std::nullopt;
  }
  return it->get<std::string>();
}

std::optional<bool> OptBool(const json& obj, const char* field, const std::string& path, Status* error) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return std::nullopt;
  if (!it->is_boolean()) {
    *error = FieldError(Join(path, field), "must be true or false");
    return std::nullopt;
  }
  return it->get<bool>();
}

std::optional<std::int64_t> OptInt(const json& obj, const char* field, const std::string& path, Status* error) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return std::nullopt;
  if (!it->is_number_integer()) {
    *error = FieldError(Join(path, field), "must be a whole number");
    return std::nullopt;
  }
  return it->get<std::int64_t>();
}

Result<Subject> ParseSubject(const json& obj, const std::string& path) {
  if (!obj.is_object()) return FieldError(path, "must be an object {id, subjectType}");
  Status error;
  Subject s;
  auto id = OptString(obj, "id", path, &error);
  if (!error.ok()) return error;
  if (!id || id->empty()) return FieldError(path + ".id", "must not be empty", "REQUIRED_FIELD");
  s.id = *id;
  auto type = OptString(obj, "subjectType", path, &error);
  if (!error.ok()) return error;
  if (type) {
    auto parsed = ParseSubjectType(*type);
    if (!parsed) {
      return FieldError(path + ".subjectType",
                        "unknown value \"" + *type +
                            "\" (expected USER, ACCOUNT, EXTERNAL_APP, WIX_APP, USER_GROUP or ACCOUNT_GROUP)");
    }
    s.type = *parsed;
  }
  return s;
}

void Guard(httplib::Response& res, const std::function<void()>& fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    WriteError(res, Internal(std::string("internal error: ") + e.what()));
  }
}

}  // namespace gatehouse::api
