// gatehouse-notifier-webhook: POSTs batches of events as JSON to one URL.
//
//   POST <url>   Content-Type: application/json
//   X-Gatehouse-Signature: sha256=<hex HMAC-SHA256 of the body with `secret`>
//   X-Gatehouse-Revisions: <first>-<last>
//   {"events": [{"revision", "type", "accountId", "actor", "at", "data"}, ...]}
//
// 2xx: delivered. 410 Gone: rejected for good (the receiver says this endpoint will never
// take events again; the host skips the batch and logs it at error level). Every other
// answer — 4xx included (a receiver mid-deploy answers 404, a misconfigured one 401) —
// and timeouts and connection errors: retry later, with the host's backoff.
// Receivers deduplicate by revision: delivery is at least once.
#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <ctime>
#include <gatehouse/plugin.hpp>
#include <nlohmann/json.hpp>

namespace {

using gatehouse::sdk::PluginError;

std::string HmacSha256Hex(const std::string& key, const std::string& body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(body.data()),
       body.size(), mac, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[mac[i] >> 4];
    out += kHex[mac[i] & 15];
  }
  return out;
}

class WebhookNotifier final : public gatehouse::sdk::NotifierPlugin {
 public:
  static std::unique_ptr<WebhookNotifier> Create(gatehouse::sdk::Host host, const gatehouse::sdk::Options& options) {
    auto self = std::make_unique<WebhookNotifier>();
    const std::string url = options.Get("url");
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string::npos || (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)) {
      throw PluginError(GH_ERR_INVALID_ARGUMENT,
                        "option \"url\": expected http://HOST[:PORT]/PATH or https://..., got \"" + url + "\"");
    }
    const auto path_start = url.find('/', scheme_end + 3);
    self->origin_ = url.substr(0, path_start);
    self->path_ = path_start == std::string::npos ? "/" : url.substr(path_start);
    self->secret_ = options.Get("secret");
    self->timeout_ms_ = options.GetDurationMs("timeout", 5000);
    if (self->secret_.empty()) host.Log(GH_LOG_WARN, "webhook " + url + ": no secret, requests are not signed");
    return self;
  }

  gh_status Deliver(const std::vector<Event>& events, std::string* error) override {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& e : events) {
      nlohmann::json item = {{"revision", e.revision},
                             {"type", std::string(e.type)},
                             {"accountId", std::string(e.account_id)},
                             {"actor", std::string(e.actor)},
                             {"at", gatehouse::sdk::FormatRfc3339Utc(e.at_ms)}};
      item["data"] = nlohmann::json::parse(e.data_json, nullptr, false);
      if (item["data"].is_discarded()) item["data"] = std::string(e.data_json);
      list.push_back(std::move(item));
    }
    const std::string body = nlohmann::json{{"events", std::move(list)}}.dump();
    httplib::Client client(origin_);
    const auto secs = static_cast<time_t>(timeout_ms_ / 1000);
    const auto usecs = static_cast<time_t>((timeout_ms_ % 1000) * 1000);
    client.set_connection_timeout(secs, usecs);
    client.set_read_timeout(secs, usecs);
    client.set_write_timeout(secs, usecs);
    httplib::Headers headers{{"X-Gatehouse-Revisions",
                              std::to_string(events.front().revision) + "-" + std::to_string(events.back().revision)}};
    if (!secret_.empty()) headers.emplace("X-Gatehouse-Signature", "sha256=" + HmacSha256Hex(secret_, body));
    auto res = client.Post(path_.c_str(), headers, body, "application/json");
    if (!res) {
      *error = origin_ + path_ + ": " + httplib::to_string(res.error());
      return GH_ERR_RETRYABLE;
    }
    if (res->status >= 200 && res->status < 300) return GH_OK;
    *error = origin_ + path_ + " answered " + std::to_string(res->status);
    if (res->status == 410) return GH_ERR_PERMANENT;
    return GH_ERR_RETRYABLE;
  }

 private:
  std::string origin_, path_, secret_;
  std::int64_t timeout_ms_ = 5000;
};

const gh_option_spec kOptions[] = {
    {sizeof(gh_option_spec), "url", GH_OPT_STRING, nullptr, "Receiver URL (http or https)", 1},
    {sizeof(gh_option_spec), "secret", GH_OPT_STRING, "", "HMAC-SHA256 key for X-Gatehouse-Signature", 0},
    {sizeof(gh_option_spec), "timeout", GH_OPT_DURATION, "5s", "Connect, read and write timeout", 0},
};

}  // namespace

GH_DEFINE_NOTIFIER_PLUGIN(WebhookNotifier, "webhook", "1.0.0", "POSTs signed JSON batches of events to a URL", kOptions)
