#include "api/api_server.h"

#include <httplib.h>

#include "api/request.h"
#include "api/routes.h"

namespace gatehouse {

ApiServer::ApiServer(ApiOptions options, ApiServices services)
    : options_(std::move(options)), services_(std::move(services)) {}

ApiServer::~ApiServer() { Stop(); }

void ApiServer::Routes() {
  auto& s = *server_;
  api::RegisterOpsRoutes(s, services_);
  api::RegisterDecisionRoutes(s, services_, options_);
  api::RegisterAccountRoutes(s, services_);
  api::RegisterTeamRoutes(s, services_, options_);
  api::RegisterDataRoutes(s, services_);
  api::RegisterInviteRoutes(s, services_);
  api::RegisterRoleRoutes(s, services_);
  // Errors httplib produces itself (404 for no route, 413 for a too large body, 400 for
  // a malformed request) get the Wix error body too.
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

Result<int> ApiServer::Start() {
  if (!options_.tls_cert.empty()) {
#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
    server_ = std::make_unique<httplib::SSLServer>(options_.tls_cert.c_str(), options_.tls_key.c_str());
    if (!server_->is_valid()) {
      return InvalidArgument("http.tls: cannot load certificate \"" + options_.tls_cert + "\" / key \"" +
                             options_.tls_key + "\"");
    }
#else
    return InvalidArgument("http.tls: this build has no TLS support");
#endif
  } else {
    server_ = std::make_unique<httplib::Server>();
  }
  const std::size_t workers = options_.worker_threads;
  server_->new_task_queue = [workers] { return new httplib::ThreadPool(workers); };
  server_->set_tcp_nodelay(true);
  server_->set_payload_max_length(options_.max_body_bytes);
  server_->set_keep_alive_max_count(100000);
  server_->set_keep_alive_timeout(30);
  if (options_.access_log) {
    server_->set_logger([log = options_.access_log](const httplib::Request& req, const httplib::Response& res) {
      log(req.method, req.path, res.status);
    });
  }
  Routes();
  int port = options_.port;
  if (port == 0) {
    port = server_->bind_to_any_port(options_.host.c_str());
    if (port < 0) return Unavailable("cannot bind " + options_.host + " on any port");
  } else if (!server_->bind_to_port(options_.host.c_str(), port)) {
    return Unavailable("cannot bind " + options_.host + ":" + std::to_string(port) + " (in use, or no permission)");
  }
  running_ = true;
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return port;
}

void ApiServer::Stop() {
  if (!running_.exchange(false)) return;
  server_->stop();  // stops accepting; the pool finishes in-flight requests on shutdown
  if (thread_.joinable()) thread_.join();
}

}  // namespace gatehouse
