// The ceiling: a bare cpp-httplib server that answers every POST /v1/check with a
// constant, configured like gatehoused (TCP_NODELAY, a worker per connection). The HTTP
// benchmark runs it beside gatehoused so the ratio is measured on the same machine.
#include <httplib.h>

#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
  const int port = argc > 1 ? std::atoi(argv[1]) : 18181;
  httplib::Server server;
  server.new_task_queue = [] { return new httplib::ThreadPool(128); };
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(100000);
  server.set_keep_alive_timeout(30);
  server.Post("/v1/check", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("{\"allowed\":true}", "application/json");
  });
  std::printf("bare server on 127.0.0.1:%d\n", port);
  std::fflush(stdout);
  return server.listen("127.0.0.1", port) ? 0 : 1;
}
