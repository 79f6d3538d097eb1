#include "core/net/handshake.hpp"

#include <mproc/common.h>

#include "core/frame.hpp"
#include "platform/crypto.hpp"

namespace mproc::core {
namespace {

using platform::Digest;

constexpr char kChallenge[] = "#CHALLENGE#";
constexpr char kWelcome[] = "#WELCOME#";
constexpr char kFailure[] = "#FAILURE#";
// Python reads every handshake message with recv_bytes(256).
constexpr uint64_t kMaxHandshakeMessage = 256;
// Random bytes in a challenge after its "{sha256}" (Python 3.12's
// MESSAGE_LENGTH).
constexpr size_t kChallengeRandom = 40;
// A challenge or answer of one of these sizes is Python 3.11's form: raw
// HMAC-MD5, no "{digest}" prefix (a 20-byte challenge, a 16-byte answer).
constexpr size_t kLegacyChallenge = 20;
constexpr size_t kMd5Size = 16;
// Python looks for the '}' of "{name}" up to here (len("sha3_256") + 2).
constexpr size_t kNameSearchEnd = 10;

const Handshake::Role kListener = Handshake::Role::kListener;

// The steps of each side, in order.
constexpr int kSteps = 4;

bool starts_with(const std::string& s, const char* prefix) {
  return s.compare(0, std::char_traits<char>::length(prefix), prefix) == 0;
}

// The form of a challenge or an answer: its digest, and the bytes after
// any "{name}" prefix. False with *why set when it names no digest mproc
// has.
bool parse_form(const std::string& m, Digest* digest, std::string* name, std::string* payload,
                std::string* why) {
  if (m.size() == kLegacyChallenge || m.size() == kMd5Size) {
    *digest = Digest::kMd5;
    name->clear();
    *payload = m;
    return true;
  }
  size_t curly = m.empty() || m[0] != '{' ? std::string::npos : m.find('}', 1);
  if (curly == std::string::npos || curly >= kNameSearchEnd) {
    *why = "a message of " + std::to_string(m.size()) +
           " bytes without a {digest} prefix (neither Python 3.11's nor 3.12's form)";
    return false;
  }
  *name = m.substr(1, curly - 1);
  if (*name == "md5") {
    *digest = Digest::kMd5;
  } else if (*name == "sha256") {
    *digest = Digest::kSha256;
  } else if (*name == "sha384") {
    *digest = Digest::kSha384;
  } else {
    // Python also allows sha3_256 and sha3_384, which only a hand-made
    // deliver_challenge(digest_name=...) ever asks for.
    *why = "the digest '" + *name + "' is not supported (md5, sha256, sha384 are)";
    return false;
  }
  *payload = m.substr(curly + 1);
  return true;
}

std::string mac(Digest d, const std::string& key, const std::string& message) {
  unsigned char out[platform::kMaxDigestSize];
  size_t n = platform::hmac(d, key.data(), key.size(), message.data(), message.size(), out);
  return std::string(reinterpret_cast<const char*>(out), n);
}

}  // namespace

Handshake::Handshake(Role role, std::string key, bool accept_md5, Random random)
    : role_(role), key_(std::move(key)), accept_md5_(accept_md5), random_(std::move(random)) {
  if (!random_) random_ = platform::random_bytes;
  begin_step();
}

Handshake::~Handshake() {
  if (!key_.empty()) platform::wipe(&key_[0], key_.size());
}

// The step at step_index_: the listener challenges first, the client
// answers first.
void Handshake::begin_step() {
  if (state_ != State::kRunning) return;
  if (step_index_ == kSteps) {
    state_ = State::kDone;
    return;
  }
  bool challenging_half = (role_ == kListener) == (step_index_ < 2);
  bool first_of_half = step_index_ % 2 == 0;
  if (challenging_half && first_of_half) {
    std::string random(kChallengeRandom, '\0');
    random_(&random[0], random.size());
    challenge_ = "{sha256}" + random;
    send_frame(kChallenge + challenge_);
    next_step();  // now read the answer
  }
}

void Handshake::next_step() {
  ++step_index_;
  begin_step();
}

Handshake::Step Handshake::step() const noexcept {
  bool challenging_half = (role_ == kListener) == (step_index_ < 2);
  bool first_of_half = step_index_ % 2 == 0;
  if (challenging_half) return first_of_half ? Step::kSendChallenge : Step::kReadAnswer;
  return first_of_half ? Step::kReadChallenge : Step::kReadVerdict;
}

void Handshake::send_frame(const std::string& body) {
  unsigned char header[kFrameLongHeader];
  size_t n = frame_header(body.size(), header);
  out_.append(reinterpret_cast<const char*>(header), n);
  out_ += body;
}

void Handshake::fail(std::string why) {
  if (state_ != State::kRunning) return;
  state_ = State::kFailed;
  failure_ = std::move(why);
}

void Handshake::lost(const std::string& why) { fail(why); }

size_t Handshake::want() const noexcept {
  if (state_ != State::kRunning) return 0;
  if (in_body_) return static_cast<size_t>(body_len_) - body_.size();
  if (header_.size() < kFrameShortHeader) return kFrameShortHeader - header_.size();
  return kFrameLongHeader - header_.size();  // the long form's 8 more bytes
}

void Handshake::feed(const unsigned char* data, size_t n) {
  if (state_ != State::kRunning || n == 0) return;
  const char* p = reinterpret_cast<const char*>(data);
  if (in_body_) {
    body_.append(p, n);
    if (body_.size() < body_len_) return;
  } else {
    header_.append(p, n);
    uint64_t len = 0;
    size_t header_size = 0;
    FrameHeader h = parse_frame_header(reinterpret_cast<const unsigned char*>(header_.data()),
                                       header_.size(), &len, &header_size);
    if (h == FrameHeader::kIncomplete) return;
    if (h == FrameHeader::kBad) return fail("the peer sent a negative message length: not "
                                            "multiprocessing.connection's protocol");
    if (len > kMaxHandshakeMessage)
      return fail("the peer sent a handshake message of " + std::to_string(len) +
                  " bytes (at most 256): not an authenticating multiprocessing peer");
    header_.clear();
    body_len_ = len;
    if (len > 0) {
      in_body_ = true;
      return;
    }
  }
  std::string message = std::move(body_);
  body_.clear();
  in_body_ = false;
  body_len_ = 0;
  on_message(message);
}

void Handshake::on_message(const std::string& m) {
  switch (step()) {
    case Step::kReadAnswer: return check_answer(m);
    case Step::kReadChallenge: return answer(m);
    case Step::kReadVerdict: return check_verdict(m);
    case Step::kSendChallenge: break;
  }
}

void Handshake::check_answer(const std::string& answer) {
  Digest digest;
  std::string name, payload, why;
  bool ok = parse_form(answer, &digest, &name, &payload, &why);
  if (ok && name.empty() && !accept_md5_) {
    ok = false;
    why = "the peer answered with a raw HMAC-MD5 (Python 3.11's form), which this listener "
          "or client does not accept (accept_md5 is off)";
  }
  if (ok) {
    std::string expected = mac(digest, key_, challenge_);
    if (expected.size() != payload.size()) {
      ok = false;
      why = "the peer's digest has " + std::to_string(payload.size()) + " bytes, not " +
            std::to_string(expected.size());
    } else if (!platform::equal_ct(expected.data(), payload.data(), expected.size())) {
      ok = false;
      why = "the peer's digest is wrong: it does not hold the same authkey";
    }
  }
  if (!ok) {
    send_frame(kFailure);
    return fail(why);
  }
  send_frame(kWelcome);
  next_step();
}

void Handshake::answer(const std::string& m) {
  if (!starts_with(m, kChallenge))
    return fail("the peer sent no challenge: not an authenticating multiprocessing peer");
  std::string challenge = m.substr(sizeof kChallenge - 1);
  if (challenge.size() < kLegacyChallenge)
    return fail("the peer's challenge is too short (" + std::to_string(challenge.size()) +
                " bytes)");
  Digest digest;
  std::string name, payload, why;
  if (!parse_form(challenge, &digest, &name, &payload, &why))
    return fail("the peer's challenge: " + why);
  std::string digest_bytes = mac(digest, key_, challenge);
  send_frame(name.empty() ? digest_bytes : "{" + name + "}" + digest_bytes);
  next_step();
}

void Handshake::check_verdict(const std::string& verdict) {
  if (verdict == kWelcome) return next_step();
  if (verdict == kFailure)
    return fail("the peer rejected this side's digest: the two sides hold different authkeys");
  fail("the peer sent neither #WELCOME# nor #FAILURE# after the challenge");
}

}  // namespace mproc::core
