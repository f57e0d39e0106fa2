#include "api/request.h"

namespace gatehouse::api {

void WriteError(httplib::Response& res, const Status& status) {
  res.status = HttpStatusFor(status.code());
  res.set_content(ErrorBody(status), "application/json");
}

Result<Subject> RequiredSubject(const json& body, const char* field) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return FieldError(field, "is required", "REQUIRED_FIELD");
  return ParseSubject(*it, field);
}

Result<json> ParseJsonObject(const std::string& text) {
  // No body (a bare `curl -X POST`) reads as {}: required fields are then reported by name.
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) return json::object();
  json body = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return InvalidArgument("request body is not valid JSON");
  if (!body.is_object()) return InvalidArgument("request body must be a JSON object");
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

}  // namespace gatehouse::api
