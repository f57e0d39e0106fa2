#include "api/http_error.h"

#include <nlohmann/json.hpp>

namespace gatehouse {

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
    case StatusCode::kOutOfRange:
      return 400;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kAborted:
      return 409;
    case StatusCode::kFailedPrecondition:
      return 412;
    case StatusCode::kResourceExhausted:
      return 429;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kInternal:
      return 500;
    case StatusCode::kGone:
      return 410;
  }
  return 500;
}

std::string ErrorBody(const Status& status) {
  nlohmann::json body;
  body["message"] = status.message();
  const bool validation = status.code() == StatusCode::kInvalidArgument || status.code() == StatusCode::kOutOfRange;
  if (validation && !status.violations().empty()) {
    auto violations = nlohmann::json::array();
    for (const auto& v : status.violations()) {
      violations.push_back({{"field", v.field}, {"description", v.description}, {"violatedRule", v.violated_rule}});
    }
    body["details"]["validationError"]["fieldViolations"] = std::move(violations);
  } else {
    body["details"]["applicationError"] = {{"code", StatusCodeName(status.code())}, {"description", status.message()}};
  }
  return body.dump();
}

}  // namespace gatehouse
