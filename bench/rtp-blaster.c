// The C reference for bench/media-scale.mjs: what this machine does with sendmmsg when nothing
// else runs, and a counting sink that keeps up with it.
//
//   rtp-blaster blast HOST PORT SECONDS SOCKETS BATCH
//       Sends 172-byte RTP packets (12-byte header + 160 bytes of PCMU silence) as fast as
//       it can for SECONDS. SOCKETS connected UDP sockets, one SSRC each; every round sends
//       BATCH packets per socket in one sendmmsg(2) call. Prints one JSON line.
//   rtp-blaster sink HOST PORT SECONDS
//       Receives with recvmmsg(2) for SECONDS (or until 2 s of silence after the first packet),
//       counting packets and, per SSRC, packets whose sequence number is not the previous + 1
//       and whose timestamp step differs from the SSRC's first step (marker packets excepted).
//       Prints one JSON line.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PACKET 172
#define MAX_BATCH 256
#define TABLE 65536 /* SSRC table: open addressing, more than 4x the streams we run */

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int address(const char *host, int port, struct sockaddr_in *out) {
  memset(out, 0, sizeof(*out));
  out->sin_family = AF_INET;
  out->sin_port = htons((uint16_t)port);
  return inet_pton(AF_INET, host, &out->sin_addr) == 1 ? 0 : -1;
}

