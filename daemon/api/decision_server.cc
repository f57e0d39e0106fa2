#include "api/decision_server.h"

#include <httplib.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>
#include <thread>
#include <unordered_map>

#include "api/http_error.h"

namespace gatehouse::api {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

struct DecisionServer::Impl {
  explicit Impl(Options o)
      : options(std::move(o)), ioc(options.threads == 1 ? 1 : BOOST_ASIO_CONCURRENCY_HINT_DEFAULT) {}

  Options options;
  std::unordered_map<std::string, Router::DirectHandler> routes;  // "POST /v1/check" → the route's direct form
  // One event loop: Asio skips its locks (the hint) and connections need no strand.
  net::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::vector<std::thread> threads;
  bool running = false;

  void Accept();
};

namespace {

constexpr std::size_t kHeaderLimit = 16 * 1024;
constexpr std::size_t kReadBuffer = 16 * 1024;

using Clock = std::chrono::steady_clock;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, DecisionServer::Impl* server)
      : socket_(std::move(socket)), idle_timer_(socket_.get_executor()), server_(server) {
    beast::error_code ec;
    const auto remote = socket_.remote_endpoint(ec);  // once per connection, not per request
    if (!ec) {
      http_.remote_addr = remote.address().to_string();
      http_.remote_port = remote.port();
    }
  }

  void Run() {
    net::dispatch(socket_.get_executor(), [self = shared_from_this()] {
      self->deadline_ = Clock::now() + self->IdleTimeout();
      self->ArmIdleTimer();
      self->ReadRequest();
    });
  }

 private:
  Clock::duration IdleTimeout() const { return std::chrono::milliseconds(server_->options.idle_timeout_ms); }

  // The deadline: a request (headers and body) must arrive, and its answer be taken,
  // within the idle timeout of the previous answer. A request only moves `deadline_`; one
  // timer per connection wakes at the deadline it last saw and, when the deadline has
  // moved on meanwhile, sleeps again until the new one — so a request costs no timer
  // operation (no timer queue update, no timerfd call), an idle connection one wake-up
  // per idle timeout.
  void ArmIdleTimer() {
    idle_timer_.expires_at(deadline_);
    idle_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->closed_) return;
      if (Clock::now() < self->deadline_) return self->ArmIdleTimer();
      self->Close();  // pending reads and writes end with operation_aborted
    });
  }

  // A buffer large enough for a batch of checks is read at once. When nothing is left
  // over from the last read, wait for the socket to be readable first: a read tried
  // straight after an answer (the client has not sent yet) would only come back empty.
  void ReadRequest() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(server_->options.max_body_bytes);
    if (buffer_.capacity() < kReadBuffer) buffer_.reserve(kReadBuffer);
    deadline_ = Clock::now() + IdleTimeout();
    if (buffer_.size() > 0) return StartRead();
    socket_.async_wait(tcp::socket::wait_read, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->Failed(ec);
      self->StartRead();
    });
  }

  void StartRead() {
    http::async_read(socket_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnRead(ec); });
  }

  void Failed(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      return Refuse(http::status::payload_too_large, "request body too large (http.maxBodyBytes is " +
                                                         std::to_string(server_->options.max_body_bytes) + " bytes)");
    }
    if (ec == http::error::header_limit) {
      return Refuse(http::status::request_header_fields_too_large, "request headers too large (over 16 KiB)");
    }
    Close();  // the peer left, a timeout, or bytes that are not HTTP
  }

  // Answers with the Wix error body and closes: the rest of the request is not read.
  void Refuse(http::status status, const std::string& message) {
    answer_.headers.clear();
    answer_.status = static_cast<int>(status);
    answer_.content_type = "application/json";
    answer_.body = ErrorBody(InvalidArgument(message));
    Write(11, false);
  }

  void OnRead(beast::error_code ec) {
    if (ec) return Failed(ec);
    auto& req = parser_->get();
    const std::string_view target(req.target().data(), req.target().size());
    const std::string_view path = target.substr(0, target.find('?'));
    const std::string_view method(req.method_string().data(), req.method_string().size());
    route_key_.assign(method);
    route_key_ += ' ';
    route_key_ += path;
    auto route = server_->routes.find(route_key_);
    bool keep_alive = req.keep_alive();
    if (route == server_->routes.end()) {
      answer_.headers.clear();
      answer_.status = 404;
      answer_.content_type = "application/json";
      answer_.body = ErrorBody(NotFound("no route for " + route_key_ + " on the decision listener"));
    } else {
      // The kernel reads the headers it needs straight from Beast's parsed fields; the
      // handler's Call sees a cpp-httplib request holding the body only (this session's,
      // reused: building one per request was a fifth of the listener's own CPU).
      http_.method.assign(method);
      http_.path.assign(path);
      http_.body.swap(req.body());
      const Router::HeaderLookup header = [&req](std::string_view name) -> std::optional<std::string_view> {
        const auto field = req.find(beast::string_view(name.data(), name.size()));
        if (field == req.end()) return std::nullopt;
        return std::string_view(field->value().data(), field->value().size());
      };
      route->second(header, http_, &answer_);
      if (answer_.streamed) {  // no decision route streams; never send half an answer
        answer_.headers.clear();
        answer_.status = 500;
        answer_.content_type = "application/json";
        answer_.body = ErrorBody(Internal("a streamed answer on the decision listener"));
      }
      for (const auto& [name, value] : answer_.headers) {
        if (beast::iequals(name, "Connection") && beast::iequals(value, "close")) keep_alive = false;
      }
    }
    Write(req.version(), keep_alive);
  }

  // The answer as one buffer — status line, Content-Type, the route's headers,
  // Content-Length, Connection when it is not the version's default, the body — written
  // with one send.
  void Write(unsigned version, bool keep_alive) {
    keep_alive_ = keep_alive;
    out_.clear();
    out_ += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    out_ += std::to_string(answer_.status);
    out_ += ' ';
    const auto reason = http::obsolete_reason(http::int_to_status(static_cast<unsigned>(answer_.status)));
    out_.append(reason.data(), reason.size());
    out_ += "\r\n";
    auto field = [this](std::string_view name, std::string_view value) {
      out_ += name;
      out_ += ": ";
      out_ += value;
      out_ += "\r\n";
    };
    if (!answer_.content_type.empty()) field("Content-Type", answer_.content_type);
    for (const auto& [name, value] : answer_.headers) {
      if (beast::iequals(name, "Connection") || beast::iequals(name, "Content-Length")) continue;  // ours to say
      field(name, value);
    }
    field("Content-Length", std::to_string(answer_.body.size()));
    if (version == 10 && keep_alive) field("Connection", "keep-alive");
    if (version != 10 && !keep_alive) field("Connection", "close");
    out_ += "\r\n";
    out_ += answer_.body;
    net::async_write(socket_, net::buffer(out_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec || !self->keep_alive_) return self->Close();
      self->ReadRequest();
    });
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    beast::error_code ignored;
    idle_timer_.cancel();
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    socket_.close(ignored);
  }

  tcp::socket socket_;
  net::steady_timer idle_timer_;
  Clock::time_point deadline_;
  bool closed_ = false;
  DecisionServer::Impl* server_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string route_key_;   // "METHOD /path" of the current request
  httplib::Request http_;   // what the route's Call shows: the current body
  Router::Answer answer_;   // the current answer
  bool keep_alive_ = true;  // after the current answer
  std::string out_;         // the answer serialized
};

}  // namespace

