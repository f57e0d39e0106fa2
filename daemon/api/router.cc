#include "api/router.h"

#include <stdexcept>

#include "api/request.h"

namespace gatehouse::api {
namespace {

bool HasBody(const httplib::Request& req) {
  return req.has_header("Content-Length") || req.has_header("Transfer-Encoding");
}

}  // namespace

httplib::Server::HandlerWithContentReader Router::WithBody(Handler handler) const {
  return WithBody(std::move(handler), BodyLimit{max_body_bytes_, "http.maxBodyBytes"});
}

httplib::Server::HandlerWithContentReader Router::WithBody(Handler handler, BodyLimit body_limit) {
  return [handler = std::move(handler), limit = body_limit.bytes, setting = body_limit.setting](
             const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
    if (HasBody(req)) {
      if (req.is_multipart_form_data()) {
        res.set_header("Connection", "close");  // the unread body must not be taken for the next request
        return WriteError(res, InvalidArgument("multipart/form-data bodies are not accepted; send JSON"));
      }
      std::string body;
      bool over_limit = false;
      const bool read = reader([&](const char* data, std::size_t size) {
        if (body.size() + size > limit) {
          over_limit = true;
          return false;
        }
        body.append(data, size);
        return true;
      });
      if (!read) {
        const bool too_large = over_limit || res.status == 413;
        res.set_header("Connection", "close");
        if (!too_large) return WriteError(res, InvalidArgument("request body could not be read"));
        res.status = 413;
        res.set_content(ErrorBody(InvalidArgument("request body too large (" + setting + " is " +
                                                  std::to_string(limit) + " bytes)")),
                        "application/json");
        return;
      }
      // The request is the server's own (non-const) object; the handlers read req.body.
      const_cast<httplib::Request&>(req).body = std::move(body);
    }
    handler(req, res);
  };
}

void Router::Get(const std::string& pattern, Handler handler) { server_.Get(pattern, std::move(handler)); }
void Router::Post(const std::string& pattern, Handler handler) { server_.Post(pattern, WithBody(std::move(handler))); }
void Router::Put(const std::string& pattern, Handler handler) { server_.Put(pattern, WithBody(std::move(handler))); }
void Router::Patch(const std::string& pattern, Handler handler) {
  server_.Patch(pattern, WithBody(std::move(handler)));
}
void Router::Delete(const std::string& pattern, Handler handler) {
  server_.Delete(pattern, WithBody(std::move(handler)));
}

void Router::Add(const std::string& method, const std::string& pattern, Handler handler) {
  Add(method, pattern, std::move(handler), DirectHandler());
}

void Router::Add(const std::string& method, const std::string& pattern, Handler handler, DirectHandler direct) {
  if (recorder_ != nullptr) recorder_->push_back(Recorded{method, pattern, handler, std::move(direct)});
  if (method == "GET") return Get(pattern, std::move(handler));
  if (method == "POST") return Post(pattern, std::move(handler));
  if (method == "PUT") return Put(pattern, std::move(handler));
  if (method == "PATCH") return Patch(pattern, std::move(handler));
  if (method == "DELETE") return Delete(pattern, std::move(handler));
  throw std::invalid_argument("Router::Add: unknown method " + method);
}

void Router::Add(const std::string& method, const std::string& pattern, Handler handler, BodyLimit limit) {
  if (method == "POST") {
    server_.Post(pattern, WithBody(std::move(handler), std::move(limit)));
  } else if (method == "PUT") {
    server_.Put(pattern, WithBody(std::move(handler), std::move(limit)));
  } else {
    throw std::invalid_argument("Router::Add: a body limit needs POST or PUT, not " + method);
  }
}

}  // namespace gatehouse::api
