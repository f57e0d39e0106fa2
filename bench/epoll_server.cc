// The machine's HTTP limit for the check benchmark: one thread, one epoll loop, HTTP/1.1
// keep-alive, answering every request with the same small JSON body. No routing, no
// parsing beyond finding where each request ends (the blank line, then Content-Length
// bytes), pipelined requests answered in order. scripts/bench_http.sh runs it beside
// gatehoused and reports Gatehouse's single-check throughput as a share of this.
//
// Usage: epoll_server [port=18183]
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>

namespace {

constexpr std::string_view kResponse =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 16\r\nKeep-Alive: timeout=30\r\n\r\n"
    "{\"allowed\":true}";

struct Connection {
  std::string in;
  std::string out;
};

// The Content-Length of the request head `head` (0 when absent).
std::size_t ContentLength(std::string_view head) {
  for (std::size_t pos = 0; (pos = head.find("\r\n", pos)) != std::string_view::npos;) {
    pos += 2;
    constexpr std::string_view kName = "content-length:";
    if (head.size() - pos < kName.size()) break;
    bool match = true;
    for (std::size_t i = 0; i < kName.size() && match; ++i) {
      match = std::tolower(static_cast<unsigned char>(head[pos + i])) == kName[i];
    }
    if (match) return std::strtoul(std::string(head.substr(pos + kName.size(), 20)).c_str(), nullptr, 10);
  }
  return 0;
}

// Queues an answer for every complete request in c.in and drops those requests.
void Serve(Connection& c) {
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = c.in.find("\r\n\r\n", start);
    if (end == std::string::npos) break;
    const std::size_t body = ContentLength(std::string_view(c.in).substr(start, end - start + 2));
    if (c.in.size() < end + 4 + body) break;
    c.out.append(kResponse);
    start = end + 4 + body;
  }
  c.in.erase(0, start);
}

bool Flush(int fd, Connection& c) {
  while (!c.out.empty()) {
    const ssize_t n = ::send(fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
    c.out.erase(0, static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const int port = argc > 1 ? std::atoi(argv[1]) : 18183;
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const int one = 1;
  ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listener, 1024) != 0) {
    std::fprintf(stderr, "epoll_server: cannot listen on 127.0.0.1:%d: %s\n", port, std::strerror(errno));
    return 1;
  }
  const int ep = ::epoll_create1(EPOLL_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = listener;
  ::epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev);
  std::unordered_map<int, Connection> connections;
  std::printf("epoll server on 127.0.0.1:%d\n", port);
  std::fflush(stdout);
  epoll_event events[256];
  char buf[65536];
  for (;;) {
    const int n = ::epoll_wait(ep, events, 256, -1);
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      if (fd == listener) {
        for (;;) {
          const int c = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
          if (c < 0) break;
          ::setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          epoll_event cev{};
          cev.events = EPOLLIN | EPOLLRDHUP;
          cev.data.fd = c;
          ::epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
          connections[c];
        }
        continue;
      }
      Connection& c = connections[fd];
      bool open = true;
      for (;;) {
        const ssize_t got = ::recv(fd, buf, sizeof buf, 0);
        if (got > 0) {
          c.in.append(buf, static_cast<std::size_t>(got));
          continue;
        }
        if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) open = false;
        break;
      }
      Serve(c);
      if (!Flush(fd, c)) open = false;
      if (open) {  // wait for room only while an answer is left unsent
        epoll_event cev{};
        cev.events = EPOLLIN | EPOLLRDHUP | (c.out.empty() ? 0u : static_cast<std::uint32_t>(EPOLLOUT));
        cev.data.fd = fd;
        if (!c.out.empty() || (events[i].events & EPOLLOUT) != 0) ::epoll_ctl(ep, EPOLL_CTL_MOD, fd, &cev);
      }
      if (!open) {
        ::epoll_ctl(ep, EPOLL_CTL_DEL, fd, nullptr);
        ::close(fd);
        connections.erase(fd);
      }
    }
  }
}
