#include "api/route_kernel.h"

#include "engine/decider.h"

namespace gatehouse::api {
namespace {

void Render(httplib::Response& res, const Result<Reply>& reply) {
  if (!reply.ok()) return WriteError(res, reply.status());
  res.status = reply->status;
  for (const auto& [name, value] : reply->headers) res.set_header(name, value);
  if (!reply->stream) return res.set_content(reply->body, reply->content_type);
  // A failure once streaming has started can only cut the response short: the client
  // sees a chunked body without its last chunk, never a well-formed partial answer.
  res.set_chunked_content_provider(reply->content_type,
                                   [stream = reply->stream](std::size_t, httplib::DataSink& sink) {
                                     try {
                                       std::string piece;
                                       const bool more = stream(&piece);
                                       if (!piece.empty() && !sink.write(piece.data(), piece.size())) return false;
                                       if (!more) sink.done();
                                       return true;
                                     } catch (...) {
                                       return false;
                                     }
                                   });
}

// Steps 1–3 of the kernel; on failure the Status to answer with (and maybe a header).
Status Admit(const ApiServices& services, const Route& route, const httplib::Request& req, httplib::Response& res,
             Call& call) {
  if (route.access == Access::kOpen) return Status::Ok();
  auto principal = services.keys->Authenticate(req.get_header_value("Authorization"), *call.snapshot);
  if (!principal.ok()) return principal.status();
  call.principal = std::move(*principal);
  if (route.access == Access::kSystem) {
    return call.principal.system ? Status::Ok() : PermissionDenied("this operation needs a system key");
  }
  if (route.access == Access::kSystemOrAccount && call.principal.system) return Status::Ok();
  std::string account = req.get_header_value("wix-account-id");
  if (account.empty()) account = req.get_header_value("x-account-id");
  if (account.empty()) return FieldError("wix-account-id", "header is required for this request", "REQUIRED_FIELD");
  call.account_id = std::move(account);
  if (call.principal.system) return Status::Ok();
  // An account key used with another account's id: 403, revealing nothing about it.
  if (call.principal.account_id != call.account_id) {
    return PermissionDenied("this key may not act on the requested account");
  }
  if (services.account_rate_limiter != nullptr) {
    std::int64_t retry_after_ms = 0;
    if (!services.account_rate_limiter->Admit(call.account_id, call.now, &retry_after_ms)) {
      if (services.metrics != nullptr) services.metrics->Add("gatehouse_rate_limited_total");
      res.set_header("Retry-After", std::to_string((retry_after_ms + 999) / 1000));
      return ResourceExhausted("account \"" + call.account_id + "\" is over its request rate; retry in " +
                               std::to_string(retry_after_ms) + " ms");
    }
  }
  const CheckQuery q{call.account_id, call.principal.subject.type, call.principal.subject.id, route.permission,
                     call.account_id};
  if (!Check(*call.snapshot, q, call.now)) {
    return PermissionDenied("the key's subject lacks permission \"" + route.permission + "\"");
  }
  return Status::Ok();
}

}  // namespace

void Serve(Router& router, const ApiServices& services, std::vector<Route> routes) {
  for (auto& r : routes) {
    auto route = std::make_shared<const Route>(std::move(r));
    auto serve = [&services, route](const httplib::Request& req, httplib::Response& res) {
      Guard(res, [&] {
        Call call(req, services.snapshots->Load(), services.clock->Now());
        if (Status admitted = Admit(services, *route, req, res, call); !admitted.ok()) {
          return WriteError(res, admitted);
        }
        if (route->body) {
          auto body = ParseBody(req, res);
          if (!body) return;
          call.body = std::move(*body);
        }
        Render(res, route->handler(call));
      });
    };
    if (route->raw_body_limit != 0) {
      router.Add(route->method, route->path, serve, Router::BodyLimit{route->raw_body_limit, route->raw_body_setting});
    } else {
      router.Add(route->method, route->path, serve);
    }
  }
}

}  // namespace gatehouse::api
