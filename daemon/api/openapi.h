// The OpenAPI 3 document of every route (GET /openapi.json), compiled in from
// daemon/api/openapi/openapi.json. Tests check real responses against it.
#pragma once

#include <string_view>

namespace gatehouse::api {
std::string_view OpenApiDocument();
}
