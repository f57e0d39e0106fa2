// Router: how routes are put on a cpp-httplib server. Internal to api/.
//
// Every route with a body (POST, PUT, PATCH, DELETE) is registered as a content-reader
// route, so the handler, not cpp-httplib, decides how the body is read:
//  - The body is read whatever its Content-Type; the only limit is http.maxBodyBytes
//    (cpp-httplib's own path refuses an x-www-form-urlencoded body over 8 KiB — curl -d's
//    default type — with 413).
//  - A request with neither Content-Length nor Transfer-Encoding has an empty body, as
//    HTTP/1.1 says (cpp-httplib's own path waited for the connection to close, then
//    answered 400: `curl -X POST .../v1/admin/reload` failed).
//  - multipart/form-data is refused with 400 (no route takes it).
// A body over the limit gets 413 and one that breaks off mid-way 400, both with the Wix
// error body, and the handler is not called.
//
// Thread safety: register before the server starts; handlers run on the server's workers.
#pragma once

#include <httplib.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gatehouse::api {

class Router {
 public:
  using Handler = httplib::Server::Handler;

  Router(httplib::Server& server, std::size_t max_body_bytes) : server_(server), max_body_bytes_(max_body_bytes) {}

  void Get(const std::string& pattern, Handler handler);
  void Post(const std::string& pattern, Handler handler);
  void Put(const std::string& pattern, Handler handler);
  void Patch(const std::string& pattern, Handler handler);
  void Delete(const std::string& pattern, Handler handler);
  // Any of the above by name ("GET", "POST", ...).
  void Add(const std::string& method, const std::string& pattern, Handler handler);

  // A route whose body has its own limit, named in the 413 by its setting (the import).
  struct BodyLimit {
    std::size_t bytes = 0;
    std::string setting;
  };
  void Add(const std::string& method, const std::string& pattern, Handler handler, BodyLimit limit);

  // The same route run without building cpp-httplib's request and response (the decision
  // listener's path, api/decision_server.h): the route reads the request's headers through
  // `header` (a header's first value; nullopt when the request has none) and its body from
  // `http.body` (the request the handler's Call shows: on that path the body only), and
  // its answer comes back as an Answer.
  using HeaderLookup = std::function<std::optional<std::string_view>(std::string_view name)>;
  struct Answer {
    int status = 200;
    std::string content_type;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    bool streamed = false;  // the route answered with a stream, which this path cannot send
  };
  using DirectHandler = std::function<void(const HeaderLookup& header, const httplib::Request& http, Answer* answer)>;

  // A route as registered: its handler expects the body already read into req.body;
  // `direct`, when set, runs the same route the direct way. While a recorder is set,
  // every route added is also appended to it (the decision listener serves the same
  // routes: api/decision_server.h).
  struct Recorded {
    std::string method;
    std::string pattern;
    Handler handler;
    DirectHandler direct;
  };
  // Add, recording the route's direct form as well.
  void Add(const std::string& method, const std::string& pattern, Handler handler, DirectHandler direct);
  void RecordInto(std::vector<Recorded>* recorder) { recorder_ = recorder; }

 private:
  httplib::Server::HandlerWithContentReader WithBody(Handler handler) const;
  static httplib::Server::HandlerWithContentReader WithBody(Handler handler, BodyLimit limit);

  httplib::Server& server_;
  std::size_t max_body_bytes_;
  std::vector<Recorded>* recorder_ = nullptr;
};

}  // namespace gatehouse::api
