#include "api/route_kernel.h"

#include <chrono>
#include <regex>

#include "engine/decider.h"

namespace gatehouse::api {
namespace {

// What each route counts: requests by status class and their duration (to the end of the
// handler: a streamed body's transfer is not in it). Lock-free; read on scrape.
struct RouteStats {
  std::array<std::shared_ptr<ShardedCounter>, 5> by_class;  // 1xx … 5xx
  std::shared_ptr<Histogram> duration;
};

// The route's path as a template: each capture group becomes {id}.
std::string RouteTemplate(const std::string& pattern) {
  return std::regex_replace(pattern, std::regex(R"(\([^)]*\))"), "{id}");
}

std::shared_ptr<RouteStats> Register(Metrics* metrics, const Route& route) {
  auto stats = std::make_shared<RouteStats>();
  if (metrics == nullptr) {
    for (auto& c : stats->by_class) c = std::make_shared<ShardedCounter>();
    stats->duration = std::make_shared<Histogram>(Histogram::LatencyBounds());
    return stats;
  }
  metrics->Describe("gatehouse_http_requests_total", Metrics::Type::kCounter,
                    "HTTP requests answered, by route template, method and status class");
  metrics->Describe("gatehouse_http_request_duration_seconds", Metrics::Type::kHistogram,
                    "Time from a request's arrival at its handler to its answer, by route template");
  const std::string path = RouteTemplate(route.path);
  for (std::size_t i = 0; i < stats->by_class.size(); ++i) {
    const std::string code = std::to_string(i + 1) + "xx";
    stats->by_class[i] = metrics->Counter("gatehouse_http_requests_total{" +
                                          LabelList({{"route", path}, {"method", route.method}, {"code", code}}) + "}");
  }
  stats->duration =
      metrics->HistogramOf("gatehouse_http_request_duration_seconds",
                           LabelList({{"route", path}, {"method", route.method}}), Histogram::LatencyBounds());
  return stats;
}

void Render(httplib::Response& res, const Result<Reply>& reply) {
  if (!reply.ok()) return WriteError(res, reply.status());
  res.status = reply->status;
  for (const auto& [name, value] : reply->headers) res.set_header(name, value);
  if (!reply->stream) return res.set_content(reply->body, reply->content_type);
  // A failure once streaming has started can only cut the response short: the client
  // sees a chunked body without its last chunk, never a well-formed partial answer.
  res.set_chunked_content_provider(reply->content_type, [stream = reply->stream](std::size_t, httplib::DataSink& sink) {
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

using Headers = std::vector<std::pair<std::string, std::string>>;

// Steps 2–3 of the kernel; on failure the Status to answer with (and maybe a header).
Status Admit(const ApiServices& services, const Route& route, const Router::HeaderLookup& header, Headers* headers,
             Call& call) {
  if (route.access == Access::kOpen) return Status::Ok();
  auto principal = services.keys->Authenticate(header("Authorization").value_or(""), *call.snapshot);
  if (!principal.ok()) return principal.status();
  call.principal = std::move(*principal);
  if (route.access == Access::kSystem) {
    return call.principal.system ? Status::Ok() : PermissionDenied("this operation needs a system key");
  }
  if (route.access == Access::kSystemOrAccount && call.principal.system) return Status::Ok();
  std::string_view account = header("wix-account-id").value_or("");
  if (account.empty()) account = header("x-account-id").value_or("");
  if (account.empty()) return FieldError("wix-account-id", "header is required for this request", "REQUIRED_FIELD");
  call.account_id = std::string(account);
  if (call.principal.system) return Status::Ok();
  // An account key used with another account's id: 403, revealing nothing about it.
  if (call.principal.account_id != call.account_id) {
    return PermissionDenied("this key may not act on the requested account");
  }
  if (services.account_rate_limiter != nullptr) {
    std::int64_t retry_after_ms = 0;
    if (!services.account_rate_limiter->Admit(call.account_id, call.now, &retry_after_ms)) {
      if (services.metrics != nullptr) services.metrics->Add("gatehouse_rate_limited_total");
      headers->emplace_back("Retry-After", std::to_string((retry_after_ms + 999) / 1000));
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

// X-Gatehouse-Min-Revision: the snapshot to answer from once this node has applied at
// least that revision; an error (400 malformed, 503 not reached in time) otherwise.
Result<std::shared_ptr<const Snapshot>> SnapshotAtLeast(const ApiServices& services, std::string_view header,
                                                        Headers* headers) {
  if (header.empty() || header.size() > 19 || header.find_first_not_of("0123456789") != std::string_view::npos) {
    return FieldError("X-Gatehouse-Min-Revision", "expected a revision number (the X-Gatehouse-Revision of a write)");
  }
  const std::uint64_t wanted = std::stoull(std::string(header));
  auto snapshot = services.snapshots->WaitForRevision(wanted, services.min_revision_wait);
  if (snapshot != nullptr) return snapshot;
  headers->emplace_back("Retry-After", "1");
  return Unavailable("this node has applied revision " + std::to_string(services.snapshots->Load()->revision()) +
                     "; the request needs revision " + std::to_string(wanted) + ", not reached within " +
                     std::to_string(services.min_revision_wait.count()) + " ms");
}

bool Writes(const std::string& method) { return method != "GET" && method != "HEAD"; }

// Steps 1–4 for one request, whichever listener it came in on: the handler's reply or the
// error to answer with; the headers the kernel adds (Retry-After, X-Gatehouse-Revision)
// go into *headers. An exception escaping a handler becomes a 500.
Result<Reply> RunRoute(const ApiServices& services, const Route& route, const Router::HeaderLookup& header,
                       const httplib::Request& req, Headers* headers) {
  try {
    std::shared_ptr<const Snapshot> snapshot;
    if (auto min_revision = header("X-Gatehouse-Min-Revision")) {
      auto at_least = SnapshotAtLeast(services, *min_revision, headers);
      if (!at_least.ok()) return at_least.status();
      snapshot = std::move(*at_least);
    } else {
      snapshot = services.snapshots->Load();
    }
    Call call(req, std::move(snapshot), services.clock->Now());
    if (Status admitted = Admit(services, route, header, headers, call); !admitted.ok()) return admitted;
    if (route.body) {
      auto body = ParseJsonObject(req.body);
      if (!body.ok()) return body.status();
      call.body = std::move(*body);
    }
    Result<Reply> reply = route.handler(call);
    // The revision the answer reflects: a write's own (or later: the node's newest,
    // published before the handler returned), a read's snapshot.
    const std::uint64_t revision =
        Writes(route.method) ? services.snapshots->Load()->revision() : call.snapshot->revision();
    headers->emplace_back("X-Gatehouse-Revision", std::to_string(revision));
    return reply;
  } catch (const std::exception& e) {
    headers->clear();
    return Internal(std::string("internal error: ") + e.what());
  }
}

void Count(const RouteStats& stats, int status, std::chrono::steady_clock::time_point started) {
  const int status_class = status / 100;
  if (status_class >= 1 && status_class <= 5) stats.by_class[status_class - 1]->Add();
  stats.duration->Observe(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - started).count());
}

}  // namespace

void Serve(Router& router, const ApiServices& services, std::vector<Route> routes) {
  for (auto& r : routes) {
    auto route = std::make_shared<const Route>(std::move(r));
    auto stats = Register(services.metrics, *route);
    auto serve = [&services, route, stats](const httplib::Request& req, httplib::Response& res) {
      const auto started = std::chrono::steady_clock::now();
      Headers headers;
      const Router::HeaderLookup header = [&req](std::string_view name) -> std::optional<std::string_view> {
        auto it = req.headers.find(std::string(name));
        if (it == req.headers.end()) return std::nullopt;
        return std::string_view(it->second);
      };
      const Result<Reply> reply = RunRoute(services, *route, header, req, &headers);
      Render(res, reply);
      for (auto& [name, value] : headers) res.set_header(name, value);
      Count(*stats, res.status, started);
    };
    // The decision listener's form: the same steps, the answer as plain fields.
    auto direct = [&services, route, stats](const Router::HeaderLookup& header, const httplib::Request& req,
                                            Router::Answer* answer) {
      const auto started = std::chrono::steady_clock::now();
      answer->headers.clear();
      answer->streamed = false;
      Result<Reply> reply = RunRoute(services, *route, header, req, &answer->headers);
      if (!reply.ok()) {
        answer->status = HttpStatusFor(reply.status().code());
        answer->content_type = "application/json";
        answer->body = ErrorBody(reply.status());
      } else {
        answer->status = reply->status;
        answer->content_type = std::move(reply->content_type);
        answer->body = std::move(reply->body);
        for (auto& h : reply->headers) answer->headers.push_back(std::move(h));
        answer->streamed = static_cast<bool>(reply->stream);
      }
      Count(*stats, answer->status, started);
    };
    if (route->raw_body_limit != 0) {
      router.Add(route->method, route->path, serve, Router::BodyLimit{route->raw_body_limit, route->raw_body_setting});
    } else {
      router.Add(route->method, route->path, serve, direct);
    }
  }
}

}  // namespace gatehouse::api
