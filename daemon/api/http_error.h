// Maps a Status to the HTTP status and Wix-shaped error body of api.md §1.2:
//   validation errors → {"message", "details": {"validationError": {"fieldViolations": [...]}}}
//   everything else   → {"message", "details": {"applicationError": {"code", "description"}}}
// This is the only place that knows which HTTP status a StatusCode becomes.
#pragma once

#include <string>

#include "core/status.h"

namespace gatehouse {

int HttpStatusFor(StatusCode code);
std::string ErrorBody(const Status& status);

}  // namespace gatehouse
