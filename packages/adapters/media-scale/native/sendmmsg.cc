// Batched UDP send for the media-scale adapter: sockets this addon owns (plain non-blocking
// fds, unknown to libuv) and one crossing from JS per batch. Runs of packets on the same fd go
// in one sendmmsg(2) call; with a socket per stream a run is usually one packet, and the gain
// is that a whole tick's packets cost one JS->C++ call instead of one libuv request each.
#include <napi.h>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

namespace {

constexpr unsigned kMaxBatch = 1024;
// One set per thread: worker_threads load the same shared object.
thread_local mmsghdr g_messages[kMaxBatch];
thread_local iovec g_iov[kMaxBatch];

bool FillAddress(const std::string& host, int port, sockaddr_storage* out, socklen_t* len) {
  std::memset(out, 0, sizeof(*out));
  auto* v4 = reinterpret_cast<sockaddr_in*>(out);
  if (host.empty() || inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
    if (host.empty()) v4->sin_addr.s_addr = htonl(INADDR_ANY);
    *len = sizeof(sockaddr_in);
    return true;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(out);
  if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    *len = sizeof(sockaddr_in6);
    return true;
  }
  return false;
}

Napi::Value Fail(Napi::Env env, const std::string& what) {
  Napi::Error::New(env, what).ThrowAsJavaScriptException();
  return env.Undefined();
}

// openUdp(localHost, localPort, remoteHost, remotePort, sendBuffer) -> fd
Napi::Value OpenUdp(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string localHost = info[0].As<Napi::String>().Utf8Value();
  int localPort = info[1].As<Napi::Number>().Int32Value();
  std::string remoteHost = info[2].As<Napi::String>().Utf8Value();
  int remotePort = info[3].As<Napi::Number>().Int32Value();
  int sendBuffer = info[4].As<Napi::Number>().Int32Value();

  sockaddr_storage remote;
  socklen_t remoteLen;
  if (!FillAddress(remoteHost, remotePort, &remote, &remoteLen)) {
    return Fail(env, "remote address " + remoteHost + " is not an IP address");
  }
  sockaddr_storage local;
  socklen_t localLen;
  std::string bindHost = localHost;
  if (bindHost.empty() && remote.ss_family == AF_INET6) bindHost = "::";
  if (!FillAddress(bindHost, localPort, &local, &localLen)) {
    return Fail(env, "local address " + localHost + " is not an IP address");
  }
  if (local.ss_family != remote.ss_family) return Fail(env, "local and remote addresses are of different families");

  int fd = socket(remote.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Fail(env, std::string("socket: ") + std::strerror(errno));
  if (sendBuffer > 0) setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sendBuffer, sizeof(sendBuffer));
  if (bind(fd, reinterpret_cast<sockaddr*>(&local), localLen) != 0) {
    int error = errno;
    close(fd);
    return Fail(env, std::string("bind: ") + std::strerror(error));
  }
  if (connect(fd, reinterpret_cast<sockaddr*>(&remote), remoteLen) != 0) {
    int error = errno;
    close(fd);
    return Fail(env, std::string("connect: ") + std::strerror(error));
  }
  return Napi::Number::New(env, fd);
}

// sendBatch(arena, fds, offsets, lengths, count) -> packets the kernel took
Napi::Value SendBatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto arena = info[0].As<Napi::Buffer<uint8_t>>();
  auto fds = info[1].As<Napi::Int32Array>();
  auto offsets = info[2].As<Napi::Int32Array>();
  auto lengths = info[3].As<Napi::Int32Array>();
  unsigned count = info[4].As<Napi::Number>().Uint32Value();
  if (count > kMaxBatch || count > fds.ElementLength() || count > offsets.ElementLength() ||
      count > lengths.ElementLength()) {
    return Fail(env, "sendBatch: count exceeds the batch arrays");
  }
  uint8_t* base = arena.Data();
  size_t arenaLength = arena.Length();
  for (unsigned i = 0; i < count; i++) {
    size_t offset = static_cast<size_t>(offsets[i]);
    size_t length = static_cast<size_t>(lengths[i]);
    if (offset + length > arenaLength) return Fail(env, "sendBatch: packet outside the arena");
    g_iov[i].iov_base = base + offset;
    g_iov[i].iov_len = length;
    std::memset(&g_messages[i].msg_hdr, 0, sizeof(msghdr));
    g_messages[i].msg_hdr.msg_iov = &g_iov[i];
    g_messages[i].msg_hdr.msg_iovlen = 1;
  }
  unsigned sent = 0;
  unsigned i = 0;
  while (i < count) {
    int fd = fds[i];
    unsigned run = 1;
    while (i + run < count && fds[i + run] == fd) run++;
    int done = sendmmsg(fd, &g_messages[i], run, 0);
    if (done < 0) {
      if (errno == EINTR) continue;
      i++;  // refused (EAGAIN: send buffer full, ECONNREFUSED: ICMP from the peer): drop it
      continue;
    }
    sent += static_cast<unsigned>(done);
    i += done > 0 ? static_cast<unsigned>(done) : 1;
  }
  return Napi::Number::New(env, sent);
}

Napi::Value CloseFd(const Napi::CallbackInfo& info) {
  close(info[0].As<Napi::Number>().Int32Value());
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("openUdp", Napi::Function::New(env, OpenUdp));
  exports.Set("sendBatch", Napi::Function::New(env, SendBatch));
  exports.Set("closeFd", Napi::Function::New(env, CloseFd));
  return exports;
}

}  // namespace

NODE_API_MODULE(gossipper_sendmmsg, Init)
