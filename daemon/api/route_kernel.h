// The route kernel: every route of the HTTP API is a table entry
//   {method, path, access, permission, body, handler}
// and the ceremony around a handler is written once, here:
//   1. load the snapshot — once: authentication, authorization and the handler all read it;
//   2. authenticate the key (kSystem, kAccount), resolve `wix-account-id` (kAccount), apply
//      the per-account rate limit, and check `permission` on the account in the engine;
//   3. parse the JSON body (routes that take one; no body reads as {});
//   4. run the handler, which returns a Reply or a Status;
//   5. render: a Reply as it is (a streamed one chunked, piece by piece), a Status as the Wix error body with its HTTP
//   status; an
//      exception escaping a handler as a 500 with the Wix body.
// Handlers hold business logic only by calling services (engine/, team/); they parse their
// own fields and build their own JSON. Internal to api/.
//
// Thread safety: routes are registered before the server starts; handlers run
// concurrently on the server's workers and must not share mutable state.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/request.h"
#include "api/router.h"

namespace gatehouse::api {

enum class Access {
  kOpen,             // no key (health, the invite token routes)
  kSystem,           // the system key only
  kAccount,          // a key of the account named by wix-account-id (or the system key), holding `permission`
  kSystemOrAccount,  // the system key (no account header needed), or as kAccount
};

// One request as a handler sees it.
struct Call {
  Call(const httplib::Request& request, std::shared_ptr<const Snapshot> snap, Timestamp at)
      : http(request), snapshot(std::move(snap)), now(at) {}

  const httplib::Request& http;
  std::shared_ptr<const Snapshot> snapshot;  // the request's one snapshot
  Principal principal;                       // who (default for kOpen)
  std::string account_id;                    // kAccount: the account acted on
  json body;                                 // routes with a body: the parsed object
  Timestamp now = 0;

  // Path capture i (1-based, as the route's regex groups).
  std::string Param(std::size_t i) const { return http.matches[i]; }
  std::string Query(const char* name) const { return http.get_param_value(name); }
  std::string Actor() const { return principal.Actor(); }
};

// What a handler answers: a body, or a stream.
struct Reply {
  // Appends the next piece of a streamed body to *out; returns false after the last.
  // Runs after the handler returned, on the same worker: it must own what it reads.
  using Stream = std::function<bool(std::string* out)>;

  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  Stream stream;  // when set, the body is sent chunked as the stream produces it

  static Reply Json(int status, const json& body) { return Reply{status, body.dump(), "application/json", {}, {}}; }
  static Reply Text(int status, std::string body, std::string content_type) {
    return Reply{status, std::move(body), std::move(content_type), {}, {}};
  }
  static Reply Streamed(std::string content_type, Stream stream) {
    return Reply{200, {}, std::move(content_type), {}, std::move(stream)};
  }
};

using Handler = std::function<Result<Reply>(Call&)>;

struct Route {
  std::string method;  // GET, POST, PUT, PATCH, DELETE
  std::string path;    // cpp-httplib pattern; regex groups become Call::Param(1..)
  Access access = Access::kAccount;
  std::string permission;  // kAccount only
  bool body = false;       // parse the body as a JSON object
  Handler handler;
  // A raw body under its own limit instead (the import's NDJSON): bytes and the setting
  // that names it; 0 = none. The handler reads Call::http.body.
  std::size_t raw_body_limit = 0;
  std::string raw_body_setting = {};
};

// Registers each route on `router`; `services` must outlive the server.
void Serve(Router& router, const ApiServices& services, std::vector<Route> routes);

}  // namespace gatehouse::api