void DecisionServer::Impl::Accept() {
  auto on_accept = [this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted) return;  // closed: stopping
    if (!ec) {
      socket.set_option(tcp::no_delay(true), ec);
      std::make_shared<Session>(std::move(socket), this)->Run();
    }
    Accept();
  };
  // Several event loops share connections' handlers only through a strand; one needs none.
  if (options.threads == 1) {
    acceptor.async_accept(ioc, std::move(on_accept));
  } else {
    acceptor.async_accept(net::make_strand(ioc), std::move(on_accept));
  }
}

DecisionServer::DecisionServer(Options options, std::vector<Router::Recorded> routes)
    : impl_(std::make_unique<Impl>(std::move(options))) {
  for (auto& r : routes) {
    if (r.direct) impl_->routes.emplace(r.method + " " + r.pattern, std::move(r.direct));
  }
}

DecisionServer::~DecisionServer() { Stop(); }

Result<int> DecisionServer::Start() {
  beast::error_code ec;
  const auto address = net::ip::make_address(impl_->options.host, ec);
  const std::string where =
      "cannot bind " + impl_->options.host + ":" + std::to_string(impl_->options.port) + " (http.decisionListen): ";
  if (ec) return Unavailable(where + "not an IP address");
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(impl_->options.port));
  impl_->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(endpoint, ec);
  if (!ec) impl_->acceptor.listen(1024, ec);
  if (ec) {
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
    return Unavailable(where +
                       (ec == net::error::address_in_use ? std::string("address already in use") : ec.message()));
  }
  const int port = impl_->acceptor.local_endpoint().port();
  impl_->Accept();
  unsigned threads = impl_->options.threads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  impl_->running = true;
  for (unsigned i = 0; i < threads; ++i) impl_->threads.emplace_back([this] { impl_->ioc.run(); });
  return port;
}

void DecisionServer::Stop() {
  if (!impl_->running) return;
  impl_->running = false;
  net::post(impl_->ioc, [this] {
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
  });
  impl_->ioc.stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
}

}  // namespace gatehouse::api
