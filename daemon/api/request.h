// Request plumbing shared by the route files and the route kernel: JSON body parsing with
// Wix-style field errors, field readers, and writing responses. Authentication and
// authorization live in the route kernel (api/route_kernel.h). Internal to api/.
#pragma once

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "api/api_server.h"
#include "api/http_error.h"

namespace gatehouse::api {

using nlohmann::json;

void WriteError(httplib::Response& res, const Status& status);

// The required object `field` of `body` as a Subject ({id, subjectType}).
Result<Subject> RequiredSubject(const json& body, const char* field);

// Parses a body as a JSON object: whitespace only → {}; not JSON or not an object →
// kInvalidArgument.
Result<json> ParseJsonObject(const std::string& text);

// Field readers: return nullopt and fill *error (naming the field) on a wrong type.
std::optional<std::string> OptString(const json& obj, const char* field, const std::string& path, Status* error);
std::optional<bool> OptBool(const json& obj, const char* field, const std::string& path, Status* error);
std::optional<std::int64_t> OptInt(const json& obj, const char* field, const std::string& path, Status* error);

// Parses {id, subjectType}; subjectType defaults to USER; unknown enum → 400.
Result<Subject> ParseSubject(const json& obj, const std::string& path);

}  // namespace gatehouse::api
