// The pieces of authenticated connections that do no I/O: HMAC vectors of
// the crypto back end, the framing of messages, addresses, and the
// handshake of Python's multiprocessing.connection against golden
// transcripts (computed with Python's hmac) and hostile input.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "core/frame.hpp"
#include "core/net/handshake.hpp"
#include "core/net/net_address.hpp"
#include "platform/crypto.hpp"
#include "platform/error.hpp"

using mproc::Error;
using mproc::core::Handshake;
using namespace mproc::platform;

namespace {

std::string hex(const std::string& bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string unhex(const std::string& text) {
  std::string out;
  for (size_t i = 0; i + 1 < text.size(); i += 2)
    out += static_cast<char>(std::stoi(text.substr(i, 2), nullptr, 16));
  return out;
}

std::string mac_hex(Digest d, const std::string& key, const std::string& msg) {
  unsigned char out[kMaxDigestSize];
  size_t n = hmac(d, key.data(), key.size(), msg.data(), msg.size(), out);
  return hex(std::string(reinterpret_cast<char*>(out), n));
}

// bytes(range(n)), as the tests' fixed "random" challenge.
std::string counting(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += static_cast<char>(i);
  return s;
}

void counting_random(void* out, size_t n) {
  std::string s = counting(n);
  std::memcpy(out, s.data(), n);
}

std::string frame(const std::string& body) {
  unsigned char header[mproc::core::kFrameLongHeader];
  size_t n = mproc::core::frame_header(body.size(), header);
  return std::string(reinterpret_cast<char*>(header), n) + body;
}

// Feeds `bytes` to `h` in the pieces it asks for; returns how many it took.
size_t feed_all(Handshake& h, const std::string& bytes) {
  size_t at = 0;
  while (at < bytes.size() && h.want() > 0) {
    size_t n = std::min(h.want(), bytes.size() - at);
    h.feed(reinterpret_cast<const unsigned char*>(bytes.data()) + at, n);
    at += n;
  }
  return at;
}

std::string take_output(Handshake& h) {
  std::string out = h.output();
  h.sent(out.size());
  return out;
}

// Runs two handshakes against each other until neither has more to say.
void pump(Handshake& a, Handshake& b) {
  for (int i = 0; i < 20; ++i) {
    std::string ab = take_output(a);
    std::string ba = take_output(b);
    if (ab.empty() && ba.empty()) return;
    feed_all(b, ab);
    feed_all(a, ba);
  }
}

const std::string kKey = "mproc-test-key";

}  // namespace

// ---- Crypto back end ----------------------------------------------------------

TEST(Crypto, HmacSha256Rfc4231) {
  EXPECT_EQ(mac_hex(Digest::kSha256, std::string(20, '\x0b'), "Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(mac_hex(Digest::kSha256, "Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Case 6: a key longer than the block is hashed first.
  EXPECT_EQ(mac_hex(Digest::kSha256, std::string(131, '\xaa'),
                    "Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(Crypto, HmacSha384Rfc4231) {
  EXPECT_EQ(mac_hex(Digest::kSha384, std::string(20, '\x0b'), "Hi There"),
            "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
            "faea9ea9076ede7f4af152e8b2fa9cb6");
}

TEST(Crypto, HmacMd5Rfc2202) {
  EXPECT_EQ(mac_hex(Digest::kMd5, std::string(16, '\x0b'), "Hi There"),
            "9294727a3638bb1c13f48ef8158bfc9d");
  EXPECT_EQ(mac_hex(Digest::kMd5, "Jefe", "what do ya want for nothing?"),
            "750c783e6ab0b503eaa86e310a5db738");
}

TEST(Crypto, EqualInConstantTimeStillCompares) {
  EXPECT_TRUE(equal_ct("abcd", "abcd", 4));
  EXPECT_FALSE(equal_ct("abcd", "abce", 4));
  EXPECT_FALSE(equal_ct("xbcd", "abcd", 4));
  EXPECT_TRUE(equal_ct("", "", 0));
}

TEST(Crypto, RandomBytesDiffer) {
  std::string a(300, '\0'), b(300, '\0');  // more than one getentropy call
  random_bytes(&a[0], a.size());
  random_bytes(&b[0], b.size());
  EXPECT_NE(a, b);
  EXPECT_NE(a, std::string(300, '\0'));
}

// ---- Framing ------------------------------------------------------------------

TEST(Frame, ShortHeaderIsBigEndian) {
  unsigned char h[mproc::core::kFrameLongHeader];
  ASSERT_EQ(mproc::core::frame_header(0x01020304, h), 4u);
  EXPECT_EQ(std::memcmp(h, "\x01\x02\x03\x04", 4), 0);
  ASSERT_EQ(mproc::core::frame_header(0x7fffffff, h), 4u);
  EXPECT_EQ(std::memcmp(h, "\x7f\xff\xff\xff", 4), 0);
}

TEST(Frame, LongHeaderAbove2GiB) {
  unsigned char h[mproc::core::kFrameLongHeader];
  ASSERT_EQ(mproc::core::frame_header(0x80000000ull, h), 12u);
  EXPECT_EQ(std::memcmp(h, "\xff\xff\xff\xff\x00\x00\x00\x00\x80\x00\x00\x00", 12), 0);
  uint64_t len = 0;
  size_t size = 0;
  EXPECT_EQ(mproc::core::parse_frame_header(h, 4, &len, &size),
            mproc::core::FrameHeader::kIncomplete);
  ASSERT_EQ(mproc::core::parse_frame_header(h, 12, &len, &size), mproc::core::FrameHeader::kOk);
  EXPECT_EQ(len, 0x80000000ull);
  EXPECT_EQ(size, 12u);
}

TEST(Frame, NegativeLengthIsBad) {
  const unsigned char h[4] = {0x80, 0, 0, 0};
  uint64_t len;
  size_t size;
  EXPECT_EQ(mproc::core::parse_frame_header(h, 4, &len, &size), mproc::core::FrameHeader::kBad);
}

// ---- Addresses ----------------------------------------------------------------

TEST(NetAddress, ParsesAndFormatsEveryForm) {
  using mproc::core::format_net_address;
  using mproc::core::parse_net_address;
  auto a = parse_net_address("unix:/tmp/x.sock");
  EXPECT_EQ(a.kind, NetAddress::Kind::kUnixPath);
  EXPECT_EQ(a.host, "/tmp/x.sock");
  EXPECT_EQ(format_net_address(parse_net_address("/tmp/x.sock")), "unix:/tmp/x.sock");
  a = parse_net_address("abstract:mproc-name");
  EXPECT_EQ(a.kind, NetAddress::Kind::kAbstract);
  EXPECT_EQ(format_net_address(a), "abstract:mproc-name");
  a = parse_net_address("tcp:127.0.0.1:8000");
  EXPECT_EQ(a.host, "127.0.0.1");
  EXPECT_EQ(a.port, 8000);
  a = parse_net_address("tcp:[::1]:0");
  EXPECT_EQ(a.host, "::1");
  EXPECT_EQ(format_net_address(a), "tcp:[::1]:0");
  EXPECT_EQ(parse_net_address("tcp:localhost:65535").port, 65535);
}

TEST(NetAddress, RefusesMalformed) {
  for (const char* bad : {"", "unix:", "abstract:", "tcp:host", "tcp:host:", "tcp:host:65536",
                          "tcp:host:8x", "tcp:::1:80", "tcp:[::1]80", "tcp:[::1", "http://x",
                          "relative/path"}) {
    try {
      mproc::core::parse_net_address(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), MPROC_EINVAL) << bad;
    }
  }
}

// ---- Handshake: golden transcripts ---------------------------------------------

TEST(Handshake, GoldenVectorsOfPythonsHmac) {
  std::string m = "{sha256}" + counting(40);
  EXPECT_EQ(mac_hex(Digest::kSha256, kKey, m),
            "412d4bb4ae5c2c5f1701e8787e4a69ba620ea8d33d956ae92f0446aba97555a6");
  EXPECT_EQ(mac_hex(Digest::kMd5, kKey, m), "de6130402507be215a7c243045ce3208");
  EXPECT_EQ(mac_hex(Digest::kMd5, kKey, counting(20)), "1f31f553a45d1ea0e6366c1d626ed727");
}

TEST(Handshake, ListenerChallengesInPython312Form) {
  Handshake h(Handshake::Role::kListener, kKey, true, counting_random);
  EXPECT_EQ(take_output(h), frame("#CHALLENGE#{sha256}" + counting(40)));
  EXPECT_EQ(h.want(), 4u);
}

TEST(Handshake, ListenerAcceptsSha256Answer) {
  Handshake h(Handshake::Role::kListener, kKey, true, counting_random);
  take_output(h);
  feed_all(h, frame("{sha256}" + unhex("412d4bb4ae5c2c5f1701e8787e4a69ba620ea8d33d956ae92f0446aba97555a6")));
  EXPECT_FALSE(h.failed()) << h.failure();
  EXPECT_EQ(take_output(h), frame("#WELCOME#"));
}

TEST(Handshake, ListenerAcceptsPython311Md5Answer) {
  Handshake h(Handshake::Role::kListener, kKey, true, counting_random);
  take_output(h);
  feed_all(h, frame(unhex("de6130402507be215a7c243045ce3208")));
  EXPECT_FALSE(h.failed()) << h.failure();
  EXPECT_EQ(take_output(h), frame("#WELCOME#"));
}

TEST(Handshake, StrictListenerRefusesMd5) {
  Handshake h(Handshake::Role::kListener, kKey, false, counting_random);
  take_output(h);
  feed_all(h, frame(unhex("de6130402507be215a7c243045ce3208")));
  EXPECT_TRUE(h.failed());
  EXPECT_NE(h.failure().find("accept_md5"), std::string::npos) << h.failure();
  EXPECT_EQ(take_output(h), frame("#FAILURE#"));
}

TEST(Handshake, WrongDigestFailsAndSaysFailure) {
  Handshake h(Handshake::Role::kListener, kKey, true, counting_random);
  take_output(h);
  std::string wrong = unhex("412d4bb4ae5c2c5f1701e8787e4a69ba620ea8d33d956ae92f0446aba97555a7");
  feed_all(h, frame("{sha256}" + wrong));
  EXPECT_TRUE(h.failed());
  EXPECT_NE(h.failure().find("authkey"), std::string::npos) << h.failure();
  EXPECT_EQ(take_output(h), frame("#FAILURE#"));
  EXPECT_EQ(h.want(), 0u);
}

TEST(Handshake, DigestOfWrongLengthFails) {
  Handshake h(Handshake::Role::kListener, kKey, true, counting_random);
  take_output(h);
  feed_all(h, frame("{sha256}" + std::string(31, 'x')));
  EXPECT_TRUE(h.failed());
  EXPECT_NE(h.failure().find("31 bytes"), std::string::npos) << h.failure();
}

TEST(Handshake, ClientAnswersPython311ChallengeWithRawMd5) {
  Handshake h(Handshake::Role::kClient, kKey, true, counting_random);
  EXPECT_TRUE(take_output(h).empty());  // the client answers first
  feed_all(h, frame("#CHALLENGE#" + counting(20)));
  EXPECT_EQ(take_output(h), frame(unhex("1f31f553a45d1ea0e6366c1d626ed727")));
}

TEST(Handshake, ClientAnswersSha384Challenge) {
  Handshake h(Handshake::Role::kClient, kKey, true, counting_random);
  feed_all(h, frame("#CHALLENGE#{sha384}" + counting(40)));
  EXPECT_EQ(hex(take_output(h)),
            hex(frame("{sha384}" +
                      unhex("6130421e372572feca999d9500f415d9257c7ad40cce61a0549f5f1581aee923"
                            "55eb491d6e809218d9fb887b4cf858c0"))));
}

TEST(Handshake, ClientChallengesAfterWelcome) {
  Handshake h(Handshake::Role::kClient, kKey, true, counting_random);
  feed_all(h, frame("#CHALLENGE#" + counting(20)));
  take_output(h);
  feed_all(h, frame("#WELCOME#"));
  EXPECT_EQ(take_output(h), frame("#CHALLENGE#{sha256}" + counting(40)));
  feed_all(h, frame("{sha256}" + unhex("412d4bb4ae5c2c5f1701e8787e4a69ba620ea8d33d956ae92f0446aba97555a6")));
  EXPECT_TRUE(h.done()) << h.failure();
  EXPECT_EQ(take_output(h), frame("#WELCOME#"));
}

TEST(Handshake, BothSidesSucceedWithOneKey) {
  Handshake listener(Handshake::Role::kListener, kKey, true);
  Handshake client(Handshake::Role::kClient, kKey, true);
  pump(listener, client);
  EXPECT_TRUE(listener.done()) << listener.failure();
  EXPECT_TRUE(client.done()) << client.failure();
}

TEST(Handshake, BothSidesFailWithDifferentKeys) {
  Handshake listener(Handshake::Role::kListener, kKey, true);
  Handshake client(Handshake::Role::kClient, "another key", true);
  pump(listener, client);
  EXPECT_TRUE(listener.failed());
  EXPECT_TRUE(client.failed());
  EXPECT_NE(client.failure().find("rejected"), std::string::npos) << client.failure();
}

TEST(Handshake, WelcomeForgedWithoutTheKeyStillFails) {
  // A listener without the key can say WELCOME to anything, but must then
  // answer the client's own challenge, which it can not.
  Handshake client(Handshake::Role::kClient, kKey, true, counting_random);
  feed_all(client, frame("#CHALLENGE#" + counting(20)));
  take_output(client);
  feed_all(client, frame("#WELCOME#"));
  take_output(client);
  feed_all(client, frame(std::string(16, 'x')));
  EXPECT_TRUE(client.failed());
  EXPECT_EQ(take_output(client), frame("#FAILURE#"));
}

// ---- Handshake: hostile input -----------------------------------------------------

TEST(Handshake, RefusesLengthsOver256FromTheHeaderAlone) {
  for (const std::string& header :
       {std::string("\x00\x00\x01\x01", 4), std::string("\x7f\xff\xff\xff", 4),
        std::string("\xff\xff\xff\xff\x00\x00\x01\x00\x00\x00\x00\x00", 12)}) {
    Handshake h(Handshake::Role::kListener, kKey, true);
    take_output(h);
    feed_all(h, header);
    EXPECT_TRUE(h.failed()) << hex(header);
    EXPECT_EQ(h.want(), 0u);
  }
}

TEST(Handshake, RefusesNegativeLength) {
  Handshake h(Handshake::Role::kClient, kKey, true);
  feed_all(h, std::string("\x80\x00\x00\x00", 4));
  EXPECT_TRUE(h.failed());
}

TEST(Handshake, RefusesWhatIsNotAChallenge) {
  Handshake h(Handshake::Role::kClient, kKey, true);
  feed_all(h, frame("GET / HTTP/1.1\r\n"));
  EXPECT_TRUE(h.failed());
  EXPECT_NE(h.failure().find("no challenge"), std::string::npos) << h.failure();
}

TEST(Handshake, RefusesShortOrUnknownChallenges) {
  struct Case {
    std::string challenge;
    const char* says;
  } cases[] = {
      {"#CHALLENGE#" + counting(19), "too short"},
      {"#CHALLENGE#{sha512}" + counting(40), "not supported"},
      {"#CHALLENGE#{sha3_256}" + counting(40), "not supported"},
      {"#CHALLENGE#sha256}" + counting(40), "prefix"},
      {"#CHALLENGE#{sha256" + counting(40), "prefix"},
  };
  for (const Case& c : cases) {
    Handshake h(Handshake::Role::kClient, kKey, true);
    feed_all(h, frame(c.challenge));
    EXPECT_TRUE(h.failed()) << c.says;
    EXPECT_NE(h.failure().find(c.says), std::string::npos) << h.failure();
  }
}

TEST(Handshake, RefusesAnEmptyOrStrangeVerdict) {
  Handshake h(Handshake::Role::kClient, kKey, true);
  feed_all(h, frame("#CHALLENGE#" + counting(20)));
  take_output(h);
  feed_all(h, frame(""));
  EXPECT_TRUE(h.failed());
}

TEST(Handshake, TakesNoByteBeyondItsLastMessage) {
  // What the peer sends right after the handshake is the first message of
  // the connection: the handshake must leave it in the socket.
  Handshake listener(Handshake::Role::kListener, kKey, true);
  Handshake client(Handshake::Role::kClient, kKey, true);
  pump(listener, client);
  ASSERT_TRUE(listener.done());
  EXPECT_EQ(listener.want(), 0u);
  EXPECT_EQ(feed_all(listener, frame("data")), 0u);
}
