#include "core/net/net_address.hpp"

#include <mproc/common.h>

#include "platform/error.hpp"

namespace mproc::core {
namespace {

using Kind = platform::NetAddress::Kind;

[[noreturn]] void bad(const std::string& text, const std::string& why) {
  fail(MPROC_EINVAL, "address '" + text + "': " + why +
                         " (the forms are unix:/path, abstract:name, tcp:host:port and "
                         "tcp:[v6-address]:port)");
}

bool starts_with(const std::string& s, const char* prefix, std::string* rest) {
  size_t n = std::char_traits<char>::length(prefix);
  if (s.compare(0, n, prefix) != 0) return false;
  *rest = s.substr(n);
  return true;
}

uint16_t parse_port(const std::string& text, const std::string& digits) {
  if (digits.empty() || digits.size() > 5) bad(text, "the port is not a number from 0 to 65535");
  unsigned long port = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') bad(text, "the port is not a number from 0 to 65535");
    port = port * 10 + static_cast<unsigned long>(c - '0');
  }
  if (port > 65535) bad(text, "the port is not a number from 0 to 65535");
  return static_cast<uint16_t>(port);
}

}  // namespace

platform::NetAddress parse_net_address(const std::string& text) {
  platform::NetAddress a;
  a.text = text;
  std::string rest;
  if (starts_with(text, "unix:", &rest) || (!text.empty() && text[0] == '/')) {
    a.kind = Kind::kUnixPath;
    a.host = text[0] == '/' ? text : rest;
    if (a.host.empty()) bad(text, "no path");
    return a;
  }
  if (starts_with(text, "abstract:", &rest)) {
    a.kind = Kind::kAbstract;
    a.host = rest;
    if (a.host.empty()) bad(text, "no name");
    return a;
  }
  if (!starts_with(text, "tcp:", &rest)) bad(text, "not a known form");
  a.kind = Kind::kTcp;
  size_t colon;
  if (!rest.empty() && rest[0] == '[') {
    size_t close = rest.find(']');
    if (close == std::string::npos || close + 1 >= rest.size() || rest[close + 1] != ':')
      bad(text, "an IPv6 address in brackets must be followed by :port");
    a.host = rest.substr(1, close - 1);
    colon = close + 1;
  } else {
    colon = rest.rfind(':');
    if (colon == std::string::npos) bad(text, "no :port");
    a.host = rest.substr(0, colon);
    if (a.host.find(':') != std::string::npos)
      bad(text, "an IPv6 address goes in brackets: tcp:[::1]:port");
  }
  a.port = parse_port(text, rest.substr(colon + 1));
  return a;
}

std::string format_net_address(const platform::NetAddress& a) {
  switch (a.kind) {
    case Kind::kUnixPath: return "unix:" + a.host;
    case Kind::kAbstract: return "abstract:" + a.host;
    case Kind::kTcp: break;
  }
  bool v6 = a.host.find(':') != std::string::npos;
  return "tcp:" + (v6 ? "[" + a.host + "]" : a.host) + ":" + std::to_string(a.port);
}

}  // namespace mproc::core