static int blast(const char *host, int port, double seconds, int sockets, int batch) {
  struct sockaddr_in to;
  if (address(host, port, &to) != 0 || sockets < 1 || batch < 1 || batch > MAX_BATCH) {
    fprintf(stderr, "rtp-blaster: bad arguments\n");
    return 2;
  }
  int *fds = calloc((size_t)sockets, sizeof(int));
  uint8_t *packets = calloc((size_t)sockets * MAX_BATCH, PACKET);
  uint16_t *seq = calloc((size_t)sockets, sizeof(uint16_t));
  uint32_t *stamp = calloc((size_t)sockets, sizeof(uint32_t));
  for (int s = 0; s < sockets; s++) {
    fds[s] = socket(AF_INET, SOCK_DGRAM, 0);
    int sndbuf = 256 * 1024;
    setsockopt(fds[s], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
    if (fds[s] < 0 || connect(fds[s], (struct sockaddr *)&to, sizeof(to)) != 0) {
      fprintf(stderr, "rtp-blaster: socket %d: %s\n", s, strerror(errno));
      return 1;
    }
    for (int b = 0; b < MAX_BATCH; b++) {
      uint8_t *p = packets + ((size_t)s * MAX_BATCH + b) * PACKET;
      memset(p + 12, 0xff, PACKET - 12);
      p[0] = 0x80;
      p[1] = 0;
      uint32_t ssrc = htonl(0x10000000u + (uint32_t)s);
      memcpy(p + 8, &ssrc, 4);
    }
  }
  struct mmsghdr msgs[MAX_BATCH];
  struct iovec iov[MAX_BATCH];
  memset(msgs, 0, sizeof(msgs));
  unsigned long long sent = 0, errors = 0;
  double start = now_s(), end = start + seconds, now = start;
  while (now < end) {
    for (int s = 0; s < sockets; s++) {
      for (int b = 0; b < batch; b++) {
        uint8_t *p = packets + ((size_t)s * MAX_BATCH + b) * PACKET;
        uint16_t sq = htons(seq[s]++);
        uint32_t ts = htonl(stamp[s]);
        stamp[s] += 160;
        memcpy(p + 2, &sq, 2);
        memcpy(p + 4, &ts, 4);
        iov[b].iov_base = p;
        iov[b].iov_len = PACKET;
        msgs[b].msg_hdr.msg_iov = &iov[b];
        msgs[b].msg_hdr.msg_iovlen = 1;
      }
      int n = sendmmsg(fds[s], msgs, (unsigned)batch, 0);
      if (n < 0) errors += (unsigned long long)batch;
      else {
        sent += (unsigned long long)n;
        errors += (unsigned long long)(batch - n);
      }
    }
    now = now_s();
  }
  double elapsed = now - start;
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  double cpu = usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
  printf("{\"mode\":\"blast\",\"sockets\":%d,\"batch\":%d,\"seconds\":%.3f,\"sent\":%llu,\"errors\":%llu,\"packetsPerSecond\":%.0f,"
         "\"cpuSeconds\":%.3f}\n",
         sockets, batch, elapsed, sent, errors, sent / elapsed, cpu);
  return 0;
}

struct stream {
  uint32_t ssrc;
  uint32_t used;
  uint32_t packets;
  uint32_t seq_errors;
  uint32_t ts_errors;
  uint16_t last_seq;
  uint32_t last_ts;
  uint32_t ts_step;
};

static int sink(const char *host, int port, double seconds) {
  struct sockaddr_in at;
  if (address(host, port, &at) != 0) {
    fprintf(stderr, "rtp-blaster: bad address\n");
    return 2;
  }
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  int rcvbuf = 32 * 1024 * 1024;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
  if (bind(fd, (struct sockaddr *)&at, sizeof(at)) != 0) {
    fprintf(stderr, "rtp-blaster: bind %s:%d: %s\n", host, port, strerror(errno));
    return 1;
  }
  printf("{\"mode\":\"sink\",\"listening\":%d}\n", port);
  fflush(stdout);
  static struct stream table[TABLE];
  static uint8_t buffers[MAX_BATCH][2048];
  struct mmsghdr msgs[MAX_BATCH];
  struct iovec iov[MAX_BATCH];
  memset(msgs, 0, sizeof(msgs));
  for (int i = 0; i < MAX_BATCH; i++) {
    iov[i].iov_base = buffers[i];
    iov[i].iov_len = sizeof(buffers[i]);
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  unsigned long long packets = 0, bytes = 0, streams = 0, seq_errors = 0, ts_errors = 0, not_rtp = 0;
  double start = now_s(), end = start + seconds, first = 0, last = 0;
  struct pollfd pfd = {.fd = fd, .events = POLLIN};
  for (;;) {
    double now = now_s();
    if (now >= end || (last > 0 && now - last > 2.0)) break;
    if (poll(&pfd, 1, 100) <= 0) continue;
    int n = recvmmsg(fd, msgs, MAX_BATCH, MSG_DONTWAIT, NULL);
    if (n <= 0) continue;
    last = now_s();
    if (first == 0) first = last;
    for (int i = 0; i < n; i++) {
      unsigned len = msgs[i].msg_len;
      const uint8_t *p = buffers[i];
      packets++;
      bytes += len;
      if (len < 12 || (p[0] >> 6) != 2) {
        not_rtp++;
        continue;
      }
      uint32_t ssrc = ((uint32_t)p[8] << 24) | ((uint32_t)p[9] << 16) | ((uint32_t)p[10] << 8) | p[11];
      uint16_t sq = (uint16_t)((p[2] << 8) | p[3]);
      uint32_t ts = ((uint32_t)p[4] << 24) | ((uint32_t)p[5] << 16) | ((uint32_t)p[6] << 8) | p[7];
      int marker = (p[1] & 0x80) != 0;
      uint32_t h = (ssrc * 2654435761u) & (TABLE - 1);
      while (table[h].used && table[h].ssrc != ssrc) h = (h + 1) & (TABLE - 1);
      struct stream *st = &table[h];
      if (!st->used) {
        st->used = 1;
        st->ssrc = ssrc;
        st->packets = 1;
        st->last_seq = sq;
        st->last_ts = ts;
        streams++;
        continue;
      }
      st->packets++;
      if (sq != (uint16_t)(st->last_seq + 1)) {
        st->seq_errors++;
        seq_errors++;
      }
      uint32_t step = ts - st->last_ts;
      if (st->ts_step == 0) st->ts_step = step;
      else if (step != st->ts_step && !marker) {
        st->ts_errors++;
        ts_errors++;
      }
      st->last_seq = sq;
      st->last_ts = ts;
    }
  }
  double active = last > first ? last - first : 0;
  printf("{\"mode\":\"sink\",\"packets\":%llu,\"bytes\":%llu,\"streams\":%llu,\"seqErrors\":%llu,\"timestampErrors\":%llu,"
         "\"notRtp\":%llu,\"activeSeconds\":%.3f,\"packetsPerSecond\":%.0f}\n",
         packets, bytes, streams, seq_errors, ts_errors, not_rtp, active, active > 0 ? packets / active : 0.0);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 7 && strcmp(argv[1], "blast") == 0)
    return blast(argv[2], atoi(argv[3]), atof(argv[4]), atoi(argv[5]), atoi(argv[6]));
  if (argc == 5 && strcmp(argv[1], "sink") == 0) return sink(argv[2], atoi(argv[3]), atof(argv[4]));
  fprintf(stderr, "usage: rtp-blaster blast HOST PORT SECONDS SOCKETS BATCH | sink HOST PORT SECONDS\n");
  return 2;
}
