#include "api/api_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <future>

#include "api/request.h"
#include "api/routes.h"
#include "api/worker_pool.h"

namespace gatehouse {

// One cpp-httplib server, the thread that runs its accept loop, and its listening socket.
struct ApiServer::Listener {
  std::unique_ptr<httplib::Server> server;
  std::thread thread;
  std::future<void> finished;
  int fd = -1;  // the listening socket, seen through the socket-options hook
};

namespace {

// Errors cpp-httplib produces itself (404 for no route, 400 for a malformed request) get
// the Wix error body too.
void InstallErrorHandlers(httplib::Server& s) {
  s.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    Status st;
    switch (res.status) {
      case 404:
        st = NotFound("no route for " + req.method + " " + req.path);
        break;
      case 413:
        st = InvalidArgument("request body too large");
        break;
      case 405:
        st = InvalidArgument("method not allowed");
        break;
      default:
        st = InvalidArgument("bad request");
        break;
    }
    res.set_content(ErrorBody(st), "application/json");
  });
  s.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown error";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    api::WriteError(res, Internal("internal error: " + what));
  });
}

std::string Address(const std::string& host, int port) {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

}  // namespace

ApiServer::ApiServer(ApiOptions options, ApiServices services)
    : options_(std::move(options)), services_(std::move(services)) {}

ApiServer::~ApiServer() { Stop(); }

void ApiServer::Routes() {
  api::Router router(*api_->server, options_.max_body_bytes);
  api::RegisterOpsRoutes(router, services_);
  router.RecordInto(&decision_routes_);  // the decision listener serves these too
  api::RegisterDecisionRoutes(router, services_, options_);
  router.RecordInto(nullptr);
  api::RegisterAccountRoutes(router, services_);
  api::RegisterTeamRoutes(router, services_, options_);
  api::RegisterDataRoutes(router, services_);
  api::RegisterInviteRoutes(router, services_);
  api::RegisterRoleRoutes(router, services_);
  api::RegisterAuditRoutes(router, services_);
  api::RegisterTransferRoutes(router, services_, options_);
  InstallErrorHandlers(*api_->server);
  if (ops_) {
    api::Router ops(*ops_->server, options_.max_body_bytes);
    api::RegisterProbeRoutes(ops, services_);
    InstallErrorHandlers(*ops_->server);
  }
}

namespace {

// Binds `server` to host:port without SO_REUSEPORT (a second daemon on a taken address
// must fail, not share it) and re-listens with `backlog` (cpp-httplib listens with 5).
Result<int> Bind(httplib::Server& server, int* fd, const std::string& host, int port, int backlog) {
  server.set_socket_options([fd](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);  // restart while old sockets linger
    *fd = sock;
  });
  errno = 0;
  int bound = port;
  if (port == 0) {
    bound = server.bind_to_any_port(host);
  } else if (!server.bind_to_port(host, port)) {
    bound = -1;
  }
  if (bound < 0) {
    const int err = errno;
    return Unavailable("cannot bind " + Address(host, port) + ": " +
                       (err == EADDRINUSE ? std::string("address already in use (is another gatehoused running?)")
                        : err != 0        ? std::string(std::strerror(err))
                                          : std::string("cannot resolve or bind the address")));
  }
  if (*fd >= 0) ::listen(*fd, backlog);
  return bound;
}

std::unique_ptr<httplib::Server> NewServer(const ApiOptions& o, bool tls, std::size_t workers, std::string* error) {
  std::unique_ptr<httplib::Server> server;
  if (tls) {
#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
    server = std::make_unique<httplib::SSLServer>(o.tls_cert.c_str(), o.tls_key.c_str());
    if (!server->is_valid()) {
      *error = "http.tls: cannot load certificate \"" + o.tls_cert + "\" / key \"" + o.tls_key + "\"";
      return nullptr;
    }
#else
    *error = "http.tls: this build has no TLS support";
    return nullptr;
#endif
  } else {
    server = std::make_unique<httplib::Server>();
  }
  server->new_task_queue = [workers] { return new api::WorkerPool(workers); };
  server->set_tcp_nodelay(true);
  server->set_payload_max_length(std::max(o.max_body_bytes, o.max_import_bytes));
  server->set_keep_alive_max_count(100000);
  server->set_keep_alive_timeout(std::max<std::int64_t>(1, (o.idle_timeout_ms + 999) / 1000));
  server->set_read_timeout(o.read_timeout_ms / 1000, (o.read_timeout_ms % 1000) * 1000);
  server->set_write_timeout(o.write_timeout_ms / 1000, (o.write_timeout_ms % 1000) * 1000);
  return server;
}

}  // namespace

