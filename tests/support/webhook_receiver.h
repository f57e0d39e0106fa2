// WebhookReceiver: a real HTTP server on loopback that accepts Gatehouse webhook batches,
// checks each one's HMAC-SHA256 signature, and records the revisions in arrival order.
// It can be stopped and started again on the same port, as a receiver going down would.
#pragma once

#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

namespace gatehouse::testing {

class WebhookReceiver {
 public:
  explicit WebhookReceiver(std::string secret) : secret_(std::move(secret)) {}
  ~WebhookReceiver() { Stop(); }

  // Binds (port 0: any free port) and serves; returns the port.
  int Start(int port = 0) {
    server_ = std::make_unique<httplib::Server>();
    server_->Post("/hook", [this](const httplib::Request& req, httplib::Response& res) {
      const std::string expected = "sha256=" + Hmac(req.body);
      std::lock_guard lock(mu_);
      if (fail_next_ > 0) {  // a receiver being deployed, or gone
        --fail_next_;
        ++failed_;
        res.status = fail_status_;
        return;
      }
      if (req.get_header_value("X-Gatehouse-Signature") != expected) {
        ++bad_signatures_;
        res.status = 401;
        return;
      }
      const nlohmann::json body = nlohmann::json::parse(req.body);
      for (const auto& e : body.at("events")) revisions_.push_back(e.at("revision").get<std::uint64_t>());
      ++batches_;
      res.status = 204;
    });
    port_ = port == 0 ? server_->bind_to_any_port("127.0.0.1") : (server_->bind_to_port("127.0.0.1", port) ? port : -1);
    if (port_ < 0) return -1;
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return port_;
  }

  void Stop() {
    if (!server_) return;
    server_->stop();
    if (thread_.joinable()) thread_.join();
    server_.reset();
  }

  std::vector<std::uint64_t> Revisions() {
    std::lock_guard lock(mu_);
    return revisions_;
  }
  int bad_signatures() {
    std::lock_guard lock(mu_);
    return bad_signatures_;
  }
  int batches() {
    std::lock_guard lock(mu_);
    return batches_;
  }
  // The next `count` requests are answered `status` and their events not recorded.
  void FailNext(int count, int status) {
    std::lock_guard lock(mu_);
    fail_next_ = count;
    fail_status_ = status;
  }
  int failed() {
    std::lock_guard lock(mu_);
    return failed_;
  }

 private:
  std::string Hmac(const std::string& body) const {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
         reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &len);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
      out += kHex[mac[i] >> 4];
      out += kHex[mac[i] & 15];
    }
    return out;
  }

  std::string secret_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = -1;
  std::mutex mu_;
  std::vector<std::uint64_t> revisions_;
  int bad_signatures_ = 0;
  int batches_ = 0;
  int fail_next_ = 0;
  int fail_status_ = 0;
  int failed_ = 0;
};

}  // namespace gatehouse::testing