Result<int> ApiServer::Start() {
  std::string error;
  api_ = std::make_unique<Listener>();
  api_->server = NewServer(options_, !options_.tls_cert.empty(), options_.worker_threads, &error);
  if (!api_->server) return InvalidArgument(error);
  if (options_.access_log) {
    // A request's start is when its headers were read (cpp-httplib calls the pre-routing
    // handler then); the logger runs after the response is written.
    // (A client's own header of that name is dropped first.)
    api_->server->set_pre_routing_handler([wanted = options_.access_log_wanted](const httplib::Request& req,
                                                                                httplib::Response&) {
      auto& writable = const_cast<httplib::Request&>(req);
      writable.headers.erase("X-Gatehouse-Started");
      if (wanted && !wanted()) return httplib::Server::HandlerResponse::Unhandled;  // not logged: not timed
      writable.set_header("X-Gatehouse-Started", std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(
                                                                    std::chrono::steady_clock::now().time_since_epoch())
                                                                    .count()));
      return httplib::Server::HandlerResponse::Unhandled;
    });
    api_->server->set_logger([log = options_.access_log](const httplib::Request& req, const httplib::Response& res) {
      std::int64_t micros = 0;
      if (!req.has_header("X-Gatehouse-Started")) return;  // not wanted when it arrived
      const std::string started = req.get_header_value("X-Gatehouse-Started");
      std::int64_t start = 0;
      if (std::from_chars(started.data(), started.data() + started.size(), start).ec == std::errc()) {
        micros =
            std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
                .count() -
            start;
      }
      log(req.method, req.path, res.status, micros, req.remote_addr);
    });
  }
  if (!options_.ops_host.empty()) {
    ops_ = std::make_unique<Listener>();
    ops_->server = NewServer(options_, /*tls=*/false, options_.ops_threads, &error);
  }
  Routes();
  auto port = Bind(*api_->server, &api_->fd, options_.host, options_.port, options_.listen_backlog);
  if (!port.ok()) return port.status();
  if (ops_) {
    auto ops_port = Bind(*ops_->server, &ops_->fd, options_.ops_host, options_.ops_port, 64);
    if (!ops_port.ok()) {
      api_->server->stop();  // bound but never served: closes the socket
      return Unavailable("ops.listen: " + ops_port.status().message());
    }
    ops_bound_port_ = *ops_port;
  }
  if (!options_.decision_host.empty()) {
    api::DecisionServer::Options d;
    d.host = options_.decision_host;
    d.port = options_.decision_port;
    d.threads = options_.decision_threads;
    d.max_body_bytes = options_.max_body_bytes;
    d.idle_timeout_ms = options_.idle_timeout_ms;
    decision_ = std::make_unique<api::DecisionServer>(d, decision_routes_);
    auto decision_port = decision_->Start();
    if (!decision_port.ok()) {
      api_->server->stop();
      if (ops_) ops_->server->stop();
      decision_.reset();
      return decision_port.status();
    }
    decision_bound_port_ = *decision_port;
  }
  running_ = true;
  for (Listener* l : {api_.get(), ops_.get()}) {
    if (l == nullptr) continue;
    std::promise<void> done;
    l->finished = done.get_future();
    l->thread = std::thread([l, done = std::move(done)]() mutable {
      l->server->listen_after_bind();
      done.set_value();
    });
  }
  return *port;
}

bool ApiServer::Stop(std::chrono::milliseconds grace) {
  if (!running_.exchange(false)) return true;
  const auto deadline = std::chrono::steady_clock::now() + grace;
  if (decision_) decision_->Stop();  // decisions are reads: nothing to drain
  // Stop accepting on both, then wait: each accept loop returns once its pool has joined.
  for (Listener* l : {api_.get(), ops_.get()}) {
    if (l != nullptr) l->server->stop();
  }
  bool drained = true;
  for (Listener* l : {api_.get(), ops_.get()}) {
    if (l == nullptr) continue;
    if (l->finished.wait_until(deadline) == std::future_status::ready) {
      l->thread.join();
    } else {
      drained = false;
    }
  }
  if (!drained) {
    // Workers are still inside requests: leave them (and the servers they use) alive.
    for (auto* owner : {&api_, &ops_}) {
      if (*owner == nullptr) continue;
      if ((*owner)->thread.joinable()) (*owner)->thread.detach();
      (void)(*owner)->server.release();
      (void)owner->release();
    }
  }
  return drained;
}

}  // namespace gatehouse
